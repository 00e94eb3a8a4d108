/* Opening a file by a path relative to a directory without ever leaving it:
 * no component may be an absolute symlink, a ".." above the directory, a
 * symlink resolving outside it, or a /proc magic link. Used for manifest and
 * blob paths of directory image targets (OCI layout, docker-archive
 * directory), which come from the image itself.
 *
 * hh_open_beneath uses openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)
 * (Linux 5.6+): symlinks that stay inside are followed, except at the last
 * component when flags carry O_NOFOLLOW. Where openat2 is missing (ENOSYS, or
 * refused by a seccomp filter) it falls back to hh_open_beneath_walk, which
 * opens each directory component with O_NOFOLLOW | O_DIRECTORY: stricter, no
 * symlink at all on the way. */
#ifndef HH_OPEN_BENEATH_H
#define HH_OPEN_BENEATH_H

#include <stddef.h>

/* Returns an fd, or -1 with errno set and err saying why (naming the path).
 * EXDEV or ELOOP: the path leaves dirfd or passes a symlink (walk). */
int hh_open_beneath(int dirfd, const char *rel, int flags, char *err, size_t errlen);
/* The component-wise fallback alone (tests call it directly). */
int hh_open_beneath_walk(int dirfd, const char *rel, int flags, char *err, size_t errlen);

#endif
