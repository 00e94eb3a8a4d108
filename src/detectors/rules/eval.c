/* The engine's public face: lifecycle, rule table, config, evaluation into
 * findings, and JSON events for `rules test`. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "detectors/rules/engine.h"

struct hh_rules *hh_rules_new(void)
{
	return calloc(1, sizeof(struct hh_rules));
}

void hh_rules_free(struct hh_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_rules; i++)
		rule_def_free(&r->rules[i]);
	free(r->rules);
	for (size_t i = 0; i < r->n_macros; i++) {
		free(r->macros[i].name);
		ctext_free(&r->macros[i].cond);
		cond_free(r->macros[i].ast);
	}
	free(r->macros);
	for (size_t i = 0; i < r->n_lists; i++) {
		free(r->lists[i].name);
		strvec_free(&r->lists[i].items);
		strvec_free(&r->lists[i].expanded);
	}
	free(r->lists);
	for (size_t i = 0; i < r->n_files; i++) {
		free(r->files[i]->name);
		free(r->files[i]->buf);
		free(r->files[i]);
	}
	free(r->files);
	free(r->errors);
	free(r);
}

int hh_rules_compile(struct hh_rules *r)
{
	return rules_compile_all(r);
}

size_t hh_rules_n_errors(const struct hh_rules *r)
{
	return r->n_errors;
}

const struct hh_rule_error *hh_rules_error(const struct hh_rules *r, size_t i)
{
	return i < r->n_errors ? &r->errors[i] : NULL;
}

/* Rules in load order, replaced definitions left out. */
static struct rule_def *nth_rule(const struct hh_rules *r, size_t i)
{
	for (size_t k = 0; k < r->n_rules; k++)
		if (!r->rules[k].dropped && i-- == 0)
			return &r->rules[k];
	return NULL;
}

size_t hh_rules_log_summary(const struct hh_rules *r)
{
	size_t loaded = 0, enabled = 0;
	for (size_t k = 0; k < r->n_rules; k++) {
		const struct rule_def *d = &r->rules[k];
		if (d->dropped || !d->loaded)
			continue;
		loaded++;
		enabled += d->enabled;
	}
	for (size_t i = 0; i < r->n_errors; i++) {
		char b[1024];
		hh_rule_error_format(&r->errors[i], b, sizeof(b));
		hh_warn("rules: %s", b);
	}
	/* Rules that loaded but cannot be honoured in full: said once, here. */
	size_t limited = 0;
	for (size_t k = 0; k < r->n_rules; k++) {
		const struct rule_def *d = &r->rules[k];
		if (d->dropped || !d->loaded || !d->limits[0])
			continue;
		limited++;
		hh_warn("rules: rule '%s' (%s:%u) loaded with limits: %s", d->name, d->at.src ? d->at.src->name : "",
			d->at.line, d->limits);
	}
	hh_info("rules: %zu loaded (%zu enabled, %zu with limits), %zu problem(s)%s", loaded, enabled, limited,
		r->n_errors, r->n_errors ? ": the rules named above did not load" : "");
	return loaded;
}

size_t hh_rules_count(const struct hh_rules *r)
{
	size_t n = 0;
	for (size_t k = 0; k < r->n_rules; k++)
		n += !r->rules[k].dropped;
	return n;
}

bool hh_rules_info(const struct hh_rules *r, size_t i, struct hh_rule_info *out)
{
	const struct rule_def *d = nth_rule(r, i);
	if (!d)
		return false;
	*out = (struct hh_rule_info){
		.id = d->id, .name = d->name, .desc = d->desc, .severity = d->sev, .confidence = d->conf,
		.tags = (const char *const *)d->tags.v, .n_tags = d->tags.n, .enabled = d->enabled,
		.loaded = d->loaded, .file = d->at.src ? d->at.src->name : "", .line = d->at.line,
		.limits = d->limits, .inert = d->inert, .builtin = d->builtin,
	};
	return true;
}

bool hh_rules_set_enabled(struct hh_rules *r, const char *id, bool enabled)
{
	bool hit = false;
	for (size_t k = 0; k < r->n_rules; k++) {
		struct rule_def *d = &r->rules[k];
		if (!d->dropped && (strcmp(d->id, id) == 0 || strcmp(d->name, id) == 0)) {
			d->enabled = enabled;
			hit = true;
		}
	}
	return hit;
}

void hh_rules_apply_config(struct hh_rules *r, const struct hh_config *cfg)
{
	static const char *const keys[] = { "rules.enabled", "rules.disabled" };
	for (int k = 0; k < 2; k++) {
		const json_t *a = hh_config_get(cfg, NULL, keys[k]);
		size_t i;
		json_t *v;
		json_array_foreach(a, i, v)
			if (json_is_string(v) && !hh_rules_set_enabled(r, json_string_value(v), k == 0))
				rules_error(r, NULL, NULL, NULL, "config %s: no rule '%.80s'", keys[k], json_string_value(v));
	}
}

int hh_rules_load_all(struct hh_rules *r, const struct hh_config *cfg, bool builtin,
		      const char *const *paths, size_t n)
{
	if (builtin && (!cfg || hh_config_bool(cfg, NULL, "rules.builtin", true)))
		hh_rules_load_builtin(r);
	if (cfg) {
		const json_t *files = hh_config_get(cfg, NULL, "rules.files");
		size_t i;
		json_t *v;
		json_array_foreach(files, i, v)
			if (json_is_string(v))
				hh_rules_load_path(r, json_string_value(v));
	}
	for (size_t i = 0; i < n; i++)
		hh_rules_load_path(r, paths[i]);
	hh_rules_compile(r);
	if (cfg)
		hh_rules_apply_config(r, cfg);
	return (int)r->n_errors;
}

int hh_rules_load_config(struct hh_rules *r, const struct hh_config *cfg)
{
	return hh_rules_load_all(r, cfg, true, NULL, 0);
}

void hh_rules_stats(const struct hh_rules *r, struct hh_rules_stats *out)
{
	*out = r->stats;
}

/* ---- findings ---- */

struct sbuf {
	char *p;
	size_t n, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t len)
{
	if (b->n + 1 >= b->cap)
		return;
	if (len > b->cap - b->n - 1)
		len = b->cap - b->n - 1;
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static void value_text(const struct field_ref *f, struct rule_ctx *c, struct sbuf *b)
{
	struct fval v;
	char num[32];
	for (size_t i = 0; field_get(f, c, i, &v); i++) {
		if (i)
			sb_add(b, ",", 1);
		switch (f->type) {
		case FT_STR:
		case FT_IP:
		case FT_EVTYPE:
			sb_add(b, v.s, strlen(v.s));
			break;
		case FT_NUM:
			snprintf(num, sizeof(num), "%lld", v.n);
			sb_add(b, num, strlen(num));
			break;
		case FT_BOOL:
			sb_add(b, v.n ? "true" : "false", v.n ? 4 : 5);
			break;
		}
	}
}

static void render_output(const struct rule_def *d, struct rule_ctx *c, char *out, size_t n)
{
	struct sbuf b = { out, 0, n };
	out[0] = '\0';
	for (size_t i = 0; i < d->n_tmpl; i++) {
		const struct tmpl_seg *s = &d->tmpl[i];
		if (s->lit) {
			sb_add(&b, s->lit, strlen(s->lit));
		} else if (s->na_name) {
			sb_add(&b, "<NA>", 4);
		} else if (s->is_time) {
			char t[40];
			hh_format_time(c->ev->time > 0 ? c->ev->time : hh_now(), t, sizeof(t));
			sb_add(&b, t, strlen(t));
		} else {
			size_t before = b.n;
			value_text(&s->field, c, &b);
			if (b.n == before)
				sb_add(&b, "<NA>", 4); /* as Falco prints missing values */
		}
	}
	while (b.n > 0 && (out[b.n - 1] == '\n' || out[b.n - 1] == ' ')) /* folded YAML leaves a newline */
		out[--b.n] = '\0';
}

struct collect {
	struct hh_finding *f;
};

static void add_leaf(void *ud, const struct cnode *leaf, struct rule_ctx *c)
{
	struct collect *cl = ud;
	if (leaf->field.type == FT_NUM && !leaf->field.multi) {
		struct fval v;
		field_get(&leaf->field, c, 0, &v);
		hh_finding_evidence_num(cl->f, leaf->text, (double)v.n);
		return;
	}
	char buf[1024];
	struct sbuf b = { buf, 0, sizeof(buf) };
	buf[0] = '\0';
	value_text(&leaf->field, c, &b);
	hh_finding_evidence_str(cl->f, leaf->text, buf);
}

static bool is_mitre(const char *t)
{
	/* T1496, T1611, T1059.004 */
	if (t[0] != 'T' || strlen(t) < 5)
		return false;
	for (int i = 1; i < 5; i++)
		if (t[i] < '0' || t[i] > '9')
			return false;
	return t[5] == '\0' || (t[5] == '.' && strlen(t) == 9);
}

static struct hh_finding *make_finding(const struct rule_def *d, struct rule_ctx *c)
{
	const struct hh_event *e = c->ev;
	struct hh_finding *f = hh_finding_new("agent", d->id, d->name, d->sev, d->conf);
	if (!f)
		return NULL;
	if (e->time > 0)
		f->time = e->time;
	for (size_t i = 0; i < d->tags.n; i++)
		if (is_mitre(d->tags.v[i]))
			hh_finding_add_mitre(f, d->tags.v[i]);
	hh_finding_set_workload(f, &e->workload);
	hh_finding_set_str(f, "evt.type", hh_event_type_name(e->type));
	hh_finding_set_int(f, "proc.pid", e->pid);
	hh_finding_set_int(f, "proc.ppid", e->ppid);
	hh_finding_set_int(f, "user.uid", e->uid);
	const struct { const char *k; const char *v; } strs[] = {
		{ "proc.name", e->comm }, { "proc.exepath", e->exepath }, { "proc.cmdline", e->cmdline },
		{ "proc.pname", e->pcomm }, { "proc.exe.miner_traits", e->exe_traits }, { "fd.name", e->path },
		{ "fd.sip", e->sip }, { "fd.sip.name", e->sip_name }, { "evt.dns.query", e->dns_query },
	};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strs[i].v[0])
			hh_finding_set_str(f, strs[i].k, strs[i].v);
	if (e->family || e->sport) {
		hh_finding_set_int(f, "fd.sport", e->sport);
		if (e->l4proto)
			hh_finding_set_str(f, "fd.l4proto", e->l4proto == IPPROTO_TCP ? "tcp" : e->l4proto == IPPROTO_UDP ? "udp" : "other");
	}
	if (e->type == HH_EV_FPU) {
		hh_finding_set_int(f, "proc.fpu.switches", (long long)e->fpu_switches);
		hh_finding_set_int(f, "proc.fpu.nondefault_switches", (long long)e->fpu_nondefault_switches);
	}
	/* The output's own fields (Falco's output_fields), where not set above. */
	for (size_t i = 0; i < d->n_tmpl; i++) {
		const struct tmpl_seg *s = &d->tmpl[i];
		if (s->lit || s->is_time || s->na_name || s->field.arg[0] || s->field.index >= 0)
			continue;
		const char *name = field_name(&s->field);
		if (json_object_get(f->fields, name))
			continue;
		struct fval v;
		if (!field_get(&s->field, c, 0, &v))
			continue;
		if (s->field.type == FT_NUM)
			hh_finding_set_int(f, name, v.n);
		else if (s->field.type == FT_BOOL)
			hh_finding_set_str(f, name, v.n ? "true" : "false");
		else if (v.s[0])
			hh_finding_set_str(f, name, v.s);
	}
	char out[RULES_MAX_OUTPUT];
	render_output(d, c, out, sizeof(out));
	hh_finding_evidence_str(f, "output", out);
	struct collect cl = { f };
	size_t max = RULES_MAX_EVIDENCE;
	cond_collect(d->ast, c, add_leaf, &cl, &max);
	return f;
}

static bool disabled_for(const json_t *list, const char *id)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
			return true;
	return false;
}

size_t hh_rules_eval(struct hh_rules *r, const struct hh_event *ev, const struct hh_config *cfg,
		     struct hh_findings *out)
{
	struct rule_ctx c;
	rule_ctx_init(&c, ev);
	unsigned bit = 1u << ((unsigned)ev->type & 31);
	size_t added = 0;
	const json_t *disabled = NULL;
	bool looked = false;
	r->stats.events++;
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct rule_def *d = &r->rules[i];
		if (!d->loaded || !d->enabled || d->dropped || !(d->evmask & bit))
			continue;
		r->stats.evaluations++;
		if (!cond_eval(d->ast, &c))
			continue;
		if (cfg && !looked) {
			disabled = hh_config_get(cfg, &ev->workload, "rules.disabled");
			looked = true;
		}
		if (disabled && disabled_for(disabled, d->id))
			continue;
		struct hh_finding *f = make_finding(d, &c);
		if (!f)
			continue;
		hh_findings_push(out, f);
		r->stats.matches++;
		added++;
	}
	return added;
}

/* ---- events from JSON (rules test) ---- */

int hh_event_from_json(const json_t *obj, struct hh_event *ev, char *err, size_t errlen)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = HH_EV_EXEC;
	if (!json_is_object(obj)) {
		snprintf(err, errlen, "an event must be a JSON object");
		return -1;
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		const char *s = json_is_string(v) ? json_string_value(v) : NULL;
		long long n = json_is_integer(v) ? (long long)json_integer_value(v) : 0;
		bool b = json_is_true(v);
		bool want_str = false, want_num = false, want_bool = false;
#define STR(key, dst) else if (!strcmp(k, key)) { want_str = true; if (s) hh_strlcpy(dst, s, sizeof(dst)); }
#define NUM(key, dst) else if (!strcmp(k, key)) { want_num = true; dst = n; }
#define BOOL(key, dst) else if (!strcmp(k, key)) { want_bool = true; dst = b; }
		if (!strcmp(k, "evt.type")) {
			want_str = true;
			int t = s ? field_evtype_parse(s) : -1;
			if (t < 0) {
				snprintf(err, errlen, "evt.type: unknown event type '%.60s'", s ? s : "(not a string)");
				return -1;
			}
			ev->type = (enum hh_event_type)t;
		} else if (!strcmp(k, "evt.time")) {
			want_num = false;
			if (!json_is_number(v)) {
				snprintf(err, errlen, "evt.time must be seconds since the epoch");
				return -1;
			}
			ev->time = json_number_value(v);
			continue;
		}
		STR("proc.name", ev->comm)
		STR("proc.exepath", ev->exepath)
		STR("proc.cmdline", ev->cmdline)
		STR("proc.pname", ev->pcomm)
		STR("proc.exe.miner_traits", ev->exe_traits)
		STR("proc.exe.sha256", ev->exe_sha256)
		STR("fd.name", ev->path)
		STR("fd.sip.name", ev->sip_name)
		STR("evt.dns.query", ev->dns_query)
		STR("container.id", ev->workload.container_id)
		STR("container.name", ev->workload.container_name)
		STR("container.image", ev->workload.image)
		STR("container.runtime", ev->workload.runtime)
		STR("k8s.ns.name", ev->workload.pod_namespace)
		STR("k8s.pod.name", ev->workload.pod_name)
		NUM("proc.pid", ev->pid)
		NUM("thread.tid", ev->tid)
		NUM("proc.ppid", ev->ppid)
		NUM("user.uid", ev->uid)
		NUM("group.gid", ev->gid)
		NUM("fd.sport", ev->sport)
		NUM("evt.rawres", ev->ret)
		NUM("evt.arg.flags", ev->flags)
		NUM("evt.open_flags", ev->open_flags)
		NUM("proc.fpu.switches", ev->fpu_switches)
		NUM("proc.fpu.nondefault_switches", ev->fpu_nondefault_switches)
		NUM("proc.fpu.mxcsr", ev->mxcsr_last)
		BOOL("proc.is_exe_upper_layer", ev->exe_upper_layer)
		BOOL("proc.is_exe_from_memfd", ev->exe_memfd)
		BOOL("proc.exe_deleted", ev->exe_deleted)
		BOOL("proc.cmdline_truncated", ev->cmdline_truncated)
		else if (!strcmp(k, "fd.sip")) {
			want_str = true;
			if (s) {
				hh_strlcpy(ev->sip, s, sizeof(ev->sip));
				unsigned char a[16];
				ev->family = inet_pton(AF_INET, s, a) == 1 ? 4 : inet_pton(AF_INET6, s, a) == 1 ? 6 : 0;
			}
		} else if (!strcmp(k, "fd.l4proto")) {
			want_str = true;
			if (s)
				ev->l4proto = !strcmp(s, "tcp") ? IPPROTO_TCP : !strcmp(s, "udp") ? IPPROTO_UDP : 0;
		} else if (!strcmp(k, "evt.is_open_write")) {
			want_bool = true;
			ev->open_flags = b ? 01 /* O_WRONLY */ : 0;
		} else if (!strcmp(k, "proc.env")) {
			/* an object {"NAME": "value"} or a string "A=1\nB=2" */
			if (json_is_object(v)) {
				const char *ek;
				json_t *evv;
				size_t used = 0;
				json_object_foreach(v, ek, evv) {
					int w = snprintf(ev->env + used, sizeof(ev->env) - used, "%s%s=%s", used ? "\n" : "", ek,
							 json_is_string(evv) ? json_string_value(evv) : "");
					if (w < 0 || (size_t)w >= sizeof(ev->env) - used)
						break;
					used += (size_t)w;
				}
				continue;
			}
			want_str = true;
			if (s)
				hh_strlcpy(ev->env, s, sizeof(ev->env));
		} else if (!strcmp(k, "proc.aname")) {
			if (!json_is_array(v)) {
				snprintf(err, errlen, "proc.aname must be an array of names, parent first");
				return -1;
			}
			size_t i;
			json_t *a;
			json_array_foreach(v, i, a) {
				if (i >= HH_EV_MAX_ANCESTORS || !json_is_string(a))
					break;
				hh_strlcpy(ev->ancestors[i], json_string_value(a), sizeof(ev->ancestors[i]));
				ev->n_ancestors = (uint8_t)(i + 1);
			}
			continue;
		} else if (!strcmp(k, "k8s.pod.labels") && json_is_object(v)) {
			const char *lk;
			json_t *lv;
			json_object_foreach(v, lk, lv)
				if (json_is_string(lv))
					hh_workload_add_label(&ev->workload, lk, json_string_value(lv));
			continue;
		} else {
			snprintf(err, errlen, "unknown event field '%.80s'", k);
			return -1;
		}
#undef STR
#undef NUM
#undef BOOL
		if ((want_str && !s) || (want_num && !json_is_integer(v)) || (want_bool && !json_is_boolean(v))) {
			snprintf(err, errlen, "%.80s must be %s", k, want_str ? "a string" : want_num ? "an integer" : "true or false");
			return -1;
		}
	}
	if (!ev->pcomm[0] && ev->n_ancestors)
		hh_strlcpy(ev->pcomm, ev->ancestors[0], sizeof(ev->pcomm));
	return 0;
}
