/* Workload identity from runtime state on disk: a synthetic host tree with
 * podman (files copied from a real podman container), containerd (CRI,
 * nerdctl, Docker's moby namespace), CRI-O and Docker (plain and dockershim)
 * state; a broken tree (malformed, truncated, wrong types, non-UTF-8); the
 * LRU cache; PIDs through a synthetic /proc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fcntl.h>
#include <unistd.h>

#include "enrich/identity.h"

#define ID1 "9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d" /* containerd CRI */
#define ID2 "4f797c539e6c745de61a93ca3ff892358ecbcaccd8414d5db545c38428142970" /* docker (moby) */
#define ID3 "819ef3f7bb558b74ca0077f72abc53bbbfd6b0a5f2d3905829aafeff1fead8f3" /* podman --rootfs */
#define IDN "d40725fbf1068f69a721b1c2abe591696331f9e7b4ebcc9d87dd764c8c958e00" /* podman named */
#define ID4 "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00" /* cri-o */
#define ID5 "dddd0c3d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b" /* nerdctl */
#define ID6 "eeee0c3d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b" /* dockershim */

static char host[512], broken[512], proc[512];

static int setup(void **state)
{
	(void)state;
	const char *r = getenv("HH_ROOT");
	if (!r)
		r = ".";
	snprintf(host, sizeof(host), "%s/tests/data/runtimes/host", r);
	snprintf(broken, sizeof(broken), "%s/tests/data/runtimes/broken", r);
	snprintf(proc, sizeof(proc), "%s/tests/data/proc-tree", r);
	return access(host, F_OK) == 0 ? 0 : -1;
}

static struct hh_identity *open_host(const char *root, size_t cap)
{
	struct hh_identity_opts o = { .proc_root = proc, .host_root = root, .cache_cap = cap };
	struct hh_identity *id = hh_identity_new(&o);
	assert_non_null(id);
	return id;
}

static void every_runtime(void **state)
{
	(void)state;
	struct hh_identity *id = open_host(host, 0);
	assert_string_equal(hh_identity_runtimes(id), "podman/cri-o,containerd,docker");
	struct hh_workload w;

	assert_int_equal(hh_identity_of_container(id, ID1, "containerd", &w), 0);
	assert_string_equal(w.runtime, "containerd");
	assert_string_equal(w.container_name, "app");
	assert_string_equal(w.pod_name, "web-6d4cf56db6-x7k2p");
	assert_string_equal(w.pod_namespace, "shop");
	assert_string_equal(w.pod_uid, "7e44ee88-1e65-4a16-8cdf-9a90c819180e");
	assert_string_equal(w.image, "registry.example.com:5000/team/web:1.4.2");

	/* Docker 24: the cgroup said docker; Docker's own state names it */
	assert_int_equal(hh_identity_of_container(id, ID2, "docker", &w), 0);
	assert_string_equal(w.runtime, "docker");
	assert_string_equal(w.container_name, "frontend");
	assert_string_equal(w.image, "nginx:1.25");
	assert_string_equal(hh_workload_label(&w, "com.example.team"), "edge");

	/* podman, from the real files: named container with a built image */
	assert_int_equal(hh_identity_of_container(id, IDN, "podman", &w), 0);
	assert_string_equal(w.runtime, "podman");
	assert_string_equal(w.container_name, "hh-ident-named");
	assert_string_equal(w.image, "localhost/hh-ident-bb:1.0");
	/* podman --rootfs: a name, no image */
	assert_int_equal(hh_identity_of_container(id, ID3, "podman", &w), 0);
	assert_string_equal(w.container_name, "hh-ident-probe");
	assert_string_equal(w.image, "");

	/* CRI-O with pod labels from its sandbox */
	assert_int_equal(hh_identity_of_container(id, ID4, "cri-o", &w), 0);
	assert_string_equal(w.runtime, "cri-o");
	assert_string_equal(w.container_name, "worker");
	assert_string_equal(w.pod_name, "jobs-5f7c9");
	assert_string_equal(w.pod_namespace, "batch");
	assert_string_equal(w.pod_uid, "22222222-3333-4444-5555-666666666666");
	assert_string_equal(w.image, "quay.io/acme/worker:2.0");
	assert_string_equal(hh_workload_label(&w, "app"), "batch-runner");
	assert_string_equal(hh_workload_label(&w, "team"), "blue");
	assert_null(hh_workload_label(&w, "io.kubernetes.pod.name"));

	/* nerdctl (plain containerd), the runtime unknown from the path */
	assert_int_equal(hh_identity_of_container(id, ID5, "", &w), 0);
	assert_string_equal(w.runtime, "containerd");
	assert_string_equal(w.container_name, "batch-1");
	assert_string_equal(hh_workload_label(&w, "containerd.namespace"), "default");

	/* dockershim */
	assert_int_equal(hh_identity_of_container(id, ID6, NULL, &w), 0);
	assert_string_equal(w.runtime, "docker");
	assert_string_equal(w.container_name, "exporter");
	assert_string_equal(w.pod_name, "node-exporter-abcde");
	assert_string_equal(w.pod_namespace, "monitoring");
	assert_string_equal(w.pod_uid, "11111111-2222-3333-4444-555555555555");
	/* pod labels from the sandbox; Kubernetes bookkeeping labels left out */
	assert_string_equal(hh_workload_label(&w, "app.kubernetes.io/name"), "node-exporter");
	assert_string_equal(hh_workload_label(&w, "pod-template-generation"), "3");
	assert_null(hh_workload_label(&w, "annotation.io.kubernetes.container.restartCount"));
	assert_null(hh_workload_label(&w, "annotation.kubernetes.io/config.seen"));

	/* unknown and hostile ids */
	assert_int_equal(hh_identity_of_container(id, "abababababababababababababababababababababababababababababababab",
						  "cri-o", &w), -1);
	assert_string_equal(w.runtime, "cri-o");
	assert_string_equal(w.container_id, "abababababababababababababababababababababababababababababababab");
	assert_int_equal(hh_identity_of_container(id, "../../../etc", "", &w), -1);
	assert_int_equal(hh_identity_of_container(id, "..", "docker", &w), -1);
	assert_int_equal(hh_identity_of_container(id, "", "docker", &w), -1);
	assert_int_equal(hh_identity_of_container(id, NULL, "docker", &w), -1);
	hh_identity_free(id);
}

static void pids(void **state)
{
	(void)state;
	struct hh_identity *id = open_host(host, 0);
	struct hh_workload w;
	assert_int_equal(hh_identity_of_pid(id, 100, &w), 1);
	assert_string_equal(w.container_id, ID1);
	assert_string_equal(w.pod_namespace, "shop");
	assert_non_null(strstr(w.cgroup_path, "cri-containerd-" ID1 ".scope"));
	assert_int_equal(hh_identity_of_pid(id, 200, &w), 1);
	assert_string_equal(w.container_name, "hh-ident-probe");
	assert_string_equal(w.cgroup_path, "/libpod_parent/libpod-" ID3);
	assert_int_equal(hh_identity_of_pid(id, 300, &w), 0);
	assert_string_equal(w.container_id, "");
	assert_int_equal(hh_identity_of_pid(id, 400, &w), 1);
	assert_string_equal(w.container_name, "frontend");
	assert_int_equal(hh_identity_of_pid(id, 999999, &w), -1);
	assert_int_equal(hh_identity_of_pid(id, -5, &w), -1);
	hh_identity_free(id);

	/* the real /proc: this test process is wherever it is, and the call agrees with itself */
	struct hh_identity_opts o = { 0 };
	id = hh_identity_new(&o);
	int rc = hh_identity_of_pid(id, getpid(), &w);
	assert_true(rc == 0 || rc == 1);
	assert_int_equal(rc == 1, w.container_id[0] != '\0');
	hh_identity_free(id);
}

/* Captures what the code under test logs to stderr. */
static int capture_begin(char *path, size_t n)
{
	snprintf(path, n, "/tmp/hh-test-identity-log.%d", (int)getpid());
	int saved = dup(2);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	return saved;
}

static char *capture_end(int saved, const char *path)
{
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	FILE *f = fopen(path, "r");
	static char buf[8192];
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	unlink(path);
	return buf;
}

static void broken_state(void **state)
{
	(void)state;
	struct hh_identity *id = open_host(broken, 0);
	struct hh_workload w;
	char logp[128];
	int saved = capture_begin(logp, sizeof(logp));
	/* truncated config.v2.json: the runtime is still known, one log line */
	assert_int_equal(hh_identity_of_container(id, ID2, "docker", &w), 0);
	assert_string_equal(w.runtime, "docker");
	/* cached: the second lookup does not log again */
	assert_int_equal(hh_identity_of_container(id, ID2, "docker", &w), 0);
	/* annotations of the wrong type: named, nothing filled */
	assert_int_equal(hh_identity_of_container(id, ID1, "containerd", &w), 0);
	assert_string_equal(w.container_name, "");
	/* non-UTF-8 in a CRI-O config: malformed for JSON */
	assert_int_equal(hh_identity_of_container(id, ID4, "cri-o", &w), 0);
	/* containers.json malformed: the lookup goes on */
	assert_int_equal(hh_identity_of_container(id, ID5, "podman", &w), -1);
	char *log = capture_end(saved, logp);
	assert_non_null(strstr(log, "containers/" ID2 "/config.v2.json:2:"));
	assert_non_null(strstr(log, "malformed JSON"));
	assert_non_null(strstr(log, "overlay-containers/" ID4 "/userdata/config.json"));
	assert_non_null(strstr(log, "containers.json"));
	const char *first = strstr(log, "config.v2.json");
	assert_null(strstr(first + 1, "config.v2.json"));
	hh_identity_free(id);
}

static void cache_lru_and_forget(void **state)
{
	(void)state;
	char tmp[] = "/tmp/hh-test-identity-XXXXXX";
	assert_non_null(mkdtemp(tmp));
	char cmd[1400];
	snprintf(cmd, sizeof(cmd), "cp -r '%s/var' '%s/run' '%s/'", host, host, tmp);
	assert_int_equal(system(cmd), 0);
	char cfg[1024];
	snprintf(cfg, sizeof(cfg), "%s/var/lib/docker/containers/%s/config.v2.json", tmp, ID2);

	struct hh_identity *id = open_host(tmp, 1);
	struct hh_workload w;
	assert_int_equal(hh_identity_of_container(id, ID2, "docker", &w), 0);
	assert_string_equal(w.container_name, "frontend");
	FILE *f = fopen(cfg, "w");
	assert_non_null(f);
	fputs("{\"Name\":\"/renamed\",\"Config\":{\"Image\":\"nginx:1.26\"}}", f);
	fclose(f);
	assert_int_equal(hh_identity_of_container(id, ID2, "docker", &w), 0);
	assert_string_equal(w.container_name, "frontend"); /* cached */
	hh_identity_forget(id, ID2);
	assert_int_equal(hh_identity_of_container(id, ID2, "docker", &w), 0);
	assert_string_equal(w.container_name, "renamed");
	/* capacity 1: another container evicts it */
	assert_int_equal(hh_identity_of_container(id, ID6, "docker", &w), 0);
	f = fopen(cfg, "w");
	fputs("{\"Name\":\"/third\"}", f);
	fclose(f);
	assert_int_equal(hh_identity_of_container(id, ID2, "docker", &w), 0);
	assert_string_equal(w.container_name, "third");
	hh_identity_forget(id, "not-cached");
	hh_identity_free(id);

	/* many distinct containers through a small cache: bounded, no crash */
	id = open_host(tmp, 8);
	for (int i = 0; i < 2000; i++) {
		char cid[65];
		snprintf(cid, sizeof(cid), "%064x", i);
		assert_int_equal(hh_identity_of_container(id, cid, "", &w), -1);
	}
	hh_identity_free(id);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

static void docker_through_containerd(void **state)
{
	(void)state;
	/* Docker 20+ task in containerd namespace "moby", path hint containerd:
	 * reported as Docker, named from Docker's own state. */
	struct hh_identity *id = open_host(host, 0);
	struct hh_workload w;
	assert_int_equal(hh_identity_of_container(id, ID2, "containerd", &w), 0);
	assert_string_equal(w.runtime, "docker");
	assert_string_equal(w.container_name, "frontend");
	assert_null(hh_workload_label(&w, "containerd.namespace"));
	hh_identity_free(id);
}

static void absent_runtimes(void **state)
{
	(void)state;
	struct hh_identity *id = open_host("/nonexistent-root", 0);
	assert_string_equal(hh_identity_runtimes(id), "");
	struct hh_workload w;
	assert_int_equal(hh_identity_of_container(id, ID1, "containerd", &w), -1);
	assert_string_equal(w.container_id, ID1);
	hh_identity_free(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_runtime),  cmocka_unit_test(pids),
		cmocka_unit_test(broken_state),   cmocka_unit_test(cache_lru_and_forget),
		cmocka_unit_test(absent_runtimes), cmocka_unit_test(docker_through_containerd),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
