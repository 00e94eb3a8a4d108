/* Monero-style addresses for the simulator's login: CryptoNote base58 (8-byte
 * blocks -> 11 characters) of [0x12][spend key 32][view key 32][checksum 4],
 * the checksum being the first 4 bytes of original Keccak-256 of the rest. */
#ifndef MS_WALLET_H
#define MS_WALLET_H
#include <stddef.h>
#include <stdint.h>

#define MS_WALLET_LEN 95 /* characters of a standard address */
#define MS_MONERO_PREFIX 0x12

/* Encodes data[0..len) into out (NUL-terminated). Returns the length, or 0
 * when out (outsz bytes) is too small. */
size_t ms_b58_encode(const uint8_t *data, size_t len, char *out, size_t outsz);
/* Decodes s into out[0..outsz); *outlen gets the byte count. Returns 0, or -1
 * for a bad character, a bad last-block length, an overflowing block or no room. */
int ms_b58_decode(const char *s, uint8_t *out, size_t outsz, size_t *outlen);

/* A standard address whose keys derive from seed[0..seedlen) (Keccak-256
 * chains; not real ed25519 points, so nothing can ever be paid to it).
 * out must hold MS_WALLET_LEN + 1 bytes. */
void ms_wallet_make(const void *seed, size_t seedlen, char out[MS_WALLET_LEN + 1]);
/* 0 when addr decodes to 69 bytes with a Monero network prefix (0x12 standard,
 * 0x2a subaddress) and a correct checksum; -1 otherwise. */
int ms_wallet_check(const char *addr);

#endif
