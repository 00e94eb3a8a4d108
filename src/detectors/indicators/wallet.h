/* Cryptocurrency wallet addresses, validated by their checksums so random
 * base58/hex strings do not raise noise. Monero (standard 4..., subaddress
 * 8..., integrated; Keccak-256 checksum), Bitcoin (base58check P2PKH/P2SH,
 * bech32/bech32m segwit), Ethereum (0x + 40 hex; EIP-55 checksum when mixed case). */
#ifndef HH_WALLET_H
#define HH_WALLET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hh_coin { HH_COIN_MONERO, HH_COIN_BITCOIN, HH_COIN_ETHEREUM };

struct hh_wallet_match {
	enum hh_coin coin;
	const char *kind;     /* static: "standard", "subaddress", "integrated", "p2pkh", "p2sh", "segwit", "account" */
	size_t offset, len;   /* where in the scanned text */
	bool checksummed;     /* false only for all-lowercase/uppercase Ethereum (no checksum to check) */
};

const char *hh_coin_name(enum hh_coin coin);

/* Validates s[0..len) as one whole address. */
bool hh_wallet_validate(const char *s, size_t len, struct hh_wallet_match *out);

/* Finds validated addresses in text (token boundaries respected). Returns the
 * number found, at most max. Bounded work: linear in len. */
size_t hh_wallet_scan(const char *text, size_t len, struct hh_wallet_match *out, size_t max);

/* CryptoNote (Monero) base58: 8-byte blocks as 11 characters. Decodes s into
 * out (at most cap bytes). Returns false on a bad character, block or size. */
bool hh_monero_b58_decode(const char *s, size_t len, uint8_t *out, size_t *out_len, size_t cap);

/* Masks an address for output: first 6 and last 4 characters ("44AFFq...8Ft3").
 * Findings never print a full wallet: it identifies a person. */
void hh_wallet_mask(const char *addr, size_t len, char *out, size_t n);

#endif
