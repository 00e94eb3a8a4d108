#include "detectors/indicators/text_indicators.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detectors/indicators/multimatch.h"
#include "detectors/indicators/wallet.h"

/* Pattern table: kind and how a hit must sit in its text. */
/* WORD: no letter/digit around; TOKEN: whitespace/quote/=/, around;
 * PROGRAM: a word that is also ordinary language ("t-rex": dinosaur names,
 * emoji tables, prose) counts only as a program: lower case, at the start
 * of the text (argv[0]) or after '/' or NUL, no letter or digit after. */
enum fit { ANY, WORD, TOKEN, PROGRAM };

struct text_pattern {
	const char *text;
	enum hh_indicator_kind kind;
	enum fit fit;
};

static const struct text_pattern patterns[] = {
	{ "stratum", HH_IND_STRATUM_URL, ANY },
	/* XMRig and kin command-line flags */
	{ "--donate-level", HH_IND_MINER_FLAG, TOKEN },
	{ "--donate-over-proxy", HH_IND_MINER_FLAG, TOKEN },
	{ "--cpu-max-threads-hint", HH_IND_MINER_FLAG, TOKEN },
	{ "--max-cpu-usage", HH_IND_MINER_FLAG, TOKEN },
	{ "--cpu-priority", HH_IND_MINER_FLAG, TOKEN },
	{ "--randomx-1gb-pages", HH_IND_MINER_FLAG, TOKEN },
	{ "--randomx-mode", HH_IND_MINER_FLAG, TOKEN },
	{ "--randomx-no-numa", HH_IND_MINER_FLAG, TOKEN },
	{ "--huge-pages-jit", HH_IND_MINER_FLAG, TOKEN },
	{ "--nicehash", HH_IND_MINER_FLAG, TOKEN },
	{ "--rig-id", HH_IND_MINER_FLAG, TOKEN },
	{ "--coin", HH_IND_MINER_FLAG, TOKEN },
	{ "--tls-fingerprint", HH_IND_MINER_FLAG, TOKEN },
	{ "--no-huge-pages", HH_IND_MINER_FLAG, TOKEN },
	{ "--cuda-loader", HH_IND_MINER_FLAG, TOKEN },
	/* miner program names, as words */
	{ "xmrig", HH_IND_MINER_NAME, WORD },
	{ "xmr-stak", HH_IND_MINER_NAME, WORD },
	{ "xmrstak", HH_IND_MINER_NAME, WORD },
	{ "cpuminer", HH_IND_MINER_NAME, WORD },
	{ "minerd", HH_IND_MINER_NAME, WORD },
	{ "ccminer", HH_IND_MINER_NAME, WORD },
	{ "ethminer", HH_IND_MINER_NAME, WORD },
	{ "lolminer", HH_IND_MINER_NAME, WORD },
	{ "nbminer", HH_IND_MINER_NAME, WORD },
	{ "srbminer", HH_IND_MINER_NAME, WORD },
	{ "srbminer-multi", HH_IND_MINER_NAME, WORD },
	{ "teamredminer", HH_IND_MINER_NAME, WORD },
	{ "phoenixminer", HH_IND_MINER_NAME, WORD },
	{ "nanominer", HH_IND_MINER_NAME, WORD },
	{ "gminer", HH_IND_MINER_NAME, WORD },
	{ "t-rex", HH_IND_MINER_NAME, PROGRAM },
	{ "bfgminer", HH_IND_MINER_NAME, WORD },
	{ "cgminer", HH_IND_MINER_NAME, WORD },
	{ "kdevtmpfsi", HH_IND_MINER_NAME, WORD },
	/* algorithm names as argument values */
	{ "rx/0", HH_IND_ALGORITHM, TOKEN },
	{ "rx/wow", HH_IND_ALGORITHM, TOKEN },
	{ "rx/arq", HH_IND_ALGORITHM, TOKEN },
	{ "rx/graft", HH_IND_ALGORITHM, TOKEN },
	{ "rx/sfx", HH_IND_ALGORITHM, TOKEN },
	{ "cn/r", HH_IND_ALGORITHM, TOKEN },
	{ "cn/half", HH_IND_ALGORITHM, TOKEN },
	{ "cn-heavy/0", HH_IND_ALGORITHM, TOKEN },
	{ "cn-lite/1", HH_IND_ALGORITHM, TOKEN },
	{ "argon2/chukwa", HH_IND_ALGORITHM, TOKEN },
	{ "cryptonight", HH_IND_ALGORITHM, TOKEN },
	{ "randomx", HH_IND_ALGORITHM, TOKEN },
	{ "kawpow", HH_IND_ALGORITHM, TOKEN },
	{ "ethash", HH_IND_ALGORITHM, TOKEN },
	{ "etchash", HH_IND_ALGORITHM, TOKEN },
	{ "autolykos2", HH_IND_ALGORITHM, TOKEN },
	{ "kheavyhash", HH_IND_ALGORITHM, TOKEN },
	{ "ghostrider", HH_IND_ALGORITHM, TOKEN },
	{ "astrobwt", HH_IND_ALGORITHM, TOKEN },
	/* pool configuration keys (XMRig config.json and kin) */
	{ "\"donate-level\"", HH_IND_POOL_CONFIG, ANY },
	{ "\"donate-over-proxy\"", HH_IND_POOL_CONFIG, ANY },
	{ "\"randomx\"", HH_IND_POOL_CONFIG, ANY },
	{ "\"pools\"", HH_IND_POOL_CONFIG, ANY },
	{ "\"rig-id\"", HH_IND_POOL_CONFIG, ANY },
};
#define N_PATTERNS (sizeof(patterns) / sizeof(patterns[0]))

static struct hh_mm matcher;
static struct hh_mm_pattern mm_patterns[N_PATTERNS];
static pthread_once_t matcher_once = PTHREAD_ONCE_INIT;

static void build_matcher(void)
{
	for (size_t i = 0; i < N_PATTERNS; i++)
		mm_patterns[i] = (struct hh_mm_pattern){ patterns[i].text, true, 0 };
	hh_mm_build(&matcher, mm_patterns, N_PATTERNS);
}

const char *hh_indicator_kind_name(enum hh_indicator_kind kind)
{
	switch (kind) {
	case HH_IND_STRATUM_URL: return "stratum-url";
	case HH_IND_WALLET: return "wallet";
	case HH_IND_MINER_FLAG: return "miner-flag";
	case HH_IND_MINER_NAME: return "miner-name";
	case HH_IND_POOL_CONFIG: return "pool-config";
	case HH_IND_ALGORITHM: return "algorithm";
	}
	return "unknown";
}

struct scan_ctx {
	const char *text;
	size_t len;
	struct hh_indicator *out;
	size_t max, n;
	bool pools_key, url_key;
	uint64_t *seen;             /* extras of a combined pass (NULL: none) */
	struct hh_extra_offsets *offs; /* where some extras occur (NULL: not asked) */
};

static bool is_word(unsigned char c) { return isalnum(c) != 0; }
static bool is_token_sep(unsigned char c)
{
	return c == 0 || isspace(c) || c == '"' || c == '\'' || c == '=' || c == ',' || c == ':' ||
	       c == '[' || c == ']' || c == '(' || c == ')' || c == ';' || c == '`';
}

static bool url_end(unsigned char c)
{
	return c == 0 || isspace(c) || c == '"' || c == '\'' || c == ',' || c == ';' || c == ')' ||
	       c == ']' || c == '`' || c == '<' || c == '>';
}

/* The text at off is all lower case (patterns are). */
static bool fit_lower(const struct scan_ctx *c, size_t off, size_t plen)
{
	for (size_t i = 0; i < plen; i++)
		if (isupper((unsigned char)c->text[off + i]))
			return false;
	return true;
}

static bool fits(const struct scan_ctx *c, size_t off, size_t plen, enum fit fit)
{
	unsigned char before = off ? (unsigned char)c->text[off - 1] : 0;
	unsigned char after = off + plen < c->len ? (unsigned char)c->text[off + plen] : 0;
	switch (fit) {
	case WORD:
		/* "/usr/bin/xmrig" and "xmrig-6.21" count; "myxmrigs" does not. */
		return !is_word(before) && !isalpha(after);
	case TOKEN:
		return (off == 0 || is_token_sep(before) || before == '/') && is_token_sep(after);
	case PROGRAM:
		return (off == 0 || before == '/' || before == 0) && !is_word(after) &&
		       fit_lower(c, off, plen);
	default:
		return true;
	}
}

static void add(struct scan_ctx *c, enum hh_indicator_kind kind, const char *value, size_t vlen, size_t off)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->out[i].kind == kind && strncasecmp(c->out[i].value, value, vlen) == 0 &&
		    c->out[i].value[vlen < sizeof(c->out[i].value) - 1 ? vlen : sizeof(c->out[i].value) - 1] == '\0')
			return;
	if (c->n >= c->max)
		return;
	struct hh_indicator *ind = &c->out[c->n++];
	ind->kind = kind;
	ind->offset = off;
	snprintf(ind->value, sizeof(ind->value), "%.*s", (int)vlen, value);
}

/* stratum[0-9]*+proto:// followed by the rest of the URL. */
static void stratum_url(struct scan_ctx *c, size_t off)
{
	size_t i = off + 7;
	while (i < c->len && isdigit((unsigned char)c->text[i]))
		i++;
	if (i >= c->len || c->text[i] != '+')
		return;
	i++;
	size_t proto = i;
	while (i < c->len && isalpha((unsigned char)c->text[i]))
		i++;
	if (i == proto || i + 3 > c->len || memcmp(c->text + i, "://", 3) != 0)
		return;
	i += 3;
	size_t host = i;
	while (i < c->len && !url_end((unsigned char)c->text[i]) && i - off < 150)
		i++;
	if (i > host)
		add(c, HH_IND_STRATUM_URL, c->text + off, i - off, off);
}

static bool on_hit(size_t pat, size_t off, void *ctx)
{
	struct scan_ctx *c = ctx;
	if (pat >= N_PATTERNS) {
		size_t x = pat - N_PATTERNS;
		*c->seen |= 1ull << x;
		struct hh_extra_offsets *o = c->offs;
		if (o && (o->mask >> x & 1)) {
			if (o->n < HH_IND_MAX_OFFSETS)
				o->off[o->n++] = off;
			else
				o->full = true;
		}
		return true;
	}
	/* with extras the pass goes on to the end even when the indicators are full */
	const bool go_on = c->seen != NULL;
	const struct text_pattern *p = &patterns[pat];
	size_t plen = strlen(p->text);
	if (p->kind == HH_IND_STRATUM_URL) {
		stratum_url(c, off);
		return go_on || c->n < c->max;
	}
	if (!fits(c, off, plen, p->fit))
		return true;
	if (p->kind == HH_IND_POOL_CONFIG && strcmp(p->text, "\"pools\"") == 0) {
		c->pools_key = true; /* only with a url and user: see below */
		return true;
	}
	add(c, p->kind, c->text + off, plen, off);
	return go_on || c->n < c->max;
}

int hh_indicator_pass_build(struct hh_indicator_pass *p, const struct hh_mm_pattern *extra, size_t n)
{
	memset(p, 0, sizeof(*p));
	if (n > HH_IND_MAX_EXTRA || N_PATTERNS + n > HH_MM_MAX_PATTERNS)
		return -1;
	p->mm = calloc(1, sizeof(*p->mm));
	p->pats = calloc(N_PATTERNS + n + 1, sizeof(*p->pats));
	if (!p->mm || !p->pats) {
		hh_indicator_pass_free(p);
		return -1;
	}
	for (size_t i = 0; i < N_PATTERNS; i++)
		p->pats[i] = (struct hh_mm_pattern){ patterns[i].text, true, 0 };
	for (size_t i = 0; i < n; i++)
		p->pats[N_PATTERNS + i] = extra[i];
	p->n_extra = n;
	hh_mm_build(p->mm, p->pats, N_PATTERNS + n);
	return 0;
}

void hh_indicator_pass_free(struct hh_indicator_pass *p)
{
	free(p->mm);
	free(p->pats);
	memset(p, 0, sizeof(*p));
}

static size_t scan_with(const struct hh_mm *mm, const char *text, size_t len, struct hh_indicator *out, size_t max,
			bool wallets, uint64_t *seen, struct hh_extra_offsets *offs);

size_t hh_indicators_scan(const char *text, size_t len, struct hh_indicator *out, size_t max)
{
	pthread_once(&matcher_once, build_matcher);
	return scan_with(&matcher, text, len, out, max, true, NULL, NULL);
}

size_t hh_indicators_scan_pass(const struct hh_indicator_pass *p, const char *text, size_t len,
			       struct hh_indicator *out, size_t max, bool wallets, uint64_t *seen,
			       struct hh_extra_offsets *offs)
{
	*seen = 0;
	if (offs) {
		offs->n = 0;
		offs->full = false;
	}
	return scan_with(p->mm, text, len, out, max, wallets, seen, offs);
}

static void add_wallets(struct scan_ctx *c, const struct hh_wallet_match *w, size_t nw)
{
	size_t others_before = c->n;
	for (size_t i = 0; i < nw; i++) {
		/* An unchecksummed 0x+40 hex is any hash: only with other signs. */
		if (w[i].coin == HH_COIN_ETHEREUM && !w[i].checksummed && others_before == 0)
			continue;
		char masked[64], value[96];
		hh_wallet_mask(c->text + w[i].offset, w[i].len, masked, sizeof(masked));
		snprintf(value, sizeof(value), "%s %s %s", hh_coin_name(w[i].coin), w[i].kind, masked);
		add(c, HH_IND_WALLET, value, strlen(value), w[i].offset);
	}
}

size_t hh_indicators_add_wallets(const char *text, size_t len, struct hh_indicator *out, size_t n, size_t max,
				 const struct hh_wallet_match *w, size_t nw)
{
	struct scan_ctx c = { .text = text, .len = len, .out = out, .max = max, .n = n };
	add_wallets(&c, w, nw);
	return c.n;
}

static size_t scan_with(const struct hh_mm *mm, const char *text, size_t len, struct hh_indicator *out, size_t max,
			bool wallets, uint64_t *seen, struct hh_extra_offsets *offs)
{
	struct scan_ctx c = { .text = text, .len = len, .out = out, .max = max, .seen = seen, .offs = offs };
	hh_mm_scan(mm, text, len, on_hit, &c);
	/* "pools" is a common word in JSON; it means a miner config only next to
	 * url and user keys, as in XMRig's config.json. */
	if (c.pools_key && memmem(text, len, "\"url\"", 5) && memmem(text, len, "\"user\"", 6))
		add(&c, HH_IND_POOL_CONFIG, "\"pools\" with \"url\" and \"user\"", 30,
		    (size_t)((const char *)memmem(text, len, "\"pools\"", 7) - text));

	if (wallets) {
		struct hh_wallet_match w[16];
		size_t nw = hh_wallet_scan(text, len, w, 16);
		add_wallets(&c, w, nw);
	}
	return c.n;
}

/* The weight of evidence: what is miner-specific (a pool endpoint, miner flags,
 * pool config), what names a miner, and what is only context (a wallet: SDKs,
 * donation links and docs carry them; an algorithm name: libraries and
 * benchmarks). Each verdict says why, in words, into why. */
enum hh_severity hh_indicators_assess(const struct hh_indicator *ind, size_t n, char *why, size_t whylen)
{
	unsigned kinds = 0;
	for (size_t i = 0; i < n; i++)
		kinds |= 1u << ind[i].kind;
	bool url = kinds & (1u << HH_IND_STRATUM_URL), wallet = kinds & (1u << HH_IND_WALLET);
	bool flag = kinds & ((1u << HH_IND_MINER_FLAG) | (1u << HH_IND_POOL_CONFIG));
	bool name = kinds & (1u << HH_IND_MINER_NAME), algo = kinds & (1u << HH_IND_ALGORITHM);
	unsigned miner_kinds = (unsigned)flag + (unsigned)name + (unsigned)algo;
	enum hh_severity sev;
	const char *w;
	if (n == 0) {
		sev = HH_SEV_INFO;
		w = "no indicators";
	} else if (url && (wallet || miner_kinds)) {
		sev = HH_SEV_CRITICAL;
		w = wallet ? "pool endpoint with a wallet: strong" : "pool endpoint with miner flags, names or algorithms: strong";
	} else if (url) {
		sev = HH_SEV_HIGH;
		w = "pool endpoint (stratum URL): strong";
	} else if (wallet && flag) {
		sev = HH_SEV_CRITICAL;
		w = "wallet with miner flags or pool config: strong";
	} else if (wallet && name) {
		sev = HH_SEV_HIGH;
		w = "wallet with a miner name: strong";
	} else if (miner_kinds >= 2) {
		sev = HH_SEV_HIGH;
		w = "two kinds of miner indicators (flags, names, algorithms)";
	} else if (flag || name) {
		sev = HH_SEV_MEDIUM;
		w = flag ? "miner flags or pool config alone" : "miner name alone";
	} else if (wallet && algo) {
		sev = HH_SEV_MEDIUM;
		w = "wallet with an algorithm name, no pool, flags or miner code: weak";
	} else if (wallet) {
		sev = HH_SEV_LOW;
		w = "wallet alone: context";
	} else {
		sev = HH_SEV_LOW;
		w = "algorithm name alone: context";
	}
	if (why && whylen)
		snprintf(why, whylen, "%s", w);
	return sev;
}

enum hh_severity hh_indicators_severity(const struct hh_indicator *ind, size_t n)
{
	return hh_indicators_assess(ind, n, NULL, 0);
}

void hh_indicators_to_evidence(struct hh_finding *f, const char *where,
			       const struct hh_indicator *ind, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char what[96];
		snprintf(what, sizeof(what), "%s in %s", hh_indicator_kind_name(ind[i].kind), where);
		hh_finding_evidence_str(f, what, ind[i].value);
	}
}
