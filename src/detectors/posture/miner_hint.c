/* Miners named in a workload spec (image, command, args, env values): the
 * same indicators every other layer uses (detectors/indicators: stratum URLs,
 * checksum-valid wallets, miner program names, XMRig flags, algorithms) and
 * the built-in pool intel (enrich/intel), so a manifest is judged like a
 * process command line or an image file. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "detectors/indicators/text_indicators.h"
#include "detectors/posture/posture.h"
#include "enrich/intel/intel.h"

static struct hh_intel *pools;
static pthread_once_t pools_once = PTHREAD_ONCE_INIT;

static void load_pools(void)
{
	pools = hh_intel_new();
	if (pools)
		hh_intel_load_builtin(pools, NULL);
}

const char *hh_posture_miner_hint(const char *s, char *buf, size_t n)
{
	if (!s)
		return NULL;
	size_t len = strlen(s);
	struct hh_indicator ind[8];
	size_t ni = hh_indicators_scan(s, len, ind, 8);
	/* A flag or an algorithm name alone is too weak for a manifest; a URL,
	 * a wallet, a miner's name or a config key speaks of mining. */
	for (size_t i = 0; i < ni; i++) {
		enum hh_indicator_kind k = ind[i].kind;
		if (k == HH_IND_STRATUM_URL || k == HH_IND_WALLET || k == HH_IND_MINER_NAME || ni >= 2) {
			snprintf(buf, n, "%s %s", hh_indicator_kind_name(k), ind[i].value);
			return buf;
		}
	}
	pthread_once(&pools_once, load_pools);
	char domains[1][96];
	if (pools && hh_intel_scan_text(pools, s, len, domains, 1) == 1) {
		snprintf(buf, n, "mining pool domain %s", domains[0]);
		return buf;
	}
	return NULL;
}
