/* Base64-wrapped commands: droppers hide `curl ... | sh` or a miner config in
 * base64 (echo ... | base64 -d | sh). A run may start at any byte, so each
 * run is decoded at offsets 0, 1, 2 and 3 and the decodings that read as text
 * are handed back for a rescan (the caller bounds the depth). */
#ifndef HH_BASE64_RUNS_H
#define HH_BASE64_RUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called for each decoding that is mostly printable text. Return false to stop. */
typedef bool (*hh_b64_cb)(void *user, size_t run_offset, int alignment, const char *decoded, size_t len);

struct hh_b64_limits {
	size_t min_run;       /* shortest run worth decoding (characters), e.g. 24 */
	size_t max_decoded;   /* total decoded bytes handed back per call, e.g. 1 MiB */
	/* Optional: called for every maximal run of min_run or more alphabet
	 * characters text[start..end), in order, to the end of the text (also
	 * after decoding stopped), so other run-shaped checks (wallet addresses)
	 * share this pass. */
	void (*on_run)(void *run_user, size_t start, size_t end);
	void *run_user;
};

/* Decodes s[0..len) strictly (no whitespace, '=' only as padding at the end).
 * out must hold len*3/4+3 bytes. Returns the decoded length, or -1 when not base64. */
long hh_b64_decode(const char *s, size_t len, uint8_t *out);

/* A position >= i such that no n characters in a row from '+'..'z' (a
 * superset of the alphabet, '=' and '-' '_' included) start in
 * text[i..returned): what a search for runs of n or more may pass over. 64
 * bytes at a time with SSE2 (n <= 32); i itself without it. */
size_t hh_b64_pass_over(const char *text, size_t len, size_t i, size_t n);

/* Finds base64 runs in text and reports their text decodings. Returns the
 * number of decodings reported. */
size_t hh_b64_scan(const char *text, size_t len, const struct hh_b64_limits *lim, hh_b64_cb cb, void *user);

#endif
