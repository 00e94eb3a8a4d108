/* Tuning: rules.disabled, exceptions and ignore files (see tuning.h). */
#include "core/tuning.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

#define MAX_FIELDS 8

struct field_match {
	char *name, *glob;
};

struct entry {
	char *rule;                 /* id or glob */
	char *reason;
	char *path;                 /* file.path glob or NULL */
	const json_t *match;        /* workload criteria (borrowed from the config) or NULL */
	struct field_match fields[MAX_FIELDS];
	size_t n_fields;
	char *why;                  /* "exception: reason" or "FILE:LINE: reason" */
	bool from_file;
};

struct hh_tuning {
	const struct hh_config *cfg;
	char today[11];
	struct entry *e;
	size_t n, cap;
	struct hh_tuning_stats stats;
};

bool hh_tuning_glob(const char *pattern, const char *value)
{
	return pattern && fnmatch(pattern, value ? value : "", 0) == 0;
}

bool hh_tuning_path_glob(const char *pattern, const char *path)
{
	if (!pattern || !path)
		return false;
	if (fnmatch(pattern, path, 0) == 0)
		return true;
	for (const char *p = strchr(path, '/'); p; p = strchr(p + 1, '/'))
		if (p[1] && fnmatch(pattern, p + 1, 0) == 0)
			return true;
	return false;
}

static void entry_free(struct entry *x)
{
	free(x->rule);
	free(x->reason);
	free(x->path);
	free(x->why);
	for (size_t i = 0; i < x->n_fields; i++) {
		free(x->fields[i].name);
		free(x->fields[i].glob);
	}
}

void hh_tuning_free(struct hh_tuning *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		entry_free(&t->e[i]);
	free(t->e);
	free(t);
}

static struct entry *new_entry(struct hh_tuning *t, char *err, size_t errlen, const char *where)
{
	if (t->n >= HH_TUNING_MAX) {
		snprintf(err, errlen, "%s: more than %d tuning entries", where, HH_TUNING_MAX);
		return NULL;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct entry *e = realloc(t->e, cap * sizeof(*e));
		if (!e) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		t->e = e;
		t->cap = cap;
	}
	struct entry *x = &t->e[t->n];
	memset(x, 0, sizeof(*x));
	return x;
}

/* "YYYY-MM-DD" with a valid month and day. */
static bool valid_date(const char *s)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static int load_exceptions(struct hh_tuning *t, char *err, size_t errlen)
{
	const json_t *list = hh_config_get(t->cfg, NULL, "exceptions");
	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list)) {
		snprintf(err, errlen, "exceptions: must be a list");
		return -1;
	}
	size_t i;
	const json_t *it;
	json_array_foreach((json_t *)list, i, it) {
		if (!json_is_object(it)) {
			snprintf(err, errlen, "exceptions[%zu]: must be a mapping (rule, reason, match, fields, path, expires)", i);
			return -1;
		}
		const char *key;
		const json_t *v;
		json_object_foreach((json_t *)it, key, v) {
			static const char *const known[] = { "rule", "reason", "match", "fields", "path", "expires" };
			bool ok = false;
			for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
				ok |= !strcmp(key, known[k]);
			if (!ok) {
				snprintf(err, errlen, "exceptions[%zu]: unknown key '%.60s' (rule, reason, match, fields, path, expires)",
					 i, key);
				return -1;
			}
		}
		const char *rule = json_string_value(json_object_get(it, "rule"));
		const char *reason = json_string_value(json_object_get(it, "reason"));
		const char *path = json_string_value(json_object_get(it, "path"));
		const json_t *expires = json_object_get(it, "expires");
		const json_t *match = json_object_get(it, "match");
		const json_t *fields = json_object_get(it, "fields");
		if (!rule || !*rule) {
			snprintf(err, errlen, "exceptions[%zu]: 'rule' is required (an id or a glob)", i);
			return -1;
		}
		if (!reason || !*reason) {
			snprintf(err, errlen, "exceptions[%zu] (%.80s): 'reason' is required", i, rule);
			return -1;
		}
		if (json_object_get(it, "path") && !path) {
			snprintf(err, errlen, "exceptions[%zu] (%.80s): 'path' must be a string (a glob)", i, rule);
			return -1;
		}
		if (match && !json_is_object(match)) {
			snprintf(err, errlen, "exceptions[%zu] (%.80s): 'match' must be a mapping (namespace, image, container, pod, labels)",
				 i, rule);
			return -1;
		}
		if (fields && (!json_is_object(fields) || json_object_size(fields) > MAX_FIELDS)) {
			snprintf(err, errlen, "exceptions[%zu] (%.80s): 'fields' must be a mapping of at most %d field globs", i,
				 rule, MAX_FIELDS);
			return -1;
		}
		/* YAML reads 2027-06-30 as a string here (the loader keeps scalars it cannot type). */
		const char *exp = json_string_value(expires);
		if (expires && !valid_date(exp)) {
			snprintf(err, errlen, "exceptions[%zu] (%.80s): 'expires' must be a date YYYY-MM-DD", i, rule);
			return -1;
		}
		if (exp && strcmp(t->today, exp) > 0) {
			hh_warn("exceptions[%zu] (%s): expired on %s; no longer applied", i, rule, exp);
			t->stats.expired++;
			continue;
		}
		char where[48];
		snprintf(where, sizeof(where), "exceptions[%zu]", i);
		struct entry *x = new_entry(t, err, errlen, where);
		if (!x)
			return -1;
		x->rule = strdup(rule);
		x->reason = strdup(reason);
		x->path = path ? strdup(path) : NULL;
		x->match = match;
		const json_t *fv;
		json_object_foreach((json_t *)fields, key, fv) {
			char num[64];
			const char *g = json_string_value(fv);
			if (!g && json_is_number(fv)) {
				snprintf(num, sizeof(num), "%.15g", json_number_value(fv));
				g = num;
			}
			if (!g) {
				snprintf(err, errlen, "exceptions[%zu] (%.80s): fields.%.60s must be a string glob", i, rule, key);
				entry_free(x);
				return -1;
			}
			x->fields[x->n_fields].name = strdup(key);
			x->fields[x->n_fields].glob = strdup(g);
			x->n_fields++;
		}
		size_t wl = strlen(reason) + 16;
		x->why = malloc(wl);
		if (x->why)
			snprintf(x->why, wl, "exception: %s", reason);
		t->n++;
	}
	return 0;
}

struct hh_tuning *hh_tuning_new(const struct hh_config *cfg, const char *today, char *err, size_t errlen)
{
	struct hh_tuning *t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->cfg = cfg;
	if (today && valid_date(today)) {
		memcpy(t->today, today, 10);
	} else {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(t->today, sizeof(t->today), "%Y-%m-%d", &tm);
	}
	if (cfg && load_exceptions(t, err, errlen) < 0) {
		hh_tuning_free(t);
		return NULL;
	}
	return t;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

static char *next_word(char **p)
{
	char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	char *w = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = 0;
	*p = s;
	return w;
}

int hh_tuning_load_ignore_file(struct hh_tuning *t, const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char line[2048];
	int added = 0;
	size_t lineno = 0;
	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		size_t len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			snprintf(err, errlen, "%s:%zu: line longer than %zu bytes", path, lineno, sizeof(line) - 2);
			fclose(fp);
			return -1;
		}
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *rule = next_word(&s);
		char *glob = next_word(&s);
		char *exp = NULL;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!strncmp(s, "exp:", 4)) {
			exp = next_word(&s) + 4;
			while (*s == ' ' || *s == '\t')
				s++;
		}
		char *reason = trim(s);
		if (!glob || !*reason) {
			snprintf(err, errlen, "%s:%zu: expected 'RULE PATH-GLOB [exp:YYYY-MM-DD] REASON' (the reason is required)",
				 path, lineno);
			fclose(fp);
			return -1;
		}
		if (exp && !valid_date(exp)) {
			snprintf(err, errlen, "%s:%zu: exp:%.20s is not a date YYYY-MM-DD", path, lineno, exp);
			fclose(fp);
			return -1;
		}
		if (exp && strcmp(t->today, exp) > 0) {
			hh_warn("%s:%zu: %s %s expired on %s; no longer applied", path, lineno, rule, glob, exp);
			t->stats.expired++;
			continue;
		}
		char where[64];
		snprintf(where, sizeof(where), "%.40s:%zu", path, lineno);
		struct entry *x = new_entry(t, err, errlen, where);
		if (!x) {
			fclose(fp);
			return -1;
		}
		x->rule = strdup(rule);
		x->reason = strdup(reason);
		x->path = strcmp(glob, "*") ? strdup(glob) : NULL;
		x->from_file = true;
		size_t wl = strlen(path) + strlen(reason) + 32;
		x->why = malloc(wl);
		if (x->why)
			snprintf(x->why, wl, "%s:%zu: %s", path, lineno, reason);
		t->n++;
		added++;
	}
	fclose(fp);
	return added;
}

static const char *field_str(const struct hh_finding *f, const char *name, char *buf, size_t n)
{
	const json_t *v = json_object_get(f->fields, name);
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, n, "%.15g", json_real_value(v));
		return buf;
	}
	return NULL;
}

/* The workload of a finding without one given: from its fields. */
static void workload_of(const struct hh_finding *f, struct hh_workload *w)
{
	memset(w, 0, sizeof(*w));
	char buf[32];
	const char *v;
	if ((v = field_str(f, "k8s.ns.name", buf, sizeof(buf))))
		hh_strlcpy(w->pod_namespace, v, sizeof(w->pod_namespace));
	if ((v = field_str(f, "k8s.pod.name", buf, sizeof(buf))))
		hh_strlcpy(w->pod_name, v, sizeof(w->pod_name));
	if ((v = field_str(f, "container.name", buf, sizeof(buf))))
		hh_strlcpy(w->container_name, v, sizeof(w->container_name));
	if ((v = field_str(f, "container.id", buf, sizeof(buf))))
		hh_strlcpy(w->container_id, v, sizeof(w->container_id));
	if ((v = field_str(f, "container.image", buf, sizeof(buf))) ||
	    (v = field_str(f, "container.image.repository", buf, sizeof(buf))))
		hh_strlcpy(w->image, v, sizeof(w->image));
}

static bool workload_matches(const json_t *match, const struct hh_workload *w)
{
	const json_t *v;
	if ((v = json_object_get(match, "namespace")) && !hh_tuning_glob(json_string_value(v), w->pod_namespace))
		return false;
	if ((v = json_object_get(match, "image")) && !hh_tuning_glob(json_string_value(v), w->image))
		return false;
	if ((v = json_object_get(match, "container")) && !hh_tuning_glob(json_string_value(v), w->container_name))
		return false;
	if ((v = json_object_get(match, "pod")) && !hh_tuning_glob(json_string_value(v), w->pod_name))
		return false;
	const char *key;
	const json_t *want;
	json_object_foreach((json_t *)json_object_get(match, "labels"), key, want)
		if (!hh_tuning_glob(json_string_value(want), hh_workload_label(w, key)))
			return false;
	return true;
}

static bool entry_matches(const struct entry *x, const struct hh_workload *w, const struct hh_finding *f)
{
	if (!hh_tuning_glob(x->rule, f->rule))
		return false;
	char buf[64];
	if (x->path && !hh_tuning_path_glob(x->path, field_str(f, "file.path", buf, sizeof(buf))))
		return false;
	for (size_t i = 0; i < x->n_fields; i++) {
		const char *v = field_str(f, x->fields[i].name, buf, sizeof(buf));
		if (!v || !hh_tuning_glob(x->fields[i].glob, v))
			return false;
	}
	return !x->match || workload_matches(x->match, w);
}

bool hh_tuning_suppressed(struct hh_tuning *t, const struct hh_workload *w, const struct hh_finding *f,
			  const char **why)
{
	if (!t || !f)
		return false;
	struct hh_workload own;
	if (!w) {
		workload_of(f, &own);
		w = &own;
	}
	const json_t *disabled = t->cfg ? hh_config_get(t->cfg, w, "rules.disabled") : NULL;
	size_t i;
	const json_t *v;
	json_array_foreach((json_t *)disabled, i, v) {
		if (hh_tuning_glob(json_string_value(v), f->rule)) {
			t->stats.suppressed++;
			t->stats.by_disabled++;
			if (why)
				*why = "rules.disabled";
			return true;
		}
	}
	for (size_t k = 0; k < t->n; k++) {
		if (!entry_matches(&t->e[k], w, f))
			continue;
		t->stats.suppressed++;
		if (t->e[k].from_file)
			t->stats.by_ignore_file++;
		else
			t->stats.by_exception++;
		if (why)
			*why = t->e[k].why ? t->e[k].why : t->e[k].reason;
		return true;
	}
	return false;
}

const struct hh_tuning_stats *hh_tuning_stats(const struct hh_tuning *t)
{
	return &t->stats;
}
