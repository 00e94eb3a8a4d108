/* Posture controls: every manifest under tests/data/posture/CONTROL.yaml holds
 * objects named fire* (must raise posture.CONTROL) and dont-fire* (must not);
 * plus hostPath ancestry, miner hints, exceptions, node configs, SARIF
 * locations and hostile inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <dirent.h>
#include <unistd.h>

#include "core/config.h"
#include "core/fileio.h"
#include "core/yaml_doc.h"
#include "detectors/posture/posture.h"

struct got {
	struct hh_finding *f[4096];
	size_t n;
	size_t suppressed;
};

static void sink(void *user, struct hh_finding *f)
{
	struct got *g = user;
	if (g->n < 4096)
		g->f[g->n++] = f;
	else
		hh_finding_free(f);
}

static void sink_suppressed(void *user, struct hh_finding *f)
{
	struct got *g = user;
	g->suppressed++;
	hh_finding_free(f);
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		hh_finding_free(g->f[i]);
	g->n = 0;
}

static const char *fstr(const struct hh_finding *f, const char *k)
{
	return json_string_value(json_object_get(f->fields, k));
}

static size_t count(const struct got *g, const char *rule, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n; i++) {
		const char *nm = fstr(g->f[i], "k8s.name");
		if (strcmp(g->f[i]->rule, rule) == 0 && (!name || (nm && strcmp(nm, name) == 0)))
			n++;
	}
	return n;
}

static const char *data_dir(void)
{
	static char dir[1024];
	const char *root = getenv("HH_ROOT");
	snprintf(dir, sizeof(dir), "%s/tests/data/posture", root ? root : ".");
	return dir;
}

static void check_path(struct hh_posture_ctx *ctx, const char *path, struct hh_yaml_docs *docs)
{
	hh_yaml_load_file(path, NULL, docs);
	size_t i;
	const json_t *d;
	json_array_foreach(docs->docs, i, d) {
		struct hh_posture_origin o = { path, docs, hh_yaml_line_of(docs, d) };
		hh_posture_check_object(ctx, d, &o);
	}
}

static void init_ctx(struct hh_posture_ctx *ctx, struct hh_config *cfg, struct got *g, const char *cfgfile)
{
	char err[512];
	assert_int_equal(hh_config_load(cfg, cfgfile, err, sizeof(err)), 0);
	assert_int_equal(hh_posture_init(ctx, cfg, err, sizeof(err)), 0);
	ctx->on_finding = sink;
	ctx->on_suppressed = sink_suppressed;
	ctx->user = g;
}

/* Collects the names of objects (also inside List items). */
static void names_of(const json_t *v, const char **names, size_t *n, size_t cap)
{
	const json_t *items = json_object_get(v, "items");
	if (json_is_array(items)) {
		size_t i;
		const json_t *it;
		json_array_foreach(items, i, it)
			names_of(it, names, n, cap);
		return;
	}
	const char *nm = json_string_value(json_object_get(json_object_get(v, "metadata"), "name"));
	if (nm && *n < cap)
		names[(*n)++] = nm;
}

static void every_control_manifest(void **state)
{
	(void)state;
	DIR *d = opendir(data_dir());
	assert_non_null(d);
	struct dirent *e;
	size_t files = 0;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 6 || strcmp(e->d_name + l - 5, ".yaml") != 0)
			continue;
		char control[128], path[2048];
		snprintf(control, sizeof(control), "posture.%.*s", (int)(l - 5), e->d_name);
		assert_non_null(hh_control_find(control));
		snprintf(path, sizeof(path), "%s/%s", data_dir(), e->d_name);
		struct hh_config cfg;
		struct hh_posture_ctx ctx;
		static struct got g;
		memset(&g, 0, sizeof(g));
		init_ctx(&ctx, &cfg, &g, NULL);
		struct hh_yaml_docs docs;
		check_path(&ctx, path, &docs);
		assert_string_equal(docs.error, "");
		const char *names[64];
		size_t nn = 0, i;
		const json_t *doc;
		json_array_foreach(docs.docs, i, doc)
			names_of(doc, names, &nn, 64);
		size_t fired = 0, quiet = 0;
		for (size_t k = 0; k < nn; k++) {
			size_t c = count(&g, control, names[k]);
			bool want = strncmp(names[k], "dont-fire", 9) != 0;
			if (want != (c > 0))
				fail_msg("%s: object %s: %s expected %s, got %zu", e->d_name, names[k], control,
					 want ? "to fire" : "nothing", c);
			want ? fired++ : quiet++;
		}
		assert_true(fired > 0);
		assert_true(quiet > 0);
		/* every finding carries location, identity and the control metadata */
		for (size_t k = 0; k < g.n; k++) {
			assert_non_null(fstr(g.f[k], "file.path"));
			assert_non_null(json_object_get(g.f[k]->fields, "file.line"));
			assert_non_null(fstr(g.f[k], "k8s.kind"));
			assert_non_null(fstr(g.f[k], "control.why"));
			assert_true(json_array_size(g.f[k]->evidence) > 0);
		}
		got_free(&g);
		hh_yaml_docs_free(&docs);
		hh_posture_free(&ctx);
		hh_config_free(&cfg);
		files++;
	}
	closedir(d);
	assert_true(files >= 20);
}

static void hostpath_ancestry(void **state)
{
	(void)state;
	const char *m = NULL;
	assert_true(hh_posture_hostpath_socket("/var", &m));
	assert_string_equal(m, "/var/run/docker.sock");
	assert_true(hh_posture_hostpath_socket("/", &m));
	assert_true(hh_posture_hostpath_socket("/var/run/", &m));
	assert_true(hh_posture_hostpath_socket("//run//containerd", &m));
	assert_false(hh_posture_hostpath_socket("/var/run/thing.sock", &m));
	assert_false(hh_posture_hostpath_socket("/var/lib", &m));
	assert_true(hh_posture_hostpath_sensitive("/var", &m));
	assert_true(hh_posture_hostpath_sensitive("/proc/1/root", &m));
	assert_string_equal(m, "/proc");
	assert_true(hh_posture_hostpath_sensitive("/srv/../etc", &m));
	assert_true(hh_posture_hostpath_sensitive("/usr", &m));
	assert_false(hh_posture_hostpath_sensitive("/usr/local", &m));
	/* podman/CRI-O image and container storage: a pod that writes there
	 * plants layers in every container of the node */
	assert_true(hh_posture_hostpath_sensitive("/var/lib/containers/storage", &m));
	assert_string_equal(m, "/var/lib/containers");
	assert_false(hh_posture_hostpath_sensitive("/var/lib/mysql", &m));
	assert_false(hh_posture_hostpath_sensitive("/srv/data", &m));
	assert_false(hh_posture_hostpath_sensitive("/data/proc", &m));
}

static void miner_hints(void **state)
{
	(void)state;
	char b[160];
	assert_non_null(hh_posture_miner_hint("-o stratum+ssl://x:443", b, sizeof(b)));
	assert_non_null(hh_posture_miner_hint("/opt/XMRig --threads 4", b, sizeof(b)));
	assert_non_null(hh_posture_miner_hint("pool=gulf.moneroocean.stream:10128", b, sizeof(b)));
	/* Wallets count only with a valid checksum: a random base58 run does not. */
	assert_non_null(hh_posture_miner_hint("-u 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A", b, sizeof(b)));
	assert_null(strstr(b, "5kSiGBoZ4NMDw")); /* masked */
	char wallet[200] = "-u 48";
	const char *b58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
	for (size_t i = 0; i < 93; i++)
		wallet[5 + i] = b58[(i * 7) % 58];
	wallet[98] = 0;
	assert_int_equal(strlen(wallet + 3), 95);
	assert_null(hh_posture_miner_hint(wallet, b, sizeof(b)));
	assert_null(hh_posture_miner_hint("--examiner-mode --stratum-less", b, sizeof(b)));
	assert_null(hh_posture_miner_hint("nginx -g 'daemon off;'", b, sizeof(b)));
	/* a URL far past any prefix is still seen */
	char *longarg = malloc(20000);
	memset(longarg, 'a', 19000);
	strcpy(longarg + 19000, " stratum+tcp://p:1");
	assert_non_null(hh_posture_miner_hint(longarg, b, sizeof(b)));
	free(longarg);
	assert_null(hh_posture_miner_hint("sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31", b, sizeof(b)));
}

static void write_tmp(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void exceptions_suppress_and_need_reason(void **state)
{
	(void)state;
	char cfgpath[] = "/tmp/hh-posture-cfg-XXXXXX";
	int fd = mkstemp(cfgpath);
	assert_true(fd >= 0);
	close(fd);
	write_tmp(cfgpath, "posture:\n  exceptions:\n"
			   "    - control: posture.privileged\n      namespace: kube-system\n      kind: DaemonSet\n"
			   "      name: cni-*\n      container: agent\n      reason: CNI needs it\n");
	struct hh_config cfg;
	struct hh_posture_ctx ctx;
	static struct got g;
	memset(&g, 0, sizeof(g));
	init_ctx(&ctx, &cfg, &g, cfgpath);
	const char *y = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: cni-node, namespace: kube-system}\n"
			"spec:\n  template:\n    spec:\n      containers:\n"
			"      - {name: agent, image: nginx:1.25, securityContext: {privileged: true}}\n"
			"      - {name: other, image: nginx:1.25, securityContext: {privileged: true}}\n";
	struct hh_yaml_docs docs;
	assert_int_equal(hh_yaml_load_buf(y, strlen(y), "ds.yaml", NULL, &docs), 0);
	struct hh_posture_origin o = { "ds.yaml", &docs, 1 };
	hh_posture_check_object(&ctx, json_array_get(docs.docs, 0), &o);
	assert_int_equal(count(&g, "posture.privileged", NULL), 1);  /* "other" is not excepted */
	assert_int_equal(g.suppressed, 1);
	assert_int_equal(ctx.n_suppressed, 1);
	for (size_t i = 0; i < g.n; i++)
		if (strcmp(g.f[i]->rule, "posture.privileged") == 0) {
			assert_string_equal(fstr(g.f[i], "container.name"), "other");
			assert_int_equal(json_integer_value(json_object_get(g.f[i]->fields, "file.line")), 9);
			assert_string_equal(json_string_value(json_object_get(json_array_get(g.f[i]->evidence, 0), "what")),
					    "spec.template.spec.containers[1].securityContext.privileged");
		}
	got_free(&g);
	hh_yaml_docs_free(&docs);
	hh_posture_free(&ctx);
	hh_config_free(&cfg);

	/* An exception without a reason is refused. */
	write_tmp(cfgpath, "posture:\n  exceptions:\n    - control: posture.privileged\n      namespace: x\n");
	char err[512];
	assert_int_equal(hh_config_load(&cfg, cfgpath, err, sizeof(err)), 0);
	assert_int_equal(hh_posture_init(&ctx, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "reason"));
	hh_posture_free(&ctx);
	hh_config_free(&cfg);
	unlink(cfgpath);
}

static size_t run_node_file(const char *name, struct got *g)
{
	char path[2048];
	snprintf(path, sizeof(path), "%s/node/%s", data_dir(), name);
	struct hh_config cfg;
	struct hh_posture_ctx ctx;
	init_ctx(&ctx, &cfg, g, NULL);
	size_t l = strlen(name);
	if (strcmp(name + l - 5, ".toml") == 0) {
		struct hh_buf b;
		char err[256];
		assert_int_equal(hh_read_file(path, 1 << 20, &b, err, sizeof(err)), 0);
		assert_true(hh_posture_check_containerd(&ctx, b.data, b.len, path) > 0);
		hh_buf_free(&b);
	} else {
		struct hh_yaml_docs docs;
		assert_int_equal(hh_yaml_load_file(path, NULL, &docs), 0);
		const json_t *d = json_array_get(docs.docs, 0);
		struct hh_posture_origin o = { path, &docs, 1 };
		if (json_object_get(d, "kind"))
			hh_posture_check_object(&ctx, d, &o);
		else
			hh_posture_check_docker(&ctx, d, &o);
		hh_yaml_docs_free(&docs);
	}
	hh_posture_free(&ctx);
	hh_config_free(&cfg);
	return g->n;
}

static void node_configs(void **state)
{
	(void)state;
	static struct got g;
	memset(&g, 0, sizeof(g));
	run_node_file("kubelet-insecure.yaml", &g);
	assert_int_equal(count(&g, "posture.kubelet-anonymous-auth", NULL), 1);
	assert_int_equal(count(&g, "posture.kubelet-always-allow", NULL), 1);
	assert_int_equal(count(&g, "posture.kubelet-readonly-port", NULL), 1);
	got_free(&g);
	assert_int_equal(run_node_file("kubelet-hardened.yaml", &g), 0);
	run_node_file("daemon.json", &g);
	assert_int_equal(count(&g, "posture.docker-tcp-no-tls", NULL), 1);
	assert_int_equal(g.f[0]->severity, HH_SEV_CRITICAL);
	assert_int_equal(count(&g, "posture.docker-insecure-registry", NULL), 1);
	got_free(&g);
	assert_int_equal(run_node_file("daemon-tls.json", &g), 0);
	run_node_file("containerd-insecure.toml", &g);
	assert_int_equal(count(&g, "posture.containerd-tcp-api", NULL), 1);
	assert_int_equal(count(&g, "posture.containerd-lsm-disabled", NULL), 1);
	assert_int_equal(count(&g, "posture.containerd-insecure-registry", NULL), 2);
	got_free(&g);
	assert_int_equal(run_node_file("containerd-default.toml", &g), 0);
}

static void severity_escalations(void **state)
{
	(void)state;
	struct hh_config cfg;
	struct hh_posture_ctx ctx;
	static struct got g;
	memset(&g, 0, sizeof(g));
	init_ctx(&ctx, &cfg, &g, NULL);
	const char *y = "kind: Pod\nmetadata: {name: takeover}\nspec:\n  hostPID: true\n"
			"  containers: [{name: c, image: x/y:1, securityContext: {privileged: true}}]\n"
			"  volumes: [{name: r, hostPath: {path: /}}]\n";
	struct hh_yaml_docs docs;
	assert_int_equal(hh_yaml_load_buf(y, strlen(y), "t.yaml", NULL, &docs), 0);
	hh_posture_check_object(&ctx, json_array_get(docs.docs, 0), NULL);
	for (size_t i = 0; i < g.n; i++) {
		if (strcmp(g.f[i]->rule, "posture.privileged") == 0 ||
		    strcmp(g.f[i]->rule, "posture.hostpath-sensitive") == 0 ||
		    strcmp(g.f[i]->rule, "posture.runtime-socket") == 0)
			assert_int_equal(g.f[i]->severity, HH_SEV_CRITICAL);
		if (strcmp(g.f[i]->rule, "posture.no-cpu-limit") == 0)
			assert_true(g.f[i]->severity <= HH_SEV_MEDIUM);
		assert_null(fstr(g.f[i], "file.path"));  /* no origin: no location */
	}
	assert_int_equal(count(&g, "posture.privileged", NULL), 1);
	got_free(&g);
	hh_yaml_docs_free(&docs);
	hh_posture_free(&ctx);
	hh_config_free(&cfg);
}

static void hostile_objects(void **state)
{
	(void)state;
	struct hh_config cfg;
	struct hh_posture_ctx ctx;
	static struct got g;
	memset(&g, 0, sizeof(g));
	init_ctx(&ctx, &cfg, &g, NULL);
	/* Wrong types everywhere must not crash or fire nonsense. */
	const char *y = "kind: Pod\nmetadata: 7\nspec:\n  hostPID: 'true'\n  containers: [1, {name: [x], image: 5,"
			" securityContext: [], resources: {limits: 3}, volumeMounts: {a: b}, args: [{}], env: [7]}]\n"
			"  volumes: [{hostPath: 9}, {hostPath: {path: 3}}]\n---\nkind: List\nitems: 5\n---\n"
			"kind: List\nitems: [{kind: List, items: [{kind: List, items: [{kind: List, items: [{kind: List,"
			" items: [{kind: List, items: [{kind: Pod, spec: {hostPID: true}}]}]}]}]}]}]\n---\n"
			"kind: Role\nrules: [5, {verbs: 3, resources: ['*']}]\n---\nkind: 42\n";
	struct hh_yaml_docs docs;
	assert_int_equal(hh_yaml_load_buf(y, strlen(y), "h.yaml", NULL, &docs), 0);
	size_t i;
	const json_t *d;
	json_array_foreach(docs.docs, i, d)
		hh_posture_check_object(&ctx, d, NULL);
	assert_int_equal(count(&g, "posture.host-pid", NULL), 0);  /* 'true' is a string; nested list too deep */
	got_free(&g);
	hh_yaml_docs_free(&docs);
	hh_posture_free(&ctx);
	hh_config_free(&cfg);
}

/* A runtime socket hidden behind many harmless hostPath volumes is still found. */
static void many_volumes_no_cap(void **state)
{
	(void)state;
	struct hh_config cfg;
	struct hh_posture_ctx ctx;
	static struct got g;
	memset(&g, 0, sizeof(g));
	init_ctx(&ctx, &cfg, &g, NULL);
	json_t *pod = json_pack("{s:s, s:{s:s}, s:{s:[{s:s, s:s}], s:[]}}", "kind", "Pod", "metadata", "name", "p",
				"spec", "containers", "name", "c", "image", "nginx:1.25", "volumes");
	json_t *vols = json_object_get(json_object_get(pod, "spec"), "volumes");
	for (int i = 0; i < 300; i++) {
		char name[16], path[32];
		snprintf(name, sizeof(name), "v%d", i);
		snprintf(path, sizeof(path), i == 250 ? "/var/run/docker.sock" : "/srv/d%d", i);
		json_array_append_new(vols, json_pack("{s:s, s:{s:s}}", "name", name, "hostPath", "path", path));
	}
	hh_posture_check_object(&ctx, pod, NULL);
	assert_int_equal(count(&g, "posture.runtime-socket", NULL), 1);
	for (size_t i = 0; i < g.n; i++)
		if (strcmp(g.f[i]->rule, "posture.runtime-socket") == 0)
			assert_string_equal(json_string_value(json_object_get(json_array_get(g.f[i]->evidence, 0), "what")),
					    "spec.volumes[250].hostPath.path");
	json_decref(pod);
	got_free(&g);
	hh_posture_free(&ctx);
	hh_config_free(&cfg);
}

static bool got_rule(const struct got *g, const char *rule)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->f[i]->rule, rule) == 0)
			return true;
	return false;
}

/* A running container's OCI spec judged as the Pod it amounts to. */
static void oci_spec_posture(void **state)
{
	(void)state;
	/* podman run --privileged --network host -v /var/run/docker.sock:/var/run/docker.sock (no CPU limit, root) */
	const char *priv =
		"{\"ociVersion\":\"1.0.2\",\"process\":{\"user\":{\"uid\":0,\"gid\":0},"
		"\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\",\"CAP_SYS_MODULE\",\"CAP_NET_ADMIN\"]}},"
		"\"root\":{\"path\":\"/x\"},"
		"\"mounts\":[{\"destination\":\"/var/run/docker.sock\",\"type\":\"bind\",\"source\":\"/var/run/docker.sock\",\"options\":[\"rbind\"]},"
		"{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"/run/containers/storage/overlay-containers/a/userdata/hosts\",\"options\":[\"bind\"]},"
		"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}],"
		"\"annotations\":{\"io.podman.annotations.privileged\":\"TRUE\"},"
		"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"mount\"}],\"resources\":{}}}";
	/* podman run --cpus 0.3 --user 1000 --read-only, private namespaces, default caps */
	const char *tight =
		"{\"process\":{\"user\":{\"uid\":1000},\"noNewPrivileges\":true,"
		"\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",\"CAP_SYS_CHROOT\",\"CAP_KILL\"]}},"
		"\"root\":{\"path\":\"/x\",\"readonly\":true},"
		"\"mounts\":[{\"destination\":\"/etc/resolv.conf\",\"type\":\"bind\",\"source\":\"/run/containers/storage/overlay-containers/b/userdata/resolv.conf\",\"options\":[\"bind\",\"ro\"]}],"
		"\"annotations\":{\"io.podman.annotations.privileged\":\"FALSE\"},"
		"\"linux\":{\"seccomp\":{},\"maskedPaths\":[\"/proc/kcore\"],"
		"\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/run/netns/x\"},{\"type\":\"ipc\"}],"
		"\"resources\":{\"cpu\":{\"quota\":30000,\"period\":100000},\"memory\":{\"limit\":268435456}}}}";
	struct hh_workload w = { 0 };
	hh_strlcpy(w.container_name, "web", sizeof(w.container_name));
	hh_strlcpy(w.image, "docker.io/library/nginx:1.25", sizeof(w.image));
	json_error_t je;
	json_t *a = json_loads(priv, 0, &je), *b = json_loads(tight, 0, &je);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(hh_posture_oci_privileged(a));
	assert_false(hh_posture_oci_privileged(b));
	struct hh_config cfg;
	struct got g = { .n = 0 };
	struct hh_posture_ctx ctx;
	init_ctx(&ctx, &cfg, &g, NULL);
	assert_int_equal(hh_posture_check_oci(&ctx, a, &w), 0);
	const char *want_a[] = { "posture.privileged", "posture.host-network", "posture.runtime-socket",
				 "posture.dangerous-capabilities", "posture.no-cpu-limit", "posture.run-as-root" };
	for (size_t i = 0; i < sizeof(want_a) / sizeof(want_a[0]); i++)
		if (!got_rule(&g, want_a[i]))
			fail_msg("privileged spec: %s missing", want_a[i]);
	assert_false(got_rule(&g, "posture.host-pid"));
	assert_false(got_rule(&g, "posture.host-ipc"));
	got_free(&g);
	g.n = 0;
	assert_int_equal(hh_posture_check_oci(&ctx, b, &w), 0);
	const char *not_b[] = { "posture.privileged", "posture.host-network", "posture.host-pid", "posture.runtime-socket",
				"posture.hostpath-sensitive", "posture.dangerous-capabilities", "posture.no-cpu-limit",
				"posture.run-as-root", "posture.privilege-escalation", "posture.no-memory-limit" };
	for (size_t i = 0; i < sizeof(not_b) / sizeof(not_b[0]); i++)
		if (got_rule(&g, not_b[i]))
			fail_msg("tight spec: %s raised", not_b[i]);
	got_free(&g);
	/* hostile: not an object, wrong types everywhere */
	json_t *bad = json_loads("{\"process\":7,\"linux\":{\"namespaces\":\"x\",\"resources\":[]},\"mounts\":{}}", 0, &je);
	assert_int_equal(hh_posture_check_oci(&ctx, bad, NULL), 0);
	json_t *arr = json_array();
	assert_int_equal(hh_posture_check_oci(&ctx, arr, &w), -1);
	got_free(&g);
	json_decref(bad);
	json_decref(arr);
	json_decref(a);
	json_decref(b);
	hh_posture_free(&ctx);
	hh_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_control_manifest),
		cmocka_unit_test(hostpath_ancestry),
		cmocka_unit_test(miner_hints),
		cmocka_unit_test(exceptions_suppress_and_need_reason),
		cmocka_unit_test(node_configs),
		cmocka_unit_test(severity_escalations),
		cmocka_unit_test(hostile_objects),
		cmocka_unit_test(many_volumes_no_cap),
		cmocka_unit_test(oci_spec_posture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
