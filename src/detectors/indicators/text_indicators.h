/* Miner indicators in text: command lines, environments, configs, scripts.
 * One scanner for the agent's process inventory, the image scanner and the
 * rule engine's helpers, so every layer agrees on what a miner looks like. */
#ifndef HH_TEXT_INDICATORS_H
#define HH_TEXT_INDICATORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detectors/indicators/multimatch.h"

#include "core/finding.h"

enum hh_indicator_kind {
	HH_IND_STRATUM_URL,   /* stratum+tcp://, stratum+ssl://, stratum+tls://, stratum+udp://, stratum2+tcp:// */
	HH_IND_WALLET,        /* a checksum-valid wallet address (value is masked) */
	HH_IND_MINER_FLAG,    /* --donate-level, --cpu-max-threads-hint, -a rx/0, --coin, --randomx-1gb-pages ... */
	HH_IND_MINER_NAME,    /* xmrig, xmr-stak, cpuminer, minerd, ccminer, t-rex, lolminer, nbminer ... as a word */
	HH_IND_POOL_CONFIG,   /* JSON/INI config keys: "pools", "donate-level", "randomx", "coin" with "url" */
	HH_IND_ALGORITHM,     /* rx/0, cryptonight, randomx, kawpow, ethash, autolykos ... as an argument value */
};

struct hh_indicator {
	enum hh_indicator_kind kind;
	char value[160];      /* what matched (wallets masked), truncated */
	size_t offset;        /* in the scanned text */
};

const char *hh_indicator_kind_name(enum hh_indicator_kind kind);

/* Scans text (not NUL-terminated; may hold NULs, e.g. /proc/PID/cmdline or
 * environ) and returns the number of indicators found, at most max.
 * Linear in len; each kind reported at most once per distinct value. */
size_t hh_indicators_scan(const char *text, size_t len, struct hh_indicator *out, size_t max);

/* Other literal patterns looked for in the same pass over the text (one
 * pass per byte for every text matcher): the indicator patterns plus
 * extra[0..n) (at most HH_IND_MAX_EXTRA, each 2+ bytes), built once. */
#define HH_IND_MAX_EXTRA 56
struct hh_indicator_pass {
	struct hh_mm *mm;                 /* indicator patterns first, then the extras */
	struct hh_mm_pattern *pats;
	size_t n_extra;
};
/* Returns -1 (pass unusable) when there are too many extras or no memory. */
int hh_indicator_pass_build(struct hh_indicator_pass *p, const struct hh_mm_pattern *extra, size_t n);
void hh_indicator_pass_free(struct hh_indicator_pass *p);
/* Where the extras picked by mask occur (offsets in text order), for a check
 * that looks at each occurrence instead of searching for it again. */
#define HH_IND_MAX_OFFSETS 512
struct hh_extra_offsets {
	uint64_t mask;                    /* bit i: record extra[i] */
	size_t off[HH_IND_MAX_OFFSETS];
	size_t n;
	bool full;                        /* more occurrences than off holds: n is not all */
};
/* hh_indicators_scan through p; bit i of *seen set when extra[i] occurs.
 * wallets false: wallet addresses are left to the caller, who finds the
 * candidate tokens in a pass of its own and adds them with
 * hh_indicators_add_wallets (same result as with wallets true).
 * offs (NULL: none wanted): filled as above. */
size_t hh_indicators_scan_pass(const struct hh_indicator_pass *p, const char *text, size_t len,
			       struct hh_indicator *out, size_t max, bool wallets, uint64_t *seen,
			       struct hh_extra_offsets *offs);
struct hh_wallet_match;
/* Adds the wallets w[0..nw) (offsets into text, in text order) to out[0..n)
 * as hh_indicators_scan does; returns the new count. */
size_t hh_indicators_add_wallets(const char *text, size_t len, struct hh_indicator *out, size_t n, size_t max,
				 const struct hh_wallet_match *w, size_t nw);

/* Strength of a set of indicators, from the evidence together, never from
 * one string alone:
 *   critical  a pool endpoint (stratum URL) with anything else, or a wallet
 *             with miner flags or pool config
 *   high      a pool endpoint alone, a wallet with a miner name, or two kinds
 *             of miner indicators (flags/config, names, algorithms)
 *   medium    miner flags, pool config or a miner name alone; a wallet with
 *             an algorithm name
 *   low       a wallet alone or an algorithm name alone (context: SDKs,
 *             donation links, docs and benchmarks carry them)
 * why (may be NULL) receives the reason in words, for the finding's
 * "severity" evidence. */
enum hh_severity hh_indicators_assess(const struct hh_indicator *ind, size_t n, char *why, size_t whylen);
enum hh_severity hh_indicators_severity(const struct hh_indicator *ind, size_t n);

/* Adds one evidence entry per indicator to f. */
void hh_indicators_to_evidence(struct hh_finding *f, const char *where,
			       const struct hh_indicator *ind, size_t n);

#endif
