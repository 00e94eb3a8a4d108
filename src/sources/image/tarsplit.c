/* Layers rebuilt from a tar-split record (see tarsplit.h). */
#include "sources/image/tarsplit.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zlib.h>

#include <jansson.h>

#include "detectors/content/base64_runs.h"

#define MAX_LINE (64u << 20)        /* one tar-split record */

/* Opens rel beneath dirfd, never through a symlink or "..". */
static int open_beneath(int dirfd, const char *rel)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	long fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
	if (fd >= 0 || errno != ENOSYS)
		return (int)fd;
	/* kernels before 5.6: refuse ".." and absolute names, no symlink at the end */
	if (rel[0] == '/' || !strcmp(rel, "..") || !strncmp(rel, "../", 3) || strstr(rel, "/../") ||
	    (strlen(rel) >= 3 && !strcmp(rel + strlen(rel) - 3, "/.."))) {
		errno = EPERM;
		return -1;
	}
	return openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}

/* Reads one line (any length up to MAX_LINE) into *buf. Returns its length, 0 at the end, -1 on error. */
static long read_line(gzFile gz, char **buf, size_t *cap)
{
	size_t len = 0;
	for (;;) {
		if (*cap - len < 4096) {
			size_t nc = *cap ? *cap * 2 : 65536;
			if (nc > MAX_LINE + 4096)
				return -1;
			char *n = realloc(*buf, nc);
			if (!n)
				return -1;
			*buf = n;
			*cap = nc;
		}
		if (!gzgets(gz, *buf + len, (int)(*cap - len)))
			return len ? (long)len : (gzeof(gz) ? 0 : -1);
		len += strlen(*buf + len);
		if (len && (*buf)[len - 1] == '\n')
			return (long)len;
	}
}

static int copy_file(struct hh_blob_writer *w, int dirfd, const char *name, uint64_t size, char *err, size_t errlen)
{
	int fd = open_beneath(dirfd, name);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	static __thread uint8_t buf[1 << 16];
	uint64_t left = size;
	while (left) {
		ssize_t k = read(fd, buf, left < sizeof(buf) ? (size_t)left : sizeof(buf));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			snprintf(err, errlen, "%s: %s", name, k < 0 ? strerror(errno) : "shorter than its tar header says");
			close(fd);
			return -1;
		}
		if (hh_blob_write(w, buf, (size_t)k, err, errlen) < 0) {
			close(fd);
			return -1;
		}
		left -= (uint64_t)k;
	}
	close(fd);
	return 0;
}

int hh_tarsplit_rebuild(const char *split_path, const char *files_dir, uint64_t max_bytes,
			const struct hh_layout *l, char *digest, size_t dlen, uint64_t *size, char *err, size_t errlen)
{
	gzFile gz = gzopen(split_path, "rb");
	if (!gz) {
		snprintf(err, errlen, "%.600s: %s", split_path, strerror(errno));
		return -1;
	}
	int dirfd = open(files_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		snprintf(err, errlen, "%.600s: %s", files_dir, strerror(errno));
		gzclose(gz);
		return -1;
	}
	struct hh_blob_writer w;
	if (hh_blob_begin(l, &w, max_bytes, err, errlen) < 0) {
		close(dirfd);
		gzclose(gz);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0, rec = 0;
	uint8_t *dec = NULL;
	size_t dec_cap = 0;
	int rc = 0;
	long n;
	char where[64];
	while (rc == 0 && (n = read_line(gz, &line, &cap)) > 0) {
		rec++;
		snprintf(where, sizeof(where), "tar-split record %zu: ", rec);
		json_error_t je;
		json_t *e = json_loadb(line, (size_t)n, 0, &je);
		if (!e) {
			snprintf(err, errlen, "%s%s", where, je.text);
			rc = -1;
			break;
		}
		json_int_t type = json_integer_value(json_object_get(e, "type"));
		if (type == 2) {
			const char *pl = json_string_value(json_object_get(e, "payload"));
			size_t pn = pl ? strlen(pl) : 0;
			if (pn / 4 * 3 + 3 > dec_cap) {
				dec_cap = pn / 4 * 3 + 3;
				uint8_t *nd = realloc(dec, dec_cap);
				if (!nd) {
					rc = -1;
					snprintf(err, errlen, "out of memory");
				}
				dec = nd ? nd : dec;
			}
			long dn = rc == 0 && pn ? hh_b64_decode(pl, pn, dec) : 0;
			if (dn < 0) {
				snprintf(err, errlen, "%sbad base64 payload", where);
				rc = -1;
			} else if (dn > 0 && hh_blob_write(&w, dec, (size_t)dn, err, errlen) < 0) {
				rc = -1;
			}
		} else if (type == 1) {
			json_int_t sz = json_integer_value(json_object_get(e, "size"));
			const char *name = json_string_value(json_object_get(e, "name"));
			char raw[4096];
			if (!name) {
				const char *nr = json_string_value(json_object_get(e, "name_raw"));
				long rn = nr && strlen(nr) / 4 * 3 + 3 < sizeof(raw) ? hh_b64_decode(nr, strlen(nr), (uint8_t *)raw) : -1;
				if (rn >= 0) {
					raw[rn] = 0;
					name = raw;
				}
			}
			if (sz < 0 || (sz > 0 && !name)) {
				snprintf(err, errlen, "%sfile entry without a name or with a negative size", where);
				rc = -1;
			} else if (sz > 0) {
				char inner[600];
				if (copy_file(&w, dirfd, name, (uint64_t)sz, inner, sizeof(inner)) < 0) {
					snprintf(err, errlen, "%s%s", where, inner);
					rc = -1;
				}
			}
		}
		json_decref(e);
	}
	if (rc == 0 && n < 0) {
		snprintf(err, errlen, "tar-split: truncated or corrupt after record %zu", rec);
		rc = -1;
	}
	free(line);
	free(dec);
	close(dirfd);
	gzclose(gz);
	if (rc < 0) {
		hh_blob_abort(&w);
		return -1;
	}
	return hh_blob_finish(&w, NULL, digest, dlen, size, err, errlen);
}
