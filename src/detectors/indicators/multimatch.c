#include "detectors/indicators/multimatch.h"

#include <ctype.h>
#include <string.h>

static void add_bucket(struct hh_mm *mm, unsigned char b, size_t idx)
{
	for (unsigned i = 0; i < mm->bucket_len[b]; i++)
		if (mm->bucket[b][i] == idx)
			return;
	if (mm->bucket_len[b] < HH_MM_MAX_PATTERNS)
		mm->bucket[b][mm->bucket_len[b]++] = (uint8_t)idx;
}

static void set_bit(uint8_t *set, unsigned char a, unsigned char b)
{
	unsigned bit = (unsigned)a << 8 | b;
	set[bit >> 3] |= (uint8_t)(1u << (bit & 7));
}

/* Marks the pair (a, b) in set, in every case variant when nocase. */
static void set_pair_case(uint8_t *set, unsigned char a, unsigned char b, bool nocase)
{
	if (!nocase) {
		set_bit(set, a, b);
		return;
	}
	unsigned char av[2] = { (unsigned char)tolower(a), (unsigned char)toupper(a) };
	unsigned char bv[2] = { (unsigned char)tolower(b), (unsigned char)toupper(b) };
	for (int x = 0; x < 2; x++)
		for (int y = 0; y < 2; y++)
			set_bit(set, av[x], bv[y]);
}

static void set_pair(struct hh_mm *mm, unsigned char a, unsigned char b)
{
	set_bit(mm->pair, a, b);
}

/* Four bytes with the ASCII case bit set (letters fold to lower case; other
 * bytes may collide, which only lets more positions through the filter). */
static inline unsigned quad_hash(const unsigned char *b)
{
	uint32_t w;
	memcpy(&w, b, 4);
	w |= 0x20202020u;
	return (unsigned)((w * 2654435761u) >> 16);
}

/* Three bytes, case bit set as in quad_hash. */
static inline unsigned tri_hash(const unsigned char *b)
{
	uint32_t w = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
	w |= 0x202020u;
	return (unsigned)((w * 2654435761u) >> 16);
}

static void set_hash(uint8_t *set, unsigned h)
{
	set[h >> 3] |= (uint8_t)(1u << (h & 7));
}

void hh_mm_build(struct hh_mm *mm, const struct hh_mm_pattern *pats, size_t n)
{
	memset(mm, 0, sizeof(*mm));
	mm->pats = pats;
	mm->n = n > HH_MM_MAX_PATTERNS ? HH_MM_MAX_PATTERNS : n;
	for (size_t i = 0; i < mm->n; i++) {
		const unsigned char *t = (const unsigned char *)pats[i].text;
		size_t len = pats[i].len ? pats[i].len : strlen(pats[i].text);
		mm->plen[i] = (uint16_t)len;
		if (len < 2)
			continue;
		if (len > mm->maxlen)
			mm->maxlen = len;
		set_pair_case(len < 4 ? mm->short_pair : mm->pair2, len < 4 ? t[0] : t[2], len < 4 ? t[1] : t[3],
			      pats[i].nocase);
		if (len < 4) {
			mm->has_short = true;
		} else {
			set_hash(mm->quad, quad_hash(t));
			set_hash(mm->tri, tri_hash(t));
			set_hash(mm->tri, tri_hash(t + 1));
		}
		if (pats[i].nocase) {
			unsigned char a[2] = { (unsigned char)tolower(t[0]), (unsigned char)toupper(t[0]) };
			unsigned char b[2] = { (unsigned char)tolower(t[1]), (unsigned char)toupper(t[1]) };
			for (int x = 0; x < 2; x++) {
				add_bucket(mm, a[x], i);
				for (int y = 0; y < 2; y++)
					set_pair(mm, a[x], b[y]);
			}
		} else {
			add_bucket(mm, t[0], i);
			set_pair(mm, t[0], t[1]);
		}
	}
}

/* strncasecmp in the C locale (the one hashhound runs in: it never calls
 * setlocale), without the locale lookups: A-Z fold to a-z. */
static inline bool eq_nocase(const unsigned char *a, const char *b, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		unsigned char x = a[k], y = (unsigned char)b[k];
		x = x >= 'A' && x <= 'Z' ? (unsigned char)(x | 0x20) : x;
		y = y >= 'A' && y <= 'Z' ? (unsigned char)(y | 0x20) : y;
		if (x != y)
			return false;
	}
	return true;
}

/* Every pattern whose first byte is p[i], compared in full. */
static inline bool check_at(const struct hh_mm *mm, const unsigned char *p, size_t len, size_t i,
			    bool (*hit)(size_t pat, size_t off, void *ctx), void *ctx)
{
	const uint8_t *bk = mm->bucket[p[i]];
	for (unsigned k = 0; k < mm->bucket_len[p[i]]; k++) {
		const struct hh_mm_pattern *pat = &mm->pats[bk[k]];
		size_t plen = mm->plen[bk[k]];
		if (plen > len - i)
			continue;
		bool eq = pat->nocase ? eq_nocase(p + i, pat->text, plen) : memcmp(p + i, pat->text, plen) == 0;
		if (eq && !hit(bk[k], i, ctx))
			return false;
	}
	return true;
}

static inline bool short_at(const struct hh_mm *mm, const unsigned char *p, size_t i)
{
	unsigned bit = (unsigned)p[i] << 8 | p[i + 1];
	return mm->short_pair[bit >> 3] & (1u << (bit & 7));
}

static inline unsigned quad_bit(const struct hh_mm *mm, const unsigned char *b)
{
	unsigned h = quad_hash(b);
	return (mm->quad[h >> 3] >> (h & 7)) & 1u;
}

static inline unsigned short_bit(const struct hh_mm *mm, const unsigned char *b)
{
	unsigned bit = (unsigned)b[0] << 8 | b[1];
	return (mm->short_pair[bit >> 3] >> (bit & 7)) & 1u;
}

/* The exact test of one position that passed a filter: the quad hash
 * collides (runs of zeros in binaries...), so the first pair decides. */
static inline bool cand_at(const struct hh_mm *mm, const unsigned char *p, size_t i)
{
	if (quad_bit(mm, p + i)) {
		unsigned bit = (unsigned)p[i] << 8 | p[i + 1];
		if (mm->pair[bit >> 3] & (1u << (bit & 7)))
			return true;
	}
	return mm->has_short && short_at(mm, p, i);
}

/* b[3] readable too: one load where the byte order allows */
static inline unsigned tri_bit(const struct hh_mm *mm, const unsigned char *b)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint32_t w;
	memcpy(&w, b, 4);
	w = (w & 0xffffffu) | 0x202020u;
	unsigned h = (unsigned)((w * 2654435761u) >> 16);
#else
	unsigned h = tri_hash(b);
#endif
	return (mm->tri[h >> 3] >> (h & 7)) & 1u;
}

#define MM_BLOCK 8

/* Every pattern has 4+ bytes: an occurrence at s shows its bytes 0-2 at s (s
 * even) or its bytes 1-3 at s + 1 (s odd), so the three-byte filter runs on
 * even positions only; each one it lets through stands for itself and the
 * position before it. Returns where the positions left to look at start
 * (*stop set when hit asked to stop). */
static size_t scan_even(const struct hh_mm *mm, const unsigned char *p, size_t len,
			bool (*hit)(size_t pat, size_t off, void *ctx), void *ctx, bool *stop)
{
	size_t i = 0;
	/* 8 even positions a block: their filter bits gathered, then one branch;
	 * the last one needs four bytes ahead for the quad filter */
	for (; i + 2 * MM_BLOCK + 2 <= len; i += 2 * MM_BLOCK) {
		unsigned m = 0;
#pragma GCC unroll 8
		for (unsigned k = 0; k < MM_BLOCK; k++)
			m |= tri_bit(mm, p + i + 2 * k) << k;
		for (; m; m &= m - 1) {
			size_t e = i + 2 * (size_t)__builtin_ctz(m);
			if (e > 0 && cand_at(mm, p, e - 1) && !check_at(mm, p, len, e - 1, hit, ctx))
				goto stopped;
			if (cand_at(mm, p, e) && !check_at(mm, p, len, e, hit, ctx))
				goto stopped;
		}
	}
	/* position i - 1 stood for by nothing yet: the rest goes one by one */
	return i ? i - 1 : 0;
stopped:
	*stop = true;
	return len;
}

void hh_mm_scan(const struct hh_mm *mm, const char *buf, size_t len,
		bool (*hit)(size_t pat, size_t off, void *ctx), void *ctx)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t i = 0;
	if (!mm->has_short) {
		bool stop = false;
		i = scan_even(mm, p, len, hit, ctx, &stop);
		if (stop)
			return;
	}
	/* Blocks of 8 positions: the filter bits of all 8 are gathered first and
	 * tested with one branch (candidates are rare: a branch per byte cost
	 * more than the lookups); four bytes ahead of every position available. */
	for (; i + MM_BLOCK + 3 <= len; i += MM_BLOCK) {
		unsigned m = 0;
#pragma GCC unroll 8
		for (unsigned k = 0; k < MM_BLOCK; k++)
			m |= quad_bit(mm, p + i + k) << k;
		if (mm->has_short)
#pragma GCC unroll 8
			for (unsigned k = 0; k < MM_BLOCK; k++)
				m |= short_bit(mm, p + i + k) << k;
		for (; m; m &= m - 1) {
			size_t at = i + (size_t)__builtin_ctz(m);
			if (cand_at(mm, p, at) && !check_at(mm, p, len, at, hit, ctx))
				return;
		}
	}
	/* four bytes ahead available: one hashed lookup per byte */
	for (; i + 4 <= len; i++)
		if (cand_at(mm, p, i) && !check_at(mm, p, len, i, hit, ctx))
			return;
	/* the last bytes: only patterns of 2 or 3 bytes fit */
	for (; mm->has_short && i + 1 < len; i++)
		if (short_at(mm, p, i) && !check_at(mm, p, len, i, hit, ctx))
			return;
}
