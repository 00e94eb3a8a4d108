/* Keccak-256 as Monero and Ethereum use it (original Keccak padding 0x01,
 * not SHA3-256's 0x06). OpenSSL 3.0 in Debian 12 offers only SHA3, hence ours. */
#ifndef HH_KECCAK_H
#define HH_KECCAK_H

#include <stddef.h>
#include <stdint.h>

void hh_keccak256(const void *data, size_t len, uint8_t out[32]);

/* The permutation Keccak-f[1600], and the whole 200-byte state after
 * absorbing data (rate 136, Keccak padding): CryptoNight-style hashes start
 * from this state (the miner simulator uses it). */
void hh_keccakf1600(uint64_t st[25]);
void hh_keccak_state(const void *data, size_t len, uint64_t st[25]);

#endif
