/* A small multi-pattern matcher shared by the text and executable scanners:
 * one pass over the input; a filter on the hash of the three bytes at every
 * other position (when every pattern has four bytes or more: an occurrence
 * shows its bytes 0-2 or 1-3 there), then at the one or two positions it
 * lets through a filter on the hash of the next four bytes, case-folded
 * (patterns under four bytes: every position, on the next two), then exact
 * comparison of the candidates. Case-insensitive per pattern. For a few dozen patterns this
 * beats one memmem() pass per pattern; YARA remains the tool for rule packs. */
#ifndef HH_MULTIMATCH_H
#define HH_MULTIMATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HH_MM_MAX_PATTERNS 128

struct hh_mm_pattern {
	const char *text;
	bool nocase;
	size_t len;     /* bytes of text (binary patterns may hold NUL); 0: strlen(text) */
};

struct hh_mm {
	const struct hh_mm_pattern *pats;
	size_t n;
	size_t maxlen;
	uint16_t plen[HH_MM_MAX_PATTERNS];
	uint8_t pair[8192];                       /* bit per (first, second) byte pair */
	uint8_t pair2[8192];                      /* bit per (third, fourth) byte pair */
	uint8_t short_pair[8192];                 /* first pairs of patterns under 4 bytes: no pair2 test */
	uint8_t quad[8192];                       /* bit per hash of a pattern's first 4 bytes, ASCII-case-folded */
	uint8_t tri[8192];                        /* bit per hash of a pattern's bytes 0-2 and 1-3, likewise */
	bool has_short;                           /* some pattern has 2 or 3 bytes */
	uint8_t bucket_len[256];
	uint8_t bucket[256][HH_MM_MAX_PATTERNS];  /* pattern indices by first byte */
};

/* Builds the matcher over pats[0..n) (n <= HH_MM_MAX_PATTERNS, each pattern
 * at least 2 bytes). pats must outlive mm. */
void hh_mm_build(struct hh_mm *mm, const struct hh_mm_pattern *pats, size_t n);

/* Calls hit(pattern index, offset, ctx) for every occurrence in buf[0..len).
 * A pattern running past len is not reported (callers keep a tail). hit
 * returns false to stop early. */
void hh_mm_scan(const struct hh_mm *mm, const char *buf, size_t len,
		bool (*hit)(size_t pat, size_t off, void *ctx), void *ctx);

#endif
