/* Compiling loaded definitions: list expansion, macros (once each, shared
 * by reference), rule conditions with their exceptions, output templates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detectors/rules/engine.h"

static int resolve_list(struct hh_rules *r, struct list_def *l, unsigned depth)
{
	if (l->state == 2)
		return 0;
	if (l->state == 1 || depth > RULES_MAX_MACRO_NESTING) {
		rules_error(r, &l->at, "list", l->name, "list refers to itself (cycle) or nests too deeply");
		return -1;
	}
	l->state = 1;
	bool scope = r->scope_builtin;
	r->scope_builtin = l->builtin;
	for (size_t i = 0; i < l->items.n; i++) {
		struct list_def *sub = rules_find_list(r, l->items.v[i]);
		if (sub && sub != l && resolve_list(r, sub, depth + 1) == 0) {
			for (size_t j = 0; j < sub->expanded.n && l->expanded.n < COND_MAX_NODES; j++)
				strvec_push(&l->expanded, sub->expanded.v[j], strlen(sub->expanded.v[j]));
		} else {
			/* Falco lists quote some items ('"10.0.0.0/8"'): the quotes are
			 * condition syntax there, not part of the value. */
			const char *it = l->items.v[i];
			size_t n = strlen(it);
			if (n >= 2 && (it[0] == '"' || it[0] == '\'') && it[n - 1] == it[0])
				strvec_push(&l->expanded, it + 1, n - 2);
			else
				strvec_push(&l->expanded, it, n);
		}
	}
	r->scope_builtin = scope;
	l->state = 2;
	return 0;
}

static const struct strvec *env_list(void *ud, const char *name)
{
	struct hh_rules *r = ud;
	struct list_def *l = rules_find_list(r, name);
	if (!l || resolve_list(r, l, 0) < 0)
		return NULL;
	return &l->expanded;
}

static int env_macro(void *ud, const char *name, const struct cnode **out, char *err, size_t errlen);

static struct cond_env engine_env(struct hh_rules *r)
{
	return (struct cond_env){ r, env_macro, env_list };
}

static void compile_macro(struct hh_rules *r, struct macro_def *m)
{
	if (m->state >= 2)
		return;
	if (r->macro_nesting >= RULES_MAX_MACRO_NESTING) {
		m->state = 3;
		snprintf(m->why, sizeof(m->why), "macros nested more than %d deep", RULES_MAX_MACRO_NESTING);
		rules_error(r, &m->at, "macro", m->name, "%s", m->why);
		return;
	}
	m->state = 1;
	r->macro_nesting++;
	bool scope = r->scope_builtin;
	r->scope_builtin = m->builtin;
	struct cond_env env = engine_env(r);
	struct cond_error ce;
	m->ast = cond_compile(m->cond.s ? m->cond.s : "", m->cond.len, &env, &ce);
	r->scope_builtin = scope;
	r->macro_nesting--;
	if (!m->ast) {
		m->state = 3;
		snprintf(m->why, sizeof(m->why), "%.380s", ce.msg);
		struct srcpos at = m->cond.n ? ctext_locate(&m->cond, ce.offset) : m->at;
		rules_error(r, &at, "macro", m->name, "%s", ce.msg);
		return;
	}
	m->state = 2;
	/* Per-event memo slot (macros past the limit are simply re-evaluated). */
	if (m->ast->memo == 0 && r->n_memo < RULE_CTX_MEMO)
		m->ast->memo = ++r->n_memo;
}

static int env_macro(void *ud, const char *name, const struct cnode **out, char *err, size_t errlen)
{
	struct hh_rules *r = ud;
	struct macro_def *m = rules_find_macro(r, name);
	if (!m)
		return 0;
	if (m->state == 1) {
		snprintf(err, errlen, "macro '%.60s' refers to itself (cycle)", name);
		*out = NULL;
		return 1;
	}
	compile_macro(r, m);
	*out = m->state == 2 ? m->ast : NULL;
	if (!*out)
		snprintf(err, errlen, "%s", m->why);
	return 1;
}

/* One exception value tuple -> AND of comparisons. */
static struct cnode *exc_tuple(struct hh_rules *r, const struct exc_def *x, const json_t *tuple,
			       char *err, size_t errlen)
{
	struct cond_env env = engine_env(r);
	size_t nf = x->fields.n;
	if (!json_is_array(tuple) || json_array_size(tuple) != nf) {
		snprintf(err, errlen, "exception '%.60s': each value must be a sequence of %zu item(s), one per field",
			 x->name, nf);
		return NULL;
	}
	struct cnode **kids = calloc(nf ? nf : 1, sizeof(*kids));
	if (!kids)
		return NULL;
	for (size_t i = 0; i < nf; i++) {
		const json_t *v = json_array_get(tuple, i);
		struct strvec vals = { 0 };
		char nb[64];
		if (json_is_array(v)) {
			size_t j;
			json_t *e;
			json_array_foreach(v, j, e) {
				const char *s = json_is_string(e) ? json_string_value(e)
								  : json_is_integer(e) ? (snprintf(nb, sizeof(nb), "%lld", (long long)json_integer_value(e)), nb) : NULL;
				if (s)
					strvec_push(&vals, s, strlen(s));
			}
		} else if (json_is_string(v)) {
			strvec_push(&vals, json_string_value(v), json_string_length(v));
		} else if (json_is_integer(v)) {
			snprintf(nb, sizeof(nb), "%lld", (long long)json_integer_value(v));
			strvec_push(&vals, nb, strlen(nb));
		} else if (json_is_boolean(v)) {
			strvec_push(&vals, json_is_true(v) ? "true" : "false", json_is_true(v) ? 4 : 5);
		}
		char e2[384];
		kids[i] = cond_make_cmp(x->fields.v[i], x->comps.v[i], &vals, &env, e2, sizeof(e2));
		strvec_free(&vals);
		if (!kids[i]) {
			snprintf(err, errlen, "exception '%.60s': %s", x->name, e2);
			for (size_t j = 0; j < i; j++)
				cond_free(kids[j]);
			free(kids);
			return NULL;
		}
	}
	struct cnode *n = nf == 1 ? kids[0] : cond_make(CN_AND, kids, nf);
	free(kids);
	return n;
}

/* All exceptions of a rule -> one OR node (NULL with no error when none). */
static struct cnode *build_exceptions(struct hh_rules *r, const struct rule_def *d, char *err, size_t errlen,
				      struct srcpos *where)
{
	struct cnode **alts = NULL;
	size_t n = 0;
	err[0] = '\0';
	for (size_t i = 0; i < d->n_exc && !err[0]; i++) {
		const struct exc_def *x = &d->exc[i];
		*where = x->at;
		if (x->fields.n == 0)
			continue;
		size_t j;
		json_t *v;
		json_t *tuples = x->values;
		if (x->single) {
			/* fields: F, comps: in, values: [a, b] -> F in (a, b);
			 * with a scalar comparison, one alternative per value. */
			const char *cp = x->comps.v[0];
			bool lst = !strcmp(cp, "in") || !strcmp(cp, "intersects") || !strcmp(cp, "pmatch");
			tuples = json_array();
			if (lst && json_array_size(x->values))
				json_array_append_new(tuples, json_pack("[O]", x->values));
			else if (!lst)
				json_array_foreach(x->values, j, v)
					json_array_append_new(tuples, json_pack("[O]", v));
		}
		json_array_foreach(tuples, j, v) {
			struct cnode *c = exc_tuple(r, x, v, err, errlen);
			if (!c)
				break;
			struct cnode **a = realloc(alts, (n + 1) * sizeof(*a));
			if (!a) {
				cond_free(c);
				break;
			}
			alts = a;
			alts[n++] = c;
		}
		if (tuples != x->values)
			json_decref(tuples);
	}
	if (err[0]) {
		for (size_t i = 0; i < n; i++)
			cond_free(alts[i]);
		free(alts);
		return NULL;
	}
	struct cnode *o = n ? cond_make(CN_OR, alts, n) : NULL;
	free(alts);
	return o;
}

/* Appends "what" to the rule's limits once (bounded). */
static void add_limit(struct rule_def *d, const char *what)
{
	if (strstr(d->limits, what))
		return;
	size_t n = strlen(d->limits);
	snprintf(d->limits + n, sizeof(d->limits) - n, "%s%s", n ? "; " : "", what);
}

/* Notes the condition's fields that are always <NA>. */
static void note_unavailable(struct rule_def *d, const struct cnode *n)
{
	switch (n->kind) {
	case CN_AND:
	case CN_OR:
	case CN_NOT:
		for (size_t i = 0; i < n->n_kids; i++)
			note_unavailable(d, n->kids[i]);
		return;
	case CN_MACRO: note_unavailable(d, n->macro); return;
	case CN_CMP: {
		const char *why;
		if (field_unavailable(&n->field, &why)) {
			char t[160];
			snprintf(t, sizeof(t), "condition field %s is never available", field_name(&n->field));
			add_limit(d, t);
		}
		return;
	}
	}
}

static void tmpl_free(struct rule_def *d)
{
	for (size_t i = 0; i < d->n_tmpl; i++) {
		free(d->tmpl[i].lit);
		free(d->tmpl[i].na_name);
	}
	free(d->tmpl);
	d->tmpl = NULL;
	d->n_tmpl = 0;
}

static int tmpl_push(struct rule_def *d, const struct tmpl_seg *s)
{
	struct tmpl_seg *t = realloc(d->tmpl, (d->n_tmpl + 1) * sizeof(*t));
	if (!t)
		return -1;
	d->tmpl = t;
	d->tmpl[d->n_tmpl++] = *s;
	return 0;
}

static bool tmpl_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
	       c == '_' || c == '[' || c == ']';
}

/* Falco output syntax: literal text with %field references. */
static int compile_template(struct hh_rules *r, struct rule_def *d)
{
	const char *s = d->output;
	size_t lit_start = 0, i = 0, len = strlen(s);
	while (i < len) {
		if (s[i] != '%' || i + 1 >= len || !tmpl_char(s[i + 1])) {
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < len && tmpl_char(s[j]) && (s[j] != ']' || memchr(s + i, '[', j - i)))
			j++;
		while (j > i + 1 && s[j - 1] == '.') /* "pid=%proc.pid." */
			j--;
		struct tmpl_seg seg = { 0 };
		if (i > lit_start) {
			seg.lit = strndup(s + lit_start, i - lit_start);
			if (!seg.lit || tmpl_push(d, &seg) < 0)
				return -1;
		}
		memset(&seg, 0, sizeof(seg));
		char err[256];
		if (j - i - 1 == 8 && memcmp(s + i + 1, "evt.time", 8) == 0) {
			seg.is_time = true;
		} else if (field_resolve(s + i + 1, j - i - 1, &seg.field, err, sizeof(err)) < 0) {
			if (!strstr(err, "unknown field")) {
				rules_error(r, &d->output_at, "rule", d->name, "output: %s", err);
				return -1;
			}
			/* An output field we cannot fill is <NA>, never an error. */
			seg.na_name = strndup(s + i + 1, j - i - 1);
			if (!seg.na_name)
				return -1;
			char t[160];
			snprintf(t, sizeof(t), "output field %s unknown (<NA>)", seg.na_name);
			add_limit(d, t);
		} else if (field_unavailable(&seg.field, NULL)) {
			char t[160];
			snprintf(t, sizeof(t), "output field %s never available (<NA>)", field_name(&seg.field));
			add_limit(d, t);
		}
		if (tmpl_push(d, &seg) < 0)
			return -1;
		i = lit_start = j;
	}
	if (len > lit_start) {
		struct tmpl_seg seg = { .lit = strdup(s + lit_start) };
		if (!seg.lit || tmpl_push(d, &seg) < 0)
			return -1;
	}
	return 0;
}

static void compile_rule(struct hh_rules *r, struct rule_def *d)
{
	r->scope_builtin = d->builtin;
	struct cond_env env = engine_env(r);
	struct cond_error ce;
	struct cnode *c = cond_compile(d->cond.s ? d->cond.s : "", d->cond.len, &env, &ce);
	if (!c) {
		if (d->skip_unknown && strstr(ce.msg, "unknown field")) {
			struct srcpos at = ctext_locate(&d->cond, ce.offset);
			rules_error(r, &at, "rule", d->name, "skipped (skip-if-unknown-filter): %s", ce.msg);
			return;
		}
		struct srcpos at = d->cond.n ? ctext_locate(&d->cond, ce.offset) : d->at;
		rules_error(r, &at, "rule", d->name, "%s", ce.msg);
		return;
	}
	char err[512];
	struct srcpos where = d->at;
	struct cnode *exc = build_exceptions(r, d, err, sizeof(err), &where);
	if (err[0]) {
		cond_free(c);
		rules_error(r, &where, "rule", d->name, "%s", err);
		return;
	}
	if (exc) {
		struct cnode *nk[1] = { exc };
		struct cnode *notx = cond_make(CN_NOT, nk, 1);
		struct cnode *both[2] = { c, notx };
		c = notx ? cond_make(CN_AND, both, 2) : NULL;
		if (!c) {
			rules_error(r, &d->at, "rule", d->name, "out of memory");
			return;
		}
	}
	if (compile_template(r, d) < 0) {
		cond_free(c);
		tmpl_free(d);
		return;
	}
	d->ast = c;
	d->evmask = cond_evmask(c);
	d->loaded = true;
	note_unavailable(d, c);
	if (!(d->evmask & ~(1u << FIELD_EVTYPE_UNSEEN))) {
		d->inert = true;
		add_limit(d, "watches only system calls hashhound does not trace: never fires");
	}
	d->tag_ptrs = calloc(d->tags.n ? d->tags.n : 1, sizeof(*d->tag_ptrs));
	for (size_t i = 0; d->tag_ptrs && i < d->tags.n; i++)
		d->tag_ptrs[i] = d->tags.v[i];
}

int rules_compile_all(struct hh_rules *r)
{
	if (r->compiled)
		return (int)r->n_errors;
	r->compiled = true;
	for (size_t i = 0; i < r->n_lists; i++)
		resolve_list(r, &r->lists[i], 0);
	for (size_t i = 0; i < r->n_macros; i++)
		compile_macro(r, &r->macros[i]);
	for (size_t i = 0; i < r->n_rules; i++)
		if (!r->rules[i].dropped)
			compile_rule(r, &r->rules[i]);
	r->scope_builtin = false;
	return (int)r->n_errors;
}

void rule_def_free(struct rule_def *d)
{
	free(d->name);
	free(d->desc);
	free(d->output);
	strvec_free(&d->tags);
	ctext_free(&d->cond);
	for (size_t i = 0; i < d->n_exc; i++) {
		free(d->exc[i].name);
		strvec_free(&d->exc[i].fields);
		strvec_free(&d->exc[i].comps);
		json_decref(d->exc[i].values);
	}
	free(d->exc);
	cond_free(d->ast);
	tmpl_free(d);
	free(d->tag_ptrs);
}
