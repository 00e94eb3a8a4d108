/* Signal classes of the correlator: what a finding is evidence of, from which
 * layer it comes, and how much it says about mining by itself
 * (docs/correlation.md has the table in words).
 *
 * Strength:
 *   decisive  speaks of mining itself: a mining protocol on the wire, the
 *             RandomX profile, miner code or configuration (at high or
 *             above), pool intelligence (at high or above)
 *   strong    mining-shaped but not proof alone: the encrypted mining-flow
 *             shape, FPU rounding-mode churn, a medium miner hint, pool
 *             intelligence below high
 *   weak      ordinary software does it too: CPU use, a connect to a port
 *             pools use, exec drift, touching host interfaces, a low miner
 *             hint (a wallet address alone)
 *   context   the workload's posture: makes an incident worse, never makes one
 *             more certain
 * Two classes are independent evidence when they come from different layers
 * (the CPU state, the wire's content, its shape, reputation, the code, the
 * CPU use, execution, host access, posture). */
#ifndef HH_SIGNAL_CLASS_H
#define HH_SIGNAL_CLASS_H

#include "core/finding.h"

enum hh_signal_class {
	HH_CLS_MINING_PROTOCOL,  /* net.stratum*, net.cryptonote*, net.ethproxy, net.getwork, net.mining* */
	HH_CLS_MINER_CODE,       /* miner.* (traits, names, URLs, flags, wallets, MSR, huge pages) */
	HH_CLS_RANDOMX_PROFILE,  /* miner.randomx-profile */
	HH_CLS_POOL_INTEL,       /* net.pool-*, net.miner-pool-domain*, net.miner-pool-dns */
	HH_CLS_MINING_FLOW,      /* net.encrypted-mining-behavior, net.tls-mining-behavior */
	HH_CLS_FPU_ROUNDING,     /* miner.fpu-randomx, behavior.fpu-rounding: rounding churn only */
	HH_CLS_BEHAVIOR_CPU,     /* behavior.* */
	HH_CLS_MINER_PORT,       /* net.miner-pool-port and other net.* */
	HH_CLS_EXEC_DRIFT,       /* exec.*, container.drift*, dropper.*, anything else */
	HH_CLS_HOST_ACCESS,      /* escape.* */
	HH_CLS_POSTURE,          /* posture.*, audit.*, context.* */
	HH_CLS_COUNT,
	HH_CLS_NONE = HH_CLS_COUNT, /* incidents, drill results: not correlated */
};

enum hh_signal_strength { HH_STR_CONTEXT, HH_STR_WEAK, HH_STR_STRONG, HH_STR_DECISIVE };

enum hh_signal_layer {
	HH_LAYER_CPU_STATE, HH_LAYER_WIRE_CONTENT, HH_LAYER_WIRE_SHAPE, HH_LAYER_REPUTATION,
	HH_LAYER_CODE, HH_LAYER_CPU_USE, HH_LAYER_EXEC, HH_LAYER_HOST, HH_LAYER_POSTURE,
	HH_LAYER_COUNT,
};

struct hh_signal_class_info {
	const char *name;        /* "mining-protocol" ... (config: correlation.weight.<name>) */
	enum hh_signal_layer layer;
	double weight;           /* default score weight */
	const char *words;       /* what it means, in plain words */
};

const struct hh_signal_class_info *hh_signal_class_info(enum hh_signal_class c);
const char *hh_signal_class_name(enum hh_signal_class c);
const char *hh_signal_layer_name(enum hh_signal_layer l);
enum hh_signal_class hh_signal_class_of(const struct hh_finding *f);
/* Strength of a finding of class c at severity sev (miner code and pool
 * intel are decisive at high and above; below, pool intel is strong and
 * miner code strong at medium, weak at low). */
enum hh_signal_strength hh_signal_strength_of(enum hh_signal_class c, enum hh_severity sev);

#endif
