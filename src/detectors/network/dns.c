/* DNS message parser and the address -> name cache. */
#include "detectors/network/dns.h"

#include <stdlib.h>
#include <string.h>

#include "core/workload.h"

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* Reads a (possibly compressed) name at *off. Advances *off past it in the
 * message. Pointers must go backwards, at most 32 of them. */
static int read_name(const uint8_t *d, size_t len, size_t *off, char *out, size_t n)
{
	size_t pos = *off, o = 0;
	bool jumped = false;
	int jumps = 0;
	out[0] = 0;
	for (;;) {
		if (pos >= len)
			return -1;
		uint8_t l = d[pos];
		if ((l & 0xc0) == 0xc0) {
			if (pos + 1 >= len || ++jumps > 32)
				return -1;
			size_t target = (size_t)(l & 0x3f) << 8 | d[pos + 1];
			if (target >= pos)
				return -1; /* forward or self pointer: a loop */
			if (!jumped)
				*off = pos + 2;
			jumped = true;
			pos = target;
			continue;
		}
		if (l & 0xc0)
			return -1; /* reserved label types */
		if (l == 0) {
			if (!jumped)
				*off = pos + 1;
			break;
		}
		if (pos + 1 + l > len || o + l + 2 > n || o + l + 1 > 255)
			return -1;
		if (o)
			out[o++] = '.';
		for (size_t i = 0; i < l; i++) {
			uint8_t c = d[pos + 1 + i];
			out[o++] = (c > 0x20 && c < 0x7f && c != '.') ? (char)c : '?';
		}
		out[o] = 0;
		pos += 1 + l;
	}
	return 0;
}

int hh_dns_parse(const uint8_t *d, size_t len, struct hh_dns_msg *m, const char **why)
{
	memset(m, 0, sizeof(*m));
	if (len < 12) {
		*why = "DNS header truncated";
		return -1;
	}
	m->id = be16(d);
	m->response = d[2] & 0x80;
	m->rcode = d[3] & 0x0f;
	unsigned qd = be16(d + 4), an = be16(d + 6);
	if ((d[2] & 0x78) != 0) { /* opcode other than QUERY */
		*why = "not a standard query";
		return -1;
	}
	size_t off = 12;
	for (unsigned i = 0; i < qd; i++) {
		char name[256];
		if (read_name(d, len, &off, name, sizeof(name)) < 0 || off + 4 > len) {
			*why = "DNS question malformed";
			return -1;
		}
		if (i == 0) {
			hh_strlcpy(m->qname, name, sizeof(m->qname));
			m->qtype = be16(d + off);
		}
		off += 4;
		if (i >= 8) { /* real queries carry one question */
			*why = "too many DNS questions";
			return -1;
		}
	}
	for (unsigned i = 0; i < an; i++) {
		char name[256];
		if (read_name(d, len, &off, name, sizeof(name)) < 0 || off + 10 > len) {
			*why = "DNS answer malformed";
			return i ? 0 : -1; /* keep what was read */
		}
		uint16_t type = be16(d + off), rdlen = be16(d + off + 8);
		uint32_t ttl = be32(d + off + 4);
		off += 10;
		if (off + rdlen > len) {
			*why = "DNS answer data truncated";
			return i ? 0 : -1;
		}
		if (m->n_answers < HH_DNS_MAX_ANSWERS && (type == 1 || type == 28 || type == 5)) {
			struct hh_dns_answer *a = &m->answers[m->n_answers];
			memset(a, 0, sizeof(*a));
			a->type = type;
			a->ttl = ttl;
			hh_strlcpy(a->name, name, sizeof(a->name));
			bool keep = true;
			if (type == 1 && rdlen == 4)
				memcpy(a->addr, d + off, 4);
			else if (type == 28 && rdlen == 16)
				memcpy(a->addr, d + off, 16);
			else if (type == 5) {
				size_t co = off;
				keep = read_name(d, off + rdlen, &co, a->cname, sizeof(a->cname)) == 0;
			} else
				keep = false;
			if (keep)
				m->n_answers++;
		}
		off += rdlen;
	}
	return 0;
}

/* ---- cache: open addressing on the address, LRU by a use counter ---- */

struct cache_ent {
	uint8_t used, family;
	uint8_t addr[16];
	uint64_t stamp;
	char name[256];
};

struct hh_dns_cache {
	struct cache_ent *tab;
	size_t cap, n, max;
	uint64_t clock;
};

struct hh_dns_cache *hh_dns_cache_new(size_t max)
{
	if (max < 16)
		max = 16;
	struct hh_dns_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	size_t cap = 32;
	while (cap < max * 2)
		cap *= 2;
	c->tab = calloc(cap, sizeof(*c->tab));
	if (!c->tab) {
		free(c);
		return NULL;
	}
	c->cap = cap;
	c->max = max;
	return c;
}

void hh_dns_cache_free(struct hh_dns_cache *c)
{
	if (!c)
		return;
	free(c->tab);
	free(c);
}

size_t hh_dns_cache_size(const struct hh_dns_cache *c) { return c->n; }

static size_t slot_hash(int family, const uint8_t *a)
{
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)family;
	for (int i = 0; i < (family == 4 ? 4 : 16); i++) {
		h ^= a[i];
		h *= 0x100000001b3ull;
	}
	return (size_t)h;
}

static struct cache_ent *find(struct hh_dns_cache *c, int family, const uint8_t *a)
{
	size_t alen = family == 4 ? 4 : 16;
	size_t i = slot_hash(family, a) & (c->cap - 1);
	for (size_t probes = 0; probes < c->cap; probes++) {
		struct cache_ent *e = &c->tab[i];
		if (!e->used)
			return e;
		if (e->family == family && memcmp(e->addr, a, alen) == 0)
			return e;
		i = (i + 1) & (c->cap - 1);
	}
	return NULL;
}

/* Removes the least recently used entry (a scan: evictions are rare next to lookups). */
static void evict_one(struct hh_dns_cache *c)
{
	size_t victim = c->cap;
	uint64_t oldest = UINT64_MAX;
	for (size_t i = 0; i < c->cap; i++)
		if (c->tab[i].used && c->tab[i].stamp < oldest) {
			oldest = c->tab[i].stamp;
			victim = i;
		}
	if (victim == c->cap)
		return;
	/* Backward-shift deletion keeps linear probing chains intact. */
	size_t i = victim;
	c->tab[i].used = 0;
	c->n--;
	size_t j = i;
	for (;;) {
		j = (j + 1) & (c->cap - 1);
		if (!c->tab[j].used)
			break;
		size_t k = slot_hash(c->tab[j].family, c->tab[j].addr) & (c->cap - 1);
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			c->tab[i] = c->tab[j];
			c->tab[j].used = 0;
			i = j;
		}
	}
}

void hh_dns_cache_add(struct hh_dns_cache *c, const struct hh_dns_msg *m, double now)
{
	(void)now;
	if (!m->response || !m->qname[0])
		return;
	for (size_t i = 0; i < m->n_answers; i++) {
		const struct hh_dns_answer *a = &m->answers[i];
		if (a->type != 1 && a->type != 28)
			continue;
		int fam = a->type == 1 ? 4 : 6;
		struct cache_ent *e = find(c, fam, a->addr);
		if (e && !e->used && c->n >= c->max) {
			evict_one(c);
			e = find(c, fam, a->addr);
		}
		if (!e)
			continue;
		if (!e->used) {
			e->used = 1;
			e->family = (uint8_t)fam;
			memset(e->addr, 0, sizeof(e->addr));
			memcpy(e->addr, a->addr, fam == 4 ? 4 : 16);
			c->n++;
		}
		e->stamp = ++c->clock;
		hh_strlcpy(e->name, m->qname, sizeof(e->name));
	}
}

const char *hh_dns_cache_lookup(struct hh_dns_cache *c, int family, const uint8_t *addr)
{
	if (!c)
		return NULL;
	struct cache_ent *e = find(c, family, addr);
	if (!e || !e->used)
		return NULL;
	e->stamp = ++c->clock;
	return e->name;
}
