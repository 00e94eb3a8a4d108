/* Socket owner lookup: /proc/net/tcp{,6} -> inode -> /proc/PID/fd/N -> PID. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/pcap/live.h"

#define MAX_NETNS 256

/* /proc/net/tcp prints addresses as the kernel's 32-bit words in host order. */
static void parse_hex_addr(const char *hex, int family, unsigned char *out)
{
	size_t words = family == 4 ? 1 : 4;
	for (size_t w = 0; w < words; w++) {
		char tmp[9];
		memcpy(tmp, hex + w * 8, 8);
		tmp[8] = 0;
		unsigned int v = (unsigned int)strtoul(tmp, NULL, 16);
		memcpy(out + w * 4, &v, 4); /* host order word = the bytes as in memory */
	}
}

/* Scans one tcp table for the endpoint pair; returns the inode or 0. */
static unsigned long find_inode(const char *path, int family, const unsigned char *laddr, unsigned lport,
				const unsigned char *raddr, unsigned rport)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return 0;
	char line[512];
	unsigned long found = 0;
	size_t alen = family == 4 ? 4 : 16;
	size_t hexlen = alen * 2;
	if (!fgets(line, sizeof(line), fp)) { /* header */
		fclose(fp);
		return 0;
	}
	for (int lines = 0; lines < 1000000 && fgets(line, sizeof(line), fp); lines++) {
		char la[40], ra[40];
		unsigned lp, rp;
		unsigned long inode;
		int st;
		if (sscanf(line, " %*d: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x %*s %*s %*s %*d %*d %lu", la, &lp, ra,
			   &rp, &st, &inode) != 6)
			continue;
		if (strlen(la) != hexlen || strlen(ra) != hexlen || lp != lport || rp != rport)
			continue;
		unsigned char l[16], r[16];
		parse_hex_addr(la, family, l);
		parse_hex_addr(ra, family, r);
		if (memcmp(l, laddr, alen) == 0 && memcmp(r, raddr, alen) == 0 && inode) {
			found = inode;
			break;
		}
	}
	fclose(fp);
	return found;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int pid_of_inode(const char *proc_root, unsigned long inode)
{
	char want[64];
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	DIR *d = opendir(proc_root);
	if (!d)
		return -1;
	int pid = -1;
	struct dirent *de;
	while (pid < 0 && (de = readdir(d))) {
		if (!all_digits(de->d_name))
			continue;
		char fdp[300];
		snprintf(fdp, sizeof(fdp), "%s/%s/fd", proc_root, de->d_name);
		DIR *fd = opendir(fdp);
		if (!fd)
			continue;
		struct dirent *fe;
		int n = 0;
		while ((fe = readdir(fd)) && n++ < 65536) {
			if (fe->d_name[0] == '.')
				continue;
			char lp[600], target[128];
			snprintf(lp, sizeof(lp), "%s/%s", fdp, fe->d_name);
			ssize_t r = readlink(lp, target, sizeof(target) - 1);
			if (r <= 0)
				continue;
			target[r] = 0;
			if (strcmp(target, want) == 0) {
				pid = atoi(de->d_name);
				break;
			}
		}
		closedir(fd);
	}
	closedir(d);
	return pid;
}

static int find_pid_family(const char *proc_root, int family, const unsigned char *laddr, unsigned lport,
			   const unsigned char *raddr, unsigned rport);

int hh_procnet_find_pid(const char *proc_root, int family, const unsigned char *laddr, unsigned lport,
			const unsigned char *raddr, unsigned rport)
{
	int pid = find_pid_family(proc_root, family, laddr, lport, raddr, rport);
	if (pid < 0 && family == 4) {
		/* An IPv4 connection on a dual-stack (AF_INET6) socket is listed in
		 * tcp6 with IPv4-mapped addresses (::ffff:a.b.c.d). */
		unsigned char l6[16] = { [10] = 0xff, [11] = 0xff }, r6[16] = { [10] = 0xff, [11] = 0xff };
		memcpy(l6 + 12, laddr, 4);
		memcpy(r6 + 12, raddr, 4);
		pid = find_pid_family(proc_root, 6, l6, lport, r6, rport);
	}
	return pid;
}

static int find_pid_family(const char *proc_root, int family, const unsigned char *laddr, unsigned lport,
			   const unsigned char *raddr, unsigned rport)
{
	if (!proc_root)
		proc_root = "/proc";
	char path[300];
	snprintf(path, sizeof(path), "%s/net/%s", proc_root, family == 4 ? "tcp" : "tcp6");
	unsigned long inode = find_inode(path, family, laddr, lport, raddr, rport);
	if (!inode) {
		/* Other network namespaces: one process per namespace. */
		struct stat self;
		char nsp[300];
		snprintf(nsp, sizeof(nsp), "%s/self/ns/net", proc_root);
		ino_t host_ns = stat(nsp, &self) == 0 ? self.st_ino : 0;
		ino_t seen[MAX_NETNS];
		size_t n_seen = 0;
		DIR *d = opendir(proc_root);
		struct dirent *de;
		while (d && !inode && (de = readdir(d))) {
			if (!all_digits(de->d_name))
				continue;
			snprintf(nsp, sizeof(nsp), "%s/%s/ns/net", proc_root, de->d_name);
			struct stat st;
			if (stat(nsp, &st) < 0 || st.st_ino == host_ns)
				continue;
			bool dup = false;
			for (size_t i = 0; i < n_seen; i++)
				dup |= seen[i] == st.st_ino;
			if (dup || n_seen == MAX_NETNS)
				continue;
			seen[n_seen++] = st.st_ino;
			snprintf(path, sizeof(path), "%s/%s/net/%s", proc_root, de->d_name, family == 4 ? "tcp" : "tcp6");
			inode = find_inode(path, family, laddr, lport, raddr, rport);
		}
		if (d)
			closedir(d);
	}
	if (!inode)
		return -1;
	return pid_of_inode(proc_root, inode);
}
