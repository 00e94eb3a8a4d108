/* DNS messages (RFC 1035) over UDP: the question and the A/AAAA/CNAME
 * answers, with name compression followed safely (bounded jumps, only
 * backwards, total name length <= 255). And a bounded cache of answers so a
 * later flow to an address can be named by the query that resolved it. */
#ifndef HH_NET_DNS_H
#define HH_NET_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HH_DNS_MAX_ANSWERS 32

struct hh_dns_answer {
	uint16_t type;          /* 1 A, 28 AAAA, 5 CNAME */
	uint32_t ttl;
	char name[256];         /* owner name */
	uint8_t addr[16];       /* A: 4 bytes, AAAA: 16 */
	char cname[256];        /* CNAME target */
};

struct hh_dns_msg {
	uint16_t id;
	bool response;
	uint8_t rcode;
	char qname[256];        /* first question, "" when none */
	uint16_t qtype;
	size_t n_answers;       /* A, AAAA and CNAME answers kept */
	struct hh_dns_answer answers[HH_DNS_MAX_ANSWERS];
};

/* Returns 0, or -1 with *why set when the message is malformed. */
int hh_dns_parse(const uint8_t *data, size_t len, struct hh_dns_msg *out, const char **why);

/* Address -> name cache (LRU, bounded). */
struct hh_dns_cache;
struct hh_dns_cache *hh_dns_cache_new(size_t max_entries);
void hh_dns_cache_free(struct hh_dns_cache *c);
/* Remembers every address answer of msg under the question name. */
void hh_dns_cache_add(struct hh_dns_cache *c, const struct hh_dns_msg *msg, double now);
/* The name that resolved to addr (family 4 or 6), or NULL. Valid until the next add. */
const char *hh_dns_cache_lookup(struct hh_dns_cache *c, int family, const uint8_t *addr);
size_t hh_dns_cache_size(const struct hh_dns_cache *c);

#endif
