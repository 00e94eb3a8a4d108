/* The packet engine shared by capture files and live capture: decodes each
 * frame, keeps the TCP flow table (bounded, LRU eviction, idle timeout),
 * reassembles IP fragments (ipfrag.h) and each TCP direction (bounded
 * out-of-order hold, per-flow byte cap) and drives the network detectors
 * (detectors/network/netdetect.h).
 *
 * Checksums: a packet whose IPv4 header, TCP or UDP checksum is wrong is
 * dropped (a receiver would drop it: junk sent ahead of the real segment with
 * the same sequence number must not hide the session). Offloaded checksums
 * of locally sent packets (PARTIAL) are taken unverified; when a verified copy
 * of bytes first taken unverified arrives, it is judged again (delivered
 * after a gap), so junk dressed as offload does not hide the real bytes.
 *
 * Client and server: the SYN sender is the client; for flows seen mid-stream,
 * the side on a known pool port, else the lower port, is the server. */
#ifndef HH_PCAP_ENGINE_H
#define HH_PCAP_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "detectors/network/netdetect.h"
#include "enrich/intel/intel.h"

struct hh_engine_opts {
	size_t max_flows;          /* flow table cap (LRU eviction beyond) */
	double idle_timeout_s;     /* flows idle this long end */
	size_t max_ooo_segments;   /* held out-of-order segments per direction */
	size_t max_ooo_bytes;      /* held out-of-order bytes per direction */
	uint32_t max_ahead;        /* farthest out-of-order distance held */
	size_t max_stream_bytes;   /* reassembled bytes per direction (then packets are only counted) */
	size_t frag_max_datagrams; /* IP datagrams pending reassembly */
	size_t frag_max_bytes;     /* bytes buffered for them (64 KiB each) */
	double frag_timeout_s;     /* a datagram incomplete this long is dropped */
};

void hh_engine_opts_load(struct hh_engine_opts *o, const struct hh_config *cfg);

struct hh_engine_stats {
	uint64_t packets, bytes, ip_packets, tcp_packets, udp_packets, not_ip, malformed, fragments;
	uint64_t truncated;        /* packets cut by the snapshot length */
	uint64_t bad_checksum;     /* IPv4 header, TCP or UDP checksum wrong: dropped, as a receiver would */
	uint64_t partial_checksum; /* TCP/UDP checksum left to offload (locally sent): taken unverified */
	uint64_t rejudged;         /* verified copies of bytes first taken unverified, delivered again */
	uint64_t frag_reassembled, frag_dropped; /* IP datagrams rebuilt, and dropped (timeout, bounds, overlap, cut) */
	uint64_t flows, evicted_lru, evicted_idle, reasm_gaps, reasm_dropped_bytes;
	size_t flows_now, flows_peak;
};

/* Called when a new flow appears, so a live source can name its owner
 * (hh_netdetect_flow_set_owner). May be NULL. */
typedef void (*hh_engine_flow_hook)(void *arg, struct hh_net_flow *f);

struct hh_engine;
/* det and intel (may be NULL) are borrowed and must outlive the engine. */
struct hh_engine *hh_engine_new(const struct hh_engine_opts *o, struct hh_netdetect *det,
				const struct hh_intel *intel);
void hh_engine_set_flow_hook(struct hh_engine *e, hh_engine_flow_hook hook, void *arg);
/* Ends every flow (findings emitted) and frees the engine; det stays the caller's. */
void hh_engine_free(struct hh_engine *e);

/* One captured frame. Returns the decode result; *why says what was malformed. */
int hh_engine_packet(struct hh_engine *e, int linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
		     double ts, const char **why);
/* Ends flows idle at time now (live capture calls this when traffic is quiet). */
void hh_engine_expire(struct hh_engine *e, double now);
/* Ends every flow now (end of a capture). */
void hh_engine_flush(struct hh_engine *e);
void hh_engine_get_stats(const struct hh_engine *e, struct hh_engine_stats *s);
/* Warns (stderr, one line naming label) when packets were skipped in a way an
 * attacker can provoke: wrong checksums, IP datagrams that could not be
 * reassembled. Returns the number of such packets/datagrams. Call after flush. */
uint64_t hh_engine_warn_skipped(const struct hh_engine *e, const char *label);

#endif
