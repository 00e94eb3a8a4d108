/* Wrapped-payload finder (unwrap_payload.h): shell stubs, base64 blocks,
 * carved ELF images and data appended to an ELF, and what must not unwrap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detectors/content/unwrap_payload.h"

/* A minimal ELF64 executable image: header plus one program header covering both. */
static size_t mk_elf(uint8_t *b)
{
	memset(b, 0, 120);
	memcpy(b, "\x7f" "ELF\x02\x01\x01", 7);
	b[16] = 2;                   /* ET_EXEC */
	b[18] = 62;                  /* x86-64 */
	b[20] = 1;                   /* e_version */
	b[32] = 64;                  /* e_phoff */
	b[52] = 64;                  /* e_ehsize */
	b[54] = 56;                  /* e_phentsize */
	b[56] = 1;                   /* e_phnum */
	b[58] = 64;                  /* e_shentsize */
	b[64] = 1;                   /* PT_LOAD */
	b[64 + 32] = 120;            /* p_filesz */
	return 120;
}

static const uint8_t gz[] = { 0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8 };

static size_t b64enc(const uint8_t *in, size_t n, char *out, int wrap)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0, col = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? in[i + 1] : 0) << 8 | (i + 2 < n ? in[i + 2] : 0);
		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? t[v & 63] : '=';
		if (wrap && (col += 4) >= 76)
			out[o++] = '\n', col = 0;
	}
	out[o] = 0;
	return o;
}

static void test_gzexe_stub(void **st)
{
	(void)st;
	uint8_t buf[512];
	const char *hdr = "#!/bin/sh\nskip=4\nif tail -n +$skip <\"$0\" | gzip -cd > /tmp/x; then /tmp/x; fi\nexit\n";
	size_t h = strlen(hdr);
	memcpy(buf, hdr, h);
	memcpy(buf + h, gz, sizeof(gz));
	memset(buf + h + sizeof(gz), 0xaa, 100);
	struct hh_wrapped w[HH_UNWRAP_MAX];
	size_t n = hh_unwrap_find(buf, h + sizeof(gz) + 100, 1 << 20, w, HH_UNWRAP_MAX);
	assert_int_equal(n, 1);
	assert_string_equal(w[0].wrapper, "gzexe");
	assert_string_equal(w[0].format, "gzip");
	assert_int_equal(w[0].offset, h);
	assert_ptr_equal(w[0].data, buf + h);
	hh_wrapped_free(w, n);
}

static void test_makeself_and_plain_stub(void **st)
{
	(void)st;
	uint8_t buf[512];
	const char *hdr = "#!/bin/sh\n# This script was generated using Makeself 2.4.5\nskip=\"3\"\n";
	size_t h = strlen(hdr);
	memcpy(buf, hdr, h);
	memcpy(buf + h, gz, sizeof(gz));
	struct hh_wrapped w[HH_UNWRAP_MAX];
	assert_int_equal(hh_unwrap_find(buf, h + sizeof(gz) + 50, 1 << 20, w, HH_UNWRAP_MAX), 1);
	assert_string_equal(w[0].wrapper, "makeself");
	/* tail -n +N $0 | tar x with an ELF right after the script */
	const char *h2 = "#!/bin/bash\ntail -n +3 \"$0\" > /tmp/.k; chmod +x /tmp/.k; exec /tmp/.k\n";
	h = strlen(h2);
	memcpy(buf, h2, h);
	size_t e = mk_elf(buf + h);
	assert_int_equal(hh_unwrap_find(buf, h + e, 1 << 20, w, HH_UNWRAP_MAX), 1);
	assert_string_equal(w[0].wrapper, "shell-stub");
	assert_string_equal(w[0].format, "elf");
}

static void test_base64_heredoc_and_inline(void **st)
{
	(void)st;
	uint8_t elf[600];
	mk_elf(elf);
	for (size_t i = 120; i < sizeof(elf); i++)
		elf[i] = (uint8_t)(i * 7);
	char *text = malloc(4096);
	int o = sprintf(text, "#!/bin/sh\nbase64 -d > /tmp/.w <<'EOF'\n");
	o += (int)b64enc(elf, sizeof(elf), text + o, 1);
	o += sprintf(text + o, "\nEOF\nchmod +x /tmp/.w\n");
	struct hh_wrapped w[HH_UNWRAP_MAX];
	size_t n = hh_unwrap_find((uint8_t *)text, (size_t)o, 1 << 20, w, HH_UNWRAP_MAX);
	assert_int_equal(n, 1);
	assert_string_equal(w[0].wrapper, "base64");
	assert_string_equal(w[0].format, "elf");
	assert_int_equal(w[0].len, sizeof(elf));
	assert_memory_equal(w[0].data, elf, sizeof(elf));
	hh_wrapped_free(w, n);
	/* one line: echo '...' | base64 -d > f */
	o = sprintf(text, "#!/bin/sh\necho '");
	o += (int)b64enc(elf, sizeof(elf), text + o, 0);
	o += sprintf(text + o, "' | base64 -d > /tmp/.x\n");
	n = hh_unwrap_find((uint8_t *)text, (size_t)o, 1 << 20, w, HH_UNWRAP_MAX);
	assert_int_equal(n, 1);
	assert_memory_equal(w[0].data, elf, sizeof(elf));
	/* decoding is capped */
	hh_wrapped_free(w, n);
	n = hh_unwrap_find((uint8_t *)text, (size_t)o, 100, w, HH_UNWRAP_MAX);
	assert_int_equal(n, 1);
	assert_int_equal(w[0].len, 100);
	hh_wrapped_free(w, n);
	free(text);
}


/* Base64 payloads among prose, paths and code lines, at random places and
 * wrap widths (16..76, CRLF, indented, inline, last in the file with or
 * without a final newline): each is found once, decoded exactly, in order. */
static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static size_t prose_line(char *o)
{
	static const char *const words[] = { "the", "install", "/usr/share/doc/abcdefghijklmnopqrs", "configure",
					     "--prefix=/usr", "x86_64-linux-gnu", "ABCDEFGHabcdefgh0123+/", "é", "if",
					     "then", "fi", "$(pwd)", "echo", "Copyright", "(C)", "2024" };
	size_t o0 = 0, nw = 2 + rnd() % 12;
	for (size_t i = 0; i < nw; i++)
		o0 += (size_t)sprintf(o + o0, "%s%s", i ? " " : "", words[rnd() % (sizeof(words) / sizeof(words[0]))]);
	o[o0++] = '\n';
	return o0;
}

static void test_base64_among_text(void **st)
{
	(void)st;
	enum { MAXP = 6 };
	char *text = malloc(1 << 20), *enc = malloc(1 << 16);
	uint8_t payload[MAXP][700];
	size_t plen[MAXP];
	for (int round = 0; round < 300; round++) {
		size_t o = 0, np = 1 + rnd() % (MAXP - 1);
		bool last_eof = rnd() % 3 == 0;
		for (size_t p = 0; p < np; p++) {
			plen[p] = 120 + rnd() % 500;
			if (rnd() % 2) {
				mk_elf(payload[p]);
				for (size_t i = 120; i < plen[p]; i++)
					payload[p][i] = (uint8_t)rnd();
			} else {
				memcpy(payload[p], gz, sizeof(gz));
				for (size_t i = sizeof(gz); i < plen[p]; i++)
					payload[p][i] = (uint8_t)rnd();
			}
			for (size_t k = rnd() % 40; k > 0; k--)
				o += prose_line(text + o);
			size_t el = b64enc(payload[p], plen[p], enc, 0);
			bool at_end = last_eof && p == np - 1;
			if (!at_end && rnd() % 3 == 0) {
				/* inline: echo '...' | base64 -d */
				o += (size_t)sprintf(text + o, "echo '%s' | base64 -d > /tmp/.p%zu\n", enc, p);
				continue;
			}
			size_t width = 16 + rnd() % 61;
			const char *indent = rnd() % 4 == 0 ? "\t" : "";
			const char *eol = rnd() % 5 == 0 ? "\r\n" : "\n";
			o += (size_t)sprintf(text + o, "base64 -d > /tmp/.p%zu <<'EOF'\n", p);
			for (size_t i = 0; i < el; i += width) {
				size_t n = el - i < width ? el - i : width;
				o += (size_t)sprintf(text + o, "%s%.*s%s", indent, (int)n, enc + i, eol);
			}
			if (!at_end)
				o += (size_t)sprintf(text + o, "EOF\n");
			else if (rnd() % 2)
				o -= strlen(eol); /* no final newline */
		}
		struct hh_wrapped w[HH_UNWRAP_MAX];
		size_t n = hh_unwrap_find((uint8_t *)text, o, 1 << 20, w, HH_UNWRAP_MAX);
		size_t want = np < HH_UNWRAP_MAX ? np : HH_UNWRAP_MAX;
		if (n != want)
			print_error("round %d: %zu payloads found, %zu hidden\n", round, n, np);
		assert_int_equal(n, want);
		for (size_t p = 0; p < n; p++) {
			assert_int_equal(w[p].len, plen[p]);
			assert_memory_equal(w[p].data, payload[p], plen[p]);
		}
		hh_wrapped_free(w, n);
	}
	free(text);
	free(enc);
}

static void test_carved_and_overlay(void **st)
{
	(void)st;
	uint8_t buf[2048];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 13 + 1);
	buf[0] = 0; /* binary data */
	mk_elf(buf + 700);
	struct hh_wrapped w[HH_UNWRAP_MAX];
	assert_int_equal(hh_unwrap_find(buf, sizeof(buf), 1 << 20, w, HH_UNWRAP_MAX), 1);
	assert_string_equal(w[0].wrapper, "embedded-elf");
	assert_int_equal(w[0].offset, 700);
	/* an ELF with a gzip stream after its image (self-extractor) */
	size_t e = mk_elf(buf);
	memset(buf + e, 0, 8);
	memcpy(buf + e + 8, gz, sizeof(gz));
	assert_int_equal(hh_unwrap_find(buf, e + 8 + sizeof(gz) + 100, 1 << 20, w, HH_UNWRAP_MAX), 1);
	assert_string_equal(w[0].wrapper, "elf-overlay");
	assert_string_equal(w[0].format, "gzip");
	assert_int_equal(w[0].offset, e + 8);
}

static void test_nothing_wrapped(void **st)
{
	(void)st;
	struct hh_wrapped w[HH_UNWRAP_MAX];
	/* an ordinary script, a PEM certificate, "\x7fELF" as text, an ELF without overlay */
	const char *script = "#!/bin/sh\nset -e\nexec /usr/bin/app --config /etc/app.yaml \"$@\"\n# padding padding padding\n";
	assert_int_equal(hh_unwrap_find((const uint8_t *)script, strlen(script), 1 << 20, w, HH_UNWRAP_MAX), 0);
	char pem[2048];
	uint8_t der[900];
	for (size_t i = 0; i < sizeof(der); i++)
		der[i] = (uint8_t)(0x30 + i * 11);
	int o = sprintf(pem, "-----BEGIN CERTIFICATE-----\n");
	o += (int)b64enc(der, sizeof(der), pem + o, 1);
	o += sprintf(pem + o, "\n-----END CERTIFICATE-----\n");
	assert_int_equal(hh_unwrap_find((const uint8_t *)pem, (size_t)o, 1 << 20, w, HH_UNWRAP_MAX), 0);
	uint8_t buf[1024];
	memset(buf, 'a', sizeof(buf));
	memcpy(buf + 100, "\x7f" "ELF\x02\x01\x01", 7); /* header fields inconsistent */
	assert_int_equal(hh_unwrap_find(buf, sizeof(buf), 1 << 20, w, HH_UNWRAP_MAX), 0);
	size_t e = mk_elf(buf);
	memset(buf + e, 0, sizeof(buf) - e);
	assert_int_equal(hh_unwrap_find(buf, sizeof(buf), 1 << 20, w, HH_UNWRAP_MAX), 0);
	/* binary before any payload line: not a stub */
	uint8_t bin[400];
	memcpy(bin, "#!/bin/sh\n\0\0\0\n", 14);
	memcpy(bin + 14, gz, sizeof(gz));
	memset(bin + 14 + sizeof(gz), 1, sizeof(bin) - 14 - sizeof(gz));
	assert_int_equal(hh_unwrap_find(bin, sizeof(bin), 1 << 20, w, HH_UNWRAP_MAX), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzexe_stub),           cmocka_unit_test(test_makeself_and_plain_stub),
		cmocka_unit_test(test_base64_heredoc_and_inline), cmocka_unit_test(test_carved_and_overlay),
		cmocka_unit_test(test_nothing_wrapped),        cmocka_unit_test(test_base64_among_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
