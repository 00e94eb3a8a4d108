/* Fuzzes the read-only BoltDB reader (boltdb.h) as containerd.c uses it:
 * open a whole file, walk every nested bucket with the cursor, and look an
 * image's target up by key path. Any input must end in an answer or an error;
 * a crash, overrun or hang is a bug. Seeds (fuzz/corpus/boltdb) are written
 * by tests/data/containerd/mkbolt.py: one root leaf page with overflow pages
 * and inline buckets, and a branch page over two leaves. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sources/image/boltdb.h"

struct walk {
	const struct hh_bolt *db;
	unsigned depth;
	size_t keys;
};

static int each(void *user, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool is_bucket)
{
	struct walk *w = user;
	char err[400];
	w->keys++;
	if (!is_bucket || w->depth >= 8 || w->keys > 100000)
		return 0;
	struct hh_bolt_bucket b;
	if (hh_bolt_bucket_of(w->db, v, vl, &b, err, sizeof(err)) < 0)
		return 0;
	w->depth++;
	/* a nested bucket: look its own first key up again, then walk it */
	const uint8_t *gv;
	size_t gl;
	bool gb;
	(void)hh_bolt_get(w->db, &b, k, kl, &gv, &gl, &gb, err, sizeof(err));
	(void)hh_bolt_foreach(w->db, &b, each, w, err, sizeof(err));
	w->depth--;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hh_bolt db;
	char err[400];
	if (hh_bolt_open_mem(&db, "fuzz.db", data, size, err, sizeof(err)) < 0)
		return 0;
	struct hh_bolt_bucket root, t;
	hh_bolt_root(&db, &root);
	struct walk w = { &db, 0, 0 };
	(void)hh_bolt_foreach(&db, &root, each, &w, err, sizeof(err));
	const char *path[] = { "v1", "k8s.io", "images", "localhost/hh-stores-31164-miner:test", "target" };
	if (hh_bolt_bucket_path(&db, &root, path, 5, &t, err, sizeof(err)) == 1) {
		const uint8_t *v;
		size_t vl;
		bool isb;
		if (hh_bolt_get(&db, &t, "digest", 6, &v, &vl, &isb, err, sizeof(err)) == 1 && vl &&
		    (v < db.data || v + vl > db.data + db.size))
			__builtin_trap(); /* a value must lie inside the file */
	}
	hh_bolt_close(&db);
	return 0;
}
