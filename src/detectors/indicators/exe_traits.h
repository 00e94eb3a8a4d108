/* Miner traits in an executable's content, so a renamed binary is still
 * found: families of strings that miner builds carry (XMRig and its forks,
 * xmr-stak, cpuminer/minerd, ccminer, ethminer/lolMiner/T-Rex/SRBMiner/NBMiner,
 * RandomX/CryptoNight implementation tables, Stratum method names, pool
 * config keys). One trait family needs several of its strings, so a tool that
 * merely mentions "stratum" does not match. Streaming: feed chunks of any size. */
#ifndef HH_EXE_TRAITS_H
#define HH_EXE_TRAITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HH_TRAITS_MAX_PATTERN 48

struct hh_traits {
	uint64_t seen;        /* bit per pattern seen */
	char tail[HH_TRAITS_MAX_PATTERN]; /* overlap between chunks */
	size_t tail_len;
	size_t bytes;
};

void hh_traits_init(struct hh_traits *t);
void hh_traits_feed(struct hh_traits *t, const void *buf, size_t len);
/* Names of the matched families, comma-separated, into out ("" when none).
 * Returns the number of families matched. */
int hh_traits_result(const struct hh_traits *t, char *out, size_t n);

/* The trait strings in pattern order (bit i of hh_traits.seen is out[i]), for
 * a matcher that already passes over the bytes (the YARA pass of the image
 * scanner) to set seen instead of feeding. Returns how many (<= max). */
size_t hh_traits_patterns(const char **out, size_t max);
/* The trait strings one of which must occur for hh_traits_result to report
 * anything (those of the miner program families and of stratum): bytes with
 * none of them have no traits worth reporting. Returns how many (<= max). */
size_t hh_traits_necessary(const char **out, size_t max);

/* Reads up to max_bytes of path and reports its families as above.
 * Returns families matched, or -1 with err naming the file and the problem. */
int hh_traits_scan_file(const char *path, size_t max_bytes, char *out, size_t n, char *err, size_t errlen);

#endif
