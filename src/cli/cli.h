/* Shared command-line plumbing: the options every subcommand takes
 * (--format, --fail-on, --config, --output, -v/-q, --help), finding emission
 * and the exit codes of the output contract:
 *   0 no finding at or above --fail-on, 1 findings at or above it, 2 usage or input error. */
#ifndef HH_CLI_H
#define HH_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "core/config.h"
#include "core/finding.h"
#include "sinks/output.h"

#define HH_EXIT_CLEAN 0
#define HH_EXIT_FINDINGS 1
#define HH_EXIT_USAGE 2

/* getopt_long codes for the shared long options (short: -f -c -o -v -q -h). */
enum { HH_OPT_FAIL_ON = 0x1000 };

#define HH_COMMON_LONGOPTS                                           \
	{ "format", required_argument, 0, 'f' },                     \
	{ "fail-on", required_argument, 0, HH_OPT_FAIL_ON },         \
	{ "config", required_argument, 0, 'c' },                     \
	{ "output", required_argument, 0, 'o' },                     \
	{ "verbose", no_argument, 0, 'v' },                          \
	{ "quiet", no_argument, 0, 'q' },                            \
	{ "help", no_argument, 0, 'h' }
#define HH_COMMON_SHORTOPTS "f:c:o:vqh"

/* A usage text's fprintf format string ends with HH_COMMON_HELP and takes
 * hh_cli_format_help(COMMAND) as its argument: the formats that command takes. */
#define HH_COMMON_HELP                                                              \
	"  -f, --format FMT     %s\n"                                                       \
	"                       (default: table on a terminal, json lines otherwise)\n"      \
	"      --fail-on SEV    exit 1 when a finding is at or above SEV (default high)\n"    \
	"  -c, --config FILE    YAML configuration (default: built-in)\n"                     \
	"  -o, --output FILE    write findings to FILE instead of stdout\n"                   \
	"  -v, --verbose        more logging on stderr; -q, --quiet: errors only\n"           \
	"  -h, --help           this help\n"

struct hh_cli {
	const char *command;          /* "scan", "pcap" ... */
	enum hh_format format;        /* default: table on a terminal, json otherwise */
	enum hh_severity fail_on;     /* default high */
	const char *config_path;
	const char *output_path;
	struct hh_config config;
	FILE *out_fp;
	struct hh_output *out;
	enum hh_severity max_seen;
	size_t n_findings;
	int want_help;
};

void hh_cli_init(struct hh_cli *cli, const char *command);
/* The output formats command accepts (HH_FMT_BIT mask; 0 for none). One
 * table: --format parsing and every help text read it. */
unsigned hh_cli_formats(const char *command);
/* "one of json, table, ..." for command, for usage texts (a static buffer). */
const char *hh_cli_format_help(const char *command);
/* Handles a shared option. Returns 1 when handled, 0 when not a shared
 * option, -1 on a bad value (message already printed). */
int hh_cli_option(struct hh_cli *cli, int opt, const char *arg);
/* Loads the configuration (defaults when path is NULL). On a bad file prints
 * each problem as "hashhound COMMAND: bad configuration: FILE:LINE:COL: ..."
 * on stderr and returns -1 (cfg then holds the defaults; free it either way). */
int hh_cli_load_config(const char *command, struct hh_config *cfg, const char *path);
/* Loads the config and opens the output. Returns 0, or HH_EXIT_USAGE after printing why. */
int hh_cli_start(struct hh_cli *cli);
/* Emits one finding (does not take ownership). */
void hh_cli_emit(struct hh_cli *cli, const struct hh_finding *f);
/* Emits and frees. */
void hh_cli_emit_free(struct hh_cli *cli, struct hh_finding *f);
/* Closes the output and returns the exit code for the findings seen. */
int hh_cli_finish(struct hh_cli *cli);

/* Subcommand entry points: see commands.h. */
#define HH_COMMAND(name, fn, summary) int fn(int argc, char **argv);
#include "cli/commands.h"
#undef HH_COMMAND

#endif
