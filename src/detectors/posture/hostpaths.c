/* Sensitive host paths, matched by ancestry: a hostPath that is, contains
 * (is an ancestor of) or lies under a sensitive path exposes it. Exact-path
 * matching (kube-linter, Trivy) lets /var slip past the Docker socket under
 * it; this does not. Paths are normalized lexically first (//, ., .., /). */
#include <stdio.h>
#include <string.h>

#include "detectors/posture/posture.h"

/* Under any of these, the node's kernel, credentials, binaries or runtime state. */
static const char *const sensitive[] = {
	"/proc", "/sys", "/dev", "/etc", "/root", "/boot", "/home", "/bin", "/sbin", "/lib", "/lib64",
	"/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib64", "/var/lib/kubelet", "/var/lib/docker",
	"/var/lib/containerd", "/var/lib/etcd", "/var/lib/cni", "/var/run", "/run", "/var/log",
	"/opt/cni", "/var/lib/containers", "/var/lib/rancher", "/var/lib/crio",
};

/* Runtime API sockets: equal or ancestor (mounting /var/run exposes docker.sock). */
static const char *const sockets[] = {
	"/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd/containerd.sock",
	"/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/run/crio/crio.sock",
	"/run/podman/podman.sock", "/var/run/podman/podman.sock", "/var/run/cri-dockerd.sock",
	"/run/k3s/containerd/containerd.sock", "/var/run/dockershim.sock",
};

/* Lexical normalization into out (always absolute). */
static void normalize(const char *in, char *out, size_t n)
{
	size_t len = 0;
	out[0] = 0;
	const char *p = in;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = strchr(p, '/');
		size_t cl = e ? (size_t)(e - p) : strlen(p);
		if (cl == 0)
			break;
		if (cl == 1 && p[0] == '.') {
			/* skip */
		} else if (cl == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(out, '/');
			len = slash ? (size_t)(slash - out) : 0;
			out[len] = 0;
		} else if (len + 1 + cl + 1 < n) {
			out[len++] = '/';
			memcpy(out + len, p, cl);
			len += cl;
			out[len] = 0;
		}
		p += cl;
	}
	if (len == 0)
		snprintf(out, n, "/");
}

/* a is b, or an ancestor of b. */
static bool covers(const char *a, const char *b)
{
	if (strcmp(a, "/") == 0)
		return true;
	size_t n = strlen(a);
	return strncmp(a, b, n) == 0 && (b[n] == 0 || b[n] == '/');
}

bool hh_posture_hostpath_sensitive(const char *path, const char **matched)
{
	char norm[1024];
	normalize(path, norm, sizeof(norm));
	for (size_t i = 0; i < sizeof(sensitive) / sizeof(sensitive[0]); i++) {
		if (covers(norm, sensitive[i]) || covers(sensitive[i], norm)) {
			if (matched)
				*matched = sensitive[i];
			return true;
		}
	}
	return false;
}

bool hh_posture_hostpath_socket(const char *path, const char **matched)
{
	char norm[1024];
	normalize(path, norm, sizeof(norm));
	for (size_t i = 0; i < sizeof(sockets) / sizeof(sockets[0]); i++) {
		if (covers(norm, sockets[i])) {
			if (matched)
				*matched = sockets[i];
			return true;
		}
	}
	/* Sockets moved elsewhere keep their names. */
	const char *base = strrchr(norm, '/');
	base = base ? base + 1 : norm;
	static const char *const names[] = { "docker.sock", "containerd.sock", "crio.sock", "podman.sock",
					     "cri-dockerd.sock", "dockershim.sock" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(base, names[i]) == 0) {
			if (matched)
				*matched = names[i];
			return true;
		}
	}
	return false;
}
