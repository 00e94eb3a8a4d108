/* Keccak-f[1600] and the original (pre-SHA-3) Keccak-256 used by CryptoNote
 * (Monero address checksums, CryptoNight's first and last steps). */
#ifndef MS_KECCAK_H
#define MS_KECCAK_H
#include <stddef.h>
#include <stdint.h>

/* The 24-round permutation over 25 little-endian lanes. */
void ms_keccakf(uint64_t st[25]);

/* Original Keccak sponge (padding byte 0x01, not SHA-3's 0x06), rate 136:
 * absorbs in[0..len) and writes the whole 200-byte state to st (CryptoNight). */
void ms_keccak_state(const uint8_t *in, size_t len, uint64_t st[25]);

/* Keccak-256 (original padding) of in[0..len) into out[32]. */
void ms_keccak256(const uint8_t *in, size_t len, uint8_t out[32]);

#endif
