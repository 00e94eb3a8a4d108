#include "detectors/indicators/exe_traits.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detectors/indicators/multimatch.h"

/* A family matches when at least `need` of its strings occur. */
struct family {
	const char *name;
	unsigned need;
	const char *strings[10];
};

static const struct family families[] = {
	{ "xmrig", 2, { "XMRig", "xmrig", "donate.v2.xmrig.com", "--donate-level", "donate-level",
			"cpu-max-threads-hint", "randomx-1gb-pages", "XMRIG_", NULL } },
	{ "xmr-stak", 2, { "xmr-stak", "XMR-STAK", "xmr_stak", "pool.usr.pass", "cpu.txt", "pools.txt", NULL } },
	{ "cpuminer", 2, { "cpuminer", "minerd", "pooler", "scryptjane", "Tpruvot", "--cpu-efficiency", NULL } },
	{ "gpu-miner", 2, { "ethminer", "lolMiner", "T-Rex", "SRBMiner", "NBMiner", "TeamRedMiner",
			    "PhoenixMiner", "ccminer", "nanominer", NULL } },
	{ "randomx", 2, { "RandomX", "randomx_", "rx/0", "RANDOMX", "randomx_create_vm", "rx/wow", "argon2", NULL } },
	{ "cryptonight", 2, { "cryptonight", "CryptoNight", "cn/r", "cn-heavy", "cn/half", "cn-lite", "cn/0", NULL } },
	{ "stratum", 2, { "mining.subscribe", "mining.authorize", "mining.submit", "mining.notify", "stratum+tcp",
			  "stratum+ssl", "keepalived", "eth_submitLogin", "eth_submitWork", NULL } },
	{ "hashrate-report", 2, { "H/s", "hashrate", "Hashrate", "accepted (", "rejected (", "diff ", "shares", NULL } },
};
#define N_FAMILIES (sizeof(families) / sizeof(families[0]))

static struct hh_mm matcher;
static struct hh_mm_pattern pats[HH_MM_MAX_PATTERNS];
static uint8_t pat_family[HH_MM_MAX_PATTERNS];
static size_t n_pats;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build(void)
{
	for (size_t f = 0; f < N_FAMILIES; f++)
		for (size_t s = 0; families[f].strings[s] && n_pats < 64; s++) {
			pat_family[n_pats] = (uint8_t)f;
			pats[n_pats++] = (struct hh_mm_pattern){ families[f].strings[s], false, 0 };
		}
	hh_mm_build(&matcher, pats, n_pats);
}

void hh_traits_init(struct hh_traits *t)
{
	pthread_once(&once, build);
	memset(t, 0, sizeof(*t));
}

size_t hh_traits_patterns(const char **out, size_t max)
{
	pthread_once(&once, build);
	size_t n = n_pats < max ? n_pats : max;
	for (size_t i = 0; i < n; i++)
		out[i] = pats[i].text;
	return n;
}

size_t hh_traits_necessary(const char **out, size_t max)
{
	pthread_once(&once, build);
	size_t n = 0;
	for (size_t p = 0; p < n_pats && n < max; p++) {
		const char *fam = families[pat_family[p]].name;
		/* hh_traits_result: a miner program family (the first four) or stratum */
		if (pat_family[p] < 4 || !strcmp(fam, "stratum"))
			out[n++] = pats[p].text;
	}
	return n;
}

static bool on_hit(size_t pat, size_t off, void *ctx)
{
	(void)off;
	((struct hh_traits *)ctx)->seen |= 1ULL << pat;
	return true;
}

void hh_traits_feed(struct hh_traits *t, const void *buf, size_t len)
{
	/* Join the previous chunk's tail with this chunk's head so a string that
	 * straddles the boundary is still seen. */
	char join[2 * HH_TRAITS_MAX_PATTERN];
	size_t head = len < HH_TRAITS_MAX_PATTERN ? len : HH_TRAITS_MAX_PATTERN;
	memcpy(join, t->tail, t->tail_len);
	memcpy(join + t->tail_len, buf, head);
	hh_mm_scan(&matcher, join, t->tail_len + head, on_hit, t);
	hh_mm_scan(&matcher, buf, len, on_hit, t);
	if (len >= HH_TRAITS_MAX_PATTERN) {
		memcpy(t->tail, (const char *)buf + len - HH_TRAITS_MAX_PATTERN, HH_TRAITS_MAX_PATTERN);
		t->tail_len = HH_TRAITS_MAX_PATTERN;
	} else {
		size_t keep = t->tail_len + len > HH_TRAITS_MAX_PATTERN ? HH_TRAITS_MAX_PATTERN - len : t->tail_len;
		memmove(t->tail, t->tail + t->tail_len - keep, keep);
		memcpy(t->tail + keep, buf, len);
		t->tail_len = keep + len;
	}
	t->bytes += len;
}

int hh_traits_result(const struct hh_traits *t, char *out, size_t n)
{
	unsigned hits[N_FAMILIES] = { 0 };
	for (size_t p = 0; p < n_pats; p++)
		if (t->seen & (1ULL << p))
			hits[pat_family[p]]++;
	int matched = 0;
	bool miner_program = false, hash_impl = false, stratum = false;
	if (n)
		out[0] = '\0';
	for (size_t f = 0; f < N_FAMILIES; f++) {
		if (hits[f] < families[f].need)
			continue;
		const char *name = families[f].name;
		miner_program |= f < 4;
		hash_impl |= strcmp(name, "randomx") == 0 || strcmp(name, "cryptonight") == 0;
		stratum |= strcmp(name, "stratum") == 0;
	}
	/* Mentioning Stratum, or implementing RandomX (Monero's own tools do),
	 * is not a miner; a miner program family, or the protocol together with
	 * a mining hash, is. */
	if (!miner_program && !(stratum && hash_impl))
		return 0;
	for (size_t f = 0; f < N_FAMILIES; f++) {
		if (hits[f] < families[f].need)
			continue;
		size_t used = strlen(out);
		if (n > used)
			snprintf(out + used, n - used, "%s%s", matched ? "," : "", families[f].name);
		matched++;
	}
	return matched;
}

int hh_traits_scan_file(const char *path, size_t max_bytes, char *out, size_t n, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct hh_traits t;
	hh_traits_init(&t);
	enum { CHUNK = 1 << 16 };
	char *buf = malloc(CHUNK);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	int rc = 0;
	while (t.bytes < max_bytes) {
		size_t want = max_bytes - t.bytes < CHUNK ? max_bytes - t.bytes : CHUNK;
		ssize_t r = read(fd, buf, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: read failed at offset %zu: %s", path, t.bytes, strerror(errno));
			rc = -1;
			break;
		}
		if (r == 0)
			break;
		hh_traits_feed(&t, buf, (size_t)r);
	}
	free(buf);
	close(fd);
	return rc < 0 ? rc : hh_traits_result(&t, out, n);
}
