/* Mining-pool intel tables: entries, domain suffix matching, IP/CIDR matching
 * by prefix length, pool ports. Loaders are in intel_load.c. */
#include "enrich/intel/intel.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every entry, in insertion order (list, export), owns its strings. */
struct entry_box {
	struct hh_intel_entry e;
	/* IP entries: family, prefix length and the masked address (key). */
	uint8_t family, prefix;
	uint8_t addr[16];
	char value[];
};

#define SFX2_BITS (1u << 16)

struct hh_intel {
	struct entry_box **all;
	size_t n_all, cap_all;
	size_t n_kind[3];
	/* Domains: open addressing on the normalized name. */
	struct entry_box **dom;
	size_t dom_cap;
	/* Bit per hash of every domain's last two labels: a name whose own last
	 * two labels have no bit here matches no domain (each domain has two
	 * labels or more and matches by suffix), so a text scan skips it. */
	uint64_t sfx2[SFX2_BITS / 64];
	/* IPs and CIDRs: open addressing on (family, prefix, masked address);
	 * a match tries each prefix length in use, longest first. */
	struct entry_box **ip;
	size_t ip_cap;
	uint8_t v4_prefixes[33], v6_prefixes[129];
	/* Ports: one slot per port, allocated on first use. */
	struct entry_box **ports;
	/* Interned source and list names. */
	char *strings[HH_INTEL_MAX_SOURCES * 2];
	size_t n_strings;
};

static uint64_t fnv1a(const void *p, size_t n, uint64_t h)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
#define FNV_SEED 0xcbf29ce484222325ull

/* Hash of the last two labels of s[0..n), ASCII case folded; false when s
 * has a single label. */
static bool sfx2_hash(const char *s, size_t n, uint32_t *h)
{
	size_t dots = 0, i = n;
	while (i > 0 && !(s[i - 1] == '.' && ++dots == 2))
		i--;
	if (!dots)
		return false;
	/* rotate and xor per byte (a one-cycle step; a multiply per byte was a
	 * visible part of scanning text), one multiply at the end to mix */
	uint64_t x = n - i;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		x = (x << 7 | x >> 57) ^ (c >= 'A' && c <= 'Z' ? c | 0x20 : c);
	}
	*h = (uint32_t)((x * 0x9e3779b97f4a7c15ull) >> 48) & (SFX2_BITS - 1);
	return true;
}

bool hh_intel_domain_may_match(const struct hh_intel *in, const char *name, size_t len)
{
	uint32_t h;
	return sfx2_hash(name, len, &h) && (in->sfx2[h / 64] >> (h % 64) & 1);
}

const char *hh_intel_kind_name(enum hh_intel_kind kind)
{
	switch (kind) {
	case HH_INTEL_DOMAIN: return "domain";
	case HH_INTEL_IP: return "ip";
	case HH_INTEL_PORT: return "port";
	}
	return "?";
}

struct hh_intel *hh_intel_new(void)
{
	return calloc(1, sizeof(struct hh_intel));
}

void hh_intel_free(struct hh_intel *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->n_all; i++)
		free(in->all[i]);
	free(in->all);
	free(in->dom);
	free(in->ip);
	free(in->ports);
	for (size_t i = 0; i < in->n_strings; i++)
		free(in->strings[i]);
	free(in);
}

size_t hh_intel_count(const struct hh_intel *in, enum hh_intel_kind kind)
{
	return (unsigned)kind < 3 ? in->n_kind[kind] : 0;
}

static const char *intern(struct hh_intel *in, const char *s)
{
	if (!s)
		s = "";
	for (size_t i = 0; i < in->n_strings; i++)
		if (strcmp(in->strings[i], s) == 0)
			return in->strings[i];
	if (in->n_strings >= sizeof(in->strings) / sizeof(in->strings[0]))
		return NULL;
	char *c = strdup(s);
	if (!c)
		return NULL;
	in->strings[in->n_strings++] = c;
	return c;
}

bool hh_intel_normalize_domain(const char *name, char *out, size_t n)
{
	if (!name || !out || n == 0)
		return false;
	if (name[0] == '*' && name[1] == '.')
		name += 2;
	else if (name[0] == '.')
		name += 1;
	size_t len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > 253 || len + 1 > n)
		return false;
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
		out[i] = (char)tolower(c);
	}
	if (label == 0)
		return false;
	out[len] = 0;
	return true;
}

/* ---- growable open-addressing tables ---- */

static uint64_t dom_hash(const char *s, size_t n) { return fnv1a(s, n, FNV_SEED); }

static uint64_t ip_hash(uint8_t family, uint8_t prefix, const uint8_t *addr)
{
	uint64_t h = fnv1a(&family, 1, FNV_SEED);
	h = fnv1a(&prefix, 1, h);
	return fnv1a(addr, family == 4 ? 4 : 16, h);
}

static struct entry_box **dom_slot(struct entry_box **tab, size_t cap, const char *s, size_t n)
{
	size_t i = dom_hash(s, n) & (cap - 1);
	while (tab[i]) {
		const char *v = tab[i]->value;
		if (strncmp(v, s, n) == 0 && v[n] == 0)
			return &tab[i];
		i = (i + 1) & (cap - 1);
	}
	return &tab[i];
}

static struct entry_box **ip_slot(struct entry_box **tab, size_t cap, uint8_t family, uint8_t prefix,
				  const uint8_t *addr)
{
	size_t i = ip_hash(family, prefix, addr) & (cap - 1);
	size_t alen = family == 4 ? 4 : 16;
	while (tab[i]) {
		const struct entry_box *b = tab[i];
		if (b->family == family && b->prefix == prefix && memcmp(b->addr, addr, alen) == 0)
			return &tab[i];
		i = (i + 1) & (cap - 1);
	}
	return &tab[i];
}

/* Keeps load under one half. Returns -1 on allocation failure. */
static int grow(struct hh_intel *in, bool is_ip)
{
	struct entry_box ***tabp = is_ip ? &in->ip : &in->dom;
	size_t *capp = is_ip ? &in->ip_cap : &in->dom_cap;
	size_t used = is_ip ? in->n_kind[HH_INTEL_IP] : in->n_kind[HH_INTEL_DOMAIN];
	if (*capp && (used + 1) * 2 <= *capp)
		return 0;
	size_t ncap = *capp ? *capp * 2 : 1024;
	struct entry_box **nt = calloc(ncap, sizeof(*nt));
	if (!nt)
		return -1;
	for (size_t i = 0; i < *capp; i++) {
		struct entry_box *b = (*tabp)[i];
		if (!b)
			continue;
		struct entry_box **s = is_ip ? ip_slot(nt, ncap, b->family, b->prefix, b->addr)
					     : dom_slot(nt, ncap, b->value, strlen(b->value));
		*s = b;
	}
	free(*tabp);
	*tabp = nt;
	*capp = ncap;
	return 0;
}

static int remember(struct hh_intel *in, struct entry_box *b)
{
	if (in->n_all == in->cap_all) {
		size_t ncap = in->cap_all ? in->cap_all * 2 : 256;
		void *p = realloc(in->all, ncap * sizeof(*in->all));
		if (!p)
			return -1;
		in->all = p;
		in->cap_all = ncap;
	}
	in->all[in->n_all++] = b;
	in->n_kind[b->e.kind]++;
	return 0;
}

static struct entry_box *box_new(enum hh_intel_kind kind, const char *value, const char *source,
				 const char *list, unsigned line)
{
	size_t n = strlen(value);
	struct entry_box *b = calloc(1, sizeof(*b) + n + 1);
	if (!b)
		return NULL;
	memcpy(b->value, value, n + 1);
	b->e.kind = kind;
	b->e.value = b->value;
	b->e.source = source;
	b->e.list = list;
	b->e.line = line;
	return b;
}

static void mask_addr(uint8_t *addr, unsigned alen, unsigned prefix)
{
	for (unsigned i = 0; i < alen; i++) {
		unsigned bits = prefix > i * 8 ? prefix - i * 8 : 0;
		if (bits >= 8)
			continue;
		addr[i] &= (uint8_t)(0xff00u >> bits);
	}
}

/* Parses "a.b.c.d", "a.b.c.d/n", "v6", "v6/n". Returns false when not an address. */
static bool parse_ip(const char *text, uint8_t *family, uint8_t *prefix, uint8_t addr[16])
{
	char buf[64];
	size_t n = strlen(text);
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, text, n + 1);
	char *slash = strchr(buf, '/');
	long plen = -1;
	if (slash) {
		*slash = 0;
		char *end;
		if (!isdigit((unsigned char)slash[1]))
			return false;
		plen = strtol(slash + 1, &end, 10);
		if (*end || plen < 0)
			return false;
	}
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1) {
		if (plen > 32)
			return false;
		*family = 4;
		*prefix = (uint8_t)(plen < 0 ? 32 : plen);
		mask_addr(addr, 4, *prefix);
		return true;
	}
	if (inet_pton(AF_INET6, buf, addr) == 1) {
		if (plen > 128)
			return false;
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (memcmp(addr, mapped, 12) == 0 && (plen < 0 || plen >= 96)) {
			/* ::ffff:a.b.c.d is an IPv4 address. */
			memmove(addr, addr + 12, 4);
			memset(addr + 4, 0, 12);
			*family = 4;
			*prefix = (uint8_t)(plen < 0 ? 32 : plen - 96);
			mask_addr(addr, 4, *prefix);
			return true;
		}
		*family = 6;
		*prefix = (uint8_t)(plen < 0 ? 128 : plen);
		mask_addr(addr, 16, *prefix);
		return true;
	}
	return false;
}

static bool parse_port(const char *s, unsigned *port)
{
	if (!*s)
		return false;
	unsigned long v = 0;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return false;
		v = v * 10 + (unsigned)(*p - '0');
		if (v > 65535)
			return false;
	}
	if (v == 0)
		return false;
	*port = (unsigned)v;
	return true;
}

/* Reduces a URL or host:port to its host ("stratum+tcp://u@pool.x:3333/p" -> "pool.x",
 * "[2001:db8::1]:443" -> "2001:db8::1"). Plain hosts and addresses pass unchanged. */
static void strip_url(const char *text, char *out, size_t n)
{
	const char *s = text;
	const char *scheme = strstr(s, "://");
	if (scheme)
		s = scheme + 3;
	/* Only URLs have paths; "10.0.0.0/8" is a CIDR. */
	size_t len = scheme ? strcspn(s, "/?#") : strlen(s);
	char tmp[512];
	if (len >= sizeof(tmp))
		len = sizeof(tmp) - 1;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	char *host = tmp;
	char *at = strrchr(host, '@');
	if (at && scheme)
		host = at + 1;
	if (host[0] == '[') {
		char *close = strchr(host, ']');
		if (close) {
			*close = 0;
			host++;
		}
	} else {
		char *colon = strchr(host, ':');
		/* Exactly one colon followed by digits: host:port. IPv6 has several. */
		if (colon && !strchr(colon + 1, ':')) {
			unsigned port;
			if (parse_port(colon + 1, &port) || colon[1] == 0)
				*colon = 0;
		}
	}
	snprintf(out, n, "%s", host);
}

int hh_intel_add(struct hh_intel *in, const char *text, const char *source, const char *list,
		 unsigned line, char *err, size_t errlen)
{
	char local[8];
	if (!err || errlen == 0) {
		err = local;
		errlen = sizeof(local);
	}
	err[0] = 0;
	const char *src = intern(in, source ? source : "");
	const char *lst = intern(in, list ? list : "");
	if (!src || !lst) {
		snprintf(err, errlen, "too many intel sources (limit %u)", HH_INTEL_MAX_SOURCES);
		return -2;
	}
	if (strncmp(text, "port:", 5) == 0) {
		unsigned port;
		if (!parse_port(text + 5, &port)) {
			snprintf(err, errlen, "not a port number 1-65535: '%.64s'", text + 5);
			return -1;
		}
		if (!in->ports) {
			in->ports = calloc(65536, sizeof(*in->ports));
			if (!in->ports) {
				snprintf(err, errlen, "out of memory");
				return -2;
			}
		}
		if (in->ports[port])
			return 0;
		char v[8];
		snprintf(v, sizeof(v), "%u", port);
		struct entry_box *b = box_new(HH_INTEL_PORT, v, src, lst, line);
		if (!b || remember(in, b) < 0) {
			free(b);
			snprintf(err, errlen, "out of memory");
			return -2;
		}
		in->ports[port] = b;
		return 1;
	}
	char host[512];
	strip_url(text, host, sizeof(host));
	uint8_t family, prefix, addr[16];
	if (parse_ip(host, &family, &prefix, addr)) {
		if (in->n_kind[HH_INTEL_IP] >= HH_INTEL_MAX_IPS) {
			snprintf(err, errlen, "IP/CIDR table full (limit %u)", HH_INTEL_MAX_IPS);
			return -2;
		}
		if (grow(in, true) < 0) {
			snprintf(err, errlen, "out of memory");
			return -2;
		}
		struct entry_box **slot = ip_slot(in->ip, in->ip_cap, family, prefix, addr);
		if (*slot)
			return 0;
		char v[64];
		if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, v, sizeof(v)))
			return -1;
		if (prefix != (family == 4 ? 32 : 128))
			snprintf(v + strlen(v), sizeof(v) - strlen(v), "/%u", prefix);
		struct entry_box *b = box_new(HH_INTEL_IP, v, src, lst, line);
		if (!b || remember(in, b) < 0) {
			free(b);
			snprintf(err, errlen, "out of memory");
			return -2;
		}
		b->family = family;
		b->prefix = prefix;
		memcpy(b->addr, addr, 16);
		*slot = b;
		if (family == 4)
			in->v4_prefixes[prefix] = 1;
		else
			in->v6_prefixes[prefix] = 1;
		return 1;
	}
	char name[256];
	if (!hh_intel_normalize_domain(host, name, sizeof(name))) {
		snprintf(err, errlen, "not a domain, IP, CIDR or port:N: '%.80s'", text);
		return -1;
	}
	/* A single label ("com", "localhost") would match far too much by suffix. */
	if (!strchr(name, '.')) {
		snprintf(err, errlen, "domain '%.80s' has a single label (would match every name under it)", name);
		return -1;
	}
	bool numeric = true;
	for (const char *p = name; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			numeric = false;
	if (numeric) {
		snprintf(err, errlen, "not a valid IP address: '%.80s'", text);
		return -1;
	}
	if (in->n_kind[HH_INTEL_DOMAIN] >= HH_INTEL_MAX_DOMAINS) {
		snprintf(err, errlen, "domain table full (limit %u)", HH_INTEL_MAX_DOMAINS);
		return -2;
	}
	if (grow(in, false) < 0) {
		snprintf(err, errlen, "out of memory");
		return -2;
	}
	size_t nlen = strlen(name);
	struct entry_box **slot = dom_slot(in->dom, in->dom_cap, name, nlen);
	if (*slot)
		return 0;
	struct entry_box *b = box_new(HH_INTEL_DOMAIN, name, src, lst, line);
	if (!b || remember(in, b) < 0) {
		free(b);
		snprintf(err, errlen, "out of memory");
		return -2;
	}
	*slot = b;
	uint32_t h;
	if (sfx2_hash(name, nlen, &h))
		in->sfx2[h / 64] |= 1ull << (h % 64);
	return 1;
}

bool hh_intel_match_domain(const struct hh_intel *in, const char *name,
			   const struct hh_intel_entry **entry)
{
	char norm[256];
	if (!in || !in->dom_cap || !hh_intel_normalize_domain(name, norm, sizeof(norm)))
		return false;
	/* Longest suffix first: the full name, then without each leading label. */
	const char *s = norm;
	while (s && *s) {
		struct entry_box **slot = dom_slot(in->dom, in->dom_cap, s, strlen(s));
		if (*slot) {
			if (entry)
				*entry = &(*slot)->e;
			return true;
		}
		s = strchr(s, '.');
		if (s)
			s++;
	}
	return false;
}

bool hh_intel_match_ip(const struct hh_intel *in, int family, const void *addr,
		       const struct hh_intel_entry **entry)
{
	if (!in || !in->ip_cap || !addr)
		return false;
	uint8_t a[16] = { 0 };
	uint8_t fam;
	if (family == AF_INET) {
		memcpy(a, addr, 4);
		fam = 4;
	} else if (family == AF_INET6) {
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (memcmp(addr, mapped, 12) == 0) {
			memcpy(a, (const uint8_t *)addr + 12, 4);
			fam = 4;
		} else {
			memcpy(a, addr, 16);
			fam = 6;
		}
	} else {
		return false;
	}
	int maxp = fam == 4 ? 32 : 128;
	const uint8_t *used = fam == 4 ? in->v4_prefixes : in->v6_prefixes;
	for (int p = maxp; p >= 0; p--) {
		if (!used[p])
			continue;
		uint8_t m[16];
		memcpy(m, a, 16);
		mask_addr(m, fam == 4 ? 4 : 16, (unsigned)p);
		struct entry_box **slot = ip_slot(in->ip, in->ip_cap, fam, (uint8_t)p, m);
		if (*slot) {
			if (entry)
				*entry = &(*slot)->e;
			return true;
		}
	}
	return false;
}

bool hh_intel_match_ip_text(const struct hh_intel *in, const char *ip, const struct hh_intel_entry **entry)
{
	uint8_t a[16];
	if (inet_pton(AF_INET, ip, a) == 1)
		return hh_intel_match_ip(in, AF_INET, a, entry);
	if (inet_pton(AF_INET6, ip, a) == 1)
		return hh_intel_match_ip(in, AF_INET6, a, entry);
	return false;
}

bool hh_intel_is_pool_port(const struct hh_intel *in, unsigned port, const struct hh_intel_entry **entry)
{
	if (!in || !in->ports || port == 0 || port > 65535 || !in->ports[port])
		return false;
	if (entry)
		*entry = &in->ports[port]->e;
	return true;
}

void hh_intel_foreach(const struct hh_intel *in, int (*fn)(const struct hh_intel_entry *, void *), void *arg)
{
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < in->n_all; i++)
			if ((int)in->all[i]->e.kind == k && fn(&in->all[i]->e, arg))
				return;
}

static int write_one(const struct hh_intel_entry *e, void *arg)
{
	FILE *fp = arg;
	if (e->kind == HH_INTEL_PORT)
		fprintf(fp, "port:%s\n", e->value);
	else
		fprintf(fp, "%s\n", e->value);
	return 0;
}

int hh_intel_write_plain(const struct hh_intel *in, FILE *fp)
{
	fprintf(fp, "# hashhound intel: %zu domains, %zu IPs/CIDRs, %zu ports\n",
		in->n_kind[HH_INTEL_DOMAIN], in->n_kind[HH_INTEL_IP], in->n_kind[HH_INTEL_PORT]);
	hh_intel_foreach(in, write_one, fp);
	return ferror(fp) ? -1 : 0;
}
