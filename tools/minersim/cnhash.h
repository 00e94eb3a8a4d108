/* hh-cn: a CryptoNight/RandomX-like memory-hard hash, for simulation only.
 *
 * Like CryptoNight it fills a 2 MiB scratchpad from a Keccak state of the job
 * blob with AES rounds, then runs data-dependent random reads and writes with
 * AES rounds and 64x64->128-bit multiplies, and folds the pad back into the
 * state. Like RandomX it runs SSE double arithmetic inside the loop and, with
 * MS_HASH_FPU_ROUNDING, switches the MXCSR rounding mode (CFROUND) among the
 * three non-default modes and leaves it non-default in the hashing thread.
 * It is not CryptoNight or RandomX: its results are worthless to any pool. */
#ifndef MS_CNHASH_H
#define MS_CNHASH_H
#include <stddef.h>
#include <stdint.h>

#define MS_PAD_BYTES (2u << 20)
#define MS_ITERATIONS (1u << 17)

enum {
	MS_HASH_SOFT_AES = 1,     /* never use AES-NI (tests compare both paths) */
	MS_HASH_FPU_ROUNDING = 2, /* CFROUND-like MXCSR rounding-mode changes */
};

struct ms_hasher {
	uint8_t *pad; /* MS_PAD_BYTES, 64-byte aligned, owned */
	int hw;       /* AES-NI in use */
	int fpu_rounding;
};

/* Returns 0, or -1 when the scratchpad cannot be allocated. */
int ms_hasher_init(struct ms_hasher *h, int flags);
void ms_hasher_free(struct ms_hasher *h);
/* Hashes blob[0..len) into out[32]. Deterministic for a given flag set. */
void ms_hash(struct ms_hasher *h, const uint8_t *blob, size_t len, uint8_t out[32]);

/* 1 when the CPU has AES-NI (and this is x86). */
int ms_have_aesni(void);
/* The calling thread's MXCSR rounding mode (0 nearest .. 3 toward zero), or -1 off x86. */
int ms_fpu_rounding_mode(void);
/* The 64-bit value compared with a share target: bytes 24..31 little-endian. */
uint64_t ms_hash_value(const uint8_t hash[32]);
/* One AES encryption round (SubBytes, ShiftRows, MixColumns, AddRoundKey),
 * software or AES-NI; exposed so tests can compare both. */
void ms_aes_round(uint8_t out[16], const uint8_t in[16], const uint8_t key[16], int hw);

#endif
