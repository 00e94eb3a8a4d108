/* procfs details for sensor events: see sensor_proc.h. */
#include "sources/sensor/sensor_proc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "core/fileio.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

static const char *root_or_default(const char *r)
{
	return r && *r ? r : "/proc";
}

/* Truncating copy (fields are fixed-size by design: core/event.h). */
static void copy_str(char *dst, size_t n, const char *src)
{
	size_t l = strnlen(src, n - 1);
	memcpy(dst, src, l);
	dst[l] = '\0';
}

void hh_sensor_proc_exe(const char *proc_root, struct hh_event *ev)
{
	char p[PATH_MAX], buf[HH_EV_PATH_LEN];
	snprintf(p, sizeof(p), "%s/%d/exe", root_or_default(proc_root), ev->pid);
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		static const char del[] = " (deleted)";
		size_t dl = sizeof(del) - 1;
		if ((size_t)n > dl && strcmp(buf + n - dl, del) == 0) {
			ev->exe_deleted = true;
			buf[n - dl] = '\0';
		}
		if (strncmp(buf, "/memfd:", 7) == 0)
			ev->exe_memfd = true;
		copy_str(ev->exepath, sizeof(ev->exepath), buf);
	}
	if (ev->ppid > 0 && !ev->pcomm[0]) {
		snprintf(p, sizeof(p), "%s/%d/comm", root_or_default(proc_root), ev->ppid);
		char c[64];
		ssize_t m = hh_read_small(p, c, sizeof(c));
		if (m > 0) {
			c[strcspn(c, "\n")] = '\0';
			copy_str(ev->pcomm, sizeof(ev->pcomm), c);
		}
	}
}

bool hh_sensor_proc_same_image(const char *proc_root, const struct hh_event *ev)
{
	if (ev->type != HH_EV_EXEC || !ev->exepath[0] || ev->pid <= 0)
		return true;
	const char *root = root_or_default(proc_root);
	char p[PATH_MAX + 64];
	struct stat now, then;
	snprintf(p, sizeof(p), "%s/%d/exe", root, ev->pid);
	if (stat(p, &now) < 0)
		return true; /* gone: nothing read from /proc will mislead */
	/* the exec's file as the process saw it: under its root, or its cwd */
	if (snprintf(p, sizeof(p), "%s/%d/%s/%s", root, ev->pid, ev->exepath[0] == '/' ? "root" : "cwd",
		     ev->exepath) >= (int)sizeof(p) || stat(p, &then) < 0)
		return true; /* cannot tell (deleted, memfd, moved): assume so */
	return now.st_dev == then.st_dev && now.st_ino == then.st_ino;
}

uint32_t hh_sensor_pidns(const char *proc_root, int pid)
{
	char p[PATH_MAX];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%d/ns/pid", root_or_default(proc_root), pid);
	if (stat(p, &st) < 0)
		return 0;
	return (uint32_t)st.st_ino;
}

uint32_t hh_sensor_host_pidns(const char *proc_root)
{
	uint32_t ns = hh_sensor_pidns(proc_root, 1);
	if (!ns) {
		char p[PATH_MAX];
		struct stat st;
		snprintf(p, sizeof(p), "%s/self/ns/pid", root_or_default(proc_root));
		if (stat(p, &st) == 0)
			ns = (uint32_t)st.st_ino;
	}
	return ns;
}

/* The cgroup2 mount: /sys/fs/cgroup on v2 hosts, /sys/fs/cgroup/unified on hybrid ones. */
static const char *cgroup2_root(void)
{
	static const char *cands[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	static const char *found;
	static bool looked;
	if (!looked) {
		looked = true;
		for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
			struct statfs sf;
			if (statfs(cands[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
				found = cands[i];
				break;
			}
		}
	}
	return found;
}

uint64_t hh_sensor_cgroup_id(const char *proc_root, int pid)
{
	const char *root = cgroup2_root();
	if (!root)
		return 0;
	char p[PATH_MAX], buf[8192];
	snprintf(p, sizeof(p), "%s/%d/cgroup", root_or_default(proc_root), pid);
	ssize_t n = hh_read_small(p, buf, sizeof(buf));
	if (n <= 0)
		return 0;
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(line, "0::", 3) == 0) {
			char dir[PATH_MAX];
			struct stat st;
			if (snprintf(dir, sizeof(dir), "%s%s", root, line + 3) >= (int)sizeof(dir))
				return 0;
			return stat(dir, &st) == 0 ? (uint64_t)st.st_ino : 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

/* Reads a NUL-separated /proc file into out, separators replaced by sep. */
static ssize_t read_nul_list(const char *path, char sep, char *out, size_t outlen, bool *trunc)
{
	ssize_t n = hh_read_small(path, out, outlen);
	if (n <= 0) {
		out[0] = '\0';
		return n;
	}
	size_t m = (size_t)n;
	if (trunc && m >= outlen - 1)
		*trunc = true;
	while (m > 0 && out[m - 1] == '\0')
		m--;
	for (size_t i = 0; i < m; i++)
		if (out[i] == '\0')
			out[i] = sep;
	out[m] = '\0';
	return (ssize_t)m;
}

void hh_sensor_proc_env_cmdline(const char *proc_root, struct hh_event *ev)
{
	char p[PATH_MAX];
	if (!ev->env[0]) {
		snprintf(p, sizeof(p), "%s/%d/environ", root_or_default(proc_root), ev->pid);
		read_nul_list(p, '\n', ev->env, sizeof(ev->env), NULL);
	}
	if (!ev->cmdline[0]) {
		snprintf(p, sizeof(p), "%s/%d/cmdline", root_or_default(proc_root), ev->pid);
		read_nul_list(p, ' ', ev->cmdline, sizeof(ev->cmdline), &ev->cmdline_truncated);
	}
}

int hh_sensor_proc_details(const char *proc_root, struct hh_event *ev)
{
	const char *root = root_or_default(proc_root);
	char p[PATH_MAX], buf[4096];
	snprintf(p, sizeof(p), "%s/%d/status", root, ev->pid);
	ssize_t n = hh_read_small(p, buf, sizeof(buf));
	if (n <= 0)
		return -1;
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(line, "Name:\t", 6) == 0)
			copy_str(ev->comm, sizeof(ev->comm), line + 6);
		else if (strncmp(line, "PPid:\t", 6) == 0)
			ev->ppid = (int32_t)strtol(line + 6, NULL, 10);
		else if (strncmp(line, "Uid:\t", 5) == 0)
			ev->uid = (uint32_t)strtoul(line + 5, NULL, 10);
		else if (strncmp(line, "Gid:\t", 5) == 0)
			ev->gid = (uint32_t)strtoul(line + 5, NULL, 10);
		line = nl ? nl + 1 : NULL;
	}
	snprintf(p, sizeof(p), "%s/%d/cmdline", root, ev->pid);
	read_nul_list(p, ' ', ev->cmdline, sizeof(ev->cmdline), &ev->cmdline_truncated);
	snprintf(p, sizeof(p), "%s/%d/environ", root, ev->pid);
	read_nul_list(p, '\n', ev->env, sizeof(ev->env), NULL);
	ev->cgroup_id = hh_sensor_cgroup_id(proc_root, ev->pid);
	hh_sensor_proc_exe(proc_root, ev);
	return 0;
}
