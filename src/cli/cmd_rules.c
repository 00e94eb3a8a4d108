/* hashhound rules: check rule files, list rules, test rules against events. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "detectors/rules/rules.h"

#define RULES_TEST_MAX_LINE (1u << 20)

static void rules_usage(FILE *fp)
{
	fprintf(fp,
		"usage: hashhound rules check [--no-builtin] [--falco-compat] FILE|DIR...\n"
		"       hashhound rules list [--rules FILE|DIR]... [--no-builtin] [-c CONFIG] [-f json|table]\n"
		"       hashhound rules test --event FILE.jsonl [--rules FILE|DIR]... [--no-builtin] [OPTIONS]\n\n"
		"check: validates rule files (loaded after the built-in pack, whose lists and\n"
		"  macros they may use); prints each problem as FILE:LINE:COL on stderr; exit 2\n"
		"  when any rule, macro or list failed. --falco-compat prints, per rule of the\n"
		"  files, one line on stdout: loaded, limited (loaded, but some fields are\n"
		"  never available or it watches system calls hashhound does not trace: why),\n"
		"  or unloadable (why), then a summary; the built-in pack keeps its own\n"
		"  lists and macros whatever the files redefine.\n"
		"list: the rules with id, priority, enabled, tags (built-in pack, the config's\n"
		"  rules.files, then --rules).\n"
		"test: evaluates the rules against events, one JSON object a line with Falco\n"
		"  field names ({\"evt.type\":\"execve\",\"proc.cmdline\":\"xmrig -o ...\"}; '-' reads\n"
		"  stdin) and prints the findings (JSON lines by default).\n\n"
		"Options:\n"
		"      --rules PATH     extra rule file or directory (repeatable)\n"
		"      --no-builtin     leave out the built-in miner pack\n"
		HH_COMMON_HELP, hh_cli_format_help("rules"));
}

struct rules_opts {
	const char **paths;
	size_t n_paths;
	int no_builtin;
	int falco_compat;
	const char *event_path;
};

/* Loads, compiles, applies the config; prints the errors on stderr. */
static struct hh_rules *build_engine(const struct rules_opts *o, const struct hh_config *cfg, size_t *n_errors)
{
	struct hh_rules *r = hh_rules_new();
	if (!r)
		return NULL;
	hh_rules_load_all(r, cfg, !o->no_builtin, (const char *const *)o->paths, o->n_paths);
	*n_errors = hh_rules_n_errors(r);
	for (size_t i = 0; i < *n_errors; i++) {
		char buf[1024];
		hh_rule_error_format(hh_rules_error(r, i), buf, sizeof(buf));
		fprintf(stderr, "%s\n", buf);
	}
	return r;
}

static int cmd_check(struct rules_opts *o)
{
	if (!o->n_paths) {
		fprintf(stderr, "hashhound rules check: name at least one rule file or directory\n");
		return HH_EXIT_USAGE;
	}
	size_t nerr = 0;
	struct hh_rules *r = build_engine(o, NULL, &nerr);
	if (!r)
		return HH_EXIT_USAGE;
	size_t loaded = 0, n = hh_rules_count(r);
	size_t user = 0, limited = 0, inert = 0, bad = 0, pack = 0, pack_ok = 0;
	for (size_t i = 0; i < n; i++) {
		struct hh_rule_info info;
		if (!hh_rules_info(r, i, &info))
			continue;
		loaded += info.loaded;
		if (info.builtin) {
			pack++;
			pack_ok += info.loaded;
			continue;
		}
		if (!o->falco_compat)
			continue;
		user++;
		const char *status = "loaded", *why = "";
		char item[160], msg[600] = "";
		if (!info.loaded) {
			status = "unloadable";
			bad++;
			/* The error recorded for this rule says why. */
			snprintf(item, sizeof(item), "rule '%s'", info.name);
			for (size_t k = 0; k < nerr; k++) {
				const struct hh_rule_error *e = hh_rules_error(r, k);
				if (strcmp(e->item, item) == 0) {
					snprintf(msg, sizeof(msg), "%s", e->msg);
					break;
				}
			}
			why = msg;
		} else if (info.limits && info.limits[0]) {
			status = info.inert ? "inert" : "limited";
			inert += info.inert;
			limited += !info.inert;
			why = info.limits;
		}
		printf("%-10s %s (%s:%u)%s%s\n", status, info.name, info.file, info.line, why[0] ? ": " : "", why);
	}
	if (o->falco_compat)
		printf("summary: %zu rule(s) in the files: %zu loaded (%zu of them limited, %zu inert), %zu unloadable; "
		       "built-in pack: %zu of %zu loaded\n",
		       user, user - bad, limited, inert, bad, pack_ok, pack);
	fprintf(stderr, "%zu rule(s) loaded, %zu problem(s)\n", loaded, nerr);
	hh_rules_free(r);
	return nerr ? HH_EXIT_USAGE : 0;
}

static int cmd_list(struct rules_opts *o, struct hh_cli *cli)
{
	size_t nerr = 0;
	struct hh_rules *r = build_engine(o, &cli->config, &nerr);
	if (!r)
		return HH_EXIT_USAGE;
	size_t n = hh_rules_count(r);
	if (cli->format == HH_FMT_TABLE)
		printf("%-36s %-9s %-8s %s\n", "ID", "PRIORITY", "ENABLED", "TAGS");
	for (size_t i = 0; i < n; i++) {
		struct hh_rule_info info;
		if (!hh_rules_info(r, i, &info))
			continue;
		const char *state = !info.loaded ? "error" : info.enabled ? "yes" : "no";
		if (cli->format == HH_FMT_TABLE) {
			printf("%-36s %-9s %-8s", info.id, hh_severity_name(info.severity), state);
			for (size_t t = 0; t < info.n_tags; t++)
				printf("%s%s", t ? "," : " ", info.tags[t]);
			printf("\n");
		} else {
			json_t *j = json_pack("{s:s, s:s, s:s, s:b, s:b, s:f, s:s, s:i}", "id", info.id, "name", info.name,
					      "priority", hh_severity_name(info.severity), "enabled", info.enabled,
					      "loaded", info.loaded, "confidence", info.confidence, "file", info.file,
					      "line", (int)info.line);
			json_t *tags = json_array();
			for (size_t t = 0; t < info.n_tags; t++)
				json_array_append_new(tags, json_string(info.tags[t]));
			json_object_set_new(j, "tags", tags);
			char *s = json_dumps(j, HH_JSON_COMPACT);
			if (s)
				printf("%s\n", s);
			free(s);
			json_decref(j);
		}
	}
	hh_rules_free(r);
	return nerr ? HH_EXIT_USAGE : 0;
}

static int cmd_test(struct rules_opts *o, struct hh_cli *cli)
{
	if (!o->event_path) {
		fprintf(stderr, "hashhound rules test: --event FILE is required\n");
		return HH_EXIT_USAGE;
	}
	FILE *fp = strcmp(o->event_path, "-") == 0 ? stdin : fopen(o->event_path, "r");
	if (!fp) {
		fprintf(stderr, "hashhound rules test: cannot read %s: %s\n", o->event_path, strerror(errno));
		return HH_EXIT_USAGE;
	}
	size_t nerr = 0;
	/* Test events describe no live process: no /proc lookups for them. */
	hh_rules_set_proc_root(NULL);
	struct hh_rules *r = build_engine(o, &cli->config, &nerr);
	if (!r) {
		if (fp != stdin)
			fclose(fp);
		return HH_EXIT_USAGE;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long lineno = 0;
	int bad = 0;
	struct hh_event *ev = malloc(sizeof(*ev));
	while (ev && (len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if ((size_t)len > RULES_TEST_MAX_LINE) {
			fprintf(stderr, "%s:%lu: event line too long (%zd bytes, limit %u)\n", o->event_path, lineno, len,
				RULES_TEST_MAX_LINE);
			bad = 1;
			continue;
		}
		size_t k = 0;
		while (k < (size_t)len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\n' || line[k] == '\r'))
			k++;
		if (k == (size_t)len || line[k] == '#')
			continue;
		json_error_t je;
		json_t *obj = json_loadb(line, (size_t)len, 0, &je);
		char err[256];
		if (!obj) {
			fprintf(stderr, "%s:%lu:%d: bad JSON: %s\n", o->event_path, lineno, je.column, je.text);
			bad = 1;
			continue;
		}
		if (hh_event_from_json(obj, ev, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s:%lu: %s\n", o->event_path, lineno, err);
			bad = 1;
			json_decref(obj);
			continue;
		}
		json_decref(obj);
		struct hh_findings out = { 0 };
		hh_rules_eval(r, ev, &cli->config, &out);
		for (size_t i = 0; i < out.n; i++)
			hh_cli_emit(cli, out.items[i]);
		hh_findings_clear(&out);
	}
	free(ev);
	free(line);
	if (fp != stdin)
		fclose(fp);
	hh_rules_free(r);
	int rc = hh_cli_finish(cli);
	cli->out = NULL;
	return bad || nerr ? HH_EXIT_USAGE : rc;
}

int hh_cmd_rules(int argc, char **argv)
{
	static const struct option longopts[] = {
		HH_COMMON_LONGOPTS,
		{ "rules", required_argument, 0, 'r' },
		{ "no-builtin", no_argument, 0, 'B' },
		{ "event", required_argument, 0, 'e' },
		{ "falco-compat", no_argument, 0, 'F' },
		{ 0, 0, 0, 0 },
	};
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		rules_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? HH_EXIT_USAGE : 0;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "check") && strcmp(sub, "list") && strcmp(sub, "test")) {
		fprintf(stderr, "hashhound rules: unknown subcommand '%s' (check, list, test)\n", sub);
		return HH_EXIT_USAGE;
	}
	struct hh_cli cli;
	hh_cli_init(&cli, "rules");
	struct rules_opts o = { 0 };
	o.paths = calloc((size_t)argc, sizeof(*o.paths));
	if (!o.paths)
		return HH_EXIT_USAGE;
	int opt;
	optind = 2;
	while ((opt = getopt_long(argc, argv, HH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int h = hh_cli_option(&cli, opt, optarg);
		if (h < 0) {
			free(o.paths);
			return HH_EXIT_USAGE;
		}
		if (h)
			continue;
		switch (opt) {
		case 'r': o.paths[o.n_paths++] = optarg; break;
		case 'B': o.no_builtin = 1; break;
		case 'e': o.event_path = optarg; break;
		case 'F': o.falco_compat = 1; break;
		default:
			rules_usage(stderr);
			free(o.paths);
			return HH_EXIT_USAGE;
		}
	}
	if (cli.want_help) {
		rules_usage(stdout);
		free(o.paths);
		return 0;
	}
	int rc;
	if (!strcmp(sub, "check")) {
		for (int i = optind; i < argc; i++)
			o.paths[o.n_paths++] = argv[i];
		rc = cmd_check(&o);
	} else {
		if (optind < argc) {
			fprintf(stderr, "hashhound rules %s: unexpected argument '%s' (use --rules)\n", sub, argv[optind]);
			free(o.paths);
			return HH_EXIT_USAGE;
		}
		if (!strcmp(sub, "list")) {
			/* A listing, not findings: no output sink, only the config. */
			if (hh_cli_load_config("rules", &cli.config, cli.config_path) < 0) {
				rc = HH_EXIT_USAGE;
			} else {
				rc = cmd_list(&o, &cli);
			}
			hh_config_free(&cli.config);
		} else {
			rc = hh_cli_start(&cli);
			if (rc == 0)
				rc = cmd_test(&o, &cli);
		}
	}
	free(o.paths);
	return rc;
}
