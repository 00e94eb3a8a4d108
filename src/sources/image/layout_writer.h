/* A temporary OCI image layout written by hashhound itself, so that an image
 * taken from somewhere else (a registry, containers-storage) is scanned by the
 * same code as `podman save --format oci-dir` output: oci-layout, index.json
 * and blobs/sha256/<hex>. Every blob's SHA-256 is computed while it is
 * written; a blob whose digest must be known in advance is checked against it
 * and refused on a mismatch. The directory is created under $TMPDIR (default
 * /tmp) with mode 0700 and removed by hh_layout_remove. */
#ifndef HH_LAYOUT_WRITER_H
#define HH_LAYOUT_WRITER_H

#include <stddef.h>
#include <stdint.h>

struct hh_layout {
	char dir[512];
};

/* Creates a new empty layout. Returns 0, or -1 with err. */
int hh_layout_create(struct hh_layout *l, char *err, size_t errlen);
/* Removes the layout directory and everything in it (no-op when never created). */
void hh_layout_remove(struct hh_layout *l);

/* Streaming blob: begin, write (any number of times), finish or abort. */
struct hh_blob_writer {
	int fd;
	void *md;                 /* EVP_MD_CTX */
	uint64_t size, max;
	char tmp[600];
	const struct hh_layout *l;
};

/* max: bytes the blob may hold (more is an error). */
int hh_blob_begin(const struct hh_layout *l, struct hh_blob_writer *w, uint64_t max, char *err, size_t errlen);
int hh_blob_write(struct hh_blob_writer *w, const void *buf, size_t n, char *err, size_t errlen);
/* Computes the digest into digest_out ("sha256:<hex>", 72 bytes or more). When
 * expect is not NULL the digest must equal it: on a mismatch the blob is
 * dropped and -1 returned with err "digest mismatch: manifest says X, content is Y". */
int hh_blob_finish(struct hh_blob_writer *w, const char *expect, char *digest_out, size_t dlen, uint64_t *size_out,
		   char *err, size_t errlen);
void hh_blob_abort(struct hh_blob_writer *w);

/* "sha256:<hex>" of n bytes of buf into out. Returns 0, or -1 when OpenSSL fails. */
int hh_sha256_digest(const void *buf, size_t n, char out[72]);
/* The layer chain id (OCI image spec): the first layer's is its diff_id;
 * each next one is sha256 of "PARENT_CHAIN_ID DIFF_ID". parent NULL or "" for
 * the first layer. Returns 0, or -1 when a digest is too long or OpenSSL fails. */
int hh_chain_id(const char *parent, const char *diff_id, char out[72]);

/* Whole buffer at once. */
int hh_layout_put(const struct hh_layout *l, const void *buf, size_t n, const char *expect, char *digest_out,
		  size_t dlen, char *err, size_t errlen);

/* Writes index.json naming one manifest (already stored as a blob). */
int hh_layout_write_index(const struct hh_layout *l, const char *manifest_digest, uint64_t size,
			  const char *media_type, const char *ref_name, char *err, size_t errlen);

/* A layer blob already in the layout, for hh_layout_write_image. */
struct hh_layout_layer {
	char digest[80];          /* "sha256:<hex>" */
	uint64_t size;
};

/* Writes an OCI image manifest naming the config blob and n uncompressed tar
 * layers (bottom first), then index.json naming it with ref_name. For images
 * rebuilt from a local store, whose own manifest is not kept. Returns 0 or -1. */
int hh_layout_write_image(const struct hh_layout *l, const char *cfg_digest, uint64_t cfg_size,
			  const struct hh_layout_layer *layers, size_t n, const char *ref_name, char *err,
			  size_t errlen);

#endif
