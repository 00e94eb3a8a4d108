/* The scanner's fast paths give the same answers as the slow ones: the ISA-L
 * gzip decoder (byte-exact against zlib, multi-member, corrupt and truncated
 * streams), the multi-pattern matcher's second pair filter (short patterns,
 * case, hits at the very end), the wallet scanner's skip-ahead (tokens
 * around 26 characters), the YARA text prefilter (browser rules still match,
 * user rules disable it), the walker handing its buffer to the callback, and
 * compressed files opened as archives not being run through YARA. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>
#include <zlib.h>
#include <jansson.h>

#include "core/finding.h"
#include "detectors/content/base64_runs.h"
#include "detectors/content/content_scan.h"
#include "detectors/content/yara_pack.h"
#include "detectors/indicators/exe_traits.h"
#include "detectors/indicators/multimatch.h"
#include "detectors/indicators/wallet.h"
#include "sources/image/gz_stream.h"
#include "sources/image/layer_walk.h"

/* ---------- gzip ---------- */

static uint8_t *gzip_buf(const uint8_t *in, size_t len, size_t *out_len)
{
	size_t cap = compressBound((uLong)len) + 64;
	uint8_t *out = malloc(cap);
	assert_non_null(out);
	z_stream z = { 0 };
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

struct pull_src {
	const uint8_t *p;
	size_t left, step;
};

static long long pull(void *user, const uint8_t **buf)
{
	struct pull_src *s = user;
	size_t n = s->left < s->step ? s->left : s->step;
	*buf = s->p;
	s->p += n;
	s->left -= n;
	return (long long)n;
}

/* Decodes all of src (pulled step bytes at a time); -1 on an error. */
static long long gunzip_all(const uint8_t *src, size_t len, size_t step, uint8_t *out, size_t cap, char *err,
			    size_t errlen)
{
	struct pull_src ps = { src, len, step };
	struct hh_gz *g = hh_gz_new(pull, &ps);
	assert_non_null(g);
	size_t got = 0;
	long long r;
	const uint8_t *b;
	while ((r = hh_gz_read(g, &b)) > 0) {
		assert_true(got + (size_t)r <= cap);
		memcpy(out + got, b, (size_t)r);
		got += (size_t)r;
	}
	if (r < 0)
		snprintf(err, errlen, "%s", hh_gz_error(g));
	else
		assert_int_equal(hh_gz_out_bytes(g), got);
	hh_gz_free(g);
	return r < 0 ? -1 : (long long)got;
}

static uint8_t *sample(size_t len)
{
	uint8_t *d = malloc(len);
	assert_non_null(d);
	uint32_t x = 1;
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		/* half text-like (compressible), half noise */
		d[i] = (i / 4096) % 2 ? (uint8_t)(x >> 16) : (uint8_t)("the quick brown fox "[i % 20]);
	}
	return d;
}


/* hh_b64_pass_over never passes over the start of a run of n bytes from
 * '+'..'z' (checked byte by byte on random text dense in such runs). */
static void b64_pass_over(void **state)
{
	(void)state;
	static char t[4096];
	uint32_t x = 7;
	for (int round = 0; round < 400; round++) {
		for (size_t i = 0; i < sizeof(t); i++) {
			x = x * 1103515245u + 12345u;
			unsigned r = (x >> 16) % 100;
			t[i] = r < 3u + (unsigned)round % 5 ? ' ' : r < 6 ? '\n' : (char)('A' + (x >> 8) % 26);
		}
		static const size_t ns[] = { 8, 16, 20, 24, 32 };
		for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
			size_t n = ns[k];
			for (size_t i = 0; i < sizeof(t); i += 1 + (x >> 20) % 97) {
				size_t far = hh_b64_pass_over(t, sizeof(t), i, n);
				assert_true(far >= i && far <= sizeof(t));
				for (size_t s0 = i; s0 < far; s0++) {
					size_t run = 0;
					while (s0 + run < sizeof(t) && t[s0 + run] >= '+' && t[s0 + run] <= 'z')
						run++;
					assert_true(run < n);
				}
			}
		}
	}
}

static void gz_roundtrip(void **state)
{
	(void)state;
	size_t len = 3u << 20, zlen;
	uint8_t *d = sample(len);
	uint8_t *z = gzip_buf(d, len, &zlen);
	uint8_t *out = malloc(len * 2 + 16);
	char err[200] = "";
	size_t steps[] = { 7, 4096, 1u << 20, zlen };
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		long long got = gunzip_all(z, zlen, steps[s], out, len * 2, err, sizeof(err));
		assert_int_equal(got, (long long)len);
		assert_memory_equal(out, d, len);
	}
	/* one compressed byte at a time */
	size_t slen;
	uint8_t *sz = gzip_buf(d, 50000, &slen);
	assert_int_equal(gunzip_all(sz, slen, 1, out, len, err, sizeof(err)), 50000);
	assert_memory_equal(out, d, 50000);
	free(sz);
	/* two members back to back decode to both inputs, as gzip -d does */
	uint8_t *two = malloc(zlen * 2);
	memcpy(two, z, zlen);
	memcpy(two + zlen, z, zlen);
	assert_int_equal(gunzip_all(two, zlen * 2, 65536, out, len * 2, err, sizeof(err)), (long long)(len * 2));
	assert_memory_equal(out + len, d, len);
	/* bytes after the last member that are no member: ignored */
	memcpy(two + zlen, "\0\0\0\0garbage", 11);
	assert_int_equal(gunzip_all(two, zlen + 11, 65536, out, len * 2, err, sizeof(err)), (long long)len);
	free(two);
	free(out);
	free(z);
	free(d);
}

static void gz_hostile(void **state)
{
	(void)state;
	size_t len = 1u << 20, zlen;
	uint8_t *d = sample(len);
	uint8_t *z = gzip_buf(d, len, &zlen);
	uint8_t *out = malloc(len + 16);
	char err[200] = "";
	/* truncated */
	assert_int_equal(gunzip_all(z, zlen / 2, 4096, out, len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
	/* CRC-32 in the trailer flipped */
	z[zlen - 6] ^= 0x40;
	err[0] = 0;
	assert_int_equal(gunzip_all(z, zlen, 4096, out, len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "CRC"));
	z[zlen - 6] ^= 0x40;
	/* a corrupt block in the middle */
	for (size_t i = zlen / 3; i < zlen / 3 + 64; i++)
		z[i] ^= 0xa5;
	err[0] = 0;
	assert_int_equal(gunzip_all(z, zlen, 4096, out, len, err, sizeof(err)), -1);
	assert_true(err[0]);
	/* the magic, then junk */
	static const uint8_t junk[] = "\x1f\x8bthis is not gzip at all";
	err[0] = 0;
	assert_int_equal(gunzip_all(junk, sizeof(junk) - 1, 4096, out, len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "gzip"));
	free(out);
	free(z);
	free(d);
}

/* ---------- multimatch ---------- */

struct mm_hits {
	size_t pat[64], off[64], n;
};

static bool on_mm(size_t pat, size_t off, void *ctx)
{
	struct mm_hits *h = ctx;
	if (h->n < 64) {
		h->pat[h->n] = pat;
		h->off[h->n++] = off;
	}
	return true;
}

static bool mm_has(const struct mm_hits *h, size_t pat, size_t off)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->pat[i] == pat && h->off[i] == off)
			return true;
	return false;
}

static void multimatch_pairs(void **state)
{
	(void)state;
	static const struct hh_mm_pattern pats[] = {
		{ "H/s", false, 0 }, { "rx", false, 0 }, { "stratum+tcp", false, 0 }, { "XMRig", true, 0 }, { "abcd", false, 0 },
	};
	struct hh_mm *mm = calloc(1, sizeof(*mm));
	hh_mm_build(mm, pats, 5);
	const char *text = "1000 H/s via stratum+tcp and xmrIG; rx; abcX abcd";
	struct mm_hits h = { 0 };
	hh_mm_scan(mm, text, strlen(text), on_mm, &h);
	assert_true(mm_has(&h, 0, 5));
	assert_true(mm_has(&h, 2, 13));
	assert_true(mm_has(&h, 3, 29));
	assert_true(mm_has(&h, 1, 36));
	assert_true(mm_has(&h, 4, 45));
	assert_int_equal(h.n, 5);
	/* patterns ending exactly at the end, and a 3-byte one at the last bytes */
	struct mm_hits e = { 0 };
	hh_mm_scan(mm, "..H/s", 5, on_mm, &e);
	assert_true(mm_has(&e, 0, 2));
	struct mm_hits f = { 0 };
	hh_mm_scan(mm, "xxabcd", 6, on_mm, &f);
	assert_true(mm_has(&f, 4, 2));
	struct mm_hits g = { 0 };
	hh_mm_scan(mm, "abc", 3, on_mm, &g);
	assert_int_equal(g.n, 0);
	free(mm);
}

/* ---------- wallets: the skip-ahead keeps every address ---------- */

static void wallet_skip(void **state)
{
	(void)state;
	static const char *const addrs[] = {
		"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
		"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
		"0x52908400098527886E0F7030069857D2E4169EE7",
	};
	char text[2048];
	for (size_t a = 0; a < 3; a++) {
		/* after tokens of 1..40 characters and separators of 1..3 bytes */
		for (size_t pre = 0; pre <= 40; pre += 3) {
			for (size_t sep = 1; sep <= 3; sep++) {
				size_t n = 0;
				for (size_t i = 0; i < pre; i++)
					text[n++] = 'k';
				for (size_t i = 0; i < sep; i++)
					text[n++] = ' ';
				n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", addrs[a]);
				text[n++] = '\n';
				struct hh_wallet_match m[4];
				size_t found = hh_wallet_scan(text, n, m, 4);
				assert_int_equal(found, 1);
				assert_int_equal(m[0].offset, pre + sep);
				assert_int_equal(m[0].len, strlen(addrs[a]));
			}
		}
	}
}

/* ---------- YARA text prefilter ---------- */


/* ---------- YARA executable prefilter ---------- */

/* The literal strings of the built-in pack (quoted, and hex without
 * wildcards or jumps), and the trait strings. */
static size_t pack_strings(uint8_t out[][128], size_t *lens, size_t max)
{
	char *txt = NULL;
	size_t tl = 0, n = 0;
	FILE *f = open_memstream(&txt, &tl);
	assert_non_null(f);
	hh_yara_pack_write_builtin(f);
	fclose(f);
	for (char *line = strtok(txt, "\n"); line && n < max; line = strtok(NULL, "\n")) {
		char *q = strstr(line, "= \"");
		char *h = strstr(line, "= {");
		if (!strchr(line, '$') || (!q && !h))
			continue;
		size_t l = 0;
		if (q) {
			for (char *c = q + 3; *c && *c != '"' && l < 127; c++) {
				if (*c == '\\' && c[1])
					c++;
				out[n][l++] = (uint8_t)*c;
			}
		} else {
			if (strpbrk(h, "?[") != NULL)
				continue;
			for (char *c = h + 3; *c && *c != '}' && l < 127;) {
				unsigned v;
				int used;
				if (sscanf(c, " %2x%n", &v, &used) != 1)
					break;
				out[n][l++] = (uint8_t)v;
				c += used;
			}
		}
		lens[n++] = l;
	}
	free(txt);
	const char *t[64];
	size_t nt = hh_traits_patterns(t, 64);
	for (size_t i = 0; i < nt && n < max; i++) {
		lens[n] = strlen(t[i]);
		memcpy(out[n], t[i], lens[n]);
		n++;
	}
	return n;
}

static void random_exe(uint8_t *b, size_t n, uint32_t *x)
{
	for (size_t i = 0; i < n; i++) {
		*x = *x * 1103515245u + 12345u;
		b[i] = (uint8_t)(*x >> 16);
	}
	memcpy(b, "\x7f" "ELF\x02\x01\x01", 7);
}

/* Skipping YARA never loses a hit or a trait: every string of the pack that
 * does not pass the prefilter on its own, all of them in one executable,
 * still match no rule and make no trait family; real programs and
 * libraries the prefilter turns away have no hit and no trait either. */
static void yara_exe_prefilter(void **state)
{
	(void)state;
	char err[256];
	struct hh_yara_pack *p = hh_yara_pack_new(NULL, 0, err, sizeof(err));
	assert_non_null(p);
	static uint8_t strs[256][128];
	static size_t lens[256];
	size_t ns = pack_strings(strs, lens, 256);
	assert_true(ns > 100);
	static uint8_t buf[1 << 16];
	uint32_t x = 99;
	bool outside[256] = { false };
	size_t n_out = 0, n_in = 0;
	for (size_t i = 0; i < ns; i++) {
		random_exe(buf, 4096, &x);
		memcpy(buf + 1000, strs[i], lens[i]);
		outside[i] = !hh_yara_pack_exe_may_match(p, buf, 4096);
		n_out += outside[i];
		n_in += !outside[i];
	}
	/* some strings are left to the others of their rule (e.g. "rx/0", "scrypt", "H/s") */
	assert_true(n_out >= 10);
	assert_true(n_in >= 60);
	for (int round = 0; round < 50; round++) {
		random_exe(buf, sizeof(buf), &x);
		size_t at = 64;
		for (size_t k = 0; k < ns; k++) {
			size_t i = (k + (size_t)round * 7) % ns;
			if (!outside[i])
				continue;
			memcpy(buf + at, strs[i], lens[i]);
			at += lens[i] + 1 + (size_t)round % 5;
		}
		assert_false(hh_yara_pack_exe_may_match(p, buf, sizeof(buf)));
		struct hh_yara_hit hits[8];
		uint64_t traits = 0;
		assert_int_equal(hh_yara_pack_scan_traits(p, buf, sizeof(buf), hits, 8, &traits, err, sizeof(err)), 0);
		struct hh_traits t;
		hh_traits_init(&t);
		t.seen = traits;
		char fam[256];
		assert_int_equal(hh_traits_result(&t, fam, sizeof(fam)), 0);
	}
	/* real executables: the ones turned away have nothing */
	static const char *const dirs[] = { "/usr/bin", "/usr/lib/x86_64-linux-gnu" };
	size_t skipped = 0, checked = 0;
	for (size_t d = 0; d < 2; d++) {
		DIR *dir = opendir(dirs[d]);
		if (!dir)
			continue;
		struct dirent *de;
		size_t taken = 0;
		while ((de = readdir(dir)) && taken < 150) {
			char path[600];
			snprintf(path, sizeof(path), "%s/%s", dirs[d], de->d_name);
			FILE *fp = fopen(path, "rb");
			if (!fp)
				continue;
			size_t got = fread(buf, 1, sizeof(buf), fp);
			fclose(fp);
			if (got < 64 || memcmp(buf, "\x7f" "ELF", 4))
				continue;
			taken++;
			checked++;
			if (hh_yara_pack_exe_may_match(p, buf, got))
				continue;
			skipped++;
			struct hh_yara_hit hits[8];
			uint64_t traits = 0;
			assert_int_equal(hh_yara_pack_scan_traits(p, buf, got, hits, 8, &traits, err, sizeof(err)), 0);
			struct hh_traits t;
			hh_traits_init(&t);
			t.seen = traits;
			char fam[256];
			assert_int_equal(hh_traits_result(&t, fam, sizeof(fam)), 0);
		}
		closedir(dir);
	}
	assert_true(checked >= 50);
	assert_true(skipped * 2 >= checked); /* most programs never reach YARA */
	hh_yara_pack_free(p);
}

static void yara_text_prefilter(void **state)
{
	(void)state;
	char err[256];
	struct hh_yara_pack *p = hh_yara_pack_new(NULL, 0, err, sizeof(err));
	assert_non_null(p);
	static const char miner[] = "<script>var m = new CoinHive.Anonymous('k'); m.start(); /* coinhive.min.js */</script>";
	static const char plain[] = "Debian changelog: fixed a crash in the parser.\n";
	assert_true(hh_yara_pack_text_may_match(p, (const uint8_t *)miner, sizeof(miner) - 1));
	assert_false(hh_yara_pack_text_may_match(p, (const uint8_t *)plain, sizeof(plain) - 1));
	/* the rule still matches what passes the prefilter */
	struct hh_yara_hit hits[4];
	assert_true(hh_yara_pack_scan_kind(p, (const uint8_t *)miner, sizeof(miner) - 1, true, hits, 4, err,
					   sizeof(err)) >= 1);
	/* meta prefilter: the pool-socket rule needs "new WebSocket(", its other strings alone do not pass */
	static const char sock[] = "var s = new WebSocket(u); s.send('{\"login\":1}'); job.job_id; x.nonce; throttle(0.5)";
	static const char words[] = "the \"login\" form keeps a nonce and a job_id; throttle requests";
	assert_true(hh_yara_pack_text_may_match(p, (const uint8_t *)sock, sizeof(sock) - 1));
	assert_false(hh_yara_pack_text_may_match(p, (const uint8_t *)words, sizeof(words) - 1));
	int nh = hh_yara_pack_scan_kind(p, (const uint8_t *)sock, sizeof(sock) - 1, true, hits, 4, err, sizeof(err));
	assert_int_equal(nh, 1);
	assert_string_equal(hits[0].rule, "miner.web.pool-socket");
	hh_yara_pack_free(p);
	/* a user rule may match anything: no prefilter */
	char path[] = "/tmp/hh-fastpath-XXXXXX.yar";
	int fd = mkstemps(path, 4);
	assert_true(fd >= 0);
	static const char rule[] = "rule any_text { condition: filesize > 10 }\n";
	assert_int_equal(write(fd, rule, sizeof(rule) - 1), (ssize_t)(sizeof(rule) - 1));
	close(fd);
	const char *paths[] = { path };
	p = hh_yara_pack_new(paths, 1, err, sizeof(err));
	assert_non_null(p);
	assert_true(hh_yara_pack_text_may_match(p, (const uint8_t *)plain, sizeof(plain) - 1));
	assert_int_equal(hh_yara_pack_scan_kind(p, (const uint8_t *)plain, sizeof(plain) - 1, true, hits, 4, err,
						sizeof(err)),
			 1);
	hh_yara_pack_free(p);
	unlink(path);
}

/* ---------- the walker hands its buffer over ---------- */

struct kept {
	uint8_t *data[8];
	size_t len[8];
	char path[8][64];
	bool opened[8];
	size_t n;
};

static void keep_entry(void *user, const struct hh_walk_entry *e)
{
	struct kept *k = user;
	if (e->type != HH_WALK_FILE || k->n >= 8)
		return;
	snprintf(k->path[k->n], sizeof(k->path[0]), "%s", e->path);
	k->len[k->n] = e->len;
	k->opened[k->n] = e->opened;
	if (e->take && *e->take == e->data) {
		k->data[k->n] = *e->take;
		*e->take = NULL;
	} else {
		/* not ours to keep (the walker opens it next): copy */
		k->data[k->n] = malloc(e->len);
		memcpy(k->data[k->n], e->data, e->len);
	}
	k->n++;
}

static uint8_t *tar_gz(const char *const *names, const char *const *datas, size_t n, size_t *out_len)
{
	size_t cap = 1u << 20;
	uint8_t *buf = malloc(cap);
	size_t used = 0;
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	archive_write_open_memory(a, buf, cap, &used);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, names[i]);
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_size(ae, (la_int64_t)strlen(datas[i]));
		archive_write_header(a, ae);
		archive_write_data(a, datas[i], strlen(datas[i]));
		archive_entry_free(ae);
	}
	archive_write_close(a);
	archive_write_free(a);
	*out_len = used;
	return buf;
}

static void walker_hands_over(void **state)
{
	(void)state;
	size_t ilen;
	const char *iname[] = { "inner.txt" }, *idata[] = { "inside the nested archive\n" };
	uint8_t *inner = tar_gz(iname, idata, 1, &ilen);
	/* the outer archive holds the nested .tar.gz as binary data */
	struct archive *a = archive_write_new();
	size_t cap = 1u << 20, used = 0;
	uint8_t *outer = malloc(cap);
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	archive_write_open_memory(a, outer, cap, &used);
	const char *names[] = { "a.txt", "nested.tar.gz", "b.txt" };
	const void *datas[] = { "first file\n", inner, "second file, longer than the first\n" };
	size_t lens[] = { 11, ilen, 35 };
	for (size_t i = 0; i < 3; i++) {
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, names[i]);
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_size(ae, (la_int64_t)lens[i]);
		archive_write_header(a, ae);
		archive_write_data(a, datas[i], lens[i]);
		archive_entry_free(ae);
	}
	archive_write_close(a);
	archive_write_free(a);
	struct hh_scan_limits lim;
	hh_scan_limits_from_config(&lim, NULL);
	struct hh_walk_budget b = { 0 };
	struct kept k = { 0 };
	struct hh_walk_cb cb = { keep_entry, NULL, &k, NULL };
	assert_int_equal(hh_walk_memory(outer, used, "test", "", 0, &lim, &b, &cb), 0);
	assert_int_equal(k.n, 4);
	assert_string_equal(k.path[0], "a.txt");
	assert_memory_equal(k.data[0], "first file\n", 11);
	assert_string_equal(k.path[1], "nested.tar.gz");
	assert_true(k.opened[1]);
	assert_memory_equal(k.data[1], inner, ilen);
	assert_string_equal(k.path[2], "nested.tar.gz!/inner.txt");
	assert_memory_equal(k.data[2], "inside the nested archive\n", 26);
	assert_string_equal(k.path[3], "b.txt");
	assert_false(k.opened[3]);
	assert_memory_equal(k.data[3], "second file, longer than the first\n", 35);
	for (size_t i = 0; i < k.n; i++)
		free(k.data[i]);
	free(outer);
	free(inner);
}

/* ---------- compressed files opened as archives skip YARA, nothing else ---------- */

static void opened_stream_flags(void **state)
{
	(void)state;
	struct hh_content_opts o;
	hh_content_opts_from_config(&o, NULL);
	char err[256];
	struct hh_content *c = hh_content_new(&o, NULL, 0, err, sizeof(err));
	assert_non_null(c);
	assert_true(hh_content_is_compressed((const uint8_t *)"\x1f\x8b\x08", 3));
	assert_true(hh_content_is_compressed((const uint8_t *)"\x28\xb5\x2f\xfd", 4));
	assert_false(hh_content_is_compressed((const uint8_t *)"#!/bin/sh", 9));
	/* flags only matter for compressed data: a text file is scanned in full */
	static const char cfg[] = "{\"pools\":[{\"url\":\"stratum+tcp://pool.example:3333\",\"user\":\"x\"}]}";
	struct hh_findings out = { 0 };
	assert_true(hh_content_scan_flags(c, "/etc/x.json", "x.json", (const uint8_t *)cfg, sizeof(cfg) - 1,
					  HH_CONTENT_OPENED_STREAM, &out, err, sizeof(err)) >= 1);
	hh_findings_clear(&out);
	/* wallets come out of the base64 pass's runs, also after its decoding
	 * stopped at a first base64 dropper, and also right at the end */
	static const char script[] =
		"#!/bin/sh\necho eG1yaWcgLW8gc3RyYXR1bSt0Y3A6Ly9wb29sLmV4YW1wbGUubmV0OjMzMzMgLS1kb25hdGUtbGV2ZWwgMQ== "
		"| base64 -d > /tmp/c\n./kworker --cpu-priority 2 -u "
		"44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A";
	assert_true(hh_content_scan(c, "/opt/run.sh", "run.sh", (const uint8_t *)script, sizeof(script) - 1, &out, err,
				    sizeof(err)) >= 2);
	bool b64 = false, wallet = false;
	for (size_t i = 0; i < out.n; i++) {
		char *ev = json_dumps(out.items[i]->evidence, 0);
		if (!strcmp(out.items[i]->rule, "scan.dropper.base64"))
			b64 = true;
		if (ev && strstr(ev, "wallet in content") && strstr(ev, "monero"))
			wallet = true;
		free(ev);
	}
	assert_true(b64);
	assert_true(wallet);
	hh_findings_clear(&out);
	free(out.items);
	hh_content_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(b64_pass_over), cmocka_unit_test(yara_exe_prefilter), cmocka_unit_test(gz_roundtrip),	    cmocka_unit_test(gz_hostile),
		cmocka_unit_test(multimatch_pairs),  cmocka_unit_test(wallet_skip),
		cmocka_unit_test(yara_text_prefilter), cmocka_unit_test(walker_hands_over),
		cmocka_unit_test(opened_stream_flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
