/* hashhound config: show the built-in defaults, check a file, read one key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void config_usage(FILE *fp)
{
	fprintf(fp, "usage: hashhound config [--check FILE] [--get KEY [--namespace NS] [--image IMG]]\n\n"
		    "Without options, prints the built-in configuration: every threshold with its\n"
		    "documented default. --check validates FILE (exit 2 naming line and column when bad).\n"
		    "--get prints the effective value of KEY, after per-workload overrides for the keys\n"
		    "read per workload (behavior.*, rules.disabled, correlation.*, response.auto.*);\n"
		    "other keys are read once for all workloads, and --get prints that value (with a note\n"
		    "on stderr when an override for the workload names the key). Exceptions match\n"
		    "workloads themselves (docs/tuning.md).\n");
}

/* Keys read per workload (overrides apply to them): behavior thresholds,
 * rules.disabled (every detector, core/tuning.c), correlation and automatic
 * response. Every other key is read once for all workloads. Keep in step
 * with the readers. */
static bool per_workload_key(const char *key)
{
	static const char *const prefixes[] = { "behavior.", "rules.disabled", "correlation.window_s",
						 "correlation.weight", "response.auto.", "response.evidence_dir" };
	static const char *const global[] = { "behavior.max_workloads", "behavior.ring_samples" };
	for (size_t i = 0; i < sizeof(global) / sizeof(global[0]); i++)
		if (!strcmp(key, global[i]))
			return false;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(key, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

int hh_cmd_config(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check", required_argument, 0, 'k' }, { "get", required_argument, 0, 'g' },
		{ "namespace", required_argument, 0, 'n' }, { "image", required_argument, 0, 'i' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *check = NULL, *get = NULL;
	struct hh_workload w = { 0 };
	int opt;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'k': check = optarg; break;
		case 'g': get = optarg; break;
		case 'n': hh_strlcpy(w.pod_namespace, optarg, sizeof(w.pod_namespace)); break;
		case 'i': hh_strlcpy(w.image, optarg, sizeof(w.image)); break;
		case 'h': config_usage(stdout); return 0;
		default: config_usage(stderr); return HH_EXIT_USAGE;
		}
	}
	if (!check && !get) {
		fputs(hh_config_default_text(), stdout);
		return 0;
	}
	struct hh_config cfg;
	char err[512];
	if (hh_config_load(&cfg, check, err, sizeof(err)) < 0) {
		fprintf(stderr, "hashhound config: %s\n", err);
		hh_config_free(&cfg);
		return HH_EXIT_USAGE;
	}
	int rc = 0;
	if (get) {
		bool for_workload = w.pod_namespace[0] || w.image[0];
		const json_t *v;
		if (for_workload && !per_workload_key(get)) {
			/* print what is applied: the global value */
			v = hh_config_get(&cfg, NULL, get);
			if (v && hh_config_get(&cfg, &w, get) != v)
				fprintf(stderr, "hashhound config: note: %s is read once for all workloads; the override "
						"matching this workload does not apply to it\n", get);
		} else {
			v = hh_config_get(&cfg, &w, get);
		}
		if (!v) {
			fprintf(stderr, "hashhound config: no key '%s'\n", get);
			rc = HH_EXIT_USAGE;
		} else {
			char *s = json_dumps(v, JSON_ENCODE_ANY | HH_JSON_REALS);
			printf("%s\n", s ? s : "");
			free(s);
		}
	} else {
		printf("%s: ok\n", check);
	}
	hh_config_free(&cfg);
	return rc;
}
