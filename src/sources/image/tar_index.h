/* An index of a plain (uncompressed) tar: entry names with the offset and
 * size of their data, so an image archive (docker-archive, OCI archive) can
 * be read member by member without extracting it and in any order (manifest
 * first, then each layer). ustar, GNU long names and pax path/size records.
 * Reads through a file descriptor (pread) or a memory buffer. */
#ifndef HH_TAR_INDEX_H
#define HH_TAR_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A byte source: a file (fd >= 0) or memory (mem). */
struct hh_blob_src {
	int fd;
	const uint8_t *mem;
	uint64_t size;
};

/* Reads n bytes at off. Returns bytes read (short only at the end), -1 on error. */
long long hh_blob_read(const struct hh_blob_src *s, uint64_t off, void *buf, size_t n);

struct hh_tar_entry {
	char *name;          /* owned; leading "./" removed */
	uint64_t offset;     /* of the data in the source */
	uint64_t size;
	char type;           /* '0' file, '5' dir, '2' symlink, '1' hardlink ... */
};

struct hh_tar_index {
	struct hh_tar_entry *e;
	size_t n, cap;
};

/* Indexes src. Returns 0, or -1 with err naming the offset and the problem
 * (bad checksum, truncated header or data, over max_entries). Entries before
 * the problem stay in idx either way. Returns 1 when src is not a tar at all
 * (first header invalid), with idx empty. */
int hh_tar_index_build(const struct hh_blob_src *src, size_t max_entries, struct hh_tar_index *idx, char *err,
		       size_t errlen);
void hh_tar_index_free(struct hh_tar_index *idx);
/* The last entry named name (later entries win, as tar extraction does). */
const struct hh_tar_entry *hh_tar_index_find(const struct hh_tar_index *idx, const char *name);

/* True when the 512-byte block is a tar header with a valid checksum. */
bool hh_tar_header_valid(const uint8_t *blk);

#endif
