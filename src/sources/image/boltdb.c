/* Read-only BoltDB reader (see boltdb.h). Multi-byte fields are little-endian
 * (bbolt writes the host order; every platform containerd ships on is
 * little-endian) and unaligned in values, so they are read byte-wise. */
#include "sources/image/boltdb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fileio.h"

#define MAGIC 0xED0CDAEDu
#define VERSION 2u
#define PAGE_HDR 16u   /* id u64, flags u16, count u16, overflow u32 */
#define ELEM 16u       /* branch: pos, ksize, pgid; leaf: flags, pos, ksize, vsize */
#define META_LEN 64u   /* magic .. checksum */
#define META_SUMMED 56u
#define F_BRANCH 0x01u
#define F_LEAF 0x02u
#define F_META 0x04u
#define LEAF_BUCKET 0x01u
#define BUCKET_HDR 16u /* root u64, sequence u64 */

struct page {
	const uint8_t *p;
	size_t len;       /* header included */
	uint64_t id;      /* 0: inline */
	uint16_t flags, count;
};

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

__attribute__((format(printf, 4, 5))) static int fail(const struct hh_bolt *db, char *err, size_t errlen,
						      const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s: %s", db->name, msg);
	return -1;
}

static uint64_t fnv64a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

struct meta {
	uint32_t psize;
	uint64_t root, pgid, txid;
};

/* The meta page at byte off, when it is whole and its checksum holds. */
static bool meta_at(const struct hh_bolt *db, size_t off, struct meta *m)
{
	if (off > db->size || db->size - off < PAGE_HDR + META_LEN)
		return false;
	const uint8_t *p = db->data + off, *b = p + PAGE_HDR;
	if (!(le16(p + 8) & F_META) || le32(b) != MAGIC || le32(b + 4) != VERSION ||
	    fnv64a(b, META_SUMMED) != le64(b + 56))
		return false;
	m->psize = le32(b + 8);
	m->root = le64(b + 16);
	m->pgid = le64(b + 40);
	m->txid = le64(b + 48);
	return m->psize >= 512 && m->psize <= (1u << 20) && !(m->psize & (m->psize - 1));
}

static int pick_meta(struct hh_bolt *db, char *err, size_t errlen)
{
	struct meta m0, m1, *use = NULL;
	bool ok0 = meta_at(db, 0, &m0), ok1 = false;
	if (ok0) {
		ok1 = meta_at(db, m0.psize, &m1) && m1.psize == m0.psize;
	} else {
		/* page 0 is damaged: page 1 sits at a page size of a common size */
		for (uint32_t ps = 512; ps <= 65536 && !ok1; ps *= 2)
			ok1 = meta_at(db, ps, &m1) && m1.psize == ps;
	}
	if (ok0 && (!ok1 || m0.txid >= m1.txid))
		use = &m0;
	else if (ok1)
		use = &m1;
	if (!use)
		return fail(db, err, errlen, "page 0 and 1: no valid meta page (not a BoltDB file, or both damaged)");
	db->psize = use->psize;
	db->txid = use->txid;
	db->root = use->root;
	uint64_t in_file = db->size / use->psize;
	db->npages = use->pgid < in_file ? use->pgid : in_file;
	if (db->root < 2 || db->root >= db->npages)
		return fail(db, err, errlen, "meta page (txid %llu): root page %llu outside the %llu pages in use",
			    (unsigned long long)db->txid, (unsigned long long)db->root, (unsigned long long)db->npages);
	return 0;
}

int hh_bolt_open_mem(struct hh_bolt *db, const char *name, const void *buf, size_t len, char *err, size_t errlen)
{
	memset(db, 0, sizeof(*db));
	snprintf(db->name, sizeof(db->name), "%s", name);
	if (len > HH_BOLT_MAX_FILE)
		return fail(db, err, errlen, "larger than %llu bytes", (unsigned long long)HH_BOLT_MAX_FILE);
	db->data = malloc(len ? len : 1);
	if (!db->data)
		return fail(db, err, errlen, "out of memory");
	memcpy(db->data, buf, len);
	db->size = len;
	if (pick_meta(db, err, errlen) < 0) {
		hh_bolt_close(db);
		return -1;
	}
	return 0;
}

int hh_bolt_open(struct hh_bolt *db, const char *path, char *err, size_t errlen)
{
	memset(db, 0, sizeof(*db));
	snprintf(db->name, sizeof(db->name), "%s", path);
	struct stat st;
	if (stat(path, &st) < 0)
		return fail(db, err, errlen, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(db, err, errlen, "not a regular file");
	struct hh_buf buf;
	char inner[300];
	if (hh_read_file(path, HH_BOLT_MAX_FILE, &buf, inner, sizeof(inner)) < 0) {
		snprintf(err, errlen, "%s", inner);
		return -1;
	}
	db->data = (uint8_t *)buf.data;
	db->size = buf.len;
	if (pick_meta(db, err, errlen) < 0) {
		hh_bolt_close(db);
		return -1;
	}
	return 0;
}

void hh_bolt_close(struct hh_bolt *db)
{
	free(db->data);
	db->data = NULL;
	db->size = 0;
}

void hh_bolt_root(const struct hh_bolt *db, struct hh_bolt_bucket *b)
{
	b->root = db->root;
	b->inl = NULL;
	b->inl_len = 0;
}

static int check_elems(const struct hh_bolt *db, struct page *pg, char *err, size_t errlen)
{
	if (!(pg->flags & (F_BRANCH | F_LEAF)) || (pg->flags & F_BRANCH && pg->flags & F_LEAF))
		return fail(db, err, errlen, "page %llu: flags 0x%x are neither branch nor leaf",
			    (unsigned long long)pg->id, pg->flags);
	if (PAGE_HDR + (size_t)pg->count * ELEM > pg->len)
		return fail(db, err, errlen, "page %llu: %u elements do not fit in %zu bytes",
			    (unsigned long long)pg->id, pg->count, pg->len);
	return 0;
}

static int load_page(const struct hh_bolt *db, uint64_t id, struct page *pg, char *err, size_t errlen)
{
	if (id < 2 || id >= db->npages)
		return fail(db, err, errlen, "page %llu referenced, outside the %llu pages in use",
			    (unsigned long long)id, (unsigned long long)db->npages);
	const uint8_t *p = db->data + id * db->psize;
	uint64_t span = 1 + (uint64_t)le32(p + 12);
	if (le64(p) != id)
		return fail(db, err, errlen, "page %llu: header says page %llu", (unsigned long long)id,
			    (unsigned long long)le64(p));
	if (span > db->npages - id)
		return fail(db, err, errlen, "page %llu: %llu overflow pages run past the end",
			    (unsigned long long)id, (unsigned long long)(span - 1));
	pg->p = p;
	pg->len = (size_t)(span * db->psize);
	pg->id = id;
	pg->flags = le16(p + 8);
	pg->count = le16(p + 10);
	return check_elems(db, pg, err, errlen);
}

static int bucket_page(const struct hh_bolt *db, const struct hh_bolt_bucket *b, struct page *pg, char *err,
		       size_t errlen)
{
	if (!b->inl)
		return load_page(db, b->root, pg, err, errlen);
	pg->p = b->inl;
	pg->len = b->inl_len;
	pg->id = 0;
	pg->flags = le16(b->inl + 8);
	pg->count = le16(b->inl + 10);
	if (!(pg->flags & F_LEAF))
		return fail(db, err, errlen, "inline bucket: page flags 0x%x, want a leaf", pg->flags);
	return check_elems(db, pg, err, errlen);
}

/* Element i of a leaf: key, value, flags, all checked inside the page. */
static int leaf_elem(const struct hh_bolt *db, const struct page *pg, unsigned i, const uint8_t **k, size_t *kl,
		     const uint8_t **v, size_t *vl, uint32_t *flags, char *err, size_t errlen)
{
	const uint8_t *e = pg->p + PAGE_HDR + (size_t)i * ELEM;
	uint64_t off = (uint64_t)(PAGE_HDR + (size_t)i * ELEM) + le32(e + 4);
	uint64_t ks = le32(e + 8), vs = le32(e + 12);
	if (off + ks + vs > pg->len)
		return fail(db, err, errlen, "page %llu: leaf element %u (%llu+%llu bytes at %llu) runs past the page",
			    (unsigned long long)pg->id, i, (unsigned long long)ks, (unsigned long long)vs,
			    (unsigned long long)off);
	*flags = le32(e);
	*k = pg->p + off;
	*kl = (size_t)ks;
	*v = pg->p + off + ks;
	*vl = (size_t)vs;
	return 0;
}

static int branch_elem(const struct hh_bolt *db, const struct page *pg, unsigned i, const uint8_t **k, size_t *kl,
		       uint64_t *child, char *err, size_t errlen)
{
	const uint8_t *e = pg->p + PAGE_HDR + (size_t)i * ELEM;
	uint64_t off = (uint64_t)(PAGE_HDR + (size_t)i * ELEM) + le32(e);
	uint64_t ks = le32(e + 4);
	if (off + ks > pg->len)
		return fail(db, err, errlen, "page %llu: branch element %u runs past the page",
			    (unsigned long long)pg->id, i);
	*k = pg->p + off;
	*kl = (size_t)ks;
	*child = le64(e + 8);
	return 0;
}

/* bytes.Compare */
static int keycmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	return c ? c : (al < bl ? -1 : al > bl);
}

int hh_bolt_get(const struct hh_bolt *db, const struct hh_bolt_bucket *b, const void *key, size_t klen,
		const uint8_t **val, size_t *vlen, bool *is_bucket, char *err, size_t errlen)
{
	struct page pg;
	if (bucket_page(db, b, &pg, err, errlen) < 0)
		return -1;
	for (unsigned depth = 0; depth < HH_BOLT_MAX_DEPTH; depth++) {
		if (pg.flags & F_LEAF) {
			for (unsigned i = 0; i < pg.count; i++) {
				const uint8_t *k, *v;
				size_t kl, vl;
				uint32_t fl;
				if (leaf_elem(db, &pg, i, &k, &kl, &v, &vl, &fl, err, errlen) < 0)
					return -1;
				if (!keycmp(k, kl, key, klen)) {
					*val = v;
					*vlen = vl;
					*is_bucket = fl & LEAF_BUCKET;
					return 1;
				}
			}
			return 0;
		}
		if (!pg.id)
			return fail(db, err, errlen, "inline bucket with a branch page");
		/* the child whose first key is the last one <= key (bbolt's search) */
		uint64_t child = 0;
		for (unsigned i = 0; i < pg.count; i++) {
			const uint8_t *k;
			size_t kl;
			uint64_t c;
			if (branch_elem(db, &pg, i, &k, &kl, &c, err, errlen) < 0)
				return -1;
			if (i == 0 || keycmp(k, kl, key, klen) <= 0)
				child = c;
			else
				break;
		}
		if (!pg.count)
			return fail(db, err, errlen, "page %llu: empty branch page", (unsigned long long)pg.id);
		if (load_page(db, child, &pg, err, errlen) < 0)
			return -1;
	}
	return fail(db, err, errlen, "page %llu: more than %d branch levels (a cycle?)", (unsigned long long)pg.id,
		    HH_BOLT_MAX_DEPTH);
}

int hh_bolt_bucket_of(const struct hh_bolt *db, const uint8_t *val, size_t vlen, struct hh_bolt_bucket *out,
		      char *err, size_t errlen)
{
	if (vlen < BUCKET_HDR)
		return fail(db, err, errlen, "bucket value of %zu bytes, want %u or more", vlen, BUCKET_HDR);
	out->root = le64(val);
	out->inl = NULL;
	out->inl_len = 0;
	if (out->root)
		return 0;
	if (vlen < BUCKET_HDR + PAGE_HDR)
		return fail(db, err, errlen, "inline bucket of %zu bytes, shorter than a page header", vlen);
	out->inl = val + BUCKET_HDR;
	out->inl_len = vlen - BUCKET_HDR;
	return 0;
}

int hh_bolt_bucket_path(const struct hh_bolt *db, const struct hh_bolt_bucket *b, const char *const *names,
			size_t n, struct hh_bolt_bucket *out, char *err, size_t errlen)
{
	struct hh_bolt_bucket cur = *b;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *v;
		size_t vl;
		bool isb;
		int rc = hh_bolt_get(db, &cur, names[i], strlen(names[i]), &v, &vl, &isb, err, errlen);
		if (rc <= 0)
			return rc;
		if (!isb)
			return 0;
		if (hh_bolt_bucket_of(db, v, vl, &cur, err, errlen) < 0)
			return -1;
	}
	*out = cur;
	return 1;
}

struct walk {
	hh_bolt_each_fn fn;
	void *user;
	uint64_t budget;   /* pages left to visit: a tree visits each page once */
	char *err;
	size_t errlen;
};

static int visit(const struct hh_bolt *db, const struct page *pg, unsigned depth, struct walk *w)
{
	if (pg->flags & F_LEAF) {
		for (unsigned i = 0; i < pg->count; i++) {
			const uint8_t *k, *v;
			size_t kl, vl;
			uint32_t fl;
			if (leaf_elem(db, pg, i, &k, &kl, &v, &vl, &fl, w->err, w->errlen) < 0)
				return -1;
			int rc = w->fn(w->user, k, kl, v, vl, fl & LEAF_BUCKET);
			if (rc)
				return rc;
		}
		return 0;
	}
	if (!pg->id)
		return fail(db, w->err, w->errlen, "inline bucket with a branch page");
	if (depth + 1 >= HH_BOLT_MAX_DEPTH)
		return fail(db, w->err, w->errlen, "page %llu: more than %d branch levels (a cycle?)",
			    (unsigned long long)pg->id, HH_BOLT_MAX_DEPTH);
	for (unsigned i = 0; i < pg->count; i++) {
		const uint8_t *k;
		size_t kl;
		uint64_t child;
		struct page cp;
		if (branch_elem(db, pg, i, &k, &kl, &child, w->err, w->errlen) < 0)
			return -1;
		if (!w->budget--)
			return fail(db, w->err, w->errlen, "page %llu: pages reached more than once (a cycle?)",
				    (unsigned long long)pg->id);
		if (load_page(db, child, &cp, w->err, w->errlen) < 0)
			return -1;
		int rc = visit(db, &cp, depth + 1, w);
		if (rc)
			return rc;
	}
	return 0;
}

int hh_bolt_foreach(const struct hh_bolt *db, const struct hh_bolt_bucket *b, hh_bolt_each_fn fn, void *user,
		    char *err, size_t errlen)
{
	struct page pg;
	if (bucket_page(db, b, &pg, err, errlen) < 0)
		return -1;
	struct walk w = { fn, user, db->npages, err, errlen };
	return visit(db, &pg, 0, &w);
}
