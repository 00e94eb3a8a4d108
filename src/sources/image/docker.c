/* Docker graph-driver images read in place (see docker.h). */
#include "sources/image/docker.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/fileio.h"
#include "core/log.h"
#include "sources/image/tarsplit.h"

#define MAX_LAYERS 512
#define MAX_DRIVERS 16   /* image/DRIVER directories looked at */

void hh_docker_root(const char *cfg_root, char *out, size_t n)
{
	snprintf(out, n, "%s", cfg_root && *cfg_root ? cfg_root : "/var/lib/docker");
}

static bool is_hex(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	return n >= min && n <= max && strspn(s, "0123456789abcdef") == n;
}

static bool is_sha256(const char *s)
{
	return s && !strncmp(s, "sha256:", 7) && is_hex(s + 7, 64, 64);
}

/* Reads a file of at most max bytes (NUL-terminated, owned), or NULL with err. */
static char *slurp(const char *path, uint64_t max, size_t *len, char *err, size_t errlen)
{
	struct hh_buf b;
	if (hh_read_file(path, (size_t)max, &b, err, errlen) < 0)
		return NULL;
	*len = b.len;
	return b.data;
}

/* Docker keeps names in their short form: "busybox:latest" for
 * docker.io/library/busybox:latest, "user/app:1" for docker.io/user/app:1. */
static const char *familiar(const char *name)
{
	if (!strncmp(name, "docker.io/library/", 18))
		return name + 18;
	if (!strncmp(name, "docker.io/", 10))
		return name + 10;
	return name;
}

/* The image id ("sha256:<hex>") that repositories.json gives name, or that an
 * id prefix names in imagedb. Returns 1 found, 0 not, -1 error. */
static int find_id(const char *idir, const char *name, uint64_t max_json, char *id, size_t idlen, char *err,
		   size_t errlen)
{
	char p[1400];
	snprintf(p, sizeof(p), "%.1100s/repositories.json", idir);
	size_t len;
	char *text = slurp(p, max_json, &len, err, errlen);
	if (!text)
		return -1;
	json_error_t je;
	json_t *j = json_loadb(text, len, 0, &je);
	free(text);
	if (!j) {
		snprintf(err, errlen, "%.900s:%d:%d: %s", p, je.line, je.column, je.text);
		return -1;
	}
	const char *key, *fam = familiar(name);
	json_t *refs;
	int rc = 0;
	json_object_foreach(json_object_get(j, "Repositories"), key, refs) {
		const char *v = json_string_value(json_object_get(refs, name));
		if (!v)
			v = json_string_value(json_object_get(refs, fam));
		if (v && is_sha256(v)) {
			snprintf(id, idlen, "%s", v);
			rc = 1;
			break;
		}
	}
	json_decref(j);
	if (rc || !is_hex(name, 12, 64))
		return rc;
	snprintf(p, sizeof(p), "%.1100s/imagedb/content/sha256", idir);
	DIR *d = opendir(p);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (is_hex(de->d_name, 64, 64) && !strncmp(de->d_name, name, strlen(name))) {
			snprintf(id, idlen, "sha256:%s", de->d_name);
			rc = 1;
			break;
		}
	}
	if (d)
		closedir(d);
	return rc;
}

/* Where the driver keeps a layer's files. Returns -1 for a driver not read. */
static int layer_files(const char *root, const char *driver, const char *cache, char *out, size_t n)
{
	if (!strcmp(driver, "overlay2") || !strcmp(driver, "fuse-overlayfs"))
		snprintf(out, n, "%.900s/%.32s/%.64s/diff", root, driver, cache);
	else if (!strcmp(driver, "vfs"))
		snprintf(out, n, "%.900s/vfs/dir/%.64s", root, cache);
	else
		return -1;
	return 0;
}

struct dk {
	const char *root, *driver, *idir, *name;
	uint64_t max_bytes;
	const struct hh_layout *l;
	size_t *errors;
	char *err;
	size_t errlen;
};

/* Rebuilds layer i (chain id chain, diff_id want) into the layout. */
static int put_layer(const struct dk *k, size_t i, size_t n, const char *chain, const char *want,
		     struct hh_layout_layer *out)
{
	char p[1400], files[1200], split[1200];
	snprintf(p, sizeof(p), "%.1100s/layerdb/sha256/%.64s/cache-id", k->idir, chain + 7);
	size_t len;
	char *cache = slurp(p, 256, &len, k->err, k->errlen);
	if (!cache)
		return -1;
	bool ok = is_hex(cache, 1, 64) && layer_files(k->root, k->driver, cache, files, sizeof(files)) == 0;
	if (!ok)
		snprintf(k->err, k->errlen, "%.900s: cache id \"%.70s\" not usable with storage driver %s "
			 "(overlay2, fuse-overlayfs and vfs are read)", p, cache, k->driver);
	free(cache);
	if (!ok)
		return -1;
	snprintf(split, sizeof(split), "%.1100s/layerdb/sha256/%.64s/tar-split.json.gz", k->idir, chain + 7);
	hh_info("scan: %s: reading layer %zu/%zu %.19s from %s", k->name, i + 1, n, want, files);
	char lerr[1400];
	if (hh_tarsplit_rebuild(split, files, k->max_bytes, k->l, out->digest, sizeof(out->digest), &out->size, lerr,
				sizeof(lerr)) < 0) {
		snprintf(k->err, k->errlen, "layer %zu/%zu %.19s: %.1000s", i + 1, n, want, lerr);
		return -1;
	}
	if (strcmp(out->digest, want)) {
		(*k->errors)++;
		hh_err("scan: %s: layer %zu/%zu: digest mismatch: the image's diff_id is %s, the layer on disk is %s "
		       "(changed after it was pulled or loaded); scanned as it is on disk", k->name, i + 1, n, want,
		       out->digest);
	}
	return 0;
}

/* Writes image id of the store in idir into the layout. */
static int put_image(const struct dk *k, const char *id, uint64_t max_json)
{
	char p[1400];
	snprintf(p, sizeof(p), "%.1100s/imagedb/content/sha256/%s", k->idir, id + 7);
	size_t clen;
	char *cfg = slurp(p, max_json, &clen, k->err, k->errlen);
	if (!cfg)
		return -1;
	char cdg[80];
	int rc = hh_layout_put(k->l, cfg, clen, NULL, cdg, sizeof(cdg), k->err, k->errlen);
	json_error_t je;
	json_t *j = rc == 0 ? json_loadb(cfg, clen, 0, &je) : NULL;
	free(cfg);
	if (rc < 0)
		return -1;
	if (!j) {
		snprintf(k->err, k->errlen, "%.900s: %s", p, je.text);
		return -1;
	}
	if (strcmp(cdg, id)) {
		(*k->errors)++;
		hh_err("scan: %s: image config: digest mismatch: the image id is %s, the config on disk is %s "
		       "(changed after it was stored); scanned as it is on disk", k->name, id, cdg);
	}
	json_t *diffs = json_object_get(json_object_get(j, "rootfs"), "diff_ids");
	size_t n = json_array_size(diffs);
	static __thread struct hh_layout_layer ll[MAX_LAYERS];
	rc = -1;
	if (n > MAX_LAYERS) {
		snprintf(k->err, k->errlen, "%.900s: %zu layers, more than %d", p, n, MAX_LAYERS);
		goto out;
	}
	char chain[80] = "";
	for (size_t i = 0; i < n; i++) {
		const char *diff = json_string_value(json_array_get(diffs, i));
		if (!is_sha256(diff)) {
			snprintf(k->err, k->errlen, "%.900s: rootfs.diff_ids[%zu] is not a sha256 digest", p, i);
			goto out;
		}
		char parent[80];
		snprintf(parent, sizeof(parent), "%s", chain);
		if (hh_chain_id(parent, diff, chain) < 0) {
			snprintf(k->err, k->errlen, "sha256 unavailable");
			goto out;
		}
		if (put_layer(k, i, n, chain, diff, &ll[i]) < 0)
			goto out;
	}
	rc = hh_layout_write_image(k->l, cdg, clen, ll, n, k->name, k->err, k->errlen);
out:
	json_decref(j);
	return rc;
}

int hh_docker_export(const char *root, const char *name, uint64_t max_bytes, uint64_t max_json,
		     struct hh_layout *out, size_t *errors, char *where, size_t wlen, char *err, size_t errlen)
{
	*errors = 0;
	out->dir[0] = 0;
	char p[1400];
	snprintf(p, sizeof(p), "%s/image", root);
	DIR *d = opendir(p);
	if (!d)
		return 1;
	/* every image/DRIVER with a repositories.json (one is in use; others may be left over) */
	char drivers[MAX_DRIVERS][128];
	size_t nd = 0;
	struct dirent *de;
	while ((de = readdir(d)) && nd < MAX_DRIVERS) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(drivers[0]))
			continue;
		snprintf(p, sizeof(p), "%s/image/%s/repositories.json", root, de->d_name);
		if (access(p, F_OK) == 0)
			snprintf(drivers[nd++], sizeof(drivers[0]), "%s", de->d_name);
	}
	closedir(d);
	for (size_t i = 0; i < nd; i++) {
		char idir[1100], id[80];
		snprintf(idir, sizeof(idir), "%.900s/image/%.127s", root, drivers[i]);
		int rc = find_id(idir, name, max_json, id, sizeof(id), err, errlen);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		snprintf(where, wlen, "%s %s", drivers[i], id);
		if (hh_layout_create(out, err, errlen) < 0)
			return -1;
		struct dk k = { root, drivers[i], idir, name, max_bytes, out, errors, err, errlen };
		if (put_image(&k, id, max_json) < 0) {
			hh_layout_remove(out);
			return -1;
		}
		return 0;
	}
	return 1;
}
