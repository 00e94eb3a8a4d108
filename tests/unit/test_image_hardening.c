/* Image scanner hardening (issue 17): the tar index against the pax crash
 * input and its neighbours and every tar flavour kept in tests/data/tar (pax,
 * GNU long names, old GNU sparse with an extension block, pax sparse); the
 * whiteout index at 80k x 80k and its semantics; a zip bomb inside a layer;
 * symlinked components of directory targets (both openers); terminal
 * escaping of hostile names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/escape.h"
#include "core/fileio.h"
#include "core/log.h"
#include "sources/image/image_source.h"
#include "sources/image/layer_walk.h"
#include "sources/image/open_beneath.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sources/image/tar_index.h"
#include <archive.h>
#include <archive_entry.h>
#include "sources/image/whiteout.h"
#include <time.h>

static uint8_t *load(const char *name, size_t *len)
{
	const char *root = getenv("HH_ROOT");
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/data/tar/%s", root ? root : ".", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	uint8_t *buf = malloc(1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

/* Builds the index of tests/data/tar/name; returns rc, err and idx filled. */
static int index_of(const char *name, struct hh_tar_index *idx, char *err, size_t errlen)
{
	size_t len;
	uint8_t *t = load(name, &len);
	struct hh_blob_src src = { -1, t, len };
	err[0] = 0;
	int rc = hh_tar_index_build(&src, 100, idx, err, errlen);
	free(t);
	return rc;
}

static void pax_crash_input(void **state)
{
	(void)state;
	struct hh_tar_index idx;
	char err[512];
	assert_int_equal(index_of("pax-short-record.tar", &idx, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "malformed pax record at offset 512"));
	hh_tar_index_free(&idx);
}

static void pax_neighbours(void **state)
{
	(void)state;
	static const struct { const char *name; int rc; const char *err; } cases[] = {
		{ "pax-len-2.tar", -1, "offset 512 " },
		{ "pax-len-3.tar", 0, NULL },           /* "3 \n": the shortest legal record */
		{ "pax-no-newline.tar", -1, "offset 512 " },
		{ "pax-len-past.tar", -1, "offset 512 " },
		{ "pax-no-digits.tar", -1, "offset 512 " },
		{ "pax-huge-len.tar", -1, "offset 512 " },
		{ "pax-zero.tar", -1, "offset 512 " },
		{ "pax-ok-then-bad.tar", -1, "offset 523 " }, /* the second record, after "11 path=ab\n" */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hh_tar_index idx;
		char err[512];
		int rc = index_of(cases[i].name, &idx, err, sizeof(err));
		if (rc != cases[i].rc)
			fail_msg("%s: rc %d, want %d (%s)", cases[i].name, rc, cases[i].rc, err);
		if (cases[i].err && !strstr(err, cases[i].err))
			fail_msg("%s: error '%s' lacks '%s'", cases[i].name, err, cases[i].err);
		if (!rc)
			assert_non_null(hh_tar_index_find(&idx, "hello.txt"));
		hh_tar_index_free(&idx);
	}
}

static void tar_flavours(void **state)
{
	(void)state;
	char longname[400];
	snprintf(longname, sizeof(longname), "deep/%0120d/%0120d/xmrig.conf", 0, 0);
	for (char *p = longname + 5; p < longname + 125; p++)
		*p = 'd';
	for (char *p = longname + 126; p < longname + 246; p++)
		*p = 'n';
	struct hh_tar_index idx;
	char err[512];
	assert_int_equal(index_of("pax-long.tar", &idx, err, sizeof(err)), 0);
	const struct hh_tar_entry *e = hh_tar_index_find(&idx, longname);
	assert_non_null(e);
	assert_int_equal(e->size, strlen("{\"url\":\"stratum+tcp://pool.example:3333\"}\n"));
	assert_non_null(hh_tar_index_find(&idx, "plain.txt"));
	hh_tar_index_free(&idx);

	assert_int_equal(index_of("gnu-longname.tar", &idx, err, sizeof(err)), 0);
	assert_non_null(hh_tar_index_find(&idx, longname));
	char lname[151];
	memset(lname, 'l', 150);
	lname[150] = 0;
	assert_non_null(hh_tar_index_find(&idx, lname));
	hh_tar_index_free(&idx);

	/* old GNU sparse: 6 chunks, so an extension block follows the header */
	int rc = index_of("gnu-sparse.tar", &idx, err, sizeof(err));
	if (rc)
		fail_msg("gnu-sparse.tar: %s", err);
	assert_int_equal(idx.n, 1);
	assert_string_equal(idx.e[0].name, "holes.bin");
	assert_int_equal(idx.e[0].type, 'S');
	hh_tar_index_free(&idx);

	rc = index_of("pax-sparse.tar", &idx, err, sizeof(err));
	if (rc)
		fail_msg("pax-sparse.tar: %s", err);
	assert_int_equal(idx.n, 1);
	hh_tar_index_free(&idx);
}

/* A pax size beyond the file must not wrap the bounds check. */
static void pax_size_wrap(void **state)
{
	(void)state;
	uint8_t t[4096];
	memset(t, 0, sizeof(t));
	const char rec[] = "29 size=18446744073709551615\n";
	size_t rl = strlen(rec);
	/* header 0: pax; header 1 at 1024: a file */
	for (int h = 0; h < 2; h++) {
		uint8_t *b = t + h * 1024;
		strcpy((char *)b, h ? "f" : "././@PaxHeader");
		memcpy(b + 100, "0000644", 7);
		snprintf((char *)b + 124, 12, "%011o", h ? 0u : (unsigned)rl);
		b[156] = h ? '0' : 'x';
		memcpy(b + 257, "ustar\0" "00", 8);
		memset(b + 148, ' ', 8);
		unsigned sum = 0;
		for (int i = 0; i < 512; i++)
			sum += b[i];
		snprintf((char *)b + 148, 8, "%06o", sum);
	}
	memcpy(t + 512, rec, rl);
	struct hh_blob_src src = { -1, t, sizeof(t) };
	struct hh_tar_index idx;
	char err[512];
	assert_int_equal(hh_tar_index_build(&src, 100, &idx, err, sizeof(err)), -1);
	if (!strstr(err, "data truncated"))
		fail_msg("error: %s", err);
	hh_tar_index_free(&idx);
}

/* 80k whiteouts over 80k candidates (issue 17: quadratic, 116 s): every
 * candidate hidden, in a bound far above the measured time (bench/). */
static void whiteouts_at_scale(void **state)
{
	(void)state;
	enum { N = 80000 };
	struct hh_hidden h;
	hh_hidden_init(&h);
	char p[64];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < N; i++) {
		snprintf(p, sizeof(p), "opt/d%03d/run%06d.sh", i % 500, i);
		assert_int_equal(hh_hidden_add(&h, p, 0), (size_t)i);
	}
	for (int i = 0; i < N; i++) {
		snprintf(p, sizeof(p), "opt/d%03d/run%06d.sh", i % 500, i);
		hh_hidden_on_whiteout(&h, 1, p);
	}
	/* the same directory deleted over and over in one layer: visited once */
	for (int i = 0; i < N; i++)
		hh_hidden_on_whiteout(&h, 2, "opt");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	for (int i = 0; i < N; i++) {
		assert_int_equal(h.c[i].hidden_layer, 1);
		assert_int_equal(h.c[i].how, HH_HIDDEN_DELETED);
	}
	if (secs > 60)
		fail_msg("80k whiteouts took %.1f s", secs);
	hh_hidden_free(&h);
}

/* Semantics the index must keep: nested targets, opaque below a deleted dir,
 * a candidate of a lower layer added after a walk, names sharing a prefix. */
static void whiteout_semantics(void **state)
{
	(void)state;
	struct hh_hidden h;
	hh_hidden_init(&h);
	size_t a = hh_hidden_add(&h, "a/b/c/x", 0);
	size_t ab = hh_hidden_add(&h, "a/bb/x", 0);     /* "a/b" is a prefix of the string, not a parent */
	size_t self = hh_hidden_add(&h, "a/b", 0);      /* the target itself */
	size_t same = hh_hidden_add(&h, "a/b/new", 1);  /* same layer as the whiteout: stays */
	hh_hidden_on_whiteout(&h, 1, "a/b");
	assert_int_equal(h.c[a].hidden_layer, 1);
	assert_int_equal(h.c[self].hidden_layer, 1);
	assert_int_equal(h.c[ab].hidden_layer, -1);
	assert_int_equal(h.c[same].hidden_layer, -1);
	/* a lower-layer candidate arriving after the walk is still hidden by the next event of that layer */
	size_t late = hh_hidden_add(&h, "a/b/late", 0);
	hh_hidden_on_whiteout(&h, 1, "a");
	assert_int_equal(h.c[late].hidden_layer, 1);
	assert_int_equal(h.c[ab].hidden_layer, 1);
	/* opaque keeps the directory's own candidate, hides those below */
	size_t d = hh_hidden_add(&h, "srv", 1), below = hh_hidden_add(&h, "srv/www/i.js", 1);
	hh_hidden_on_opaque(&h, 2, "srv");
	assert_int_equal(h.c[d].hidden_layer, -1);
	assert_int_equal(h.c[below].hidden_layer, 2);
	assert_int_equal(h.c[below].how, HH_HIDDEN_OPAQUE);
	/* replaced: exact path only; an unknown whiteout target is a no-op */
	size_t r = hh_hidden_add(&h, "usr/bin/k", 1);
	hh_hidden_on_entry(&h, 3, "usr/bin");
	assert_int_equal(h.c[r].hidden_layer, -1);
	hh_hidden_on_entry(&h, 3, "usr/bin/k");
	assert_int_equal(h.c[r].how, HH_HIDDEN_REPLACED);
	hh_hidden_on_whiteout(&h, 4, "nope/x");
	hh_hidden_on_opaque(&h, 4, "nope");
	/* opaque root hides everything lower, the same (path, layer) is one candidate */
	assert_int_equal(hh_hidden_add(&h, "a/b/new", 1), same);
	hh_hidden_on_opaque(&h, 5, "");
	assert_int_equal(h.c[same].hidden_layer, 5);
	assert_int_equal(h.c[d].hidden_layer, 5);
	hh_hidden_free(&h);
}

/* One-member archive in memory (format: "zip" or "tar"). */
static uint8_t *one_member(const char *format, const char *name, const void *data, size_t len, size_t *out_len)
{
	size_t cap = (len / 8) + (1u << 20);
	uint8_t *buf = malloc(cap);
	assert_non_null(buf);
	struct archive *a = archive_write_new();
	if (!strcmp(format, "zip"))
		archive_write_set_format_zip(a);
	else
		archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_in_last_block(a, 1);
	size_t used = 0;
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	struct archive_entry *ae = archive_entry_new();
	archive_entry_set_pathname(ae, name);
	archive_entry_set_filetype(ae, AE_IFREG);
	archive_entry_set_perm(ae, 0644);
	archive_entry_set_size(ae, (la_int64_t)len);
	assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, data, len), (la_ssize_t)len);
	archive_entry_free(ae);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	*out_len = used;
	return buf;
}

struct bomb_seen {
	unsigned errors, bomb;
	char last[512];
};

static void bomb_entry(void *user, const struct hh_walk_entry *e) { (void)user; (void)e; }

static void bomb_error(void *user, const char *label, const char *path, const char *msg)
{
	(void)label;
	struct bomb_seen *s = user;
	s->errors++;
	if (strstr(msg, "decompression bomb"))
		s->bomb++;
	snprintf(s->last, sizeof(s->last), "%s: %s", path, msg);
}

/* Issue 17: a zip inside a layer was inflated in full (only libarchive's
 * stream filters had a ratio). 96 MiB of zeros in a zip member (~100 KB),
 * the zip in a plain tar layer: stopped as a bomb after a few MiB. */
static void zip_bomb_in_layer(void **state)
{
	(void)state;
	size_t big = 96u << 20;
	uint8_t *zeros = calloc(1, big);
	assert_non_null(zeros);
	size_t zlen, tlen;
	uint8_t *zip = one_member("zip", "inner/zeros.bin", zeros, big, &zlen);
	free(zeros);
	assert_true(zlen < big / 500);
	uint8_t *layer = one_member("tar", "app/bundle.zip", zip, zlen, &tlen);
	free(zip);
	struct hh_scan_limits lim = {
		.max_file_bytes = 1u << 20, .max_total_bytes = 1ull << 34, .max_depth = 3, .max_entries = 1000,
		.max_ratio = 100, .ratio_min_bytes = 4u << 20, .max_layers = 8, .max_json_bytes = 1 << 20,
		.max_dir_depth = 8,
	};
	struct hh_walk_budget b = { 0 };
	struct bomb_seen s = { 0 };
	struct hh_walk_cb cb = { bomb_entry, bomb_error, &s, NULL };
	struct hh_blob_src src = { -1, layer, tlen };
	hh_walk_blob(&src, 0, tlen, "layer", &lim, &b, &cb);
	free(layer);
	if (!s.bomb)
		fail_msg("no bomb error; %llu bytes inflated (last error: %s)", (unsigned long long)b.bytes, s.last);
	assert_non_null(strstr(s.last, "app/bundle.zip!/inner/zeros.bin"));
	assert_true(b.bytes < (16u << 20)); /* stopped early, not 96 MiB */
}

/* ---- directory targets: symlinked components must not lead outside ---- */

static char tmp_root[128];

static void put(const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", tmp_root, rel);
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	assert_int_equal(system(cmd), 0);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void link_to(const char *rel, const char *target)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", tmp_root, rel);
	assert_int_equal(symlink(target, p), 0);
}

struct img_errs {
	unsigned n;
	char all[4096];
};

static void img_err(void *user, const char *where, const char *msg)
{
	struct img_errs *e = user;
	e->n++;
	size_t l = strlen(e->all);
	snprintf(e->all + l, sizeof(e->all) - l, "%s: %s\n", where, msg);
}

#define D64(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static void symlink_escapes(void **state)
{
	(void)state;
	snprintf(tmp_root, sizeof(tmp_root), "/tmp/hh-test-beneath-XXXXXX");
	assert_non_null(mkdtemp(tmp_root));
	/* outside: a manifest, config and layer an attacker points at */
	put("outside/sha256/" D64("a"), "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:" D64("b")
	    "\"},\"layers\":[{\"digest\":\"sha256:" D64("c") "\"}]}");
	put("outside/sha256/" D64("b"), "{\"os\":\"linux\"}");
	put("outside/sha256/" D64("c"), "not a layer");
	put("outside/config.json", "{\"os\":\"linux\"}");
	put("outside/layer.tar", "x");
	char outside[256];
	snprintf(outside, sizeof(outside), "%s/outside", tmp_root);

	/* OCI layout whose blobs directory is a symlink to the outside */
	put("oci/oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
	put("oci/index.json", "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
	    "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" D64("a") "\"}]}");
	link_to("oci/blobs", outside);
	struct hh_scan_limits lim = { .max_json_bytes = 1 << 20, .max_layers = 8 };
	struct hh_image img;
	struct img_errs e = { 0 };
	char err[512], target[256];
	snprintf(target, sizeof(target), "%s/oci", tmp_root);
	assert_int_equal(hh_image_open(target, &lim, &img, img_err, &e, err, sizeof(err)), 0);
	if (img.n_layers || img.config || !strstr(e.all, "leaves the image directory"))
		fail_msg("OCI layout: blobs -> outside followed (%zu layers, errors: %s)", img.n_layers, e.all);
	hh_image_close(&img);

	/* docker-archive directory with a manifest path through sub -> outside */
	put("dock/manifest.json", "[{\"Config\":\"sub/config.json\",\"RepoTags\":[\"x:y\"],\"Layers\":[\"sub/layer.tar\"]}]");
	link_to("dock/sub", outside);
	memset(&e, 0, sizeof(e));
	snprintf(target, sizeof(target), "%s/dock", tmp_root);
	assert_int_equal(hh_image_open(target, &lim, &img, img_err, &e, err, sizeof(err)), 0);
	if (img.config || !strstr(e.all, "leaves the image directory"))
		fail_msg("docker dir: sub -> outside followed for the config (errors: %s)", e.all);
	for (size_t i = 0; i < img.n_layers; i++) {
		struct hh_blob_src src;
		uint64_t off, size;
		int fd;
		assert_int_equal(hh_image_layer_region(&img, i, &src, &off, &size, &fd, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "leaves the image directory"));
	}
	hh_image_close(&img);

	/* both openers: inside paths open, symlinks out do not; the walk refuses any symlink */
	put("dock/real/f", "ok");
	link_to("dock/inside", "real");
	int dfd = open(target, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	int (*openers[2])(int, const char *, int, char *, size_t) = { hh_open_beneath, hh_open_beneath_walk };
	for (int k = 0; k < 2; k++) {
		int fd = openers[k](dfd, "real/f", O_RDONLY, err, sizeof(err));
		assert_true(fd >= 0);
		close(fd);
		assert_int_equal(openers[k](dfd, "sub/config.json", O_RDONLY, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "sub/config.json"));
		assert_int_equal(openers[k](dfd, "real/../../outside/config.json", O_RDONLY, err, sizeof(err)), -1);
		fd = openers[k](dfd, "inside/f", O_RDONLY, err, sizeof(err));
		if (k == 0) { /* openat2 follows a symlink that stays inside */
			assert_true(fd >= 0);
			close(fd);
		} else {
			assert_int_equal(fd, -1);
		}
	}
	close(dfd);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_root);
	assert_int_equal(system(cmd), 0);
}

static void escapes(void **state)
{
	(void)state;
	char out[64];
	assert_false(hh_escape_needed("plain/path-\xc3\xa9.txt")); /* UTF-8 letters stay */
	assert_string_equal(hh_escape_terminal("plain/path-\xc3\xa9.txt", out, sizeof(out)), "plain/path-\xc3\xa9.txt");
	assert_true(hh_escape_needed("a\x1b[2Jb"));
	assert_string_equal(hh_escape_terminal("a\x1b[2J\r\n\t\x7f", out, sizeof(out)), "a\\x1b[2J\\r\\n\\t\\x7f");
	assert_string_equal(hh_escape_terminal("\xc2\x9b" "31m", out, sizeof(out)), "\\u009b31m"); /* 8-bit CSI */
	/* cut to fit, never inside an escape */
	assert_string_equal(hh_escape_terminal("ab\x1b", out, 6), "ab");
	assert_string_equal(hh_escape_terminal("abc", out, 1), "");
}

int main(void)
{
	hh_log_set_level(HH_LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pax_crash_input),
		cmocka_unit_test(pax_neighbours),
		cmocka_unit_test(tar_flavours),
		cmocka_unit_test(pax_size_wrap),
		cmocka_unit_test(whiteouts_at_scale),
		cmocka_unit_test(whiteout_semantics),
		cmocka_unit_test(zip_bomb_in_layer),
		cmocka_unit_test(symlink_escapes),
		cmocka_unit_test(escapes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
