#include "detectors/indicators/keccak.h"

#include <string.h>

static const uint64_t round_constants[24] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
	0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
	0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
	0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
	0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};
static const unsigned rotations[24] = { 1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14,
					27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44 };
static const unsigned lanes[24] = { 10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4,
				    15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1 };

static uint64_t rotl(uint64_t x, unsigned n) { return (x << n) | (x >> (64 - n)); }

void hh_keccakf1600(uint64_t st[25])
{
	for (int round = 0; round < 24; round++) {
		uint64_t bc[5];
		for (int i = 0; i < 5; i++)
			bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
		for (int i = 0; i < 5; i++) {
			uint64_t t = bc[(i + 4) % 5] ^ rotl(bc[(i + 1) % 5], 1);
			for (int j = 0; j < 25; j += 5)
				st[j + i] ^= t;
		}
		uint64_t t = st[1];
		for (int i = 0; i < 24; i++) {
			unsigned j = lanes[i];
			uint64_t tmp = st[j];
			st[j] = rotl(t, rotations[i]);
			t = tmp;
		}
		for (int j = 0; j < 25; j += 5) {
			for (int i = 0; i < 5; i++)
				bc[i] = st[j + i];
			for (int i = 0; i < 5; i++)
				st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
		}
		st[0] ^= round_constants[round];
	}
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

void hh_keccak_state(const void *data, size_t len, uint64_t st[25])
{
	enum { RATE = 136 };
	memset(st, 0, 25 * sizeof(st[0]));
	const uint8_t *in = data;
	while (len >= RATE) {
		for (int i = 0; i < RATE / 8; i++)
			st[i] ^= load64(in + 8 * i);
		hh_keccakf1600(st);
		in += RATE;
		len -= RATE;
	}
	uint8_t block[RATE] = { 0 };
	memcpy(block, in, len);
	block[len] = 0x01;          /* Keccak padding, not SHA-3's 0x06 */
	block[RATE - 1] |= 0x80;
	for (int i = 0; i < RATE / 8; i++)
		st[i] ^= load64(block + 8 * i);
	hh_keccakf1600(st);
}

void hh_keccak256(const void *data, size_t len, uint8_t out[32])
{
	uint64_t st[25];
	hh_keccak_state(data, len, st);
	for (int i = 0; i < 4; i++)
		for (int b = 0; b < 8; b++)
			out[8 * i + b] = (uint8_t)(st[i] >> (8 * b));
}
