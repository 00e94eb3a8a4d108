/* Network detection over flows: the per-flow state and the findings.
 *
 * A source (pcap file reader, live capture) decodes packets, keeps the flow
 * table and reassembles TCP, and calls in here with packets, reassembled
 * stream bytes and UDP payloads. This module recognises each direction's
 * framing (JSON lines, HTTP, TLS, SSH, cryptocurrency P2P, unknown binary),
 * runs the parsers, keeps the flow features, and emits findings:
 *   net.stratum.v1, net.stratum.cryptonote, net.ethproxy,
 *   net.stratum.ethereumstratum, net.getwork     parsed mining sessions (high, critical)
 *   net.stratum.v2                                Stratum V2 handshake shape on a pool port (medium)
 *   net.tls-mining-behavior,
 *   net.encrypted-mining-behavior                 flow behavior of mining over TLS / unknown encryption
 *                                                 (medium alone; high with pool intel)
 *   net.pool-domain, net.pool-ip                  intel match alone (low)
 *   net.crypto-p2p                                cryptocurrency node P2P (info: not mining)
 * Thresholds are read from the "network:" section of the configuration. */
#ifndef HH_NET_DETECT_H
#define HH_NET_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/finding.h"
#include "core/workload.h"
#include "enrich/intel/intel.h"

/* Receives each finding; takes ownership. */
typedef void (*hh_finding_sink)(void *arg, struct hh_finding *f);

struct hh_net_flow_key {
	uint8_t family;           /* 4 or 6 */
	uint8_t proto;            /* IPPROTO_TCP */
	uint8_t cip[16], sip[16]; /* client, server */
	uint16_t cport, sport;
};

struct hh_netdetect_opts {
	size_t max_stream_bytes;  /* bytes parsed per direction, then only counted */
	size_t max_line_bytes;    /* longest JSON line kept */
	size_t max_tls_hello;     /* bytes buffered for a ClientHello */
	size_t dns_cache;         /* remembered DNS answers */
	size_t max_dns_names;     /* pool-domain DNS queries reported once each */
	bool report_early;        /* live: report a session when confirmed, not at its end */
	double eval_interval_s;   /* live: behavior re-evaluation interval */
	/* Mining over TLS / encrypted framing. */
	bool behavior_enabled;
	double min_duration_s;
	unsigned min_pushes;
	double min_period_s, max_period_s;
	unsigned max_push_bytes, max_client_bytes;
	double max_rate_bps, max_ratio, min_ratio;
	double burst_gap_s, response_window_s;
	/* Stratum V2: client act and server reply sizes. */
	unsigned sv2_client_act, sv2_server_reply;
	unsigned login_keep;      /* characters kept each side of a masked wallet */
};

/* Reads the options from cfg ("network.*" keys; NULL: the defaults). */
void hh_netdetect_opts_load(struct hh_netdetect_opts *o, const struct hh_config *cfg);

struct hh_netdetect;
struct hh_net_flow;

/* source: "pcap" or "agent" (the findings' source). intel is borrowed and may be NULL. */
struct hh_netdetect *hh_netdetect_new(const struct hh_netdetect_opts *o, const struct hh_intel *intel,
				      const char *source, hh_finding_sink sink, void *arg);
void hh_netdetect_free(struct hh_netdetect *d);

struct hh_net_flow *hh_netdetect_flow_new(struct hh_netdetect *d, const struct hh_net_flow_key *k, double ts);
/* A TCP packet of the flow (dir 0 client->server). */
void hh_netdetect_packet(struct hh_netdetect *d, struct hh_net_flow *f, int dir, double ts, uint32_t wire_len,
			 uint32_t payload_len);
/* Reassembled bytes of one direction. gap: bytes were lost before these. */
void hh_netdetect_stream(struct hh_netdetect *d, struct hh_net_flow *f, int dir, const uint8_t *data, size_t len,
			 bool gap, double ts);
/* True when the module wants no more stream bytes in that direction. */
bool hh_netdetect_stream_done(const struct hh_net_flow *f, int dir);
/* Forgets what direction dir's stream was classified as (and any partial
 * line), so the next bytes are judged afresh: the engine calls it before it
 * delivers a verified copy of bytes first taken with an unverified checksum. */
void hh_netdetect_stream_reset(struct hh_net_flow *f, int dir);
/* End of the flow (FIN/RST, idle, eviction or end of capture): final
 * evaluation, findings, and the state is freed. */
void hh_netdetect_flow_end(struct hh_netdetect *d, struct hh_net_flow *f);

/* Who owns the flow, when the source knows (live capture). */
void hh_netdetect_flow_set_owner(struct hh_net_flow *f, int pid, const char *comm, const struct hh_workload *w);
bool hh_netdetect_flow_has_owner(const struct hh_net_flow *f);
const struct hh_net_flow_key *hh_netdetect_flow_key(const struct hh_net_flow *f);

/* A UDP datagram (DNS is read from port 53 in either direction). */
void hh_netdetect_udp(struct hh_netdetect *d, int family, const uint8_t *src, uint16_t sport, const uint8_t *dst,
		      uint16_t dport, const uint8_t *payload, size_t len, double ts);

struct hh_netdetect_stats {
	uint64_t flows, mining_sessions, tls_hellos, dns_messages, dns_malformed, json_lines, findings;
};
void hh_netdetect_get_stats(const struct hh_netdetect *d, struct hh_netdetect_stats *s);

#endif
