#include "sinks/incident.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"

bool hh_incident_id_ok(const char *id)
{
	return hh_path_token_ok(id, HH_INCIDENT_ID_LEN);
}

const json_t *hh_incident_evidence(const struct hh_finding *f, const char *what)
{
	size_t i;
	json_t *e;
	json_array_foreach(f->evidence, i, e) {
		const char *w = json_string_value(json_object_get(e, "what"));
		if (w && strcmp(w, what) == 0)
			return json_object_get(e, "value");
	}
	return NULL;
}

static const char *field(const struct hh_finding *f, const char *name)
{
	const char *v = json_string_value(json_object_get(f->fields, name));
	return v ? v : "";
}

struct collect {
	struct hh_findings *list;
	struct hh_finding *newest_incident;
	char container_id[HH_ID_LEN];
};

static void take_incident(const struct hh_finding *f, void *ctx)
{
	struct collect *c = ctx;
	if (c->newest_incident)
		return; /* newest first: the first one is it */
	c->newest_incident = hh_finding_clone(f);
	hh_strlcpy(c->container_id, field(f, "container.id"), sizeof(c->container_id));
}

static void take_signal(const struct hh_finding *f, void *ctx)
{
	struct collect *c = ctx;
	struct hh_finding *copy = hh_finding_clone(f);
	if (copy)
		hh_findings_push(c->list, copy);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Only manifests under response.evidence_dir are read: a store copied from
 * elsewhere must not make the dashboard read files at will. */
static void load_manifest(struct hh_incident *inc, const struct hh_config *cfg, const char *dir)
{
	if (json_array_size(inc->manifests) >= HH_INCIDENT_MAX_MANIFESTS)
		return;
	json_t *m = json_pack("{s:s}", "dir", dir);
	const char *root = hh_config_str(cfg, NULL, "response.evidence_dir", "/var/lib/hashhound/evidence");
	size_t rl = strlen(root);
	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	if (strncmp(dir, root, rl) != 0 || dir[rl] != '/' || strstr(dir, "/..") || strlen(dir) > HH_PATH_LEN) {
		json_object_set_new(m, "error", json_string("not under response.evidence_dir; not read"));
		json_array_append_new(inc->manifests, m);
		return;
	}
	char path[HH_PATH_LEN + 32];
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	json_error_t e;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
	const json_t *files = json_object_get(doc, "files");
	if (!json_is_array(files)) {
		char msg[HH_PATH_LEN + 300];
		snprintf(msg, sizeof(msg), "%s: %s", path, doc ? "no files list" : e.text);
		json_object_set_new(m, "error", json_string(msg));
	} else {
		json_t *out = json_array();
		size_t i;
		json_t *f;
		json_array_foreach(files, i, f) {
			const char *name = json_string_value(json_object_get(f, "file"));
			const char *sha = json_string_value(json_object_get(f, "sha256"));
			if (!name || !sha || i >= 500)
				continue;
			json_array_append_new(out, json_pack("{s:s, s:I, s:s}", "file", name, "bytes",
							     json_integer_value(json_object_get(f, "bytes")), "sha256", sha));
		}
		json_object_set_new(m, "files", out);
		const char *created = json_string_value(json_object_get(doc, "created"));
		if (created)
			json_object_set_new(m, "created", json_string(created));
	}
	json_decref(doc);
	json_array_append_new(inc->manifests, m);
}

int hh_incident_load(struct hh_store *s, const struct hh_config *cfg, const char *id, struct hh_incident *out,
		     char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->baseline = NAN;
	if (!hh_incident_id_ok(id)) {
		snprintf(err, errlen, "incident id '%.40s' is not 1 to 12 characters of [0-9A-Za-z_.-]", id ? id : "");
		return -1;
	}
	struct collect c = { .list = &out->signals };
	struct hh_store_query q = { .container_id = id, .rule = HH_INCIDENT_RULE, .limit = 1 };
	if (hh_store_query(s, &q, take_incident, &c) < 0) {
		snprintf(err, errlen, "store query failed");
		return -1;
	}
	if (!c.newest_incident || !c.container_id[0]) {
		hh_finding_free(c.newest_incident);
		snprintf(err, errlen, "no incident '%s' in the store", id);
		return -1;
	}
	struct hh_finding *f = out->latest = c.newest_incident;
	hh_strlcpy(out->container_id, c.container_id, sizeof(out->container_id));
	snprintf(out->id, sizeof(out->id), "%.12s", out->container_id);
	out->severity = f->severity;
	const json_t *score = hh_incident_evidence(f, "incident.score");
	out->score = json_is_number(score) ? json_number_value(score) : 0;
	hh_strlcpy(out->ns, field(f, "k8s.ns.name"), sizeof(out->ns));
	const char *pod = field(f, "k8s.pod.name"), *name = field(f, "container.name");
	if (out->ns[0] && pod[0])
		snprintf(out->workload, sizeof(out->workload), "%s/%s", out->ns, pod);
	else
		snprintf(out->workload, sizeof(out->workload), "%s", name[0] ? name : out->id);
	hh_strlcpy(out->node, field(f, "k8s.node.name")[0] ? field(f, "k8s.node.name") : field(f, "hostname"),
		   sizeof(out->node));
	hh_store_container_span(s, out->container_id, &out->first_seen, &out->last_seen, &out->signals_total);

	/* every finding naming the container, oldest first */
	struct hh_store_query all = { .container_id = out->container_id, .limit = HH_INCIDENT_MAX_SIGNALS };
	hh_store_query(s, &all, take_signal, &c);
	for (size_t i = 0; i < out->signals.n / 2; i++) {
		struct hh_finding *t = out->signals.items[i];
		out->signals.items[i] = out->signals.items[out->signals.n - 1 - i];
		out->signals.items[out->signals.n - 1 - i] = t;
	}
	out->flagged_at = out->last_seen;
	out->manifests = json_array();
	for (size_t i = 0; i < out->signals.n; i++) {
		const struct hh_finding *g = out->signals.items[i];
		if (g->severity >= HH_SEV_MEDIUM && g->time < out->flagged_at)
			out->flagged_at = g->time;
		const char *dir = json_string_value(hh_incident_evidence(g, "evidence directory"));
		if (dir && strncmp(g->rule, "response.", 9) == 0)
			load_manifest(out, cfg, dir);
	}

	out->points = calloc(HH_INCIDENT_MAX_POINTS, sizeof(*out->points));
	long np = out->points ? hh_store_cpu_points(s, out->container_id, 0, 1e15, out->points, HH_INCIDENT_MAX_POINTS)
			      : -1;
	out->n_points = np > 0 ? (size_t)np : 0;
	double before[256];
	size_t nb = 0;
	for (size_t i = 0; i < out->n_points && nb < 256; i++)
		if (out->points[i].t <= out->flagged_at)
			before[nb++] = out->points[i].usage;
	if (nb >= 3) {
		qsort(before, nb, sizeof(before[0]), cmp_double);
		out->baseline = nb % 2 ? before[nb / 2] : (before[nb / 2 - 1] + before[nb / 2]) / 2;
	}

	struct hh_workload w = { 0 };
	hh_strlcpy(w.container_id, out->container_id, sizeof(w.container_id));
	hh_strlcpy(w.container_name, name, sizeof(w.container_name));
	hh_strlcpy(w.image, field(f, "container.image"), sizeof(w.image));
	hh_strlcpy(w.pod_name, pod, sizeof(w.pod_name));
	hh_strlcpy(w.pod_namespace, out->ns, sizeof(w.pod_namespace));
	struct hh_bill_rates rates;
	hh_bill_rates(cfg, &w, out->node, &rates);
	hh_bill_compute(out->points, out->n_points, out->flagged_at, &rates, &out->bill);
	return 0;
}

void hh_incident_free(struct hh_incident *inc)
{
	hh_finding_free(inc->latest);
	hh_findings_clear(&inc->signals);
	free(inc->points);
	json_decref(inc->manifests);
	memset(inc, 0, sizeof(*inc));
}

struct ids {
	char id[HH_INCIDENT_MAX_LIST][HH_INCIDENT_ID_LEN];
	size_t n;
};

static void take_id(const struct hh_finding *f, void *ctx)
{
	struct ids *ids = ctx;
	char id[HH_INCIDENT_ID_LEN];
	snprintf(id, sizeof(id), "%.12s", field(f, "container.id"));
	if (!hh_incident_id_ok(id) || ids->n >= HH_INCIDENT_MAX_LIST)
		return;
	for (size_t i = 0; i < ids->n; i++)
		if (strcmp(ids->id[i], id) == 0)
			return;
	memcpy(ids->id[ids->n++], id, sizeof(id));
}

static bool has_rule(const struct hh_incident *inc, const char *rule)
{
	for (size_t i = 0; i < inc->signals.n; i++)
		if (strcmp(inc->signals.items[i]->rule, rule) == 0)
			return true;
	return false;
}

int hh_incident_list(struct hh_store *s, const struct hh_config *cfg, const struct hh_incident_filter *flt,
		     void (*fn)(const struct hh_incident *inc, void *ctx), void *ctx)
{
	struct ids *ids = calloc(1, sizeof(*ids));
	if (!ids)
		return -1;
	struct hh_store_query q = { .rule = HH_INCIDENT_RULE, .limit = 20000 };
	if (hh_store_query(s, &q, take_id, ids) < 0) {
		free(ids);
		return -1;
	}
	size_t limit = flt->limit ? flt->limit : HH_INCIDENT_MAX_LIST;
	int shown = 0;
	for (size_t i = 0; i < ids->n && (size_t)shown < limit; i++) {
		struct hh_incident inc;
		char err[256];
		if (hh_incident_load(s, cfg, ids->id[i], &inc, err, sizeof(err)) < 0)
			continue;
		bool keep = inc.severity >= flt->min_severity && (!flt->ns || strcmp(flt->ns, inc.ns) == 0) &&
			    (!flt->rule || has_rule(&inc, flt->rule)) && (!(flt->from > 0) || inc.last_seen >= flt->from) &&
			    (!(flt->to > 0) || inc.first_seen <= flt->to);
		if (keep) {
			fn(&inc, ctx);
			shown++;
		}
		hh_incident_free(&inc);
	}
	free(ids);
	return shown;
}
