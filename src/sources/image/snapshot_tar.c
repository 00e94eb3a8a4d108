/* Overlay snapshot directory -> layer tar (see snapshot_tar.h). */
#include "sources/image/snapshot_tar.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#define PATH_CAP 4096

struct snap {
	struct archive *a;
	struct archive_entry *e;
	struct hh_blob_writer w;
	const struct hh_snapshot_limits *lim;
	const char *dir;
	uint64_t entries;
	char path[PATH_CAP]; /* the entry being written, relative to the snapshot */
	char *err;
	size_t errlen;
	bool failed;         /* err is set */
};

/* err: "SNAPSHOT/PATH: what" (the first failure only). */
static void fail(struct snap *s, const char *what, const char *detail)
{
	if (s->failed)
		return;
	s->failed = true;
	snprintf(s->err, s->errlen, "%.1000s%s%.2000s: %s%s%s", s->dir, s->path[0] ? "/" : "", s->path, what,
		 detail ? ": " : "", detail ? detail : "");
}

static la_ssize_t to_blob(struct archive *a, void *user, const void *buf, size_t n)
{
	(void)a;
	struct snap *s = user;
	char inner[600];
	if (hh_blob_write(&s->w, buf, n, inner, sizeof(inner)) < 0) {
		fail(s, inner, NULL);
		return -1;
	}
	return (la_ssize_t)n;
}

/* Writes one header; name is relative to the snapshot. */
static int header(struct snap *s, const char *name, const struct stat *st, mode_t type, const char *link)
{
	if (++s->entries > s->lim->max_entries) {
		fail(s, "more entries than scan.max_entries", NULL);
		return -1;
	}
	archive_entry_clear(s->e);
	archive_entry_set_pathname(s->e, name);
	archive_entry_set_filetype(s->e, type);
	archive_entry_set_perm(s->e, st ? st->st_mode & 07777 : 0644);
	if (st) {
		archive_entry_set_uid(s->e, st->st_uid);
		archive_entry_set_gid(s->e, st->st_gid);
		archive_entry_set_mtime(s->e, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
		if (type == AE_IFCHR || type == AE_IFBLK)
			archive_entry_set_rdev(s->e, st->st_rdev);
	}
	archive_entry_set_size(s->e, type == AE_IFREG && st ? st->st_size : 0);
	if (link)
		archive_entry_set_symlink(s->e, link);
	if (archive_write_header(s->a, s->e) != ARCHIVE_OK) {
		fail(s, "tar header", archive_error_string(s->a));
		return -1;
	}
	return 0;
}

static int file_body(struct snap *s, int dirfd, const char *name, const struct stat *st)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		fail(s, strerror(errno), NULL);
		return -1;
	}
	static __thread char buf[1 << 16];
	off_t left = st->st_size;
	while (left > 0) {
		ssize_t k = read(fd, buf, (size_t)(left < (off_t)sizeof(buf) ? left : (off_t)sizeof(buf)));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) { /* shrank while read: the tar still holds st_size bytes (zero padded) */
			if (k < 0)
				fail(s, strerror(errno), NULL);
			break;
		}
		if (archive_write_data(s->a, buf, (size_t)k) < 0) {
			fail(s, "tar data", archive_error_string(s->a));
			break;
		}
		left -= k;
	}
	close(fd);
	return s->failed ? -1 : 0;
}

static bool opaque(int fd)
{
	char v[4];
	ssize_t n = fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v));
	if (n < 0)
		n = fgetxattr(fd, "user.overlay.opaque", v, sizeof(v));
	return n == 1 && v[0] == 'y';
}

/* Writes the entries of directory fd (its own entry already written); plen:
 * length of its path in s->path ("" for the snapshot root). */
static int walk(struct snap *s, int fd, size_t plen, int depth)
{
	if (depth > s->lim->max_depth) {
		fail(s, "directories nested deeper than scan.max_dir_depth", NULL);
		close(fd);
		return -1;
	}
	DIR *d = fdopendir(fd);
	if (!d) {
		fail(s, strerror(errno), NULL);
		close(fd);
		return -1;
	}
	struct dirent *de;
	errno = 0;
	while (!s->failed && (de = readdir(d))) {
		const char *nm = de->d_name;
		if (!strcmp(nm, ".") || !strcmp(nm, ".."))
			continue;
		size_t nl = strlen(nm);
		if (plen + nl + 1 + 5 >= PATH_CAP) { /* room for "/" and a ".wh." prefix */
			fail(s, "path longer than 4096 bytes", NULL);
			break;
		}
		size_t base = plen ? plen + 1 : 0;
		if (plen)
			s->path[plen] = '/';
		memcpy(s->path + base, nm, nl + 1);
		struct stat st;
		if (fstatat(dirfd(d), nm, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			fail(s, strerror(errno), NULL);
			break;
		}
		if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0) {
			/* overlay whiteout -> OCI whiteout */
			memmove(s->path + base + 4, s->path + base, nl + 1);
			memcpy(s->path + base, ".wh.", 4);
			if (header(s, s->path, NULL, AE_IFREG, NULL) < 0)
				break;
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), nm, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				fail(s, strerror(errno), NULL);
				break;
			}
			if (header(s, s->path, &st, AE_IFDIR, NULL) < 0) {
				close(sub);
				break;
			}
			if (opaque(sub)) {
				size_t l = base + nl;
				memcpy(s->path + l, "/.wh..wh..opq", 14);
				int rc = header(s, s->path, NULL, AE_IFREG, NULL);
				s->path[l] = 0;
				if (rc < 0) {
					close(sub);
					break;
				}
			}
			if (walk(s, sub, base + nl, depth + 1) < 0)
				break;
		} else if (S_ISREG(st.st_mode)) {
			if (header(s, s->path, &st, AE_IFREG, NULL) < 0 || file_body(s, dirfd(d), nm, &st) < 0)
				break;
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_CAP];
			ssize_t tl = readlinkat(dirfd(d), nm, target, sizeof(target) - 1);
			if (tl < 0) {
				fail(s, strerror(errno), NULL);
				break;
			}
			target[tl] = 0;
			if (header(s, s->path, &st, AE_IFLNK, target) < 0)
				break;
		} else {
			mode_t t = S_ISFIFO(st.st_mode) ? AE_IFIFO : S_ISCHR(st.st_mode) ? AE_IFCHR
				 : S_ISBLK(st.st_mode)  ? AE_IFBLK : 0;
			if (t && header(s, s->path, &st, t, NULL) < 0) /* sockets have no tar form */
				break;
		}
		s->path[plen] = 0;
		errno = 0;
	}
	if (!s->failed && errno) {
		s->path[plen] = 0;
		fail(s, strerror(errno), NULL);
	}
	closedir(d);
	return s->failed ? -1 : 0;
}

int hh_snapshot_tar(const char *dir, const struct hh_snapshot_limits *lim, const struct hh_layout *l, char *digest,
		    size_t dlen, uint64_t *size, char *err, size_t errlen)
{
	struct snap s = { .lim = lim, .dir = dir, .err = err, .errlen = errlen };
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%.2000s: %s", dir, strerror(errno));
		return -1;
	}
	if (hh_blob_begin(l, &s.w, lim->max_bytes, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	s.a = archive_write_new();
	s.e = archive_entry_new();
	if (!s.a || !s.e || archive_write_set_format_pax_restricted(s.a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(s.a, 1) != ARCHIVE_OK ||
	    archive_write_open2(s.a, &s, NULL, to_blob, NULL, NULL) != ARCHIVE_OK) {
		snprintf(err, errlen, "%.2000s: tar writer: %s", dir, s.a ? archive_error_string(s.a) : "out of memory");
		close(fd);
		s.failed = true;
	} else {
		walk(&s, fd, 0, 0);
		if (!s.failed && archive_write_close(s.a) != ARCHIVE_OK)
			fail(&s, "tar end", archive_error_string(s.a));
	}
	archive_entry_free(s.e);
	if (s.a)
		archive_write_free(s.a);
	if (s.failed) {
		hh_blob_abort(&s.w);
		return -1;
	}
	return hh_blob_finish(&s.w, NULL, digest, dlen, size, err, errlen);
}
