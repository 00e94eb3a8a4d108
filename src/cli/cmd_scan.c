/* hashhound scan TARGET: the CI/CD gate for images, layers, filesystems and
 * web bundles (docs/scan.md). Exit codes: 1 when a finding is at or above
 * --fail-on (even when input errors occurred), else 2 when an input error
 * occurred, else 0. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/scan_ref.h"
#include "core/log.h"
#include "detectors/content/content_scan.h"
#include "detectors/content/image_scan.h"
#include "detectors/content/yara_pack.h"

#define MAX_YARA_PATHS 64

static void scan_usage(FILE *fp)
{
	fprintf(fp, "usage: hashhound scan [options] TARGET...\n\n"
		    "Finds miners in container images and filesystems before they run.\n"
		    "TARGET: a docker-archive tar (docker/podman save), an OCI image layout\n"
		    "directory or OCI archive, a root filesystem directory, or any directory or file;\n"
		    "or an image reference ([REGISTRY/]NAME[:TAG][@DIGEST]) taken from the local\n"
		    "containers-storage (podman, buildah, CRI-O), containerd or Docker store (read in\n"
		    "place, no daemon) or else pulled from its registry.\n\n"
		    "      --platform OS/ARCH[/VARIANT]  registry images: scan only this platform of a\n"
		    "                       multi-platform index (default: every platform)\n"
		    "      --image-src LIST local,remote (default both: the local store first)\n"
		    "      --insecure       plain HTTP and no certificate checks for registries\n"
		    "      --severity LIST  print only findings of these severities (e.g. HIGH,CRITICAL)\n"
		    "      --yara PATH      add a YARA rule file or a directory of .yar/.yara files (repeatable;\n"
		    "                       config scan.yara_paths)\n"
		    "      --list-rules     print the built-in YARA rule pack and exit\n"
		    HH_IGNORE_HELP
		    HH_COMMON_HELP
		    "\nExit: 1 a finding at/above --fail-on; 2 usage or input error (and nothing at/above\n"
		    "--fail-on); 0 otherwise. Findings are printed in every case.\n", hh_cli_format_help("scan"));
}

/* Directory and file targets: file.path names the file on this host, absolute
 * (a directory's walk gives paths relative to it; image paths stay as they are). */
static void absolute_paths(const char *target, struct hh_scan_result *res)
{
	if (res->kind != HH_TARGET_DIR && res->kind != HH_TARGET_FILE)
		return;
	char *base = realpath(target, NULL);
	if (!base)
		return;
	for (size_t k = 0; k < res->findings.n; k++) {
		struct hh_finding *f = res->findings.items[k];
		const char *p = json_string_value(json_object_get(f->fields, "file.path"));
		if (!p || p[0] == '/')
			continue;
		char abs[8192];
		if (res->kind == HH_TARGET_FILE) {
			/* the file itself, or a member of it ("a.tar!/x") */
			size_t tl = strlen(target);
			if (strncmp(p, target, tl) != 0)
				continue;
			snprintf(abs, sizeof(abs), "%s%s", base, p + tl);
		} else {
			snprintf(abs, sizeof(abs), "%s%s%s", base, strcmp(base, "/") ? "/" : "", p);
		}
		hh_finding_set_str(f, "file.path", abs);
	}
	free(base);
}

struct emit_ctx {
	struct hh_cli *cli;
	const bool *keep;   /* --severity: severities to print, NULL: all */
	double t0;
};

/* Emits one target's findings (those --severity keeps) and logs its summary. */
static void on_result(void *user, const char *label, struct hh_scan_result *res)
{
	struct emit_ctx *ec = user;
	size_t shown = 0;
	for (size_t k = 0; k < res->findings.n; k++) {
		if (ec->keep && !ec->keep[res->findings.items[k]->severity])
			continue;
		hh_cli_emit(ec->cli, res->findings.items[k]);
		shown++;
	}
	hh_info("scan: %s: %zu layer(s), %zu file(s), %.1f MB, %zu finding(s)%s, %zu input error(s), %.2f s", label,
		res->layers, res->files, (double)res->bytes / 1e6, shown, ec->keep ? " at the --severity levels" : "",
		res->errors, hh_now() - ec->t0);
	hh_findings_clear(&res->findings);
}

static int parse_image_src(const char *arg, struct hh_ref_opts *ro)
{
	ro->local = ro->remote = false;
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", arg);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "local") || !strcmp(t, "podman") || !strcmp(t, "containers-storage"))
			ro->local = true;
		else if (!strcmp(t, "remote") || !strcmp(t, "registry"))
			ro->remote = true;
		else {
			fprintf(stderr, "hashhound scan: --image-src: unknown source \"%s\" (local, remote)\n", t);
			return -1;
		}
	}
	return ro->local || ro->remote ? 0 : -1;
}

static int parse_severities(const char *arg, bool *keep)
{
	memset(keep, 0, sizeof(bool) * (HH_SEV_CRITICAL + 1));
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", arg);
	for (char *p = buf; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	int n = 0;
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		enum hh_severity s;
		if (!hh_severity_parse(t, &s)) {
			fprintf(stderr, "hashhound scan: --severity: unknown severity \"%s\" (info, low, medium, high, critical)\n", t);
			return -1;
		}
		keep[s] = true;
		n++;
	}
	return n ? 0 : -1;
}

int hh_cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		HH_COMMON_LONGOPTS,
		HH_IGNORE_LONGOPT,
		{ "yara", required_argument, 0, 'y' },
		{ "list-rules", no_argument, 0, 'L' },
		{ "platform", required_argument, 0, 'P' },
		{ "image-src", required_argument, 0, 'I' },
		{ "insecure", no_argument, 0, 'K' },
		{ "severity", required_argument, 0, 'S' },
		{ 0, 0, 0, 0 },
	};
	struct hh_cli cli;
	hh_cli_init(&cli, "scan");
	cli.ignore_file_default = 1;
	const char *yara[MAX_YARA_PATHS];
	size_t n_yara = 0;
	int opt, list_rules = 0;
	struct hh_ref_opts ro = { .local = true, .remote = true };
	bool sev_keep[HH_SEV_CRITICAL + 1];
	bool sev_filter = false;
	while ((opt = getopt_long(argc, argv, HH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int h = hh_cli_option(&cli, opt, optarg);
		if (h < 0)
			return HH_EXIT_USAGE;
		if (h > 0)
			continue;
		switch (opt) {
		case 'y':
			if (n_yara >= MAX_YARA_PATHS) {
				fprintf(stderr, "hashhound scan: more than %d --yara paths\n", MAX_YARA_PATHS);
				return HH_EXIT_USAGE;
			}
			yara[n_yara++] = optarg;
			break;
		case 'L': list_rules = 1; break;
		case 'P': ro.platform = optarg; break;
		case 'K': ro.insecure = true; break;
		case 'I':
			if (parse_image_src(optarg, &ro) < 0)
				return HH_EXIT_USAGE;
			break;
		case 'S':
			if (parse_severities(optarg, sev_keep) < 0)
				return HH_EXIT_USAGE;
			sev_filter = true;
			break;
		default: scan_usage(stderr); return HH_EXIT_USAGE;
		}
	}
	if (cli.want_help) {
		scan_usage(stdout);
		return 0;
	}
	if (list_rules) {
		hh_yara_pack_write_builtin_stdout();
		return 0;
	}
	if (optind >= argc) {
		fprintf(stderr, "hashhound scan: no TARGET given\n");
		scan_usage(stderr);
		return HH_EXIT_USAGE;
	}
	if (hh_cli_start(&cli) != 0)
		return HH_EXIT_USAGE;

	const json_t *cfg_paths = hh_config_get(&cli.config, NULL, "scan.yara_paths");
	for (size_t i = 0; i < json_array_size(cfg_paths) && n_yara < MAX_YARA_PATHS; i++) {
		const char *p = json_string_value(json_array_get(cfg_paths, i));
		if (p && *p)
			yara[n_yara++] = p;
	}
	struct hh_content_opts co;
	hh_content_opts_from_config(&co, &cli.config);
	struct hh_scan_limits lim;
	hh_scan_limits_from_config(&lim, &cli.config);
	char err[512];
	struct hh_content *content = hh_content_new(&co, yara, n_yara, err, sizeof(err));
	if (!content) {
		fprintf(stderr, "hashhound scan: YARA rules: %s\n", err);
		hh_cli_finish(&cli);
		return HH_EXIT_USAGE;
	}
	hh_debug("scan: %zu YARA rules compiled", hh_content_rule_count(content));

	size_t errors = 0;
	struct emit_ctx ec = { &cli, sev_filter ? sev_keep : NULL, hh_now() };
	ro.storage_root = hh_config_str(&cli.config, NULL, "scan.containers_storage", NULL);
	ro.containerd_root = hh_config_str(&cli.config, NULL, "scan.containerd_root", NULL);
	ro.containerd_ns = hh_config_str(&cli.config, NULL, "scan.containerd_namespace", NULL);
	ro.docker_root = hh_config_str(&cli.config, NULL, "scan.docker_root", NULL);
	for (int i = optind; i < argc; i++) {
		long ref_errors = hh_scan_ref(argv[i], content, &lim, &ro, on_result, &ec);
		if (ref_errors >= 0) {
			errors += (size_t)ref_errors;
			continue;
		}
		struct hh_scan_result res;
		hh_scan_target(argv[i], content, &lim, &res);
		absolute_paths(argv[i], &res);
		errors += res.errors;
		on_result(&ec, argv[i], &res);
	}
	hh_content_free(content);
	int rc = hh_cli_finish(&cli);
	if (rc == HH_EXIT_CLEAN && errors)
		rc = HH_EXIT_USAGE;
	return rc;
}
