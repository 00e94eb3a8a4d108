/* CryptoNote base58 and Monero address checksum (see wallet.h). */
#include "wallet.h"

#include "keccak.h"

#include <string.h>

static const char alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/* Characters used by a block of n bytes, n = 0..8. */
static const int enc_size[9] = { 0, 2, 3, 5, 6, 7, 9, 10, 11 };

static void encode_block(const uint8_t *b, size_t n, char *out)
{
	uint64_t num = 0;
	for (size_t i = 0; i < n; i++)
		num = (num << 8) | b[i];
	for (int i = enc_size[n] - 1; i >= 0; i--) {
		out[i] = alphabet[num % 58];
		num /= 58;
	}
}

size_t ms_b58_encode(const uint8_t *data, size_t len, char *out, size_t outsz)
{
	size_t full = len / 8, rest = len % 8;
	size_t need = full * 11 + (size_t)enc_size[rest];
	if (outsz < need + 1)
		return 0;
	for (size_t i = 0; i < full; i++)
		encode_block(data + 8 * i, 8, out + 11 * i);
	if (rest)
		encode_block(data + 8 * full, rest, out + 11 * full);
	out[need] = '\0';
	return need;
}

static int char_value(char c)
{
	const char *p = c ? strchr(alphabet, c) : NULL;
	return p ? (int)(p - alphabet) : -1;
}

/* Decodes n characters into bytes bytes; -1 when the value does not fit. */
static int decode_block(const char *s, size_t n, uint8_t *out, size_t bytes)
{
	unsigned __int128 num = 0;
	for (size_t i = 0; i < n; i++) {
		int v = char_value(s[i]);
		if (v < 0)
			return -1;
		num = num * 58 + (unsigned)v;
	}
	if (bytes < 8 && (num >> (8 * bytes)) != 0)
		return -1;
	if (bytes == 8 && (num >> 64) != 0)
		return -1;
	for (size_t i = bytes; i > 0; i--) {
		out[i - 1] = (uint8_t)num;
		num >>= 8;
	}
	return 0;
}

int ms_b58_decode(const char *s, uint8_t *out, size_t outsz, size_t *outlen)
{
	size_t len = strlen(s), full = len / 11, rest = len % 11;
	size_t rest_bytes = 0;
	if (rest) {
		int found = 0;
		for (size_t n = 1; n < 8; n++)
			if ((size_t)enc_size[n] == rest) {
				rest_bytes = n;
				found = 1;
			}
		if (!found)
			return -1;
	}
	size_t total = full * 8 + rest_bytes;
	if (total > outsz)
		return -1;
	for (size_t i = 0; i < full; i++)
		if (decode_block(s + 11 * i, 11, out + 8 * i, 8) < 0)
			return -1;
	if (rest && decode_block(s + 11 * full, rest, out + 8 * full, rest_bytes) < 0)
		return -1;
	*outlen = total;
	return 0;
}

void ms_wallet_make(const void *seed, size_t seedlen, char out[MS_WALLET_LEN + 1])
{
	uint8_t raw[69], sum[32];
	raw[0] = MS_MONERO_PREFIX;
	ms_keccak256(seed, seedlen, raw + 1);  /* "public spend key" */
	ms_keccak256(raw + 1, 32, raw + 33);    /* "public view key" */
	ms_keccak256(raw, 65, sum);
	memcpy(raw + 65, sum, 4);
	ms_b58_encode(raw, sizeof(raw), out, MS_WALLET_LEN + 1);
}

int ms_wallet_check(const char *addr)
{
	uint8_t raw[80], sum[32];
	size_t n = 0;
	if (strlen(addr) != MS_WALLET_LEN || ms_b58_decode(addr, raw, sizeof(raw), &n) < 0 || n != 69)
		return -1;
	if (raw[0] != MS_MONERO_PREFIX && raw[0] != 0x2a)
		return -1;
	ms_keccak256(raw, 65, sum);
	return memcmp(sum, raw + 65, 4) == 0 ? 0 : -1;
}
