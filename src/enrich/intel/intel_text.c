/* Pool domains named anywhere in a text (a command line, a config, a
 * script, a manifest value): one finder for the scanner and the posture
 * checks. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "enrich/intel/intel.h"

/* [A-Za-z0-9.-]: one lookup per byte (the token walks around every dot are
 * most of this finder's time) */
#define HC6(c) [c] = 1, [c + 1] = 1, [c + 2] = 1, [c + 3] = 1, [c + 4] = 1, [c + 5] = 1
#define HC10(c) HC6(c), [c + 6] = 1, [c + 7] = 1, [c + 8] = 1, [c + 9] = 1
static const bool host_tab[256] = {
	HC10('0'), HC10('A'), HC10('A' + 10), HC6('A' + 20), HC10('a'), HC10('a' + 10), HC6('a' + 20), ['.'] = 1, ['-'] = 1,
};

static inline bool host_char(char ch)
{
	return host_tab[(unsigned char)ch];
}

/* Walks from dot to dot (memchr), expands each to its [A-Za-z0-9.-] token,
 * and checks tokens whose last label is alphabetic (a top-level domain). */
size_t hh_intel_scan_text(const struct hh_intel *in, const char *t, size_t len, char out[][96], size_t max)
{
	size_t n = 0, pos = 0;
	while (pos < len && n < max) {
		const char *d = memchr(t + pos, '.', len - pos);
		if (!d)
			break;
		size_t s = (size_t)(d - t), e = s + 1;
		while (s > 0 && host_char(t[s - 1]))
			s--;
		while (e < len && host_char(t[e]))
			e++;
		pos = e + 1;
		size_t l = e - s;
		if (l < 4 || l > 253 || s == (size_t)(d - t))
			continue;
		size_t tl = 0;
		while (tl < l && t[e - 1 - tl] != '.')
			tl++;
		if (tl < 2 || tl > 24)
			continue;
		bool alpha = true;
		for (size_t k = 0; k < tl && alpha; k++) {
			char ch2 = t[e - 1 - k];
			alpha = (ch2 >= 'a' && ch2 <= 'z') || (ch2 >= 'A' && ch2 <= 'Z');
		}
		if (!alpha || !hh_intel_domain_may_match(in, t + s, l))
			continue;
		char name[256], norm[256];
		memcpy(name, t + s, l);
		name[l] = 0;
		const struct hh_intel_entry *ent;
		/* the match normalizes on its own; the normalized name only for a hit */
		if (hh_intel_match_domain(in, name, &ent) && hh_intel_normalize_domain(name, norm, sizeof(norm))) {
			bool dup = false;
			for (size_t k = 0; k < n; k++)
				dup |= !strcmp(out[k], norm);
			if (!dup)
				snprintf(out[n++], 96, "%.95s", norm);
		}
	}
	return n;
}
