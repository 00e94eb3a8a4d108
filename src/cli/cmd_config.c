/* hashhound config: show the built-in defaults, check a file, read one key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void config_usage(FILE *fp)
{
	fprintf(fp, "usage: hashhound config [-c FILE] [--check FILE]\n"
		    "       hashhound config [-c FILE] --get KEY [--namespace NS] [--image IMG] [--pod POD]\n"
		    "                        [--container NAME] [--label KEY=VALUE]...\n\n"
		    "Without options, prints the built-in configuration: every key with its documented\n"
		    "default. A configuration file is merged over these defaults.\n\n"
		    "Options:\n"
		    "  -c, --config FILE      the configuration file to check or read (as every command takes it)\n"
		    "      --check FILE       check FILE (the same as -c FILE alone): unknown keys, types,\n"
		    "                         ranges and per-workload overrides; each problem is printed as\n"
		    "                         FILE:LINE:COL on stderr\n"
		    "      --get KEY          print the effective value of KEY (dotted, e.g. behavior.plateau.window_s)\n"
		    "                         as JSON, after the overrides that match the workload described by:\n"
		    "      --namespace NS     the workload's Kubernetes namespace\n"
		    "      --image IMG        its image\n"
		    "      --pod POD          its pod name\n"
		    "      --container NAME   its container name\n"
		    "      --label KEY=VALUE  one of its labels (repeatable)\n"
		    "  -h, --help             this help\n\n"
		    "Exit codes: 0 the file is valid (or the key was printed); 2 a problem in the file,\n"
		    "an unknown key or a usage error.\n");
}

int hh_cmd_config(int argc, char **argv)
{
	enum { O_CHECK = 0x2000, O_GET, O_NS, O_IMAGE, O_POD, O_CTR, O_LABEL };
	static const struct option longopts[] = {
		{ "check", required_argument, 0, O_CHECK },   { "get", required_argument, 0, O_GET },
		{ "config", required_argument, 0, 'c' },      { "namespace", required_argument, 0, O_NS },
		{ "image", required_argument, 0, O_IMAGE },   { "pod", required_argument, 0, O_POD },
		{ "container", required_argument, 0, O_CTR }, { "label", required_argument, 0, O_LABEL },
		{ "help", no_argument, 0, 'h' },              { 0, 0, 0, 0 },
	};
	const char *check = NULL, *path = NULL, *get = NULL;
	struct hh_workload w = { 0 };
	int opt;
	while ((opt = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (opt) {
		case O_CHECK: check = optarg; break;
		case 'c': path = optarg; break;
		case O_GET: get = optarg; break;
		case O_NS: hh_strlcpy(w.pod_namespace, optarg, sizeof(w.pod_namespace)); break;
		case O_IMAGE: hh_strlcpy(w.image, optarg, sizeof(w.image)); break;
		case O_POD: hh_strlcpy(w.pod_name, optarg, sizeof(w.pod_name)); break;
		case O_CTR: hh_strlcpy(w.container_name, optarg, sizeof(w.container_name)); break;
		case O_LABEL: {
			const char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg) {
				fprintf(stderr, "hashhound config: --label wants KEY=VALUE, got '%s'\n", optarg);
				return HH_EXIT_USAGE;
			}
			char key[128];
			size_t n = (size_t)(eq - optarg) < sizeof(key) - 1 ? (size_t)(eq - optarg) : sizeof(key) - 1;
			memcpy(key, optarg, n);
			key[n] = '\0';
			hh_workload_add_label(&w, key, eq + 1);
			break;
		}
		case 'h': config_usage(stdout); return 0;
		default: config_usage(stderr); return HH_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hashhound config: unexpected argument '%s'\n", argv[optind]);
		return HH_EXIT_USAGE;
	}
	if (check && path && strcmp(check, path) != 0) {
		fprintf(stderr, "hashhound config: --check %s and --config %s name two files; give one\n", check, path);
		return HH_EXIT_USAGE;
	}
	if (!path)
		path = check;
	if (!path && !get) {
		fputs(hh_config_default_text(), stdout);
		return 0;
	}
	struct hh_config cfg;
	if (hh_cli_load_config("config", &cfg, path) < 0) {
		hh_config_free(&cfg);
		return HH_EXIT_USAGE;
	}
	int rc = 0;
	if (get) {
		const json_t *v = hh_config_get(&cfg, &w, get);
		if (!v) {
			fprintf(stderr, "hashhound config: no key '%s'\n", get);
			rc = HH_EXIT_USAGE;
		} else {
			char *s = json_dumps(v, JSON_ENCODE_ANY | HH_JSON_REALS);
			printf("%s\n", s ? s : "");
			free(s);
		}
	} else {
		printf("%s: ok\n", path);
	}
	hh_config_free(&cfg);
	return rc;
}
