/* The BoltDB reader (boltdb.h) on a real containerd meta.db and on damaged
 * copies of it.
 *
 * tests/data/containerd/meta.db.gz was recorded by
 * tests/integration/scan_image_stores.sh with HH_RECORD_METADB=FILE: containerd
 * 1.6.20 (Debian 12) after `ctr -n k8s.io images import --no-unpack` of the
 * test's two docker-archive images (localhost/hh-stores-31164-miner:test and
 * ...-clean:test), then stopped; gzip -9 (128 KiB -> 2 KiB). Its 23 pages in use of
 * 4096 bytes hold leaf pages only, inline buckets (target, labels) and two
 * valid meta pages (txid 42, root 18; txid 41, root 11). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "sources/image/boltdb.h"

#define MINER "localhost/hh-stores-31164-miner:test"
#define MINER_TARGET "sha256:22341b5be5c61c44f6d59a282bc512966fd84c4ba2cee0f46e7e2fd0d83c2c96"
#define PS 4096

static uint8_t *real;
static size_t real_len;

static void load_real(void)
{
	if (real)
		return;
	const char *r = getenv("HH_ROOT");
	char p[1024];
	snprintf(p, sizeof(p), "%s/tests/data/containerd/meta.db.gz", r ? r : ".");
	gzFile gz = gzopen(p, "rb");
	if (!gz)
		fail_msg("%s: cannot open", p);
	real = malloc(1 << 20);
	int n = gzread(gz, real, 1 << 20);
	gzclose(gz);
	assert_true(n > 0);
	real_len = (size_t)n;
	assert_int_equal(real_len, 32 * PS); /* bbolt grows the file ahead of its 23 pages in use */
}

/* digest of image name in namespace k8s.io: 1 found, 0, -1 */
static int target_of(const struct hh_bolt *db, const char *name, char *out, size_t n, char *err, size_t errlen)
{
	struct hh_bolt_bucket root, t;
	hh_bolt_root(db, &root);
	const char *path[] = { "v1", "k8s.io", "images", name, "target" };
	int rc = hh_bolt_bucket_path(db, &root, path, 5, &t, err, errlen);
	if (rc <= 0)
		return rc;
	const uint8_t *v;
	size_t vl;
	bool isb;
	rc = hh_bolt_get(db, &t, "digest", 6, &v, &vl, &isb, err, errlen);
	if (rc == 1) {
		assert_false(isb);
		assert_true(vl < n);
		memcpy(out, v, vl);
		out[vl] = 0;
	}
	return rc;
}

struct count {
	size_t keys, buckets;
	const struct hh_bolt *db;
	unsigned depth;
	char *err;
};

/* Every key of every nested bucket (what a cursor sees). */
static int count_each(void *user, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	struct count *c = user;
	c->keys++;
	if (!isb)
		return 0;
	c->buckets++;
	if (c->depth > 16)
		return 0;
	struct hh_bolt_bucket b;
	if (hh_bolt_bucket_of(c->db, v, vl, &b, c->err, 400) < 0)
		return -1;
	c->depth++;
	int rc = hh_bolt_foreach(c->db, &b, count_each, c, c->err, 400);
	c->depth--;
	return rc;
}

static int walk_all(const struct hh_bolt *db, struct count *c, char *err)
{
	memset(c, 0, sizeof(*c));
	c->db = db;
	c->err = err;
	struct hh_bolt_bucket root;
	hh_bolt_root(db, &root);
	return hh_bolt_foreach(db, &root, count_each, c, err, 400);
}

static void test_real_file(void **st)
{
	(void)st;
	load_real();
	/* through the file API, as containerd.c opens it */
	char path[] = "/tmp/hh-test-boltdb.XXXXXX", err[400], dg[128];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, real, real_len), (ssize_t)real_len);
	close(fd);
	struct hh_bolt db;
	int rc = hh_bolt_open(&db, path, err, sizeof(err));
	unlink(path);
	if (rc)
		fail_msg("%s", err);
	assert_int_equal(db.psize, PS);
	assert_int_equal(db.txid, 42);
	assert_int_equal(db.root, 18);
	assert_int_equal(target_of(&db, MINER, dg, sizeof(dg), err, sizeof(err)), 1);
	assert_string_equal(dg, MINER_TARGET);
	assert_int_equal(target_of(&db, "localhost/hh-stores-31164-clean:test", dg, sizeof(dg), err, sizeof(err)), 1);
	assert_int_equal(target_of(&db, "localhost/nosuch:test", dg, sizeof(dg), err, sizeof(err)), 0);
	assert_int_equal(target_of(&db, "", dg, sizeof(dg), err, sizeof(err)), 0);
	/* a plain value on the path is not a bucket */
	struct hh_bolt_bucket root, b;
	hh_bolt_root(&db, &root);
	const char *through_value[] = { "v1", "version", "x" };
	assert_int_equal(hh_bolt_bucket_path(&db, &root, through_value, 3, &b, err, sizeof(err)), 0);
	struct count c;
	assert_int_equal(walk_all(&db, &c, err), 0);
	assert_int_equal(c.keys, 76); /* v1, k8s.io, 10 content blobs with their keys and labels, 2 images */
	assert_int_equal(c.buckets, 26);
	hh_bolt_close(&db);
	/* a missing file names itself */
	assert_int_equal(hh_bolt_open(&db, "/nonexistent/meta.db", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/meta.db"));
}

static int open_copy(uint8_t *buf, size_t len, struct hh_bolt *db, char *err)
{
	return hh_bolt_open_mem(db, "meta.db", buf, len, err, 400);
}

static void test_meta_pick(void **st)
{
	(void)st;
	load_real();
	uint8_t *b = malloc(real_len);
	char err[400];
	struct hh_bolt db;
	/* page 0 damaged: page 1 (txid 41) is taken */
	memcpy(b, real, real_len);
	b[16 + 20] ^= 1;
	assert_int_equal(open_copy(b, real_len, &db, err), 0);
	assert_int_equal(db.txid, 41);
	assert_int_equal(db.root, 11);
	hh_bolt_close(&db);
	/* page 1 damaged: page 0 */
	memcpy(b, real, real_len);
	b[PS + 16 + 50] ^= 1;
	assert_int_equal(open_copy(b, real_len, &db, err), 0);
	assert_int_equal(db.txid, 42);
	hh_bolt_close(&db);
	/* both: refused, naming the file and the pages */
	b[16 + 20] ^= 1;
	assert_int_equal(open_copy(b, real_len, &db, err), -1);
	assert_non_null(strstr(err, "meta.db: page 0 and 1: no valid meta page"));
	free(b);
}

static void test_truncated(void **st)
{
	(void)st;
	load_real();
	char err[400], dg[128];
	static const size_t cuts[] = { 0, 1, 15, 79, 80, PS - 1, PS, PS + 79, 2 * PS, 11 * PS, 18 * PS, 18 * PS + 100,
				       19 * PS - 1, 22 * PS };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		struct hh_bolt db;
		if (open_copy(real, cuts[i], &db, err) < 0) {
			assert_non_null(strstr(err, "meta.db: "));
			continue;
		}
		/* what opened must answer or fail cleanly */
		int rc = target_of(&db, MINER, dg, sizeof(dg), err, sizeof(err));
		assert_true(rc >= -1 && rc <= 1);
		if (rc < 0)
			assert_non_null(strstr(err, "page"));
		hh_bolt_close(&db);
	}
	/* cut inside the root page's span: the root is outside the pages in use */
	struct hh_bolt db;
	assert_int_equal(open_copy(real, 18 * PS + 100, &db, err), -1);
	assert_non_null(strstr(err, "root page 18 outside the 18 pages in use"));
}

/* A damaged copy opens (its meta pages are intact) and the lookup of the
 * miner's target fails with want in the message. */
static void lookup_fails(const uint8_t *b, const char *want)
{
	struct hh_bolt db;
	char err[400], dg[128];
	assert_int_equal(open_copy((uint8_t *)b, real_len, &db, err), 0);
	assert_int_equal(target_of(&db, MINER, dg, sizeof(dg), err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("got \"%s\", want \"%s\"", err, want);
	hh_bolt_close(&db);
}

static void test_corrupt_pages(void **st)
{
	(void)st;
	load_real();
	uint8_t *b = malloc(real_len);
	char err[400], dg[128];
	struct hh_bolt db;
	memcpy(b, real, real_len);
	b[18 * PS] = 17;
	lookup_fails(b, "page 18: header says page 17");
	memcpy(b, real, real_len);
	b[18 * PS + 10] = 0xff;
	b[18 * PS + 11] = 0xff;
	lookup_fails(b, "page 18: 65535 elements do not fit");
	memcpy(b, real, real_len);
	b[18 * PS + 12] = 9;
	lookup_fails(b, "page 18: 9 overflow pages run past the end");
	memcpy(b, real, real_len);
	b[18 * PS + 16 + 4 + 3] = 0x7f; /* a key offset far outside the page */
	lookup_fails(b, "page 18: leaf element 0");
	/* a branch page whose only child is itself: a cycle ends in an error */
	memcpy(b, real, real_len);
	uint8_t *p = b + 18 * PS;
	p[8] = 0x01; /* branch */
	p[10] = 1;
	p[11] = 0;
	memset(p + 16, 0, 16);
	p[16] = 16;  /* pos: key right after the element, 0 bytes */
	p[24] = 18;  /* child: page 18 */
	assert_int_equal(open_copy(b, real_len, &db, err), 0);
	assert_int_equal(target_of(&db, MINER, dg, sizeof(dg), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "branch levels"));
	struct count c;
	assert_int_equal(walk_all(&db, &c, err), -1);
	assert_non_null(strstr(err, "meta.db: page 18"));
	hh_bolt_close(&db);
	free(b);
}

/* A branch page (the recorded file has none): fuzz/corpus/boltdb/branch.db,
 * written by tests/data/containerd/mkbolt.py, a branch over two leaves. */
static void test_branch(void **st)
{
	(void)st;
	const char *r = getenv("HH_ROOT");
	char p[1024], err[400], dg[128];
	snprintf(p, sizeof(p), "%s/fuzz/corpus/boltdb/branch.db", r ? r : ".");
	struct hh_bolt db;
	if (hh_bolt_open(&db, p, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(db.psize, 512);
	assert_int_equal(target_of(&db, MINER, dg, sizeof(dg), err, sizeof(err)), 1);
	assert_string_equal(dg, MINER_TARGET);
	struct hh_bolt_bucket root;
	hh_bolt_root(&db, &root);
	const uint8_t *v;
	size_t vl;
	bool isb;
	assert_int_equal(hh_bolt_get(&db, &root, "zz", 2, &v, &vl, &isb, err, sizeof(err)), 1);
	assert_int_equal(vl, 4);
	assert_memory_equal(v, "last", 4);
	/* before the first key, between and after: looked for in the right leaf, absent */
	assert_int_equal(hh_bolt_get(&db, &root, "a", 1, &v, &vl, &isb, err, sizeof(err)), 0);
	assert_int_equal(hh_bolt_get(&db, &root, "x", 1, &v, &vl, &isb, err, sizeof(err)), 0);
	assert_int_equal(hh_bolt_get(&db, &root, "zzz", 3, &v, &vl, &isb, err, sizeof(err)), 0);
	struct count c;
	assert_int_equal(walk_all(&db, &c, err), 0);
	assert_int_equal(c.keys, 19);
	hh_bolt_close(&db);
}

/* Random damage: every outcome is an answer or an error, never a crash,
 * overrun or hang (the sanitizer build checks the first two). */
static void test_random_damage(void **st)
{
	(void)st;
	load_real();
	uint8_t *b = malloc(real_len);
	char err[400];
	srand(11);
	size_t failed = 0;
	for (int round = 0; round < 3000; round++) {
		memcpy(b, real, real_len);
		for (int k = 0; k < 1 + round % 8; k++) {
			/* where the data is: the 23 pages in use */
			size_t at = (size_t)rand() % (23 * PS);
			b[at] = (uint8_t)rand();
		}
		struct hh_bolt db;
		if (open_copy(b, real_len, &db, err) < 0) {
			failed++;
			continue;
		}
		struct count c;
		if (walk_all(&db, &c, err) < 0)
			failed++;
		hh_bolt_close(&db);
	}
	free(b);
	print_message("%zu of 3000 damaged copies refused\n", failed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_file),     cmocka_unit_test(test_meta_pick),
		cmocka_unit_test(test_truncated),     cmocka_unit_test(test_corrupt_pages),
		cmocka_unit_test(test_branch),        cmocka_unit_test(test_random_damage),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(real);
	return rc;
}
