/* Egress isolation inside the container's own network namespace: a forked
 * child joins it (setns) and inserts DROP rules for everything but loopback,
 * with iptables and ip6tables.
 *
 * Never cut off the node: the target is refused when its network namespace
 * is the one of the host's init (pid 1 under the proc root: --network host,
 * hostNetwork: true) or the responder's own (/proc/self/ns/net: the agent
 * would cut itself off, and when it runs with hostNetwork that is the host's
 * too). Comparing with only one of them is not enough: an agent in its own
 * netns (a DaemonSet without hostNetwork) would isolate a host-network pod.
 * When pid 1's namespace cannot be read (an init that is not dumpable),
 * kthreadd's (pid 2) stands in: kernel threads always live in the initial
 * network namespace. When neither can be read the target is refused. */
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

/* The host's network namespace: pid 1's under the proc root, else
 * kthreadd's. Returns the path used, or NULL. */
static const char *host_netns(const char *proc_root, struct stat *st, char *path, size_t n)
{
	if (hh_path_join(path, n, proc_root, "/1/ns/net") == 0 && stat(path, st) == 0)
		return path;
	char comm_path[HH_PATH_LEN], comm[32] = "";
	if (hh_path_join(comm_path, sizeof(comm_path), proc_root, "/2/comm") == 0) {
		FILE *fp = fopen(comm_path, "r");
		if (fp) {
			if (!fgets(comm, sizeof(comm), fp))
				comm[0] = '\0';
			fclose(fp);
		}
	}
	if (strcmp(comm, "kthreadd\n") == 0 && hh_path_join(path, n, proc_root, "/2/ns/net") == 0 &&
	    stat(path, st) == 0)
		return path;
	hh_path_join(path, n, proc_root, "/1/ns/net");
	return NULL;
}

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
	char host_path[HH_PATH_LEN];
	struct stat theirs, ours, host;
	const char *unreadable = stat(path, &theirs) < 0					? path
				 : !host_netns(proc_root, &host, host_path, sizeof(host_path)) ? host_path
				 : stat("/proc/self/ns/net", &ours) < 0				? "/proc/self/ns/net"
													: NULL;
	if (unreadable) {
		snprintf(err, errlen, "%s: %s (cannot tell the target's network namespace from the host's; "
				      "not isolating)", unreadable, strerror(errno));
		return -1;
	}
	if (theirs.st_ino == host.st_ino && theirs.st_dev == host.st_dev) {
		snprintf(err, errlen, "pid %d shares the host network namespace (%s); isolating it would cut "
				      "the node off (use the NetworkPolicy action or freeze)", pid, host_path);
		return -1;
	}
	if (theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev) {
		snprintf(err, errlen, "pid %d shares the network namespace of hashhound itself; isolating it "
				      "would cut the responder off (use the NetworkPolicy action or freeze)", pid);
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
