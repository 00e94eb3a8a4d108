/* Directory walker (see dir_walk.h). */
#include "sources/image/dir_walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"

struct dwalk {
	const char *root;
	const struct hh_scan_limits *lim;
	struct hh_walk_budget *b;
	const struct hh_walk_cb *cb;
	int errors;
	uint8_t *buf;
	size_t cap;
};

static void derr(struct dwalk *w, const char *path, const char *msg)
{
	w->errors++;
	if (w->cb->error)
		w->cb->error(w->cb->user, w->root, path, msg);
}

static void scan_fd(struct dwalk *w, int fd, const char *rel, uint64_t size)
{
	uint64_t want = size < w->lim->max_file_bytes ? size : w->lim->max_file_bytes;
	if (want > w->cap) {
		uint8_t *nb = realloc(w->buf, (size_t)want);
		if (!nb) {
			derr(w, rel, "out of memory");
			return;
		}
		w->buf = nb;
		w->cap = (size_t)want;
	}
	size_t got = 0;
	while (got < want) {
		ssize_t r = read(fd, w->buf + got, (size_t)(want - got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			char m[256];
			snprintf(m, sizeof(m), "read error: %s", strerror(errno));
			derr(w, rel, m);
			break;
		}
		if (!r)
			break;
		got += (size_t)r;
	}
	w->b->bytes += got;
	bool nested = got && w->lim->max_depth > 0 && hh_looks_archive(w->buf, got), skip_open = false;
	struct hh_walk_entry e = { .path = rel, .type = HH_WALK_FILE, .size = size, .data = w->buf, .len = got,
				   .cut = size > want, .opened = nested, .skip_open = nested ? &skip_open : NULL };
	if (e.cut) {
		char m[256];
		snprintf(m, sizeof(m), "file of %llu bytes is larger than scan.max_file_bytes (%llu): only the first part was scanned",
			 (unsigned long long)size, (unsigned long long)w->lim->max_file_bytes);
		derr(w, rel, m);
	}
	if (w->b->bytes > w->lim->max_total_bytes) {
		derr(w, rel, "more bytes than scan.max_total_bytes; scan stopped");
		w->b->exhausted = true;
	}
	if (w->cb->entry)
		w->cb->entry(w->cb->user, &e);
	if (nested && !skip_open) {
		uint8_t *inner = w->buf;
		w->buf = NULL;
		w->cap = 0;
		char prefix[4200];
		snprintf(prefix, sizeof(prefix), "%s!/", rel);
		int inner_errors = hh_walk_memory(inner, got, w->root, prefix, 1, w->lim, w->b, w->cb);
		w->errors += inner_errors;
		free(inner);
		if (w->cb->opened_done)
			w->cb->opened_done(w->cb->user, rel, 0, inner_errors);
	}
}

static void walk_dir(struct dwalk *w, int dfd, const char *rel, int depth)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		derr(w, rel, strerror(errno));
		return;
	}
	char **names;
	size_t n = hh_dir_names(d, SIZE_MAX, &names, NULL);
	for (size_t i = 0; i < n; i++) {
		if (w->b->exhausted)
			goto next;
		char child[4096];
		if (snprintf(child, sizeof(child), "%s%s%s", rel, *rel ? "/" : "", names[i]) >= (int)sizeof(child)) {
			derr(w, rel, "path too long; entry skipped");
			goto next;
		}
		if (++w->b->entries > w->lim->max_entries) {
			derr(w, child, "more entries than scan.max_entries; scan stopped");
			w->b->exhausted = true;
			goto next;
		}
		struct stat st;
		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			derr(w, child, strerror(errno));
			goto next;
		}
		struct hh_walk_entry e = { .path = child, .size = (uint64_t)st.st_size };
		if (S_ISLNK(st.st_mode)) {
			char link[4096];
			ssize_t l = readlinkat(dirfd(d), names[i], link, sizeof(link) - 1);
			link[l > 0 ? l : 0] = 0;
			e.type = HH_WALK_SYMLINK;
			e.link = link;
			w->cb->entry(w->cb->user, &e);
		} else if (S_ISDIR(st.st_mode)) {
			e.type = HH_WALK_DIR;
			w->cb->entry(w->cb->user, &e);
			if (depth + 1 > w->lim->max_dir_depth) {
				derr(w, child, "directory deeper than scan.max_dir_depth; not entered");
				goto next;
			}
			int cfd = openat(dirfd(d), names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (cfd < 0)
				derr(w, child, strerror(errno));
			else
				walk_dir(w, cfd, child, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			int fd = openat(dirfd(d), names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
			if (fd < 0) {
				derr(w, child, strerror(errno));
				goto next;
			}
			scan_fd(w, fd, child, (uint64_t)st.st_size);
			close(fd);
		} else {
			e.type = HH_WALK_OTHER;
			w->cb->entry(w->cb->user, &e);
		}
next:;
	}
	hh_dir_names_free(names, n);
	closedir(d);
}

int hh_walk_dir(const char *root, const struct hh_scan_limits *lim, struct hh_walk_budget *b,
		const struct hh_walk_cb *cb)
{
	struct dwalk w = { root, lim, b, cb, 0, NULL, 0 };
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		derr(&w, "", strerror(errno));
		return w.errors;
	}
	walk_dir(&w, fd, "", 0);
	free(w.buf);
	return w.errors;
}

int hh_walk_file(const char *path, const char *name, const struct hh_scan_limits *lim, struct hh_walk_budget *b,
		 const struct hh_walk_cb *cb)
{
	struct dwalk w = { path, lim, b, cb, 0, NULL, 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		derr(&w, "", strerror(errno));
		if (fd >= 0)
			close(fd);
		return w.errors;
	}
	scan_fd(&w, fd, name, (uint64_t)st.st_size);
	close(fd);
	free(w.buf);
	return w.errors;
}
