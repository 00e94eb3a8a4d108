/* Workload identity: who a process, flow or finding belongs to.
 * Filled by enrich/ (cgroup path -> container id -> runtime metadata).
 * Fixed-size fields: identities are copied freely and never own memory;
 * values longer than a field are truncated (and stay NUL-terminated). */
#ifndef HH_WORKLOAD_H
#define HH_WORKLOAD_H

#include <stddef.h>

#define HH_ID_LEN      65   /* 64 hex digits + NUL */
#define HH_NAME_LEN    254  /* DNS-1123 subdomain limit + NUL */
#define HH_IMAGE_LEN   512
#define HH_PATH_LEN    1024
#define HH_MAX_LABELS  32

struct hh_label {
	char key[128];
	char value[128];
};

struct hh_workload {
	char container_id[HH_ID_LEN];   /* full id when known, "" for host processes */
	char runtime[16];               /* docker, containerd, cri-o, podman, "" */
	char container_name[HH_NAME_LEN];
	char image[HH_IMAGE_LEN];       /* repository[:tag][@digest] as the runtime recorded it */
	char pod_name[HH_NAME_LEN];
	char pod_namespace[HH_NAME_LEN];
	char pod_uid[HH_ID_LEN];
	char cgroup_path[HH_PATH_LEN];  /* path inside the hierarchy, e.g. /kubepods/... */
	struct hh_label labels[HH_MAX_LABELS];
	size_t n_labels;
};

/* Copies src into a fixed field of size n, truncating, always NUL-terminated. */
void hh_strlcpy(char *dst, const char *src, size_t n);

/* Returns the value of label key, or NULL. */
const char *hh_workload_label(const struct hh_workload *w, const char *key);

/* Adds a label (ignored when the table is full: labels are context, not identity). */
void hh_workload_add_label(struct hh_workload *w, const char *key, const char *value);

/* Image repository without tag or digest ("docker.io/library/nginx:1.2" -> "docker.io/library/nginx"). */
void hh_image_repository(const char *image, char *out, size_t n);

#endif
