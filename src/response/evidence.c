/* Evidence first: before any action, the container's processes (cmdline,
 * environment, status, open sockets, a copy of each distinct executable),
 * its cgroup counters, its identity and the findings that led here go into
 * a new private directory, each file listed with its SHA-256 in manifest.json
 * so the snapshot can be shown later to be unchanged. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/log.h"
#include "response/response_internal.h"

struct snap {
	const struct hh_response_opts *opts;
	char dir[HH_PATH_LEN];
	json_t *manifest;   /* array of {file, bytes, sha256} */
	int files;
};

static void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static int put_file(struct snap *s, const char *name, const void *data, size_t len)
{
	char path[HH_PATH_LEN + 256];
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	const char *p = data;
	size_t left = len;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		p += w;
		left -= (size_t)w;
	}
	close(fd);
	char hex[65];
	sha256_hex(data, len, hex);
	json_array_append_new(s->manifest, json_pack("{s:s, s:I, s:s}", "file", name, "bytes", (json_int_t)len,
						     "sha256", hex));
	s->files++;
	return 0;
}

static void put_json(struct snap *s, const char *name, json_t *j)
{
	char *text = json_dumps(j, JSON_INDENT(1) | HH_JSON_REALS);
	if (text)
		put_file(s, name, text, strlen(text));
	free(text);
	json_decref(j);
}

/* Copies a /proc file, bounded; missing files are skipped (the process may be gone). */
static void put_proc(struct snap *s, int pid, const char *what, const char *name, size_t max)
{
	char src[HH_PATH_LEN], rel[64], err[256];
	snprintf(rel, sizeof(rel), "/%d/%s", pid, what);
	if (hh_path_join(src, sizeof(src), s->opts->proc_root, rel) < 0)
		return;
	struct hh_buf b;
	if (hh_read_file(src, max, &b, err, sizeof(err)) == 0) {
		put_file(s, name, b.data, b.len);
		hh_buf_free(&b);
	}
}

static void snapshot_process(struct snap *s, int pid, json_t *exes)
{
	char sub[64], name[128];
	snprintf(sub, sizeof(sub), "pid-%d", pid);
	char path[HH_PATH_LEN + 128];
	snprintf(path, sizeof(path), "%s/%s", s->dir, sub);
	if (mkdir(path, 0700) < 0)
		return;
	static const char *const files[] = { "cmdline", "environ", "status", "stat", "cgroup", "net/tcp",
					     "net/tcp6", "net/udp", "mountinfo" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(name, sizeof(name), "%s/%s", sub, files[i]);
		for (char *p = name + strlen(sub) + 1; *p; p++)
			if (*p == '/')
				*p = '-';
		put_proc(s, pid, files[i], name, 1 << 20);
	}
	/* The executable, once per distinct content: it is what a responder most
	 * wants and what a fileless or self-deleting miner takes away. */
	char exe[HH_PATH_LEN], rel[64], err[256];
	snprintf(rel, sizeof(rel), "/%d/exe", pid);
	if (hh_path_join(exe, sizeof(exe), s->opts->proc_root, rel) < 0)
		return;
	struct hh_buf b;
	if (hh_read_file(exe, s->opts->exe_copy_max, &b, err, sizeof(err)) < 0) {
		snprintf(name, sizeof(name), "%s/exe.error", sub);
		put_file(s, name, err, strlen(err));
		return;
	}
	char hex[65];
	sha256_hex(b.data, b.len, hex);
	if (!json_object_get(exes, hex)) {
		snprintf(name, sizeof(name), "exe-%.16s", hex);
		put_file(s, name, b.data, b.len);
		json_object_set_new(exes, hex, json_string(name));
	}
	snprintf(name, sizeof(name), "%s/exe.sha256", sub);
	put_file(s, name, hex, 64);
	hh_buf_free(&b);
}

static json_t *workload_json(const struct hh_workload *w, const struct hh_container_ref *c)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "container.id", c->id,
			 "container.runtime", w && w->runtime[0] ? w->runtime : c->runtime,
			 "container.name", w ? w->container_name : "", "container.image", w ? w->image : "",
			 "k8s.pod.name", w ? w->pod_name : "", "k8s.ns.name", w ? w->pod_namespace : "",
			 "cgroup.path", c->cgroup_path, "cgroup.version", c->version);
}

int hh_evidence_snapshot(const struct hh_response_opts *opts, const struct hh_container_ref *c,
			 const struct hh_workload *w, const struct hh_findings *context,
			 char *dir_out, size_t dir_n, char *err, size_t errlen)
{
	struct snap s = { .opts = opts, .manifest = json_array() };
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	mkdir(opts->evidence_dir, 0700);
	for (int attempt = 0; attempt < 100; attempt++) {
		if (attempt == 0)
			snprintf(s.dir, sizeof(s.dir), "%s/%s-%.12s", opts->evidence_dir, stamp, c->id);
		else
			snprintf(s.dir, sizeof(s.dir), "%s/%s-%.12s-%d", opts->evidence_dir, stamp, c->id, attempt);
		if (mkdir(s.dir, 0700) == 0)
			break;
		if (errno != EEXIST) {
			snprintf(err, errlen, "evidence directory %s: %s", s.dir, strerror(errno));
			json_decref(s.manifest);
			return -1;
		}
	}
	put_json(&s, "workload.json", workload_json(w, c));
	struct hh_cgroup_stats st;
	if (hh_cgroup_read_stats(opts->cgroup_root, c, &st) == 0)
		put_json(&s, "cgroup-stats.json",
			 json_pack("{s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "time", st.time, "cpu_usage_ns",
				   (json_int_t)st.cpu_usage_ns, "cpu_quota_us", (json_int_t)st.cpu_quota_us,
				   "cpu_period_us", (json_int_t)st.cpu_period_us, "nr_throttled",
				   (json_int_t)st.nr_throttled, "mem_bytes", (json_int_t)st.mem_bytes, "pids",
				   (json_int_t)st.pids, "io_write_bytes", (json_int_t)st.io_write_bytes));
	if (context && context->n) {
		json_t *arr = json_array();
		for (size_t i = 0; i < context->n; i++)
			json_array_append_new(arr, hh_finding_to_json(context->items[i]));
		put_json(&s, "findings.json", arr);
	}
	int pids[1024];
	size_t cap = opts->max_processes < 1024 ? opts->max_processes : 1024;
	int n = hh_cgroup_pids(opts->cgroup_root, c, pids, cap);
	json_t *exes = json_object();
	for (int i = 0; i < n; i++)
		snapshot_process(&s, pids[i], exes);
	json_decref(exes);
	json_t *manifest = json_pack("{s:s, s:s, s:i, s:o}", "created", stamp, "container.id", c->id,
				     "processes", n < 0 ? 0 : n, "files", s.manifest);
	char *text = json_dumps(manifest, JSON_INDENT(1) | HH_JSON_REALS);
	json_decref(manifest);
	char mpath[HH_PATH_LEN + 32];
	snprintf(mpath, sizeof(mpath), "%s/manifest.json", s.dir);
	FILE *fp = fopen(mpath, "wx");
	if (fp && text)
		fputs(text, fp);
	if (fp)
		fclose(fp);
	free(text);
	hh_strlcpy(dir_out, s.dir, dir_n);
	return s.files;
}
