/* tools/minersim: Keccak-256 (original padding), the AES round (software and
 * AES-NI) and the hh-cn hash: known answers, path equality, determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cnhash.h"
#include "detectors/indicators/keccak.h"
#include "msgs.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

static void hex32(const uint8_t h[32], char out[65]) { ms_hex_encode(h, 32, out); }

static void keccak_known_answers(void **state)
{
	(void)state;
	uint8_t h[32];
	char s[65];
	hh_keccak256((const uint8_t *)"", 0, h);
	hex32(h, s);
	assert_string_equal(s, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
	const char *fox = "The quick brown fox jumps over the lazy dog";
	hh_keccak256((const uint8_t *)fox, strlen(fox), h);
	hex32(h, s);
	assert_string_equal(s, "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
	/* Inputs of exactly one rate (136) and longer take the multi-block path;
	 * they must differ from each other and from SHA3-256's padding result. */
	uint8_t buf[300];
	memset(buf, 'a', sizeof(buf));
	uint8_t h136[32], h137[32], h300[32];
	hh_keccak256(buf, 136, h136);
	hh_keccak256(buf, 137, h137);
	hh_keccak256(buf, 300, h300);
	assert_memory_not_equal(h136, h137, 32);
	assert_memory_not_equal(h137, h300, 32);
}

/* FIPS-197 appendix B, round 1: state at the start of round 1 and round key 1
 * give the state at the start of round 2. */
static void aes_round_fips197(void **state)
{
	(void)state;
	const uint8_t in[16] = { 0x19, 0x3d, 0xe3, 0xbe, 0xa0, 0xf4, 0xe2, 0x2b,
				 0x9a, 0xc6, 0x8d, 0x2a, 0xe9, 0xf8, 0x48, 0x08 };
	const uint8_t key[16] = { 0xa0, 0xfa, 0xfe, 0x17, 0x88, 0x54, 0x2c, 0xb1,
				  0x23, 0xa3, 0x39, 0x39, 0x2a, 0x6c, 0x76, 0x05 };
	const uint8_t want[16] = { 0xa4, 0x9c, 0x7f, 0xf2, 0x68, 0x9f, 0x35, 0x2b,
				   0x6b, 0x5b, 0xea, 0x43, 0x02, 0x6a, 0x50, 0x49 };
	uint8_t out[16];
	ms_aes_round(out, in, key, 0);
	assert_memory_equal(out, want, 16);
	if (ms_have_aesni()) {
		ms_aes_round(out, in, key, 1);
		assert_memory_equal(out, want, 16);
	}
	/* All-zero block and key: S(0)=0x63 in every byte, MixColumns keeps it. */
	uint8_t zero[16] = { 0 }, z[16];
	ms_aes_round(z, zero, zero, 0);
	for (int i = 0; i < 16; i++)
		assert_int_equal(z[i], 0x63);
}

static void aes_software_matches_aesni(void **state)
{
	(void)state;
	if (!ms_have_aesni())
		skip();
	uint64_t x = 0x123456789abcdefULL;
	for (int n = 0; n < 2000; n++) {
		uint8_t in[16], key[16], a[16], b[16];
		for (int i = 0; i < 16; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			in[i] = (uint8_t)x;
			key[i] = (uint8_t)(x >> 8);
		}
		ms_aes_round(a, in, key, 0);
		ms_aes_round(b, in, key, 1);
		assert_memory_equal(a, b, 16);
	}
}

static void hash_is_deterministic_and_sensitive(void **state)
{
	(void)state;
	struct ms_hasher h;
	assert_int_equal(ms_hasher_init(&h, 0), 0);
	uint8_t blob[76], a[32], b[32], c[32];
	for (int i = 0; i < 76; i++)
		blob[i] = (uint8_t)(i * 7 + 1);
	ms_hash(&h, blob, sizeof(blob), a);
	ms_hash(&h, blob, sizeof(blob), b);
	assert_memory_equal(a, b, 32);
	blob[39] ^= 1; /* another nonce */
	ms_hash(&h, blob, sizeof(blob), c);
	assert_memory_not_equal(a, c, 32);
	ms_hasher_free(&h);

	/* The software-AES path computes the same function. */
	if (ms_have_aesni()) {
		struct ms_hasher sw;
		assert_int_equal(ms_hasher_init(&sw, MS_HASH_SOFT_AES), 0);
		assert_int_equal(sw.hw, 0);
		blob[39] ^= 1;
		ms_hash(&sw, blob, sizeof(blob), c);
		assert_memory_equal(a, c, 32);
		ms_hasher_free(&sw);
	}
}

static void fpu_rounding_mode_is_left_non_default(void **state)
{
	(void)state;
#if defined(__x86_64__) || defined(__i386__)
	unsigned saved = _mm_getcsr();
	assert_int_equal(ms_fpu_rounding_mode(), 0);
	struct ms_hasher h;
	assert_int_equal(ms_hasher_init(&h, MS_HASH_FPU_ROUNDING), 0);
	uint8_t blob[76] = { 1, 2, 3 }, a[32], b[32], plain[32];
	ms_hash(&h, blob, sizeof(blob), a);
	int mode = ms_fpu_rounding_mode();
	assert_true(mode >= 1 && mode <= 3);
	/* Deterministic whatever mode the previous hash left behind. */
	ms_hash(&h, blob, sizeof(blob), b);
	assert_memory_equal(a, b, 32);
	ms_hasher_free(&h);
	_mm_setcsr(saved);
	struct ms_hasher p;
	assert_int_equal(ms_hasher_init(&p, 0), 0);
	ms_hash(&p, blob, sizeof(blob), plain);
	assert_int_equal(ms_fpu_rounding_mode(), 0);
	/* The FP state feeds the hash, so the rounding modes change the result. */
	assert_memory_not_equal(a, plain, 32);
	ms_hasher_free(&p);
#else
	skip();
#endif
}

static void hash_value_is_little_endian_tail(void **state)
{
	(void)state;
	uint8_t h[32] = { 0 };
	h[24] = 0x01;
	h[31] = 0x80;
	assert_true(ms_hash_value(h) == 0x8000000000000001ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keccak_known_answers),
		cmocka_unit_test(aes_round_fips197),
		cmocka_unit_test(aes_software_matches_aesni),
		cmocka_unit_test(hash_is_deterministic_and_sensitive),
		cmocka_unit_test(fpu_rounding_mode_is_left_non_default),
		cmocka_unit_test(hash_value_is_little_endian_tail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
