/* Container identity from a cgroup path, for every runtime and layout:
 * Docker, containerd (CRI and plain), CRI-O, Podman; cgroup v1 and v2;
 * systemd and cgroupfs drivers; nested paths (kind, k3s, docker-in-docker).
 * Examples it must handle:
 *   /docker/<64hex>                                        docker, cgroupfs
 *   /system.slice/docker-<64hex>.scope                     docker, systemd
 *   /kubepods/burstable/pod<uid>/<64hex>                   containerd/docker CRI, cgroupfs
 *   /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod<uid>.slice/cri-containerd-<64hex>.scope
 *   /kubepods.slice/.../crio-<64hex>.scope                 CRI-O
 *   /machine.slice/libpod-<64hex>.scope, /libpod_parent/libpod-<64hex>   podman
 *   /docker/<kind-node-id>/kubelet.slice/.../cri-containerd-<64hex>.scope  kind (innermost wins) */
#ifndef HH_CONTAINER_ID_H
#define HH_CONTAINER_ID_H

#include <stdbool.h>
#include <stddef.h>

#include "core/workload.h"

struct hh_cgroup_identity {
	char container_id[HH_ID_LEN];   /* innermost container id, "" when none */
	char runtime[16];               /* "docker", "containerd", "cri-o", "podman", "" */
	char pod_uid[HH_ID_LEN];        /* from a kubepods pod<uid> element, dashes restored */
};

/* Parses one cgroup path (hostile input: any bytes, any length). Returns
 * true when the path names a container. Never reads the filesystem. */
bool hh_cgroup_path_identity(const char *path, size_t len, struct hh_cgroup_identity *out);

/* Parses the text of /proc/PID/cgroup (v1 lines "N:ctrl:path", v2 "0::path")
 * and returns the identity of the most specific container path found, and
 * the path itself (for telemetry) into path_out. Preference when lines
 * differ: the v1 cpu/cpuacct line, then the v2 line, then any other.
 * path_out is "" when the path does not fit or holds "." / ".." elements
 * (a reader in another cgroup namespace sees those): the identity is still
 * returned, but such a path must not be joined to a hierarchy root. */
bool hh_proc_cgroup_identity(const char *text, size_t len, struct hh_cgroup_identity *out,
			     char *path_out, size_t path_n);

#endif
