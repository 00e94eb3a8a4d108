/* hh-rxsim: a RandomX-shaped hash kernel without a single miner string, the
 * positive fixture of the scanner's algorithm rules (rules/yara/algorithms.yar).
 *
 * A miner that renames or strips its strings still has to compute the real
 * algorithm, so it keeps the real constants. This kernel computes with the
 * constants of the RandomX specification, kept the way an implementation keeps
 * them (16-byte vector constants in memory order, 64-bit item constants):
 *   - the AesGenerator1R keys (scratchpad fill) and AesGenerator4R keys
 *     (program generation),
 *   - the AesHash1R initial state and extra keys (scratchpad fingerprint),
 *   - the SuperscalarHash dataset-item register constants.
 * The rounds are plain AES encryption rounds (ms_aes_round) and the
 * "program" is a fixed mix, so the output is not a RandomX hash: it is worth
 * nothing to any pool. Usage: hh-rxsim [INPUT]; prints a 64-byte hex digest. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnhash.h"

/* Each row is one 128-bit constant, lowest 32-bit word first (memory order). */
static const uint32_t gen1r_keys[4][4] = {
	{ 0x6daca553, 0x62716609, 0xdbb5552b, 0xb4f44917 },
	{ 0x6d7caf07, 0x846a710d, 0x1725d378, 0x0da1dc4e },
	{ 0x3f1262f1, 0x9f947ec6, 0xf4c0794f, 0x3e20e345 },
	{ 0x6aef8135, 0xb1ba317c, 0x16314c88, 0x49169154 },
};
static const uint32_t gen4r_keys[8][4] = {
	{ 0x6421aadd, 0xd1833ddb, 0x2f546d2b, 0x99e5d23f }, { 0xb20e3450, 0xb6913f55, 0x06f79d53, 0xa5dfcde5 },
	{ 0x5c3ed904, 0x515e7baf, 0x0aa4679f, 0x171c02bf }, { 0x85623763, 0xe78f5d08, 0xcd673785, 0xd8ded291 },
	{ 0xb5826f73, 0xe3d6a7a6, 0x3d518b6d, 0x229effb4 }, { 0xc7566bf3, 0x9c10b3d9, 0xe9024d4e, 0xb272b7d2 },
	{ 0xf273c9e7, 0xf765a38b, 0x2ba9660a, 0xf63befa7 }, { 0x7a7cd609, 0x915839de, 0x0c06d1fd, 0xc0b0762d },
};
static const uint32_t hash1r_state[4][4] = {
	{ 0x92b52c0d, 0x9fa856de, 0xcc82db47, 0xd7983aad },
	{ 0x338d996e, 0x15c7b798, 0xf59e125a, 0xace78057 },
	{ 0x6a770017, 0xae62c7d0, 0x5079506b, 0xe8a07ce4 },
	{ 0x630a240c, 0x07ad828d, 0x79a10005, 0x7e994948 },
};
static const uint32_t hash1r_xkeys[2][4] = {
	{ 0xf6fa8389, 0x8b24949f, 0x90dc56bf, 0x06890201 },
	{ 0x61b263d1, 0x51f4e03c, 0xee1043c6, 0xed18f99b },
};
/* Dataset item registers: r0 = (item + 1) * mul0, rN = r0 ^ addN. */
static const uint64_t item_mul0 = 6364136223846793005ULL;
static const uint64_t item_add[7] = {
	9298411001130361340ULL, 12065312585734608966ULL, 9306329213124626780ULL, 5281919268842080866ULL,
	10536153434571861004ULL, 3398623926847679864ULL, 9549104520008361294ULL,
};

#define PAD_BYTES (64u << 10)
#define PROG_BYTES 256u
#define ITEMS 16u

static void key_bytes(uint8_t out[16], const uint32_t k[4])
{
	memcpy(out, k, 16);
}

/* Fills buf (a multiple of 64 bytes) from a 64-byte state, one round per lane per 16 bytes. */
static void fill_1r(uint8_t state[64], uint8_t *buf, size_t len, const uint32_t (*keys)[4], size_t n_keys,
		    int rounds)
{
	uint8_t k[16];
	for (size_t off = 0; off < len; off += 64) {
		for (int lane = 0; lane < 4; lane++) {
			for (int r = 0; r < rounds; r++) {
				key_bytes(k, keys[(size_t)(lane + 4 * (r & 1)) % n_keys]);
				ms_aes_round(state + 16 * lane, state + 16 * lane, k, 0);
			}
			memcpy(buf + off + 16 * lane, state + 16 * lane, 16);
		}
	}
}

/* Fingerprints buf: the data are the round keys of the four state lanes. */
static void hash_1r(const uint8_t *buf, size_t len, uint8_t out[64])
{
	for (int lane = 0; lane < 4; lane++)
		key_bytes(out + 16 * lane, hash1r_state[lane]);
	for (size_t off = 0; off < len; off += 64)
		for (int lane = 0; lane < 4; lane++)
			ms_aes_round(out + 16 * lane, out + 16 * lane, buf + off + 16 * lane, 0);
	uint8_t k[16];
	for (int x = 0; x < 2; x++) {
		key_bytes(k, hash1r_xkeys[x]);
		for (int lane = 0; lane < 4; lane++)
			ms_aes_round(out + 16 * lane, out + 16 * lane, k, 0);
	}
}

static void dataset_item(uint64_t item, const uint64_t *prog, uint64_t rl[8])
{
	rl[0] = (item + 1) * item_mul0;
	for (int i = 0; i < 7; i++)
		rl[i + 1] = rl[0] ^ item_add[i];
	for (unsigned i = 0; i < PROG_BYTES / 8; i++) {
		uint64_t m = prog[i];
		rl[m & 7] = (rl[m & 7] * (m | 1)) ^ (rl[(m >> 3) & 7] >> (m >> 58));
	}
}

int main(int argc, char **argv)
{
	if (argc > 2 || (argc == 2 && !strcmp(argv[1], "--help"))) {
		fprintf(stderr, "usage: %s [INPUT]\n", argv[0]);
		return 2;
	}
	const char *in = argc == 2 ? argv[1] : "";
	uint8_t seed[64] = { 0 };
	/* Spread the input over the seed (a fold, not a hash: enough for a fixture). */
	for (size_t i = 0; in[i]; i++)
		seed[i % 64] = (uint8_t)(seed[i % 64] * 31u + (uint8_t)in[i]);

	uint8_t *pad = aligned_alloc(64, PAD_BYTES);
	if (!pad)
		return 1;
	uint8_t st[64];
	uint64_t prog[PROG_BYTES / 8];
	memcpy(st, seed, sizeof(st));
	fill_1r(st, (uint8_t *)prog, sizeof(prog), gen4r_keys, 8, 4);
	fill_1r(st, pad, PAD_BYTES, gen1r_keys, 4, 1);
	for (uint64_t it = 0; it < ITEMS; it++) {
		uint64_t rl[8];
		dataset_item(it ^ prog[it], prog, rl);
		for (int i = 0; i < 8; i++)
			((uint64_t *)pad)[(it * 8 + (size_t)i) % (PAD_BYTES / 8)] ^= rl[i];
	}
	uint8_t out[64];
	hash_1r(pad, PAD_BYTES, out);
	free(pad);
	for (int i = 0; i < 64; i++)
		printf("%02x", out[i]);
	printf("\n");
	return 0;
}
