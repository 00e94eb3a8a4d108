/* Wrapped payloads (see unwrap_payload.h). */
#include "detectors/content/unwrap_payload.h"

#include "detectors/content/base64_runs.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define STUB_MAX_HEADER (1u << 20) /* script part of a shell stub */
#define B64_MIN_LINE 16            /* a line of a base64 block */
#define B64_MIN_BLOCK 64           /* characters of a block worth decoding */
#define B64_MIN_INLINE 128         /* a base64 run inside a command line */
#define B64_PROBE 768              /* bytes decoded to read the payload's start (a tar header: 512) */
#define OVERLAY_MIN 64             /* bytes after an ELF image worth a look */
#define OVERLAY_PAD 4096           /* zero padding skipped before the overlay */
#define CARVE_TRIES 16             /* ELF magics checked per file */

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* A little-endian ELF header that is self-consistent (not four random bytes). */
static bool elf_header_ok(const uint8_t *b, size_t len)
{
	if (len < 64 || memcmp(b, "\x7f" "ELF", 4) || b[5] != 1 || b[6] != 1)
		return false;
	uint16_t type = rd16(b + 16), version32 = (uint16_t)rd32(b + 20);
	if ((type != 2 && type != 3) || version32 != 1)
		return false;
	if (b[4] == 2) /* ELF64: e_ehsize 64, e_phentsize 56 (or no program headers) */
		return rd16(b + 52) == 64 && (rd16(b + 54) == 56 || rd16(b + 56) == 0);
	if (b[4] == 1)
		return rd16(b + 40) == 52 && (rd16(b + 42) == 32 || rd16(b + 44) == 0);
	return false;
}

const char *hh_payload_format(const uint8_t *b, size_t n)
{
	if (n >= 4 && !memcmp(b, "\x7f" "ELF", 4))
		return elf_header_ok(b, n) ? "elf" : NULL;
	if (n >= 64 && b[0] == 'M' && b[1] == 'Z') {
		uint32_t pe = rd32(b + 0x3c);
		return pe < n - 4 && !memcmp(b + pe, "PE\0\0", 4) ? "pe" : NULL;
	}
	if (n >= 10 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8)
		return "gzip";
	if (n >= 6 && !memcmp(b, "\xfd" "7zXZ\0", 6))
		return "xz";
	if (n >= 10 && !memcmp(b, "BZh", 3) && b[3] >= '1' && b[3] <= '9' && !memcmp(b + 4, "1AY&SY", 6))
		return "bzip2";
	if (n >= 4 && !memcmp(b, "\x28\xb5\x2f\xfd", 4))
		return "zstd";
	if (n >= 30 && !memcmp(b, "PK\3\4", 4))
		return "zip";
	if (n >= 512 && !memcmp(b + 257, "ustar", 5))
		return "tar";
	if (n >= 3 && b[0] == '#' && b[1] == '!' && (b[2] == '/' || b[2] == ' '))
		return "script";
	return NULL;
}

static bool is_binary_format(const char *f)
{
	return f && strcmp(f, "script") != 0;
}

/* ---- shell stubs ---- */

static const char *stub_name(const uint8_t *hdr, size_t n)
{
	if (memmem(hdr, n, "Makeself", 8) || memmem(hdr, n, "MS_dd", 5))
		return "makeself";
	if (memmem(hdr, n, "skip=", 5) && memmem(hdr, n, "gzip -cd", 8))
		return "gzexe";
	return "shell-stub";
}

static bool find_stub(const uint8_t *d, size_t len, struct hh_wrapped *w)
{
	if (len < 3 || d[0] != '#' || d[1] != '!')
		return false;
	size_t pos = 0, lim = len < STUB_MAX_HEADER ? len : STUB_MAX_HEADER;
	while (pos < lim) {
		const uint8_t *nl = memchr(d + pos, '\n', lim - pos);
		size_t end = nl ? (size_t)(nl - d) : lim;
		if (memchr(d + pos, 0, end - pos))
			return false; /* binary before any payload line: not a stub */
		if (!nl)
			return false;
		pos = end + 1;
		const char *f = hh_payload_format(d + pos, len - pos);
		if (is_binary_format(f)) {
			*w = (struct hh_wrapped){ stub_name(d, pos), f, pos, d + pos, len - pos, NULL };
			return true;
		}
	}
	return false;
}

/* ---- base64 blocks ---- */

/* base64 alphabet value + 1 (0: not in the alphabet), one lookup per byte */
static const uint8_t b64_tab[256] = {
	['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,  ['H'] = 8,
	['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
	['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
	['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
	['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
	['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
	['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
	['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

static inline int b64v(uint8_t c)
{
	return (int)b64_tab[c] - 1;
}

/* Decodes the base64 characters of s[0..n) (line breaks and blanks skipped,
 * '=' ends it) into out (at most cap bytes). Returns the bytes written. */
static size_t b64_decode_loose(const uint8_t *s, size_t n, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < n && o < cap; i++) {
		if (s[i] == '=')
			break;
		int v = b64v(s[i]);
		if (v < 0)
			continue;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return o;
}

static size_t span_b64(const uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n && b64v(s[i]) >= 0)
		i++;
	while (i < n && s[i] == '=' && i < n)
		i++;
	return i;
}

/* s[0..n) holds min characters in a row from the alphabet or '=' (what a
 * span_b64 run is made of). Looks at every min-th byte and only backs up
 * over the characters before one that could belong to such a stretch:
 * prose is passed over without a look at each word. */
static bool has_run(const uint8_t *s, size_t n, size_t min)
{
	size_t pos = 0;
	while (pos + min <= n) {
		size_t j = pos + min - 1;
		if (b64v(s[j]) < 0 && s[j] != '=') {
			pos = j + 1;
			continue;
		}
		size_t k = j;
		while (k > pos && (b64v(s[k - 1]) >= 0 || s[k - 1] == '='))
			k--;
		if (k == pos)
			return true;
		pos = k;
	}
	return false;
}

/* Decodes a candidate block [s, s+n) when its start reads as a payload. */
static bool take_b64(const uint8_t *base, const uint8_t *s, size_t n, size_t max_decoded, struct hh_wrapped *w)
{
	uint8_t probe[B64_PROBE];
	size_t pn = b64_decode_loose(s, n, probe, sizeof(probe));
	const char *f = hh_payload_format(probe, pn);
	if (!f)
		return false;
	size_t cap = n / 4 * 3 + 3;
	if (cap > max_decoded)
		cap = max_decoded;
	uint8_t *buf = malloc(cap ? cap : 1);
	if (!buf)
		return false;
	size_t dn = b64_decode_loose(s, n, buf, cap);
	*w = (struct hh_wrapped){ "base64", f, (size_t)(s - base), buf, dn, buf };
	return true;
}

/* The line at pos ends a block of base64 lines (blk_chars characters): where
 * the block ends. A short last line of base64 that makes the block whole
 * (a multiple of 4 characters: the encoder's remainder, "QQ==") still belongs
 * to it; a heredoc's "EOF" does not. */
static const uint8_t *block_end(const uint8_t *d, size_t len, size_t pos, size_t blk_chars)
{
	const uint8_t *nl = memchr(d + pos, '\n', len - pos);
	size_t a = pos, b = nl ? (size_t)(nl - d) : len;
	while (a < b && (d[a] == ' ' || d[a] == '\t'))
		a++;
	while (b > a && (d[b - 1] == '\r' || d[b - 1] == ' ' || d[b - 1] == '\t'))
		b--;
	bool rest = b > a && b - a < B64_MIN_LINE && (blk_chars + (b - a)) % 4 == 0 && span_b64(d + a, b - a) == b - a;
	return rest ? d + b : d + pos;
}

static size_t find_b64(const uint8_t *d, size_t len, size_t max_decoded, struct hh_wrapped *out, size_t max)
{
	size_t found = 0, pos = 0;
	const uint8_t *blk = NULL; /* start of the current block of base64 lines */
	size_t blk_chars = 0;
	while (pos < len && found < max) {
		/* Lines that end before any B64_MIN_LINE characters in a row can
		 * start are neither base64 lines nor hold an inline run: pass them
		 * over many bytes at a time (they still end an open block). */
		size_t far = hh_b64_pass_over((const char *)d, len, pos, B64_MIN_LINE);
		if (far > pos) {
			const uint8_t *last = memrchr(d + pos, '\n', far - pos);
			if (last) {
				if (blk) {
					if (blk_chars >= B64_MIN_BLOCK &&
					    take_b64(d, blk, (size_t)(block_end(d, len, pos, blk_chars) - blk), max_decoded, &out[found]))
						found++;
					blk = NULL;
				}
				pos = (size_t)(last - d) + 1;
				continue;
			}
		}
		const uint8_t *nl = memchr(d + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - d) : len;
		size_t a = pos, b = end;
		/* a line shorter than a base64 line is neither one nor holds a run */
		if (end - pos < B64_MIN_LINE)
			a = b;
		while (a < b && (d[a] == ' ' || d[a] == '\t'))
			a++;
		while (b > a && (d[b - 1] == '\r' || d[b - 1] == ' ' || d[b - 1] == '\t'))
			b--;
		bool whole = b - a >= B64_MIN_LINE && span_b64(d + a, b - a) == b - a;
		if (whole) {
			if (!blk)
				blk = d + a, blk_chars = 0;
			blk_chars += b - a;
		}
		if ((!whole || end == len) && blk) {
			if (blk_chars >= B64_MIN_BLOCK &&
			    take_b64(d, blk, (size_t)((whole ? d + b : block_end(d, len, pos, blk_chars)) - blk), max_decoded, &out[found]))
				found++;
			blk = NULL;
		}
		/* no stretch of B64_MIN_INLINE: no run below can be that long */
		if (!whole && found < max && b - a >= B64_MIN_INLINE && has_run(d + a, b - a, B64_MIN_INLINE)) {
			/* a long run inside a command: echo '...' | base64 -d */
			for (size_t i = a; i + B64_MIN_INLINE <= b && found < max;) {
				size_t r = span_b64(d + i, b - i);
				if (r >= B64_MIN_INLINE && take_b64(d, d + i, r, max_decoded, &out[found]))
					found++;
				i += r + 1; /* runs are separated by a non-alphabet byte */
			}
		}
		pos = end + 1;
	}
	/* a block that runs to the end of the text (its last line ends in '\n') */
	if (blk && found < max && blk_chars >= B64_MIN_BLOCK && take_b64(d, blk, (size_t)(d + len - blk), max_decoded, &out[found]))
		found++;
	return found;
}

/* ---- ELF: carved from other files, or data appended after one ---- */

static bool find_carved_elf(const uint8_t *d, size_t len, struct hh_wrapped *w)
{
	size_t pos = 1;
	for (int tries = 0; tries < CARVE_TRIES && pos + 64 <= len; tries++) {
		const uint8_t *p = memmem(d + pos, len - pos, "\x7f" "ELF", 4);
		if (!p)
			return false;
		size_t off = (size_t)(p - d);
		if (elf_header_ok(p, len - off)) {
			*w = (struct hh_wrapped){ "embedded-elf", "elf", off, p, len - off, NULL };
			return true;
		}
		pos = off + 1;
	}
	return false;
}

/* End of the ELF image: the furthest of the section header table and every
 * segment's file bytes. 0 when the headers do not fit the file. */
static uint64_t elf_image_end(const uint8_t *d, size_t len)
{
	bool e64 = d[4] == 2;
	uint64_t phoff = e64 ? rd64(d + 32) : rd32(d + 28);
	uint64_t shoff = e64 ? rd64(d + 40) : rd32(d + 32);
	uint16_t phes = rd16(d + (e64 ? 54 : 42)), phn = rd16(d + (e64 ? 56 : 44));
	uint16_t shes = rd16(d + (e64 ? 58 : 46)), shn = rd16(d + (e64 ? 60 : 48));
	uint64_t end = shoff + (uint64_t)shes * shn;
	if (phoff > len || (uint64_t)phes * phn > len - phoff || shoff > len)
		return 0;
	for (uint16_t i = 0; i < phn; i++) {
		const uint8_t *ph = d + phoff + (uint64_t)i * phes;
		uint64_t off = e64 ? rd64(ph + 8) : rd32(ph + 4);
		uint64_t fsz = e64 ? rd64(ph + 32) : rd32(ph + 16);
		if (off <= len && fsz <= len - off && off + fsz > end)
			end = off + fsz;
	}
	return end;
}

static bool find_overlay(const uint8_t *d, size_t len, struct hh_wrapped *w)
{
	uint64_t end = elf_image_end(d, len);
	if (!end || end >= len || len - end < OVERLAY_MIN)
		return false;
	size_t pos = (size_t)end, lim = pos + OVERLAY_PAD < len ? pos + OVERLAY_PAD : len;
	while (pos < lim && d[pos] == 0)
		pos++;
	const char *f = hh_payload_format(d + pos, len - pos);
	if (!is_binary_format(f))
		return false;
	*w = (struct hh_wrapped){ "elf-overlay", f, pos, d + pos, len - pos, NULL };
	return true;
}

size_t hh_unwrap_find(const uint8_t *data, size_t len, size_t max_decoded, struct hh_wrapped *out, size_t max)
{
	if (max > HH_UNWRAP_MAX)
		max = HH_UNWRAP_MAX;
	if (!max || len < 64)
		return 0;
	const char *self = hh_payload_format(data, len);
	if (self && !strcmp(self, "elf"))
		return find_overlay(data, len, &out[0]) ? 1 : 0;
	if (self && strcmp(self, "script"))
		return 0; /* PE, archives and compressed streams: opened elsewhere */
	if (find_stub(data, len, &out[0]))
		return 1;
	size_t n = 0;
	bool text = !memchr(data, 0, len < 8192 ? len : 8192);
	if (text)
		n = find_b64(data, len, max_decoded, out, max);
	/* text is handled above (stubs, base64); executables hide in binary data */
	if (!n && !text && find_carved_elf(data, len, &out[0]))
		n = 1;
	return n;
}

void hh_wrapped_free(struct hh_wrapped *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(w[i].owned);
		w[i].owned = NULL;
	}
}
