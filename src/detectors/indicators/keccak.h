/* Keccak-256 as Monero and Ethereum use it (original Keccak padding 0x01,
 * not SHA3-256's 0x06). OpenSSL 3.0 in Debian 12 offers only SHA3, hence ours. */
#ifndef HH_KECCAK_H
#define HH_KECCAK_H

#include <stddef.h>
#include <stdint.h>

void hh_keccak256(const void *data, size_t len, uint8_t out[32]);

#endif
