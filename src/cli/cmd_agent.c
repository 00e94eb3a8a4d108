/* hashhound agent: watch every container on this node (src/agent/agent.h). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "cli/cli.h"
#include "core/log.h"
#include "detectors/rules/rules.h"
#include "sinks/sinks.h"

static void agent_usage(FILE *fp)
{
	fprintf(fp,
		"usage: hashhound agent [OPTIONS]\n\n"
		"Watches every container on this node: cgroup telemetry, the process inventory,\n"
		"behavior detectors and the correlator, every interval. Findings are written as\n"
		"JSON lines to stdout (or --format table) and to the sinks configured under\n"
		"sinks: (findings file, SQLite store, dashboard and /metrics, syslog).\n"
		"SIGINT/SIGTERM finish the current sweep, flush and exit 0.\n\n"
		"Options:\n"
		"      --interval S       seconds between sweeps (default agent.interval_s, 2)\n"
		"      --duration S       stop after S seconds (default: run until stopped)\n"
		"      --once             one sweep, then exit\n"
		"      --findings-file F  append findings to F (default sinks.file.path,\n"
		"                         /var/lib/hashhound/findings.jsonl; '' for none)\n"
		"      --store FILE       SQLite finding store (default sinks.store.path; '' for none)\n"
		"      --listen ADDR      dashboard/API/metrics address (default sinks.http.listen; '' for none)\n"
		"      --proc-root DIR    procfs to read (default /proc; /host/proc in a container)\n"
		"      --cgroup-root DIR  cgroup hierarchy (default /sys/fs/cgroup)\n"
		"      --host-root DIR    prefix of runtime state dirs (default /)\n"
		"      --container ID     follow only containers whose id starts with ID\n"
		"      --stats            print sweep statistics on stderr at exit\n"
		"      --no-sensor        no runtime sensor (eBPF / proc connector) and no network\n"
		"                         capture: sweeps only;\n"
		"                         also the default with --once and --proc-root\n"
		"      --allow-rule-errors  start even when a rule file has errors (the broken\n"
		"                         rules are left out); without it such errors stop the agent\n"
		HH_COMMON_HELP
		"\nWith --once or --duration the exit code follows --fail-on (1: findings at or\n"
		"above it); stopped by a signal it is 0. It is 2 when the configuration or a rule\n"
		"file has errors (each printed as FILE:LINE:COL) or nothing can be read.\n", hh_cli_format_help("agent"));
}

struct agent_out {
	struct hh_sinks sinks;
	size_t n;
	enum hh_severity max;
};

static void emit_cb(const struct hh_finding *f, void *ctx)
{
	struct agent_out *o = ctx;
	hh_sinks_emit(&o->sinks, f);
	if (o->n++ == 0 || f->severity > o->max)
		o->max = f->severity;
}

/* POST /audit on the agent's HTTP server (the server's thread). */
static int audit_post(void *user, const char *body, size_t len, char *err, size_t errlen)
{
	return hh_agent_audit_post(user, body, len, err, errlen);
}

/* Called by the agent loop after each sweep: the health metrics follow. */
struct agent_tick {
	struct hh_agent *a;
	struct agent_out *out;
};

static void store_cpu(const char *container_id, const struct hh_cpu_point *p, void *ctx)
{
	hh_store_add_cpu(ctx, container_id, p);
}

static bool after_sweep(void *ctx)
{
	struct agent_tick *t = ctx;
	if (t->out->sinks.store) /* CPU of flagged containers: the incident plot and bill */
		hh_agent_drain_cpu(t->a, store_cpu, t->out->sinks.store);
	hh_agent_export_metrics(t->a, t->out->sinks.metrics);
	hh_sinks_export_metrics(&t->out->sinks);
	return false;
}

static int parse_seconds(const char *arg, const char *opt, double *out)
{
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || *end || !(v >= 0) || v > 1e7) {
		fprintf(stderr, "hashhound agent: %s needs seconds, got '%s'\n", opt, arg);
		return -1;
	}
	*out = v;
	return 0;
}

/* The rules the agent would load (agent.rules), checked before it starts:
 * prints each error and returns how many there are. */
static size_t rule_errors(const struct hh_config *cfg)
{
	if (!hh_config_bool(cfg, NULL, "agent.rules", true))
		return 0;
	struct hh_rules *r = hh_rules_new();
	if (!r)
		return 0;
	hh_rules_load_config(r, cfg);
	size_t n = hh_rules_n_errors(r);
	for (size_t i = 0; i < n && i < 50; i++) {
		char msg[1024];
		hh_rule_error_format(hh_rules_error(r, i), msg, sizeof(msg));
		fprintf(stderr, "hashhound agent: rules: %s\n", msg);
	}
	if (n)
		fprintf(stderr, "hashhound agent: %zu rule error(s)%s; fix the files (hashhound rules check FILE) "
			"or start with --allow-rule-errors to run without the broken rules\n", n,
			n > 50 ? " (first 50 shown)" : "");
	hh_rules_free(r);
	return n;
}

int hh_cmd_agent(int argc, char **argv)
{
	enum { O_INTERVAL = 0x2000, O_DURATION, O_ONCE, O_FILE, O_PROC, O_CGROUP, O_HOST, O_CTR, O_STATS, O_STORE, O_LISTEN, O_NOSENSOR, O_ALLOW_RULE_ERRORS };
	static const struct option longopts[] = {
		HH_COMMON_LONGOPTS,
		{ "interval", required_argument, 0, O_INTERVAL }, { "duration", required_argument, 0, O_DURATION },
		{ "once", no_argument, 0, O_ONCE },               { "findings-file", required_argument, 0, O_FILE },
		{ "proc-root", required_argument, 0, O_PROC },    { "cgroup-root", required_argument, 0, O_CGROUP },
		{ "host-root", required_argument, 0, O_HOST },    { "container", required_argument, 0, O_CTR },
		{ "stats", no_argument, 0, O_STATS },             { "store", required_argument, 0, O_STORE },
		{ "listen", required_argument, 0, O_LISTEN },     { "no-sensor", no_argument, 0, O_NOSENSOR },
		{ "allow-rule-errors", no_argument, 0, O_ALLOW_RULE_ERRORS }, { 0, 0, 0, 0 },
	};
	struct hh_cli cli;
	hh_cli_init(&cli, "agent");
	struct hh_agent_opts o = { 0 };
	struct hh_sinks_opts so = { .stdout_enabled = true };
	bool stats = false, no_sensor = false, allow_rule_errors = false;
	int opt;
	while ((opt = getopt_long(argc, argv, HH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int r = hh_cli_option(&cli, opt, optarg);
		if (r < 0)
			return HH_EXIT_USAGE;
		if (r > 0)
			continue;
		switch (opt) {
		case O_INTERVAL:
			if (parse_seconds(optarg, "--interval", &o.interval_s) < 0 || o.interval_s < 0.1) {
				fprintf(stderr, "hashhound agent: --interval must be at least 0.1 s\n");
				return HH_EXIT_USAGE;
			}
			break;
		case O_DURATION:
			if (parse_seconds(optarg, "--duration", &o.duration_s) < 0)
				return HH_EXIT_USAGE;
			break;
		case O_ONCE: o.once = true; break;
		case O_FILE: so.findings_file = optarg; break;
		case O_STORE: so.store_path = optarg; break;
		case O_LISTEN: so.listen = optarg; break;
		case O_PROC: o.proc_root = optarg; break;
		case O_CGROUP: o.cgroup_root = optarg; break;
		case O_HOST: o.host_root = optarg; break;
		case O_CTR: o.only_container = optarg; break;
		case O_STATS: stats = true; break;
		case O_NOSENSOR: no_sensor = true; break;
		case O_ALLOW_RULE_ERRORS: allow_rule_errors = true; break;
		default: agent_usage(stderr); return HH_EXIT_USAGE;
		}
	}
	if (cli.want_help) {
		agent_usage(stdout);
		return 0;
	}
	if (optind < argc) {
		fprintf(stderr, "hashhound agent: unexpected argument '%s'\n", argv[optind]);
		return HH_EXIT_USAGE;
	}
	if (cli.output_path) {
		fprintf(stderr, "hashhound agent: use --findings-file (findings also go to stdout)\n");
		return HH_EXIT_USAGE;
	}
	struct hh_config cfg;
	if (hh_cli_load_config("agent", &cfg, cli.config_path) < 0) {
		hh_config_free(&cfg);
		return HH_EXIT_USAGE;
	}
	if (!allow_rule_errors && rule_errors(&cfg) > 0) {
		hh_config_free(&cfg);
		return HH_EXIT_USAGE;
	}
	/* The sensor watches this kernel: with another proc root it would report
	 * processes the rest of the agent cannot see. */
	o.sensor = !no_sensor && !o.once && hh_config_bool(&cfg, NULL, "agent.sensor", true) &&
		   (!o.proc_root || strcmp(o.proc_root, "/proc") == 0);
	/* Before any thread exists (sensor, HTTP, webhook): otherwise one of them
	 * may take SIGTERM and the findings still queued are lost. */
	sigset_t old_mask;
	pthread_sigmask(SIG_SETMASK, NULL, &old_mask);
	if (hh_agent_block_stop_signals() < 0)
		hh_warn("agent: cannot block SIGINT/SIGTERM; a stop may skip the final flush");
	/* A one-shot check reports what it sees; a running agent remembers what
	 * it reported across restarts. */
	if (!o.once) {
		const char *sf = hh_config_str(&cfg, NULL, "agent.state_file", "");
		if (sf[0]) {
			hh_ensure_parent_dir(sf);
			o.state_file = sf;
		}
	}
	struct agent_out out = { 0 };
	so.stdout_format = cli.format;
	struct hh_agent *a = hh_agent_new(&cfg, &o, emit_cb, &out);
	if (!a) {
		pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
		hh_config_free(&cfg);
		return HH_EXIT_USAGE;
	}
	if (hh_log_get_level() >= HH_LOG_INFO)
		hh_agent_banner(a, stderr);
	hh_sinks_open(&out.sinks, &cfg, &so);
	if (out.sinks.http)
		hh_http_set_audit(out.sinks.http, audit_post, a);
	struct agent_tick tick = { .a = a, .out = &out };
	after_sweep(&tick); /* every family on /metrics from the start */
	int run = hh_agent_run(a, after_sweep, &tick);
	if (out.sinks.http)
		hh_http_set_audit(out.sinks.http, NULL, NULL);
	struct hh_agent_stats s;
	hh_agent_get_stats(a, &s);
	int sig = hh_agent_stop_signal(a);
	if (stats || hh_log_get_level() >= HH_LOG_DEBUG)
		fprintf(stderr,
			"agent stats: sweeps %lu, first sweep %.3f ms, later sweeps mean %.3f ms, containers %zu, "
			"processes %zu, new processes %lu, sensor events %lu, findings %lu, suppressed by tuning %lu\n",
			s.sweeps, s.first_sweep_ms,
			s.sweeps > 1 ? (s.total_sweep_ms - s.first_sweep_ms) / (double)(s.sweeps - 1) : 0, s.containers,
			s.processes_seen, s.new_processes, s.sensor_events, s.findings, s.suppressed);
	hh_agent_free(a);
	hh_sinks_close(&out.sinks);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	hh_config_free(&cfg);
	if (run < 0)
		return HH_EXIT_USAGE;
	if (sig)
		return HH_EXIT_CLEAN;
	return out.n && out.max >= cli.fail_on ? HH_EXIT_FINDINGS : HH_EXIT_CLEAN;
}
