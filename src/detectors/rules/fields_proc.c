/* Falco fields that no source puts in struct hh_event but that /proc still
 * holds while the process lives: proc.tty, proc.cwd, user.loginuid, the
 * parent's command line and executable, thread capabilities, and user and
 * group names. Read lazily, only when a loaded rule asks, once per event
 * (the rule context caches). A process that is gone gives "not available"
 * (<NA> in outputs, comparisons false), as Falco does for missing values. */
#include "detectors/rules/fields_proc.h"
#include "detectors/rules/rules.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char proc_root[256] = "/proc";
static bool proc_off;

void hh_rules_set_proc_root(const char *root)
{
	proc_off = root == NULL;
	snprintf(proc_root, sizeof(proc_root), "%s", root && *root ? root : "/proc");
}

/* Reads /proc/PID/NAME into buf (at most n-1 bytes). -1 when unreadable. */
static ssize_t read_proc(int pid, const char *name, char *buf, size_t n)
{
	char path[320];
	if (proc_off || pid <= 0 || n == 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%d/%s", proc_root, pid, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t len = read(fd, buf, n - 1);
	close(fd);
	if (len < 0)
		return -1;
	buf[len] = '\0';
	return len;
}

bool fproc_tty(int pid, long long *out)
{
	char buf[1024];
	if (read_proc(pid, "stat", buf, sizeof(buf)) < 0)
		return false;
	/* pid (comm) state ppid pgrp session tty_nr: comm may hold spaces and
	 * parentheses, so count fields from the last ')'. */
	const char *p = strrchr(buf, ')');
	if (!p)
		return false;
	int state_ppid_pgrp_session = 0;
	for (p++; *p && state_ppid_pgrp_session < 5; p++)
		if (*p == ' ')
			state_ppid_pgrp_session++;
	if (state_ppid_pgrp_session < 5)
		return false;
	*out = strtoll(p, NULL, 10);
	return true;
}

bool fproc_link(int pid, const char *name, char *out, size_t n)
{
	char path[320];
	if (proc_off || pid <= 0 || n == 0)
		return false;
	snprintf(path, sizeof(path), "%s/%d/%s", proc_root, pid, name);
	ssize_t len = readlink(path, out, n - 1);
	if (len < 0)
		return false;
	out[len] = '\0';
	return true;
}

bool fproc_cmdline(int pid, char *out, size_t n)
{
	ssize_t len = read_proc(pid, "cmdline", out, n);
	if (len <= 0)
		return false;
	for (ssize_t i = 0; i < len; i++)
		if (out[i] == '\0')
			out[i] = ' ';
	while (len > 0 && out[len - 1] == ' ')
		out[--len] = '\0';
	return true;
}

bool fproc_loginuid(int pid, long long *out)
{
	char buf[32];
	if (read_proc(pid, "loginuid", buf, sizeof(buf)) <= 0)
		return false;
	unsigned long v = strtoul(buf, NULL, 10);
	/* (uid_t)-1 is "no login session": Falco shows it as -1. */
	*out = v == 4294967295ul ? -1 : (long long)v;
	return true;
}

static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
	"CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
	"CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

bool fproc_caps(int pid, bool effective, char *out, size_t n)
{
	char buf[4096];
	if (n == 0 || read_proc(pid, "status", buf, sizeof(buf)) < 0)
		return false;
	const char *key = effective ? "\nCapEff:" : "\nCapPrm:";
	const char *p = strstr(buf, key);
	if (!p)
		return false;
	unsigned long long mask = strtoull(p + strlen(key), NULL, 16);
	size_t len = 0;
	out[0] = '\0';
	/* Falco's rendering: names separated by spaces. */
	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++) {
		if (!(mask & (1ull << i)))
			continue;
		int w = snprintf(out + len, n - len, "%s%s", len ? " " : "", cap_names[i]);
		if (w < 0 || (size_t)w >= n - len)
			break;
		len += (size_t)w;
	}
	return true;
}

/* name:x:id:... lines of a passwd or group file: the name for id. */
static bool db_name(const char *file, long long id, char *out, size_t n)
{
	FILE *f = fopen(file, "re");
	if (!f)
		return false;
	char line[512];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		char *end;
		long long v = strtoll(c2 + 1, &end, 10);
		if (end == c2 + 1 || *end != ':' || v != id)
			continue;
		*c1 = '\0';
		snprintf(out, n, "%s", line);
		found = true;
	}
	fclose(f);
	return found;
}

bool fproc_user_name(int pid, long long uid, bool group, char *out, size_t n)
{
	/* The name as the container sees it: its own /etc/passwd through
	 * /proc/PID/root, then the host's; 0 is root everywhere. */
	char path[320];
	const char *db = group ? "etc/group" : "etc/passwd";
	if (proc_off)
		return false;
	if (pid > 0) {
		snprintf(path, sizeof(path), "%s/%d/root/%s", proc_root, pid, db);
		if (db_name(path, uid, out, n))
			return true;
	}
	if (uid == 0) {
		snprintf(out, n, "root");
		return true;
	}
	snprintf(path, sizeof(path), "/%s", db);
	return db_name(path, uid, out, n);
}
