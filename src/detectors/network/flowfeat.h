/* Per-flow features for encrypted or unknown framing: duration, bytes and
 * packets each way, payload size profile, bursts each way, and the period of
 * unsolicited server-to-client pushes (a server burst that does not answer a
 * client burst: new mining jobs, or any server push).
 *
 * A burst is a run of payload packets in one direction separated by less
 * than burst_gap seconds. A server burst that starts within response_window
 * seconds after a client burst is a response, else a push. A client that
 * speaks every second (a miner on a low share difficulty) leaves few pushes
 * by timing alone: the jobs land next to its submits. So when the pushes
 * seen by timing are clearly larger than the responses (a job is several
 * times a share's acknowledgement), a response burst of the pushes' size is
 * a push too (a job, or a job merged with an acknowledgement).
 *
 * Memory is fixed: the first HH_FEAT_SAMPLES pushes, responses and client
 * bursts are kept for medians and periods. */
#ifndef HH_NET_FLOWFEAT_H
#define HH_NET_FLOWFEAT_H

#include <stdbool.h>
#include <stdint.h>

#define HH_FEAT_SAMPLES 128
#define HH_FEAT_HIST 12 /* payload size buckets: <64, <128, ... <64K, more */

struct hh_flowfeat {
	double first_ts, last_ts;
	uint64_t bytes[2];       /* wire bytes: [0] client->server, [1] server->client */
	uint64_t payload[2];
	uint32_t pkts[2], pl_pkts[2];
	uint32_t size_hist[2][HH_FEAT_HIST];
	/* Open bursts. */
	bool in_burst[2];
	double burst_start[2], burst_last[2];
	uint32_t burst_bytes[2];
	bool burst_is_push;
	double last_client_burst_end;
	/* Closed bursts. */
	uint32_t n_bursts[2], n_pushes;
	/* Start (seconds after first_ts) and size of pushes and responses. */
	float push_start[HH_FEAT_SAMPLES];
	uint32_t push_size[HH_FEAT_SAMPLES], n_push_start, n_push_size;
	float resp_start[HH_FEAT_SAMPLES];
	uint32_t resp_size[HH_FEAT_SAMPLES], n_resp;
	uint32_t client_size[HH_FEAT_SAMPLES], n_client_size;
	double burst_gap, response_window;
};

struct hh_flowfeat_summary {
	double duration;
	uint64_t bytes_c2s, bytes_s2c;
	uint32_t pkts_c2s, pkts_s2c;
	uint32_t pushes;              /* unsolicited server bursts (by timing, or by size: see above) */
	uint32_t pushes_by_size;      /* of which: response-timed bursts of the pushes' size */
	double period_median;         /* median seconds between pushes (0 when < 2 pushes) */
	double period_cv;             /* coefficient of variation of push intervals */
	uint32_t push_median, push_max; /* push sizes (payload bytes) */
	uint32_t client_median, client_max; /* client burst sizes */
	uint32_t client_bursts;
	uint32_t responses;           /* server bursts that answer a client burst (not pushes) */
	double ratio;                 /* server/client payload bytes */
	double rate_bps;              /* wire bytes per second, both ways */
};

void hh_flowfeat_init(struct hh_flowfeat *f, double ts, double burst_gap, double response_window);
/* dir 0: client->server, 1: server->client. */
void hh_flowfeat_packet(struct hh_flowfeat *f, int dir, double ts, uint32_t wire_len, uint32_t payload_len);
/* Summarises (closing open bursts in a copy; f is not changed). */
void hh_flowfeat_summarize(const struct hh_flowfeat *f, struct hh_flowfeat_summary *s);

#endif
