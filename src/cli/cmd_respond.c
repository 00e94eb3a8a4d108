/* hashhound respond ACTION CONTAINER: evidence first, then freeze, thaw,
 * kill, isolate or a Kubernetes quarantine policy. Dry-run unless --yes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "enrich/identity.h"
#include "response/response.h"
#include "sources/telemetry/cgroup_stats.h"

static void respond_usage(FILE *fp)
{
	fprintf(fp, "usage: hashhound respond ACTION CONTAINER [OPTIONS]\n\n"
		    "CONTAINER is a container id prefix (at least 4 characters) or a container name.\n"
		    "Snapshots evidence (processes, executables, sockets, cgroup counters, identity)\n"
		    "into a new private directory, then acts on the container. Dry-run unless --yes.\n\n"
		    "ACTION: snapshot | freeze | thaw | kill | isolate (drop egress in the container's own\n"
		    "        network namespace; refused for host-network containers) | netpol (write a\n"
		    "        Kubernetes NetworkPolicy and pod label patch for the pod)\n\n"
		    "      --yes               really act (default: say what would be done)\n"
		    "      --evidence-dir DIR  default response.evidence_dir (/var/lib/hashhound/evidence)\n"
		    "      --cgroup-root DIR   default /sys/fs/cgroup\n"
		    "      --proc-root DIR     default /proc\n"
		    "      --host-root DIR     runtime state root for identity, default /\n" HH_COMMON_HELP, hh_cli_format_help("respond"));
}

/* The container want names: an id prefix of at least 4 characters matching
 * one container, else the containers whose name is want. *matches says how
 * many matched; the container is returned only when exactly one did. */
static const struct hh_container_ref *find_container(const struct hh_container_ref *refs, int n, const char *want,
						     struct hh_identity *id, int *matches)
{
	const struct hh_container_ref *match = NULL;
	*matches = 0;
	if (strlen(want) >= 4)
		for (int i = 0; i < n; i++)
			if (strncmp(refs[i].id, want, strlen(want)) == 0) {
				match = &refs[i];
				(*matches)++;
			}
	if (*matches || !id)
		return *matches == 1 ? match : NULL;
	for (int i = 0; i < n; i++) {
		struct hh_workload w = { 0 };
		hh_identity_of_container(id, refs[i].id, refs[i].runtime, &w);
		if (w.container_name[0] && strcmp(w.container_name, want) == 0) {
			match = &refs[i];
			(*matches)++;
		}
	}
	return *matches == 1 ? match : NULL;
}

int hh_cmd_respond(int argc, char **argv)
{
	enum { O_YES = 0x2000, O_EVIDENCE, O_CGROUP, O_PROC, O_HOST };
	static const struct option longopts[] = {
		HH_COMMON_LONGOPTS,
		{ "yes", no_argument, 0, O_YES },
		{ "evidence-dir", required_argument, 0, O_EVIDENCE },
		{ "cgroup-root", required_argument, 0, O_CGROUP },
		{ "proc-root", required_argument, 0, O_PROC },
		{ "host-root", required_argument, 0, O_HOST },
		{ 0, 0, 0, 0 },
	};
	struct hh_cli cli;
	hh_cli_init(&cli, "respond");
	struct hh_response_opts opts = { .dry_run = true };
	const char *evidence = NULL, *host_root = "/";
	int opt;
	while ((opt = getopt_long(argc, argv, HH_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		int r = hh_cli_option(&cli, opt, optarg);
		if (r < 0)
			return HH_EXIT_USAGE;
		if (r > 0)
			continue;
		switch (opt) {
		case O_YES: opts.dry_run = false; break;
		case O_EVIDENCE: evidence = optarg; break;
		case O_CGROUP: opts.cgroup_root = optarg; break;
		case O_PROC: opts.proc_root = optarg; break;
		case O_HOST: host_root = optarg; break;
		default: respond_usage(stderr); return HH_EXIT_USAGE;
		}
	}
	if (cli.want_help) {
		respond_usage(stdout);
		return 0;
	}
	enum hh_action action;
	if (argc - optind != 2 || !hh_action_parse(argv[optind], &action)) {
		respond_usage(stderr);
		return HH_EXIT_USAGE;
	}
	const char *want = argv[optind + 1];
	if (!want[0]) {
		fprintf(stderr, "hashhound respond: give a container id prefix or name\n");
		return HH_EXIT_USAGE;
	}
	if (hh_cli_start(&cli) != 0)
		return HH_EXIT_USAGE;
	opts.evidence_dir = evidence ? evidence
				     : hh_config_str(&cli.config, NULL, "response.evidence_dir",
						     "/var/lib/hashhound/evidence");
	const char *cgroup_root = opts.cgroup_root ? opts.cgroup_root : "/sys/fs/cgroup";
	size_t max = 4096;
	struct hh_container_ref *refs = calloc(max, sizeof(*refs));
	int n = refs ? hh_containers_discover(cgroup_root, refs, max) : -1;
	struct hh_identity_opts io = { .proc_root = opts.proc_root, .cgroup_root = cgroup_root,
				       .host_root = host_root, .cache_cap = (size_t)(n > 0 ? n : 1) };
	struct hh_identity *id = hh_identity_new(&io);
	int matches = 0;
	const struct hh_container_ref *match = find_container(refs, n, want, id, &matches);
	int rc = 0;
	if (matches != 1) {
		fprintf(stderr, "hashhound respond: %s container matches '%s' (id prefix or name) under %s\n",
			matches ? "more than one" : "no", want, cgroup_root);
		rc = HH_EXIT_USAGE;
	} else {
		struct hh_workload w = { 0 };
		if (id)
			hh_identity_of_container(id, match->id, match->runtime, &w);
		char err[1024];
		struct hh_finding *f = hh_respond(&opts, match, &w, action, NULL, err, sizeof(err));
		if (f) {
			/* The response library speaks for the agent; here a person asked. */
			hh_strlcpy(f->source, "respond", sizeof(f->source));
			hh_cli_emit_free(&cli, f);
		} else {
			fprintf(stderr, "hashhound respond: %s\n", err);
			rc = HH_EXIT_USAGE;
		}
	}
	hh_identity_free(id);
	free(refs);
	int frc = hh_cli_finish(&cli);
	return rc ? rc : frc;
}
