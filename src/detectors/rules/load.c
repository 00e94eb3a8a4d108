/* Reading rule files: YAML items (- rule / - macro / - list) into the
 * engine's definitions, with appends, overrides and positions. Compilation
 * happens later (compile.c), once every file is in. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/fileio.h"
#include "detectors/rules/engine.h"
#include "embed/rules_miner_yaml.h"

void rules_error(struct hh_rules *r, const struct srcpos *at, const char *kind, const char *name,
		 const char *fmt, ...)
{
	if (r->n_errors == r->cap_errors) {
		size_t cap = r->cap_errors ? r->cap_errors * 2 : 16;
		if (cap > 100000)
			return; /* bounded: a hostile file cannot grow this forever */
		struct hh_rule_error *e = realloc(r->errors, cap * sizeof(*e));
		if (!e)
			return;
		r->errors = e;
		r->cap_errors = cap;
	}
	struct hh_rule_error *e = &r->errors[r->n_errors++];
	memset(e, 0, sizeof(*e));
	if (at && at->src) {
		hh_strlcpy(e->file, at->src->name, sizeof(e->file));
		e->line = at->line;
		e->col = at->col;
	}
	if (kind && name)
		snprintf(e->item, sizeof(e->item), "%s '%.100s'", kind, name);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void hh_rule_error_format(const struct hh_rule_error *e, char *buf, size_t n)
{
	snprintf(buf, n, "%s:%u:%u: %s%s%s", e->file[0] ? e->file : "<rules>", e->line, e->col, e->item,
		 e->item[0] ? ": " : "", e->msg);
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

struct srcpos ctext_locate(const struct ctext *ct, size_t off)
{
	if (!ct->n)
		return (struct srcpos){ 0 };
	size_t k = 0;
	for (size_t i = 0; i < ct->n; i++)
		if (ct->p[i].start <= off)
			k = i;
	const struct piece *p = &ct->p[k];
	struct srcpos at = p->at;
	if (!p->has_offset || !p->at.src)
		return at;
	/* Count the non-blank characters before off in the text, then walk the
	 * file from the scalar's start to the same count: folding and
	 * indentation only change blanks, so this lands on the same character. */
	size_t want = 0;
	for (size_t i = p->start; i < off && i < ct->len; i++)
		want += !is_ws(ct->s[i]);
	const struct srcfile *src = p->at.src;
	size_t i = p->src_offset;
	if (p->style == HH_YAML_LITERAL || p->style == HH_YAML_FOLDED) {
		while (i < src->len && src->buf[i] != '\n')
			i++;
	} else if (p->style == HH_YAML_SINGLE_QUOTED || p->style == HH_YAML_DOUBLE_QUOTED) {
		i++;
	}
	size_t seen = 0;
	for (; i < src->len; i++) {
		if (is_ws(src->buf[i]))
			continue;
		if (seen == want)
			break;
		seen++;
	}
	if (i > src->len)
		i = src->len;
	unsigned line = 1, col = 1;
	for (size_t j = 0; j < i; j++) {
		if (src->buf[j] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	at.line = line;
	at.col = col;
	return at;
}

void ctext_free(struct ctext *ct)
{
	free(ct->s);
	free(ct->p);
	memset(ct, 0, sizeof(*ct));
}

static int ctext_append(struct ctext *ct, const char *text, size_t len, const struct srcpos *at,
			const struct hh_yaml_line *pos)
{
	size_t sep = ct->len ? 1 : 0;
	if (ct->len + sep + len > COND_MAX_TEXT + 1)
		return -1;
	char *s = realloc(ct->s, ct->len + sep + len + 1);
	struct piece *p = realloc(ct->p, (ct->n + 1) * sizeof(*p));
	if (s)
		ct->s = s;
	if (p)
		ct->p = p;
	if (!s || !p)
		return -1;
	if (sep)
		ct->s[ct->len++] = ' ';
	memcpy(ct->s + ct->len, text, len);
	ct->p[ct->n++] = (struct piece){ .start = ct->len, .at = *at,
					 .src_offset = pos ? pos->offset : 0,
					 .style = pos ? pos->style : HH_YAML_PLAIN,
					 .has_offset = pos != NULL };
	ct->len += len;
	ct->s[ct->len] = '\0';
	return 0;
}

struct list_def *rules_find_list(struct hh_rules *r, const char *name)
{
	struct list_def *pack = NULL;
	for (size_t i = 0; i < r->n_lists; i++) {
		struct list_def *l = &r->lists[i];
		if (strcmp(l->name, name) != 0)
			continue;
		if (l->builtin == r->scope_builtin)
			return l;
		if (l->builtin)
			pack = l;
	}
	return pack;
}

struct macro_def *rules_find_macro(struct hh_rules *r, const char *name)
{
	struct macro_def *pack = NULL;
	for (size_t i = 0; i < r->n_macros; i++) {
		struct macro_def *m = &r->macros[i];
		if (strcmp(m->name, name) != 0)
			continue;
		if (m->builtin == r->scope_builtin)
			return m;
		if (m->builtin)
			pack = m;
	}
	return pack;
}

struct rule_def *rules_find_rule(struct hh_rules *r, const char *name)
{
	for (size_t i = 0; i < r->n_rules; i++)
		if (!r->rules[i].dropped && strcmp(r->rules[i].name, name) == 0)
			return &r->rules[i];
	return NULL;
}

/* Grows an array of n elements of size sz to hold one more. */
static void *grow(void *arr, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return arr;
	size_t c = *cap ? *cap * 2 : 16;
	void *a = realloc(arr, c * sz);
	if (a)
		*cap = c;
	return a;
}

struct loadctx {
	struct hh_rules *r;
	struct hh_yaml_docs *docs;
	const struct srcfile *src;
};

static struct srcpos pos_of(const struct loadctx *lc, const json_t *node, const struct srcpos *fallback)
{
	const struct hh_yaml_line *l = hh_yaml_pos_of(lc->docs, node);
	if (!l)
		return fallback ? *fallback : (struct srcpos){ lc->src, 0, 0 };
	return (struct srcpos){ lc->src, l->line, l->col };
}

/* A scalar as text (strings as they are, numbers printed); NULL otherwise. */
static const char *scalar_text(const json_t *v, char *buf, size_t n)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, n, "%g", json_real_value(v));
		return buf;
	}
	if (json_is_boolean(v)) {
		snprintf(buf, n, "%s", json_is_true(v) ? "true" : "false");
		return buf;
	}
	return NULL;
}

static bool get_bool(struct loadctx *lc, const json_t *item, const char *key, bool def, const char *kind,
		     const char *name, const struct srcpos *at)
{
	const json_t *v = json_object_get(item, key);
	if (!v)
		return def;
	if (!json_is_boolean(v)) {
		struct srcpos p = pos_of(lc, v, at);
		rules_error(lc->r, &p, kind, name, "'%s' must be true or false", key);
		return def;
	}
	return json_is_true(v);
}

static void load_list(struct loadctx *lc, const json_t *item, const struct srcpos *at)
{
	struct hh_rules *r = lc->r;
	const char *name = json_string_value(json_object_get(item, "list"));
	const json_t *items = json_object_get(item, "items");
	if (!name || !*name) {
		rules_error(r, at, "list", "", "'list' must be a non-empty string");
		return;
	}
	if (!json_is_array(items)) {
		struct srcpos p = pos_of(lc, items, at);
		rules_error(r, &p, "list", name, "'items' must be a sequence");
		return;
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)item, k, v)
		if (strcmp(k, "list") && strcmp(k, "items") && strcmp(k, "append") && strcmp(k, "override")) {
			struct srcpos p = pos_of(lc, v, at);
			rules_error(r, &p, "list", name, "unknown key '%.60s'", k);
		}
	bool append = get_bool(lc, item, "append", false, "list", name, at);
	const json_t *ov = json_object_get(item, "override");
	if (json_is_object(ov) && json_is_string(json_object_get(ov, "items")))
		append = strcmp(json_string_value(json_object_get(ov, "items")), "append") == 0;
	struct list_def *l = rules_find_list(r, name);
	if (append && !l) {
		rules_error(r, at, "list", name, "append to a list that is not defined (yet)");
		return;
	}
	if (!l || (!append && l->builtin != r->scope_builtin)) {
		struct list_def *a = grow(r->lists, &r->cap_lists, r->n_lists, sizeof(*a));
		if (!a)
			return;
		r->lists = a;
		l = &r->lists[r->n_lists++];
		memset(l, 0, sizeof(*l));
		l->name = strdup(name);
		l->builtin = r->scope_builtin;
	} else if (!append) {
		strvec_free(&l->items); /* a redefinition replaces, as in Falco */
	}
	l->at = *at;
	size_t i;
	json_array_foreach(items, i, v) {
		char nb[64];
		const char *s = scalar_text(v, nb, sizeof(nb));
		if (!s) {
			struct srcpos p = pos_of(lc, v, at);
			rules_error(r, &p, "list", name, "item %zu is not a scalar", i + 1);
			continue;
		}
		strvec_push(&l->items, s, strlen(s));
	}
}

static void load_macro(struct loadctx *lc, const json_t *item, const struct srcpos *at)
{
	struct hh_rules *r = lc->r;
	const char *name = json_string_value(json_object_get(item, "macro"));
	const json_t *cond = json_object_get(item, "condition");
	if (!name || !*name) {
		rules_error(r, at, "macro", "", "'macro' must be a non-empty string");
		return;
	}
	if (!json_is_string(cond)) {
		struct srcpos p = pos_of(lc, cond, at);
		rules_error(r, &p, "macro", name, "'condition' must be a string");
		return;
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)item, k, v)
		if (strcmp(k, "macro") && strcmp(k, "condition") && strcmp(k, "append") && strcmp(k, "override")) {
			struct srcpos p = pos_of(lc, v, at);
			rules_error(r, &p, "macro", name, "unknown key '%.60s'", k);
		}
	bool append = get_bool(lc, item, "append", false, "macro", name, at);
	const json_t *ov = json_object_get(item, "override");
	if (json_is_object(ov) && json_is_string(json_object_get(ov, "condition")))
		append = strcmp(json_string_value(json_object_get(ov, "condition")), "append") == 0;
	struct macro_def *m = rules_find_macro(r, name);
	if (append && !m) {
		rules_error(r, at, "macro", name, "append to a macro that is not defined (yet)");
		return;
	}
	if (!m || (!append && m->builtin != r->scope_builtin)) {
		struct macro_def *a = grow(r->macros, &r->cap_macros, r->n_macros, sizeof(*a));
		if (!a)
			return;
		r->macros = a;
		m = &r->macros[r->n_macros++];
		memset(m, 0, sizeof(*m));
		m->name = strdup(name);
		m->builtin = r->scope_builtin;
	} else if (!append) {
		ctext_free(&m->cond);
	}
	m->at = *at;
	struct srcpos cp = pos_of(lc, cond, at);
	if (ctext_append(&m->cond, json_string_value(cond), json_string_length(cond), &cp,
			 hh_yaml_pos_of(lc->docs, cond)) < 0)
		rules_error(r, &cp, "macro", name, "condition too long");
}

static bool parse_priority(const char *s, enum hh_severity *out)
{
	static const struct { const char *n; enum hh_severity s; } map[] = {
		{ "emergency", HH_SEV_CRITICAL }, { "alert", HH_SEV_CRITICAL }, { "critical", HH_SEV_CRITICAL },
		{ "error", HH_SEV_HIGH }, { "high", HH_SEV_HIGH }, { "warning", HH_SEV_MEDIUM },
		{ "medium", HH_SEV_MEDIUM }, { "notice", HH_SEV_LOW }, { "low", HH_SEV_LOW },
		{ "informational", HH_SEV_INFO }, { "info", HH_SEV_INFO }, { "debug", HH_SEV_INFO },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(s, map[i].n) == 0) {
			*out = map[i].s;
			return true;
		}
	return false;
}

static bool valid_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= sizeof(((struct rule_def *)0)->id))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '.' ||
		      s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

/* "Detect crypto miners using the Stratum protocol" -> "custom.detect-crypto-miners-using-..." */
static void derive_id(const char *name, char *id, size_t n)
{
	size_t k = (size_t)snprintf(id, n, "custom.");
	bool dash = false;
	for (const char *p = name; *p && k + 2 < n; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalnum(c) && c < 0x80) {
			if (dash && id[k - 1] != '.')
				id[k++] = '-';
			id[k++] = (char)tolower(c);
			dash = false;
		} else {
			dash = true;
		}
	}
	id[k] = '\0';
}

static void load_exceptions(struct loadctx *lc, struct rule_def *d, const json_t *exc, bool append)
{
	struct hh_rules *r = lc->r;
	if (!json_is_array(exc)) {
		struct srcpos p = pos_of(lc, exc, &d->at);
		rules_error(r, &p, "rule", d->name, "'exceptions' must be a sequence");
		return;
	}
	size_t i;
	json_t *e;
	json_array_foreach(exc, i, e) {
		struct srcpos p = pos_of(lc, e, &d->at);
		const char *name = json_string_value(json_object_get(e, "name"));
		if (!json_is_object(e) || !name) {
			rules_error(r, &p, "rule", d->name, "exception %zu needs a 'name'", i + 1);
			continue;
		}
		const json_t *values = json_object_get(e, "values");
		if (values && !json_is_array(values)) {
			rules_error(r, &p, "rule", d->name, "exception '%.60s': 'values' must be a sequence", name);
			continue;
		}
		struct exc_def *x = NULL;
		for (size_t j = 0; j < d->n_exc; j++)
			if (strcmp(d->exc[j].name, name) == 0)
				x = &d->exc[j];
		const json_t *fields = json_object_get(e, "fields");
		if (x && append && !fields) {
			if (values)
				json_array_extend(x->values, (json_t *)values);
			continue;
		}
		if (!fields) {
			rules_error(r, &p, "rule", d->name, "exception '%.60s' needs 'fields'", name);
			continue;
		}
		if (!x) {
			struct exc_def *a = realloc(d->exc, (d->n_exc + 1) * sizeof(*a));
			if (!a)
				continue;
			d->exc = a;
			x = &d->exc[d->n_exc++];
		} else {
			free(x->name);
			strvec_free(&x->fields);
			strvec_free(&x->comps);
			json_decref(x->values);
		}
		memset(x, 0, sizeof(*x));
		x->name = strdup(name);
		x->at = p;
		x->values = values ? json_deep_copy(values) : json_array();
		const json_t *comps = json_object_get(e, "comps");
		if (json_is_string(fields)) {
			x->single = true;
			strvec_push(&x->fields, json_string_value(fields), json_string_length(fields));
			const char *c = json_is_string(comps) ? json_string_value(comps) : "in";
			strvec_push(&x->comps, c, strlen(c));
		} else if (json_is_array(fields)) {
			size_t j;
			json_t *f;
			json_array_foreach(fields, j, f) {
				const json_t *c = json_is_array(comps) ? json_array_get(comps, j) : NULL;
				if (!json_is_string(f) || (c && !json_is_string(c))) {
					rules_error(r, &p, "rule", d->name, "exception '%.60s': fields and comps must be strings", name);
					break;
				}
				strvec_push(&x->fields, json_string_value(f), json_string_length(f));
				const char *cs = c ? json_string_value(c) : "=";
				strvec_push(&x->comps, cs, strlen(cs));
			}
			if (json_is_array(comps) && json_array_size(comps) != json_array_size(fields))
				rules_error(r, &p, "rule", d->name, "exception '%.60s': %zu fields but %zu comps", name,
					    json_array_size(fields), json_array_size(comps));
		} else {
			rules_error(r, &p, "rule", d->name, "exception '%.60s': 'fields' must be a string or a sequence", name);
		}
	}
}

static void set_str(char **dst, const json_t *v)
{
	free(*dst);
	*dst = strdup(json_string_value(v));
}

static void load_tags(struct loadctx *lc, struct rule_def *d, const json_t *tags, bool append)
{
	if (!json_is_array(tags)) {
		struct srcpos p = pos_of(lc, tags, &d->at);
		rules_error(lc->r, &p, "rule", d->name, "'tags' must be a sequence");
		return;
	}
	if (!append)
		strvec_free(&d->tags);
	size_t i;
	json_t *t;
	json_array_foreach(tags, i, t) {
		char nb[64];
		const char *s = scalar_text(t, nb, sizeof(nb));
		if (s)
			strvec_push(&d->tags, s, strlen(s));
	}
}

static const char *const rule_keys[] = {
	"rule", "id", "desc", "condition", "output", "priority", "tags", "enabled", "exceptions", "append",
	"override", "source", "confidence", "skip-if-unknown-filter", "warn_evttypes", "capture",
	"capture_duration", "required_engine_version", NULL,
};

/* Applies an append or an override item to an existing rule. mode(key) is
 * "append", "replace" or NULL (key not touched). */
static void merge_rule(struct loadctx *lc, struct rule_def *d, const json_t *item, const json_t *ov,
		       bool append_all, const struct srcpos *at)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)item, k, v) {
		if (!strcmp(k, "rule") || !strcmp(k, "append") || !strcmp(k, "override"))
			continue;
		const char *mode = append_all ? "append" : json_string_value(json_object_get(ov, k));
		if (!strcmp(k, "enabled")) {
			d->enabled = json_is_true(v);
			continue;
		}
		if (!mode) {
			struct srcpos p = pos_of(lc, v, at);
			rules_error(lc->r, &p, "rule", d->name, "key '%.60s' given without an override for it", k);
			continue;
		}
		bool app = strcmp(mode, "append") == 0;
		if (!app && strcmp(mode, "replace") != 0) {
			rules_error(lc->r, at, "rule", d->name, "override of '%.60s' must be append or replace", k);
			continue;
		}
		if (!strcmp(k, "condition") && json_is_string(v)) {
			struct srcpos cp = pos_of(lc, v, at);
			if (!app)
				ctext_free(&d->cond);
			ctext_append(&d->cond, json_string_value(v), json_string_length(v), &cp,
				     hh_yaml_pos_of(lc->docs, v));
		} else if (!strcmp(k, "exceptions")) {
			if (!app) {
				for (size_t i = 0; i < d->n_exc; i++) {
					free(d->exc[i].name);
					strvec_free(&d->exc[i].fields);
					strvec_free(&d->exc[i].comps);
					json_decref(d->exc[i].values);
				}
				d->n_exc = 0;
			}
			load_exceptions(lc, d, v, app);
		} else if (!strcmp(k, "tags")) {
			load_tags(lc, d, v, app);
		} else if (!strcmp(k, "output") && json_is_string(v)) {
			if (app && d->output) {
				size_t n = strlen(d->output) + json_string_length(v) + 2;
				char *s = malloc(n);
				if (s) {
					snprintf(s, n, "%s %s", d->output, json_string_value(v));
					free(d->output);
					d->output = s;
				}
			} else {
				set_str(&d->output, v);
			}
		} else if (!strcmp(k, "desc") && json_is_string(v)) {
			set_str(&d->desc, v);
		} else if (!strcmp(k, "priority") && json_is_string(v) && parse_priority(json_string_value(v), &d->sev)) {
			/* set */
		} else {
			struct srcpos p = pos_of(lc, v, at);
			rules_error(lc->r, &p, "rule", d->name, "cannot %s '%.60s' here", mode, k);
		}
	}
}

static void load_rule(struct loadctx *lc, const json_t *item, const struct srcpos *at)
{
	struct hh_rules *r = lc->r;
	const char *name = json_string_value(json_object_get(item, "rule"));
	if (!name || !*name) {
		rules_error(r, at, "rule", "", "'rule' must be a non-empty string");
		return;
	}
	const char *k;
	json_t *v;
	bool bad = false;
	json_object_foreach((json_t *)item, k, v) {
		size_t i = 0;
		while (rule_keys[i] && strcmp(rule_keys[i], k))
			i++;
		if (!rule_keys[i]) {
			struct srcpos p = pos_of(lc, v, at);
			rules_error(r, &p, "rule", name, "unknown key '%.60s'", k);
			bad = true;
		}
	}
	const json_t *src = json_object_get(item, "source");
	if (src && (!json_is_string(src) || strcmp(json_string_value(src), "syscall") != 0)) {
		struct srcpos p = pos_of(lc, src, at);
		rules_error(r, &p, "rule", name, "source '%.60s' is not supported (only syscall); rule skipped",
			    json_is_string(src) ? json_string_value(src) : "?");
		return;
	}
	bool append = get_bool(lc, item, "append", false, "rule", name, at);
	const json_t *ov = json_object_get(item, "override");
	struct rule_def *d = rules_find_rule(r, name);
	/* Appends, overrides and bare "enabled:" toggles modify an earlier rule. */
	bool toggle = !json_object_get(item, "condition") && json_object_get(item, "enabled") &&
		      !json_object_get(item, "output") && !json_object_get(item, "priority");
	if (append || ov || toggle) {
		if (!d) {
			rules_error(r, at, "rule", name, "%s a rule that is not defined (yet)",
				    append ? "append to" : ov ? "override of" : "enabled: for");
			return;
		}
		if (ov && !json_is_object(ov)) {
			rules_error(r, at, "rule", name, "'override' must be a mapping");
			return;
		}
		merge_rule(lc, d, item, ov, append, at);
		return;
	}
	if (bad)
		return;
	const json_t *cond = json_object_get(item, "condition");
	const json_t *out = json_object_get(item, "output");
	const json_t *prio = json_object_get(item, "priority");
	const char *missing = !json_is_string(cond) ? "condition" : !json_is_string(out) ? "output"
							      : !json_is_string(prio) ? "priority" : NULL;
	if (missing) {
		rules_error(r, at, "rule", name, "'%s' is required and must be a string", missing);
		return;
	}
	enum hh_severity sev;
	if (!parse_priority(json_string_value(prio), &sev)) {
		struct srcpos p = pos_of(lc, prio, at);
		rules_error(r, &p, "rule", name,
			    "unknown priority '%.40s' (Falco's EMERGENCY..DEBUG or info, low, medium, high, critical)",
			    json_string_value(prio));
		return;
	}
	double conf = 0.7;
	const json_t *cj = json_object_get(item, "confidence");
	if (cj) {
		if (!json_is_number(cj) || json_number_value(cj) < 0 || json_number_value(cj) > 1) {
			struct srcpos p = pos_of(lc, cj, at);
			rules_error(r, &p, "rule", name, "'confidence' must be a number in 0..1");
			return;
		}
		conf = json_number_value(cj);
	}
	char id[96];
	const json_t *idj = json_object_get(item, "id");
	if (idj) {
		if (!json_is_string(idj) || !valid_id(json_string_value(idj))) {
			struct srcpos p = pos_of(lc, idj, at);
			rules_error(r, &p, "rule", name, "'id' must be lower-case letters, digits, '.', '-', '_' (under 96 chars)");
			return;
		}
		hh_strlcpy(id, json_string_value(idj), sizeof(id));
	} else {
		derive_id(name, id, sizeof(id));
	}
	if (d) /* a redefinition replaces the earlier rule, as in Falco */
		d->dropped = true;
	for (size_t i = 0; i < r->n_rules; i++)
		if (!r->rules[i].dropped && strcmp(r->rules[i].id, id) == 0) {
			struct srcpos p = pos_of(lc, idj, at);
			rules_error(r, &p, "rule", name, "id '%s' is already used by rule '%.60s'", id, r->rules[i].name);
			return;
		}
	struct rule_def *a = grow(r->rules, &r->cap_rules, r->n_rules, sizeof(*a));
	if (!a)
		return;
	r->rules = a;
	d = &r->rules[r->n_rules++];
	memset(d, 0, sizeof(*d));
	d->name = strdup(name);
	d->builtin = r->scope_builtin;
	memcpy(d->id, id, sizeof(id));
	d->id_given = idj != NULL;
	d->sev = sev;
	d->conf = conf;
	d->at = *at;
	d->enabled = get_bool(lc, item, "enabled", true, "rule", name, at);
	d->skip_unknown = get_bool(lc, item, "skip-if-unknown-filter", false, "rule", name, at);
	const json_t *desc = json_object_get(item, "desc");
	d->desc = strdup(json_is_string(desc) ? json_string_value(desc) : "");
	d->output = strdup(json_string_value(out));
	d->output_at = pos_of(lc, out, at);
	d->cond_at = pos_of(lc, cond, at);
	ctext_append(&d->cond, json_string_value(cond), json_string_length(cond), &d->cond_at,
		     hh_yaml_pos_of(lc->docs, cond));
	if (json_object_get(item, "tags"))
		load_tags(lc, d, json_object_get(item, "tags"), false);
	if (json_object_get(item, "exceptions"))
		load_exceptions(lc, d, json_object_get(item, "exceptions"), false);
}

static void load_docs(struct hh_rules *r, struct hh_yaml_docs *docs, const struct srcfile *src)
{
	struct loadctx lc = { r, docs, src };
	size_t di;
	json_t *doc;
	json_array_foreach(docs->docs, di, doc) {
		if (json_is_null(doc))
			continue;
		if (!json_is_array(doc)) {
			struct srcpos p = pos_of(&lc, doc, NULL);
			rules_error(r, &p, NULL, NULL,
				    "a rule file is a YAML sequence of '- rule:', '- macro:' and '- list:' items");
			continue;
		}
		size_t i;
		json_t *item;
		json_array_foreach(doc, i, item) {
			struct srcpos at = pos_of(&lc, item, NULL);
			if (!json_is_object(item)) {
				rules_error(r, &at, NULL, NULL, "item %zu is not a mapping", i + 1);
				continue;
			}
			if (json_object_get(item, "rule"))
				load_rule(&lc, item, &at);
			else if (json_object_get(item, "macro"))
				load_macro(&lc, item, &at);
			else if (json_object_get(item, "list"))
				load_list(&lc, item, &at);
			else if (json_object_get(item, "required_engine_version") ||
				 json_object_get(item, "required_plugin_versions"))
				continue; /* Falco version gates: nothing to check here */
			else
				rules_error(r, &at, NULL, NULL, "item %zu is neither a rule, a macro nor a list", i + 1);
		}
	}
}

int hh_rules_load_buf(struct hh_rules *r, const char *buf, size_t len, const char *name)
{
	size_t before = r->n_errors;
	if (r->compiled) {
		rules_error(r, NULL, NULL, NULL, "%s: loaded after compile; ignored", name);
		return 1;
	}
	if (r->n_files >= RULES_MAX_FILES) {
		rules_error(r, NULL, NULL, NULL, "%s: too many rule files (limit %d)", name, RULES_MAX_FILES);
		return 1;
	}
	struct srcfile *src = calloc(1, sizeof(*src));
	struct srcfile **files = realloc(r->files, (r->n_files + 1) * sizeof(*files));
	if (files)
		r->files = files;
	if (!src || !files || !(src->name = strdup(name)) || !(src->buf = malloc(len + 1))) {
		if (src)
			free(src->name);
		free(src);
		rules_error(r, NULL, NULL, NULL, "%s: out of memory", name);
		return 1;
	}
	memcpy(src->buf, buf, len);
	src->buf[len] = '\0';
	src->len = len;
	r->files[r->n_files++] = src;
	struct hh_yaml_limits lim = { .max_bytes = RULES_MAX_FILE_BYTES, .max_depth = 32, .max_nodes = 1000000 };
	/* A YAML syntax error loses the whole top-level sequence. To keep the
	 * rules around it, blank the broken top-level item (keeping newlines, so
	 * lines and offsets stay true) and parse again, a bounded number of times. */
	char *work = NULL;
	struct hh_yaml_docs docs;
	for (int attempt = 0;; attempt++) {
		int rc = hh_yaml_load_buf(work ? work : buf, len, name, &lim, &docs);
		if (rc == 0)
			break;
		struct srcpos p = { src, 0, 0 };
		const char *e = docs.error;
		size_t nl = strlen(name);
		unsigned line = 0, col = 0;
		if (strncmp(e, name, nl) == 0 && e[nl] == ':') {
			int used = 0;
			if (sscanf(e + nl + 1, "%u:%u: %n", &line, &col, &used) == 2 && used > 0) {
				p.line = line;
				p.col = col;
				e += nl + 1 + used;
			} else {
				e += nl + 1;
				while (*e == ' ')
					e++;
			}
		}
		rules_error(r, &p, NULL, NULL, "YAML: %s", e);
		if (attempt >= 16 || line == 0 || (!work && !(work = malloc(len + 1)))) {
			if (attempt >= 16)
				rules_error(r, &p, NULL, NULL, "too many YAML errors; the rest of the file is not read");
			break;
		}
		if (attempt == 0)
			memcpy(work, buf, len);
		/* offset of the error line */
		size_t off = 0;
		for (unsigned l = 1; l < line && off < len; off++)
			if (work[off] == '\n')
				l++;
		size_t start = off;
		while (start > 0 && !(work[start] == '-' && work[start - 1] == '\n'))
			start--;
		size_t end = off;
		while (end < len && !(work[end] == '\n' && end + 1 < len && work[end + 1] == '-'))
			end++;
		bool changed = false;
		for (size_t i = start; i < end && i < len; i++)
			if (work[i] != '\n' && work[i] != ' ') {
				work[i] = ' ';
				changed = true;
			}
		if (!changed)
			break;
		hh_yaml_docs_free(&docs);
	}
	load_docs(r, &docs, src);
	free(work);
	hh_yaml_docs_free(&docs);
	return (int)(r->n_errors - before);
}

int hh_rules_load_builtin(struct hh_rules *r)
{
	r->scope_builtin = true;
	int n = hh_rules_load_buf(r, hh_embed_rules_miner_yaml, strlen(hh_embed_rules_miner_yaml),
				  "rules/miner.yaml");
	r->scope_builtin = false;
	return n;
}

static int load_file(struct hh_rules *r, const char *path)
{
	struct hh_buf b;
	char err[256];
	if (hh_read_file(path, RULES_MAX_FILE_BYTES, &b, err, sizeof(err)) < 0) {
		struct srcfile tmp = { (char *)path, NULL, 0 };
		struct srcpos p = { &tmp, 0, 0 };
		rules_error(r, &p, NULL, NULL, "%s", err);
		return 1;
	}
	int n = hh_rules_load_buf(r, b.data, b.len, path);
	hh_buf_free(&b);
	return n;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int hh_rules_load_path(struct hh_rules *r, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		struct srcfile tmp = { (char *)path, NULL, 0 };
		struct srcpos p = { &tmp, 0, 0 };
		rules_error(r, &p, NULL, NULL, "cannot read: %s", strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(r, path);
	DIR *dir = opendir(path);
	if (!dir) {
		struct srcfile tmp = { (char *)path, NULL, 0 };
		struct srcpos p = { &tmp, 0, 0 };
		rules_error(r, &p, NULL, NULL, "cannot open directory: %s", strerror(errno));
		return 1;
	}
	struct strvec names = { 0 };
	struct dirent *de;
	while ((de = readdir(dir)) && names.n < RULES_MAX_FILES) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.')
			continue;
		if ((n > 5 && !strcmp(de->d_name + n - 5, ".yaml")) || (n > 4 && !strcmp(de->d_name + n - 4, ".yml")))
			strvec_push(&names, de->d_name, n);
	}
	closedir(dir);
	qsort(names.v, names.n, sizeof(*names.v), cmp_strp);
	int errs = 0;
	for (size_t i = 0; i < names.n; i++) {
		char full[4096];
		if (hh_path_join(full, sizeof(full), path, names.v[i]) < 0)
			continue;
		errs += load_file(r, full);
	}
	strvec_free(&names);
	return errs;
}
