/* A simple, local look for miners named in a workload spec: stratum URLs,
 * well-known miner program names, pool domains and Monero-looking wallet
 * tokens (length and alphabet only; full checksum validation lives with the
 * content detectors). Case-insensitive; names must start at a word boundary. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detectors/posture/posture.h"

static const char *const schemes[] = { "stratum+tcp://", "stratum+ssl://", "stratum+tls://",
				       "stratum+udp://", "stratum2+tcp://", "stratum://" };
static const char *const names[] = { "xmrig", "xmr-stak", "cpuminer", "minerd", "ccminer", "cgminer",
				     "bfgminer", "ethminer", "nbminer", "t-rex", "lolminer", "phoenixminer",
				     "nanominer", "teamredminer", "srbminer", "gminer", "kawpowminer",
				     "xmr-node-proxy", "cryptonight", "randomx" };
static const char *const pools[] = { "minexmr.com", "supportxmr.com", "moneroocean.stream", "nanopool.org",
				     "2miners.com", "f2pool.com", "hashvault.pro", "c3pool.com",
				     "herominers.com", "unmineable.com", "xmrpool.eu", "minergate.com",
				     "nicehash.com", "ethermine.org", "viabtc.com", "antpool.com" };

static bool is_b58(int c)
{
	return isalnum(c) && c != '0' && c != 'O' && c != 'I' && c != 'l';
}

/* Needles against the lowered string; the wallet check keeps case. */
static const char *scan(const char *lower, const char *orig, char *buf, size_t n)
{
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strstr(lower, schemes[i])) {
			snprintf(buf, n, "stratum URL scheme %s", schemes[i]);
			return buf;
		}
	for (size_t i = 0; i < sizeof(pools) / sizeof(pools[0]); i++)
		if (strstr(lower, pools[i])) {
			snprintf(buf, n, "mining pool domain %s", pools[i]);
			return buf;
		}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (const char *p = lower; (p = strstr(p, names[i])); p++) {
			if (p == lower || !isalnum((unsigned char)p[-1])) {
				snprintf(buf, n, "miner program name %s", names[i]);
				return buf;
			}
		}
	}
	/* Monero standard/sub address (95) or integrated (106): base58 run starting 4 or 8. */
	for (const char *p = orig; *p;) {
		if (!is_b58((unsigned char)*p)) {
			p++;
			continue;
		}
		const char *q = p;
		while (*q && is_b58((unsigned char)*q))
			q++;
		size_t len = (size_t)(q - p);
		if ((len == 95 || len == 106) && (*p == '4' || *p == '8')) {
			snprintf(buf, n, "Monero-like wallet address (%zu chars)", len);
			return buf;
		}
		p = q;
	}
	return NULL;
}

const char *hh_posture_miner_hint(const char *s, char *buf, size_t n)
{
	if (!s)
		return NULL;
	/* Lowered copy of the whole string (a URL past any fixed prefix must not
	 * slip by); long strings go to the heap. */
	char small[1024], *lower = small;
	size_t len = strlen(s);
	if (len >= sizeof(small) && !(lower = malloc(len + 1)))
		return NULL;
	for (size_t i = 0; i < len; i++)
		lower[i] = (char)tolower((unsigned char)s[i]);
	lower[len] = 0;
	const char *hit = scan(lower, s, buf, n);
	if (lower != small)
		free(lower);
	return hit;
}
