/* containers-storage images read in place (see cstorage.h). */
#include "sources/image/cstorage.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zlib.h>

#include <jansson.h>

#include "core/log.h"
#include "detectors/content/base64_runs.h"
#include "sources/image/image_source.h"
#include "sources/image/tarsplit.h"

#define MAX_META_JSON (64u << 20)   /* images.json, layers.json */
#define MAX_CONFIG (8u << 20)
#define MAX_LAYERS 512

void hh_cstorage_root(const char *cfg_root, char *out, size_t n)
{
	if (cfg_root && *cfg_root) {
		snprintf(out, n, "%s", cfg_root);
		return;
	}
	if (geteuid() == 0) {
		FILE *fp = fopen("/etc/containers/storage.conf", "re");
		char line[1024];
		while (fp && fgets(line, sizeof(line), fp)) {
			char *p = line;
			while (*p == ' ' || *p == '\t')
				p++;
			if (strncmp(p, "graphroot", 9))
				continue;
			char *q1 = strchr(p, '"'), *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
			if (q1 && q2 && q2 > q1 + 1) {
				snprintf(out, n, "%.*s", (int)(q2 - q1 - 1), q1 + 1);
				fclose(fp);
				return;
			}
		}
		if (fp)
			fclose(fp);
		snprintf(out, n, "/var/lib/containers/storage");
		return;
	}
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	if (xdg && *xdg)
		snprintf(out, n, "%s/containers/storage", xdg);
	else
		snprintf(out, n, "%s/.local/share/containers/storage", home ? home : "");
}

static json_t *load_json(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (st.st_size > MAX_META_JSON) {
		snprintf(err, errlen, "%s: larger than %u bytes", path, MAX_META_JSON);
		return NULL;
	}
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	if (!j)
		snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	return j;
}

static bool is_hex_id(const char *s, size_t min)
{
	size_t n = strlen(s);
	if (n < min || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static json_t *find_image(json_t *images, const char *name)
{
	bool by_id = is_hex_id(name, 12);
	for (size_t i = 0; i < json_array_size(images); i++) {
		json_t *im = json_array_get(images, i);
		json_t *names = json_object_get(im, "names");
		for (size_t k = 0; k < json_array_size(names); k++) {
			const char *nm = json_string_value(json_array_get(names, k));
			if (nm && !strcmp(nm, name))
				return im;
		}
		const char *id = json_string_value(json_object_get(im, "id"));
		if (by_id && id && !strncmp(id, name, strlen(name)))
			return im;
	}
	return NULL;
}

int hh_cstorage_export(const char *root, const char *name, uint64_t max_bytes, struct hh_layout *out,
		       size_t *errors, char *ref_out, size_t ref_len, char *err, size_t errlen)
{
	*errors = 0;
	out->dir[0] = 0;
	char p[1200];
	snprintf(p, sizeof(p), "%s/overlay-images/images.json", root);
	if (access(p, R_OK) != 0)
		return 1;
	json_t *images = load_json(p, err, errlen);
	if (!images)
		return -1;
	json_t *im = find_image(images, name);
	if (!im) {
		json_decref(images);
		return 1;
	}
	const char *id = json_string_value(json_object_get(im, "id"));
	const char *top = json_string_value(json_object_get(im, "layer"));
	const char *first_name = json_string_value(json_array_get(json_object_get(im, "names"), 0));
	snprintf(ref_out, ref_len, "%s", first_name ? first_name : name);
	json_t *layers = NULL;
	int rc = -1;
	if (!id || !is_hex_id(id, 64)) {
		snprintf(err, errlen, "%s: image without a valid id", p);
		goto out;
	}
	snprintf(p, sizeof(p), "%s/overlay-layers/layers.json", root);
	layers = load_json(p, err, errlen);
	if (!layers)
		goto out;
	/* the chain, top first */
	const json_t *chain[MAX_LAYERS];
	size_t n = 0;
	for (const char *cur = top; cur && *cur; n++) {
		if (n >= MAX_LAYERS) {
			snprintf(err, errlen, "%s: more than %d layers (or a parent loop)", p, MAX_LAYERS);
			goto out;
		}
		const json_t *found = NULL;
		for (size_t i = 0; i < json_array_size(layers) && !found; i++) {
			const char *lid = json_string_value(json_object_get(json_array_get(layers, i), "id"));
			if (lid && !strcmp(lid, cur))
				found = json_array_get(layers, i);
		}
		if (!found || !is_hex_id(cur, 64)) {
			snprintf(err, errlen, "%s: layer %.80s of image %.12s not found", p, cur, id);
			goto out;
		}
		chain[n] = found;
		cur = json_string_value(json_object_get(found, "parent"));
	}
	if (hh_layout_create(out, err, errlen) < 0)
		goto out;
	/* config: the image's big-data item named by its id */
	char key[80], b64key[200];
	snprintf(key, sizeof(key), "sha256:%s", id);
	{
		static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		size_t kl = strlen(key), o = 0;
		for (size_t i = 0; i < kl; i += 3) {
			uint32_t v = (uint32_t)(uint8_t)key[i] << 16 | (i + 1 < kl ? (uint8_t)key[i + 1] : 0) << 8 |
				     (i + 2 < kl ? (uint8_t)key[i + 2] : 0);
			b64key[o++] = t[v >> 18 & 63];
			b64key[o++] = t[v >> 12 & 63];
			b64key[o++] = i + 1 < kl ? t[v >> 6 & 63] : '=';
			b64key[o++] = i + 2 < kl ? t[v & 63] : '=';
		}
		b64key[o] = 0;
	}
	snprintf(p, sizeof(p), "%s/overlay-images/%s/=%s", root, id, b64key);
	/* the stored bytes are what the id is the digest of: put them as they are */
	FILE *cf = fopen(p, "re");
	uint8_t *cbuf = malloc(MAX_CONFIG);
	size_t cn = cf && cbuf ? fread(cbuf, 1, MAX_CONFIG, cf) : 0;
	if (cf)
		fclose(cf);
	char cfg_digest[80];
	if (!cbuf || !cn || hh_layout_put(out, cbuf, cn, key, cfg_digest, sizeof(cfg_digest), err, errlen) < 0) {
		if (!cn && cbuf)
			snprintf(err, errlen, "%.900s: empty or unreadable image config", p);
		free(cbuf);
		goto out;
	}
	free(cbuf);
	static __thread struct hh_layout_layer ll[MAX_LAYERS];
	for (size_t k = n; k-- > 0;) {
		const char *lid = json_string_value(json_object_get(chain[k], "id"));
		const char *want = json_string_value(json_object_get(chain[k], "diff-digest"));
		char lerr[1400];
		struct hh_layout_layer *d = &ll[n - 1 - k];
		hh_info("scan: %s: reading layer %zu/%zu %.12s from %s", name, n - k, n, lid, root);
		char split[1200], files[1200];
		snprintf(split, sizeof(split), "%s/overlay-layers/%s.tar-split.gz", root, lid);
		snprintf(files, sizeof(files), "%s/overlay/%s/diff", root, lid);
		if (hh_tarsplit_rebuild(split, files, max_bytes, out, d->digest, sizeof(d->digest), &d->size, lerr,
					sizeof(lerr)) < 0) {
			snprintf(err, errlen, "layer %.12s: %.900s", lid, lerr);
			goto out;
		}
		if (want && strcmp(want, d->digest)) {
			(*errors)++;
			hh_err("scan: %s: layer %.12s: digest mismatch: the store records %s, the layer on disk is %s "
			       "(changed after it was pulled or committed); scanned as it is on disk",
			       name, lid, want, d->digest);
		}
	}
	if (hh_layout_write_image(out, cfg_digest, cn, ll, n, ref_out, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		hh_layout_remove(out);
	json_decref(layers);
	json_decref(images);
	return rc;
}
