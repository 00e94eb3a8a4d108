#include "correlation/signal_class.h"

#include <string.h>

static const struct hh_signal_class_info classes[HH_CLS_COUNT] = {
	[HH_CLS_MINING_PROTOCOL] = { "mining-protocol", HH_LAYER_WIRE_CONTENT, 70,
				     "it spoke a mining protocol (pool login, jobs, shares) on the wire" },
	[HH_CLS_MINER_CODE] = { "miner-code", HH_LAYER_CODE, 60,
				"its binary, arguments or environment are a miner's" },
	[HH_CLS_RANDOMX_PROFILE] = { "randomx-profile", HH_LAYER_CPU_STATE, 65,
				     "it runs like a RandomX VM: rounding-mode churn with JIT code "
				     "rewritten continually and a large cache or huge pages" },
	[HH_CLS_POOL_INTEL] = { "pool-intel", HH_LAYER_REPUTATION, 45,
				"it reached an address or name known to belong to a mining pool" },
	[HH_CLS_MINING_FLOW] = { "mining-flow", HH_LAYER_WIRE_SHAPE, 30,
				 "a long-lived connection has the shape of mining traffic "
				 "(small pushes from the server, small submits back)" },
	[HH_CLS_FPU_ROUNDING] = { "fpu-rounding", HH_LAYER_CPU_STATE, 25,
				  "it keeps switching the FPU rounding mode (alone, legitimate "
				  "numeric code does this too)" },
	[HH_CLS_BEHAVIOR_CPU] = { "behavior-cpu", HH_LAYER_CPU_USE, 20,
				  "its CPU use looks like mining (plateau, duty cycle, sustained); "
				  "batch jobs do this too" },
	[HH_CLS_MINER_PORT] = { "miner-port", HH_LAYER_REPUTATION, 10,
				"it connected to a port pools often use (other services use them too)" },
	[HH_CLS_EXEC_DRIFT] = { "exec-drift", HH_LAYER_EXEC, 10,
				"it ran something unusual (from /tmp, a memfd, written into the container)" },
	[HH_CLS_HOST_ACCESS] = { "host-access", HH_LAYER_HOST, 10,
				 "it touched host interfaces (runtime socket, namespaces, kernel)" },
	[HH_CLS_POSTURE] = { "posture-context", HH_LAYER_POSTURE, 10,
			     "the workload's configuration gives it more power than it needs" },
};

static const char *const layer_names[HH_LAYER_COUNT] = {
	"cpu-state", "wire-content", "wire-shape", "reputation", "code", "cpu-use", "exec", "host", "posture",
};

const struct hh_signal_class_info *hh_signal_class_info(enum hh_signal_class c)
{
	return c < HH_CLS_COUNT ? &classes[c] : NULL;
}

const char *hh_signal_class_name(enum hh_signal_class c)
{
	return c < HH_CLS_COUNT ? classes[c].name : "none";
}

const char *hh_signal_layer_name(enum hh_signal_layer l)
{
	return l < HH_LAYER_COUNT ? layer_names[l] : "none";
}

static bool prefix(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

static bool has_mitre(const struct hh_finding *f, const char *t)
{
	for (size_t i = 0; i < f->n_mitre; i++)
		if (strcmp(f->mitre[i], t) == 0)
			return true;
	return false;
}

enum hh_signal_class hh_signal_class_of(const struct hh_finding *f)
{
	const char *r = f->rule;
	if (prefix(r, "incident.") || prefix(r, "drill.") || strcmp(f->source, "drill") == 0 ||
	    prefix(r, "response."))
		return HH_CLS_NONE;
	if (strcmp(r, "miner.randomx-profile") == 0)
		return HH_CLS_RANDOMX_PROFILE;
	if (strcmp(r, "miner.fpu-randomx") == 0 || strcmp(r, "behavior.fpu-rounding") == 0)
		return HH_CLS_FPU_ROUNDING;
	if (prefix(r, "behavior."))
		return HH_CLS_BEHAVIOR_CPU;
	if (strcmp(r, "miner.pool-domain") == 0)
		return HH_CLS_POOL_INTEL;
	if (prefix(r, "miner."))
		return HH_CLS_MINER_CODE;
	if (prefix(r, "net.stratum") || prefix(r, "net.cryptonote") || prefix(r, "net.mining") ||
	    prefix(r, "net.ethproxy") || prefix(r, "net.getwork"))
		return HH_CLS_MINING_PROTOCOL;
	if (strcmp(r, "net.encrypted-mining-behavior") == 0 || strcmp(r, "net.tls-mining-behavior") == 0)
		return HH_CLS_MINING_FLOW;
	if (prefix(r, "net.pool-") || prefix(r, "net.miner-pool-domain") || prefix(r, "net.miner-pool-dns") ||
	    prefix(r, "net.intel") || prefix(r, "net.tls-pool"))
		return HH_CLS_POOL_INTEL;
	if (prefix(r, "net."))
		return HH_CLS_MINER_PORT;
	if (prefix(r, "posture.") || prefix(r, "audit.") || prefix(r, "context."))
		return HH_CLS_POSTURE;
	if (prefix(r, "escape."))
		return HH_CLS_HOST_ACCESS;
	/* another rule pack's finding tagged T1496 that names no layer: treat it
	 * as miner code only when it says high or above (strength below) */
	if (has_mitre(f, "T1496") && !prefix(r, "exec.") && !prefix(r, "container.") && !prefix(r, "dropper."))
		return HH_CLS_MINER_CODE;
	return HH_CLS_EXEC_DRIFT;
}

enum hh_signal_strength hh_signal_strength_of(enum hh_signal_class c, enum hh_severity sev)
{
	switch (c) {
	case HH_CLS_MINING_PROTOCOL:
	case HH_CLS_RANDOMX_PROFILE:
		return HH_STR_DECISIVE;
	case HH_CLS_MINER_CODE:
		/* a low miner hint (a wallet address alone, a miner word in a
		 * README) is what ordinary wallet SDKs carry: a hint, no more */
		return sev >= HH_SEV_HIGH ? HH_STR_DECISIVE : sev >= HH_SEV_MEDIUM ? HH_STR_STRONG : HH_STR_WEAK;
	case HH_CLS_POOL_INTEL:
		return sev >= HH_SEV_HIGH ? HH_STR_DECISIVE : HH_STR_STRONG;
	case HH_CLS_MINING_FLOW:
	case HH_CLS_FPU_ROUNDING:
		return HH_STR_STRONG;
	case HH_CLS_POSTURE:
		return HH_STR_CONTEXT;
	default:
		return HH_STR_WEAK;
	}
}
