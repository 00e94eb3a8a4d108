#include "detectors/indicators/wallet.h"

#include <ctype.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "detectors/indicators/keccak.h"

static const char b58_alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

static int b58_digit(char c)
{
	const char *p = c ? strchr(b58_alphabet, c) : NULL;
	return p ? (int)(p - b58_alphabet) : -1;
}

const char *hh_coin_name(enum hh_coin coin)
{
	switch (coin) {
	case HH_COIN_MONERO: return "monero";
	case HH_COIN_BITCOIN: return "bitcoin";
	case HH_COIN_ETHEREUM: return "ethereum";
	}
	return "unknown";
}

/* Monero base58: 8-byte blocks encode to 11 characters, the last block to
 * fewer (table below), each block big-endian. */
static const int monero_block_chars[9] = { 0, 2, 3, 5, 6, 7, 9, 10, 11 };

bool hh_monero_b58_decode(const char *s, size_t len, uint8_t *out, size_t *out_len, size_t cap)
{
	size_t full = len / 11, rest = len % 11, rest_bytes = 0;
	if (rest) {
		int found = -1;
		for (int i = 1; i <= 8; i++)
			if ((size_t)monero_block_chars[i] == rest)
				found = i;
		if (found < 0)
			return false;
		rest_bytes = (size_t)found;
	}
	size_t total = full * 8 + rest_bytes;
	if (total > cap)
		return false;
	for (size_t b = 0; b <= full; b++) {
		size_t nchars = b < full ? 11 : rest, nbytes = b < full ? 8 : rest_bytes;
		if (nchars == 0)
			break;
		unsigned __int128 v = 0;
		for (size_t i = 0; i < nchars; i++) {
			int d = b58_digit(s[b * 11 + i]);
			if (d < 0)
				return false;
			v = v * 58 + (unsigned)d;
		}
		if (nbytes < 8 && (v >> (8 * nbytes)) != 0)
			return false;
		if (nbytes == 8 && (v >> 64) != 0)
			return false;
		for (size_t i = 0; i < nbytes; i++)
			out[b * 8 + nbytes - 1 - i] = (uint8_t)(v >> (8 * i));
	}
	*out_len = total;
	return true;
}

static bool monero_validate(const char *s, size_t len, struct hh_wallet_match *m)
{
	if (len != 95 && len != 106)
		return false;
	uint8_t raw[80];
	size_t n;
	if (!hh_monero_b58_decode(s, len, raw, &n, sizeof(raw)) || n < 5)
		return false;
	uint8_t hash[32];
	hh_keccak256(raw, n - 4, hash);
	if (memcmp(hash, raw + n - 4, 4) != 0)
		return false;
	/* Network prefixes (one-byte varints): mainnet, testnet, stagenet. */
	switch (raw[0]) {
	case 18: case 53: case 24:
		m->kind = "standard";
		return n == 69;
	case 42: case 63: case 36:
		m->kind = "subaddress";
		return n == 69;
	case 19: case 54: case 25:
		m->kind = "integrated";
		return n == 77;
	default:
		return false;
	}
}

/* Bitcoin base58check: big-number base58, version byte, double-SHA256 checksum. */
static bool bitcoin_b58_validate(const char *s, size_t len, struct hh_wallet_match *m)
{
	if (len < 26 || len > 35 || (s[0] != '1' && s[0] != '3'))
		return false;
	uint8_t num[25] = { 0 };
	for (size_t i = 0; i < len; i++) {
		int d = b58_digit(s[i]);
		if (d < 0)
			return false;
		unsigned carry = (unsigned)d;
		for (int j = 24; j >= 0; j--) {
			carry += 58u * num[j];
			num[j] = (uint8_t)carry;
			carry >>= 8;
		}
		if (carry)
			return false;
	}
	uint8_t h1[32], h2[32];
	SHA256(num, 21, h1);
	SHA256(h1, 32, h2);
	if (memcmp(h2, num + 21, 4) != 0)
		return false;
	if (num[0] == 0x00 && s[0] == '1')
		m->kind = "p2pkh";
	else if (num[0] == 0x05 && s[0] == '3')
		m->kind = "p2sh";
	else
		return false;
	return true;
}

static uint32_t bech32_polymod(const uint8_t *v, size_t n)
{
	static const uint32_t gen[5] = { 0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3 };
	uint32_t chk = 1;
	for (size_t i = 0; i < n; i++) {
		uint8_t top = (uint8_t)(chk >> 25);
		chk = ((chk & 0x1ffffff) << 5) ^ v[i];
		for (int j = 0; j < 5; j++)
			if ((top >> j) & 1)
				chk ^= gen[j];
	}
	return chk;
}

static bool bech32_validate(const char *s, size_t len, struct hh_wallet_match *m)
{
	static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
	if ((len != 42 && len != 62) || strncasecmp(s, "bc1", 3) != 0)
		return false;
	bool lower = false, upper = false;
	uint8_t v[2 + 1 + 62];
	size_t n = 0;
	v[n++] = 'b' >> 5;
	v[n++] = 'c' >> 5;
	v[n++] = 0;
	v[n++] = 'b' & 31;
	v[n++] = 'c' & 31;
	for (size_t i = 3; i < len; i++) {
		char c = s[i];
		lower |= islower((unsigned char)c) != 0;
		upper |= isupper((unsigned char)c) != 0;
		const char *p = strchr(charset, tolower((unsigned char)c));
		if (!c || !p)
			return false;
		v[n++] = (uint8_t)(p - charset);
	}
	if (lower && upper)
		return false;
	uint32_t pm = bech32_polymod(v, n);
	if (pm != 1 && pm != 0x2bc830a3) /* bech32, bech32m */
		return false;
	m->kind = "segwit";
	return true;
}

static bool ethereum_validate(const char *s, size_t len, struct hh_wallet_match *m)
{
	if (len != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	bool lower = false, upper = false;
	char low[40];
	for (size_t i = 0; i < 40; i++) {
		char c = s[2 + i];
		if (!isxdigit((unsigned char)c))
			return false;
		lower |= (c >= 'a' && c <= 'f');
		upper |= (c >= 'A' && c <= 'F');
		low[i] = (char)tolower((unsigned char)c);
	}
	m->kind = "account";
	m->checksummed = lower && upper;
	if (!m->checksummed)
		return true;
	/* EIP-55: a letter is upper case when its hash nibble is >= 8. */
	uint8_t h[32];
	hh_keccak256(low, 40, h);
	for (size_t i = 0; i < 40; i++) {
		char c = s[2 + i];
		if (!isalpha((unsigned char)c))
			continue;
		unsigned nib = (h[i / 2] >> (i % 2 ? 0 : 4)) & 0xf;
		if ((nib >= 8) != (c >= 'A' && c <= 'F'))
			return false;
	}
	return true;
}

bool hh_wallet_validate(const char *s, size_t len, struct hh_wallet_match *out)
{
	struct hh_wallet_match m = { .offset = 0, .len = len, .checksummed = true };
	if (len == 0)
		return false;
	if ((s[0] == '4' || s[0] == '8' || s[0] == '5' || s[0] == '9' || s[0] == 'A' || s[0] == 'B' ||
	     s[0] == '7') && monero_validate(s, len, &m))
		m.coin = HH_COIN_MONERO;
	else if (bitcoin_b58_validate(s, len, &m) || bech32_validate(s, len, &m))
		m.coin = HH_COIN_BITCOIN;
	else if (ethereum_validate(s, len, &m))
		m.coin = HH_COIN_ETHEREUM;
	else
		return false;
	if (out)
		*out = m;
	return true;
}

/* ASCII letters and digits (what isalnum() says in the C locale), as a table:
 * this loop sees every byte of every text file. */
static const bool token_tab[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1,
	['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
	['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1,
	['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
	['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

size_t hh_wallet_scan(const char *text, size_t len, struct hh_wallet_match *out, size_t max)
{
	const unsigned char *u = (const unsigned char *)text;
	size_t found = 0, i = 0;
	while (i < len && found < max) {
		if (!token_tab[u[i]]) {
			i++;
			continue;
		}
		size_t start = i;
		/* Only tokens of 26+ characters can be addresses. When byte i+25 is a
		 * separator, no token starting at i..i+25 reaches 26: jump past it. */
		if (i + 25 < len && !token_tab[u[i + 25]]) {
			i += 26;
			continue;
		}
		while (i < len && token_tab[u[i]])
			i++;
		size_t tl = i - start;
		if (tl < 26 || tl > 106)
			continue;
		struct hh_wallet_match m;
		if (hh_wallet_validate(text + start, tl, &m)) {
			m.offset = start;
			out[found++] = m;
		}
	}
	return found;
}

void hh_wallet_mask(const char *addr, size_t len, char *out, size_t n)
{
	if (len <= 12)
		snprintf(out, n, "%.*s", (int)len, addr);
	else
		snprintf(out, n, "%.6s...%.4s", addr, addr + len - 4);
}
