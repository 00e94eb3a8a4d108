/* The sensor loader: eBPF first (sensor.bpf.c through its skeleton), the
 * proc connector when eBPF cannot load. See sensor.h for the contract. */
#include "sources/sensor/sensor.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/log.h"
#include "sources/sensor/sensor_events.h" /* before the skeleton: it names struct hh_k_config */
#include "sensor.skel.h"
#include "sources/sensor/sensor_decode.h"
#include "sources/sensor/sensor_proc.h"
#include "sources/sensor/sensor_procconn.h"

enum sensor_kind { KIND_EBPF, KIND_PROC };

/* Index = enum hh_k_prog. */
static const char *const prog_names[HH_P_COUNT] = {
	"exec", "exit", "connect", "dns", "open", "module", "ptrace", "setns", "unshare", "mount", "memfd", "fpu",
};

struct hh_sensor {
	enum sensor_kind kind;
	hh_sensor_cb cb;
	void *ctx;
	char proc_root[256];
	bool containers_only;
	bool fpu_all;
	unsigned fpu_interval_ms;
	uint64_t next_fpu_ns;
	uint64_t events;
	uint64_t by_type[HH_SENSOR_TYPES];
	uint64_t decode_errors;
	int delivered;
	struct sensor_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[32];
	unsigned n_links;
	struct hh_procconn *pc;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Wall time of a monotonic timestamp (the kernel's ktime_get_ns). */
static double wall_of(uint64_t ktime_ns)
{
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	double now = (double)rt.tv_sec + (double)rt.tv_nsec / 1e9;
	if (!ktime_ns)
		return now;
	uint64_t m = mono_ns();
	return m >= ktime_ns ? now - (double)(m - ktime_ns) / 1e9 : now;
}

static void deliver(struct hh_sensor *s, struct hh_event *ev)
{
	ev->time = wall_of(ev->ktime_ns);
	s->events++;
	s->by_type[(unsigned)ev->type % HH_SENSOR_TYPES]++;
	s->delivered++;
	s->cb(ev, s->ctx);
}

/* ---------- eBPF ---------- */

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && hh_log_get_level() < HH_LOG_DEBUG)
		return 0;
	if (hh_log_get_level() < HH_LOG_DEBUG)
		return 0; /* libbpf warnings on a failed load are summarised by our own line */
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	hh_debug("libbpf: %s", buf);
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct hh_sensor *s = ctx;
	struct hh_event ev;
	char err[160];
	if (hh_sensor_decode(data, size, &ev, err, sizeof(err)) < 0) {
		s->decode_errors++;
		hh_debug("sensor: record skipped: %s", err);
		return 0;
	}
	/* exe path for exec and the rare sensitive events (rules need proc.exepath:
	 * e.g. the container runtime's own mounts); not for connect/DNS/exit,
	 * which come in storms */
	if (ev.type != HH_EV_CONNECT && ev.type != HH_EV_DNS && ev.type != HH_EV_EXIT &&
	    (ev.type != HH_EV_EXEC || hh_sensor_proc_same_image(s->proc_root, &ev))) {
		hh_sensor_proc_exe(s->proc_root, &ev);
		/* environment (proc.env: stratum URLs hide there) and, for the
		 * non-exec events, the command line. Not for an exec whose pid
		 * has exec'd again since: the exec filename and argv stay. */
		hh_sensor_proc_env_cmdline(s->proc_root, &ev);
	}
	deliver(s, &ev);
	return 0;
}

static int ebpf_open(struct hh_sensor *s, char *why, size_t whylen)
{
	struct stat st;
	if (stat("/sys/kernel/btf/vmlinux", &st) < 0) {
		snprintf(why, whylen, "no kernel BTF (/sys/kernel/btf/vmlinux): CO-RE cannot relocate");
		return -1;
	}
	libbpf_set_print(libbpf_log);
	s->skel = sensor_bpf__open();
	if (!s->skel) {
		snprintf(why, whylen, "opening the eBPF object: %s", strerror(errno));
		return -1;
	}
	s->skel->rodata->cfg.containers_only = s->containers_only;
	s->skel->rodata->cfg.host_pidns = hh_sensor_host_pidns(s->proc_root);
	s->skel->rodata->cfg.self_tgid = (uint32_t)getpid();
	s->skel->rodata->cfg.fpu_all = s->fpu_all;
	int err = sensor_bpf__load(s->skel);
	if (err) {
		/* the FPU program relocates x86-only structures: retry without it */
		sensor_bpf__destroy(s->skel);
		s->skel = sensor_bpf__open();
		if (s->skel) {
			s->skel->rodata->cfg.containers_only = s->containers_only;
			s->skel->rodata->cfg.host_pidns = hh_sensor_host_pidns(s->proc_root);
			s->skel->rodata->cfg.self_tgid = (uint32_t)getpid();
			s->skel->rodata->cfg.fpu_all = s->fpu_all;
			bpf_program__set_autoload(s->skel->progs.tp_fpu, false);
			if (sensor_bpf__load(s->skel) == 0) {
				hh_warn("sensor: the FPU rounding-mode program did not load (not x86?); other programs active");
				err = 0;
			}
		}
		if (err) {
			snprintf(why, whylen, "loading the eBPF programs: %s", strerror(-err));
			return -1;
		}
	}
	struct bpf_program *prog;
	unsigned attached = 0;
	bpf_object__for_each_program(prog, s->skel->obj) {
		if (!bpf_program__autoload(prog))
			continue;
		struct bpf_link *l = bpf_program__attach(prog);
		if (!l) {
			/* e.g. openat2 or a kprobe symbol missing on this kernel */
			hh_info("sensor: program %s not available on this kernel: %s", bpf_program__name(prog), strerror(errno));
			continue;
		}
		if (s->n_links < sizeof(s->links) / sizeof(s->links[0]))
			s->links[s->n_links++] = l;
		attached++;
	}
	if (!attached) {
		snprintf(why, whylen, "no eBPF program attached");
		return -1;
	}
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_record, s, NULL);
	if (!s->rb) {
		snprintf(why, whylen, "ring buffer: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void ebpf_close(struct hh_sensor *s)
{
	ring_buffer__free(s->rb);
	s->rb = NULL;
	for (unsigned i = 0; i < s->n_links; i++)
		bpf_link__destroy(s->links[i]);
	s->n_links = 0;
	sensor_bpf__destroy(s->skel);
	s->skel = NULL;
}

/* Emits one HH_EV_FPU per process with non-default rounding switches
 * (cumulative counts), and forgets processes that are gone. */
static void fpu_sweep(struct hh_sensor *s)
{
	int fd = bpf_map__fd(s->skel->maps.fpu_stats);
	uint32_t key, next, gone[256];
	unsigned n_gone = 0;
	bool first = true;
	while (bpf_map_get_next_key(fd, first ? NULL : &key, &next) == 0) {
		first = false;
		key = next;
		struct hh_k_fpu v;
		if (bpf_map_lookup_elem(fd, &key, &v) < 0)
			continue;
		bool alive = kill((pid_t)key, 0) == 0 || errno != ESRCH;
		if (v.nondefault > 0 || (s->fpu_all && (v.switches > 0 || v.exec_protects > 0))) {
			struct hh_event ev;
			memset(&ev, 0, sizeof(ev));
			ev.type = HH_EV_FPU;
			ev.ktime_ns = mono_ns();
			ev.pid = ev.tid = (int32_t)key;
			ev.cgroup_id = v.cgroup_id;
			memcpy(ev.comm, v.comm, sizeof(ev.comm) - 1);
			ev.fpu_switches = v.switches;
			ev.fpu_nondefault_switches = v.nondefault;
			ev.mxcsr_last = v.nondefault ? v.mxcsr_nondefault_last : v.mxcsr_last;
			ev.fpu_exec_protects = v.exec_protects;
			ev.fpu_anon_exec_maps = v.anon_exec_maps;
			ev.fpu_hugepage_reqs = v.hugepage_reqs;
			if (alive) {
				/* the name now (prctl renames), not at the first switch */
				char path[300], comm[64];
				snprintf(path, sizeof(path), "%s/%u/comm", s->proc_root, key);
				if (hh_read_small(path, comm, sizeof(comm)) > 0)
					snprintf(ev.comm, sizeof(ev.comm), "%.15s", comm);
				hh_sensor_proc_exe(s->proc_root, &ev);
			}
			deliver(s, &ev);
		}
		if (!alive && n_gone < sizeof(gone) / sizeof(gone[0]))
			gone[n_gone++] = key;
	}
	for (unsigned i = 0; i < n_gone; i++)
		bpf_map_delete_elem(fd, &gone[i]);
}

/* ---------- proc connector ---------- */

static void on_pc_event(struct hh_event *ev, void *ctx)
{
	deliver(ctx, ev);
}

/* ---------- the contract ---------- */

struct hh_sensor *hh_sensor_open(const struct hh_sensor_opts *opts, hh_sensor_cb cb, void *ctx)
{
	struct hh_sensor *s = calloc(1, sizeof(*s));
	if (!s) {
		hh_err("sensor: out of memory");
		return NULL;
	}
	s->cb = cb;
	s->ctx = ctx;
	snprintf(s->proc_root, sizeof(s->proc_root), "%s", opts && opts->proc_root ? opts->proc_root : "/proc");
	s->containers_only = opts && opts->containers_only;
	s->fpu_all = opts && opts->fpu_all;
	s->fpu_interval_ms = opts && opts->fpu_interval_ms ? opts->fpu_interval_ms : 2000;
	char why[256] = "forced by configuration (force_fallback)";
	if (!(opts && opts->force_fallback) && ebpf_open(s, why, sizeof(why)) == 0) {
		s->kind = KIND_EBPF;
		s->next_fpu_ns = mono_ns() + (uint64_t)s->fpu_interval_ms * 1000000ull;
	} else {
		if (s->skel || s->rb)
			ebpf_close(s);
		hh_warn("sensor: eBPF unavailable (%s); falling back to the proc connector "
			"(exec and exit only: no connect, DNS, open, module, ptrace, namespace, mount, memfd or FPU events)",
			why);
		char err[256];
		s->pc = hh_procconn_open(s->proc_root, s->containers_only, err, sizeof(err));
		if (!s->pc) {
			hh_err("sensor: no event source works: eBPF: %s; proc connector: %s", why, err);
			free(s);
			return NULL;
		}
		s->kind = KIND_PROC;
	}
	if (opts && opts->drop_privileges) {
		char err[256];
		if (hh_sensor_drop_privileges(err, sizeof(err)) < 0)
			hh_warn("sensor: could not drop privileges: %s", err);
		else
			hh_info("sensor: capabilities reduced to bpf, perfmon, sys_ptrace, dac_read_search");
	}
	return s;
}

const char *hh_sensor_kind(const struct hh_sensor *s)
{
	return s->kind == KIND_EBPF ? "ebpf" : "proc-connector";
}

int hh_sensor_fd(const struct hh_sensor *s)
{
	if (s->kind == KIND_EBPF)
		return ring_buffer__epoll_fd(s->rb);
	return hh_procconn_fd(s->pc);
}

int hh_sensor_poll(struct hh_sensor *s, int timeout_ms)
{
	s->delivered = 0;
	if (s->kind == KIND_EBPF) {
		uint64_t now = mono_ns();
		if (now >= s->next_fpu_ns) {
			fpu_sweep(s);
			s->next_fpu_ns = now + (uint64_t)s->fpu_interval_ms * 1000000ull;
		} else if (timeout_ms < 0 || (uint64_t)timeout_ms * 1000000ull > s->next_fpu_ns - now) {
			timeout_ms = (int)((s->next_fpu_ns - now) / 1000000ull) + 1;
		}
		/* lazily submitted records wake nobody: never sleep longer than this */
		if (timeout_ms < 0 || timeout_ms > HH_SENSOR_MAX_WAIT_MS)
			timeout_ms = HH_SENSOR_MAX_WAIT_MS;
		int rc = ring_buffer__poll(s->rb, timeout_ms);
		if (rc < 0 && rc != -EINTR) {
			hh_err("sensor: ring buffer poll: %s", strerror(-rc));
			return -1;
		}
		/* epoll only reports rings that were woken: drain what was
		 * submitted quietly */
		rc = ring_buffer__consume(s->rb);
		if (rc < 0 && rc != -EINTR) {
			hh_err("sensor: ring buffer: %s", strerror(-rc));
			return -1;
		}
		return s->delivered;
	}
	struct pollfd p = { .fd = hh_procconn_fd(s->pc), .events = POLLIN };
	int r = poll(&p, 1, timeout_ms);
	if (r < 0 && errno != EINTR)
		return -1;
	if (r > 0 && hh_procconn_read(s->pc, on_pc_event, s) < 0) {
		hh_err("sensor: proc connector: %s", strerror(errno));
		return -1;
	}
	return s->delivered;
}

void hh_sensor_get_stats(const struct hh_sensor *s, struct hh_sensor_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->events = s->events;
	memcpy(out->events_by_type, s->by_type, sizeof(out->events_by_type));
	if (s->kind == KIND_EBPF) {
		int ncpu = libbpf_num_possible_cpus();
		if (ncpu <= 0 || ncpu > 4096)
			ncpu = 1;
		uint64_t *vals = calloc((size_t)ncpu, sizeof(uint64_t));
		int fd = bpf_map__fd(s->skel->maps.lost);
		for (uint32_t p = 0; p < HH_P_COUNT && p < 16; p++) {
			uint64_t sum = 0;
			if (vals && bpf_map_lookup_elem(fd, &p, vals) == 0)
				for (int c = 0; c < ncpu; c++)
					sum += vals[c];
			out->program_names[p] = prog_names[p];
			out->lost_by_program[p] = sum;
			out->lost += sum;
		}
		free(vals);
		out->n_programs = HH_P_COUNT;
	} else {
		uint64_t a, b;
		hh_procconn_counts(s->pc, &a, &b);
		out->program_names[0] = "proc-connector";
		out->lost_by_program[0] = a;
		out->lost = a + b;
		out->n_programs = 1;
	}
}

void hh_sensor_stats_format(const struct hh_sensor_stats *st, const char *kind, char *out, size_t outlen)
{
	size_t o = 0;
#define PUT(...)                                                              \
	do {                                                                  \
		int k_ = snprintf(out + o, outlen - o, __VA_ARGS__);          \
		if (k_ < 0 || (size_t)k_ >= outlen - o) {                     \
			return;                                               \
		}                                                             \
		o += (size_t)k_;                                              \
	} while (0)
	if (!outlen)
		return;
	out[0] = '\0';
	PUT("source=%s events=%llu", kind ? kind : "-", (unsigned long long)st->events);
	for (int t = HH_EV_EXEC; t <= HH_EV_FPU; t++)
		PUT(" %s=%llu", hh_event_type_name((enum hh_event_type)t), (unsigned long long)st->events_by_type[t]);
	PUT(" lost=%llu", (unsigned long long)st->lost);
	for (unsigned i = 0; i < st->n_programs && i < 16; i++)
		PUT(" lost.%s=%llu", st->program_names[i] ? st->program_names[i] : "?",
		    (unsigned long long)st->lost_by_program[i]);
#undef PUT
}

void hh_sensor_close(struct hh_sensor *s)
{
	if (!s)
		return;
	if (s->kind == KIND_EBPF)
		ebpf_close(s);
	else
		hh_procconn_close(s->pc);
	free(s);
}
