/* hashhound audit-log FILE|-: Kubernetes audit events -> findings.
 * Exit: 0 clean, 1 a finding at or above --fail-on, 2 usage error or any
 * input error (malformed JSON is named by file and line; reading goes on). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "detectors/audit/audit.h"

static void usage(FILE *fp)
{
	fprintf(fp, "usage: hashhound audit-log [options] FILE|-...\n\n"
		    "Reads Kubernetes audit events (audit.k8s.io v1 or v1beta1; one per line, an EventList,\n"
		    "or pretty-printed JSON) and reports the moves of a cryptojacking intrusion: privileged,\n"
		    "host-namespace or sensitive-mount workloads, exec/attach/port-forward, ephemeral\n"
		    "containers, cluster-admin bindings, wildcard roles, anonymous access, kube-system\n"
		    "pods and service accounts, NodePort services; with the real actor behind\n"
		    "controller-created pods and anonymous access followed by a workload. Several files are\n"
		    "read as one log, in the order given (state carries over).\n\n"
		    HH_COMMON_HELP
		    "\nExit: 0 clean, 1 findings at or above --fail-on, 2 usage or input error.\n", hh_cli_format_help("audit-log"));
}

static void on_finding(void *user, struct hh_finding *f)
{
	hh_cli_emit_free(user, f);
}

int hh_cmd_audit_log(int argc, char **argv)
{
	static const struct option longopts[] = { HH_COMMON_LONGOPTS, { 0, 0, 0, 0 } };
	struct hh_cli cli;
	hh_cli_init(&cli, "audit-log");
	int opt;
	while ((opt = getopt_long(argc, argv, HH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int h = hh_cli_option(&cli, opt, optarg);
		if (h < 0)
			return HH_EXIT_USAGE;
		if (h == 0) {
			usage(stderr);
			return HH_EXIT_USAGE;
		}
	}
	if (cli.want_help) {
		usage(stdout);
		return 0;
	}
	if (optind >= argc) {
		usage(stderr);
		return HH_EXIT_USAGE;
	}
	int rc = hh_cli_start(&cli);
	if (rc)
		return rc;
	char err[512];
	struct hh_audit *a = hh_audit_new(&cli.config, on_finding, &cli, err, sizeof(err));
	if (!a) {
		fprintf(stderr, "hashhound audit-log: bad configuration: %s\n", err);
		hh_cli_finish(&cli);
		return HH_EXIT_USAGE;
	}
	size_t errors = 0;
	for (int i = optind; i < argc; i++) {
		bool is_stdin = strcmp(argv[i], "-") == 0;
		FILE *fp = is_stdin ? stdin : fopen(argv[i], "r");
		if (!fp) {
			fprintf(stderr, "hashhound audit-log: %s: %s\n", argv[i], strerror(errno));
			errors++;
			continue;
		}
		errors += hh_audit_read_file(a, fp, is_stdin ? "<stdin>" : argv[i]);
		if (!is_stdin)
			fclose(fp);
	}
	struct hh_audit_stats st;
	hh_audit_stats(a, &st);
	hh_info("audit-log: %zu events judged, %zu skipped, %zu findings, %zu input errors, %zu state evictions",
		st.events, st.skipped, st.findings, errors, st.evictions);
	hh_audit_free(a);
	rc = hh_cli_finish(&cli);
	return errors ? HH_EXIT_USAGE : rc;
}
