/* An overlay snapshot directory written as a layer tar (snapshot_tar.h):
 * a real directory with overlay whiteouts (character devices 0/0), an opaque
 * directory (trusted.overlay.opaque), a symlink pointing outside, a FIFO and
 * nested files, read back with libarchive; the limits are errors naming the
 * place. Needs root (mknod, trusted xattrs). */
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
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sources/image/layout_writer.h"
#include "sources/image/snapshot_tar.h"

static char g_dir[256];

static void put(const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", g_dir, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void mk(const char *rel)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", g_dir, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(p);
}

static int setup(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0; /* each case skips */
	snprintf(g_dir, sizeof(g_dir), "/tmp/hh-snaptar.XXXXXX");
	if (!mkdtemp(g_dir))
		return -1;
	mk("etc");
	put("etc/app.conf", "threads = 2\n");
	mk("usr");
	mk("usr/lib");
	put("usr/lib/libx.so", "ELF-ish bytes");
	mk("var");
	mk("var/cache");                     /* opaque: hides the lower layer's var/cache */
	put("var/cache/new", "fresh");
	char p[512];
	snprintf(p, sizeof(p), "%s/var/cache", g_dir);
	assert_int_equal(setxattr(p, "trusted.overlay.opaque", "y", 1, 0), 0);
	snprintf(p, sizeof(p), "%s/etc/old.conf", g_dir); /* deleted from the lower layer */
	assert_int_equal(mknod(p, S_IFCHR | 0000, makedev(0, 0)), 0);
	snprintf(p, sizeof(p), "%s/etc/passwd-link", g_dir);
	assert_int_equal(symlink("/etc/passwd", p), 0); /* written as a link, never followed */
	snprintf(p, sizeof(p), "%s/run.fifo", g_dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	nftw(g_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

struct seen {
	char names[32][128];
	int types[32];
	char bodies[32][32];
	char links[32][64];
	int n;
};

static void read_back(const struct hh_layout *l, const char *digest, struct seen *s)
{
	char p[700];
	snprintf(p, sizeof(p), "%s/blobs/sha256/%s", l->dir, digest + 7);
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_filename(a, p, 4096), ARCHIVE_OK);
	struct archive_entry *e;
	memset(s, 0, sizeof(*s));
	while (archive_read_next_header(a, &e) == ARCHIVE_OK && s->n < 32) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", archive_entry_pathname(e));
		s->types[s->n] = (int)archive_entry_filetype(e);
		if (archive_entry_filetype(e) == AE_IFREG) {
			la_ssize_t k = archive_read_data(a, s->bodies[s->n], sizeof(s->bodies[0]) - 1);
			assert_true(k >= 0);
		}
		if (archive_entry_symlink(e))
			snprintf(s->links[s->n], sizeof(s->links[0]), "%s", archive_entry_symlink(e));
		s->n++;
	}
	archive_read_free(a);
}

static int find(const struct seen *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return i;
	return -1;
}

static void need_root(void)
{
	if (geteuid() != 0) {
		printf("SKIP-PART: needs root (mknod of an overlay whiteout, trusted xattrs)\n");
		skip();
	}
}

static void whiteouts_and_entries(void **state)
{
	(void)state;
	need_root();
	struct hh_layout l;
	char err[1024], digest[80];
	uint64_t size = 0;
	assert_int_equal(hh_layout_create(&l, err, sizeof(err)), 0);
	struct hh_snapshot_limits lim = { 1 << 20, 1000, 16 };
	int rc = hh_snapshot_tar(g_dir, &lim, &l, digest, sizeof(digest), &size, err, sizeof(err));
	if (rc)
		print_message("%s\n", err);
	assert_int_equal(rc, 0);
	assert_true(size > 0 && size % 512 == 0);
	struct seen s;
	read_back(&l, digest, &s);
	int i = find(&s, "etc/app.conf");
	assert_true(i >= 0);
	assert_int_equal(s.types[i], AE_IFREG);
	assert_string_equal(s.bodies[i], "threads = 2\n");
	i = find(&s, "usr/lib/libx.so");
	assert_true(i >= 0);
	assert_string_equal(s.bodies[i], "ELF-ish bytes");
	/* the overlay whiteout is an OCI whiteout; the device itself is not written */
	assert_true(find(&s, "etc/.wh.old.conf") >= 0);
	assert_int_equal(find(&s, "etc/old.conf"), -1);
	/* the opaque directory gets its marker, and keeps its own files */
	assert_true(find(&s, "var/cache/.wh..wh..opq") >= 0);
	assert_true(find(&s, "var/cache/new") >= 0);
	i = find(&s, "var/cache/"); /* directories end in "/", as docker and buildah write them */
	assert_true(i >= 0);
	assert_int_equal(s.types[i], AE_IFDIR);
	assert_int_equal(find(&s, "var/.wh..wh..opq"), -1);
	i = find(&s, "etc/passwd-link");
	assert_true(i >= 0);
	assert_int_equal(s.types[i], AE_IFLNK);
	assert_string_equal(s.links[i], "/etc/passwd");
	i = find(&s, "run.fifo");
	assert_true(i >= 0);
	assert_int_equal(s.types[i], AE_IFIFO);
	/* a directory's entry comes before what it holds */
	int u = find(&s, "usr/"), ul = find(&s, "usr/lib/");
	assert_true(u >= 0 && u < ul && ul < find(&s, "usr/lib/libx.so"));
	hh_layout_remove(&l);
}

static void limits_are_errors(void **state)
{
	(void)state;
	need_root();
	struct hh_layout l;
	char err[1024], digest[80];
	uint64_t size = 0;
	assert_int_equal(hh_layout_create(&l, err, sizeof(err)), 0);
	struct hh_snapshot_limits few = { 1 << 20, 3, 16 };
	assert_int_equal(hh_snapshot_tar(g_dir, &few, &l, digest, sizeof(digest), &size, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "scan.max_entries"));
	assert_true(strncmp(err, g_dir, strlen(g_dir)) == 0); /* names the snapshot */
	struct hh_snapshot_limits shallow = { 1 << 20, 1000, 1 };
	assert_int_equal(hh_snapshot_tar(g_dir, &shallow, &l, digest, sizeof(digest), &size, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "scan.max_dir_depth"));
	assert_non_null(strstr(err, "usr/lib")); /* the directory too deep */
	struct hh_snapshot_limits small = { 1024, 1000, 16 };
	assert_int_equal(hh_snapshot_tar(g_dir, &small, &l, digest, sizeof(digest), &size, err, sizeof(err)), -1);
	char missing[300];
	snprintf(missing, sizeof(missing), "%s/absent", g_dir);
	assert_int_equal(hh_snapshot_tar(missing, &few, &l, digest, sizeof(digest), &size, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "absent"));
	/* a snapshot root that is a symlink is not followed */
	char link[300];
	snprintf(link, sizeof(link), "%s/etc/passwd-link", g_dir);
	assert_int_equal(hh_snapshot_tar(link, &few, &l, digest, sizeof(digest), &size, err, sizeof(err)), -1);
	hh_layout_remove(&l);
}

static void chain_ids(void **state)
{
	(void)state;
	/* the first layer's chain id is its diff_id; the next hashes "PARENT DIFF" */
	const char *d1 = "sha256:e93929609d49a665dfe3681646f34442c6b18c75944712a221e9d1e1d442c55d";
	const char *d2 = "sha256:c591a69ac8a86902706bde08f3cb8c614bd49e69cc3510cbb990d1264b99220d";
	char c1[72], c2[72], pair[160], want[72];
	assert_int_equal(hh_chain_id(NULL, d1, c1), 0);
	assert_string_equal(c1, d1);
	assert_int_equal(hh_chain_id("", d1, c1), 0);
	assert_string_equal(c1, d1);
	assert_int_equal(hh_chain_id(c1, d2, c2), 0);
	snprintf(pair, sizeof(pair), "%s %s", d1, d2);
	assert_int_equal(hh_sha256_digest(pair, strlen(pair), want), 0);
	assert_string_equal(c2, want);
	assert_int_equal(strncmp(c2, "sha256:", 7), 0);
	assert_int_equal(strlen(c2), 71);
	char huge[200];
	memset(huge, 'a', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = 0;
	assert_int_equal(hh_chain_id(NULL, huge, c1), -1);
	assert_int_equal(hh_chain_id(huge, d1, c1), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whiteouts_and_entries),
		cmocka_unit_test(limits_are_errors),
		cmocka_unit_test(chain_ids),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
