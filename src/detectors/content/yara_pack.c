/* YARA rule pack (see yara_pack.h). */
#include <stdio.h>

#include "detectors/content/yara_pack.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yara.h>

#include "core/fileio.h"
#include "core/log.h"
#include "detectors/indicators/exe_traits.h"
#include "detectors/indicators/multimatch.h"
#include "embed/rules_yara_algorithms_yar.h"
#include "embed/rules_yara_browser_yar.h"
#include "embed/rules_yara_miners_yar.h"

#define EXE_ATOM 8

struct hh_yara_pack {
	YR_RULES *rules;
	YR_RULES *text_rules;   /* the rules that can say something about a text file */
	size_t n_rules;
	/* Text prefilter: the literal strings of the text rules, when each of
	 * those rules needs one of its strings to match (the built-in browser
	 * rules: "N of them"; meta prefilter narrows a rule to the strings its
	 * condition requires, e.g. "$ws and 3 of ($m*)": "$ws"). Text holding none of them cannot match: YARA's
	 * pass is skipped. Off (has_pre false) with user rules, whose
	 * conditions are not known. */
	bool has_pre;
	struct hh_mm pre;
	struct hh_mm_pattern pre_pats[HH_MM_MAX_PATTERNS];
	char *pre_text[HH_MM_MAX_PATTERNS];
	size_t n_pre;
	/* Executable prefilter, the same idea for the full rule set: an atom
	 * (a stretch of up to EXE_ATOM bytes) of every string a rule may need,
	 * plus the trait strings one of which hh_traits_result needs. An
	 * executable holding none of them matches no rule and has no traits:
	 * YARA's pass over it is skipped (most programs and libraries: its
	 * automaton costs several times this pass per byte). Off with user rules. */
	bool has_exe_pre;
	struct hh_mm exe_pre;
	struct hh_mm_pattern exe_pats[HH_MM_MAX_PATTERNS];
	uint8_t exe_atoms[HH_MM_MAX_PATTERNS][EXE_ATOM + 1];
	size_t n_exe;
};

/* for_text: the file's rules can match plain text (the others look for
 * executables or binary constants: their hits on text are never reported). */
static const struct {
	const char *name, *text;
	bool for_text;
} builtin[] = {
	{ "rules/yara/miners.yar", hh_embed_rules_yara_miners_yar, false },
	{ "rules/yara/browser.yar", hh_embed_rules_yara_browser_yar, true },
	{ "rules/yara/algorithms.yar", hh_embed_rules_yara_algorithms_yar, false },
};

/* The executable trait strings (exe_traits.h) ride along in the full rule
 * set as one more rule: YARA passes over every executable anyway, so the
 * traits come out of that pass instead of a second one over the same bytes.
 * Never reported as a hit; $t<i> is trait pattern i. */
#define TRAITS_RULE "hh__exe_traits"
#define TRAITS_RULE_MAX 8192

#define MAX_USER_FILES 1024
#define MAX_RULE_FILE (16u << 20)

static int yara_users;

struct compile_err {
	char *buf;
	size_t len;
	const char *file;
	int errors;
};

static void compile_cb(int level, const char *file, int line, const YR_RULE *rule, const char *msg, void *user)
{
	struct compile_err *ce = user;
	if (level != YARA_ERROR_LEVEL_ERROR)
		return;
	if (!ce->errors++)
		snprintf(ce->buf, ce->len, "%s:%d: %s", file ? file : ce->file, line, msg);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_file(YR_COMPILER *c, struct compile_err *ce, const char *path)
{
	struct hh_buf b;
	char e[256];
	if (hh_read_file(path, MAX_RULE_FILE, &b, e, sizeof(e)) < 0) {
		snprintf(ce->buf, ce->len, "%s", e);
		return -1;
	}
	ce->file = path;
	int n = yr_compiler_add_string(c, b.data, NULL);
	hh_buf_free(&b);
	return n ? -1 : 0;
}

static int add_path(YR_COMPILER *c, struct compile_err *ce, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		snprintf(ce->buf, ce->len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return add_file(c, ce, path);
	DIR *d = opendir(path);
	if (!d) {
		snprintf(ce->buf, ce->len, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *names[MAX_USER_FILES];
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < MAX_USER_FILES) {
		const char *dot = strrchr(de->d_name, '.');
		if (de->d_name[0] == '.' || !dot || (strcmp(dot, ".yar") && strcmp(dot, ".yara")))
			continue;
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char full[4096];
		if (!rc && snprintf(full, sizeof(full), "%s/%s", path, names[i]) < (int)sizeof(full))
			rc = add_file(c, ce, full);
		free(names[i]);
	}
	if (!n && !rc) {
		snprintf(ce->buf, ce->len, "%s: no .yar or .yara files", path);
		rc = -1;
	}
	return rc;
}

/* "rule hh__exe_traits { strings: $t0 = "..." ... condition: any of them }" */
static int traits_rule(char *out, size_t n)
{
	const char *t[64];
	size_t nt = hh_traits_patterns(t, 64);
	size_t used = (size_t)snprintf(out, n, "rule %s\n{\n    strings:\n", TRAITS_RULE);
	for (size_t i = 0; i < nt && used < n; i++) {
		used += (size_t)snprintf(out + used, n - used, "        $t%zu = \"", i);
		for (const char *c = t[i]; *c && used + 2 < n; c++) {
			if (*c == '"' || *c == '\\')
				out[used++] = '\\';
			out[used++] = *c;
		}
		if (used < n)
			used += (size_t)snprintf(out + used, n - used, "\"\n");
	}
	if (used < n)
		used += (size_t)snprintf(out + used, n - used, "    condition:\n        any of them\n}\n");
	return nt && used < n ? 0 : -1;
}

/* Compiles the built-in files (all, or those for text) plus the user paths. */
static YR_RULES *compile(const char *const *user_paths, size_t n_paths, bool text_only, char *err, size_t errlen)
{
	YR_COMPILER *c = NULL;
	YR_RULES *rules = NULL;
	struct compile_err ce = { err, errlen, NULL, 0 };
	if (yr_compiler_create(&c) != ERROR_SUCCESS) {
		snprintf(err, errlen, "libyara: out of memory");
		return NULL;
	}
	yr_compiler_set_callback(c, compile_cb, &ce);
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		if (text_only && !builtin[i].for_text)
			continue;
		ce.file = builtin[i].name;
		if (yr_compiler_add_string(c, builtin[i].text, NULL))
			goto out;
	}
	if (!text_only) {
		char tr[TRAITS_RULE_MAX];
		ce.file = TRAITS_RULE;
		if (traits_rule(tr, sizeof(tr)) < 0) {
			snprintf(err, errlen, "%s: trait strings do not fit %d bytes", TRAITS_RULE, TRAITS_RULE_MAX);
			goto out;
		}
		if (yr_compiler_add_string(c, tr, NULL))
			goto out;
	}
	for (size_t i = 0; i < n_paths; i++)
		if (add_path(c, &ce, user_paths[i]) < 0)
			goto out;
	if (yr_compiler_get_rules(c, &rules) != ERROR_SUCCESS) {
		snprintf(err, errlen, "libyara: cannot build the rules");
		rules = NULL;
	}
out:
	yr_compiler_destroy(c);
	return rules;
}

static void free_prefilter(struct hh_yara_pack *p)
{
	for (size_t i = 0; i < p->n_pre; i++)
		free(p->pre_text[i]);
	p->n_pre = 0;
	p->has_pre = false;
}

/* id ("$ws") is one of the comma- or space-separated names in list. */
static bool listed(const char *list, const char *id)
{
	size_t n = strlen(id);
	for (const char *p = list; (p = strstr(p, id)); p += n) {
		bool start = p == list || p[-1] == ',' || p[-1] == ' ';
		bool end = !p[n] || p[n] == ',' || p[n] == ' ';
		if (start && end)
			return true;
	}
	return false;
}

/* The rule's meta prefilter: the strings of which one must occur, or NULL. */
static const char *prefilter_meta(YR_RULE *rule)
{
	YR_META *m;
	yr_rule_metas_foreach(rule, m)
	{
		if (m->type == META_TYPE_STRING && !strcmp(m->identifier, "prefilter"))
			return m->string;
	}
	return NULL;
}

/* A string a multi-pattern prefilter can stand for: a plain literal. */
static bool plain_literal(const YR_STRING *s)
{
	return STRING_IS_LITERAL(s) && !STRING_IS_WIDE(s) && !STRING_IS_XOR(s) && !STRING_IS_BASE64(s) &&
	       !STRING_IS_BASE64_WIDE(s);
}

/* Collects the text rules' strings (only those named by a rule's meta
 * prefilter, when it has one); gives up (no prefilter) on anything
 * that is not a plain ASCII literal of 2+ bytes, or a rule without strings. */
static void build_prefilter(struct hh_yara_pack *p)
{
	YR_RULE *rule;
	yr_rules_foreach(p->text_rules, rule)
	{
		size_t strings = 0;
		const char *only; /* meta prefilter: the strings of which one must occur */
		only = prefilter_meta(rule);
		YR_STRING *s;
		yr_rule_strings_foreach(rule, s)
		{
			if (only && !listed(only, s->identifier))
				continue;
			strings++;
			if (!plain_literal(s) || s->length < 2 || memchr(s->string, 0, (size_t)s->length) ||
			    p->n_pre >= HH_MM_MAX_PATTERNS) {
				free_prefilter(p);
				return;
			}
			char *t = strndup((const char *)s->string, (size_t)s->length);
			if (!t) {
				free_prefilter(p);
				return;
			}
			p->pre_text[p->n_pre] = t;
			p->pre_pats[p->n_pre++] = (struct hh_mm_pattern){ t, STRING_IS_NO_CASE(s) != 0, 0 };
		}
		if (!strings) {
			free_prefilter(p);
			return;
		}
	}
	hh_mm_build(&p->pre, p->pre_pats, p->n_pre);
	p->has_pre = true;
}

/* Where in s[0..n) (n > EXE_ATOM) an atom of EXE_ATOM bytes starts: the
 * first four bytes (what the matcher filters on) as varied as possible and
 * free of 00 and FF (runs of those fill executables). */
static size_t atom_start(const uint8_t *s, size_t n)
{
	size_t best = 0;
	int best_score = -100;
	for (size_t k = 0; k + EXE_ATOM <= n; k++) {
		int score = 0;
		for (int i = 0; i < 4; i++) {
			bool fresh = true;
			for (int j = 0; j < i; j++)
				fresh &= s[k + (size_t)j] != s[k + (size_t)i];
			score += fresh ? 2 : 0;
			score -= s[k + (size_t)i] == 0x00 || s[k + (size_t)i] == 0xff ? 3 : 0;
		}
		if (score > best_score)
			best = k, best_score = score;
	}
	return best;
}

/* Adds an atom of s[0..n) unless the same is there; false when it cannot
 * (under 4 bytes: the matcher would look at every byte; or full). */
static bool add_exe_atom(struct hh_yara_pack *p, const uint8_t *s, size_t n, bool nocase)
{
	if (n < 4)
		return false;
	size_t k = n > EXE_ATOM ? atom_start(s, n) : 0, len = n > EXE_ATOM ? EXE_ATOM : n;
	for (size_t i = 0; i < p->n_exe; i++)
		if (p->exe_pats[i].len == len && p->exe_pats[i].nocase == nocase && !memcmp(p->exe_atoms[i], s + k, len))
			return true;
	if (p->n_exe >= HH_MM_MAX_PATTERNS)
		return false;
	memcpy(p->exe_atoms[p->n_exe], s + k, len);
	p->exe_atoms[p->n_exe][len] = 0;
	p->exe_pats[p->n_exe] = (struct hh_mm_pattern){ (const char *)p->exe_atoms[p->n_exe], nocase, len };
	p->n_exe++;
	return true;
}

/* Every rule of the full set but the traits rule: the strings of its meta
 * prefilter, or all of them; each a plain literal of 4+ bytes (not wide,
 * xor or base64), else no prefilter. The traits rule: the strings
 * hh_traits_necessary names. */
static void build_exe_prefilter(struct hh_yara_pack *p)
{
	p->n_exe = 0;
	YR_RULE *rule;
	yr_rules_foreach(p->rules, rule)
	{
		if (!strcmp(rule->identifier, TRAITS_RULE))
			continue;
		const char *only;
		only = prefilter_meta(rule);
		size_t strings = 0;
		YR_STRING *str;
		yr_rule_strings_foreach(rule, str)
		{
			if (only && !listed(only, str->identifier))
				continue;
			strings++;
			if (!plain_literal(str) ||
			    !add_exe_atom(p, str->string, (size_t)str->length, STRING_IS_NO_CASE(str) != 0))
				return;
		}
		if (!strings)
			return;
	}
	const char *t[64];
	size_t nt = hh_traits_necessary(t, 64);
	for (size_t i = 0; i < nt; i++)
		if (!add_exe_atom(p, (const uint8_t *)t[i], strlen(t[i]), false))
			return;
	hh_mm_build(&p->exe_pre, p->exe_pats, p->n_exe);
	p->has_exe_pre = true;
	hh_debug("yara: executable prefilter of %zu atoms", p->n_exe);
}

static bool pre_hit(size_t pat, size_t off, void *ctx)
{
	(void)pat;
	(void)off;
	*(bool *)ctx = true;
	return false;
}

bool hh_yara_pack_text_may_match(const struct hh_yara_pack *p, const uint8_t *buf, size_t len)
{
	if (!p->has_pre)
		return true;
	bool hit = false;
	hh_mm_scan(&p->pre, (const char *)buf, len, pre_hit, &hit);
	return hit;
}

bool hh_yara_pack_exe_may_match(const struct hh_yara_pack *p, const uint8_t *buf, size_t len)
{
	if (!p->has_exe_pre)
		return true;
	bool hit = false;
	hh_mm_scan(&p->exe_pre, (const char *)buf, len, pre_hit, &hit);
	return hit;
}

size_t hh_yara_pack_text_patterns(const struct hh_yara_pack *p, const struct hh_mm_pattern **pats)
{
	*pats = p->pre_pats;
	return p->has_pre ? p->n_pre : 0;
}

struct hh_yara_pack *hh_yara_pack_new(const char *const *user_paths, size_t n_paths, char *err, size_t errlen)
{
	if (yara_users++ == 0 && yr_initialize() != ERROR_SUCCESS) {
		yara_users--;
		snprintf(err, errlen, "libyara: initialization failed");
		return NULL;
	}
	struct hh_yara_pack *p = calloc(1, sizeof(*p));
	err[0] = 0;
	if (!p) {
		snprintf(err, errlen, "libyara: out of memory");
		goto fail;
	}
	p->rules = compile(user_paths, n_paths, false, err, errlen);
	if (!p->rules)
		goto fail;
	p->text_rules = compile(user_paths, n_paths, true, err, errlen);
	if (!p->text_rules)
		goto fail;
	YR_RULE *r;
	yr_rules_foreach(p->rules, r) p->n_rules += strcmp(r->identifier, TRAITS_RULE) != 0;
	if (!n_paths) {
		build_prefilter(p);
		build_exe_prefilter(p);
	}
	return p;
fail:
	if (!err[0])
		snprintf(err, errlen, "YARA rules failed to compile");
	if (p && p->rules)
		yr_rules_destroy(p->rules);
	free(p);
	if (--yara_users == 0)
		yr_finalize();
	return NULL;
}

void hh_yara_pack_free(struct hh_yara_pack *p)
{
	if (!p)
		return;
	if (p->rules)
		yr_rules_destroy(p->rules);
	if (p->text_rules)
		yr_rules_destroy(p->text_rules);
	free_prefilter(p);
	free(p);
	if (--yara_users == 0)
		yr_finalize();
}

size_t hh_yara_pack_rule_count(const struct hh_yara_pack *p)
{
	return p ? p->n_rules : 0;
}

struct scan_state {
	struct hh_yara_hit *hits;
	size_t max, n;
	uint64_t *traits;           /* trait strings seen (NULL: not asked) */
};

static int scan_cb(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *user)
{
	struct scan_state *st = user;
	if (msg != CALLBACK_MSG_RULE_MATCHING)
		return CALLBACK_CONTINUE;
	YR_RULE *rule = data;
	if (!strcmp(rule->identifier, TRAITS_RULE)) {
		YR_STRING *s;
		if (st->traits)
			yr_rule_strings_foreach(rule, s)
			{
				unsigned long i = strtoul(s->identifier + 2, NULL, 10);
				if (ctx->matches[s->idx].head && i < 64)
					*st->traits |= 1ull << i;
			}
		return CALLBACK_CONTINUE;
	}
	if (st->n >= st->max)
		return CALLBACK_CONTINUE;
	struct hh_yara_hit *h = &st->hits[st->n++];
	memset(h, 0, sizeof(*h));
	h->severity = HH_SEV_MEDIUM;
	const char *id = NULL, *title = NULL, *sev = NULL;
	YR_META *m;
	yr_rule_metas_foreach(rule, m)
	{
		if (m->type != META_TYPE_STRING)
			continue;
		if (!strcmp(m->identifier, "id"))
			id = m->string;
		else if (!strcmp(m->identifier, "title") || (!title && !strcmp(m->identifier, "description")))
			title = m->string;
		else if (!strcmp(m->identifier, "severity"))
			sev = m->string;
	}
	h->ours = !strncmp(rule->identifier, "hh_", 3) && id;
	if (id && h->ours)
		snprintf(h->rule, sizeof(h->rule), "%s", id);
	else
		snprintf(h->rule, sizeof(h->rule), "yara.%s", rule->identifier);
	snprintf(h->title, sizeof(h->title), "%s", title ? title : rule->identifier);
	if (sev)
		hh_severity_parse(sev, &h->severity);
	YR_STRING *s;
	size_t used = 0;
	yr_rule_strings_foreach(rule, s)
	{
		if (!ctx->matches[s->idx].head)
			continue;
		int w = snprintf(h->strings + used, sizeof(h->strings) - used, "%s%s", used ? "," : "", s->identifier);
		if (w < 0 || (size_t)w >= sizeof(h->strings) - used)
			break;
		used += (size_t)w;
	}
	return CALLBACK_CONTINUE;
}

static int scan(YR_RULES *rules, const uint8_t *buf, size_t len, struct hh_yara_hit *hits, size_t max,
		uint64_t *traits, char *err, size_t errlen)
{
	struct scan_state st = { hits, max, 0, traits };
	int rc = yr_rules_scan_mem(rules, buf, len, 0, scan_cb, &st, 30);
	if (rc != ERROR_SUCCESS) {
		snprintf(err, errlen, "YARA scan failed (libyara error %d%s)", rc,
			 rc == ERROR_SCAN_TIMEOUT ? ", timeout" : "");
		return st.n ? (int)st.n : -1;
	}
	return (int)st.n;
}

int hh_yara_pack_scan_kind(struct hh_yara_pack *p, const uint8_t *buf, size_t len, bool text,
			   struct hh_yara_hit *hits, size_t max, char *err, size_t errlen)
{
	return scan(text ? p->text_rules : p->rules, buf, len, hits, max, NULL, err, errlen);
}

int hh_yara_pack_scan_traits(struct hh_yara_pack *p, const uint8_t *buf, size_t len, struct hh_yara_hit *hits,
			     size_t max, uint64_t *traits, char *err, size_t errlen)
{
	*traits = 0;
	err[0] = 0;
	return scan(p->rules, buf, len, hits, max, traits, err, errlen);
}

int hh_yara_pack_scan(struct hh_yara_pack *p, const uint8_t *buf, size_t len, struct hh_yara_hit *hits, size_t max,
		      char *err, size_t errlen)
{
	return hh_yara_pack_scan_kind(p, buf, len, false, hits, max, err, errlen);
}

void hh_yara_pack_write_builtin(FILE *fp)
{
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		fputs(builtin[i].text, fp);
}

void hh_yara_pack_write_builtin_stdout(void)
{
	hh_yara_pack_write_builtin(stdout);
}
