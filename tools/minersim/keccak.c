/* Keccak-f[1600] (reference round structure) and the original Keccak-256. */
#include "keccak.h"

#include <string.h>

static const uint64_t rc[24] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
	0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
	0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
	0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
	0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};
static const int rotc[24] = { 1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14,
			      27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44 };
static const int piln[24] = { 10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4,
			      15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1 };

static inline uint64_t rotl64(uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

void ms_keccakf(uint64_t st[25])
{
	uint64_t bc[5], t;
	for (int round = 0; round < 24; round++) {
		for (int i = 0; i < 5; i++)
			bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
		for (int i = 0; i < 5; i++) {
			t = bc[(i + 4) % 5] ^ rotl64(bc[(i + 1) % 5], 1);
			for (int j = 0; j < 25; j += 5)
				st[j + i] ^= t;
		}
		t = st[1];
		for (int i = 0; i < 24; i++) {
			int j = piln[i];
			bc[0] = st[j];
			st[j] = rotl64(t, rotc[i]);
			t = bc[0];
		}
		for (int j = 0; j < 25; j += 5) {
			for (int i = 0; i < 5; i++)
				bc[i] = st[j + i];
			for (int i = 0; i < 5; i++)
				st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
		}
		st[0] ^= rc[round];
	}
}

/* Lanes are little-endian; x86-64 and arm64 hosts are too, so bytes are xored in place. */
static void xor_bytes(uint64_t st[25], const uint8_t *in, size_t n)
{
	uint8_t *s = (uint8_t *)st;
	for (size_t i = 0; i < n; i++)
		s[i] ^= in[i];
}

void ms_keccak_state(const uint8_t *in, size_t len, uint64_t st[25])
{
	enum { RATE = 136 };
	memset(st, 0, 200);
	while (len >= RATE) {
		xor_bytes(st, in, RATE);
		ms_keccakf(st);
		in += RATE;
		len -= RATE;
	}
	uint8_t last[RATE];
	memset(last, 0, sizeof(last));
	memcpy(last, in, len);
	last[len] ^= 0x01; /* original Keccak padding */
	last[RATE - 1] ^= 0x80;
	xor_bytes(st, last, RATE);
	ms_keccakf(st);
}

void ms_keccak256(const uint8_t *in, size_t len, uint8_t out[32])
{
	uint64_t st[25];
	ms_keccak_state(in, len, st);
	memcpy(out, st, 32);
}
