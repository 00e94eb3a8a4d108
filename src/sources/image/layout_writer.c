/* Temporary OCI layouts (see layout_writer.h). */
#include "sources/image/layout_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

static int write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int write_file(const char *path, const char *text, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, text, strlen(text)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int hh_layout_create(struct hh_layout *l, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(l->dir, sizeof(l->dir), "%s/hashhound-image.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(l->dir)) {
		snprintf(err, errlen, "cannot create a temporary directory in %s: %s", tmp && *tmp ? tmp : "/tmp",
			 strerror(errno));
		l->dir[0] = 0;
		return -1;
	}
	char p[600];
	snprintf(p, sizeof(p), "%s/blobs", l->dir);
	if (mkdir(p, 0700) < 0)
		goto fail;
	snprintf(p, sizeof(p), "%s/blobs/sha256", l->dir);
	if (mkdir(p, 0700) < 0)
		goto fail;
	snprintf(p, sizeof(p), "%s/oci-layout", l->dir);
	if (write_file(p, "{\"imageLayoutVersion\":\"1.0.0\"}", err, errlen) < 0) {
		hh_layout_remove(l);
		return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", p, strerror(errno));
	hh_layout_remove(l);
	return -1;
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void hh_layout_remove(struct hh_layout *l)
{
	if (l->dir[0])
		nftw(l->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	l->dir[0] = 0;
}

int hh_blob_begin(const struct hh_layout *l, struct hh_blob_writer *w, uint64_t max, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->l = l;
	w->max = max;
	snprintf(w->tmp, sizeof(w->tmp), "%s/blobs/.incoming.XXXXXX", l->dir);
	w->fd = mkostemp(w->tmp, O_CLOEXEC);
	w->md = EVP_MD_CTX_new();
	if (w->fd < 0 || !w->md || !EVP_DigestInit_ex(w->md, EVP_sha256(), NULL)) {
		snprintf(err, errlen, "%s: %s", w->tmp, w->fd < 0 ? strerror(errno) : "out of memory");
		hh_blob_abort(w);
		return -1;
	}
	return 0;
}

int hh_blob_write(struct hh_blob_writer *w, const void *buf, size_t n, char *err, size_t errlen)
{
	if (w->fd < 0)
		return -1;
	if (n > w->max - w->size) {
		snprintf(err, errlen, "blob larger than the %llu bytes allowed", (unsigned long long)w->max);
		return -1;
	}
	if (write_all(w->fd, buf, n) < 0) {
		snprintf(err, errlen, "%s: %s", w->tmp, strerror(errno));
		return -1;
	}
	EVP_DigestUpdate(w->md, buf, n);
	w->size += n;
	return 0;
}

int hh_sha256_digest(const void *buf, size_t n, char out[72])
{
	uint8_t md[32];
	unsigned ml = 0;
	if (!EVP_Digest(buf, n, md, &ml, EVP_sha256(), NULL) || ml != 32)
		return -1;
	memcpy(out, "sha256:", 7);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int hh_chain_id(const char *parent, const char *diff_id, char out[72])
{
	if (!parent || !*parent) {
		if (strlen(diff_id) > 71)
			return -1;
		snprintf(out, 72, "%s", diff_id);
		return 0;
	}
	char pair[160];
	int n = snprintf(pair, sizeof(pair), "%s %s", parent, diff_id);
	if (n < 0 || (size_t)n >= sizeof(pair))
		return -1;
	return hh_sha256_digest(pair, (size_t)n, out);
}

void hh_blob_abort(struct hh_blob_writer *w)
{
	if (w->fd >= 0) {
		close(w->fd);
		unlink(w->tmp);
	}
	w->fd = -1;
	if (w->md)
		EVP_MD_CTX_free(w->md);
	w->md = NULL;
}

int hh_blob_finish(struct hh_blob_writer *w, const char *expect, char *digest_out, size_t dlen, uint64_t *size_out,
		   char *err, size_t errlen)
{
	uint8_t h[32];
	unsigned hl = 0;
	if (w->fd < 0 || !EVP_DigestFinal_ex(w->md, h, &hl) || hl != 32) {
		snprintf(err, errlen, "blob digest failed");
		hh_blob_abort(w);
		return -1;
	}
	char dg[80] = "sha256:";
	for (int i = 0; i < 32; i++)
		snprintf(dg + 7 + 2 * i, 3, "%02x", h[i]);
	if (expect && strcmp(expect, dg)) {
		snprintf(err, errlen, "digest mismatch: manifest says %s, content is %s", expect, dg);
		hh_blob_abort(w);
		return -1;
	}
	close(w->fd);
	w->fd = -1;
	EVP_MD_CTX_free(w->md);
	w->md = NULL;
	char final[700];
	snprintf(final, sizeof(final), "%s/blobs/sha256/%s", w->l->dir, dg + 7);
	if (rename(w->tmp, final) < 0) {
		snprintf(err, errlen, "%s: %s", final, strerror(errno));
		unlink(w->tmp);
		return -1;
	}
	snprintf(digest_out, dlen, "%s", dg);
	if (size_out)
		*size_out = w->size;
	return 0;
}

int hh_layout_put(const struct hh_layout *l, const void *buf, size_t n, const char *expect, char *digest_out,
		  size_t dlen, char *err, size_t errlen)
{
	struct hh_blob_writer w;
	if (hh_blob_begin(l, &w, n, err, errlen) < 0)
		return -1;
	if (hh_blob_write(&w, buf, n, err, errlen) < 0) {
		hh_blob_abort(&w);
		return -1;
	}
	return hh_blob_finish(&w, expect, digest_out, dlen, NULL, err, errlen);
}

int hh_layout_write_index(const struct hh_layout *l, const char *manifest_digest, uint64_t size,
			  const char *media_type, const char *ref_name, char *err, size_t errlen)
{
	json_t *desc = json_pack("{s:s, s:s, s:I}", "mediaType", media_type, "digest", manifest_digest, "size",
				 (json_int_t)size);
	if (desc && ref_name && *ref_name)
		json_object_set_new(desc, "annotations",
				    json_pack("{s:s}", "org.opencontainers.image.ref.name", ref_name));
	json_t *idx = json_pack("{s:i, s:[o]}", "schemaVersion", 2, "manifests", desc);
	char *text = idx ? json_dumps(idx, JSON_COMPACT) : NULL;
	json_decref(idx);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	char p[600];
	snprintf(p, sizeof(p), "%s/index.json", l->dir);
	int rc = write_file(p, text, err, errlen);
	free(text);
	return rc;
}

int hh_layout_write_image(const struct hh_layout *l, const char *cfg_digest, uint64_t cfg_size,
			  const struct hh_layout_layer *layers, size_t n, const char *ref_name, char *err,
			  size_t errlen)
{
	json_t *m = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:[]}", "schemaVersion", 2, "mediaType",
			      "application/vnd.oci.image.manifest.v1+json", "config", "mediaType",
			      "application/vnd.oci.image.config.v1+json", "digest", cfg_digest, "size",
			      (json_int_t)cfg_size, "layers");
	for (size_t i = 0; m && i < n; i++)
		json_array_append_new(json_object_get(m, "layers"),
				      json_pack("{s:s, s:s, s:I}", "mediaType", "application/vnd.oci.image.layer.v1.tar",
						"digest", layers[i].digest, "size", (json_int_t)layers[i].size));
	char *text = m ? json_dumps(m, JSON_COMPACT) : NULL;
	json_decref(m);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	char dg[80];
	int rc = hh_layout_put(l, text, strlen(text), NULL, dg, sizeof(dg), err, errlen) < 0 ||
				 hh_layout_write_index(l, dg, strlen(text), "application/vnd.oci.image.manifest.v1+json",
						       ref_name, err, errlen) < 0
			 ? -1
			 : 0;
	free(text);
	return rc;
}
