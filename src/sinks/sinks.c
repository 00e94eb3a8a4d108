#include "sinks/sinks.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

#include "core/log.h"
#include "sinks/http_auth.h"

int hh_ensure_parent_dir(const char *path)
{
	char copy[1024];
	snprintf(copy, sizeof(copy), "%s", path);
	char *dir = dirname(copy);
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int syslog_priority(enum hh_severity s)
{
	static const int prio[] = { LOG_INFO, LOG_NOTICE, LOG_WARNING, LOG_ERR, LOG_CRIT };
	return prio[s];
}

int hh_sinks_open(struct hh_sinks *s, const struct hh_config *cfg, const struct hh_sinks_opts *opts)
{
	memset(s, 0, sizeof(*s));
	int open = 0;
	char err[512];
	const char *min = hh_config_str(cfg, NULL, "sinks.min_severity", "low");
	if (!hh_severity_parse(min, &s->min_severity))
		s->min_severity = HH_SEV_LOW;
	if (opts->stdout_enabled) {
		s->out = hh_output_open(opts->stdout_format, stdout, "agent");
		open++;
	}
	const char *file = opts->findings_file ? opts->findings_file
					       : hh_config_str(cfg, NULL, "sinks.file.path", "");
	if (file[0]) {
		hh_ensure_parent_dir(file);
		s->file = fopen(file, "a");
		if (s->file) {
			open++;
			hh_info("findings file: %s", file);
		} else {
			hh_warn("findings file %s: %s (sink disabled)", file, strerror(errno));
		}
	}
	const char *store = opts->store_path ? opts->store_path : hh_config_str(cfg, NULL, "sinks.store.path", "");
	if (store[0]) {
		hh_ensure_parent_dir(store);
		s->store = hh_store_open(store, (size_t)hh_config_int(cfg, NULL, "sinks.store.max_findings", 100000),
					 err, sizeof(err));
		if (s->store) {
			open++;
			hh_store_cpu_caps(s->store, (size_t)hh_config_int(cfg, NULL, "sinks.store.cpu_samples_per_container", 0),
					  (size_t)hh_config_int(cfg, NULL, "sinks.store.max_cpu_samples", 0));
			hh_info("finding store: %s", store);
		} else {
			hh_warn("finding store: %s (sink disabled)", err);
		}
	}
	s->metrics = hh_metrics_new();
	hh_metrics_describe(s->metrics, "hashhound_findings_total", HH_METRIC_COUNTER,
			    "Findings emitted, by rule and severity.");
	const char *listen = opts->listen ? opts->listen : hh_config_str(cfg, NULL, "sinks.http.listen", "");
	const char *token_file = hh_config_str(cfg, NULL, "sinks.http.token_file", "");
	char token[HH_HTTP_TOKEN_MAX] = "";
	if (listen[0] && token_file[0] && hh_http_token_read(token_file, token, sizeof(token), err, sizeof(err)) < 0) {
		hh_warn("http: %s (dashboard and /metrics disabled)", err);
		listen = "";
	} else if (listen[0] && !token[0] && !hh_http_listen_is_loopback(listen)) {
		hh_warn("http: %s is beyond loopback and sinks.http.token_file is not set: findings would be open "
			"to the network (dashboard and /metrics disabled)", listen);
		listen = "";
	}
	if (listen[0]) {
		s->http = hh_http_start_auth(listen, token, s->store, s->metrics, err, sizeof(err));
		if (s->http) {
			hh_http_allow_hosts(s->http, hh_config_get(cfg, NULL, "sinks.http.allowed_hosts"));
			hh_http_set_config(s->http, cfg);
		}
		if (s->http) {
			open++;
			hh_info("dashboard, API and /metrics on http://%.*s:%d/",
				(int)(strrchr(listen, ':') - listen), listen, hh_http_port(s->http));
		} else {
			hh_warn("http: %s (dashboard and /metrics disabled)", err);
		}
	}
	const char *url = hh_config_str(cfg, NULL, "sinks.webhook.url", "");
	if (url[0]) {
		struct hh_webhook_opts wo = {
			.url = url,
			.spool_path = hh_config_str(cfg, NULL, "sinks.webhook.spool", NULL),
			.spool_max_bytes = (size_t)hh_config_int(cfg, NULL, "sinks.webhook.spool_max_bytes", 0),
			.timeout_ms = hh_config_int(cfg, NULL, "sinks.webhook.timeout_ms", 0),
			.falco_format = strcmp(hh_config_str(cfg, NULL, "sinks.webhook.format", "json"), "falco") == 0,
			.auth_header = getenv("HASHHOUND_WEBHOOK_AUTH"),
			.dead_letter_path = hh_config_str(cfg, NULL, "sinks.webhook.dead_letter", NULL),
			.metrics = s->metrics,
		};
		if (wo.spool_path)
			hh_ensure_parent_dir(wo.spool_path);
		s->webhook = hh_webhook_start(&wo, err, sizeof(err));
		if (s->webhook) {
			open++;
			hh_info("webhook: %s", url);
		} else {
			hh_warn("%s (sink disabled)", err);
		}
	}
	const char *nurl = hh_config_str(cfg, NULL, "sinks.nats.url", "");
	if (nurl[0]) {
		struct hh_nats_opts no = {
			.servers = nurl,
			.stream = hh_config_str(cfg, NULL, "sinks.nats.stream", "HASHHOUND"),
			.subject = hh_config_str(cfg, NULL, "sinks.nats.subject", ""),
			.replicas = (int)hh_config_int(cfg, NULL, "sinks.nats.replicas", 1),
			.spool_path = hh_config_str(cfg, NULL, "sinks.nats.spool", NULL),
			.spool_max_bytes = (size_t)hh_config_int(cfg, NULL, "sinks.nats.spool_max_bytes", 0),
			.timeout_ms = hh_config_int(cfg, NULL, "sinks.nats.timeout_ms", 0),
		};
		if (no.spool_path)
			hh_ensure_parent_dir(no.spool_path);
		s->nats = hh_nats_start(&no, err, sizeof(err));
		if (s->nats) {
			open++;
			hh_info("nats: publishing findings to stream %s at %s", no.stream, nurl);
		} else {
			hh_warn("%s (sink disabled)", err);
		}
	}
	if (hh_config_bool(cfg, NULL, "sinks.syslog.enabled", false)) {
		openlog("hashhound", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		s->syslog = true;
		open++;
	}
	return open;
}

void hh_sinks_emit(struct hh_sinks *s, const struct hh_finding *f)
{
	const char *labels[] = { "rule", f->rule, "severity", hh_severity_name(f->severity), NULL };
	hh_metrics_add(s->metrics, "hashhound_findings_total", labels, 1);
	if (f->severity < s->min_severity)
		return;
	if (s->out)
		hh_output_emit(s->out, f);
	if (s->file)
		hh_output_json_line(s->file, f);
	if (s->store)
		hh_store_add(s->store, f);
	if (s->webhook)
		hh_webhook_send(s->webhook, f);
	if (s->nats)
		hh_nats_send(s->nats, f);
	if (s->syslog) {
		json_t *j = hh_finding_to_json(f);
		char *text = json_dumps(j, HH_JSON_COMPACT);
		json_decref(j);
		if (text)
			syslog(syslog_priority(f->severity), "%s", text);
		free(text);
	}
}

void hh_sinks_close(struct hh_sinks *s)
{
	hh_http_stop(s->http);
	hh_webhook_stop(s->webhook, 3000);
	hh_nats_stop(s->nats, 3000);
	hh_output_close(s->out);
	if (s->file)
		fclose(s->file);
	hh_store_close(s->store);
	hh_metrics_free(s->metrics);
	if (s->syslog)
		closelog();
	memset(s, 0, sizeof(*s));
}
