/* Egress isolation inside the container's own network namespace: a forked
 * child joins it (setns) and inserts DROP rules for everything but loopback,
 * with iptables and ip6tables. A container that shares the host's network
 * namespace (--network host, hostNetwork: true) is refused: dropping its
 * egress would cut the node off. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fileio.h"
#include "response/response_internal.h"

static int run_in_netns(int nsfd, char *const argv[])
{
	pid_t child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		if (setns(nsfd, CLONE_NEWNET) < 0)
			_exit(126);
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0) {
			dup2(devnull, STDOUT_FILENO);
			dup2(devnull, STDERR_FILENO);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int hh_isolate_egress(const char *proc_root, int pid, bool dry_run, char *detail, size_t n, char *err,
		      size_t errlen)
{
	char path[HH_PATH_LEN], rel[64];
	snprintf(rel, sizeof(rel), "/%d/ns/net", pid);
	if (hh_path_join(path, sizeof(path), proc_root, rel) < 0)
		return -1;
	struct stat theirs, ours;
	if (stat(path, &theirs) < 0 || stat("/proc/self/ns/net", &ours) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev) {
		snprintf(err, errlen, "pid %d shares the host network namespace; isolating it would cut the "
				      "node off (use the NetworkPolicy action or freeze)", pid);
		return -1;
	}
	snprintf(detail, n, "netns inode %lu: iptables/ip6tables OUTPUT: ACCEPT -o lo, DROP all",
		 (unsigned long)theirs.st_ino);
	if (dry_run)
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	static const char *const tools[] = { "iptables", "ip6tables" };
	int rc = 0;
	for (size_t i = 0; i < 2 && rc == 0; i++) {
		/* DROP inserted first, then ACCEPT lo above it. */
		char *drop[] = { (char *)tools[i], "-w", "-I", "OUTPUT", "1", "-j", "DROP", NULL };
		char *lo[] = { (char *)tools[i], "-w", "-I", "OUTPUT", "1", "-o", "lo", "-j", "ACCEPT", NULL };
		if (run_in_netns(fd, drop) != 0 || run_in_netns(fd, lo) != 0) {
			snprintf(err, errlen, "%s in the netns of pid %d failed (is %s installed?)", tools[i], pid,
				 tools[i]);
			rc = -1;
		}
	}
	close(fd);
	return rc;
}
