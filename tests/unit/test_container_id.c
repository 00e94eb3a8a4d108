/* Container identity from cgroup paths: real layouts of every runtime,
 * driver, cgroup version and nesting, then hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "enrich/container_id.h"

#define ID1 "9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d"
#define ID2 "4f797c539e6c745de61a93ca3ff892358ecbcaccd8414d5db545c38428142970"
#define ID3 "819ef3f7bb558b74ca0077f72abc53bbbfd6b0a5f2d3905829aafeff1fead8f3"
#define UID "7e44ee88-1e65-4a16-8cdf-9a90c819180e"
#define UID_ "7e44ee88_1e65_4a16_8cdf_9a90c819180e"

struct sample {
	const char *what;
	const char *path;
	const char *id;       /* NULL: no container */
	const char *runtime;
	const char *pod_uid;
};

static const struct sample samples[] = {
	/* Docker */
	{ "docker cgroupfs v1", "/docker/" ID1, ID1, "docker", "" },
	{ "docker systemd v1/v2", "/system.slice/docker-" ID1 ".scope", ID1, "docker", "" },
	{ "docker rootless v2", "/user.slice/user-1000.slice/user@1000.service/docker.service/docker-" ID1 ".scope", ID1,
	  "docker", "" },
	{ "docker-in-docker (innermost)", "/docker/" ID1 "/docker/" ID2, ID2, "docker", "" },
	{ "ECS task", "/ecs/5a8b4c2e1f0d4e6f8a9b0c1d2e3f4a5b/" ID1, ID1, "", "" },
	/* Kubernetes, cgroupfs driver: docker/containerd/k3s (bare id) */
	{ "k8s cgroupfs burstable", "/kubepods/burstable/pod" UID "/" ID1, ID1, "", UID },
	{ "k8s cgroupfs besteffort", "/kubepods/besteffort/pod" UID "/" ID1, ID1, "", UID },
	{ "k8s cgroupfs guaranteed", "/kubepods/pod" UID "/" ID1, ID1, "", UID },
	{ "k3s cgroupfs", "/kubepods/besteffort/pod" UID "/" ID2, ID2, "", UID },
	{ "static pod (hash uid)", "/kubepods/burstable/pod0123456789abcdef0123456789abcdef/" ID1, ID1, "",
	  "0123456789abcdef0123456789abcdef" },
	{ "k8s pause-less pod cgroup", "/kubepods/burstable/pod" UID, NULL, NULL, NULL },
	/* Kubernetes, systemd driver */
	{ "containerd systemd v2",
	  "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/cri-containerd-" ID1 ".scope",
	  ID1, "containerd", UID },
	{ "containerd systemd guaranteed", "/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID1 ".scope", ID1,
	  "containerd", UID },
	{ "cri-o systemd", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/crio-" ID1 ".scope",
	  ID1, "cri-o", UID },
	{ "cri-o cgroupfs", "/kubepods/burstable/pod" UID "/crio-" ID1, ID1, "cri-o", UID },
	{ "cri-o conmon is not the container",
	  "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/crio-conmon-" ID1 ".scope", NULL,
	  NULL, NULL },
	{ "docker shim systemd", "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/docker-" ID1 ".scope",
	  ID1, "docker", UID },
	{ "containerd v1 systemd unexpanded",
	  "/system.slice/containerd.service/kubepods-burstable-pod" UID_ ".slice:cri-containerd:" ID1, ID1, "containerd",
	  UID },
	{ "cri-o v1 unexpanded", "/kubepods-besteffort-pod" UID_ ".slice:crio:" ID2, ID2, "cri-o", UID },
	/* kind: a node container (docker) holding kubelet pods */
	{ "kind v1",
	  "/docker/" ID2 "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
	  "kubelet-kubepods-besteffort-pod" UID_ ".slice/cri-containerd-" ID1 ".scope",
	  ID1, "containerd", UID },
	{ "kind node itself", "/docker/" ID2 "/kubelet.slice", ID2, "docker", "" },
	{ "kind v2 cgroupns", "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-pod" UID_ ".slice/cri-containerd-" ID1 ".scope",
	  ID1, "containerd", UID },
	/* containerd without Kubernetes */
	{ "nerdctl systemd", "/system.slice/nerdctl-" ID1 ".scope", ID1, "containerd", "" },
	{ "nerdctl cgroupfs", "/nerdctl/" ID1, ID1, "containerd", "" },
	{ "ctr default namespace", "/default/" ID1, ID1, "containerd", "" },
	/* Podman */
	{ "podman cgroupfs v1 (this machine)", "/libpod_parent/libpod-" ID3, ID3, "podman", "" },
	{ "podman systemd", "/machine.slice/libpod-" ID3 ".scope", ID3, "podman", "" },
	{ "podman systemd v2 container subgroup", "/machine.slice/libpod-" ID3 ".scope/container", ID3, "podman", "" },
	{ "podman rootless",
	  "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID3 ".scope", ID3, "podman", "" },
	{ "podman conmon", "/machine.slice/libpod-conmon-" ID3 ".scope", NULL, NULL, NULL },
	{ "podman pod infra", "/machine.slice/machine-libpod_pod_" ID1 ".slice/libpod-" ID3 ".scope/container", ID3,
	  "podman", "" },
	/* host processes */
	{ "root", "/", NULL, NULL, NULL },
	{ "systemd service", "/system.slice/sshd.service", NULL, NULL, NULL },
	{ "user session", "/user.slice/user-0.slice/session-3.scope", NULL, NULL, NULL },
	{ "docker daemon", "/system.slice/docker.service", NULL, NULL, NULL },
	/* hostile */
	{ "short id", "/docker/" "9ec39b91f3d7", NULL, NULL, NULL },
	{ "65 hex", "/docker/" ID1 "a", NULL, NULL, NULL },
	{ "uppercase hex", "/docker/9EC39B91F3D70E1BEFF50A308F77067065EA6BE0D91A3378375056CD4422CF3D", NULL, NULL, NULL },
	{ "prefix only", "/system.slice/docker-.scope", NULL, NULL, NULL },
	{ "dot-dot elements", "/../../system.slice/docker-" ID1 ".scope", ID1, "docker", "" },
	{ "unknown colon runtime", "/x.slice:evil:" ID1, NULL, NULL, NULL },
	{ "colon no id", "/a:b:", NULL, NULL, NULL },
	{ "bad pod uid", "/kubepods/podZZZ/" ID1, ID1, "", "" },
	{ "empty", "", NULL, NULL, NULL },
};

static void all_samples(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];
		struct hh_cgroup_identity ci;
		bool got = hh_cgroup_path_identity(s->path, strlen(s->path), &ci);
		if (got != (s->id != NULL))
			fail_msg("%s: %s: expected %s", s->what, s->path, s->id ? "a container" : "none");
		if (!s->id) {
			assert_string_equal(ci.container_id, "");
			continue;
		}
		if (strcmp(ci.container_id, s->id) != 0 || strcmp(ci.runtime, s->runtime) != 0 ||
		    strcmp(ci.pod_uid, s->pod_uid) != 0)
			fail_msg("%s: got id=%s runtime=%s pod=%s", s->what, ci.container_id, ci.runtime, ci.pod_uid);
	}
}

static void proc_cgroup_v1_file(void **state)
{
	(void)state;
	/* /proc/PID/cgroup of a podman container on this machine (hybrid v1 + unified). */
	const char *text = "9:name=systemd:/libpod_parent/libpod-" ID3 "\n"
			   "8:pids:/libpod_parent/libpod-" ID3 "\n"
			   "2:cpuacct:/libpod_parent/libpod-" ID3 "\n"
			   "1:cpu:/libpod_parent/libpod-" ID3 "\n"
			   "0::/libpod_parent/libpod-" ID3 "\n";
	struct hh_cgroup_identity ci;
	char path[256];
	assert_true(hh_proc_cgroup_identity(text, strlen(text), &ci, path, sizeof(path)));
	assert_string_equal(ci.container_id, ID3);
	assert_string_equal(ci.runtime, "podman");
	assert_string_equal(path, "/libpod_parent/libpod-" ID3);
}

static void proc_cgroup_prefers_cpu_line(void **state)
{
	(void)state;
	/* name=systemd differs (a systemd-driver host keeps the scope there);
	 * the cpu line is what telemetry reads. */
	const char *text = "12:name=systemd:/system.slice/docker-" ID1 ".scope\n"
			   "4:cpu,cpuacct:/system.slice/docker-" ID1 ".scope/sub\n"
			   "1:memory:/system.slice/docker-" ID1 ".scope\n";
	struct hh_cgroup_identity ci;
	char path[256];
	assert_true(hh_proc_cgroup_identity(text, strlen(text), &ci, path, sizeof(path)));
	assert_string_equal(path, "/system.slice/docker-" ID1 ".scope/sub");

	const char *v2 = "0::/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID1 ".scope\n";
	assert_true(hh_proc_cgroup_identity(v2, strlen(v2), &ci, path, sizeof(path)));
	assert_string_equal(ci.runtime, "containerd");
	assert_string_equal(ci.pod_uid, UID);

	const char *host = "0::/init.scope\n1:name=systemd:/init.scope\n";
	assert_false(hh_proc_cgroup_identity(host, strlen(host), &ci, path, sizeof(path)));
	assert_string_equal(path, "");
}

static void proc_cgroup_hostile(void **state)
{
	(void)state;
	struct hh_cgroup_identity ci;
	char path[128];
	/* ".." from another cgroup namespace: identity yes, joinable path no */
	const char *ns = "0::/../../system.slice/docker-" ID1 ".scope\n";
	assert_true(hh_proc_cgroup_identity(ns, strlen(ns), &ci, path, sizeof(path)));
	assert_string_equal(ci.container_id, ID1);
	assert_string_equal(path, "");

	/* path longer than the output buffer: identity yes, no truncated path */
	char longp[600];
	snprintf(longp, sizeof(longp), "0::/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/docker/%s/%0200d\n", ID1, 0);
	assert_true(hh_proc_cgroup_identity(longp, strlen(longp), &ci, path, sizeof(path)));
	assert_string_equal(path, "");

	/* embedded NUL in the path: the id after it is still an element of its
	 * own, but the path is not safe to join */
	char nul[200];
	memcpy(nul, "0::/x\0/docker/", 14);
	memcpy(nul + 14, ID1 "\n", 65);
	size_t nl = 14 + 65;
	assert_true(hh_proc_cgroup_identity(nul, nl, &ci, path, sizeof(path)));
	assert_string_equal(path, "");

	/* truncated mid-id: no container */
	const char *trunc = "0::/docker/9ec39b91f3d70e1beff50a308f7706";
	assert_false(hh_proc_cgroup_identity(trunc, strlen(trunc), &ci, path, sizeof(path)));

	/* no colons, one colon, non-UTF-8, empty lines */
	const char *junk = "garbage\n1:cpu\n\n\xff\xfe:\x80:/\xc3\x28/docker-" ID1 ".scope\n";
	assert_true(hh_proc_cgroup_identity(junk, strlen(junk), &ci, path, sizeof(path)));
	assert_string_equal(ci.container_id, ID1);
	assert_false(hh_proc_cgroup_identity("", 0, &ci, path, sizeof(path)));
	assert_false(hh_proc_cgroup_identity(NULL, 10, &ci, path, sizeof(path)));
	assert_false(hh_cgroup_path_identity(NULL, 10, &ci));
}

static void huge_inputs(void **state)
{
	(void)state;
	/* 4 MiB of slashes and elements: linear, no crash; the id at the end found */
	size_t n = 4u << 20;
	char *big = malloc(n + 80);
	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		big[i] = (i % 7 == 0) ? '/' : 'a' + (char)(i % 26);
	memcpy(big + n, "/docker/" ID2, 8 + 64);
	struct hh_cgroup_identity ci;
	assert_true(hh_cgroup_path_identity(big, n + 72, &ci));
	assert_string_equal(ci.container_id, ID2);
	/* 100000 nested docker ids: innermost wins */
	size_t reps = 100000, el = 8 + 64;
	char *nest = malloc(reps * el);
	assert_non_null(nest);
	for (size_t i = 0; i < reps; i++)
		memcpy(nest + i * el, i + 1 == reps ? "/docker/" ID1 : "/docker/" ID2, el);
	assert_true(hh_cgroup_path_identity(nest, reps * el, &ci));
	assert_string_equal(ci.container_id, ID1);
	/* a pod uid element longer than the field */
	char pod[400] = "/kubepods/pod";
	memset(pod + 13, 'a', 300);
	strcpy(pod + 313, "/" ID1);
	assert_true(hh_cgroup_path_identity(pod, strlen(pod), &ci));
	assert_string_equal(ci.pod_uid, "");
	free(big);
	free(nest);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_samples),
		cmocka_unit_test(proc_cgroup_v1_file),
		cmocka_unit_test(proc_cgroup_prefers_cpu_line),
		cmocka_unit_test(proc_cgroup_hostile),
		cmocka_unit_test(huge_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
