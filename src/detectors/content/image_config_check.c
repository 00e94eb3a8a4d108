/* Image config checks (see image_config_check.h). */
#include "detectors/content/image_config_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detectors/content/script_checks.h"
#include "detectors/indicators/text_indicators.h"
#include "enrich/intel/intel.h"

#define MAX_IND 32


struct sbuf {
	char *s;
	size_t n, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t len)
{
	if (b->n + len + 2 > b->cap) {
		size_t nc = (b->n + len + 2) * 2;
		if (nc > (4u << 20))
			return; /* bounded */
		char *ns = realloc(b->s, nc);
		if (!ns)
			return;
		b->s = ns;
		b->cap = nc;
	}
	memcpy(b->s + b->n, s, len);
	b->n += len;
	b->s[b->n++] = '\n';
	b->s[b->n] = 0;
}

static void add_array(struct sbuf *b, const json_t *arr)
{
	struct sbuf line = { 0 };
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		if (!s)
			continue;
		if (line.n)
			line.s[line.n - 1] = ' ';
		sb_add(&line, s, strlen(s));
	}
	if (line.n)
		sb_add(b, line.s, line.n - 1);
	free(line.s);
}

static const char *user_context(const json_t *cfg)
{
	const char *u = json_string_value(json_object_get(cfg, "User"));
	if (!u || !*u)
		return "root (no USER set)";
	if (!strcmp(u, "root") || !strcmp(u, "0") || !strncmp(u, "0:", 2) || !strncmp(u, "root:", 5))
		return "root";
	return NULL;
}

static struct hh_finding *mk(struct hh_findings *out, const char *rule, const char *title, enum hh_severity sev,
			     double conf, const char *member)
{
	struct hh_finding *f = hh_finding_new("scan", rule, title, sev, conf);
	if (!f)
		return NULL;
	hh_finding_set_str(f, "file.path", member);
	hh_findings_push(out, f);
	return f;
}

size_t hh_image_config_check(const json_t *config, const char *member, const struct hh_intel *intel,
			     struct hh_findings *out)
{
	size_t before = out->n;
	const json_t *cfg = json_object_get(config, "config");
	if (!json_is_object(cfg))
		cfg = json_object_get(config, "container_config");
	const char *root = json_is_object(cfg) ? user_context(cfg) : NULL;

	struct {
		const char *where;
		struct sbuf text;
	} parts[4] = { { "config.cmd", { 0 } }, { "config.env", { 0 } }, { "config.labels", { 0 } },
		       { "history", { 0 } } };
	if (json_is_object(cfg)) {
		add_array(&parts[0].text, json_object_get(cfg, "Entrypoint"));
		add_array(&parts[0].text, json_object_get(cfg, "Cmd"));
		const json_t *env = json_object_get(cfg, "Env");
		for (size_t i = 0; i < json_array_size(env); i++) {
			const char *s = json_string_value(json_array_get(env, i));
			if (s)
				sb_add(&parts[1].text, s, strlen(s));
		}
		const char *k;
		const json_t *v;
		json_object_foreach((json_t *)json_object_get(cfg, "Labels"), k, v)
		{
			char line[1024];
			int n = snprintf(line, sizeof(line), "%s=%s", k, json_string_value(v) ? json_string_value(v) : "");
			sb_add(&parts[2].text, line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
		}
	}
	const json_t *hist = json_object_get(config, "history");
	for (size_t i = 0; i < json_array_size(hist) && i < 1000; i++) {
		const char *s = json_string_value(json_object_get(json_array_get(hist, i), "created_by"));
		if (s)
			sb_add(&parts[3].text, s, strlen(s));
	}

	struct hh_indicator all[MAX_IND];
	size_t n_all = 0, n_from[4] = { 0 };
	for (int p = 0; p < 4; p++) {
		if (!parts[p].text.n)
			continue;
		struct hh_indicator ind[MAX_IND];
		size_t n = hh_indicators_scan(parts[p].text.s, parts[p].text.n, ind, MAX_IND);
		for (size_t i = 0; i < n && n_all < MAX_IND; i++) {
			all[n_all++] = ind[i];
			n_from[p]++;
		}
		struct hh_dropper d;
		if (hh_find_dropper(parts[p].text.s, parts[p].text.n, &d)) {
			struct hh_finding *f = mk(out, "scan.config.dropper",
						  "Image build or start command pipes a download into a shell", HH_SEV_MEDIUM,
						  0.6, member);
			if (f) {
				hh_finding_add_mitre(f, "T1105");
				hh_finding_evidence_str(f, "where", parts[p].where);
				hh_finding_evidence_str(f, "line", d.line);
				if (root)
					hh_finding_evidence_str(f, "config.user", root);
			}
		}
	}
	if (n_all) {
		enum hh_severity sev = hh_indicators_severity(all, n_all);
		struct hh_finding *f = mk(out, "scan.config.miner", "Image config starts or configures a miner", sev,
					  sev >= HH_SEV_HIGH ? 0.9 : 0.6, member);
		if (f) {
			hh_finding_add_mitre(f, "T1496");
			for (size_t p = 0, at = 0; p < 4; at += n_from[p], p++)
				if (n_from[p])
					hh_indicators_to_evidence(f, parts[p].where, all + at, n_from[p]);
			if (root)
				hh_finding_evidence_str(f, "config.user", root);
			if (parts[0].text.n) {
				char cmd[256];
				snprintf(cmd, sizeof(cmd), "%.*s", (int)parts[0].text.n - 1, parts[0].text.s);
				hh_finding_set_str(f, "proc.cmdline", cmd);
			}
		}
	}
	const json_t *ports = json_is_object(cfg) ? json_object_get(cfg, "ExposedPorts") : NULL;
	const char *pk;
	const json_t *pv;
	json_object_foreach((json_t *)ports, pk, pv)
	{
		int port = atoi(pk);
		const struct hh_intel_entry *pe;
		if (port <= 0 || !intel || !hh_intel_is_pool_port(intel, (unsigned)port, &pe))
			continue;
		/* a port alone stays low (pools also serve on 443; 8080 is everywhere) */
		struct hh_finding *f = mk(out, "scan.config.pool-port", "Image exposes a port mining pools use",
					  n_all ? HH_SEV_MEDIUM : HH_SEV_LOW, 0.3, member);
		if (f) {
			hh_finding_evidence_str(f, "exposed.port", pk);
			hh_finding_set_int(f, "fd.sport", port);
		}
	}
	if (root) {
		struct hh_finding *f = mk(out, "scan.config.root-user", "Image runs as root (context)", HH_SEV_INFO, 0.9,
					  member);
		if (f)
			hh_finding_evidence_str(f, "config.user", root);
	}
	for (int p = 0; p < 4; p++)
		free(parts[p].text.s);
	return out->n - before;
}
