/* Freeze, thaw and kill through the cgroup: the kernel stops or kills every
 * process of the container at once, so a miner cannot fork away. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "response/response_internal.h"

/* Path of a control file: v2 lives in the unified dir, v1 in its controller. */
int hh_cgroup_file(const char *cgroup_root, const struct hh_container_ref *c, const char *v1_controller,
		   const char *file, char *out, size_t n)
{
	char rel[HH_PATH_LEN + 128];
	if (c->version == 2)
		snprintf(rel, sizeof(rel), "%s%s/%s", hh_cgroup_v2_prefix(cgroup_root), c->cgroup_path, file);
	else
		snprintf(rel, sizeof(rel), "/%s%s/%s", v1_controller, c->cgroup_path, file);
	return hh_path_join(out, n, cgroup_root, rel);
}

const char *hh_cgroup_v2_prefix(const char *cgroup_root)
{
	char probe[HH_PATH_LEN];
	/* Hybrid hosts (like these test machines) mount v2 at /unified. */
	if (hh_path_join(probe, sizeof(probe), cgroup_root, "/unified/cgroup.controllers") == 0 &&
	    access(probe, F_OK) == 0)
		return "/unified";
	return "";
}

int hh_cgroup_pids(const char *cgroup_root, const struct hh_container_ref *c, int *pids, size_t max)
{
	char path[HH_PATH_LEN + 256];
	if (hh_cgroup_file(cgroup_root, c, "pids", "cgroup.procs", path, sizeof(path)) < 0)
		return -1;
	struct hh_buf b;
	char err[256];
	if (hh_read_file(path, 1 << 20, &b, err, sizeof(err)) < 0) {
		/* v1 without the pids controller: the cpu hierarchy has the same procs. */
		if (c->version == 2 || hh_cgroup_file(cgroup_root, c, "cpu", "cgroup.procs", path, sizeof(path)) < 0 ||
		    hh_read_file(path, 1 << 20, &b, err, sizeof(err)) < 0)
			return -1;
	}
	size_t n = 0;
	for (char *p = b.data; *p && n < max;) {
		char *end;
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 0)
			pids[n++] = (int)pid;
		p = end;
		while (*p == '\n')
			p++;
	}
	hh_buf_free(&b);
	return (int)n;
}

static int write_value(const char *path, const char *value, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "w");
	if (!fp || fputs(value, fp) < 0 || fclose(fp) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fp)
			fclose(fp);
		return -1;
	}
	return 0;
}

int hh_cgroup_freeze(const char *cgroup_root, const struct hh_container_ref *c, bool freeze, char *err,
		     size_t errlen)
{
	char path[HH_PATH_LEN + 256];
	if (c->version == 2) {
		if (hh_cgroup_file(cgroup_root, c, NULL, "cgroup.freeze", path, sizeof(path)) < 0)
			return -1;
		return write_value(path, freeze ? "1" : "0", err, errlen);
	}
	if (hh_cgroup_file(cgroup_root, c, "freezer", "freezer.state", path, sizeof(path)) < 0)
		return -1;
	return write_value(path, freeze ? "FROZEN" : "THAWED", err, errlen);
}

int hh_cgroup_kill(const char *cgroup_root, const struct hh_container_ref *c, int *killed, char *err,
		   size_t errlen)
{
	char path[HH_PATH_LEN + 256];
	*killed = 0;
	/* cgroup.kill (v2, Linux 5.14+) kills atomically, forks included. */
	if (c->version == 2 && hh_cgroup_file(cgroup_root, c, NULL, "cgroup.kill", path, sizeof(path)) == 0 &&
	    access(path, W_OK) == 0) {
		int pids[4096];
		int n = hh_cgroup_pids(cgroup_root, c, pids, 4096);
		if (write_value(path, "1", err, errlen) < 0)
			return -1;
		*killed = n > 0 ? n : 0;
		return 0;
	}
	/* v1: freeze first so nothing forks between listing and killing. */
	bool frozen = hh_cgroup_freeze(cgroup_root, c, true, err, errlen) == 0;
	int pids[4096];
	int n = hh_cgroup_pids(cgroup_root, c, pids, 4096);
	if (n < 0) {
		snprintf(err, errlen, "container %.12s: cannot list its processes", c->id);
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (kill(pids[i], SIGKILL) == 0)
			(*killed)++;
	if (frozen)
		hh_cgroup_freeze(cgroup_root, c, false, err, errlen); /* lets SIGKILL be delivered */
	return 0;
}
