/* Base64 runs at every alignment (see base64_runs.h). */
#include "detectors/content/base64_runs.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Value of each byte in the (standard or URL-safe) alphabet, -1 outside it. */
static int8_t b64_table[256];
static pthread_once_t b64_once = PTHREAD_ONCE_INIT;

static void b64_build(void)
{
	for (int c = 0; c < 256; c++) {
		int8_t v = -1;
		if (c >= 'A' && c <= 'Z')
			v = (int8_t)(c - 'A');
		else if (c >= 'a' && c <= 'z')
			v = (int8_t)(c - 'a' + 26);
		else if (c >= '0' && c <= '9')
			v = (int8_t)(c - '0' + 52);
		else if (c == '+' || c == '-')
			v = 62;
		else if (c == '/' || c == '_')
			v = 63;
		b64_table[c] = v;
	}
}

static void b64_init(void)
{
	pthread_once(&b64_once, b64_build);
}

static inline int8_t b64_val(unsigned char c)
{
	return b64_table[c];
}

long hh_b64_decode(const char *s, size_t len, uint8_t *out)
{
	b64_init();
	while (len && s[len - 1] == '=')
		len--;
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		int8_t v = b64_val((unsigned char)s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return (long)o;
}

static inline bool text_byte(uint8_t b)
{
	return (b >= 0x20 && b < 0x7f) || b == '\n' || b == '\r' || b == '\t';
}

static bool mostly_text(const uint8_t *b, size_t n)
{
	if (n < 8)
		return false;
	size_t good = 0;
	for (size_t i = 0; i < n; i++)
		good += text_byte(b[i]);
	return good * 100 >= n * 95;
}

/* mostly_text of the 12 bytes the 16 characters at s decode to, which asks
 * all 12 to be text: quad by quad, stopping at the first that is not (most
 * runs are identifiers or hashes and fail on the first quad). */
static bool head_is_text(const char *s)
{
	for (int q = 0; q < 16; q += 4) {
		int8_t v0 = b64_val((unsigned char)s[q]), v1 = b64_val((unsigned char)s[q + 1]);
		int8_t v2 = b64_val((unsigned char)s[q + 2]), v3 = b64_val((unsigned char)s[q + 3]);
		if ((v0 | v1 | v2 | v3) < 0)
			return false;
		uint32_t w = (uint32_t)v0 << 18 | (uint32_t)v1 << 12 | (uint32_t)v2 << 6 | (uint32_t)v3;
		if (!text_byte((uint8_t)(w >> 16)) || !text_byte((uint8_t)(w >> 8)) || !text_byte((uint8_t)w))
			return false;
	}
	return true;
}

#ifdef __SSE2__
/* Bit q: p[q] lies in '+'..'z' (q < 16), which holds the whole alphabet
 * (A-Z a-z 0-9 + - / _) and a little more: a superset is enough to pass
 * over bytes where no run can start, and costs three operations. */
static inline unsigned alpha16(const char *p)
{
	__m128i c = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), _mm_set1_epi8('+'));
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(c, _mm_set1_epi8('z' - '+')), c));
}

/* Some position of p[0 .. 65 - n) may start n alphabet characters in a row
 * (p has 64 bytes; n <= 32); false means none does. */
static bool window_has_run(const char *p, size_t n)
{
	uint64_t m = (uint64_t)alpha16(p) | (uint64_t)alpha16(p + 16) << 16 | (uint64_t)alpha16(p + 32) << 32 |
		     (uint64_t)alpha16(p + 48) << 48;
	/* bit q of m: q..q+have-1 all in the superset */
	if (n == 24) {
		/* the default scan.base64_min_run, unrolled: 2, 4, 8, 16, 24 */
		m &= m >> 1;
		m &= m >> 2;
		m &= m >> 4;
		m &= m >> 8;
		m &= m >> 8;
		return (m & ((1ull << 41) - 1)) != 0;
	}
	if (n == 16) {
		/* base64 lines (unwrap_payload.c), unrolled: 2, 4, 8, 16 */
		m &= m >> 1;
		m &= m >> 2;
		m &= m >> 4;
		m &= m >> 8;
		return (m & ((1ull << 49) - 1)) != 0;
	}
	for (size_t have = 1; have < n;) {
		size_t s = have < n - have ? have : n - have;
		m &= m >> s;
		have += s;
	}
	return (m & ((1ull << (65 - n)) - 1)) != 0;
}
#endif

size_t hh_b64_pass_over(const char *text, size_t len, size_t i, size_t n)
{
#ifdef __SSE2__
	if (n >= 1 && n <= 32)
		while (i + 64 <= len && !window_has_run(text + i, n))
			i += 65 - n;
#else
	(void)text;
	(void)len;
	(void)n;
#endif
	return i;
}

size_t hh_b64_scan(const char *text, size_t len, const struct hh_b64_limits *lim, hh_b64_cb cb, void *user)
{
	b64_init();
	size_t min_run = lim->min_run ? lim->min_run : 24, budget = lim->max_decoded, reported = 0;
	size_t i = 0;
	uint8_t *dec = NULL;
	size_t dec_cap = 0;
	bool decoding = true;
	while (i < len && (decoding || lim->on_run)) {
		/* Skip ahead: a run of min_run characters starting at i needs
		 * text[i + min_run - 1] in the alphabet; when it is not, no run
		 * can start before it (Boyer-Moore-style). */
		if (i + min_run > len)
			break;
		/* prose and code: many bytes at a time where no run can start */
		size_t far = hh_b64_pass_over(text, len, i, min_run);
		if (far > i) {
			i = far;
			continue;
		}
		size_t j = i + min_run - 1;
		if (b64_val((unsigned char)text[j]) < 0) {
			i = j + 1;
			continue;
		}
		size_t k = j;
		while (k > i && b64_val((unsigned char)text[k - 1]) >= 0)
			k--;
		if (k > i) {
			i = k; /* text[k-1] is outside the alphabet: a run may start at k */
			continue;
		}
		size_t start = i;
		while (i < len && b64_val((unsigned char)text[i]) >= 0)
			i++;
		size_t end = i;
		while (i < len && text[i] == '=' && i - end < 2)
			i++;
		size_t run = end - start;
		if (run < min_run)
			continue;
		if (lim->on_run)
			lim->on_run(lim->run_user, start, end);
		if (!decoding)
			continue;
		size_t need = run * 3 / 4 + 4;
		if (need > budget) {
			decoding = false;
			continue;
		}
		if (need > dec_cap) {
			uint8_t *nd = realloc(dec, need);
			if (!nd) {
				decoding = false;
				continue;
			}
			dec = nd;
			dec_cap = need;
		}
		for (int a = 0; a < 4 && (size_t)a < run; a++) {
			size_t n = (run - (size_t)a) & ~(size_t)3; /* whole quads only */
			/* Most runs are identifiers or hashes: the first 16 characters
			 * decide before the whole run is decoded. */
			if (n >= 16 && !head_is_text(text + start + a))
				continue;
			long d = hh_b64_decode(text + start + a, n, dec);
			if (d <= 0 || !mostly_text(dec, (size_t)d))
				continue;
			if ((size_t)d > budget) {
				decoding = false;
				break;
			}
			budget -= (size_t)d;
			reported++;
			if (!cb(user, start + (size_t)a, a, (const char *)dec, (size_t)d)) {
				decoding = false;
				break;
			}
		}
	}
	free(dec);
	return reported;
}
