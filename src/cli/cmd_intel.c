/* hashhound intel: import, list and test mining-pool intel from local files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "enrich/intel/intel.h"

#define MAX_FILES 64

static void intel_usage(FILE *fp)
{
	fprintf(fp,
		"usage: hashhound intel import [--no-builtin-intel] [-o OUT] FILE...\n"
		"       hashhound intel list [--kind domain|ip|port] [--intel FILE]... [--no-builtin-intel]\n"
		"       hashhound intel test [--intel FILE]... [--no-builtin-intel] NAME|IP|PORT...\n\n"
		"Mining-pool intel: domains (suffix match), IPs and CIDRs, pool ports (weak alone).\n"
		"Files may be hosts files, plain lists (one domain, IP, CIDR or port:N a line),\n"
		"adblock-style lists (||domain^) or Falco-style YAML lists. Local files only.\n\n"
		"  import  reads FILEs (with the built-in list unless --no-builtin-intel), reports what\n"
		"          was added and every malformed line (FILE:LINE), and writes the merged set as a\n"
		"          plain list to -o OUT (or stdout); list it in network.intel.files to use it.\n"
		"  list    prints every entry: kind, value, source:line, list name.\n"
		"  test    says for each argument whether it matches, and which entry; a number is a port.\n"
		"          Exit 0 when every argument matched, 1 when one did not, 2 on bad input.\n"
		"  -c, --config FILE   configuration (network.intel.builtin, network.intel.files)\n");
}

struct list_ctx {
	int kind; /* -1 all */
	FILE *fp;
};

static int list_one(const struct hh_intel_entry *e, void *arg)
{
	struct list_ctx *c = arg;
	if (c->kind >= 0 && (int)e->kind != c->kind)
		return 0;
	fprintf(c->fp, "%-6s %-40s %s:%u%s%s\n", hh_intel_kind_name(e->kind), e->value, e->source, e->line,
		e->list[0] ? " " : "", e->list);
	return 0;
}

static int test_one(const struct hh_intel *in, const char *q)
{
	const struct hh_intel_entry *e = NULL;
	char *end;
	long port = strtol(q, &end, 10);
	bool hit;
	if (*q && !*end)
		hit = port > 0 && port <= 65535 && hh_intel_is_pool_port(in, (unsigned)port, &e);
	else if (hh_intel_match_ip_text(in, q, &e))
		hit = true;
	else
		hit = hh_intel_match_domain(in, q, &e);
	if (hit)
		printf("%s: match %s %s (%s:%u%s%s)%s\n", q, hh_intel_kind_name(e->kind), e->value, e->source, e->line,
		       e->list[0] ? ", list " : "", e->list, e->kind == HH_INTEL_PORT ? " [weak alone]" : "");
	else
		printf("%s: no match\n", q);
	return hit ? 0 : 1;
}

int hh_cmd_intel(int argc, char **argv)
{
	enum { OPT_INTEL = 0x2000, OPT_NO_BUILTIN, OPT_KIND };
	static const struct option longopts[] = {
		{ "intel", required_argument, 0, OPT_INTEL },
		{ "no-builtin-intel", no_argument, 0, OPT_NO_BUILTIN },
		{ "kind", required_argument, 0, OPT_KIND },
		{ "output", required_argument, 0, 'o' },
		{ "config", required_argument, 0, 'c' },
		{ "verbose", no_argument, 0, 'v' },
		{ "quiet", no_argument, 0, 'q' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		intel_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? HH_EXIT_USAGE : 0;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "import") && strcmp(sub, "list") && strcmp(sub, "test")) {
		fprintf(stderr, "hashhound intel: unknown action '%s' (import, list, test)\n", sub);
		return HH_EXIT_USAGE;
	}
	const char *files[MAX_FILES];
	size_t n_files = 0;
	int builtin = -1, kind = -1;
	const char *out_path = NULL, *config_path = NULL;
	int opt;
	optind = 2;
	while ((opt = getopt_long(argc, argv, "o:c:vqh", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_INTEL:
			if (n_files == MAX_FILES) {
				fprintf(stderr, "hashhound intel: at most %d files\n", MAX_FILES);
				return HH_EXIT_USAGE;
			}
			files[n_files++] = optarg;
			break;
		case OPT_NO_BUILTIN: builtin = 0; break;
		case OPT_KIND:
			if (strcmp(optarg, "domain") == 0) kind = HH_INTEL_DOMAIN;
			else if (strcmp(optarg, "ip") == 0) kind = HH_INTEL_IP;
			else if (strcmp(optarg, "port") == 0) kind = HH_INTEL_PORT;
			else {
				fprintf(stderr, "hashhound intel: unknown --kind '%s' (domain, ip, port)\n", optarg);
				return HH_EXIT_USAGE;
			}
			break;
		case 'o': out_path = optarg; break;
		case 'c': config_path = optarg; break;
		case 'v': hh_log_set_level(HH_LOG_DEBUG); break;
		case 'q': hh_log_set_level(HH_LOG_ERROR); break;
		case 'h': intel_usage(stdout); return 0;
		default: intel_usage(stderr); return HH_EXIT_USAGE;
		}
	}
	/* import takes its files as arguments; test takes queries. */
	if (strcmp(sub, "import") == 0) {
		for (int i = optind; i < argc; i++) {
			if (n_files == MAX_FILES) {
				fprintf(stderr, "hashhound intel: at most %d files\n", MAX_FILES);
				return HH_EXIT_USAGE;
			}
			files[n_files++] = argv[i];
		}
		if (!n_files) {
			fprintf(stderr, "hashhound intel import: no FILE given\n");
			return HH_EXIT_USAGE;
		}
	} else if (strcmp(sub, "test") == 0 && optind >= argc) {
		fprintf(stderr, "hashhound intel test: nothing to test (give names, addresses or ports)\n");
		return HH_EXIT_USAGE;
	}
	struct hh_config cfg;
	char err[512];
	if (hh_cli_load_config("intel", &cfg, config_path) < 0) {
		hh_config_free(&cfg);
		return HH_EXIT_USAGE;
	}
	int rc = 0;
	struct hh_intel *in = NULL;
	if (strcmp(sub, "import") == 0) {
		/* Import reports each file itself, with counts. */
		in = hh_intel_from_config(&cfg, builtin, NULL, 0, err, sizeof(err));
		for (size_t i = 0; in && i < n_files; i++) {
			struct hh_intel_load_stats st;
			if (hh_intel_load_file(in, files[i], &st, err, sizeof(err)) < 0) {
				fprintf(stderr, "hashhound intel: %s\n", err);
				rc = HH_EXIT_USAGE;
				continue;
			}
			fprintf(stderr, "%s: %zu added, %zu duplicates, %zu skipped, %zu malformed\n", files[i], st.added,
				st.duplicates, st.skipped, st.bad);
			for (size_t k = 0; k < st.bad && k < 3; k++)
				fprintf(stderr, "  %s\n", st.first_bad[k]);
		}
		if (in && rc == 0) { /* a file that could not be read: write nothing */
			FILE *fp = stdout;
			if (out_path && strcmp(out_path, "-") != 0 && !(fp = fopen(out_path, "w"))) {
				fprintf(stderr, "hashhound intel: cannot write %s: %s\n", out_path, strerror(errno));
				rc = HH_EXIT_USAGE;
			} else {
				if (hh_intel_write_plain(in, fp) < 0)
					rc = HH_EXIT_USAGE;
				if (fp != stdout && fclose(fp) != 0)
					rc = HH_EXIT_USAGE;
				fprintf(stderr, "intel: %zu domains, %zu IPs/CIDRs, %zu ports%s%s\n",
					hh_intel_count(in, HH_INTEL_DOMAIN), hh_intel_count(in, HH_INTEL_IP),
					hh_intel_count(in, HH_INTEL_PORT), out_path ? " written to " : "",
					out_path ? out_path : "");
			}
		}
	} else {
		in = hh_intel_from_config(&cfg, builtin, files, n_files, err, sizeof(err));
		if (in && strcmp(sub, "list") == 0) {
			struct list_ctx c = { kind, stdout };
			hh_intel_foreach(in, list_one, &c);
		} else if (in) {
			for (int i = optind; i < argc; i++)
				if (test_one(in, argv[i]))
					rc = 1;
		}
	}
	if (!in) {
		fprintf(stderr, "hashhound intel: %s\n", err);
		rc = HH_EXIT_USAGE;
	}
	hh_intel_free(in);
	hh_config_free(&cfg);
	return rc;
}
