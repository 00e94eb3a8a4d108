/* tools/minersim: CryptoNote base58 and Monero address checksums. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "detectors/indicators/keccak.h"
#include "wallet.h"

/* The Monero General Fund address, published by the Monero project. */
static const char *real_addr =
	"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A";

static void real_address_validates(void **state)
{
	(void)state;
	assert_int_equal(ms_wallet_check(real_addr), 0);
	uint8_t raw[80];
	size_t n = 0;
	assert_int_equal(ms_b58_decode(real_addr, raw, sizeof(raw), &n), 0);
	assert_int_equal(n, 69);
	assert_int_equal(raw[0], 0x12);
	char back[100];
	assert_int_equal(ms_b58_encode(raw, n, back, sizeof(back)), 95);
	assert_string_equal(back, real_addr);
}

static void generated_address_is_valid_and_stable(void **state)
{
	(void)state;
	char a[MS_WALLET_LEN + 1], b[MS_WALLET_LEN + 1], c[MS_WALLET_LEN + 1];
	ms_wallet_make("seed", 4, a);
	ms_wallet_make("seed", 4, b);
	ms_wallet_make("other", 5, c);
	assert_int_equal(strlen(a), 95);
	assert_int_equal(a[0], '4'); /* prefix 0x12 always encodes as a leading 4 */
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(ms_wallet_check(a), 0);
	assert_int_equal(ms_wallet_check(c), 0);
}

static void corrupted_addresses_fail(void **state)
{
	(void)state;
	char a[MS_WALLET_LEN + 1];
	memcpy(a, real_addr, sizeof(a));
	a[50] = a[50] == 'A' ? 'B' : 'A'; /* one character changed: checksum fails */
	assert_int_equal(ms_wallet_check(a), -1);
	memcpy(a, real_addr, sizeof(a));
	a[10] = '0'; /* not in the alphabet (nor are O, I, l) */
	assert_int_equal(ms_wallet_check(a), -1);
	a[10] = 'l';
	assert_int_equal(ms_wallet_check(a), -1);
	assert_int_equal(ms_wallet_check(""), -1);
	assert_int_equal(ms_wallet_check("4"), -1);
	memcpy(a, real_addr, sizeof(a));
	a[94] = '\0'; /* truncated */
	assert_int_equal(ms_wallet_check(a), -1);
	/* A Bitcoin address is base58 too but not this layout. */
	assert_int_equal(ms_wallet_check("1BoatSLRHtKNngkdXEeobR76b53LETtpyT"), -1);
}

static void other_prefix_checksum(void **state)
{
	(void)state;
	uint8_t raw[69], sum[32];
	char s[100];
	memset(raw, 0x55, sizeof(raw));
	raw[0] = 0x2a; /* subaddress */
	hh_keccak256(raw, 65, sum);
	memcpy(raw + 65, sum, 4);
	assert_int_equal(ms_b58_encode(raw, 69, s, sizeof(s)), 95);
	assert_int_equal(ms_wallet_check(s), 0);
	raw[0] = 0x35; /* testnet: not accepted as a mainnet login */
	hh_keccak256(raw, 65, sum);
	memcpy(raw + 65, sum, 4);
	ms_b58_encode(raw, 69, s, sizeof(s));
	assert_int_equal(ms_wallet_check(s), -1);
}

static void base58_round_trips_and_rejects(void **state)
{
	(void)state;
	uint8_t data[80], back[80];
	char s[200];
	uint64_t x = 42;
	for (size_t len = 0; len <= sizeof(data); len++) {
		for (size_t i = 0; i < len; i++) {
			x = x * 6364136223846793005ULL + 1;
			data[i] = (uint8_t)(x >> 56);
		}
		size_t n = ms_b58_encode(data, len, s, sizeof(s));
		assert_int_equal(n, strlen(s));
		size_t got = 0;
		assert_int_equal(ms_b58_decode(s, back, sizeof(back), &got), 0);
		assert_int_equal(got, len);
		assert_memory_equal(back, data, len);
	}
	size_t got;
	/* 1, 4 and 8 characters are not lengths any block encodes to. */
	assert_int_equal(ms_b58_decode("2", back, sizeof(back), &got), -1);
	assert_int_equal(ms_b58_decode("2222", back, sizeof(back), &got), -1);
	assert_int_equal(ms_b58_decode("22222222", back, sizeof(back), &got), -1);
	/* 11 'z' is 58^11 - 1, over 2^64: an overflowing block. */
	assert_int_equal(ms_b58_decode("zzzzzzzzzzz", back, sizeof(back), &got), -1);
	/* "zz" is 3363, over one byte. */
	assert_int_equal(ms_b58_decode("zz", back, sizeof(back), &got), -1);
	/* No room. */
	assert_int_equal(ms_b58_decode(real_addr, back, 10, &got), -1);
	assert_int_equal(ms_b58_encode(data, 8, s, 11), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_address_validates),
		cmocka_unit_test(generated_address_is_valid_and_stable),
		cmocka_unit_test(corrupted_addresses_fail),
		cmocka_unit_test(other_prefix_checksum),
		cmocka_unit_test(base58_round_trips_and_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
