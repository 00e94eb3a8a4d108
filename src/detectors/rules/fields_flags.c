/* Falco renders flag arguments and results as text ("O_WRONLY|O_TRUNC",
 * "CLONE_NEWNS", "SUCCESS", "ENOENT") and its rules compare that text
 * (evt.arg.flags contains O_TRUNC, evt.res = EINPROGRESS). */
#include "detectors/rules/fields_flags.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

struct flagname {
	unsigned long bit;
	const char *name;
};

static const struct flagname open_flags[] = {
	{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_NOCTTY, "O_NOCTTY" }, { O_TRUNC, "O_TRUNC" },
	{ O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" }, { O_DSYNC, "O_DSYNC" },
	{ O_DIRECT, "O_DIRECT" }, { O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" },
	{ O_NOATIME, "O_NOATIME" }, { O_CLOEXEC, "O_CLOEXEC" }, { O_PATH, "O_PATH" }, { __O_TMPFILE, "O_TMPFILE" },
};

static const struct flagname clone_flags[] = {
	{ CLONE_NEWNS, "CLONE_NEWNS" }, { CLONE_NEWCGROUP, "CLONE_NEWCGROUP" }, { CLONE_NEWUTS, "CLONE_NEWUTS" },
	{ CLONE_NEWIPC, "CLONE_NEWIPC" }, { CLONE_NEWUSER, "CLONE_NEWUSER" }, { CLONE_NEWPID, "CLONE_NEWPID" },
	{ CLONE_NEWNET, "CLONE_NEWNET" }, { CLONE_NEWTIME, "CLONE_NEWTIME" },
};

static const struct flagname mount_flags[] = {
	{ MS_RDONLY, "MS_RDONLY" }, { MS_NOSUID, "MS_NOSUID" }, { MS_NODEV, "MS_NODEV" },
	{ MS_NOEXEC, "MS_NOEXEC" }, { MS_REMOUNT, "MS_REMOUNT" }, { MS_BIND, "MS_BIND" },
	{ MS_MOVE, "MS_MOVE" }, { MS_REC, "MS_REC" }, { MS_PRIVATE, "MS_PRIVATE" },
	{ MS_SLAVE, "MS_SLAVE" }, { MS_SHARED, "MS_SHARED" },
};

static void join(const struct flagname *t, size_t n, unsigned long v, char *out, size_t size, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		if ((v & t[i].bit) != t[i].bit)
			continue;
		int w = snprintf(out + len, size - len, "%s%s", len ? "|" : "", t[i].name);
		if (w < 0 || (size_t)w >= size - len)
			return;
		len += (size_t)w;
	}
}

void hh_flags_text(enum hh_event_type type, uint32_t flags, int32_t open_flags_v, char *out, size_t n)
{
	if (n == 0)
		return;
	out[0] = '\0';
	switch (type) {
	case HH_EV_OPEN: {
		int acc = open_flags_v & O_ACCMODE;
		int w = snprintf(out, n, "%s", acc == O_WRONLY ? "O_WRONLY" : acc == O_RDWR ? "O_RDWR" : "O_RDONLY");
		if (w > 0 && (size_t)w < n)
			join(open_flags, sizeof(open_flags) / sizeof(open_flags[0]), (unsigned)open_flags_v, out, n,
			     (size_t)w);
		return;
	}
	case HH_EV_UNSHARE:
	case HH_EV_SETNS:
		join(clone_flags, sizeof(clone_flags) / sizeof(clone_flags[0]), flags, out, n, 0);
		break;
	case HH_EV_MOUNT: join(mount_flags, sizeof(mount_flags) / sizeof(mount_flags[0]), flags, out, n, 0); break;
	default: break;
	}
	if (!out[0])
		snprintf(out, n, "%u", flags);
}

void hh_res_text(int64_t ret, char *out, size_t n)
{
	if (ret >= 0) {
		snprintf(out, n, "SUCCESS");
		return;
	}
	const char *name = ret >= -4095 ? strerrorname_np((int)-ret) : NULL;
	if (name)
		snprintf(out, n, "%s", name);
	else
		snprintf(out, n, "%lld", (long long)ret);
}
