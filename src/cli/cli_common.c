#include "cli/cli.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

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
		if (!hh_format_parse(arg, &cli->format)) {
			fprintf(stderr, "hashhound %s: unknown --format '%s' (json, falco, table, sarif, junit, html)\n",
				cli->command, arg);
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

int hh_cli_start(struct hh_cli *cli)
{
	char err[512];
	if (hh_config_load(&cli->config, cli->config_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "hashhound %s: bad configuration: %s\n", cli->command, err);
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
	cli->out = hh_output_open(cli->format, cli->out_fp, cli->command);
	return 0;
}

void hh_cli_emit(struct hh_cli *cli, const struct hh_finding *f)
{
	if (!f)
		return;
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
	if (cli->out_fp && cli->out_fp != stdout)
		fclose(cli->out_fp);
	hh_config_free(&cli->config);
	return cli->n_findings && cli->max_seen >= cli->fail_on ? HH_EXIT_FINDINGS : HH_EXIT_CLEAN;
}
