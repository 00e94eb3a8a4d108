/* Executable content facts (SHA-256, miner traits), computed once per
 * distinct file: keyed by (device, inode, mtime, size), bounded LRU.
 * Internal to sources/procfs. */
#ifndef HH_EXE_HASH_H
#define HH_EXE_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hh_exe_facts {
	char sha256[65];      /* "" when the file exceeded the byte limit or could not be read */
	char traits[256];     /* hh_traits_result(): comma-separated families, "" when none */
	int n_traits;
	uint64_t size;
	bool scanned;         /* content was read (possibly only its first max_bytes) */
};

struct hh_exe_cache;

struct hh_exe_cache *hh_exe_cache_new(size_t cap, size_t max_bytes);
void hh_exe_cache_free(struct hh_exe_cache *c);

/* Facts about the file path resolves to (for /proc/PID/exe: the running
 * image, also when deleted or a memfd). Returns 0, or -1 when it cannot be
 * opened (facts zeroed). */
int hh_exe_facts_of(struct hh_exe_cache *c, const char *path, struct hh_exe_facts *out);

/* Hashes and scans one open file descriptor (no cache): the worker. */
int hh_exe_facts_fd(int fd, size_t max_bytes, struct hh_exe_facts *out);

/* Cache statistics: entries held, lookups answered from the cache. */
void hh_exe_cache_stats(const struct hh_exe_cache *c, size_t *entries, uint64_t *hits, uint64_t *misses);

#endif
