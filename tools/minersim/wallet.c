/* CryptoNote base58 and Monero address checksum (see wallet.h). */
#include "wallet.h"

#include "detectors/indicators/keccak.h"
#include "detectors/indicators/wallet.h"

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

/* Decoding and validation are hashhound's own (detectors/indicators/wallet.c):
 * the simulator generates, the detector checks, with one implementation. */
int ms_b58_decode(const char *s, uint8_t *out, size_t outsz, size_t *outlen)
{
	return hh_monero_b58_decode(s, strlen(s), out, outlen, outsz) ? 0 : -1;
}

void ms_wallet_make(const void *seed, size_t seedlen, char out[MS_WALLET_LEN + 1])
{
	uint8_t raw[69], sum[32];
	raw[0] = MS_MONERO_PREFIX;
	hh_keccak256(seed, seedlen, raw + 1);  /* "public spend key" */
	hh_keccak256(raw + 1, 32, raw + 33);    /* "public view key" */
	hh_keccak256(raw, 65, sum);
	memcpy(raw + 65, sum, 4);
	ms_b58_encode(raw, sizeof(raw), out, MS_WALLET_LEN + 1);
}

int ms_wallet_check(const char *addr)
{
	/* Mainnet standard or subaddress only: the login a real miner would use. */
	struct hh_wallet_match m;
	uint8_t raw[80];
	size_t len = strlen(addr), n = 0;
	if (len != MS_WALLET_LEN || !hh_wallet_validate(addr, len, &m) || m.coin != HH_COIN_MONERO ||
	    ms_b58_decode(addr, raw, sizeof(raw), &n) < 0)
		return -1;
	return raw[0] == MS_MONERO_PREFIX || raw[0] == 0x2a ? 0 : -1;
}
