/* Payloads split across layers (see split_payload.h). */
#include "detectors/content/split_payload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detectors/content/base64_runs.h"

/* ---------- reading commands out of a script ---------- */

#define MAX_TOKENS 48
#define MAX_STAGES 8

struct stage {
	char tok[MAX_TOKENS][256];
	size_t n;
};

static const char *base_name(const char *s)
{
	const char *b = strrchr(s, '/');
	return b ? b + 1 : s;
}

static bool any_tok(const struct stage *st, const char *const *words)
{
	for (size_t i = 1; i < st->n; i++)
		for (size_t w = 0; words[w]; w++)
			if (!strcmp(st->tok[i], words[w]))
				return true;
	return false;
}

/* A short option cluster holding flag ("-dc" holds 'd'). */
static bool has_short(const struct stage *st, char flag)
{
	for (size_t i = 1; i < st->n; i++)
		if (st->tok[i][0] == '-' && st->tok[i][1] != '-' && strchr(st->tok[i] + 1, flag))
			return true;
	return false;
}

static bool b64_decode_stage(const struct stage *st)
{
	static const char *const longs[] = { "--decode", NULL };
	return !strcmp(base_name(st->tok[0]), "base64") && (has_short(st, 'd') || has_short(st, 'D') || any_tok(st, longs));
}

/* Decompressor name for a stage that decompresses, else NULL. */
static const char *decompressor(const struct stage *st)
{
	const char *c = base_name(st->tok[0]);
	static const char *const longs[] = { "--decompress", "--uncompress", NULL };
	bool d = has_short(st, 'd') || any_tok(st, longs);
	if (!strcmp(c, "zcat") || !strcmp(c, "gunzip") || ((!strcmp(c, "gzip") || !strcmp(c, "pigz")) && d))
		return "gzip";
	if (!strcmp(c, "xzcat") || !strcmp(c, "unxz") || (!strcmp(c, "xz") && d))
		return "xz";
	if (!strcmp(c, "bzcat") || !strcmp(c, "bunzip2") || (!strcmp(c, "bzip2") && d))
		return "bzip2";
	if (!strcmp(c, "zstdcat") || !strcmp(c, "unzstd") || (!strcmp(c, "zstd") && d))
		return "zstd";
	return NULL;
}

static bool openssl_b64(const struct stage *st)
{
	static const char *const b64[] = { "base64", "-base64", "-a", NULL };
	static const char *const dec[] = { "-d", NULL };
	return !strcmp(base_name(st->tok[0]), "openssl") && any_tok(st, b64) && any_tok(st, dec);
}

static void add_part(struct hh_split_plan *p, const char *path)
{
	if (p->n_parts >= HH_SPLIT_MAX_PARTS || path[0] != '/' || !path[1])
		return;
	while (*path == '/')
		path++;
	snprintf(p->parts[p->n_parts++], sizeof(p->parts[0]), "%s", path);
}

/* Input files of the first stage: absolute path arguments (after "-in" for
 * openssl, "if=" for dd), and "< FILE". */
static void stage_inputs(const struct stage *st, struct hh_split_plan *p, bool any_arg)
{
	const char *c = base_name(st->tok[0]);
	for (size_t i = 1; i < st->n; i++) {
		const char *t = st->tok[i];
		if (!strcmp(t, "<") && i + 1 < st->n) {
			add_part(p, st->tok[++i]);
		} else if (t[0] == '<' && t[1] == '/') {
			add_part(p, t + 1);
		} else if (!strcmp(t, ">") || !strcmp(t, ">>") || !strcmp(t, "-o") || !strcmp(t, "-out")) {
			i++; /* output, not input */
		} else if (t[0] == '>') {
			/* ">/tmp/x" */
		} else if (!strcmp(c, "openssl")) {
			if (!strcmp(t, "-in") && i + 1 < st->n)
				add_part(p, st->tok[++i]);
		} else if (!strcmp(c, "dd")) {
			if (!strncmp(t, "if=", 3))
				add_part(p, t + 3);
		} else if (any_arg && t[0] == '/') {
			add_part(p, t);
		}
	}
}

static void add_decoder(struct hh_split_plan *p, const char *name)
{
	size_t u = strlen(p->decoders);
	snprintf(p->decoders + u, sizeof(p->decoders) - u, "%s%s", u ? "," : "", name);
}

static bool plan_from(const struct stage *s0, const struct stage *sts, size_t n, struct hh_split_plan *p);

/* One pipeline (stages split at '|'); true when it is a plan. */
static bool pipeline_plan(const struct stage *sts, size_t n, struct hh_split_plan *p)
{
	memset(p, 0, sizeof(*p));
	if (!n || !sts[0].n)
		return false;
	/* The program may follow a cron time spec and user ("*\/5 * * * * root zcat ..."),
	 * "env", "timeout 60" ...: start at the first known reader among the first tokens. */
	struct stage *s0c = malloc(sizeof(*s0c));
	if (!s0c)
		return false;
	size_t first = 0;
	for (size_t i = 0; i < sts[0].n && i < 8; i++) {
		const char *b = base_name(sts[0].tok[i]);
		if (!strcmp(b, "cat") || !strcmp(b, "base64") || !strcmp(b, "openssl") || !strcmp(b, "dd") ||
		    !strcmp(b, "zcat") || !strcmp(b, "gunzip") || !strcmp(b, "gzip") || !strcmp(b, "pigz") ||
		    !strcmp(b, "xz") || !strcmp(b, "xzcat") || !strcmp(b, "unxz") || !strcmp(b, "bzcat") ||
		    !strcmp(b, "bunzip2") || !strcmp(b, "bzip2") || !strcmp(b, "zstd") || !strcmp(b, "zstdcat") ||
		    !strcmp(b, "unzstd")) {
			first = i;
			break;
		}
	}
	s0c->n = sts[0].n - first;
	memcpy(s0c->tok, sts[0].tok + first, s0c->n * sizeof(s0c->tok[0]));
	bool r = plan_from(s0c, sts, n, p);
	free(s0c);
	return r;
}

static bool plan_from(const struct stage *s0, const struct stage *sts, size_t n, struct hh_split_plan *p)
{
	const char *c = base_name(s0->tok[0]);
	const char *dz;
	if (!strcmp(c, "cat")) {
		stage_inputs(s0, p, true);
	} else if (b64_decode_stage(s0)) {
		stage_inputs(s0, p, true);
		p->base64 = true;
		add_decoder(p, "base64");
	} else if (openssl_b64(s0)) {
		stage_inputs(s0, p, false);
		p->base64 = true;
		add_decoder(p, "base64");
	} else if ((dz = decompressor(s0))) {
		stage_inputs(s0, p, true);
		add_decoder(p, dz);
	} else if (!strcmp(c, "dd")) {
		stage_inputs(s0, p, false);
	} else {
		return false;
	}
	if (!p->n_parts)
		return false;
	for (size_t i = 1; i < n; i++) {
		if (!sts[i].n)
			continue;
		if (b64_decode_stage(&sts[i]) || openssl_b64(&sts[i])) {
			/* base64 after a decompressor cannot be replayed here (the walker decompresses last) */
			if (p->decoders[0] && !p->base64)
				return false;
			if (p->base64)
				return false; /* twice */
			p->base64 = true;
			add_decoder(p, "base64");
		} else if ((dz = decompressor(&sts[i]))) {
			add_decoder(p, dz);
		}
	}
	return p->decoders[0] || p->n_parts >= 2;
}

/* Splits one command into pipeline stages and tokens (quotes removed, no
 * expansion). */
static size_t tokenize(const char *s, size_t len, struct stage *sts, size_t max)
{
	size_t n = 0;
	memset(&sts[0], 0, sizeof(sts[0]));
	char q = 0;
	char cur[256];
	size_t cl = 0;
	bool in_tok = false;
	for (size_t i = 0; i <= len; i++) {
		char ch = i < len ? s[i] : ' ';
		if (q) {
			if (ch == q) {
				q = 0;
			} else if (cl + 1 < sizeof(cur)) {
				cur[cl++] = ch;
			}
			continue;
		}
		if (ch == '\'' || ch == '"') {
			q = ch;
			in_tok = true;
			continue;
		}
		bool sep = ch == ' ' || ch == '\t' || ch == '|' || ch == '(' || ch == ')' || ch == '`';
		if (sep && in_tok) {
			cur[cl] = 0;
			struct stage *st = &sts[n];
			/* leading "exec", "sudo", "command", "nohup" and VAR=value do not name the program */
			bool skip = !st->n && (!strcmp(cur, "exec") || !strcmp(cur, "sudo") || !strcmp(cur, "command") ||
					       !strcmp(cur, "nohup") || (strchr(cur, '=') && cur[0] != '/' && cur[0] != '-'));
			if (!skip && st->n < MAX_TOKENS)
				snprintf(st->tok[st->n++], sizeof(st->tok[0]), "%s", cur);
			cl = 0;
			in_tok = false;
		}
		if (ch == '|') {
			if (sts[n].n && n + 1 < max) {
				n++;
				memset(&sts[n], 0, sizeof(sts[n]));
			}
			continue;
		}
		if (!sep) {
			if (cl + 1 < sizeof(cur))
				cur[cl++] = ch;
			in_tok = true;
		}
	}
	return sts[n].n ? n + 1 : n;
}

static void copy_printable(char *dst, size_t n, const char *s, size_t len)
{
	size_t k = len < n - 1 ? len : n - 1;
	for (size_t i = 0; i < k; i++)
		dst[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? ' ' : s[i];
	dst[k] = 0;
}

size_t hh_split_find(const char *text, size_t len, struct hh_split_plan *out, size_t max)
{
	size_t found = 0, line_no = 0;
	struct stage *sts = malloc(MAX_STAGES * sizeof(*sts));
	if (!sts)
		return 0;
	for (size_t i = 0; i < len && found < max;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *line = text + i;
		size_t ll = end - i;
		line_no++;
		i = end + 1;
		size_t a = 0;
		while (a < ll && (line[a] == ' ' || line[a] == '\t'))
			a++;
		if (a >= ll || line[a] == '#' || ll > 64 * 1024)
			continue;
		/* commands: split at ';', '&&', '||' (outside quotes) */
		char q = 0;
		size_t cs = a;
		for (size_t k = a; k <= ll && found < max; k++) {
			char ch = k < ll ? line[k] : ';';
			if (q) {
				if (ch == q)
					q = 0;
				continue;
			}
			if (ch == '\'' || ch == '"') {
				q = ch;
				continue;
			}
			bool two = k + 1 < ll && ((ch == '&' && line[k + 1] == '&') || (ch == '|' && line[k + 1] == '|'));
			if (ch != ';' && ch != '\n' && !two)
				continue;
			size_t ns = tokenize(line + cs, k - cs, sts, MAX_STAGES);
			struct hh_split_plan p;
			if (ns && pipeline_plan(sts, ns, &p)) {
				p.line = line_no;
				copy_printable(p.cmd, sizeof(p.cmd), line + cs, k - cs);
				out[found++] = p;
			}
			if (two)
				k++;
			cs = k + 1;
		}
	}
	free(sts);
	return found;
}

static bool b64_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
	       c == '-' || c == '_';
}

size_t hh_split_decode(const struct hh_split_plan *p, uint8_t *buf, size_t len)
{
	if (!p->base64)
		return len;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = buf[i];
		if (c == '\n' || c == '\r' || c == ' ' || c == '\t')
			continue;
		if (!b64_char(c))
			break; /* '=' padding or the end of the text */
		buf[o++] = c;
	}
	long d = hh_b64_decode((const char *)buf, o, buf);
	return d > 0 ? (size_t)d : 0;
}

/* ---------- merged filesystem view ---------- */

struct mentry {
	char *path;   /* NULL: free slot */
	char *link;   /* symlink target, NULL for a regular file */
	int layer;
};

struct mark {
	char *path;
	int layer;
	bool opaque;
};

struct hh_merged {
	struct mentry *t;
	size_t n, cap;
	bool full;
	struct mark *marks;
	size_t n_marks, cap_marks;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

struct hh_merged *hh_merged_new(void)
{
	return calloc(1, sizeof(struct hh_merged));
}

void hh_merged_free(struct hh_merged *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++) {
		free(m->t[i].path);
		free(m->t[i].link);
	}
	for (size_t i = 0; i < m->n_marks; i++)
		free(m->marks[i].path);
	free(m->t);
	free(m->marks);
	free(m);
}

bool hh_merged_full(const struct hh_merged *m)
{
	return m->full;
}

static struct mentry *slot(const struct hh_merged *m, const char *path)
{
	if (!m->cap)
		return NULL;
	for (size_t k = (size_t)(fnv(path) & (m->cap - 1));; k = (k + 1) & (m->cap - 1))
		if (!m->t[k].path || !strcmp(m->t[k].path, path))
			return &m->t[k];
}

static bool grow(struct hh_merged *m)
{
	size_t nc = m->cap ? m->cap * 2 : 1024;
	struct mentry *nt = calloc(nc, sizeof(*nt));
	if (!nt)
		return false;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->t[i].path)
			continue;
		size_t k = (size_t)(fnv(m->t[i].path) & (nc - 1));
		while (nt[k].path)
			k = (k + 1) & (nc - 1);
		nt[k] = m->t[i];
	}
	free(m->t);
	m->t = nt;
	m->cap = nc;
	return true;
}

void hh_merged_add(struct hh_merged *m, const char *path, const char *link, int layer)
{
	if (!path[0])
		return;
	if ((m->n + 1) * 2 > m->cap) {
		if (m->n >= HH_MERGED_MAX_PATHS || !grow(m)) {
			m->full = true;
			return;
		}
	}
	struct mentry *e = slot(m, path);
	if (!e->path) {
		e->path = strdup(path);
		if (!e->path)
			return;
		m->n++;
	}
	free(e->link);
	e->link = link ? strdup(link) : NULL;
	e->layer = layer;
}

static void add_mark(struct hh_merged *m, const char *path, int layer, bool opaque)
{
	if (m->n_marks >= HH_MERGED_MAX_MARKS) {
		m->full = true;
		return;
	}
	if (m->n_marks == m->cap_marks) {
		size_t nc = m->cap_marks ? m->cap_marks * 2 : 64;
		struct mark *nm = realloc(m->marks, nc * sizeof(*nm));
		if (!nm)
			return;
		m->marks = nm;
		m->cap_marks = nc;
	}
	char *p = strdup(path);
	if (!p)
		return;
	m->marks[m->n_marks++] = (struct mark){ p, layer, opaque };
}

void hh_merged_whiteout(struct hh_merged *m, const char *target, int layer)
{
	add_mark(m, target, layer, false);
}

void hh_merged_opaque(struct hh_merged *m, const char *dir, int layer)
{
	add_mark(m, dir, layer, true);
}

/* True when a whiteout or opaque marker of a layer above `layer` hides path. */
static bool hidden(const struct hh_merged *m, const char *path, int layer)
{
	for (size_t i = 0; i < m->n_marks; i++) {
		const struct mark *k = &m->marks[i];
		if (k->layer <= layer)
			continue;
		size_t n = strlen(k->path);
		bool below = !n || (!strncmp(path, k->path, n) && path[n] == '/');
		if (k->opaque ? below : (below || !strcmp(path, k->path)))
			return true;
	}
	return false;
}

static const struct mentry *lookup(const struct hh_merged *m, const char *path)
{
	const struct mentry *e = slot(m, path);
	if (!e || !e->path || hidden(m, path, e->layer))
		return NULL;
	return e;
}

/* Normalizes "a/./b/../c" (no leading '/') into out; false when it leaves the root. */
static bool normalize(const char *in, char *out, size_t n)
{
	size_t o = 0;
	const char *p = in;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = strchr(p, '/');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == 1 && p[0] == '.') {
		} else if (l == 2 && p[0] == '.' && p[1] == '.') {
			if (!o)
				return false;
			while (o && out[o - 1] != '/')
				o--;
			if (o)
				o--;
		} else if (l) {
			if (o + l + 2 >= n)
				return false;
			if (o)
				out[o++] = '/';
			memcpy(out + o, p, l);
			o += l;
		}
		p += l;
	}
	out[o] = 0;
	return true;
}

int hh_merged_resolve(const struct hh_merged *m, const char *path, char *out, size_t n)
{
	char cur[4096], tmp[8192];
	if (!normalize(path, cur, sizeof(cur)))
		return -1;
	for (int hops = 0; hops <= 16; hops++) {
		/* the first symlink among the components (directories first, then the file) */
		bool redirected = false;
		size_t len = strlen(cur);
		for (size_t k = 0; k <= len && !redirected; k++) {
			if (k < len && cur[k] != '/')
				continue;
			char save = cur[k];
			cur[k] = 0;
			const struct mentry *e = lookup(m, cur);
			cur[k] = save;
			if (!e || !e->link)
				continue;
			/* cur[0..k) is a symlink: replace it by its target */
			const char *rest = cur + k;
			if (e->link[0] == '/') {
				snprintf(tmp, sizeof(tmp), "%s%s", e->link + 1, rest);
			} else {
				const char *slash = NULL;
				for (size_t j = k; j-- > 0;)
					if (cur[j] == '/') {
						slash = cur + j;
						break;
					}
				snprintf(tmp, sizeof(tmp), "%.*s%s%s%s", slash ? (int)(slash - cur) : 0, cur, slash ? "/" : "",
					 e->link, rest);
			}
			if (!normalize(tmp, cur, sizeof(cur)))
				return -1;
			redirected = true;
		}
		if (redirected)
			continue;
		const struct mentry *e = lookup(m, cur);
		if (!e || e->link)
			return -1;
		snprintf(out, n, "%s", cur);
		return e->layer;
	}
	return -1; /* symlink loop */
}
