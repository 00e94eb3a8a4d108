/* The posture of a running container, from its OCI runtime spec: the spec
 * is translated into the Pod it amounts to and judged by the same controls
 * as `hashhound check` (workload_checks.c). What the translation reads:
 *   privileged        Podman's io.podman.annotations.privileged, or CAP_SYS_ADMIN
 *                     with no seccomp profile and no masked paths (what
 *                     --privileged and privileged: true produce)
 *   hostPID/Network/IPC  no pid / network / ipc entry in linux.namespaces
 *   capabilities.add  bounding capabilities beyond the runtimes' defaults
 *   runAsUser         process.user.uid
 *   limits.cpu        linux.resources.cpu quota / period; limits.memory likewise
 *   hostPath volumes  bind mounts, except the runtime's own (hosts, resolv.conf,
 *                     hostname, .containerenv, shm, secrets from its state dirs)
 *   readOnlyRootFilesystem  root.readonly (no control of `check` judges it;
 *                     the agent reports it as context.writable-rootfs) */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "detectors/posture/posture.h"

/* Docker, containerd CRI and Podman defaults together. */
static const char *const default_caps[] = {
	"CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "NET_BIND_SERVICE", "SETFCAP", "SETGID",
	"SETPCAP", "SETUID", "SYS_CHROOT", "MKNOD", "NET_RAW", "AUDIT_WRITE",
};

/* Sources of the bind mounts a runtime adds to every container. */
static const char *const runtime_sources[] = {
	"/run/containers/storage/", "/var/lib/containers/storage/", "/run/user/", "/var/lib/docker/containers/",
	"/var/lib/kubelet/pods/", "/run/containerd/", "/var/run/containerd/", "/var/lib/containerd/",
	"/run/libpod/", "/var/run/libpod/",
};

static bool has_ns(const json_t *nss, const char *type)
{
	size_t i;
	json_t *n;
	json_array_foreach(nss, i, n) {
		const char *t = json_string_value(json_object_get(n, "type"));
		if (t && strcmp(t, type) == 0)
			return true;
	}
	return false;
}

static bool is_default_cap(const char *cap)
{
	for (size_t i = 0; i < sizeof(default_caps) / sizeof(default_caps[0]); i++)
		if (strcmp(cap, default_caps[i]) == 0)
			return true;
	return false;
}

static bool runtime_mount(const char *src)
{
	for (size_t i = 0; i < sizeof(runtime_sources) / sizeof(runtime_sources[0]); i++)
		if (strncmp(src, runtime_sources[i], strlen(runtime_sources[i])) == 0)
			return true;
	return false;
}

static bool has_option(const json_t *opts, const char *o)
{
	size_t i;
	json_t *v;
	json_array_foreach(opts, i, v) {
		const char *s = json_string_value(v);
		if (s && strcmp(s, o) == 0)
			return true;
	}
	return false;
}

bool hh_posture_oci_privileged(const json_t *spec)
{
	const char *ann = json_string_value(json_object_get(json_object_get(spec, "annotations"),
							    "io.podman.annotations.privileged"));
	if (ann)
		return strcasecmp(ann, "true") == 0;
	const json_t *linux_ = json_object_get(spec, "linux");
	const json_t *bounding = json_object_get(json_object_get(json_object_get(spec, "process"), "capabilities"),
						 "bounding");
	bool sys_admin = false;
	size_t i;
	json_t *v;
	json_array_foreach(bounding, i, v) {
		const char *s = json_string_value(v);
		sys_admin |= s && strcmp(s, "CAP_SYS_ADMIN") == 0;
	}
	return sys_admin && !json_object_get(linux_, "seccomp") &&
	       json_array_size(json_object_get(linux_, "maskedPaths")) == 0;
}

json_t *hh_posture_pod_from_oci(const json_t *spec, const struct hh_workload *w)
{
	if (!json_is_object(spec))
		return NULL;
	const json_t *linux_ = json_object_get(spec, "linux");
	const json_t *process = json_object_get(spec, "process");
	const json_t *nss = json_object_get(linux_, "namespaces");
	json_t *pod = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind", "Pod", "metadata", "name",
				w && w->pod_name[0] ? w->pod_name
				: w && w->container_name[0] ? w->container_name
				: w ? w->container_id : "container");
	if (!pod)
		return NULL;
	if (w && w->pod_namespace[0])
		json_object_set_new(json_object_get(pod, "metadata"), "namespace", json_string(w->pod_namespace));
	json_t *podspec = json_object();
	json_object_set_new(pod, "spec", podspec);
	/* an OCI spec without a namespaces list shares them all */
	if (json_is_array(nss)) {
		json_object_set_new(podspec, "hostPID", json_boolean(!has_ns(nss, "pid")));
		json_object_set_new(podspec, "hostNetwork", json_boolean(!has_ns(nss, "network")));
		json_object_set_new(podspec, "hostIPC", json_boolean(!has_ns(nss, "ipc")));
	}
	/* service account tokens are a Kubernetes matter the spec does not tell */
	json_object_set_new(podspec, "automountServiceAccountToken", json_false());
	json_t *c = json_object();
	json_t *containers = json_array();
	json_array_append_new(containers, c);
	json_object_set_new(podspec, "containers", containers);
	json_object_set_new(c, "name", json_string(w && w->container_name[0] ? w->container_name : "container"));
	if (w && w->image[0])
		json_object_set_new(c, "image", json_string(w->image));
	json_t *sc = json_object();
	json_object_set_new(c, "securityContext", sc);
	if (hh_posture_oci_privileged(spec))
		json_object_set_new(sc, "privileged", json_true());
	json_t *add = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(json_object_get(process, "capabilities"), "bounding"), i, v) {
		const char *s = json_string_value(v);
		if (s && strncmp(s, "CAP_", 4) == 0 && !is_default_cap(s + 4))
			json_array_append_new(add, json_string(s + 4));
	}
	if (json_array_size(add))
		json_object_set_new(sc, "capabilities", json_pack("{s:o}", "add", add));
	else
		json_decref(add);
	json_t *uid = json_object_get(json_object_get(process, "user"), "uid");
	if (json_is_integer(uid))
		json_object_set_new(sc, "runAsUser", json_integer(json_integer_value(uid)));
	json_object_set_new(sc, "allowPrivilegeEscalation", json_boolean(!json_is_true(json_object_get(process, "noNewPrivileges"))));
	json_object_set_new(sc, "readOnlyRootFilesystem",
			    json_boolean(json_is_true(json_object_get(json_object_get(spec, "root"), "readonly"))));
	json_t *limits = json_object();
	const json_t *cpu = json_object_get(json_object_get(linux_, "resources"), "cpu");
	json_int_t quota = json_integer_value(json_object_get(cpu, "quota"));
	json_int_t period = json_integer_value(json_object_get(cpu, "period"));
	if (quota > 0) {
		char m[32];
		snprintf(m, sizeof(m), "%lldm", (long long)(quota * 1000 / (period > 0 ? period : 100000)));
		json_object_set_new(limits, "cpu", json_string(m));
	}
	json_int_t mem = json_integer_value(json_object_get(json_object_get(json_object_get(linux_, "resources"), "memory"), "limit"));
	if (mem > 0)
		json_object_set_new(limits, "memory", json_integer(mem));
	json_object_set_new(c, "resources", json_pack("{s:o}", "limits", limits));
	json_t *vols = json_array(), *vmounts = json_array();
	int nv = 0;
	json_array_foreach(json_object_get(spec, "mounts"), i, v) {
		const char *src = json_string_value(json_object_get(v, "source"));
		const char *dst = json_string_value(json_object_get(v, "destination"));
		const char *type = json_string_value(json_object_get(v, "type"));
		const json_t *opts = json_object_get(v, "options");
		bool bind = (type && strcmp(type, "bind") == 0) || has_option(opts, "bind") || has_option(opts, "rbind");
		if (!bind || !src || !dst || src[0] != '/' || runtime_mount(src) || nv >= 64)
			continue;
		char name[32];
		snprintf(name, sizeof(name), "bind-%d", nv++);
		json_array_append_new(vols, json_pack("{s:s, s:{s:s}}", "name", name, "hostPath", "path", src));
		json_array_append_new(vmounts, json_pack("{s:s, s:s, s:b}", "name", name, "mountPath", dst, "readOnly",
							 has_option(opts, "ro")));
	}
	json_object_set_new(podspec, "volumes", vols);
	json_object_set_new(c, "volumeMounts", vmounts);
	return pod;
}

int hh_posture_check_oci(struct hh_posture_ctx *ctx, const json_t *spec, const struct hh_workload *w)
{
	json_t *pod = hh_posture_pod_from_oci(spec, w);
	if (!pod)
		return -1;
	hh_posture_check_object(ctx, pod, NULL);
	json_decref(pod);
	return 0;
}
