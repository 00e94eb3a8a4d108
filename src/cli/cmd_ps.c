/* hashhound ps: the containers on this node as hashhound sees them, with
 * identity, CPU/quota/throttling/memory/pids telemetry and, with
 * --processes, each process's exe, exe flags, miner traits and indicators.
 * It prints inventory objects, not findings (see docs/identity.md). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/log.h"
#include "detectors/indicators/text_indicators.h"
#include "enrich/identity.h"
#include "sources/procfs/proc_inventory.h"
#include "sources/telemetry/cgroup_stats.h"

#define PS_MAX_CONTAINERS 4096
#define PS_MAX_PROCS 8192     /* events are ~20 KiB each */

static void ps_usage(FILE *fp)
{
	fprintf(fp,
		"usage: hashhound ps [--processes] [--format FMT] [--interval SEC]\n"
		"                    [--proc-root DIR] [--cgroup-root DIR] [--host-root DIR]\n\n"
		"Lists the containers on this node: id, runtime, name, image, pod/namespace,\n"
		"CPU usage over --interval (default 1 s), CPU quota, throttling, memory and pids,\n"
		"read from cgroups (v1 or v2) and runtime state on disk (no runtime sockets).\n"
		"--processes adds each process in a container: exe, exe flags (upper = written\n"
		"after the container started, memfd, deleted), miner traits in the exe's content\n"
		"and miner indicators in its command line and environment.\n"
		"--format FMT is %s (default table on a terminal).\n"
		"--format json writes JSON lines of inventory objects ({\"type\":\"container\"...},\n"
		"{\"type\":\"process\"...}): this command prints inventory, not findings.\n"
		"Roots: read the host through DIR when running in a container (e.g. --proc-root\n"
		"/host/proc --cgroup-root /host/sys/fs/cgroup --host-root /host).\n"
		"Exit: 0, or 2 when the cgroup or proc root cannot be read.\n", hh_cli_format_help("ps"));
}

struct proc_list {
	struct hh_event *ev;
	size_t n, cap;
	bool overflow;
};

static void collect(const struct hh_event *ev, void *ctx)
{
	struct proc_list *l = ctx;
	if (l->n == l->cap) {
		if (l->cap >= PS_MAX_PROCS) {
			l->overflow = true;
			return;
		}
		size_t nc = l->cap ? l->cap * 2 : 64;
		struct hh_event *g = realloc(l->ev, nc * sizeof(*g));
		if (!g) {
			l->overflow = true;
			return;
		}
		l->ev = g;
		l->cap = nc;
	}
	l->ev[l->n++] = *ev;
}

struct row {
	struct hh_container_ref ref;
	struct hh_workload w;
	struct hh_cgroup_stats a, b;
	bool have;
	double cpu_pct;
};

static void human_bytes(uint64_t v, char *out, size_t n)
{
	const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double d = (double)v;
	int i = 0;
	while (d >= 1024 && i < 4) {
		d /= 1024;
		i++;
	}
	snprintf(out, n, i ? "%.1f%s" : "%.0f%s", d, u[i]);
}

static size_t scan_proc(const struct hh_event *ev, struct hh_indicator *ind, const char **where, size_t max)
{
	size_t n = hh_indicators_scan(ev->cmdline, strlen(ev->cmdline), ind, max);
	for (size_t i = 0; i < n; i++)
		where[i] = "cmdline";
	size_t m = hh_indicators_scan(ev->env, strlen(ev->env), ind + n, max - n);
	for (size_t i = n; i < n + m; i++)
		where[i] = "env";
	return n + m;
}

static void flags_of(const struct hh_event *ev, char *out, size_t n)
{
	snprintf(out, n, "%s%s%s", ev->exe_upper_layer ? "upper," : "", ev->exe_memfd ? "memfd," : "",
		 ev->exe_deleted ? "deleted," : "");
	size_t l = strlen(out);
	if (l)
		out[l - 1] = '\0';
	else
		snprintf(out, n, "-");
}

/* Strings from processes may be any bytes: non-UTF-8 ones are kept,
 * escaped as \xNN, like finding fields. */
static void print_json_str(json_t *o, const char *k, const char *v)
{
	json_t *s = json_string(v);
	if (!s) {
		size_t len = strlen(v);
		char *esc = malloc(len * 4 + 1);
		if (esc) {
			char *w = esc;
			for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
				if (*p < 0x80)
					*w++ = (char)*p;
				else
					w += sprintf(w, "\\x%02x", *p);
			}
			*w = '\0';
			s = json_string(esc);
			free(esc);
		}
	}
	json_object_set_new(o, k, s ? s : json_string(""));
}

static void emit_json(json_t *o)
{
	char *s = json_dumps(o, HH_JSON_COMPACT | JSON_ENSURE_ASCII);
	if (s)
		puts(s);
	free(s);
	json_decref(o);
}

static void print_proc_json(const struct hh_event *ev)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("process"));
	print_json_str(o, "container_id", ev->workload.container_id);
	json_object_set_new(o, "pid", json_integer(ev->pid));
	json_object_set_new(o, "ppid", json_integer(ev->ppid));
	print_json_str(o, "comm", ev->comm);
	print_json_str(o, "pcomm", ev->pcomm);
	print_json_str(o, "exe", ev->exepath);
	print_json_str(o, "cmdline", ev->cmdline);
	json_object_set_new(o, "cmdline_truncated", json_boolean(ev->cmdline_truncated));
	print_json_str(o, "sha256", ev->exe_sha256);
	json_object_set_new(o, "upper_layer", json_boolean(ev->exe_upper_layer));
	json_object_set_new(o, "memfd", json_boolean(ev->exe_memfd));
	json_object_set_new(o, "deleted", json_boolean(ev->exe_deleted));
	print_json_str(o, "traits", ev->exe_traits);
	struct hh_indicator ind[32];
	const char *where[32];
	size_t n = scan_proc(ev, ind, where, 32);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "kind", json_string(hh_indicator_kind_name(ind[i].kind)));
		print_json_str(e, "value", ind[i].value);
		json_object_set_new(e, "where", json_string(where[i]));
		json_array_append_new(arr, e);
	}
	json_object_set_new(o, "indicators", arr);
	emit_json(o);
}

static void print_proc_table(const struct hh_event *ev)
{
	char flags[32];
	flags_of(ev, flags, sizeof(flags));
	struct hh_indicator ind[32];
	const char *where[32];
	size_t n = scan_proc(ev, ind, where, 32);
	printf("    %-7d %-15s %-40.40s %-14s traits=%s", ev->pid, ev->comm, ev->exepath, flags,
	       ev->exe_traits[0] ? ev->exe_traits : "-");
	if (n) {
		printf(" indicators=");
		for (size_t i = 0; i < n; i++)
			printf("%s%s:%s(%s)", i ? "," : "", hh_indicator_kind_name(ind[i].kind), ind[i].value, where[i]);
	}
	printf("\n");
}

static void print_row_json(const struct row *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("container"));
	print_json_str(o, "id", r->ref.id);
	print_json_str(o, "runtime", r->w.runtime[0] ? r->w.runtime : r->ref.runtime);
	print_json_str(o, "name", r->w.container_name);
	print_json_str(o, "image", r->w.image);
	print_json_str(o, "pod", r->w.pod_name);
	print_json_str(o, "namespace", r->w.pod_namespace);
	print_json_str(o, "pod_uid", r->w.pod_uid[0] ? r->w.pod_uid : r->ref.pod_uid);
	print_json_str(o, "cgroup_path", r->ref.cgroup_path);
	json_object_set_new(o, "cgroup_version", json_integer(r->ref.version));
	if (r->have) {
		const struct hh_cgroup_stats *s = &r->b;
		json_object_set_new(o, "cpu_usage_percent", json_real(r->cpu_pct));
		json_object_set_new(o, "cpu_usage_seconds", json_real((double)s->cpu_usage_ns / 1e9));
		if (s->cpu_quota_us > 0 && s->cpu_period_us > 0)
			json_object_set_new(o, "cpu_quota_cpus", json_real((double)s->cpu_quota_us / (double)s->cpu_period_us));
		else
			json_object_set_new(o, "cpu_quota_cpus", json_null());
		json_object_set_new(o, "cpu_quota_us", json_integer(s->cpu_quota_us));
		json_object_set_new(o, "cpu_period_us", json_integer((json_int_t)s->cpu_period_us));
		json_object_set_new(o, "nr_periods", json_integer((json_int_t)s->nr_periods));
		json_object_set_new(o, "nr_throttled", json_integer((json_int_t)s->nr_throttled));
		json_object_set_new(o, "throttled_seconds", json_real((double)s->throttled_ns / 1e9));
		json_object_set_new(o, "memory_bytes", json_integer((json_int_t)s->mem_bytes));
		json_object_set_new(o, "memory_limit_bytes", json_integer((json_int_t)s->mem_limit));
		json_object_set_new(o, "pids", json_integer((json_int_t)s->pids));
		json_object_set_new(o, "io_read_bytes", json_integer((json_int_t)s->io_read_bytes));
		json_object_set_new(o, "io_write_bytes", json_integer((json_int_t)s->io_write_bytes));
	}
	emit_json(o);
}

static void print_row_table(const struct row *r)
{
	char pod[HH_NAME_LEN * 2 + 2] = "-", quota[24] = "none", thr[40] = "-", mem[48] = "-", cpu[16] = "-";
	if (r->w.pod_name[0])
		snprintf(pod, sizeof(pod), "%s/%s", r->w.pod_namespace, r->w.pod_name);
	if (r->have) {
		const struct hh_cgroup_stats *s = &r->b;
		snprintf(cpu, sizeof(cpu), "%.1f%%", r->cpu_pct);
		if (s->cpu_quota_us > 0 && s->cpu_period_us > 0)
			snprintf(quota, sizeof(quota), "%.2f cpu", (double)s->cpu_quota_us / (double)s->cpu_period_us);
		if (s->nr_periods)
			snprintf(thr, sizeof(thr), "%.0f%% %.1fs", 100.0 * (double)s->nr_throttled / (double)s->nr_periods,
				 (double)s->throttled_ns / 1e9);
		char a[16], b[16];
		human_bytes(s->mem_bytes, a, sizeof(a));
		if (s->mem_limit)
			human_bytes(s->mem_limit, b, sizeof(b));
		else
			snprintf(b, sizeof(b), "-");
		snprintf(mem, sizeof(mem), "%s/%s", a, b);
	}
	printf("%-12.12s %-10s %-20.20s %-30.30s %-24.24s %7s %9s %12s %17s %5llu\n", r->ref.id,
	       r->w.runtime[0] ? r->w.runtime : (r->ref.runtime[0] ? r->ref.runtime : "?"),
	       r->w.container_name[0] ? r->w.container_name : "-", r->w.image[0] ? r->w.image : "-", pod, cpu, quota,
	       thr, mem, r->have ? (unsigned long long)r->b.pids : 0ull);
}

int hh_cmd_ps(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "processes", no_argument, 0, 'p' },      { "format", required_argument, 0, 'f' },
		{ "interval", required_argument, 0, 'i' }, { "proc-root", required_argument, 0, 'P' },
		{ "cgroup-root", required_argument, 0, 'C' }, { "host-root", required_argument, 0, 'H' },
		{ "verbose", no_argument, 0, 'v' },        { "quiet", no_argument, 0, 'q' },
		{ "help", no_argument, 0, 'h' },           { 0, 0, 0, 0 },
	};
	bool processes = false;
	bool json = !isatty(STDOUT_FILENO);
	double interval = 1.0;
	const char *proc_root = "/proc", *cgroup_root = "/sys/fs/cgroup", *host_root = "/";
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "pf:i:vqh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p': processes = true; break;
		case 'f': {
			enum hh_format fmt;
			if (!hh_format_parse(optarg, &fmt) || !(hh_cli_formats("ps") & HH_FMT_BIT(fmt))) {
				fprintf(stderr, "hashhound ps: --format '%s' is not %s\n", optarg, hh_cli_format_help("ps"));
				return HH_EXIT_USAGE;
			}
			json = fmt == HH_FMT_JSON;
			break;
		}
		case 'i': {
			char *end;
			interval = strtod(optarg, &end);
			if (*end || interval < 0 || interval > 60) {
				fprintf(stderr, "hashhound ps: --interval: '%s' is not 0..60 seconds\n", optarg);
				return HH_EXIT_USAGE;
			}
			break;
		}
		case 'P': proc_root = optarg; break;
		case 'C': cgroup_root = optarg; break;
		case 'H': host_root = optarg; break;
		case 'v': hh_log_set_level(HH_LOG_DEBUG); break;
		case 'q': hh_log_set_level(HH_LOG_ERROR); break;
		case 'h': ps_usage(stdout); return 0;
		default: ps_usage(stderr); return HH_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hashhound ps: unexpected argument '%s'\n", argv[optind]);
		return HH_EXIT_USAGE;
	}
	struct row *rows = calloc(PS_MAX_CONTAINERS, sizeof(*rows));
	struct hh_container_ref *refs = calloc(PS_MAX_CONTAINERS, sizeof(*refs));
	if (!rows || !refs) {
		free(rows);
		free(refs);
		return HH_EXIT_USAGE;
	}
	int n = hh_containers_discover(cgroup_root, refs, PS_MAX_CONTAINERS);
	if (n < 0) {
		fprintf(stderr, "hashhound ps: %s: no readable cgroup hierarchy\n", cgroup_root);
		free(rows);
		free(refs);
		return HH_EXIT_USAGE;
	}
	struct hh_identity_opts io = { .proc_root = proc_root, .host_root = host_root };
	struct hh_identity *id = hh_identity_new(&io);
	if (!id) {
		free(rows);
		free(refs);
		return HH_EXIT_USAGE;
	}
	hh_debug("ps: runtimes with state here: %s", hh_identity_runtimes(id)[0] ? hh_identity_runtimes(id) : "none");
	for (int i = 0; i < n; i++) {
		rows[i].ref = refs[i];
		hh_identity_of_container(id, refs[i].id, refs[i].runtime, &rows[i].w);
		rows[i].have = hh_cgroup_read_stats(cgroup_root, &refs[i], &rows[i].a) == 0;
	}
	if (interval > 0 && n > 0) {
		struct timespec ts = { (time_t)interval, (long)((interval - (double)(time_t)interval) * 1e9) };
		nanosleep(&ts, NULL);
	}
	for (int i = 0; i < n; i++) {
		if (!rows[i].have)
			continue;
		if (interval > 0) {
			rows[i].have = hh_cgroup_read_stats(cgroup_root, &refs[i], &rows[i].b) == 0;
			double dt = rows[i].b.time - rows[i].a.time;
			if (rows[i].have && dt > 0 && rows[i].b.cpu_usage_ns >= rows[i].a.cpu_usage_ns)
				rows[i].cpu_pct = 100.0 * (double)(rows[i].b.cpu_usage_ns - rows[i].a.cpu_usage_ns) / 1e9 / dt;
		} else {
			rows[i].b = rows[i].a;
		}
	}

	struct proc_list pl = { 0 };
	int rc = 0;
	if (processes) {
		struct hh_procfs_opts po = { .proc_root = proc_root, .host_root = host_root };
		struct hh_procfs *pf = hh_procfs_new(&po, id);
		if (!pf || hh_procfs_sweep(pf, collect, &pl) < 0) {
			fprintf(stderr, "hashhound ps: %s: cannot read processes\n", proc_root);
			rc = HH_EXIT_USAGE;
		}
		if (pl.overflow)
			hh_warn("ps: more than %d processes; the rest are not listed", PS_MAX_PROCS);
		hh_procfs_free(pf);
	}

	if (!json)
		printf("%-12s %-10s %-20s %-30s %-24s %7s %9s %12s %17s %5s\n", "CONTAINER", "RUNTIME", "NAME", "IMAGE",
		       "NAMESPACE/POD", "CPU", "QUOTA", "THROTTLED", "MEMORY/LIMIT", "PIDS");
	bool *printed = calloc(pl.n ? pl.n : 1, sizeof(bool));
	for (int i = 0; i < n; i++) {
		if (json)
			print_row_json(&rows[i]);
		else
			print_row_table(&rows[i]);
		for (size_t k = 0; k < pl.n && printed; k++) {
			if (printed[k] || strcmp(pl.ev[k].workload.container_id, rows[i].ref.id) != 0)
				continue;
			printed[k] = true;
			if (json)
				print_proc_json(&pl.ev[k]);
			else
				print_proc_table(&pl.ev[k]);
		}
	}
	/* processes in containers the cgroup walk did not list (e.g. another hierarchy) */
	for (size_t k = 0; k < pl.n && printed; k++) {
		if (printed[k])
			continue;
		if (json)
			print_proc_json(&pl.ev[k]);
		else {
			printf("(container %.12s)\n", pl.ev[k].workload.container_id);
			print_proc_table(&pl.ev[k]);
		}
	}
	free(printed);
	free(pl.ev);
	hh_identity_free(id);
	free(rows);
	free(refs);
	return rc;
}
