/* Streams the entries of a layer (or any tar/zip/cpio archive, plain, gzip,
 * zstd, xz, bzip2) with libarchive, never extracting to disk. Regular file
 * content is read in bounded chunks into one buffer per nesting level (up to
 * scan.max_file_bytes) and handed to a callback. Archives found inside are
 * walked in turn up to scan.max_depth, their entries named "outer!/inner".
 *
 * Hostile input gives an error naming the archive (label) and the entry, and
 * the walk goes on where it safely can: path traversal (".." components,
 * absolute paths, also in hard-link targets), entries that pass through a
 * symlink of the same archive, too many entries, too many bytes, a
 * decompression ratio over scan.max_ratio (bombs: checked for the stream
 * filters, for each entry against the compressed bytes it consumed, so zip
 * members count too, and for all entries of a walk against the archive's
 * size, so nesting counts too), truncated or corrupt streams. */
#ifndef HH_LAYER_WALK_H
#define HH_LAYER_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "sources/image/tar_index.h"

struct hh_scan_limits {
	uint64_t max_file_bytes;    /* content read per file; the rest is counted, not scanned */
	uint64_t max_total_bytes;   /* decompressed bytes for the whole scan */
	int max_depth;              /* nested archives (0: do not open archives in files) */
	uint64_t max_entries;       /* entries for the whole scan */
	double max_ratio;           /* decompressed / compressed bytes of a stream, an entry or a walk */
	uint64_t ratio_min_bytes;   /* the ratio is checked once a stream decompressed this much */
	int max_layers;
	uint64_t max_json_bytes;    /* manifest, index, config documents */
	int max_dir_depth;          /* directory recursion for a root filesystem */
	int scan_threads;           /* content-check threads beside the reader (image targets) */
	double progress_s;          /* a progress line on stderr this often during a scan (0: never) */
};

void hh_scan_limits_from_config(struct hh_scan_limits *l, const struct hh_config *cfg);

/* Totals shared by every walk of one scan. */
struct hh_walk_budget {
	uint64_t bytes, entries;
	bool exhausted;             /* a scan-wide limit was hit: stop everything */
};

enum hh_walk_type { HH_WALK_FILE, HH_WALK_DIR, HH_WALK_SYMLINK, HH_WALK_HARDLINK, HH_WALK_OTHER };

struct hh_walk_entry {
	const char *path;           /* normalized: no leading '/' or "./"; nested: "outer!/inner" */
	const char *link;           /* symlink or hard-link target, else NULL */
	enum hh_walk_type type;
	int depth;                  /* 0 for entries of the layer itself */
	uint64_t size;              /* declared size */
	const uint8_t *data;        /* regular files: the content read (NULL otherwise) */
	size_t len;
	bool cut;                   /* larger than max_file_bytes: data holds the first part */
	bool opened;                /* the walker opens it as a nested archive after the callback */
	/* When not NULL, the callback may keep data instead of copying it: it
	 * sets *take to NULL and owns data from then on (free()). NULL when the
	 * walker still needs the bytes (e.g. to open them as an archive). */
	uint8_t **take;
	/* Set when opened: the callback may set *skip_open to leave the archive
	 * closed (its content is known already); NULL otherwise. */
	bool *skip_open;
};

struct hh_walk_cb {
	void (*entry)(void *user, const struct hh_walk_entry *e);
	/* label: the archive; path: the entry ("" for the archive itself) */
	void (*error)(void *user, const char *label, const char *path, const char *msg);
	void *user;
	/* Optional: the walk of an archive the walker opened (e->opened, not
	 * skipped) ended; path names it, errors counts what that walk reported. */
	void (*opened_done)(void *user, const char *path, int depth, int errors);
};

/* Walks the archive held in src[off, off+size). label names it in errors.
 * Returns the number of errors reported. */
int hh_walk_blob(const struct hh_blob_src *src, uint64_t off, uint64_t size, const char *label,
		 const struct hh_scan_limits *lim, struct hh_walk_budget *b, const struct hh_walk_cb *cb);

/* Walks an archive in memory at nesting depth (prefix: path prefix for
 * entries, e.g. "app.tar.gz!/"; may be ""). Tar, zip, cpio, or a single
 * compressed file (named prefix minus "!/"). Returns the number of errors. */
int hh_walk_memory(const uint8_t *buf, size_t len, const char *label, const char *prefix, int depth,
		   const struct hh_scan_limits *lim, struct hh_walk_budget *b, const struct hh_walk_cb *cb);

/* True when buf starts like an archive or compressed stream worth opening. */
bool hh_looks_archive(const uint8_t *buf, size_t len);

#endif
