#include "cli/cli.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/tuning.h"

#define HH_IGNORE_FILE ".hashhoundignore"

/* Commands whose findings are detections, tuned like the agent's ("rules
 * test" shows what the agent would emit). report
 * shows history, respond and drill show actions: not tuned. */
static bool tuned_command(const char *cmd)
{
	static const char *const tuned[] = { "scan", "pcap", "check", "audit-log", "sensor", "rules" };
	for (size_t i = 0; i < sizeof(tuned) / sizeof(tuned[0]); i++)
		if (!strcmp(cmd, tuned[i]))
			return true;
	return false;
}

#define F(x) HH_FMT_BIT(HH_FMT_##x)
static const struct {
	const char *command;
	unsigned formats;
} command_formats[] = {
	{ "agent", F(JSON) | F(TABLE) | F(FALCO) },
	{ "drill", F(JSON) | F(TABLE) | F(JUNIT) | F(FALCO) },
	{ "ps", F(JSON) | F(TABLE) },
	{ "sensor", F(JSON) | F(TABLE) | F(FALCO) },
	{ "rules", F(JSON) | F(TABLE) | F(FALCO) },
	{ "scan", HH_FMTS_ALL },
	{ "check", HH_FMTS_ALL },
	{ "audit-log", F(JSON) | F(TABLE) | F(JUNIT) | F(HTML) | F(FALCO) },
	{ "pcap", F(JSON) | F(TABLE) | F(JUNIT) | F(HTML) | F(FALCO) },
	{ "respond", F(JSON) | F(TABLE) | F(FALCO) },
	{ "fleet", F(JSON) | F(TABLE) | F(FALCO) },
	{ "report", HH_FMTS_ALL },
};
#undef F

unsigned hh_cli_formats(const char *command)
{
	for (size_t i = 0; i < sizeof(command_formats) / sizeof(command_formats[0]); i++)
		if (command && strcmp(command, command_formats[i].command) == 0)
			return command_formats[i].formats;
	return 0;
}

const char *hh_cli_format_help(const char *command)
{
	static char buf[128];
	char names[96];
	hh_format_names(hh_cli_formats(command), names, sizeof(names));
	snprintf(buf, sizeof(buf), "one of %s", names);
	return buf;
}

void hh_cli_init(struct hh_cli *cli, const char *command)
{
	memset(cli, 0, sizeof(*cli));
	cli->command = command;
	cli->format = isatty(STDOUT_FILENO) ? HH_FMT_TABLE : HH_FMT_JSON;
	cli->fail_on = HH_SEV_HIGH;
}

int hh_cli_option(struct hh_cli *cli, int opt, const char *arg)
{
	switch (opt) {
	case 'f':
		if (!hh_format_parse(arg, &cli->format) || !(hh_cli_formats(cli->command) & HH_FMT_BIT(cli->format))) {
			char names[96];
			hh_format_names(hh_cli_formats(cli->command), names, sizeof(names));
			fprintf(stderr, "hashhound %s: --format '%s' is not one of %s\n", cli->command, arg, names);
			return -1;
		}
		return 1;
	case HH_OPT_FAIL_ON:
		if (!hh_severity_parse(arg, &cli->fail_on)) {
			fprintf(stderr, "hashhound %s: unknown --fail-on '%s' (info, low, medium, high, critical)\n",
				cli->command, arg);
			return -1;
		}
		return 1;
	case 'c':
		cli->config_path = arg;
		return 1;
	case HH_OPT_IGNORE_FILE:
		cli->ignore_file = arg;
		return 1;
	case 'o':
		cli->output_path = arg;
		return 1;
	case 'v':
		hh_log_set_level(hh_log_get_level() == HH_LOG_INFO ? HH_LOG_DEBUG : HH_LOG_INFO);
		return 1;
	case 'q':
		hh_log_set_level(HH_LOG_ERROR);
		return 1;
	case 'h':
		cli->want_help = 1;
		return 1;
	default:
		return 0;
	}
}

int hh_cli_load_config(const char *command, struct hh_config *cfg, const char *path)
{
	char err[8192];
	if (hh_config_load(cfg, path, err, sizeof(err)) == 0)
		return 0;
	for (char *line = err, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		fprintf(stderr, "hashhound %s: bad configuration: %s\n", command, line);
	}
	return -1;
}

int hh_cli_start(struct hh_cli *cli)
{
	if (hh_cli_load_config(cli->command, &cli->config, cli->config_path) < 0) {
		hh_config_free(&cli->config);
		return HH_EXIT_USAGE;
	}
	cli->out_fp = stdout;
	if (cli->output_path && strcmp(cli->output_path, "-") != 0) {
		cli->out_fp = fopen(cli->output_path, "w");
		if (!cli->out_fp) {
			fprintf(stderr, "hashhound %s: cannot write %s: %s\n", cli->command,
				cli->output_path, strerror(errno));
			hh_config_free(&cli->config);
			return HH_EXIT_USAGE;
		}
	}
	if (tuned_command(cli->command)) {
		char err[512];
		cli->tuning = hh_tuning_new(&cli->config, NULL, err, sizeof(err));
		const char *ign = cli->ignore_file;
		if (!ign && cli->ignore_file_default && access(HH_IGNORE_FILE, F_OK) == 0)
			ign = HH_IGNORE_FILE;
		if (cli->tuning && ign && hh_tuning_load_ignore_file(cli->tuning, ign, err, sizeof(err)) >= 0)
			hh_info("%s: ignore file %s loaded", cli->command, ign);
		else if (cli->tuning && ign) {
			hh_tuning_free(cli->tuning);
			cli->tuning = NULL;
		}
		if (!cli->tuning) {
			fprintf(stderr, "hashhound %s: bad tuning: %s\n", cli->command, err);
			if (cli->out_fp != stdout)
				fclose(cli->out_fp);
			cli->out_fp = NULL;
			hh_config_free(&cli->config);
			return HH_EXIT_USAGE;
		}
	}
	cli->out = hh_output_open(cli->format, cli->out_fp, cli->command);
	return 0;
}

void hh_cli_emit(struct hh_cli *cli, const struct hh_finding *f)
{
	if (!f)
		return;
	const char *why;
	if (hh_tuning_suppressed(cli->tuning, NULL, f, &why)) {
		const char *path = json_string_value(json_object_get(f->fields, "file.path"));
		hh_debug("%s: %s%s%s suppressed (%s)", cli->command, f->rule, path ? " " : "", path ? path : "", why);
		return;
	}
	hh_output_emit(cli->out, f);
	if (cli->n_findings++ == 0 || f->severity > cli->max_seen)
		cli->max_seen = f->severity;
}

void hh_cli_emit_free(struct hh_cli *cli, struct hh_finding *f)
{
	hh_cli_emit(cli, f);
	hh_finding_free(f);
}

int hh_cli_finish(struct hh_cli *cli)
{
	hh_output_close(cli->out);
	cli->out = NULL;
	if (cli->tuning) {
		const struct hh_tuning_stats *st = hh_tuning_stats(cli->tuning);
		if (st->suppressed)
			hh_info("%s: %zu finding(s) suppressed by tuning (rules.disabled %zu, exceptions %zu, ignore file %zu)",
				cli->command, st->suppressed, st->by_disabled, st->by_exception, st->by_ignore_file);
		hh_tuning_free(cli->tuning);
		cli->tuning = NULL;
	}
	if (cli->out_fp && cli->out_fp != stdout)
		fclose(cli->out_fp);
	hh_config_free(&cli->config);
	return cli->n_findings && cli->max_seen >= cli->fail_on ? HH_EXIT_FINDINGS : HH_EXIT_CLEAN;
}
