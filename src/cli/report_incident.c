#include "cli/report_incident.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sinks/incident_view.h"
#include "sinks/store.h"

int hh_report_incident(const char *store_path, const char *config_path, const char *id, bool markdown,
		       const char *out_path)
{
	struct hh_config cfg;
	if (hh_cli_load_config("report", &cfg, config_path) < 0) {
		hh_config_free(&cfg);
		return HH_EXIT_USAGE;
	}
	if (!store_path)
		store_path = hh_config_str(&cfg, NULL, "sinks.store.path", "/var/lib/hashhound/findings.db");
	char err[512];
	int rc = HH_EXIT_USAGE;
	struct hh_store *store = NULL;
	struct hh_incident inc;
	bool loaded = false;
	if (access(store_path, R_OK) != 0) {
		fprintf(stderr, "hashhound report: %s: %s\n", store_path, strerror(errno));
		goto out;
	}
	if (!(store = hh_store_open(store_path, 0, err, sizeof(err)))) {
		fprintf(stderr, "hashhound report: %s\n", err);
		goto out;
	}
	if (hh_incident_load(store, &cfg, id, &inc, err, sizeof(err)) < 0) {
		fprintf(stderr, "hashhound report: --incident: %s (%s)\n", err, store_path);
		goto out;
	}
	loaded = true;
	FILE *fp = out_path && strcmp(out_path, "-") ? fopen(out_path, "w") : stdout;
	if (!fp) {
		fprintf(stderr, "hashhound report: %s: %s\n", out_path, strerror(errno));
		goto out;
	}
	if (markdown)
		hh_incident_markdown(fp, &inc);
	else
		hh_incident_html(fp, &inc, true);
	bool bad = ferror(fp) != 0;
	if (fp != stdout)
		bad |= fclose(fp) != 0;
	else
		bad |= fflush(fp) != 0;
	if (bad)
		fprintf(stderr, "hashhound report: writing %s failed\n", out_path ? out_path : "stdout");
	rc = bad ? HH_EXIT_USAGE : 0;
out:
	if (loaded)
		hh_incident_free(&inc);
	hh_store_close(store);
	hh_config_free(&cfg);
	return rc;
}
