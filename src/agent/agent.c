/* The agent's lifecycle and loop: signalfd for SIGINT/SIGTERM so a stop
 * finishes the current sweep, flushes and returns; poll(2) waits out the
 * interval on the signal and sensor fds, waking at least every
 * HH_AGENT_SENSOR_DRAIN_MS to drain the sensor (agent_sensor.c). */
#include "agent/agent_internal.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "core/finding.h"
#include "core/fileio.h"
#include "core/log.h"
#include "core/tuning.h"

struct hh_agent *hh_agent_new(const struct hh_config *cfg, const struct hh_agent_opts *opts,
			      hh_agent_finding_cb cb, void *ctx)
{
	struct hh_agent *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->cfg = cfg;
	a->opts = *opts;
	a->cb = cb;
	a->cb_ctx = ctx;
	hh_strlcpy(a->proc_root, opts->proc_root ? opts->proc_root : "/proc", sizeof(a->proc_root));
	hh_strlcpy(a->cgroup_root, opts->cgroup_root ? opts->cgroup_root : "/sys/fs/cgroup", sizeof(a->cgroup_root));
	hh_strlcpy(a->host_root, opts->host_root ? opts->host_root : "/", sizeof(a->host_root));
	if (!(a->opts.interval_s > 0))
		a->opts.interval_s = hh_config_num(cfg, NULL, "agent.interval_s", 2);
	if (!(a->opts.interval_s >= 0.1))
		a->opts.interval_s = 0.1;
	long long mc = hh_config_int(cfg, NULL, "agent.max_containers", 4096);
	long long mp = hh_config_int(cfg, NULL, "agent.max_processes", 65536);
	a->max_ctr = mc < 1 ? 1 : mc > 1000000 ? 1000000 : (size_t)mc;
	a->max_procs = mp < 16 ? 16 : mp > 4000000 ? 4000000 : (size_t)mp;
	a->node_cpus = 1;

	struct hh_identity_opts io = { .proc_root = a->proc_root, .cgroup_root = a->cgroup_root,
				       .host_root = a->host_root, .cache_cap = a->max_ctr };
	struct hh_procfs_opts po = { .proc_root = a->proc_root, .host_root = a->host_root };
	a->identity = hh_identity_new(&io);
	a->procfs = a->identity ? hh_procfs_new(&po, a->identity) : NULL;
	a->behavior = hh_behavior_new(cfg);
	a->correlator = hh_correlator_new(cfg);
	a->audit = hh_agent_audit_new();
	a->refs = calloc(a->max_ctr, sizeof(*a->refs));
	a->seen = calloc(a->max_procs, sizeof(*a->seen));
	a->seen_next = calloc(a->max_procs, sizeof(*a->seen_next));
	a->ev = calloc(1, sizeof(*a->ev));
	a->procind = hh_procind_new(a->max_procs);
	char terr[512];
	a->tuning = hh_tuning_new(cfg, NULL, terr, sizeof(terr));
	if (!a->tuning) {
		hh_err("agent: bad configuration: %s", terr);
		hh_agent_free(a);
		return NULL;
	}
	if (!a->identity || !a->behavior || !a->correlator || !a->procind || !a->refs || !a->seen || !a->seen_next ||
	    !a->ev) {
		hh_err("agent: out of memory");
		hh_agent_free(a);
		return NULL;
	}
	if (!a->procfs)
		hh_warn("agent: process inventory unavailable; telemetry and behavior only");
	if (hh_config_bool(cfg, NULL, "agent.rules", true)) {
		a->rules = hh_rules_new();
		hh_rules_set_proc_root(a->proc_root);
		if (a->rules) {
			hh_rules_load_config(a->rules, cfg);
			a->rule_errors = hh_rules_n_errors(a->rules);
			for (size_t i = 0; i < a->rule_errors && i < 20; i++) {
				char msg[1024];
				hh_rule_error_format(hh_rules_error(a->rules, i), msg, sizeof(msg));
				hh_warn("rules: %s", msg);
			}
		}
	}
	hh_agent_bill_open(a);
	hh_agent_state_load(a);
	hh_agent_sensor_open(a);
	hh_agent_net_open(a);
	return a;
}

void hh_agent_free(struct hh_agent *a)
{
	if (!a)
		return;
	hh_agent_net_close(a);
	hh_agent_sensor_close(a);
	hh_agent_dedup_free(a);
	hh_agent_randomx_free(a);
	hh_agent_audit_free(a);
	hh_agent_bill_close(a);
	hh_procfs_free(a->procfs);
	hh_identity_free(a->identity);
	hh_behavior_free(a->behavior);
	hh_correlator_free(a->correlator);
	hh_rules_free(a->rules);
	hh_procind_free(a->procind);
	hh_tuning_free(a->tuning);
	free(a->ctr);
	free(a->refs);
	free(a->seen);
	free(a->seen_next);
	free(a->ev);
	free(a);
}

static bool exists(const char *root, const char *rel)
{
	char p[HH_PATH_LEN];
	return hh_path_join(p, sizeof(p), root, rel) == 0 && access(p, F_OK) == 0;
}

static const char *cgroup_layout(const char *root)
{
	if (exists(root, "/cgroup.controllers"))
		return "cgroup v2";
	bool v1 = exists(root, "/cpu") || exists(root, "/cpu,cpuacct") || exists(root, "/cpuacct,cpu");
	if (v1 && exists(root, "/unified"))
		return "cgroup v1 (hybrid: v2 tree at unified/)";
	if (v1)
		return "cgroup v1";
	return "no cgroup hierarchy found";
}

void hh_agent_banner(struct hh_agent *a, FILE *fp)
{
	const char *rt = hh_identity_runtimes(a->identity);
	fprintf(fp, "hashhound agent %s\n", HH_VERSION);
	fprintf(fp, "  cgroups:   %s at %s\n", cgroup_layout(a->cgroup_root), a->cgroup_root);
	fprintf(fp, "  proc:      %s%s\n", a->proc_root, access(a->proc_root, R_OK) == 0 ? "" : " (unreadable)");
	fprintf(fp, "  runtimes:  %s (state under %s)\n", rt && *rt ? rt : "none found", a->host_root);
	fprintf(fp, "  sources:   cgroup telemetry, %s\n", a->procfs ? "procfs inventory" : "no procfs inventory");
	if (a->sensor)
		fprintf(fp, "  sensor:    %s (exec, connect, DNS, opens, FPU ... into the rules)\n", hh_sensor_kind(a->sensor));
	else
		fprintf(fp, "  sensor:    none (%s; cgroup + procfs sweeps only)\n",
			a->opts.sensor ? "could not open" : "off");
	hh_agent_net_banner(a, fp);
	if (a->rules) {
		size_t n = hh_rules_count(a->rules), on = 0;
		struct hh_rule_info ri;
		for (size_t i = 0; i < n; i++)
			if (hh_rules_info(a->rules, i, &ri) && ri.enabled && ri.loaded)
				on++;
		fprintf(fp, "  rules:     %zu enabled of %zu loaded (%zu errors)\n", on, n, a->rule_errors);
	} else {
		fprintf(fp, "  rules:     off (agent.rules: false)\n");
	}
	fprintf(fp, "  detectors: behavior (sustained, plateau, duty cycle, new regime), process indicators, "
		"correlation\n");
	fprintf(fp, "  config:    %s\n", a->cfg && a->cfg->source[0] ? a->cfg->source : "built-in defaults");
	fprintf(fp, "  interval:  %.1f s%s%s\n", a->opts.interval_s, a->opts.once ? " (once)" : "",
		a->opts.only_container && *a->opts.only_container ? ", one container" : "");
	fflush(fp);
}

int hh_agent_sweep(struct hh_agent *a, double now)
{
	double t0 = hh_mono();
	a->now = now;
	int n1 = hh_agent_sweep_containers(a);
	int n2 = hh_agent_sweep_procs(a);
	hh_agent_net_sweep(a);
	hh_correlator_expire(a->correlator, now);
	hh_agent_state_save(a, false);
	a->stats.sweeps++;
	a->stats.last_sweep_ms = (hh_mono() - t0) * 1000;
	if (a->stats.sweeps == 1)
		a->stats.first_sweep_ms = a->stats.last_sweep_ms;
	a->stats.total_sweep_ms += a->stats.last_sweep_ms;
	if (!a->cgroup_ok && !a->proc_ok)
		return -1;
	return (n1 > 0 ? n1 : 0) + (n2 > 0 ? n2 : 0);
}

int hh_agent_run(struct hh_agent *a, bool (*should_stop)(void *ctx), void *ctx)
{
	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		hh_warn("agent: signalfd: %s; SIGINT/SIGTERM end the agent without a final flush", strerror(errno));
	double start = hh_mono(), next = start;
	int rc = 0;
	a->stop_signal = 0;
	for (;;) {
		if (hh_agent_sweep(a, hh_now()) < 0 && a->stats.sweeps == 1) {
			hh_err("agent: neither %s nor %s can be read", a->cgroup_root, a->proc_root);
			rc = -1;
			break;
		}
		if (a->opts.once || (should_stop && should_stop(ctx)))
			break;
		double t = hh_mono();
		if (a->opts.duration_s > 0 && t - start >= a->opts.duration_s)
			break;
		next += a->opts.interval_s;
		if (next < t) /* a slow sweep: skip the missed ticks, do not burst */
			next = t + a->opts.interval_s * 0.5;
		if (a->opts.duration_s > 0 && next > start + a->opts.duration_s)
			next = start + a->opts.duration_s;
		/* Wait for the next tick; sensor events are handled as they come. */
		bool stop = false;
		for (;;) {
			double now_m = hh_mono();
			if (now_m >= next)
				break;
			/* lazily submitted sensor records wake nobody: drain on a timer */
			int wait_ms = hh_agent_sensor_wait_ms(a, (int)ceil((next - now_m) * 1000));
			struct pollfd pfd[3];
			nfds_t np = 0;
			int sens_fd = a->sensor ? hh_sensor_fd(a->sensor) : -1;
			if (sfd >= 0)
				pfd[np++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
			if (sens_fd >= 0)
				pfd[np++] = (struct pollfd){ .fd = sens_fd, .events = POLLIN };
			int net_fd = hh_agent_net_fd(a);
			if (net_fd >= 0) {
				pfd[np++] = (struct pollfd){ .fd = net_fd, .events = POLLIN };
				if (wait_ms > HH_AGENT_NET_MAX_WAIT_MS)
					wait_ms = HH_AGENT_NET_MAX_WAIT_MS;
			}
			int pr = poll(np ? pfd : NULL, np, wait_ms > 0 ? wait_ms : 0);
			if (pr > 0 && sfd >= 0 && (pfd[0].revents & POLLIN)) {
				struct signalfd_siginfo si;
				if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
					a->stop_signal = (int)si.ssi_signo;
				hh_info("agent: %s received, stopping", a->stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
				stop = true;
				break;
			}
			hh_agent_sensor_service(a, true);
			hh_agent_state_save(a, false);
			hh_agent_net_poll(a);
			hh_agent_audit_drain(a);
		}
		if (stop) {
			/* What happened since the last tick is reported before the exit. */
			hh_agent_sensor_service(a, true);
			hh_agent_sweep(a, hh_now());
			break;
		}
		if (a->opts.duration_s > 0 && hh_mono() - start >= a->opts.duration_s) {
			hh_agent_sweep(a, hh_now()); /* the last tick of the duration */
			break;
		}
	}
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int hh_agent_stop_signal(const struct hh_agent *a) { return a->stop_signal; }

void hh_agent_get_stats(const struct hh_agent *a, struct hh_agent_stats *out) { *out = a->stats; }
