#include "core/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int read_fd(int fd, const char *path, size_t max, struct hh_buf *out, char *err, size_t errlen)
{
	size_t cap = 4096, len = 0;
	char *data = malloc(cap + 1);
	if (!data) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			if (cap > max) {
				free(data);
				snprintf(err, errlen, "%s: larger than the limit of %zu bytes", path, max);
				return -1;
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			char *grown = realloc(data, cap + 1);
			if (!grown) {
				free(data);
				snprintf(err, errlen, "%s: out of memory", path);
				return -1;
			}
			data = grown;
		}
		ssize_t r = read(fd, data + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: read failed at offset %zu: %s", path, len, strerror(errno));
			free(data);
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > max) {
			free(data);
			snprintf(err, errlen, "%s: larger than the limit of %zu bytes", path, max);
			return -1;
		}
	}
	data[len] = '\0';
	out->data = data;
	out->len = len;
	return 0;
}

int hh_read_fileat(int dirfd, const char *path, size_t max, struct hh_buf *out, char *err, size_t errlen)
{
	out->data = NULL;
	out->len = 0;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = read_fd(fd, path, max, out, err, errlen);
	close(fd);
	return rc;
}

int hh_read_file(const char *path, size_t max, struct hh_buf *out, char *err, size_t errlen)
{
	return hh_read_fileat(AT_FDCWD, path, max, out, err, errlen);
}

void hh_buf_free(struct hh_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

ssize_t hh_read_small(const char *path, char *buf, size_t n)
{
	if (n == 0)
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	ssize_t r;
	do
		r = read(fd, buf, n - 1);
	while (r < 0 && errno == EINTR);
	close(fd);
	if (r < 0)
		return -1;
	while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == '\r'))
		r--;
	buf[r] = '\0';
	return r;
}

int hh_path_join(char *out, size_t n, const char *root, const char *path)
{
	size_t rl = strlen(root);
	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	if (rl == 1 && root[0] == '/')
		rl = 0;
	int w = snprintf(out, n, "%.*s%s%s", (int)rl, root, path[0] == '/' ? "" : "/", path);
	return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t hh_dir_names(DIR *d, size_t max, char ***names_out, bool *truncated)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	if (truncated)
		*truncated = false;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == max) {
			if (truncated)
				*truncated = true;
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **grown = realloc(names, cap * sizeof(*grown));
			if (!grown)
				break;
			names = grown;
		}
		if ((names[n] = strdup(e->d_name)))
			n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	*names_out = names;
	return n;
}

void hh_dir_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

bool hh_path_token_ok(const char *s, size_t size)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n >= size || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		      c == '.' || c == '-'))
			return false;
	}
	return true;
}
