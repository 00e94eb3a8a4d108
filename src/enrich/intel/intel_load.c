/* Intel loaders: hosts files, plain lists, adblock-style lists, Falco-style
 * YAML lists, and the compiled-in default set. */
#include "enrich/intel/intel.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/yaml_doc.h"
#include "embed/src_enrich_intel_default_pools_txt.h"

struct load_ctx {
	struct hh_intel *in;
	const char *name;
	struct hh_intel_load_stats *st;
	char *err;
	size_t errlen;
};

static void note_bad(struct load_ctx *c, unsigned line, const char *problem)
{
	struct hh_intel_load_stats *st = c->st;
	if (st->bad < sizeof(st->first_bad) / sizeof(st->first_bad[0]))
		snprintf(st->first_bad[st->bad], sizeof(st->first_bad[0]), "%.100s:%u: %.200s", c->name, line, problem);
	st->bad++;
}

/* Adds one token; returns -1 when a table is full (fatal, err set). */
static int add_token_in(struct load_ctx *c, const char *tok, const char *list, unsigned line, const char *where)
{
	char why[300];
	int r = hh_intel_add(c->in, tok, c->name, list, line, why, sizeof(why));
	if (r == 1)
		c->st->added++;
	else if (r == 0)
		c->st->duplicates++;
	else if (r == -1 && where) {
		char msg[400];
		snprintf(msg, sizeof(msg), "%s: %s", where, why);
		note_bad(c, line, msg);
	} else if (r == -1)
		note_bad(c, line, why);
	else {
		snprintf(c->err, c->errlen, "%s:%u: %s", c->name, line, why);
		return -1;
	}
	return 0;
}

static int add_token(struct load_ctx *c, const char *tok, const char *list, unsigned line)
{
	return add_token_in(c, tok, list, line, NULL);
}

static bool is_ip_text(const char *s)
{
	unsigned char a[16];
	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* Names a hosts file carries for the machine itself, not intel. */
static bool hosts_self_name(const char *s)
{
	static const char *const self[] = { "localhost", "localhost.localdomain", "local", "broadcasthost",
					    "ip6-localhost", "ip6-loopback", "ip6-localnet", "ip6-mcastprefix",
					    "ip6-allnodes", "ip6-allrouters", "ip6-allhosts", "0.0.0.0" };
	for (size_t i = 0; i < sizeof(self) / sizeof(self[0]); i++)
		if (strcasecmp(s, self[i]) == 0)
			return true;
	return false;
}

/* One line of a text list. Returns -1 on a fatal error. */
static int load_text_line(struct load_ctx *c, char *line, unsigned lineno)
{
	/* Adblock cosmetic and scriptlet rules ("example.com##.ad", "#@#", "#?#", "#$#"). */
	if (strstr(line, "##") || strstr(line, "#@#") || strstr(line, "#?#") || strstr(line, "#$#")) {
		c->st->skipped++;
		return 0;
	}
	/* Comments: '#' at the start or after white space; '!' and '[' headers in adblock lists. */
	for (char *p = line; *p; p++) {
		if (*p == '#' && (p == line || isspace((unsigned char)p[-1]))) {
			*p = 0;
			break;
		}
	}
	char *s = line;
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	if (n == 0 || s[0] == '!' || (s[0] == '[' && s[n - 1] == ']' && strchr(s, ' ')))
		return 0;
	if (strncmp(s, "@@", 2) == 0) { /* adblock exception */
		c->st->skipped++;
		return 0;
	}
	if (strncmp(s, "||", 2) == 0) {
		char *d = s + 2;
		size_t dl = strcspn(d, "^$/|*");
		char term = d[dl];
		/* Only whole-domain rules are intel; path and wildcard rules are not. */
		if (dl == 0 || term == '/' || term == '*' || (term == '|' && d[dl + 1] != 0)) {
			c->st->skipped++;
			return 0;
		}
		d[dl] = 0;
		return add_token(c, d, "", lineno);
	}
	char *save = NULL;
	char *tok = strtok_r(s, " \t", &save);
	char *next = strtok_r(NULL, " \t", &save);
	if (!next)
		return add_token(c, tok, "", lineno);
	if (is_ip_text(tok)) { /* hosts file: the address is a sinkhole, the names are intel */
		for (char *h = next; h; h = strtok_r(NULL, " \t", &save)) {
			if (hosts_self_name(h)) {
				c->st->skipped++;
				continue;
			}
			if (add_token(c, h, "", lineno) < 0)
				return -1;
		}
		return 0;
	}
	note_bad(c, lineno, "expected one entry per line, or a hosts-file line (ADDRESS NAME...)");
	return 0;
}

static int load_text(struct load_ctx *c, const char *buf, size_t len)
{
	unsigned lineno = 0;
	size_t i = 0;
	char line[HH_INTEL_MAX_LINE + 1];
	while (i < len) {
		size_t start = i;
		while (i < len && buf[i] != '\n')
			i++;
		size_t ll = i - start;
		i++; /* past the newline */
		lineno++;
		if (ll > 0 && buf[start + ll - 1] == '\r')
			ll--;
		if (ll > HH_INTEL_MAX_LINE) {
			note_bad(c, lineno, "line longer than the limit, skipped");
			continue;
		}
		if (memchr(buf + start, 0, ll)) {
			note_bad(c, lineno, "NUL byte in line, skipped");
			continue;
		}
		memcpy(line, buf + start, ll);
		line[ll] = 0;
		if (load_text_line(c, line, lineno) < 0)
			return -1;
	}
	return 0;
}

static enum hh_intel_kind list_kind(const char *name, bool *known)
{
	char low[128];
	size_t i;
	for (i = 0; name[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[i] = 0;
	*known = true;
	if (strstr(low, "domain") || strstr(low, "host") || strstr(low, "fqdn"))
		return HH_INTEL_DOMAIN;
	if (strstr(low, "port"))
		return HH_INTEL_PORT;
	if (strstr(low, "ip") || strstr(low, "cidr") || strstr(low, "addr") || strstr(low, "net"))
		return HH_INTEL_IP;
	*known = false;
	return HH_INTEL_DOMAIN;
}

static int load_yaml_list(struct load_ctx *c, const struct hh_yaml_docs *d, const char *name, const json_t *items)
{
	bool known;
	enum hh_intel_kind kind = list_kind(name, &known);
	unsigned base = hh_yaml_line_of(d, items);
	if (!known) {
		c->st->skipped += json_array_size(items);
		return 0;
	}
	size_t idx;
	const json_t *it;
	json_array_foreach(items, idx, it) {
		/* The sequence's line; the item is named by its index (flow-style
		 * lists hold many items on one line). */
		unsigned line = base;
		char where[160];
		snprintf(where, sizeof(where), "list %s item %zu", name, idx + 1);
		char tok[512];
		if (json_is_integer(it)) {
			snprintf(tok, sizeof(tok), "%lld", (long long)json_integer_value(it));
		} else if (json_is_string(it)) {
			const char *s = json_string_value(it);
			size_t n = strlen(s);
			/* Falco items are sometimes quoted inside the YAML string: '"xmrig"'. */
			if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
				s++;
				n -= 2;
			}
			snprintf(tok, sizeof(tok), "%.*s", (int)n, s);
		} else {
			char why[200];
			snprintf(why, sizeof(why), "%s is not a string or number", where);
			note_bad(c, line, why);
			continue;
		}
		char full[520];
		if (kind == HH_INTEL_PORT) {
			snprintf(full, sizeof(full), "port:%s", tok);
		} else {
			/* Domain and IP lists: each item says what it is. */
			snprintf(full, sizeof(full), "%s", tok);
		}
		if (add_token_in(c, full, name, line, where) < 0)
			return -1;
	}
	return 0;
}

static int load_yaml(struct load_ctx *c, const char *buf, size_t len)
{
	struct hh_yaml_docs d;
	int yr = hh_yaml_load_buf(buf, len, c->name, NULL, &d);
	int rc = 0;
	size_t di;
	const json_t *doc;
	json_array_foreach(d.docs, di, doc) {
		if (json_is_array(doc)) { /* Falco rules file: - list: NAME / items: [...] */
			size_t i;
			const json_t *el;
			json_array_foreach(doc, i, el) {
				const json_t *ln = json_object_get(el, "list");
				const json_t *items = json_object_get(el, "items");
				if (!json_is_string(ln) || !json_is_array(items)) {
					c->st->skipped++; /* rules and macros */
					continue;
				}
				if (load_yaml_list(c, &d, json_string_value(ln), items) < 0) {
					rc = -1;
					goto out;
				}
			}
		} else if (json_is_object(doc)) { /* NAME: [...] */
			const char *key;
			const json_t *v;
			json_object_foreach((json_t *)doc, key, v) {
				if (!json_is_array(v)) {
					c->st->skipped++;
					continue;
				}
				if (load_yaml_list(c, &d, key, v) < 0) {
					rc = -1;
					goto out;
				}
			}
		} else if (!json_is_null(doc)) {
			note_bad(c, 1, "YAML document is neither a list of '- list:' items nor a mapping of lists");
		}
	}
	if (yr < 0) {
		snprintf(c->err, c->errlen, "%s", d.error);
		rc = -1;
	}
out:
	hh_yaml_docs_free(&d);
	return rc;
}

/* YAML when the name says so, or when the first meaningful line is "- list:"
 * or a bare "key:" / "key: [" (plain lists never have those). */
static bool looks_yaml(const char *name, const char *buf, size_t len)
{
	size_t nl = strlen(name);
	if ((nl > 5 && strcasecmp(name + nl - 5, ".yaml") == 0) || (nl > 4 && strcasecmp(name + nl - 4, ".yml") == 0))
		return true;
	size_t i = 0;
	while (i < len) {
		size_t s = i;
		while (i < len && buf[i] != '\n')
			i++;
		size_t e = i++;
		while (s < e && isspace((unsigned char)buf[s]))
			s++;
		if (s == e || buf[s] == '#')
			continue;
		if (e - s >= 7 && strncmp(buf + s, "- list:", 7) == 0)
			return true;
		if (buf[s] == '-' && e - s >= 3 && buf[s + 1] == '-' && buf[s + 2] == '-')
			return true;
		size_t k = s;
		while (k < e && (isalnum((unsigned char)buf[k]) || buf[k] == '_' || buf[k] == '-'))
			k++;
		if (k > s && k < e && buf[k] == ':') {
			k++;
			while (k < e && (buf[k] == ' ' || buf[k] == '\t' || buf[k] == '\r'))
				k++;
			return k == e || buf[k] == '[';
		}
		return false;
	}
	return false;
}

int hh_intel_load_buf(struct hh_intel *in, const char *buf, size_t len, const char *name,
		      struct hh_intel_load_stats *st, char *err, size_t errlen)
{
	struct hh_intel_load_stats local;
	char lerr[8];
	if (!st)
		st = &local;
	memset(st, 0, sizeof(*st));
	if (!err || errlen == 0) {
		err = lerr;
		errlen = sizeof(lerr);
	}
	err[0] = 0;
	struct load_ctx c = { in, name ? name : "(buffer)", st, err, errlen };
	if (looks_yaml(c.name, buf, len))
		return load_yaml(&c, buf, len);
	return load_text(&c, buf, len);
}

int hh_intel_load_file(struct hh_intel *in, const char *path, struct hh_intel_load_stats *st,
		       char *err, size_t errlen)
{
	struct hh_buf b;
	if (hh_read_file(path, HH_INTEL_MAX_FILE, &b, err, errlen) < 0) {
		if (st)
			memset(st, 0, sizeof(*st));
		return -1;
	}
	int rc = hh_intel_load_buf(in, b.data, b.len, path, st, err, errlen);
	hh_buf_free(&b);
	return rc;
}

int hh_intel_load_builtin(struct hh_intel *in, struct hh_intel_load_stats *st)
{
	char err[256];
	const char *t = hh_embed_src_enrich_intel_default_pools_txt;
	return hh_intel_load_buf(in, t, strlen(t), "built-in", st, err, sizeof(err));
}
