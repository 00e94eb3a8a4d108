#include "core/config_check.h"

#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Bounds beyond the general one (no negative numbers). Globs match dotted keys. */
static const struct range {
	const char *glob;
	double min, max;
} ranges[] = {
	{ "agent.interval_s", 0.1, 86400 },
	{ "*.window_s", 1, 1e9 },
	{ "behavior.min_coverage", 0, 1 },
	{ "behavior.*.min_share", 0, 1 },
	{ "behavior.duty.min_autocorr", -1, 1 },
	{ "behavior.ring_samples", 2, 1e6 },
	{ "behavior.min_samples", 1, 1e6 },
	{ "*.max_workloads", 1, 1e7 },
	{ "agent.max_containers", 1, 1e6 },
	{ "agent.max_processes", 16, 4e6 },
	{ "network.flow.max_flows", 1, 1e8 },
	{ "agent.network.snap_bytes", 0, 4096 },
	{ "agent.network.profile_pps", 0, 100000 },
	{ "agent.network.max_sockets", 256, 4e6 },
	{ "agent.network.max_flows", 16, 1e6 },
	{ "agent.network.ring_kb", 64, 1048576 },
	{ "network.live.snaplen", 64, 262144 },
	{ "scan.threads", 0, 64 },
	{ "scan.entropy_packed", 0, 8 },
	{ "bill.price_per_core_hour", 0, 1e6 },
	{ "bill.watts_per_core", 0, 10000 },
	{ "sinks.store.cpu_samples_per_container", 1, 1e6 },
	{ "sinks.store.max_cpu_samples", 1, 1e8 },
};

/* Keys whose value is one of a few words. */
static const struct choice {
	const char *key;
	const char *const words[8];
} choices[] = {
	{ "sinks.min_severity", { "info", "low", "medium", "high", "critical" } },
	{ "response.auto.min_severity", { "info", "low", "medium", "high", "critical" } },
	{ "response.auto.action", { "snapshot", "freeze", "kill", "isolate", "netpol" } },
	{ "sinks.webhook.format", { "json", "falco" } },
};

static const char *const override_match_keys[] = { "namespace", "image", "container", "pod", "labels" };
static const char *const exception_keys[] = { "control", "namespace", "kind", "name", "container", "reason" };

struct ck {
	const json_t *defaults;
	const struct hh_yaml_docs *docs;
	const char *name;
	struct hh_config_problems *out;
};

/* Where to point: the value when it has a position (value NULL: a problem
 * with the key itself), else its key, else the mapping holding it. */
static void problem(struct ck *c, const json_t *mapping, const char *key, const json_t *value, const char *fmt, ...)
{
	c->out->total++;
	if (c->out->n >= HH_CONFIG_MAX_PROBLEMS)
		return;
	unsigned line = 0, col = 0;
	const struct hh_yaml_line *vp = hh_yaml_pos_of(c->docs, value);
	const struct hh_yaml_key_line *kp = key ? hh_yaml_key_pos_of(c->docs, mapping, key) : NULL;
	const struct hh_yaml_line *mp = hh_yaml_pos_of(c->docs, mapping);
	if (kp && (!vp || (!json_is_string(value) && !json_is_number(value)))) {
		line = kp->line; /* a mapping's position is its first key, below its own */
		col = kp->col;
	} else if (vp) {
		line = vp->line;
		col = vp->col;
	} else if (mp) {
		line = mp->line;
		col = mp->col;
	}
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char *dst = c->out->text[c->out->n++];
	size_t cap = sizeof(c->out->text[0]);
	if (line)
		snprintf(dst, cap, "%s:%u:%u: %s", c->name, line, col, msg);
	else
		snprintf(dst, cap, "%s: %s", c->name, msg);
}

static const char *kind_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "a mapping";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "true/false";
	default: return "nothing";
	}
}

static const char *wanted(const json_t *def)
{
	switch (json_typeof(def)) {
	case JSON_OBJECT: return "a mapping";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "true or false";
	default: return "a value";
	}
}

/* Edit distance with a small cap (keys are short). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return 99;
	size_t row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* ", did you mean 'x'?" for the closest key of def, or "". */
static void suggest(const json_t *def, const char *key, char *buf, size_t len)
{
	const char *best = NULL, *k;
	size_t best_d = 3;
	json_t *v;
	json_object_foreach((json_t *)def, k, v) {
		size_t d = distance(key, k);
		if (d < best_d) {
			best_d = d;
			best = k;
		}
	}
	if (best)
		snprintf(buf, len, "; did you mean '%s'?", best);
	else
		buf[0] = '\0';
}

static void join(char *dst, size_t len, const char *path, const char *key)
{
	if (path[0])
		snprintf(dst, len, "%s.%s", path, key);
	else
		snprintf(dst, len, "%s", key);
}

static void check_number(struct ck *c, const char *key, const json_t *def, const json_t *mapping,
			 const char *name, const json_t *v)
{
	double x = json_number_value(v);
	const char *last = strrchr(key, '.');
	last = last ? last + 1 : key;
	size_t ll = strlen(last);
	/* seconds, ratios and weights may be fractional even where the default is whole */
	bool fractional_ok = json_is_real(def) || (ll > 2 && strcmp(last + ll - 2, "_s") == 0) ||
			     strstr(last, "ratio") || strncmp(key, "correlation.weight.", 19) == 0;
	if (!fractional_ok && x != floor(x)) {
		problem(c, mapping, name, v, "%s: expected an integer, got %g", key, x);
		return;
	}
	double min = 0, max = INFINITY;
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		if (fnmatch(ranges[i].glob, key, 0) == 0) {
			min = ranges[i].min;
			max = ranges[i].max;
			break;
		}
	}
	if (x < min || x > max) {
		if (isinf(max))
			problem(c, mapping, name, v, "%s: %g is out of range (at least %g)", key, x, min);
		else
			problem(c, mapping, name, v, "%s: %g is out of range (%g to %g)", key, x, min, max);
	}
}

static void check_choice(struct ck *c, const char *key, const json_t *mapping, const char *name, const json_t *v)
{
	for (size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++) {
		if (strcmp(choices[i].key, key) != 0)
			continue;
		char list[128] = "";
		size_t used = 0;
		for (size_t w = 0; w < 8 && choices[i].words[w]; w++) {
			if (strcmp(choices[i].words[w], json_string_value(v)) == 0)
				return;
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", w ? ", " : "",
						 choices[i].words[w]);
			if (used >= sizeof(list))
				break;
		}
		problem(c, mapping, name, v, "%s: '%s' is not one of %s", key, json_string_value(v), list);
		return;
	}
}

static void check_value(struct ck *c, const char *key, const json_t *def, const json_t *mapping, const char *name,
			const json_t *v);

static void check_mapping(struct ck *c, const char *path, const json_t *def, const json_t *user)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)user, k, v) {
		char key[256];
		join(key, sizeof(key), path, k);
		const json_t *d = json_object_get(def, k);
		if (!d) {
			char hint[96];
			suggest(def, k, hint, sizeof(hint));
			problem(c, user, k, NULL, "unknown key '%s'%s", key, hint);
			continue;
		}
		check_value(c, key, d, user, k, v);
	}
}

static bool in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* A mapping whose keys come from a fixed list and whose values are strings. */
static void check_string_mapping(struct ck *c, const char *path, const json_t *m, const char *const *keys,
				 size_t n_keys)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)m, k, v) {
		if (keys && !in_list(keys, n_keys, k)) {
			problem(c, m, k, NULL, "%s: unknown key '%s'", path, k);
			continue;
		}
		if (!json_is_string(v))
			problem(c, m, k, v, "%s.%s: expected a string, got %s", path, k, kind_of(v));
	}
}

static void check_exceptions(struct ck *c, const char *key, const json_t *list)
{
	size_t i;
	const json_t *e;
	json_array_foreach((json_t *)list, i, e) {
		char at[96];
		snprintf(at, sizeof(at), "%s[%zu]", key, i);
		if (!json_is_object(e)) {
			problem(c, list, NULL, e, "%s: expected a mapping (control, reason ...), got %s", at, kind_of(e));
			continue;
		}
		/* control and reason being required is posture's to say (hh_posture_init). */
		check_string_mapping(c, at, e, exception_keys, sizeof(exception_keys) / sizeof(exception_keys[0]));
	}
}

/* exceptions (core/tuning.c): rule, reason, path, expires strings; match
 * with the override criteria; fields a mapping of strings or numbers.
 * Required keys and dates are tuning's to say (hh_tuning_new). */
static void check_tuning_exceptions(struct ck *c, const char *key, const json_t *list)
{
	static const char *const keys[] = { "rule", "reason", "path", "expires", "match", "fields" };
	size_t i;
	const json_t *e;
	json_array_foreach((json_t *)list, i, e) {
		char at[96], sub[128];
		snprintf(at, sizeof(at), "%s[%zu]", key, i);
		if (!json_is_object(e)) {
			problem(c, list, NULL, e, "%s: expected a mapping (rule, reason ...), got %s", at, kind_of(e));
			continue;
		}
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)e, k, v) {
			snprintf(sub, sizeof(sub), "%s.%s", at, k);
			if (!in_list(keys, sizeof(keys) / sizeof(keys[0]), k)) {
				problem(c, e, k, NULL, "%s: unknown key '%s' (rule, reason, match, fields, path, expires)", at, k);
			} else if (!strcmp(k, "match") || !strcmp(k, "fields")) {
				if (!json_is_object(v)) {
					problem(c, e, k, v, "%s: expected a mapping, got %s", sub, kind_of(v));
					continue;
				}
				const char *mk;
				json_t *mv;
				json_object_foreach(v, mk, mv) {
					if (!strcmp(k, "match") && !strcmp(mk, "labels") && json_is_object(mv)) {
						char lab[160];
						snprintf(lab, sizeof(lab), "%s.labels", sub);
						check_string_mapping(c, lab, mv, NULL, 0);
					} else if (!strcmp(k, "match") && !in_list(override_match_keys, 5, mk)) {
						problem(c, v, mk, NULL, "%s: unknown key '%s'", sub, mk);
					} else if (!json_is_string(mv) && !(!strcmp(k, "fields") && json_is_number(mv))) {
						problem(c, v, mk, mv, "%s.%s: expected a string (a glob), got %s", sub, mk, kind_of(mv));
					}
				}
			} else if (!json_is_string(v)) {
				problem(c, e, k, v, "%s: expected a string, got %s", sub, kind_of(v));
			}
		}
	}
}

/* One key of an override's set: dotted ("behavior.plateau.enabled") or nested. */
static void check_override_key(struct ck *c, const char *at, const json_t *set, const char *k, const json_t *v)
{
	char shown[256];
	snprintf(shown, sizeof(shown), "%s.%s", at, k);
	if (strcmp(k, "overrides") == 0 || strncmp(k, "overrides.", 10) == 0) {
		problem(c, set, k, NULL, "%s: overrides cannot be set per workload", shown);
		return;
	}
	if (strcmp(k, "exceptions") == 0) {
		problem(c, set, k, NULL, "%s: exceptions cannot be set per workload (give the exception a match)", shown);
		return;
	}
	const json_t *def = c->defaults, *parent = c->defaults;
	char part[128];
	const char *p = k;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(part) || !json_is_object(def)) {
			problem(c, set, k, NULL, "unknown key '%s'", shown);
			return;
		}
		memcpy(part, p, n);
		part[n] = '\0';
		parent = def;
		def = json_object_get(def, part);
		if (!def) {
			char hint[96];
			suggest(parent, part, hint, sizeof(hint));
			problem(c, set, k, NULL, "unknown key '%s' (no '%s' there%s)", shown, part, hint);
			return;
		}
		p = dot ? dot + 1 : p + n;
	}
	if (strchr(k, '.') && json_is_object(def)) {
		problem(c, set, k, NULL, "%s: names a section; set its keys one by one (%s.KEY)", shown, k);
		return;
	}
	check_value(c, k, def, set, k, v);
}

static void check_overrides(struct ck *c, const char *key, const json_t *list)
{
	size_t i;
	const json_t *ov;
	json_array_foreach((json_t *)list, i, ov) {
		char at[96];
		snprintf(at, sizeof(at), "%s[%zu]", key, i);
		if (!json_is_object(ov)) {
			problem(c, list, NULL, ov, "%s: expected a mapping with match: and set:, got %s", at, kind_of(ov));
			continue;
		}
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)ov, k, v) {
			if (strcmp(k, "match") != 0 && strcmp(k, "set") != 0)
				problem(c, ov, k, NULL, "%s: unknown key '%s' (match, set)", at, k);
		}
		const json_t *match = json_object_get(ov, "match"), *set = json_object_get(ov, "set");
		char sub[128];
		if (!json_is_object(match)) {
			problem(c, ov, match ? "match" : NULL, match ? match : ov,
				"%s: needs match: (a mapping of namespace, image, container, pod, labels)", at);
		} else {
			snprintf(sub, sizeof(sub), "%s.match", at);
			const json_t *labels = json_object_get(match, "labels");
			json_object_foreach((json_t *)match, k, v) {
				if (!in_list(override_match_keys, 5, k))
					problem(c, match, k, NULL, "%s: unknown key '%s' (namespace, image, container, pod, labels)",
						sub, k);
				else if (v != labels && !json_is_string(v))
					problem(c, match, k, v, "%s.%s: expected a string (a glob), got %s", sub, k, kind_of(v));
			}
			if (labels && !json_is_object(labels))
				problem(c, match, "labels", labels, "%s.labels: expected a mapping, got %s", sub, kind_of(labels));
			else if (labels) {
				snprintf(sub, sizeof(sub), "%s.match.labels", at);
				check_string_mapping(c, sub, labels, NULL, 0);
			}
		}
		if (!json_is_object(set)) {
			problem(c, ov, set ? "set" : NULL, set ? set : ov, "%s: needs set: (a mapping of keys to values)", at);
			continue;
		}
		snprintf(sub, sizeof(sub), "%s.set", at);
		json_object_foreach((json_t *)set, k, v)
			check_override_key(c, sub, set, k, v);
	}
}

/* bill.nodes: a list of { node: GLOB, price_per_core_hour: N }, both required. */
static void check_bill_nodes(struct ck *c, const char *key, const json_t *list)
{
	size_t i;
	const json_t *e;
	json_array_foreach((json_t *)list, i, e) {
		char at[96];
		snprintf(at, sizeof(at), "%s[%zu]", key, i);
		if (!json_is_object(e)) {
			problem(c, list, NULL, e, "%s: expected a mapping (node, price_per_core_hour), got %s", at, kind_of(e));
			continue;
		}
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)e, k, v) {
			if (!strcmp(k, "node")) {
				if (!json_is_string(v) || !json_string_value(v)[0])
					problem(c, e, k, v, "%s.node: expected a glob of node names, got %s", at, kind_of(v));
			} else if (!strcmp(k, "price_per_core_hour")) {
				if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1e6)
					problem(c, e, k, v, "%s.price_per_core_hour: expected a number from 0 to 1e6", at);
			} else {
				problem(c, e, k, NULL, "%s: unknown key '%s' (node, price_per_core_hour)", at, k);
			}
		}
		if (!json_object_get(e, "node") || !json_object_get(e, "price_per_core_hour"))
			problem(c, list, NULL, e, "%s: needs node and price_per_core_hour", at);
	}
}

static void check_value(struct ck *c, const char *key, const json_t *def, const json_t *mapping, const char *name,
			const json_t *v)
{
	if (json_is_null(v)) {
		problem(c, mapping, name, v, "%s: no value (expected %s)", key, wanted(def));
		return;
	}
	bool same = json_typeof(def) == json_typeof(v) || (json_is_number(def) && json_is_number(v)) ||
		    (json_is_boolean(def) && json_is_boolean(v));
	if (!same) {
		if (json_is_string(v))
			problem(c, mapping, name, v, "%s: expected %s, got a string (\"%.40s\")", key, wanted(def),
				json_string_value(v));
		else
			problem(c, mapping, name, v, "%s: expected %s, got %s", key, wanted(def), kind_of(v));
		return;
	}
	if (json_is_object(def)) {
		check_mapping(c, key, def, v);
	} else if (json_is_number(def)) {
		check_number(c, key, def, mapping, name, v);
	} else if (json_is_string(def)) {
		check_choice(c, key, mapping, name, v);
	} else if (json_is_array(def)) {
		if (strcmp(key, "overrides") == 0) {
			check_overrides(c, key, v);
			return;
		}
		if (strcmp(key, "posture.exceptions") == 0) {
			check_exceptions(c, key, v);
			return;
		}
		if (strcmp(key, "exceptions") == 0) {
			check_tuning_exceptions(c, key, v);
			return;
		}
		if (strcmp(key, "bill.nodes") == 0) {
			check_bill_nodes(c, key, v);
			return;
		}
		/* Lists hold what the default's elements are; empty defaults are lists of strings. */
		const json_t *elem = json_array_get(def, 0);
		size_t i;
		const json_t *e;
		json_array_foreach((json_t *)v, i, e) {
			if (elem ? json_typeof(e) != json_typeof(elem) : !json_is_string(e))
				problem(c, v, NULL, e, "%s[%zu]: expected %s, got %s", key, i,
					elem ? wanted(elem) : "a string", kind_of(e));
		}
	}
}

size_t hh_config_check(const json_t *defaults, const json_t *user, const struct hh_yaml_docs *docs,
		       const char *name, struct hh_config_problems *out)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(user))
		return 0;
	struct ck c = { defaults, docs, name, out };
	check_mapping(&c, "", defaults, user);
	return out->total;
}
