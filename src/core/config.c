#include "core/config.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "core/config_check.h"
#include "core/log.h"
#include "core/yaml_doc.h"
#include "embed/config_hashhound_yaml.h"

const char *hh_config_default_text(void) { return hh_embed_config_hashhound_yaml; }

/* Objects merge key by key; anything else replaces. */
static void deep_merge(json_t *dst, json_t *src)
{
	const char *key;
	json_t *value;
	json_object_foreach(src, key, value) {
		json_t *cur = json_object_get(dst, key);
		if (json_is_object(cur) && json_is_object(value))
			deep_merge(cur, value);
		else
			json_object_set(dst, key, value);
	}
}

static json_t *load_doc(const char *text, size_t len, const char *name, char *err, size_t errlen)
{
	struct hh_yaml_docs docs;
	if (hh_yaml_load_buf(text, len, name, NULL, &docs) < 0) {
		snprintf(err, errlen, "%s", docs.error);
		hh_yaml_docs_free(&docs);
		return NULL;
	}
	json_t *root = json_array_get(docs.docs, 0);
	if (root && !json_is_object(root) && !json_is_null(root)) {
		snprintf(err, errlen, "%s: the configuration must be a mapping", name);
		hh_yaml_docs_free(&docs);
		return NULL;
	}
	root = json_is_object(root) ? json_incref(root) : json_object();
	hh_yaml_docs_free(&docs);
	return root;
}

/* One problem a line; as many as fit, then how many more. */
static void format_problems(const struct hh_config_problems *p, char *err, size_t errlen)
{
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return;
	}
	size_t used = 0, shown = 0;
	err[0] = '\0';
	for (size_t i = 0; i < p->n; i++) {
		size_t need = strlen(p->text[i]) + (i ? 1 : 0);
		if (used + need + 24 >= errlen && i)
			break;
		used += (size_t)snprintf(err + used, errlen - used, "%s%s", i ? "\n" : "", p->text[i]);
		shown++;
		if (used >= errlen)
			return;
	}
	if (p->total > shown)
		snprintf(err + used, errlen - used, "\n(%zu more)", p->total - shown);
}

int hh_config_load(struct hh_config *cfg, const char *path, char *err, size_t errlen)
{
	memset(cfg, 0, sizeof(*cfg));
	const char *def = hh_config_default_text();
	cfg->root = load_doc(def, strlen(def), "built-in config", err, errlen);
	if (!cfg->root)
		cfg->root = json_object(); /* defaults are tested; keep going */
	snprintf(cfg->source, sizeof(cfg->source), "built-in defaults");
	if (!path)
		return 0;
	struct hh_yaml_docs docs;
	const struct hh_yaml_limits lim = { .max_bytes = 16u << 20, .max_nodes = 1000000, .key_positions = 1 };
	if (hh_yaml_load_file(path, &lim, &docs) < 0) {
		snprintf(err, errlen, "%s", docs.error);
		hh_yaml_docs_free(&docs);
		return -1;
	}
	json_t *user = json_array_get(docs.docs, 0);
	if (user && !json_is_object(user) && !json_is_null(user)) {
		snprintf(err, errlen, "%s:1:1: the configuration must be a mapping", path);
		hh_yaml_docs_free(&docs);
		return -1;
	}
	struct hh_config_problems *probs = calloc(1, sizeof(*probs));
	if (!probs || hh_config_check(cfg->root, user, &docs, path, probs) > 0) {
		format_problems(probs, err, errlen);
		free(probs);
		hh_yaml_docs_free(&docs);
		return -1;
	}
	free(probs);
	if (json_is_object(user))
		deep_merge(cfg->root, user);
	hh_yaml_docs_free(&docs);
	snprintf(cfg->source, sizeof(cfg->source), "%s", path);
	return 0;
}

void hh_config_free(struct hh_config *cfg)
{
	json_decref(cfg->root);
	cfg->root = NULL;
}

static const json_t *lookup_path(const json_t *root, const char *key)
{
	/* A flat dotted key wins ("a.b.c": 1 in an override's set). */
	const json_t *flat = json_object_get(root, key);
	if (flat)
		return flat;
	char part[128];
	const json_t *cur = root;
	const char *p = key;
	while (cur && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, p, n);
		part[n] = '\0';
		cur = json_object_get(cur, part);
		p = dot ? dot + 1 : p + n;
	}
	return cur;
}

static bool glob_match(const json_t *pattern, const char *value)
{
	const char *pat = json_string_value(pattern);
	return pat && fnmatch(pat, value ? value : "", 0) == 0;
}

static bool override_matches(const json_t *match, const struct hh_workload *w)
{
	if (!json_is_object(match))
		return false;
	const json_t *v;
	if ((v = json_object_get(match, "namespace")) && !glob_match(v, w->pod_namespace))
		return false;
	if ((v = json_object_get(match, "image")) && !glob_match(v, w->image))
		return false;
	if ((v = json_object_get(match, "container")) && !glob_match(v, w->container_name))
		return false;
	if ((v = json_object_get(match, "pod")) && !glob_match(v, w->pod_name))
		return false;
	const json_t *labels = json_object_get(match, "labels");
	const char *key;
	json_t *want;
	json_object_foreach((json_t *)labels, key, want)
		if (!glob_match(want, hh_workload_label(w, key)))
			return false;
	return true;
}

const json_t *hh_config_get(const struct hh_config *cfg, const struct hh_workload *w, const char *key)
{
	if (!cfg || !cfg->root)
		return NULL;
	const json_t *found = NULL;
	if (w) {
		const json_t *ovs = json_object_get(cfg->root, "overrides");
		size_t i;
		const json_t *ov;
		json_array_foreach((json_t *)ovs, i, ov) {
			if (!override_matches(json_object_get(ov, "match"), w))
				continue;
			const json_t *v = lookup_path(json_object_get(ov, "set"), key);
			if (v)
				found = v;
		}
	}
	return found ? found : lookup_path(cfg->root, key);
}

double hh_config_num(const struct hh_config *cfg, const struct hh_workload *w, const char *key, double def)
{
	const json_t *v = hh_config_get(cfg, w, key);
	return json_is_number(v) ? json_number_value(v) : def;
}

long long hh_config_int(const struct hh_config *cfg, const struct hh_workload *w, const char *key, long long def)
{
	const json_t *v = hh_config_get(cfg, w, key);
	return json_is_number(v) ? (long long)json_number_value(v) : def;
}

bool hh_config_bool(const struct hh_config *cfg, const struct hh_workload *w, const char *key, bool def)
{
	const json_t *v = hh_config_get(cfg, w, key);
	return json_is_boolean(v) ? json_is_true(v) : def;
}

const char *hh_config_str(const struct hh_config *cfg, const struct hh_workload *w, const char *key, const char *def)
{
	const json_t *v = hh_config_get(cfg, w, key);
	return json_is_string(v) ? json_string_value(v) : def;
}
