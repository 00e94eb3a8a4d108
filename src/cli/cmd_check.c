/* hashhound check PATH...: posture of Kubernetes manifests (YAML/JSON,
 * multi-document, List kinds, Helm-rendered output, directories walked
 * recursively with bounds) and node configs (KubeletConfiguration, Docker
 * daemon.json, containerd config.toml).
 *
 * Exit: 0 clean, 1 a finding at or above --fail-on, 2 usage error or any
 * input error (unreadable file, malformed YAML, limits hit). Input errors do
 * not stop the run: everything readable is still checked and printed. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/fileio.h"
#include "core/log.h"
#include "core/yaml_doc.h"
#include "detectors/posture/posture.h"
#include "sinks/junit.h"

struct check_run {
	struct hh_cli cli;
	struct hh_posture_ctx ctx;
	struct hh_yaml_limits lim;
	size_t max_files, max_depth, n_files, input_errors;
	int show_suppressed;
	bool file_cap_reported;
	/* --format junit: every object judged and its controls, for passing testcases */
	struct hh_junit_subject *subjects;
	size_t n_subjects, cap_subjects;
};

#define MAX_SUBJECTS 100000

/* The controls each kind of subject is judged by (detectors/posture). */
static const char *const workload_controls[] = {
	"posture.privileged", "posture.host-pid", "posture.host-ipc", "posture.host-network",
	"posture.hostpath-sensitive", "posture.hostpath-writable", "posture.runtime-socket",
	"posture.dangerous-capabilities", "posture.unmasked-proc-mount", "posture.privilege-escalation",
	"posture.run-as-root", "posture.no-cpu-limit", "posture.no-memory-limit", "posture.sa-token-automount",
	"posture.image-untrusted-registry", "posture.image-not-pinned", "posture.image-latest",
	"posture.miner-indicator", "posture.unbounded-untrusted-batch", "posture.exposed-dashboard",
};
static const char *const role_controls[] = { "posture.rbac-wildcard", "posture.rbac-pod-exec", "posture.rbac-pod-create" };
static const char *const binding_controls[] = { "posture.rbac-cluster-admin-binding" };
static const char *const service_controls[] = { "posture.exposed-dashboard" };
static const char *const kubelet_controls[] = { "posture.kubelet-anonymous-auth", "posture.kubelet-always-allow",
						"posture.kubelet-readonly-port" };
static const char *const docker_controls[] = { "posture.docker-tcp-no-tls", "posture.docker-insecure-registry" };
static const char *const containerd_controls[] = { "posture.containerd-tcp-api", "posture.containerd-insecure-registry",
						   "posture.containerd-lsm-disabled" };
#define CONTROLS(a) a, sizeof(a) / sizeof(a[0])
static const struct {
	const char *kind;
	const char *const *controls;
	size_t n;
	bool node;   /* a node config: no name or namespace */
} subject_kinds[] = {
	{ "Pod", CONTROLS(workload_controls), false },         { "Deployment", CONTROLS(workload_controls), false },
	{ "ReplicaSet", CONTROLS(workload_controls), false },  { "StatefulSet", CONTROLS(workload_controls), false },
	{ "DaemonSet", CONTROLS(workload_controls), false },   { "Job", CONTROLS(workload_controls), false },
	{ "CronJob", CONTROLS(workload_controls), false },     { "ReplicationController", CONTROLS(workload_controls), false },
	{ "Role", CONTROLS(role_controls), false },            { "ClusterRole", CONTROLS(role_controls), false },
	{ "RoleBinding", CONTROLS(binding_controls), false },  { "ClusterRoleBinding", CONTROLS(binding_controls), false },
	{ "Service", CONTROLS(service_controls), false },      { "KubeletConfiguration", CONTROLS(kubelet_controls), true },
	{ "DockerDaemon", CONTROLS(docker_controls), true },   { "ContainerdConfig", CONTROLS(containerd_controls), true },
};

/* Remembers an object judged (JUnit only); kinds no control applies to are left out. */
static void add_subject(struct check_run *r, const char *kind, const json_t *obj, const char *file, unsigned line)
{
	if (r->cli.format != HH_FMT_JUNIT || r->n_subjects >= MAX_SUBJECTS)
		return;
	size_t k = 0;
	while (k < sizeof(subject_kinds) / sizeof(subject_kinds[0]) && strcmp(subject_kinds[k].kind, kind) != 0)
		k++;
	if (k == sizeof(subject_kinds) / sizeof(subject_kinds[0]))
		return;
	if (r->n_subjects == r->cap_subjects) {
		size_t cap = r->cap_subjects ? r->cap_subjects * 2 : 64;
		struct hh_junit_subject *n = realloc(r->subjects, cap * sizeof(*n));
		if (!n)
			return;
		r->subjects = n;
		r->cap_subjects = cap;
	}
	struct hh_junit_subject *s = &r->subjects[r->n_subjects++];
	memset(s, 0, sizeof(*s));
	hh_strlcpy(s->kind, kind, sizeof(s->kind));
	const json_t *meta = json_object_get(obj, "metadata");
	const char *name = json_string_value(json_object_get(meta, "name"));
	if (!name)
		name = json_string_value(json_object_get(meta, "generateName"));
	const char *ns = json_string_value(json_object_get(meta, "namespace"));
	if (!subject_kinds[k].node) {
		hh_strlcpy(s->name, name ? name : "", sizeof(s->name));
		hh_strlcpy(s->ns, ns ? ns : "", sizeof(s->ns));
	}
	hh_strlcpy(s->file, file ? file : "", sizeof(s->file));
	s->line = line;
	s->controls = subject_kinds[k].controls;
	s->n_controls = subject_kinds[k].n;
}

/* The objects of a document as posture sees them (List kinds hold items). */
static void add_subjects(struct check_run *r, const json_t *obj, const char *file, const struct hh_yaml_docs *docs,
			 unsigned doc_line, int depth)
{
	const char *kind = json_string_value(json_object_get(obj, "kind"));
	if (!kind)
		return;
	size_t kl = strlen(kind);
	const json_t *items = json_object_get(obj, "items");
	if (kl >= 4 && strcmp(kind + kl - 4, "List") == 0 && json_is_array(items)) {
		size_t i;
		const json_t *it;
		if (depth < 4)
			json_array_foreach(items, i, it)
				add_subjects(r, it, file, docs, doc_line, depth + 1);
		return;
	}
	unsigned line = docs ? hh_yaml_line_of(docs, obj) : 0;
	add_subject(r, kind, obj, file, line ? line : doc_line);
}

static void usage(FILE *fp)
{
	fprintf(fp, "usage: hashhound check [options] PATH...\n\n"
		    "Checks Kubernetes manifests (YAML or JSON, multi-document, List kinds, Helm output;\n"
		    "directories are walked for *.yaml *.yml *.json *.toml) and node configs\n"
		    "(KubeletConfiguration, Docker daemon.json, containerd config.toml) for the\n"
		    "misconfigurations that let a miner in, take a node or escape. PATH '-' reads stdin.\n\n"
		    "  --show-suppressed    also print findings suppressed by posture.exceptions\n"
		    "                       (marked \"suppressed\"; they never change the exit code)\n"
		    HH_IGNORE_HELP
		    HH_COMMON_HELP
		    "\nExit: 0 clean, 1 findings at or above --fail-on, 2 usage or input error\n"
		    "(findings from the readable inputs are still printed).\n", hh_cli_format_help("check"));
}

static void on_finding(void *user, struct hh_finding *f)
{
	struct check_run *r = user;
	hh_cli_emit_free(&r->cli, f);
}

static void on_suppressed(void *user, struct hh_finding *f)
{
	struct check_run *r = user;
	if (r->show_suppressed) {
		json_object_set_new(f->fields, "suppressed", json_true());
		hh_output_emit(r->cli.out, f);  /* listed, but not counted for --fail-on */
	}
	hh_finding_free(f);
}

static bool looks_like_docker_daemon(const char *path, const json_t *doc)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strcmp(base, "daemon.json") == 0)
		return true;
	static const char *const keys[] = { "hosts", "tlsverify", "insecure-registries", "storage-driver",
					    "exec-opts", "registry-mirrors", "live-restore" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_get(doc, keys[i]))
			return true;
	return false;
}

static bool has_ext(const char *name, const char *ext)
{
	size_t a = strlen(name), b = strlen(ext);
	return a > b && strcmp(name + a - b, ext) == 0;
}

static void input_error(struct check_run *r, const char *msg)
{
	fprintf(stderr, "hashhound check: %s\n", msg);
	r->input_errors++;
}

static void check_docs(struct check_run *r, const char *path, struct hh_yaml_docs *docs)
{
	size_t i;
	const json_t *doc;
	json_array_foreach(docs->docs, i, doc) {
		if (json_is_null(doc))
			continue;  /* empty document, e.g. a trailing '---' in Helm output */
		struct hh_posture_origin origin = { path, docs, hh_yaml_line_of(docs, doc) };
		if (json_is_object(doc) && json_object_get(doc, "kind")) {
			if (!json_is_string(json_object_get(doc, "kind"))) {
				hh_warn("%s:%u: document %zu: 'kind' is not a string: skipped", path, origin.doc_line, i + 1);
			} else {
				add_subjects(r, doc, path, docs, origin.doc_line, 0);
				hh_posture_check_object(&r->ctx, doc, &origin);
			}
		} else if (json_is_object(doc) && looks_like_docker_daemon(path, doc)) {
			add_subject(r, "DockerDaemon", NULL, path, 0);
			hh_posture_check_docker(&r->ctx, doc, &origin);
		} else {
			hh_warn("%s:%u: document %zu is not a Kubernetes object (no kind) nor a known node config: skipped",
				path, origin.doc_line, i + 1);
		}
	}
}

static void check_file(struct check_run *r, const char *path)
{
	if (r->n_files >= r->max_files) {
		if (!r->file_cap_reported) {
			char msg[512];
			snprintf(msg, sizeof(msg), "%s: file limit reached (posture.max_files = %zu): rest not checked",
				 path, r->max_files);
			input_error(r, msg);
			r->file_cap_reported = true;
		}
		return;
	}
	r->n_files++;
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	struct hh_buf b;
	char err[512];
	if (hh_read_file(is_stdin ? "/dev/stdin" : path, r->lim.max_bytes, &b, err, sizeof(err)) < 0) {
		input_error(r, err);
		return;
	}
	if (has_ext(path, ".toml")) {
		add_subject(r, "ContainerdConfig", NULL, name, 0);
		hh_posture_check_containerd(&r->ctx, b.data, b.len, name);
		hh_buf_free(&b);
		return;
	}
	struct hh_yaml_docs docs;
	if (hh_yaml_load_buf(b.data, b.len, name, &r->lim, &docs) < 0)
		input_error(r, docs.error);  /* the documents before the error are still checked */
	hh_buf_free(&b);
	check_docs(r, name, &docs);
	hh_yaml_docs_free(&docs);
}

static void walk(struct check_run *r, const char *dir, size_t depth)
{
	if (depth > r->max_depth) {
		char msg[1200];
		snprintf(msg, sizeof(msg), "%s: deeper than posture.max_dir_depth (%zu): not walked", dir, r->max_depth);
		input_error(r, msg);
		return;
	}
	DIR *d = opendir(dir);
	if (!d) {
		char msg[1200];
		snprintf(msg, sizeof(msg), "%s: %s", dir, strerror(errno));
		input_error(r, msg);
		return;
	}
	char **names;
	size_t n = hh_dir_names(d, SIZE_MAX, &names, NULL);
	closedir(d);
	/* A Helm chart's templates are Go templates, YAML only once rendered. */
	bool chart = false;
	for (size_t i = 0; i < n; i++)
		chart |= strcmp(names[i], "Chart.yaml") == 0;
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path))
			continue;
		struct stat st;
		/* lstat: symlinked directories are not followed (no loops); symlinked files are read. */
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (chart && strcmp(names[i], "templates") == 0)
				hh_info("%s: Helm chart templates are not checked unrendered; check the output of "
					"`helm template %s | hashhound check -`", path, dir);
			else if (names[i][0] != '.')  /* .git and friends hold no manifests */
				walk(r, path, depth + 1);
		} else if (has_ext(names[i], ".yaml") || has_ext(names[i], ".yml") || has_ext(names[i], ".json") ||
			   has_ext(names[i], ".toml")) {
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
				check_file(r, path);
		}
	}
	hh_dir_names_free(names, n);
}

int hh_cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		HH_COMMON_LONGOPTS, HH_IGNORE_LONGOPT, { "show-suppressed", no_argument, 0, 'S' }, { 0, 0, 0, 0 },
	};
	static struct check_run r;  /* large; one per process */
	memset(&r, 0, sizeof(r));
	hh_cli_init(&r.cli, "check");
	r.cli.ignore_file_default = 1;
	int opt;
	while ((opt = getopt_long(argc, argv, HH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int h = hh_cli_option(&r.cli, opt, optarg);
		if (h < 0)
			return HH_EXIT_USAGE;
		if (h > 0)
			continue;
		if (opt == 'S') {
			r.show_suppressed = 1;
			continue;
		}
		usage(stderr);
		return HH_EXIT_USAGE;
	}
	if (r.cli.want_help) {
		usage(stdout);
		return 0;
	}
	if (optind >= argc) {
		usage(stderr);
		return HH_EXIT_USAGE;
	}
	int rc = hh_cli_start(&r.cli);
	if (rc)
		return rc;
	char err[512];
	if (hh_posture_init(&r.ctx, &r.cli.config, err, sizeof(err)) < 0) {
		fprintf(stderr, "hashhound check: bad configuration: %s\n", err);
		hh_posture_free(&r.ctx);
		hh_cli_finish(&r.cli);
		return HH_EXIT_USAGE;
	}
	r.ctx.on_finding = on_finding;
	r.ctx.on_suppressed = on_suppressed;
	r.ctx.user = &r;
	const struct hh_config *cfg = &r.cli.config;
	r.lim.max_bytes = (size_t)hh_config_int(cfg, NULL, "posture.max_file_bytes", 64ll << 20);
	r.lim.max_depth = (size_t)hh_config_int(cfg, NULL, "posture.max_yaml_depth", 64);
	r.lim.max_nodes = (size_t)hh_config_int(cfg, NULL, "posture.max_yaml_nodes", 2000000);
	r.max_files = (size_t)hh_config_int(cfg, NULL, "posture.max_files", 100000);
	r.max_depth = (size_t)hh_config_int(cfg, NULL, "posture.max_dir_depth", 16);

	for (int i = optind; i < argc; i++) {
		struct stat st;
		if (strcmp(argv[i], "-") == 0) {
			check_file(&r, "-");
		} else if (stat(argv[i], &st) < 0) {
			char msg[1200];
			snprintf(msg, sizeof(msg), "%s: %s", argv[i], strerror(errno));
			input_error(&r, msg);
		} else if (S_ISDIR(st.st_mode)) {
			char dir[4096];
			hh_strlcpy(dir, argv[i], sizeof(dir));
			for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
				dir[n - 1] = 0;
			walk(&r, dir, 0);
		} else {
			check_file(&r, argv[i]);
		}
	}
	hh_info("check: %zu files, %zu objects, %zu findings, %zu suppressed by exceptions, %zu input errors",
		r.n_files, r.ctx.n_objects, r.ctx.n_emitted, r.ctx.n_suppressed, r.input_errors);
	hh_posture_free(&r.ctx);
	hh_output_set_subjects(r.cli.out, r.subjects, r.n_subjects);
	rc = hh_cli_finish(&r.cli);
	free(r.subjects);
	r.subjects = NULL;
	r.n_subjects = r.cap_subjects = 0;
	return r.input_errors ? HH_EXIT_USAGE : rc;
}
