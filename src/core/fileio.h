/* Bounded file reading. Every read has a cap so a hostile or enormous file
 * (or a /proc file that never ends) cannot exhaust memory. */
#ifndef HH_FILEIO_H
#define HH_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

struct hh_buf {
	char *data;   /* NUL-terminated (data[len] == 0); owned */
	size_t len;
};

/* Reads up to max bytes of path. Works on pseudo-files whose size reads as 0.
 * Returns 0, or -1 with err naming the path and the problem. A file longer
 * than max is an error ("larger than the limit"), never silently cut. */
int hh_read_file(const char *path, size_t max, struct hh_buf *out, char *err, size_t errlen);
/* Same, relative to a directory fd (openat), for proc/sys roots. */
int hh_read_fileat(int dirfd, const char *path, size_t max, struct hh_buf *out, char *err, size_t errlen);
void hh_buf_free(struct hh_buf *b);

/* Reads a small text file (a cgroup or proc value) into buf, trailing
 * newline removed. Returns the length, or -1 when missing or unreadable.
 * Longer content is truncated to n-1 bytes (these files are single values). */
ssize_t hh_read_small(const char *path, char *buf, size_t n);

/* Reads the names in an open directory (not "." or ".."), sorted so output
 * is stable across filesystems. At most max names are kept; *truncated says
 * whether more were there. Returns the count (names owned by the caller, free
 * with hh_dir_names_free); names_out is NULL when the count is 0. */
#include <dirent.h>
#include <stdbool.h>
size_t hh_dir_names(DIR *d, size_t max, char ***names_out, bool *truncated);
void hh_dir_names_free(char **names, size_t n);

/* True when s is safe as one path element: 1..size-1 chars of [A-Za-z0-9_.-],
 * not "." or ".." (ids read from disk or URLs before they name a file). */
bool hh_path_token_ok(const char *s, size_t size);

/* Joins root and path ("/host/proc" + "/1/cgroup") into out. Returns -1 when it does not fit. */
int hh_path_join(char *out, size_t n, const char *root, const char *path);

#endif
