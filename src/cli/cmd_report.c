/* hashhound report: replay findings from the store (or import JSON lines into it).
 * hashhound serve:  the dashboard, API and /metrics over a store, without the agent. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/report_incident.h"
#include "core/fileio.h"
#include "core/log.h"
#include "detectors/audit/audit.h"
#include "sinks/http_server.h"
#include "sinks/store.h"

static void report_usage(FILE *fp)
{
	fprintf(fp, "usage: hashhound report [OPTIONS]\n\n"
		    "Prints findings kept in the agent's store, newest first, or imports JSON-lines\n"
		    "findings (from pcap, scan, check, audit-log or an agent file) into a store.\n\n"
		    "      --store DB         SQLite store (default: sinks.store.path)\n"
		    "      --import FILE      add the findings of FILE (JSON lines, '-' for stdin) to the store\n"
		    "      --since SECONDS    only findings of the last SECONDS\n"
		    "      --min-severity S   only findings at or above S (default info)\n"
		    "      --container ID     only this container (id prefix)\n"
		    "      --rule ID          only this rule\n"
		    "      --limit N          at most N findings (default 1000)\n"
		    "      --incident ID      one incident as a standalone post-incident report: its\n"
		    "                         timeline, CPU plot, reasons, bill, evidence manifest with\n"
		    "                         hashes, response, ATT&CK mapping and posture to fix;\n"
		    "                         --format html (default) or markdown. ID: the first 12\n"
		    "                         characters of the container id (the dashboard's /incidents)\n"
		    HH_COMMON_HELP, hh_cli_format_help("report"));
}

static void emit_cb(const struct hh_finding *f, void *ctx) { hh_cli_emit(ctx, f); }

/* Imports JSON lines; a bad line is reported with its number and skipped. */
static int import_file(struct hh_store *store, const char *path, size_t *added)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!fp) {
		fprintf(stderr, "hashhound report: %s: %s\n", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int bad = 0;
	while ((len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if (len <= 1)
			continue;
		json_error_t e;
		json_t *j = json_loadb(line, (size_t)len, 0, &e);
		struct hh_finding *f = hh_finding_from_json(j);
		json_decref(j);
		if (!f) {
			fprintf(stderr, "hashhound report: %s:%zu: not a finding (%s)\n", path, lineno,
				e.text[0] ? e.text : "missing time, source, rule, title or severity");
			bad = 1;
			continue;
		}
		if (hh_store_add(store, f) == 0)
			(*added)++;
		hh_finding_free(f);
	}
	free(line);
	if (fp != stdin)
		fclose(fp);
	return bad ? -1 : 0;
}

int hh_cmd_report(int argc, char **argv)
{
	enum { O_STORE = 0x2000, O_IMPORT, O_SINCE, O_MINSEV, O_CONTAINER, O_RULE, O_LIMIT, O_INCIDENT };
	static const struct option longopts[] = {
		HH_COMMON_LONGOPTS,
		{ "store", required_argument, 0, O_STORE },
		{ "import", required_argument, 0, O_IMPORT },
		{ "since", required_argument, 0, O_SINCE },
		{ "min-severity", required_argument, 0, O_MINSEV },
		{ "container", required_argument, 0, O_CONTAINER },
		{ "rule", required_argument, 0, O_RULE },
		{ "limit", required_argument, 0, O_LIMIT },
		{ "incident", required_argument, 0, O_INCIDENT },
		{ 0, 0, 0, 0 },
	};
	struct hh_cli cli;
	hh_cli_init(&cli, "report");
	const char *store_path = NULL, *import = NULL, *incident = NULL;
	bool markdown = false, format_given = false, not_html = false;
	struct hh_store_query q = { .limit = 1000 };
	int opt;
	while ((opt = getopt_long(argc, argv, HH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (opt == 'f') { /* markdown is the incident report's alone */
			format_given = true;
			markdown = !strcmp(optarg, "markdown") || !strcmp(optarg, "md");
			not_html = strcmp(optarg, "html") != 0;
			if (markdown)
				continue;
		}
		if (opt == O_INCIDENT) {
			incident = optarg;
			continue;
		}
		int r = hh_cli_option(&cli, opt, optarg);
		if (r < 0)
			return HH_EXIT_USAGE;
		if (r > 0)
			continue;
		switch (opt) {
		case O_STORE: store_path = optarg; break;
		case O_IMPORT: import = optarg; break;
		case O_SINCE: {
			char *end;
			double secs = strtod(optarg, &end);
			if (end == optarg || *end || !(secs >= 0) || secs > 1e12) {
				fprintf(stderr, "hashhound report: --since wants seconds >= 0, got '%s'\n", optarg);
				return HH_EXIT_USAGE;
			}
			q.since = hh_now() - secs;
			break;
		}
		case O_MINSEV:
			if (!hh_severity_parse(optarg, &q.min_severity)) {
				fprintf(stderr, "hashhound report: unknown severity '%s'\n", optarg);
				return HH_EXIT_USAGE;
			}
			break;
		case O_CONTAINER: q.container_id = optarg; break;
		case O_RULE: q.rule = optarg; break;
		case O_LIMIT: {
			char *end;
			long long n = strtoll(optarg, &end, 10);
			if (end == optarg || *end || n < 1 || n > 100000000) {
				fprintf(stderr, "hashhound report: --limit wants a count >= 1, got '%s'\n", optarg);
				return HH_EXIT_USAGE;
			}
			q.limit = (size_t)n;
			break;
		}
		default: report_usage(stderr); return HH_EXIT_USAGE;
		}
	}
	if (cli.want_help) {
		report_usage(stdout);
		return 0;
	}
	if (markdown && !incident) {
		fprintf(stderr, "hashhound report: --format markdown is for --incident ID\n");
		return HH_EXIT_USAGE;
	}
	if (incident) {
		if (import || (format_given && !markdown && not_html)) {
			fprintf(stderr, "hashhound report: --incident writes html or markdown%s\n",
				import ? " and does not --import" : "");
			return HH_EXIT_USAGE;
		}
		return hh_report_incident(store_path, cli.config_path, incident, markdown, cli.output_path);
	}
	if (hh_cli_start(&cli) != 0)
		return HH_EXIT_USAGE;
	if (!store_path)
		store_path = hh_config_str(&cli.config, NULL, "sinks.store.path", "/var/lib/hashhound/findings.db");
	if (!import && access(store_path, R_OK) != 0) {
		fprintf(stderr, "hashhound report: %s: %s\n", store_path, strerror(errno));
		hh_cli_finish(&cli);
		return HH_EXIT_USAGE;
	}
	char err[512];
	struct hh_store *store = hh_store_open(store_path, 0, err, sizeof(err));
	if (!store) {
		fprintf(stderr, "hashhound report: %s\n", err);
		hh_cli_finish(&cli);
		return HH_EXIT_USAGE;
	}
	int rc = 0;
	if (import) {
		size_t added = 0;
		rc = import_file(store, import, &added) < 0 ? HH_EXIT_USAGE : 0;
		fprintf(stderr, "hashhound report: imported %zu findings into %s\n", added, store_path);
	} else {
		hh_store_query(store, &q, emit_cb, &cli);
	}
	hh_store_close(store);
	int frc = hh_cli_finish(&cli);
	return rc ? rc : (import ? 0 : frc);
}

/* POST /audit in `serve`: audit events judged on the server's thread (calls
 * are serialized), their findings added to the store. */
struct serve_audit {
	struct hh_audit *engine;
	struct hh_store *store;
};

static void serve_audit_sink(void *user, struct hh_finding *f)
{
	struct serve_audit *sa = user;
	if (hh_store_add(sa->store, f) < 0)
		hh_warn("serve: audit finding %s not stored", f->rule);
	hh_finding_free(f);
}

static int serve_audit_post(void *user, const char *body, size_t len, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	struct serve_audit *sa = user;
	size_t errors = hh_audit_read_buf(sa->engine, body, len, "audit webhook");
	if (errors)
		hh_warn("serve: audit webhook: %zu malformed value(s) in a posted body (named above)", errors);
	return 0;
}

static volatile sig_atomic_t serve_stop;
static void on_signal(int sig) { (void)sig; serve_stop = 1; }

static void serve_usage(FILE *fp)
{
	fprintf(fp, "usage: hashhound serve [--store DB] [--listen HOST:PORT] [-c FILE]\n\n"
		    "Serves the dashboard (/), the incident pages (/incidents, docs/outputs.md),\n"
		    "the fleet campaigns when the store is a fleet store (/fleet, docs/fleet.md),\n"
		    "the findings API (/api/findings, /api/summary),\n"
		    "Prometheus metrics (/metrics) and /healthz over a finding store, e.g. one copied\n"
		    "from a node (docs/outputs.md), and takes Kubernetes audit events (POST /audit,\n"
		    "the API server's webhook backend): judged by the audit-log rules, their findings\n"
		    "added to the store. Prints \"listening on HOST:PORT\" on stdout once\n"
		    "ready (port 0 picks a free one); SIGINT/SIGTERM stop it.\n\n"
		    "Options:\n"
		    "  -s, --store DB         SQLite store (default sinks.store.path)\n"
		    "  -l, --listen HOST:PORT address to serve on (default sinks.http.listen, 127.0.0.1:9321)\n"
		    "  -c, --config FILE      YAML configuration (default: built-in)\n"
		    "  -h, --help             this help\n\n"
		    "Exit codes: 0 stopped by a signal; 2 a bad configuration, a store that cannot be\n"
		    "opened, an address that cannot be served, or a usage error.\n");
}

int hh_cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "store", required_argument, 0, 's' }, { "listen", required_argument, 0, 'l' },
		{ "config", required_argument, 0, 'c' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *store_path = NULL, *listen = NULL, *config_path = NULL;
	int opt;
	while ((opt = getopt_long(argc, argv, "s:l:c:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': store_path = optarg; break;
		case 'l': listen = optarg; break;
		case 'c': config_path = optarg; break;
		case 'h': serve_usage(stdout); return 0;
		default: serve_usage(stderr); return HH_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hashhound serve: unexpected argument '%s'\n", argv[optind]);
		return HH_EXIT_USAGE;
	}
	struct hh_config cfg;
	char err[512];
	if (hh_cli_load_config("serve", &cfg, config_path) < 0) {
		hh_config_free(&cfg);
		return HH_EXIT_USAGE;
	}
	if (!store_path)
		store_path = hh_config_str(&cfg, NULL, "sinks.store.path", "/var/lib/hashhound/findings.db");
	if (!listen)
		listen = hh_config_str(&cfg, NULL, "sinks.http.listen", "127.0.0.1:9321");
	struct hh_store *store = hh_store_open(store_path, 0, err, sizeof(err));
	if (!store) {
		fprintf(stderr, "hashhound serve: %s\n", err);
		hh_config_free(&cfg);
		return HH_EXIT_USAGE;
	}
	struct hh_metrics *metrics = hh_metrics_new();
	hh_metrics_describe(metrics, "hashhound_store_findings", HH_METRIC_GAUGE,
			    "Findings in the store, by severity.");
	struct hh_http *http = hh_http_start(listen, store, metrics, err, sizeof(err));
	if (!http) {
		fprintf(stderr, "hashhound serve: %s\n", err);
		hh_metrics_free(metrics);
		hh_store_close(store);
		hh_config_free(&cfg);
		return HH_EXIT_USAGE;
	}
	hh_http_allow_hosts(http, hh_config_get(&cfg, NULL, "sinks.http.allowed_hosts"));
	hh_http_set_config(http, &cfg);
	struct serve_audit sa = { .store = store };
	sa.engine = hh_audit_new(&cfg, serve_audit_sink, &sa, err, sizeof(err));
	if (sa.engine)
		hh_http_set_audit(http, serve_audit_post, &sa);
	else
		hh_warn("serve: %s (POST /audit off)", err);
	/* The port line goes to stdout so scripts using port 0 can read it. */
	printf("listening on %.*s:%d\n", (int)(strrchr(listen, ':') - listen), listen, hh_http_port(http));
	fflush(stdout);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!serve_stop) {
		uint64_t counts[5];
		if (hh_store_count_by_severity(store, counts) == 0)
			for (int s = 0; s < 5; s++) {
				const char *labels[] = { "severity", hh_severity_name((enum hh_severity)s), NULL };
				hh_metrics_set(metrics, "hashhound_store_findings", labels, (double)counts[s]);
			}
		sleep(1);
	}
	hh_http_stop(http);
	hh_audit_free(sa.engine);
	hh_metrics_free(metrics);
	hh_store_close(store);
	hh_config_free(&cfg);
	return 0;
}
