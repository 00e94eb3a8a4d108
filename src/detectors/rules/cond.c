/* Condition lexer, recursive-descent parser and evaluator. Parsing happens
 * once per rule at load; evaluation walks the AST with no allocation. */
#include "detectors/rules/cond.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int strvec_push(struct strvec *sv, const char *s, size_t len)
{
	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 8;
		char **v = realloc(sv->v, cap * sizeof(*v));
		if (!v)
			return -1;
		sv->v = v;
		sv->cap = cap;
	}
	char *c = malloc(len + 1);
	if (!c)
		return -1;
	memcpy(c, s, len);
	c[len] = '\0';
	sv->v[sv->n++] = c;
	return 0;
}

void strvec_free(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

/* ---- lexer ---- */

enum tok { T_END, T_LP, T_RP, T_COMMA, T_OP, T_WORD, T_STR };

struct token {
	enum tok t;
	size_t off;         /* where it starts in the text */
	char *v;            /* NUL-terminated value (owned): word, unescaped string, operator */
	size_t n;
};

struct parser {
	const char *s;
	size_t len, pos;
	struct token cur;
	const struct cond_env *env;
	struct cond_error *err;
	unsigned depth;
	size_t nodes;
	bool failed;
};

static void fail_at(struct parser *p, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail_at(struct parser *p, size_t off, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = true;
	p->err->offset = off;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_word_char(char c)
{
	return !is_space(c) && c != '(' && c != ')' && c != ',' && c != '=' && c != '<' && c != '>' &&
	       c != '!' && c != '"' && c != '\'' && c != '\0';
}

/* Printable excerpt of a token for messages (non-printable bytes as '?'). */
static const char *shown(const struct token *t, char *buf, size_t n)
{
	if (t->t == T_END)
		return "end of condition";
	size_t k = 0;
	for (size_t i = 0; i < t->n && k + 4 < n; i++)
		buf[k++] = isprint((unsigned char)t->v[i]) ? t->v[i] : '?';
	if (t->n > 0 && k + 4 >= n) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = '\0';
	return buf;
}

static void lex(struct parser *p)
{
	free(p->cur.v);
	memset(&p->cur, 0, sizeof(p->cur));
	if (p->failed)
		return;
	while (p->pos < p->len && is_space(p->s[p->pos]))
		p->pos++;
	struct token *t = &p->cur;
	t->off = p->pos;
	if (p->pos >= p->len) {
		t->t = T_END;
		return;
	}
	const char *s = p->s;
	char c = s[p->pos];
	size_t start = p->pos, n = 1;
	if (c == '(' || c == ')' || c == ',') {
		t->t = c == '(' ? T_LP : c == ')' ? T_RP : T_COMMA;
	} else if (c == '=' || c == '<' || c == '>' || c == '!') {
		t->t = T_OP;
		if (p->pos + 1 < p->len && s[p->pos + 1] == '=')
			n = 2;
		else if (c == '!') {
			fail_at(p, start, "unexpected '!' (did you mean '!=' or 'not'?)");
			return;
		}
	} else if (c == '"' || c == '\'') {
		/* Quoted string: backslash escapes \" \' \\ \n \t; unescaped into v. */
		t->t = T_STR;
		t->v = malloc(p->len - p->pos + 1);
		if (!t->v) {
			fail_at(p, start, "out of memory");
			return;
		}
		size_t i = p->pos + 1, k = 0;
		for (; i < p->len && s[i] != c; i++) {
			if (s[i] == '\\' && i + 1 < p->len && (s[i + 1] == '"' || s[i + 1] == '\'' || s[i + 1] == '\\')) {
				/* Only quotes and backslash are escapes: "\." stays a regex escape. */
				t->v[k++] = s[++i];
			} else {
				t->v[k++] = s[i];
			}
		}
		if (i >= p->len) {
			fail_at(p, start, "unterminated string (opening %c)", c);
			return;
		}
		t->v[k] = '\0';
		t->n = k;
		p->pos = i + 1;
		return;
	} else {
		t->t = T_WORD;
		n = 0;
		while (p->pos + n < p->len && is_word_char(s[p->pos + n]))
			n++;
		if (n == 0) { /* a NUL byte */
			fail_at(p, start, "unexpected NUL byte");
			return;
		}
	}
	t->v = malloc(n + 1);
	if (!t->v) {
		fail_at(p, start, "out of memory");
		return;
	}
	memcpy(t->v, s + start, n);
	t->v[n] = '\0';
	t->n = n;
	p->pos = start + n;
}

/* Advances to the next token; after a lexing error the token is END with no
 * value, so no caller ever sees a half-made token. */
static void next(struct parser *p)
{
	lex(p);
	if (p->failed) {
		free(p->cur.v);
		memset(&p->cur, 0, sizeof(p->cur));
		p->cur.t = T_END;
	}
}

/* ---- AST ---- */

static struct cnode *node_new(struct parser *p, enum ckind kind)
{
	if (p && ++p->nodes > COND_MAX_NODES) {
		fail_at(p, p->cur.off, "condition too large (more than %d nodes)", COND_MAX_NODES);
		return NULL;
	}
	struct cnode *n = calloc(1, sizeof(*n));
	if (n)
		n->kind = kind;
	else if (p)
		fail_at(p, p->cur.off, "out of memory");
	return n;
}

void cond_free(struct cnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n_kids; i++)
		cond_free(n->kids[i]);
	free(n->kids);
	for (size_t i = 0; i < n->n_vals; i++)
		free(n->vals[i].s);
	free(n->vals);
	if (n->re) {
		regfree(n->re);
		free(n->re);
	}
	free(n->text);
	free(n);
}

struct cnode *cond_make(enum ckind kind, struct cnode **kids, size_t nk)
{
	struct cnode *n = calloc(1, sizeof(*n));
	struct cnode **k = calloc(nk ? nk : 1, sizeof(*k));
	if (!n || !k) {
		free(n);
		free(k);
		for (size_t i = 0; i < nk; i++)
			cond_free(kids[i]);
		return NULL;
	}
	n->kind = kind;
	memcpy(k, kids, nk * sizeof(*k));
	n->kids = k;
	n->n_kids = nk;
	return n;
}

static int add_kid(struct cnode *n, struct cnode *kid)
{
	struct cnode **k = realloc(n->kids, (n->n_kids + 1) * sizeof(*k));
	if (!k)
		return -1;
	n->kids = k;
	n->kids[n->n_kids++] = kid;
	return 0;
}

static const char *const op_names[] = {
	[OP_EQ] = "=", [OP_NE] = "!=", [OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=",
	[OP_IN] = "in", [OP_INTERSECTS] = "intersects", [OP_CONTAINS] = "contains",
	[OP_ICONTAINS] = "icontains", [OP_STARTSWITH] = "startswith", [OP_ENDSWITH] = "endswith",
	[OP_GLOB] = "glob", [OP_PMATCH] = "pmatch", [OP_EXISTS] = "exists", [OP_REGEX] = "regex",
	[OP_CIDR] = "cidr",
};

const char *cond_op_name(enum cop op)
{
	return op_names[op];
}

static int parse_op(const char *s, enum cop *op)
{
	if (strcmp(s, "==") == 0) {
		*op = OP_EQ;
		return 0;
	}
	for (size_t i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (strcmp(s, op_names[i]) == 0) {
			*op = (enum cop)i;
			return 0;
		}
	return -1;
}

static bool list_op(enum cop op)
{
	return op == OP_IN || op == OP_INTERSECTS || op == OP_PMATCH;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(((const struct cval *)a)->s, ((const struct cval *)b)->s);
}

static int cmp_num(const void *a, const void *b)
{
	long long x = ((const struct cval *)a)->n, y = ((const struct cval *)b)->n;
	return x < y ? -1 : x > y;
}

static int parse_ip_literal(const char *s, struct cval *v)
{
	char buf[64];
	size_t n = strlen(s);
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n + 1);
	char *slash = strchr(buf, '/');
	long bits = -1;
	if (slash) {
		*slash = '\0';
		char *end;
		bits = strtol(slash + 1, &end, 10);
		if (*end || slash[1] == '\0' || bits < 0)
			return -1;
	}
	if (inet_pton(AF_INET, buf, v->addr) == 1) {
		v->family = 4;
		if (bits > 32)
			return -1;
		v->bits = (uint8_t)(bits < 0 ? 32 : bits);
	} else if (inet_pton(AF_INET6, buf, v->addr) == 1) {
		v->family = 6;
		if (bits > 128)
			return -1;
		v->bits = (uint8_t)(bits < 0 ? 128 : bits);
	} else {
		return -1;
	}
	return 0;
}

/* glibc's regcomp is exponential in stacked quantifiers ("x**...*" takes
 * seconds) and large nested bounds: refuse them, and long patterns, so a
 * bad rule cannot stall loading. NULL when fine, else why. */
#define COND_MAX_REGEX 1024
static const char *regex_unsafe(const char *re)
{
	size_t n = strlen(re);
	if (n > COND_MAX_REGEX)
		return "longer than 1024 characters";
	/* weight: how many copies of an atom regcomp expands (bounds multiply
	 * through nested groups); max[d] is the largest inside group depth d. */
	enum { MAXD = 32 };
	unsigned long max[MAXD + 1] = { 0 };
	unsigned d = 0;
	unsigned long last = 1;      /* weight of the atom just before */
	bool prev_quant = false;
	for (size_t i = 0; i < n; i++) {
		char c = re[i];
		bool quant = c == '*' || c == '+' || c == '?' || (c == '{' && i + 1 < n && re[i + 1] >= '0' && re[i + 1] <= '9');
		if (quant && prev_quant)
			return "stacked quantifiers (e.g. '**', '+*', '}{')";
		if (quant) {
			if (c == '{') {
				char *end;
				unsigned long lo = strtoul(re + i + 1, &end, 10), hi = lo;
				if (*end == ',')
					hi = end[1] == '}' ? lo : strtoul(end + 1, &end, 10);
				if (lo > 255 || hi > 255)
					return "a repeat bound above 255";
				last *= hi ? hi : 1;
				if (last > 1000)
					return "nested repeats expanding more than 1000 times";
				const char *close = strchr(re + i, '}');
				i = close ? (size_t)(close - re) : n;
			}
			if (last > max[d])
				max[d] = last;
			prev_quant = true;
			continue;
		}
		prev_quant = false;
		if (c == '(') {
			if (++d > MAXD)
				return "groups nested more than 32 deep";
			max[d] = 1;
			last = 1;
		} else if (c == ')') {
			last = d ? max[d] : 1;
			if (d)
				d--;
			if (last > max[d])
				max[d] = last;
		} else if (c == '\\') {
			i++;
			last = 1;
		} else if (c == '[') { /* bracket expression: one atom */
			size_t j = i + 1;
			if (j < n && re[j] == '^')
				j++;
			if (j < n && re[j] == ']')
				j++;
			while (j < n && re[j] != ']') {
				if (re[j] == '[' && j + 1 < n && (re[j + 1] == ':' || re[j + 1] == '.' || re[j + 1] == '=')) {
					const char *e = strstr(re + j + 2, ":]");
					j = e ? (size_t)(e - re) + 1 : n;
				}
				j++;
			}
			i = j;
			last = 1;
		} else {
			last = 1;
		}
	}
	return NULL;
}

/* Builds the comparison node: type checks and literal conversion. */
static struct cnode *build_cmp(const struct field_ref *f, const char *fname, enum cop op,
			       const struct strvec *items, char *err, size_t errlen)
{
	const char *o = op_names[op];
	bool ok;
	switch (f->type) {
	case FT_STR: ok = op != OP_LT && op != OP_LE && op != OP_GT && op != OP_GE && op != OP_CIDR; break;
	case FT_NUM: ok = op <= OP_INTERSECTS || op == OP_EXISTS; break;
	case FT_BOOL:
	case FT_EVTYPE: ok = op == OP_EQ || op == OP_NE || op == OP_EXISTS || op == OP_IN || op == OP_INTERSECTS; break;
	case FT_IP: ok = op != OP_LT && op != OP_LE && op != OP_GT && op != OP_GE; break;
	default: ok = false;
	}
	if (f->type == FT_BOOL && list_op(op))
		ok = false;
	if (!ok) {
		static const char *const tn[] = { "a string", "a number", "a boolean", "an IP address", "an event type" };
		snprintf(err, errlen, "type mismatch: operator '%s' does not apply to %s, which is %s", o, fname, tn[f->type]);
		return NULL;
	}
	if (op == OP_EXISTS ? items->n != 0 : (!list_op(op) && items->n != 1)) {
		snprintf(err, errlen, "operator '%s' takes %s", o, op == OP_EXISTS ? "no value" : "one value");
		return NULL;
	}
	struct cnode *n = calloc(1, sizeof(*n));
	if (!n || (items->n && !(n->vals = calloc(items->n, sizeof(*n->vals))))) {
		free(n);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n->kind = CN_CMP;
	n->field = *f;
	n->op = op;
	for (size_t i = 0; i < items->n; i++) {
		struct cval *v = &n->vals[i];
		const char *s = items->v[i];
		v->s = strdup(s);
		v->len = strlen(s);
		n->n_vals++;
		if (!v->s)
			goto oom;
		bool bad = false;
		const char *what = "";
		if (op == OP_GLOB || op == OP_REGEX || op == OP_CONTAINS || op == OP_ICONTAINS ||
		    op == OP_STARTSWITH || op == OP_ENDSWITH || op == OP_PMATCH) {
			/* text operators: the value is text whatever the field type */
		} else if (f->type == FT_NUM) {
			char *end;
			v->n = strtoll(s, &end, 0);
			bad = !*s || *end;
			what = "a number";
		} else if (f->type == FT_BOOL) {
			bad = strcasecmp(s, "true") != 0 && strcasecmp(s, "false") != 0;
			v->n = strcasecmp(s, "true") == 0;
			what = "true or false";
		} else if (f->type == FT_EVTYPE) {
			int t = field_evtype_parse_rule(s);
			bad = t < 0;
			v->n = t;
			what = "an event type (hashhound sees execve, connect, dns, open, init_module, ptrace, setns, unshare, mount, memfd_create, fpu, exit, proc; other system calls Falco names are accepted and never match)";
		} else if (f->type == FT_IP) {
			bad = parse_ip_literal(s, v) < 0;
			what = "an IP address or CIDR network";
		}
		if (bad) {
			snprintf(err, errlen, "type mismatch: %s %s needs %s, got '%.100s'", fname, o, what, s);
			cond_free(n);
			return NULL;
		}
	}
	if (op == OP_REGEX) {
		const char *why = regex_unsafe(n->vals[0].s);
		if (why) {
			snprintf(err, errlen, "regex refused: %s", why);
			cond_free(n);
			return NULL;
		}
		n->re = calloc(1, sizeof(*n->re));
		if (!n->re)
			goto oom;
		int rc = regcomp(n->re, n->vals[0].s, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char m[128];
			regerror(rc, n->re, m, sizeof(m));
			free(n->re);
			n->re = NULL;
			snprintf(err, errlen, "bad regex '%.100s': %s", n->vals[0].s, m);
			cond_free(n);
			return NULL;
		}
	}
	if ((op == OP_IN || op == OP_INTERSECTS) && n->n_vals > 1) {
		if (f->type == FT_STR)
			qsort(n->vals, n->n_vals, sizeof(*n->vals), cmp_str);
		else if (f->type == FT_NUM)
			qsort(n->vals, n->n_vals, sizeof(*n->vals), cmp_num);
	}
	/* Evidence text: "proc.cmdline contains stratum+tcp" (bounded). */
	char text[256];
	bool lst = list_op(op);
	int w = snprintf(text, sizeof(text), "%s%s%s%s %s%s", fname, f->arg[0] ? "[" : "", f->arg,
			 f->arg[0] ? "]" : "", o, lst ? " (" : "");
	size_t tl = w < 0 ? 0 : (size_t)w >= sizeof(text) ? sizeof(text) - 1 : (size_t)w;
	/* Long lists are abbreviated: the evidence value says what matched. */
	for (size_t i = 0; i < n->n_vals && tl + 8 < sizeof(text); i++) {
		if (lst && (i == 6 || tl + n->vals[i].len + 24 >= sizeof(text))) {
			w = snprintf(text + tl, sizeof(text) - tl, ", ... %zu more", n->n_vals - i);
			tl = w < 0 || (size_t)w >= sizeof(text) - tl ? sizeof(text) - 1 : tl + (size_t)w;
			break;
		}
		w = snprintf(text + tl, sizeof(text) - tl, "%s%s", i ? ", " : lst ? "" : " ", n->vals[i].s);
		tl = w < 0 || (size_t)w >= sizeof(text) - tl ? sizeof(text) - 1 : tl + (size_t)w;
	}
	if (lst && tl + 2 < sizeof(text)) {
		text[tl++] = ')';
		text[tl] = '\0';
	}
	n->text = strdup(text);
	if (!n->text)
		goto oom;
	return n;
oom:
	cond_free(n);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

struct cnode *cond_make_cmp(const char *field, const char *op, const struct strvec *vals,
			    const struct cond_env *env, char *err, size_t errlen)
{
	struct field_ref f;
	enum cop o;
	if (field_resolve(field, strlen(field), &f, err, errlen) < 0)
		return NULL;
	if (parse_op(op, &o) < 0) {
		snprintf(err, errlen, "unknown operator '%.50s'", op);
		return NULL;
	}
	/* List names among the values expand in place, as inside (...). */
	struct strvec items = { 0 };
	for (size_t i = 0; i < vals->n; i++) {
		const struct strvec *l = env && env->list ? env->list(env->ud, vals->v[i]) : NULL;
		if (l && list_op(o)) {
			for (size_t j = 0; j < l->n; j++)
				strvec_push(&items, l->v[j], strlen(l->v[j]));
		} else {
			strvec_push(&items, vals->v[i], strlen(vals->v[i]));
		}
	}
	struct cnode *n = build_cmp(&f, field, o, &items, err, errlen);
	strvec_free(&items);
	return n;
}

/* ---- parser ---- */

static struct cnode *parse_or(struct parser *p);

static bool is_kw(const struct token *t, const char *kw)
{
	return t->t == T_WORD && t->v && strcmp(t->v, kw) == 0;
}

static bool token_is_op(const struct token *t)
{
	enum cop op;
	return t->v && (t->t == T_OP || (t->t == T_WORD && parse_op(t->v, &op) == 0));
}

static struct cnode *parse_cmp(struct parser *p, const struct field_ref *f, const char *fname, size_t foff)
{
	char b[64];
	enum cop op;
	if (!token_is_op(&p->cur) || parse_op(p->cur.v, &op) < 0) {
		if (p->cur.t == T_WORD && !is_kw(&p->cur, "and") && !is_kw(&p->cur, "or"))
			fail_at(p, p->cur.off, "unknown operator '%s' after field %s", shown(&p->cur, b, sizeof(b)), fname);
		else
			fail_at(p, p->cur.off, "expected an operator after field %s, got %s", fname,
				shown(&p->cur, b, sizeof(b)));
		return NULL;
	}
	size_t opoff = p->cur.off;
	next(p);
	struct strvec items = { 0 };
	if (op == OP_EXISTS) {
		/* no value */
	} else if (list_op(op)) {
		if (p->cur.t != T_LP) {
			fail_at(p, p->cur.off, "operator '%s' needs a parenthesized list, got %s", op_names[op],
				shown(&p->cur, b, sizeof(b)));
			return NULL;
		}
		size_t lp = p->cur.off;
		next(p);
		while (!p->failed && p->cur.t != T_RP) {
			if (p->cur.t != T_WORD && p->cur.t != T_STR) {
				if (p->cur.t == T_END)
					fail_at(p, lp, "unbalanced parentheses: list opened here is not closed");
				else
					fail_at(p, p->cur.off, "expected a value in the list, got %s", shown(&p->cur, b, sizeof(b)));
				break;
			}
			const struct strvec *l = p->cur.t == T_WORD && p->env && p->env->list
							 ? p->env->list(p->env->ud, p->cur.v)
							 : NULL;
			if (l) {
				for (size_t j = 0; j < l->n; j++)
					strvec_push(&items, l->v[j], strlen(l->v[j]));
			} else {
				strvec_push(&items, p->cur.v, p->cur.n);
			}
			next(p);
			if (p->cur.t == T_COMMA) {
				next(p);
				if (p->cur.t == T_RP)
					fail_at(p, p->cur.off, "expected a value after ','");
			} else if (p->cur.t != T_RP && !p->failed) {
				if (p->cur.t == T_END)
					fail_at(p, lp, "unbalanced parentheses: list opened here is not closed");
				else
					fail_at(p, p->cur.off, "expected ',' or ')' in the list, got %s",
						shown(&p->cur, b, sizeof(b)));
			}
		}
		if (!p->failed)
			next(p); /* ')' */
	} else {
		/* evt.dir = < : an operator-looking bare value is a value here. */
		if (p->cur.t != T_WORD && p->cur.t != T_STR && p->cur.t != T_OP) {
			fail_at(p, p->cur.off, "expected a value after '%s', got %s", op_names[op], shown(&p->cur, b, sizeof(b)));
			return NULL;
		}
		strvec_push(&items, p->cur.v, p->cur.n);
		next(p);
	}
	if (p->failed) {
		strvec_free(&items);
		return NULL;
	}
	char err[384];
	struct cnode *n = build_cmp(f, fname, op, &items, err, sizeof(err));
	strvec_free(&items);
	if (!n) {
		fail_at(p, opoff, "%s", err);
		return NULL;
	}
	(void)foff;
	p->nodes += n->n_vals;
	if (p->nodes > COND_MAX_NODES) {
		cond_free(n);
		fail_at(p, opoff, "condition too large (more than %d nodes)", COND_MAX_NODES);
		return NULL;
	}
	return n;
}

static struct cnode *parse_unary(struct parser *p)
{
	char b[64];
	if (p->failed)
		return NULL;
	if (p->depth >= COND_MAX_DEPTH) {
		fail_at(p, p->cur.off, "condition nested too deeply (limit %d)", COND_MAX_DEPTH);
		return NULL;
	}
	if (is_kw(&p->cur, "not")) {
		next(p);
		p->depth++;
		struct cnode *k = parse_unary(p);
		p->depth--;
		if (!k)
			return NULL;
		struct cnode *n = node_new(p, CN_NOT);
		if (!n || add_kid(n, k) < 0) {
			cond_free(k);
			free(n);
			return NULL;
		}
		return n;
	}
	if (p->cur.t == T_LP) {
		size_t lp = p->cur.off;
		next(p);
		p->depth++;
		struct cnode *n = parse_or(p);
		p->depth--;
		if (!n)
			return NULL;
		if (p->cur.t != T_RP) {
			if (p->cur.t == T_END)
				fail_at(p, lp, "unbalanced parentheses: '(' is not closed");
			else
				fail_at(p, p->cur.off, "expected 'and', 'or' or ')', got %s", shown(&p->cur, b, sizeof(b)));
			cond_free(n);
			return NULL;
		}
		next(p);
		return n;
	}
	if (p->cur.t != T_WORD || is_kw(&p->cur, "and") || is_kw(&p->cur, "or")) {
		if (p->cur.t == T_RP)
			fail_at(p, p->cur.off, "unbalanced parentheses: unexpected ')'");
		else if (p->cur.t == T_END)
			fail_at(p, p->cur.off, "unexpected end of condition");
		else
			fail_at(p, p->cur.off, "expected a field, macro, 'not' or '(', got %s", shown(&p->cur, b, sizeof(b)));
		return NULL;
	}
	/* A field comparison or a macro reference. */
	char *name = p->cur.v;
	size_t nlen = p->cur.n, noff = p->cur.off;
	p->cur.v = NULL;
	next(p);
	struct field_ref f;
	char ferr[256];
	struct cnode *n = NULL;
	if (field_resolve(name, nlen, &f, ferr, sizeof(ferr)) == 0) {
		n = parse_cmp(p, &f, field_name(&f), noff);
	} else if (token_is_op(&p->cur)) {
		fail_at(p, noff, "%s", ferr);
	} else {
		const struct cnode *m = NULL;
		char merr[256] = "";
		int r = p->env && p->env->macro ? p->env->macro(p->env->ud, name, &m, merr, sizeof(merr)) : 0;
		if (r == 1 && m) {
			n = node_new(p, CN_MACRO);
			if (n)
				n->macro = m;
		} else if (r == 1) {
			fail_at(p, noff, "macro '%.100s' is unusable: %s", name, merr);
		} else if (strchr(name, '.')) {
			fail_at(p, noff, "%s", ferr);
		} else {
			fail_at(p, noff, "unknown macro '%.100s'", name);
		}
	}
	free(name);
	return n;
}

static struct cnode *parse_chain(struct parser *p, const char *kw, enum ckind kind,
				 struct cnode *(*sub)(struct parser *))
{
	struct cnode *first = sub(p);
	if (!first || !is_kw(&p->cur, kw))
		return first;
	struct cnode *n = node_new(p, kind);
	if (!n || add_kid(n, first) < 0) {
		cond_free(first);
		free(n);
		return NULL;
	}
	while (!p->failed && is_kw(&p->cur, kw)) {
		next(p);
		struct cnode *k = sub(p);
		if (!k || add_kid(n, k) < 0) {
			cond_free(k);
			cond_free(n);
			return NULL;
		}
	}
	return n;
}

static struct cnode *parse_and(struct parser *p)
{
	return parse_chain(p, "and", CN_AND, parse_unary);
}

static struct cnode *parse_or(struct parser *p)
{
	return parse_chain(p, "or", CN_OR, parse_and);
}

struct cnode *cond_compile(const char *text, size_t len, const struct cond_env *env, struct cond_error *err)
{
	memset(err, 0, sizeof(*err));
	if (len > COND_MAX_TEXT) {
		snprintf(err->msg, sizeof(err->msg), "condition too long (%zu bytes, limit %u)", len, COND_MAX_TEXT);
		return NULL;
	}
	struct parser p = { .s = text, .len = len, .env = env, .err = err };
	next(&p);
	if (p.cur.t == T_END && !p.failed) {
		fail_at(&p, 0, "empty condition");
		return NULL;
	}
	struct cnode *n = parse_or(&p);
	if (n && !p.failed && p.cur.t != T_END) {
		char b[64];
		if (p.cur.t == T_RP)
			fail_at(&p, p.cur.off, "unbalanced parentheses: unexpected ')'");
		else
			fail_at(&p, p.cur.off, "expected 'and' or 'or', got %s", shown(&p.cur, b, sizeof(b)));
	}
	free(p.cur.v);
	if (p.failed) {
		cond_free(n);
		return NULL;
	}
	return n;
}

/* ---- evaluation ---- */

static bool ip_match(const struct cval *v, uint8_t fam, const uint8_t *a)
{
	if (v->family != fam)
		return false;
	unsigned full = v->bits / 8, rest = v->bits % 8;
	if (memcmp(v->addr, a, full) != 0)
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (v->addr[full] & mask) == (a[full] & mask);
}

static bool pmatch_one(const char *prefix, size_t plen, const char *s)
{
	while (plen > 1 && prefix[plen - 1] == '/')
		plen--;
	if (strncmp(s, prefix, plen) != 0)
		return false;
	return s[plen] == '\0' || s[plen] == '/' || (plen == 1 && prefix[0] == '/');
}

static bool str_pos(const struct cnode *n, const char *s)
{
	const struct cval *v = n->vals;
	switch (n->op) {
	case OP_EQ: return strcmp(s, v->s) == 0;
	case OP_IN:
	case OP_INTERSECTS: {
		struct cval key = { .s = (char *)s };
		return n->n_vals && bsearch(&key, n->vals, n->n_vals, sizeof(key), cmp_str) != NULL;
	}
	case OP_CONTAINS: return strstr(s, v->s) != NULL;
	case OP_ICONTAINS: return strcasestr(s, v->s) != NULL;
	case OP_STARTSWITH: return strncmp(s, v->s, v->len) == 0;
	case OP_ENDSWITH: {
		size_t l = strlen(s);
		return l >= v->len && memcmp(s + l - v->len, v->s, v->len) == 0;
	}
	case OP_GLOB: return fnmatch(v->s, s, 0) == 0;
	case OP_REGEX: return regexec(n->re, s, 0, NULL, 0) == 0;
	case OP_PMATCH:
		for (size_t i = 0; i < n->n_vals; i++)
			if (pmatch_one(n->vals[i].s, n->vals[i].len, s))
				return true;
		return false;
	default: return false;
	}
}

static bool num_pos(const struct cnode *n, long long x)
{
	long long y = n->n_vals ? n->vals[0].n : 0;
	switch (n->op) {
	case OP_EQ: return x == y;
	case OP_LT: return x < y;
	case OP_LE: return x <= y;
	case OP_GT: return x > y;
	case OP_GE: return x >= y;
	case OP_IN:
	case OP_INTERSECTS: {
		struct cval key = { .n = x };
		return n->n_vals && bsearch(&key, n->vals, n->n_vals, sizeof(key), cmp_num) != NULL;
	}
	default: return false;
	}
}

static bool eval_cmp(const struct cnode *n, struct rule_ctx *c)
{
	if (n->op == OP_EXISTS)
		return field_present(&n->field, c);
	/* != is the negation of = (over every value of multi-valued fields). */
	bool neg = n->op == OP_NE;
	struct cnode eq;
	const struct cnode *m = n;
	if (neg) {
		eq = *n;
		eq.op = OP_EQ;
		m = &eq;
	}
	struct fval v;
	bool hit = false;
	/* A value that is not available (<NA>) compares false whatever the
	 * operator, != included: Falco's rule for missing values. */
	if (!n->field.multi && n->field.type != FT_EVTYPE && !field_get(&n->field, c, 0, &v))
		return false;
	switch (n->field.type) {
	case FT_STR:
		for (size_t i = 0; !hit && field_get(&n->field, c, i, &v); i++)
			hit = str_pos(m, v.s);
		break;
	case FT_NUM:
	case FT_BOOL:
		field_get(&n->field, c, 0, &v);
		hit = num_pos(m, v.n);
		break;
	case FT_EVTYPE:
		field_get(&n->field, c, 0, &v);
		for (size_t i = 0; !hit && i < m->n_vals; i++)
			hit = m->vals[i].n == v.n;
		break;
	case FT_IP:
		if (m->op == OP_EQ || m->op == OP_IN || m->op == OP_INTERSECTS || m->op == OP_CIDR) {
			uint8_t fam;
			const uint8_t *a;
			if (field_sip(c, &fam, &a))
				for (size_t i = 0; !hit && i < m->n_vals; i++)
					hit = ip_match(&m->vals[i], fam, a);
		} else {
			field_get(&n->field, c, 0, &v);
			hit = str_pos(m, v.s);
		}
		break;
	}
	return neg ? !hit : hit;
}

bool cond_eval(const struct cnode *n, struct rule_ctx *c)
{
	switch (n->kind) {
	case CN_AND:
		for (size_t i = 0; i < n->n_kids; i++)
			if (!cond_eval(n->kids[i], c))
				return false;
		return true;
	case CN_OR:
		for (size_t i = 0; i < n->n_kids; i++)
			if (cond_eval(n->kids[i], c))
				return true;
		return false;
	case CN_NOT: return !cond_eval(n->kids[0], c);
	case CN_MACRO: {
		unsigned k = n->macro->memo;
		if (!k || k > RULE_CTX_MEMO)
			return cond_eval(n->macro, c);
		uint64_t bit = 1ull << ((k - 1) % 64);
		size_t w = (k - 1) / 64;
		if (!(c->memo_have[w] & bit)) {
			c->memo_have[w] |= bit;
			if (cond_eval(n->macro, c))
				c->memo_val[w] |= bit;
			else
				c->memo_val[w] &= ~bit;
		}
		return (c->memo_val[w] & bit) != 0;
	}
	case CN_CMP: return eval_cmp(n, c);
	}
	return false;
}

void cond_collect(const struct cnode *n, struct rule_ctx *c, cond_leaf_fn fn, void *ud, size_t *max)
{
	if (!*max)
		return;
	switch (n->kind) {
	case CN_AND:
		for (size_t i = 0; i < n->n_kids; i++)
			cond_collect(n->kids[i], c, fn, ud, max);
		return;
	case CN_OR:
		for (size_t i = 0; i < n->n_kids; i++)
			if (cond_eval(n->kids[i], c)) {
				cond_collect(n->kids[i], c, fn, ud, max);
				return;
			}
		return;
	case CN_NOT: return;
	case CN_MACRO: cond_collect(n->macro, c, fn, ud, max); return;
	case CN_CMP:
		if (eval_cmp(n, c)) {
			fn(ud, n, c);
			(*max)--;
		}
		return;
	}
}

unsigned cond_evmask(const struct cnode *n)
{
	unsigned m;
	switch (n->kind) {
	case CN_AND:
		m = ~0u;
		for (size_t i = 0; i < n->n_kids; i++)
			m &= cond_evmask(n->kids[i]);
		return m;
	case CN_OR:
		m = 0;
		for (size_t i = 0; i < n->n_kids; i++)
			m |= cond_evmask(n->kids[i]);
		return m;
	case CN_MACRO: return cond_evmask(n->macro);
	case CN_CMP:
		if (n->field.type != FT_EVTYPE || (n->op != OP_EQ && n->op != OP_IN && n->op != OP_INTERSECTS))
			return ~0u;
		m = 0;
		for (size_t i = 0; i < n->n_vals; i++)
			m |= 1u << (n->vals[i].n & 31);
		return m;
	default: return ~0u;
	}
}
