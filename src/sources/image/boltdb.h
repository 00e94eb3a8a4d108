/* A read-only, bounds-checked reader of BoltDB (bbolt) files, the format of
 * containerd's metadata store (io.containerd.metadata.v1.bolt/meta.db); there
 * is no C library for it. What it reads (go.etcd.io/bbolt, file format 2):
 *  - pages of the size the meta page records; page 0 and 1 are meta pages
 *    (magic 0xED0CDAED, version 2, FNV-1a 64 checksum of the first 56 bytes);
 *    the valid one with the higher txid is the current transaction;
 *  - branch pages (keys and child page ids) and leaf pages (keys and values,
 *    flag 1 on a value that is a nested bucket), each spanning 1 + overflow
 *    pages; a bucket value is {root page id, sequence}, root 0 meaning an
 *    inline bucket whose leaf page follows in the value itself.
 * The whole file is read into memory once (containerd holds the file's lock
 * while it runs, so none is taken; a torn read fails a checksum or a bound).
 * Every page id, element offset, count and length is checked against the
 * data; descent depth and pages visited per call are capped, so a cycle or a
 * shared subtree ends in an error. Errors name the file and the page. */
#ifndef HH_BOLTDB_H
#define HH_BOLTDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HH_BOLT_MAX_FILE (1ull << 30) /* meta.db files are megabytes; refuse more than 1 GiB */
#define HH_BOLT_MAX_DEPTH 64          /* branch levels of one bucket (bbolt trees are a few deep) */

struct hh_bolt {
	uint8_t *data;      /* the file's bytes (owned) */
	size_t size;
	uint32_t psize;     /* page size */
	uint64_t npages;    /* pages that may be referenced: min(high-water mark, size / psize) */
	uint64_t root;      /* the root bucket's page */
	uint64_t txid;
	char name[256];     /* for messages */
};

/* A bucket: a root page, or an inline leaf page held in a value (inl). */
struct hh_bolt_bucket {
	uint64_t root;
	const uint8_t *inl;
	size_t inl_len;
};

/* Reads path. Returns 0, or -1 with err naming the file and the problem. */
int hh_bolt_open(struct hh_bolt *db, const char *path, char *err, size_t errlen);
/* The same over a copy of len bytes of buf (fuzzing, tests); name labels errors. */
int hh_bolt_open_mem(struct hh_bolt *db, const char *name, const void *buf, size_t len, char *err, size_t errlen);
void hh_bolt_close(struct hh_bolt *db);

/* The top-level bucket (holding the named buckets of the file). */
void hh_bolt_root(const struct hh_bolt *db, struct hh_bolt_bucket *b);

/* Looks up key in b. Returns 1 when found (*val and *vlen point into the file's
 * bytes, valid until close; *is_bucket says whether it is a nested bucket),
 * 0 when absent, -1 when the file is corrupt (err). */
int hh_bolt_get(const struct hh_bolt *db, const struct hh_bolt_bucket *b, const void *key, size_t klen,
		const uint8_t **val, size_t *vlen, bool *is_bucket, char *err, size_t errlen);

/* Follows n nested bucket names from b into *out. Returns 1, 0 when one is
 * absent or is a plain value, -1 when corrupt. */
int hh_bolt_bucket_path(const struct hh_bolt *db, const struct hh_bolt_bucket *b, const char *const *names,
			size_t n, struct hh_bolt_bucket *out, char *err, size_t errlen);

/* Opens the nested bucket held in a value returned for is_bucket. Returns 0 or -1. */
int hh_bolt_bucket_of(const struct hh_bolt *db, const uint8_t *val, size_t vlen, struct hh_bolt_bucket *out,
		      char *err, size_t errlen);

/* Calls fn for each key of b in the file's order (a cursor over the whole
 * bucket). fn returns 0 to go on, anything else to stop, which is returned.
 * Returns 0 at the end, -1 when corrupt (err). */
typedef int (*hh_bolt_each_fn)(void *user, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
			       bool is_bucket);
int hh_bolt_foreach(const struct hh_bolt *db, const struct hh_bolt_bucket *b, hh_bolt_each_fn fn, void *user,
		    char *err, size_t errlen);

#endif
