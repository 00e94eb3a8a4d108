/* Mining-pool intel: domains, IP addresses and CIDRs, pool ports.
 *
 * Domains match by suffix at a label boundary, case-insensitively, a trailing
 * dot ignored: the entry "minexmr.com" matches "pool.MINEXMR.com." but not
 * "evilminexmr.com". IPs and CIDRs are IPv4 or IPv6; an IPv4-mapped IPv6
 * address (::ffff:a.b.c.d) matches IPv4 entries. Ports are weak signals on
 * their own (pools also serve on 443; 8080 is everywhere): callers must not
 * raise more than a low-severity finding on a port alone.
 *
 * Loaders (hh_intel_load_file guesses the format from the content):
 *   - hosts files:        "0.0.0.0 pool.example.com other.example"  (the address is ignored)
 *   - plain lists:        one domain, IP, CIDR or "port:N" per line; URLs such as
 *                         stratum+tcp://host:3333 give their host
 *   - adblock-style:      "||domain^" (options after '$' ignored; "@@" exceptions,
 *                         cosmetic and path rules are skipped and counted)
 *   - Falco-style YAML:   "- list: miner_domains\n  items: [a, b]" or a mapping
 *                         "miner_domains: [a, b]"; a list is taken as domains, ports
 *                         or IPs from its name (…domain…/…host…, …port…, …ip…/…cidr…);
 *                         other lists (miner_binaries) are skipped and counted.
 * Comments: '#' (and '!' in adblock lists). Bad lines never stop a load: each is
 * counted and the first few are reported as "FILE:LINE: problem".
 *
 * Tables are bounded (HH_INTEL_MAX_*); a full table is an error naming file:line.
 * Not thread-safe for writes; concurrent matching after loading is safe. */
#ifndef HH_INTEL_H
#define HH_INTEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HH_INTEL_MAX_DOMAINS 1000000u
#define HH_INTEL_MAX_IPS     200000u  /* exact addresses and CIDRs together */
#define HH_INTEL_MAX_SOURCES 256u
#define HH_INTEL_MAX_LINE    4096u     /* longer lines are reported and skipped */
#define HH_INTEL_MAX_FILE    (64u << 20)

enum hh_intel_kind { HH_INTEL_DOMAIN = 0, HH_INTEL_IP, HH_INTEL_PORT };

/* One entry. Strings are owned by the intel set and live as long as it. */
struct hh_intel_entry {
	enum hh_intel_kind kind;
	const char *value;      /* "minexmr.com", "203.0.113.0/24", "3333" (normalized) */
	const char *source;     /* "built-in", or the file path given to the loader */
	const char *list;       /* YAML list name ("miner_domains") or "" */
	unsigned line;          /* 1-based line in source, 0 when unknown */
};

struct hh_intel;

/* What one load did. */
struct hh_intel_load_stats {
	size_t added;           /* new entries */
	size_t duplicates;      /* already present (first source kept) */
	size_t skipped;         /* lines or items that were not intel (exceptions, other lists) */
	size_t bad;             /* malformed lines or items */
	char first_bad[3][320]; /* "FILE:LINE: problem" for the first malformed ones */
};

/* An empty set (no built-in entries). NULL on allocation failure. */
struct hh_intel *hh_intel_new(void);
void hh_intel_free(struct hh_intel *in);

/* Adds the compiled-in default pool list (src/enrich/intel/default-pools.txt). */
int hh_intel_load_builtin(struct hh_intel *in, struct hh_intel_load_stats *st);

/* Loads a local file of any supported format. Returns 0, or -1 with err naming
 * the file (and line) when it cannot be read, is not valid YAML, or a table is
 * full; entries read before a table filled up are kept. st may be NULL. */
int hh_intel_load_file(struct hh_intel *in, const char *path, struct hh_intel_load_stats *st,
		       char *err, size_t errlen);
/* Same on a buffer; name is used in errors and as the entries' source. */
int hh_intel_load_buf(struct hh_intel *in, const char *buf, size_t len, const char *name,
		      struct hh_intel_load_stats *st, char *err, size_t errlen);

/* Adds one entry from its text form ("pool.example.com", "198.51.100.7",
 * "2001:db8::/32", "port:3333"). Returns 1 added, 0 duplicate, -1 malformed
 * or table full (err says which). */
int hh_intel_add(struct hh_intel *in, const char *text, const char *source, const char *list,
		 unsigned line, char *err, size_t errlen);

/* Matching. Each returns true on a match and, when entry is not NULL, points
 * it at the matching entry (the longest matching domain suffix). */
bool hh_intel_match_domain(const struct hh_intel *in, const char *name,
			   const struct hh_intel_entry **entry);
/* False when name[0..len) (as it stands in a text, any case) can match no
 * domain: its last two labels are those of none (cheap; no normalizing). */
bool hh_intel_domain_may_match(const struct hh_intel *in, const char *name, size_t len);
/* family AF_INET (addr: 4 bytes) or AF_INET6 (16 bytes). */
bool hh_intel_match_ip(const struct hh_intel *in, int family, const void *addr,
		       const struct hh_intel_entry **entry);
/* Text form of an address ("198.51.100.7", "2001:db8::1"). */
bool hh_intel_match_ip_text(const struct hh_intel *in, const char *ip,
			    const struct hh_intel_entry **entry);
bool hh_intel_is_pool_port(const struct hh_intel *in, unsigned port,
			   const struct hh_intel_entry **entry);

/* Pool domains named anywhere in text[0..len) (host-name tokens with an
 * alphabetic top-level label, matched by suffix). Writes up to max distinct
 * normalized names into out and returns how many. */
size_t hh_intel_scan_text(const struct hh_intel *in, const char *text, size_t len, char out[][96], size_t max);

/* Counts by kind. */
size_t hh_intel_count(const struct hh_intel *in, enum hh_intel_kind kind);

/* Calls fn for every entry (domains, then IPs, then ports) until fn returns non-zero. */
void hh_intel_foreach(const struct hh_intel *in, int (*fn)(const struct hh_intel_entry *, void *),
		      void *arg);

/* Writes the set as a plain list that hh_intel_load_file reads back. Returns 0 or -1. */
int hh_intel_write_plain(const struct hh_intel *in, FILE *fp);

/* Normalizes a DNS name for matching: lower case, trailing dot removed,
 * a leading "*." dropped. Returns false when it is not a plausible host name
 * (empty, too long, a label over 63 bytes, characters outside [a-z0-9-_]). */
bool hh_intel_normalize_domain(const char *name, char *out, size_t n);

const char *hh_intel_kind_name(enum hh_intel_kind kind);

struct hh_config;
/* The set a configuration asks for: the built-in list unless
 * network.intel.builtin is false (or use_builtin is 0; -1 follows the config),
 * then every file of network.intel.files, then extra[0..n_extra). Malformed
 * lines are logged as warnings naming file:line. Returns NULL with err naming
 * the file when one cannot be loaded. */
struct hh_intel *hh_intel_from_config(const struct hh_config *cfg, int use_builtin, const char *const *extra,
				      size_t n_extra, char *err, size_t errlen);
/* Logs the malformed lines a load reported (warnings). */
void hh_intel_log_stats(const char *name, const struct hh_intel_load_stats *st);

#endif
