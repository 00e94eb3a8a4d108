/* hashhound sensor: runs only the runtime sensor and prints its events as
 * JSON lines (Falco-style field names), for testing the sensor and for
 * debugging what the agent would see. Lost-event counters go to stderr at exit. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/log.h"
#include "detectors/rules/rules.h"
#include "sources/sensor/sensor.h"
#include "sources/sensor/sensor_container.h"
#include "sources/sensor/sensor_json.h"
#include "sources/sensor/sensor_traits.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void sensor_usage(FILE *fp)
{
	fprintf(fp, "usage: hashhound sensor [--duration S] [--fallback] [--containers-only]\n"
		    "                        [--keep-privileges] [--fpu-interval MS] [--fpu-all] [--rules] [-o FILE] [-c FILE]\n\n"
		    "Runs the runtime sensor alone and prints each event as a JSON line (exec, exit,\n"
		    "connect, dns, open, init_module, ptrace, setns, unshare, mount, memfd_create, fpu),\n"
		    "with evt.latency_us: the time from the syscall to its delivery here.\n"
		    "  --duration S        stop after S seconds (default: until SIGINT/SIGTERM)\n"
		    "  --fallback          force the proc connector instead of eBPF\n"
		    "  --containers-only   only processes outside the host pid namespace\n"
		    "  --keep-privileges   do not drop capabilities after loading\n"
		    "  --fpu-interval MS   FPU summaries every MS milliseconds (default 2000)\n"
		    "  --fpu-all           FPU summaries for every process, not only non-default rounding\n"
		    "  --rules             evaluate the rules (rules.files, built-in pack) and print findings\n"
		    "                      instead of events (container id from the cgroup; exit 1 on --fail-on)\n"
		    "Configuration keys: sensor.containers_only, sensor.drop_privileges,\n"
		    "sensor.force_fallback, sensor.fpu_interval_ms. Needs root (or CAP_BPF+CAP_PERFMON).\n\n"
		    HH_COMMON_HELP, hh_cli_format_help("sensor"));
}

struct sensor_out {
	FILE *fp;
	struct hh_cli *cli;
	struct hh_rules *rules;       /* --rules: findings instead of events */
	struct hh_cgcache *cgcache;
	struct hh_traits_cache *traits;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* --rules: container id, the rule engine, findings with the latency from the
 * syscall to the finding as evidence. */
static void eval_rules(struct sensor_out *so, const struct hh_event *cev)
{
	struct hh_event *ev = malloc(sizeof(*ev));
	if (!ev)
		return;
	memcpy(ev, cev, sizeof(*ev));
	hh_cgcache_enrich(so->cgcache, ev);
	/* content traits of binaries started in containers (renamed miners) */
	if (ev->type == HH_EV_EXEC && ev->workload.container_id[0])
		hh_traits_cache_fill(so->traits, ev);
	struct hh_findings list = { 0 };
	hh_rules_eval(so->rules, ev, &so->cli->config, &list);
	uint64_t now = mono_ns();
	for (size_t i = 0; i < list.n; i++) {
		if (ev->ktime_ns && now >= ev->ktime_ns && ev->type != HH_EV_FPU)
			hh_finding_evidence_num(list.items[i], "latency.syscall_to_finding_ms",
						(double)(now - ev->ktime_ns) / 1e6);
		hh_cli_emit(so->cli, list.items[i]);
	}
	hh_findings_clear(&list);
	free(ev);
}

static void print_event(const struct hh_event *ev, void *ctx)
{
	struct sensor_out *so = ctx;
	if (so->rules) {
		eval_rules(so, ev);
		return;
	}
	json_t *o = hh_event_to_json(ev);
	if (!o)
		return;
	if (ev->ktime_ns) {
		uint64_t now = mono_ns();
		if (now >= ev->ktime_ns)
			json_object_set_new(o, "evt.latency_us", json_integer((json_int_t)((now - ev->ktime_ns) / 1000)));
	}
	char *s = json_dumps(o, HH_JSON_COMPACT);
	if (s) {
		fputs(s, so->fp);
		fputc('\n', so->fp);
		free(s);
	}
	json_decref(o);
}

int hh_cmd_sensor(int argc, char **argv)
{
	enum { O_DURATION = 0x2000, O_FALLBACK, O_CONTAINERS, O_KEEP, O_FPU, O_FPU_ALL, O_RULES };
	static const struct option longopts[] = {
		{ "duration", required_argument, 0, O_DURATION }, { "fallback", no_argument, 0, O_FALLBACK },
		{ "containers-only", no_argument, 0, O_CONTAINERS }, { "keep-privileges", no_argument, 0, O_KEEP },
		{ "fpu-interval", required_argument, 0, O_FPU }, { "fpu-all", no_argument, 0, O_FPU_ALL },
		{ "rules", no_argument, 0, O_RULES }, HH_COMMON_LONGOPTS, { 0, 0, 0, 0 },
	};
	struct hh_cli cli;
	hh_cli_init(&cli, "sensor");
	double duration = 0;
	int fallback = -1, containers = -1, keep = -1;
	long fpu_ms = -1;
	bool fpu_all = false, with_rules = false;
	int opt;
	while ((opt = getopt_long(argc, argv, HH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		char *end;
		switch (opt) {
		case O_DURATION:
			duration = strtod(optarg, &end);
			if (*end || duration < 0) {
				fprintf(stderr, "hashhound sensor: bad --duration '%s'\n", optarg);
				return HH_EXIT_USAGE;
			}
			break;
		case O_FALLBACK: fallback = 1; break;
		case O_CONTAINERS: containers = 1; break;
		case O_KEEP: keep = 1; break;
		case O_FPU_ALL: fpu_all = true; break;
		case O_RULES: with_rules = true; break;
		case O_FPU:
			fpu_ms = strtol(optarg, &end, 10);
			if (*end || fpu_ms < 10 || fpu_ms > 3600000) {
				fprintf(stderr, "hashhound sensor: bad --fpu-interval '%s' (10..3600000 ms)\n", optarg);
				return HH_EXIT_USAGE;
			}
			break;
		default: {
			int r = hh_cli_option(&cli, opt, optarg);
			if (r < 0)
				return HH_EXIT_USAGE;
			if (r == 0) {
				sensor_usage(stderr);
				return HH_EXIT_USAGE;
			}
		}
		}
	}
	if (cli.want_help) {
		sensor_usage(stdout);
		return 0;
	}
	if (optind < argc) {
		fprintf(stderr, "hashhound sensor: unexpected argument '%s'\n", argv[optind]);
		return HH_EXIT_USAGE;
	}
	int rc = hh_cli_start(&cli);
	if (rc)
		return rc;
	struct hh_sensor_opts so = { 0 };
	so.force_fallback = fallback > 0 || hh_config_bool(&cli.config, NULL, "sensor.force_fallback", false);
	so.containers_only = containers > 0 || hh_config_bool(&cli.config, NULL, "sensor.containers_only", false);
	/* this command does nothing but watch: it can always give up privileges */
	so.drop_privileges = keep > 0 ? false : hh_config_bool(&cli.config, NULL, "sensor.drop_privileges", true);
	so.fpu_interval_ms = (unsigned)(fpu_ms > 0 ? fpu_ms
					: hh_config_num(&cli.config, NULL, "sensor.fpu_interval_ms", 2000));
	so.fpu_all = fpu_all;
	struct sensor_out out = { cli.out_fp, &cli, NULL, NULL, NULL };
	if (with_rules) {
		/* the rules of the configuration (rules.files, the built-in pack);
		 * rules that do not load are reported and skipped */
		out.rules = hh_rules_new();
		out.cgcache = hh_cgcache_new(NULL);
		out.traits = hh_traits_cache_new(NULL);
		if (!out.rules || !out.cgcache || !out.traits) {
			hh_err("sensor: out of memory");
			return HH_EXIT_USAGE;
		}
		int nerr = hh_rules_load_config(out.rules, &cli.config);
		for (size_t i = 0; i < hh_rules_n_errors(out.rules); i++) {
			char buf[1024];
			hh_rule_error_format(hh_rules_error(out.rules, i), buf, sizeof(buf));
			hh_warn("rules: %s", buf);
		}
		hh_info("sensor: %zu rules loaded%s", hh_rules_count(out.rules), nerr ? " (some with errors, see above)" : "");
	}
	struct hh_sensor *s = hh_sensor_open(&so, print_event, &out);
	if (!s) {
		hh_rules_free(out.rules);
		hh_cgcache_free(out.cgcache);
		hh_traits_cache_free(out.traits);
		hh_cli_finish(&cli);
		return HH_EXIT_USAGE;
	}
	hh_info("sensor: source %s%s", hh_sensor_kind(s), so.containers_only ? " (containers only)" : "");
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	uint64_t end_ns = duration > 0 ? mono_ns() + (uint64_t)(duration * 1e9) : 0;
	int err = 0;
	while (!stop) {
		int wait = 200;
		if (end_ns) {
			uint64_t now = mono_ns();
			if (now >= end_ns)
				break;
			if ((end_ns - now) / 1000000 < (uint64_t)wait)
				wait = (int)((end_ns - now) / 1000000) + 1;
		}
		if (hh_sensor_poll(s, wait) < 0) {
			err = 1;
			break;
		}
		fflush(cli.out_fp);
	}
	hh_sensor_poll(s, 0); /* what is already in the buffer */
	fflush(cli.out_fp);
	struct hh_sensor_stats st;
	hh_sensor_get_stats(s, &st);
	fprintf(stderr, "sensor: source=%s events=%llu lost=%llu", hh_sensor_kind(s),
		(unsigned long long)st.events, (unsigned long long)st.lost);
	for (unsigned i = 0; i < st.n_programs && i < 16; i++)
		fprintf(stderr, " %s=%llu", st.program_names[i], (unsigned long long)st.lost_by_program[i]);
	fputc('\n', stderr);
	hh_sensor_close(s);
	hh_rules_free(out.rules);
	hh_cgcache_free(out.cgcache);
	hh_traits_cache_free(out.traits);
	int rc2 = hh_cli_finish(&cli);
	return err ? HH_EXIT_USAGE : with_rules ? rc2 : 0;
}
