/* containerd images read in place (see containerd.h). */
#include "sources/image/containerd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <jansson.h>

#include "core/fileio.h"
#include "core/log.h"
#include "sources/image/boltdb.h"
#include "sources/image/registry.h"
#include "sources/image/snapshot_tar.h"

#define META_DB "io.containerd.metadata.v1.bolt/meta.db"
#define BLOBS "io.containerd.content.v1.content/blobs/sha256"
#define OVERLAY_SNAP "io.containerd.snapshotter.v1.overlayfs"
#define SNAP_COMMITTED 3    /* snapshots.KindCommitted in the snapshotter's kind key */
#define MAX_NAMESPACES 64   /* namespaces tried when none is configured */
#define MAX_NESTING 4       /* index inside index */
#define MAX_LAYERS 512

void hh_containerd_root(const char *cfg_root, char *out, size_t n)
{
	snprintf(out, n, "%s", cfg_root && *cfg_root ? cfg_root : "/var/lib/containerd");
}

struct cd {
	const char *root, *name, *ns;
	const struct hh_containerd_opts *o;
	const struct hh_layout *l;
	size_t *errors;
	char *err;
	size_t errlen;
};

/* ROOT/.../sha256/HEX for "sha256:HEX"; -1 for any other digest (containerd
 * itself only stores sha256, and the hex must not name another path). */
static int blob_path(const struct cd *c, const char *digest, char *out, size_t n)
{
	if (!digest || strncmp(digest, "sha256:", 7) || strlen(digest) != 71 ||
	    strspn(digest + 7, "0123456789abcdef") != 64) {
		snprintf(c->err, c->errlen, "%s: digest \"%.80s\" is not sha256:<64 hex>", c->name,
			 digest ? digest : "");
		return -1;
	}
	snprintf(out, n, "%s/" BLOBS "/%s", c->root, digest + 7);
	return 0;
}

static void mismatch(const struct cd *c, const char *what, const char *want, const char *got)
{
	(*c->errors)++;
	hh_err("scan: %s: %s: digest mismatch: containerd records %s, the blob on disk is %s "
	       "(changed after it was stored); scanned as it is on disk", c->name, what, want, got);
}

static int missing(const struct cd *c, const char *what, const char *digest, const char *path)
{
	snprintf(c->err, c->errlen, "%s %s is not in the content store (%.600s: %s)", what, digest, path,
		 strerror(errno));
	return -1;
}

/* Streams blob digest into the layout; got receives the digest of what was
 * read. Returns 0, or -1 when the blob is absent or unreadable. */
static int copy_blob(const struct cd *c, const char *what, const char *digest, uint64_t max, char *got,
		     size_t glen, uint64_t *size)
{
	char p[1400];
	if (blob_path(c, digest, p, sizeof(p)) < 0)
		return -1;
	int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return missing(c, what, digest, p);
	struct hh_blob_writer w;
	if (hh_blob_begin(c->l, &w, max, c->err, c->errlen) < 0) {
		close(fd);
		return -1;
	}
	static __thread uint8_t buf[1 << 16];
	for (;;) {
		ssize_t k = read(fd, buf, sizeof(buf));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			snprintf(c->err, c->errlen, "%.600s: %s", p, strerror(errno));
			break;
		}
		if (k == 0) {
			close(fd);
			if (hh_blob_finish(&w, NULL, got, glen, size, c->err, c->errlen) < 0)
				return -1;
			if (strcmp(got, digest))
				mismatch(c, what, digest, got);
			return 0;
		}
		char inner[600];
		if (hh_blob_write(&w, buf, (size_t)k, inner, sizeof(inner)) < 0) {
			snprintf(c->err, c->errlen, "%s %s: %s", what, digest, inner);
			break;
		}
	}
	close(fd);
	hh_blob_abort(&w);
	return -1;
}

/* Reads a JSON blob (index or manifest, at most max_json bytes) and checks its
 * digest. Returns the parsed document (raw bytes in *raw, owned), or NULL. */
static json_t *read_json_blob(const struct cd *c, const char *what, const char *digest, char **raw, size_t *len)
{
	char p[1400];
	*raw = NULL;
	if (blob_path(c, digest, p, sizeof(p)) < 0)
		return NULL;
	struct hh_buf buf;
	if (access(p, F_OK) != 0) {
		missing(c, what, digest, p);
		return NULL;
	}
	if (hh_read_file(p, c->o->max_json, &buf, c->err, c->errlen) < 0)
		return NULL;
	char *b = buf.data;
	size_t got = buf.len;
	char hex[72];
	if (hh_sha256_digest(b, got, hex) < 0) {
		snprintf(c->err, c->errlen, "sha256 unavailable");
		free(b);
		return NULL;
	}
	if (strcmp(hex, digest))
		mismatch(c, what, digest, hex);
	json_error_t je;
	json_t *j = json_loadb(b, got, 0, &je);
	if (!j) {
		snprintf(c->err, c->errlen, "%.600s: %s: %s", p, what, je.text);
		free(b);
		return NULL;
	}
	*raw = b;
	*len = got;
	return j;
}

static void host_platform(char *out, size_t n)
{
	struct utsname u;
	const char *arch = "amd64";
	if (uname(&u) == 0) {
		if (!strcmp(u.machine, "aarch64"))
			arch = "arm64";
		else if (!strcmp(u.machine, "s390x") || !strcmp(u.machine, "ppc64le") || !strcmp(u.machine, "riscv64"))
			arch = u.machine;
	}
	snprintf(out, n, "linux/%.40s", arch);
}

/* bbolt keeps snapshot ids as Go uvarints. Returns 0, or -1 when malformed. */
static int uvarint(const uint8_t *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	for (size_t i = 0; i < n && i < 10; i++) {
		x |= (uint64_t)(v[i] & 0x7f) << (7 * i);
		if (!(v[i] & 0x80)) {
			*out = x;
			return 0;
		}
	}
	return -1;
}

struct snap_hit {
	const struct hh_bolt *db;
	const char *chain;
	char snapshotter[128];
	char key[512];        /* the snapshot's name in the snapshotter */
	int found;
};

/* meta.db: v1 / NS / snapshots / SNAPSHOTTER / CHAIN / name, for each
 * snapshotter until overlayfs has it. A damaged subtree only means no match. */
static int find_in_snapshotter(void *user, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool isb)
{
	struct snap_hit *h = user;
	struct hh_bolt_bucket sb, cb;
	char err[600];
	if (!isb || kl >= sizeof(h->snapshotter) || hh_bolt_bucket_of(h->db, v, vl, &sb, err, sizeof(err)) < 0)
		return 0;
	const char *path[] = { h->chain };
	if (hh_bolt_bucket_path(h->db, &sb, path, 1, &cb, err, sizeof(err)) != 1)
		return 0;
	const uint8_t *nv;
	size_t nl;
	bool nb;
	if (hh_bolt_get(h->db, &cb, "name", 4, &nv, &nl, &nb, err, sizeof(err)) != 1 || nb ||
	    nl == 0 || nl >= sizeof(h->key))
		return 0;
	bool overlay = kl == 9 && !memcmp(k, "overlayfs", 9);
	if (h->found && !overlay)
		return 0;
	memcpy(h->snapshotter, k, kl);
	h->snapshotter[kl] = 0;
	memcpy(h->key, nv, nl);
	h->key[nl] = 0;
	h->found = 1;
	return overlay; /* overlayfs wins; another one found is kept to name it */
}

/* The overlayfs snapshot directory of chain id chain. Returns 0 with dir, or -1 (err). */
static int snapshot_dir(const struct cd *c, const char *what, const char *chain, char *dir, size_t dlen)
{
	char p[1200];
	snprintf(p, sizeof(p), "%s/" META_DB, c->root);
	struct hh_bolt db;
	if (hh_bolt_open(&db, p, c->err, c->errlen) < 0)
		return -1;
	struct snap_hit h = { .db = &db, .chain = chain };
	struct hh_bolt_bucket root, snaps;
	hh_bolt_root(&db, &root);
	const char *path[] = { "v1", c->ns, "snapshots" };
	int rc = hh_bolt_bucket_path(&db, &root, path, 3, &snaps, c->err, c->errlen);
	if (rc == 1)
		rc = hh_bolt_foreach(&db, &snaps, find_in_snapshotter, &h, c->err, c->errlen);
	hh_bolt_close(&db);
	if (rc < 0)
		return -1;
	if (!h.found) {
		snprintf(c->err, c->errlen, "%s: its blob is not in the content store and no snapshot in namespace %s "
			 "has its chain id %s", what, c->ns, chain);
		return -1;
	}
	if (strcmp(h.snapshotter, "overlayfs")) {
		snprintf(c->err, c->errlen, "%s: its blob is not in the content store and its snapshot is kept by the "
			 "%s snapshotter (only overlayfs snapshots are read)", what, h.snapshotter);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/" OVERLAY_SNAP "/metadata.db", c->root);
	if (hh_bolt_open(&db, p, c->err, c->errlen) < 0)
		return -1;
	struct hh_bolt_bucket sb;
	hh_bolt_root(&db, &root);
	const char *spath[] = { "v1", "snapshots", h.key };
	rc = hh_bolt_bucket_path(&db, &root, spath, 3, &sb, c->err, c->errlen);
	const uint8_t *v = NULL;
	size_t vl = 0;
	bool isb = false;
	uint64_t id = 0, kind = 0;
	if (rc == 1 && (rc = hh_bolt_get(&db, &sb, "id", 2, &v, &vl, &isb, c->err, c->errlen)) == 1 &&
	    (isb || uvarint(v, vl, &id) < 0))
		rc = 0;
	if (rc == 1 && hh_bolt_get(&db, &sb, "kind", 4, &v, &vl, &isb, c->err, c->errlen) == 1 && !isb)
		uvarint(v, vl, &kind);
	hh_bolt_close(&db);
	if (rc < 0)
		return -1;
	if (rc == 0 || id == 0) {
		snprintf(c->err, c->errlen, "%.700s: snapshot %.300s (%s): no usable id", p, h.key, what);
		return -1;
	}
	if (kind != SNAP_COMMITTED) {
		snprintf(c->err, c->errlen, "%.700s: snapshot %.300s (%s) is not committed (kind %llu)", p, h.key, what,
			 (unsigned long long)kind);
		return -1;
	}
	snprintf(dir, dlen, "%s/" OVERLAY_SNAP "/snapshots/%llu/fs", c->root, (unsigned long long)id);
	return 0;
}

/* Layer i of the config's diff_ids, written from its snapshot. */
static int snapshot_layer(const struct cd *c, json_t *config, size_t i, const char *what, char *got, size_t glen,
			  uint64_t *size)
{
	json_t *diffs = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
	if (i >= json_array_size(diffs)) {
		snprintf(c->err, c->errlen, "%s: its blob is not in the content store, and the image config has no "
			 "diff_id for it to find its snapshot", what);
		return -1;
	}
	char chain[80] = "";
	for (size_t k = 0; k <= i; k++) {
		const char *d = json_string_value(json_array_get(diffs, k));
		char parent[80];
		snprintf(parent, sizeof(parent), "%s", chain);
		if (!d || strncmp(d, "sha256:", 7) || hh_chain_id(parent, d, chain) < 0) {
			snprintf(c->err, c->errlen, "%s: image config rootfs.diff_ids[%zu] is not a sha256 digest", what, k);
			return -1;
		}
	}
	char dir[1400];
	if (snapshot_dir(c, what, chain, dir, sizeof(dir)) < 0)
		return -1;
	hh_info("scan: %s: %s: blob discarded (discard_unpacked_layers); reading its unpacked snapshot %s (its "
		"digest cannot be checked against the image)", c->name, what, dir);
	struct hh_snapshot_limits lim = { c->o->max_bytes, c->o->max_entries ? c->o->max_entries : UINT64_MAX,
					  c->o->max_dir_depth > 0 ? c->o->max_dir_depth : 64 };
	char inner[2400];
	if (hh_snapshot_tar(dir, &lim, c->l, got, glen, size, inner, sizeof(inner)) < 0) {
		snprintf(c->err, c->errlen, "%s: %.2200s", what, inner);
		return -1;
	}
	return 0;
}

/* The config blob's JSON (already copied and checked), for diff_ids. */
static json_t *config_doc(const struct cd *c, const char *digest)
{
	char p[1400];
	struct hh_buf b;
	if (blob_path(c, digest, p, sizeof(p)) < 0 || hh_read_file(p, c->o->max_json, &b, c->err, c->errlen) < 0)
		return NULL;
	json_error_t je;
	json_t *j = json_loadb(b.data, b.len, 0, &je);
	free(b.data);
	if (!j)
		snprintf(c->err, c->errlen, "%.1000s: image config: %s", p, je.text);
	return j;
}

/* Copies the manifest's config and layers and writes the layout's index. */
static int put_manifest(const struct cd *c, json_t *m, const char *raw, size_t rawlen, const char *mdigest,
			const char *mt)
{
	bool changed = false;
	char got[80];
	uint64_t sz;
	json_t *cfg = json_object_get(m, "config");
	const char *cdg = json_string_value(json_object_get(cfg, "digest"));
	if (copy_blob(c, "config", cdg, c->o->max_json, got, sizeof(got), &sz) < 0)
		return -1;
	if (strcmp(got, cdg)) {
		json_object_set_new(cfg, "digest", json_string(got));
		changed = true;
	}
	json_t *layers = json_object_get(m, "layers");
	size_t n = json_array_size(layers);
	if (n > MAX_LAYERS) {
		snprintf(c->err, c->errlen, "manifest %s: %zu layers, more than %d", mdigest, n, MAX_LAYERS);
		return -1;
	}
	json_t *config = NULL;
	int rc = -1;
	for (size_t i = 0; i < n; i++) {
		json_t *ly = json_array_get(layers, i);
		const char *dg = json_string_value(json_object_get(ly, "digest"));
		char what[120], p[1400];
		snprintf(what, sizeof(what), "layer %zu/%zu %.71s", i + 1, n, dg ? dg : "?");
		if (blob_path(c, dg, p, sizeof(p)) < 0)
			goto out;
		if (access(p, F_OK) != 0 && errno == ENOENT) {
			if (!config && !(config = config_doc(c, cdg)))
				goto out;
			if (snapshot_layer(c, config, i, what, got, sizeof(got), &sz) < 0)
				goto out;
			json_object_set_new(ly, "mediaType", json_string("application/vnd.oci.image.layer.v1.tar"));
		} else {
			hh_info("scan: %s: reading %s from %s", c->name, what, c->root);
			if (copy_blob(c, what, dg, c->o->max_bytes, got, sizeof(got), &sz) < 0)
				goto out;
		}
		if (strcmp(got, dg)) {
			json_object_set_new(ly, "digest", json_string(got));
			json_object_set_new(ly, "size", json_integer((json_int_t)sz));
			changed = true;
		}
	}
	/* unchanged: the stored bytes as they are; else a manifest naming what was read */
	char *text = changed ? json_dumps(m, JSON_COMPACT) : NULL;
	const char *body = changed ? text : raw;
	size_t blen = changed && text ? strlen(text) : rawlen;
	char dg[80];
	if (body && hh_layout_put(c->l, body, blen, NULL, dg, sizeof(dg), c->err, c->errlen) == 0 &&
	    hh_layout_write_index(c->l, dg, blen, mt, c->name, c->err, c->errlen) == 0)
		rc = 0;
	else if (!body)
		snprintf(c->err, c->errlen, "out of memory");
	free(text);
out:
	json_decref(config);
	return rc;
}

static bool is_index(const char *mt, json_t *doc)
{
	return (mt && (!strcmp(mt, "application/vnd.oci.image.index.v1+json") ||
		       !strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json"))) ||
	       json_is_array(json_object_get(doc, "manifests"));
}

/* Follows a descriptor down to one image manifest and writes it. */
static int follow(const struct cd *c, const char *digest, const char *mt, unsigned depth)
{
	if (depth > MAX_NESTING) {
		snprintf(c->err, c->errlen, "%s: indexes nested more than %d deep", c->name, MAX_NESTING);
		return -1;
	}
	char *raw;
	size_t len;
	json_t *doc = read_json_blob(c, depth ? "manifest" : "target", digest, &raw, &len);
	if (!doc)
		return -1;
	if (!mt || !*mt)
		mt = json_string_value(json_object_get(doc, "mediaType"));
	int rc = -1;
	if (is_index(mt, doc)) {
		char want[64], name[64];
		if (c->o->platform)
			snprintf(want, sizeof(want), "%s", c->o->platform);
		else
			host_platform(want, sizeof(want));
		json_t *ms = json_object_get(doc, "manifests"), *pick = NULL;
		for (size_t i = 0; i < json_array_size(ms) && !pick; i++) {
			json_t *d = json_array_get(ms, i), *p = json_object_get(d, "platform");
			/* an index entry without a platform is the single image of a plain import */
			if ((!p && json_array_size(ms) == 1) || hh_platform_matches(p, want, name, sizeof(name)))
				pick = d;
		}
		if (!pick) {
			snprintf(c->err, c->errlen, "%s: index %s has no manifest for %s", c->name, digest, want);
		} else {
			const char *dg = json_string_value(json_object_get(pick, "digest"));
			const char *cmt = json_string_value(json_object_get(pick, "mediaType"));
			rc = follow(c, dg ? dg : "", cmt, depth + 1);
		}
	} else if (!json_is_object(json_object_get(doc, "config")) || !json_is_array(json_object_get(doc, "layers"))) {
		snprintf(c->err, c->errlen, "%s: blob %s (%s) is neither an index nor an image manifest", c->name,
			 digest, mt ? mt : "no media type");
	} else {
		rc = put_manifest(c, doc, raw, len, digest,
				  mt ? mt : "application/vnd.oci.image.manifest.v1+json");
	}
	json_decref(doc);
	free(raw);
	return rc;
}

struct ns_list {
	char names[MAX_NAMESPACES][256];
	size_t n;
};

static int add_ns(void *user, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl, bool is_bucket)
{
	struct ns_list *L = user;
	if (!is_bucket || kl == 0 || kl >= sizeof(L->names[0]) || memchr(k, 0, kl))
		return 0;
	for (size_t i = 0; i < L->n; i++)
		if (strlen(L->names[i]) == kl && !memcmp(L->names[i], k, kl))
			return 0;
	if (L->n >= MAX_NAMESPACES)
		return 1;
	memcpy(L->names[L->n], k, kl);
	L->names[L->n++][kl] = 0;
	return 0;
}

/* The image's target digest and media type from meta.db. Returns 1 found, 0, -1. */
static int lookup(const struct hh_bolt *db, const char *name, const char *cfg_ns, char *ns_out, size_t nslen,
		  char *ns_found, size_t nflen, char *digest, size_t dlen, char *mt, size_t mtlen, char *err,
		  size_t errlen)
{
	struct hh_bolt_bucket root, v1;
	hh_bolt_root(db, &root);
	const char *top[] = { "v1" };
	int rc = hh_bolt_bucket_path(db, &root, top, 1, &v1, err, errlen);
	if (rc <= 0)
		return rc;
	static __thread struct ns_list L;
	L.n = 0;
	if (cfg_ns && *cfg_ns) {
		add_ns(&L, (const uint8_t *)cfg_ns, strlen(cfg_ns), NULL, 0, true);
	} else {
		static const char *const pref[] = { "k8s.io", "moby", "default" };
		for (size_t i = 0; i < 3; i++)
			add_ns(&L, (const uint8_t *)pref[i], strlen(pref[i]), NULL, 0, true);
		if (hh_bolt_foreach(db, &v1, add_ns, &L, err, errlen) < 0)
			return -1;
	}
	for (size_t i = 0; i < L.n; i++) {
		struct hh_bolt_bucket t;
		const char *path[] = { L.names[i], "images", name, "target" };
		rc = hh_bolt_bucket_path(db, &v1, path, 4, &t, err, errlen);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		const uint8_t *v;
		size_t vl;
		bool isb;
		rc = hh_bolt_get(db, &t, "digest", 6, &v, &vl, &isb, err, errlen);
		if (rc < 0)
			return -1;
		if (rc == 0 || isb || vl >= dlen) {
			snprintf(err, errlen, "%s: image %s in namespace %s: target without a digest", db->name, name,
				 L.names[i]);
			return -1;
		}
		memcpy(digest, v, vl);
		digest[vl] = 0;
		mt[0] = 0;
		if (hh_bolt_get(db, &t, "mediatype", 9, &v, &vl, &isb, err, errlen) == 1 && !isb && vl < mtlen) {
			memcpy(mt, v, vl);
			mt[vl] = 0;
		}
		snprintf(ns_out, nslen, "%.400s in namespace %s", name, L.names[i]);
		snprintf(ns_found, nflen, "%s", L.names[i]);
		return 1;
	}
	return 0;
}

int hh_containerd_export(const char *root, const char *name, const struct hh_containerd_opts *o,
			 struct hh_layout *out, size_t *errors, char *where, size_t wlen, char *err, size_t errlen)
{
	*errors = 0;
	out->dir[0] = 0;
	char p[1200];
	snprintf(p, sizeof(p), "%s/" META_DB, root);
	if (access(p, F_OK) != 0)
		return 1;
	struct hh_bolt db;
	if (hh_bolt_open(&db, p, err, errlen) < 0)
		return -1;
	char digest[128], mt[160], ns[256];
	int rc = lookup(&db, name, o->ns, where, wlen, ns, sizeof(ns), digest, sizeof(digest), mt, sizeof(mt), err,
			errlen);
	hh_bolt_close(&db);
	if (rc <= 0)
		return rc < 0 ? -1 : 1;
	if (hh_layout_create(out, err, errlen) < 0)
		return -1;
	struct cd c = { root, name, ns, o, out, errors, err, errlen };
	if (follow(&c, digest, mt, 0) < 0) {
		hh_layout_remove(out);
		return -1;
	}
	return 0;
}
