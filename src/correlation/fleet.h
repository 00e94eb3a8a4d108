/* Fleet correlation: what makes findings from different nodes one campaign.
 *
 * A campaign key is something an attacker reuses across nodes: the miner's
 * executable hash, the pool endpoint, the (masked) wallet, the image, the
 * dropper URL. hh_fleet_keys extracts the keys of one finding; when the same
 * key is seen on min_nodes or more distinct nodes, hh_fleet_campaign builds
 * the fleet incident that lists every node and workload. Pure functions:
 * `hashhound fleet` keeps the keys in its store (so several replicas sharing
 * the work see the same campaigns). */
#ifndef HH_CORRELATION_FLEET_H
#define HH_CORRELATION_FLEET_H

#include <stddef.h>

#include "core/finding.h"

#define HH_FLEET_MAX_KEYS 8

struct hh_fleet_key {
	char kind[16];      /* exe, pool, wallet, image, dropper */
	char value[256];
};

/* The node a finding came from: k8s.node.name, else hostname, else
 * fallback (e.g. the last token of its NATS subject). */
const char *hh_fleet_node(const struct hh_finding *f, const char *fallback);

/* Campaign keys of f (findings below medium give none: a common image or a
 * pool port on many nodes means nothing by itself). Returns the count. */
size_t hh_fleet_keys(const struct hh_finding *f, struct hh_fleet_key *out, size_t max);

/* One member of a campaign, as the store keeps it. */
struct hh_fleet_member {
	const char *node, *workload, *rule;
	enum hh_severity severity;
	double time;
};

/* The fleet incident for key over its members (one per node, newest
 * first); NULL on allocation failure. Source "fleet", rule "fleet.campaign";
 * high when a member is high or critical, else medium. */
struct hh_finding *hh_fleet_campaign(const struct hh_fleet_key *key, const struct hh_fleet_member *m, size_t n);

#endif
