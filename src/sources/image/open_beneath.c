/* Opens below a directory, never outside it (see open_beneath.h). */
#include "sources/image/open_beneath.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void say(char *err, size_t errlen, const char *rel, int e)
{
	if (e == EXDEV)
		snprintf(err, errlen, "%s: path leaves the image directory (a component is a symlink or \"..\" "
				      "pointing outside it)", rel);
	else if (e == ELOOP || e == ENOTDIR)
		snprintf(err, errlen, "%s: path passes through a symlink (not followed: it could leave the image "
				      "directory)", rel);
	else
		snprintf(err, errlen, "%s: %s", rel, strerror(e));
}

int hh_open_beneath_walk(int dirfd, const char *rel, int flags, char *err, size_t errlen)
{
	int cur = dirfd;
	const char *p = rel;
	for (;;) {
		while (*p == '/')
			p++;
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char comp[256];
		if (len == 0 || len >= sizeof(comp) || (len == 2 && p[0] == '.' && p[1] == '.')) {
			int en = len >= sizeof(comp) ? ENAMETOOLONG : EXDEV;
			if (cur != dirfd)
				close(cur);
			say(err, errlen, rel, en);
			errno = en;
			return -1;
		}
		memcpy(comp, p, len);
		comp[len] = 0;
		const char *rest = p + len;
		while (*rest == '/')
			rest++;
		bool last = *rest == 0;
		int fd = openat(cur, comp, last ? (flags | O_NOFOLLOW) : (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
		int en = errno;
		if (cur != dirfd)
			close(cur);
		if (fd < 0) {
			say(err, errlen, rel, en);
			errno = en;
			return -1;
		}
		if (last)
			return fd;
		cur = fd;
		p = rest;
	}
}

int hh_open_beneath(int dirfd, const char *rel, int flags, char *err, size_t errlen)
{
	struct open_how how;
	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)flags;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	int fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
	if (fd >= 0)
		return fd;
	if (errno == ENOSYS || errno == EPERM)
		return hh_open_beneath_walk(dirfd, rel, flags, err, errlen);
	int en = errno;
	say(err, errlen, rel, en);
	errno = en;
	return -1;
}
