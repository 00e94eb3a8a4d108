/* Flow features: bursts, pushes, periods, size profile. */
#include "detectors/network/flowfeat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void hh_flowfeat_init(struct hh_flowfeat *f, double ts, double burst_gap, double response_window)
{
	memset(f, 0, sizeof(*f));
	f->first_ts = f->last_ts = ts;
	f->burst_gap = burst_gap > 0 ? burst_gap : 0.25;
	f->response_window = response_window > 0 ? response_window : 1.0;
	f->last_client_burst_end = -1e18;
}

static void close_burst(struct hh_flowfeat *f, int dir)
{
	if (!f->in_burst[dir])
		return;
	f->in_burst[dir] = false;
	f->n_bursts[dir]++;
	if (dir == 0) {
		f->last_client_burst_end = f->burst_last[0];
		if (f->n_client_size < HH_FEAT_SAMPLES)
			f->client_size[f->n_client_size++] = f->burst_bytes[0];
	} else if (f->burst_is_push) {
		if (f->n_push_size < HH_FEAT_SAMPLES)
			f->push_size[f->n_push_size++] = f->burst_bytes[1];
	} else if (f->n_resp < HH_FEAT_SAMPLES) {
		f->resp_start[f->n_resp] = (float)(f->burst_start[1] - f->first_ts);
		f->resp_size[f->n_resp++] = f->burst_bytes[1];
	}
}

void hh_flowfeat_packet(struct hh_flowfeat *f, int dir, double ts, uint32_t wire_len, uint32_t payload_len)
{
	dir = dir ? 1 : 0;
	if (ts > f->last_ts)
		f->last_ts = ts;
	f->bytes[dir] += wire_len;
	f->pkts[dir]++;
	if (payload_len == 0)
		return;
	f->payload[dir] += payload_len;
	f->pl_pkts[dir]++;
	unsigned b = 0;
	for (uint32_t v = payload_len >> 6; v && b < HH_FEAT_HIST - 1; v >>= 1)
		b++;
	f->size_hist[dir][b]++;
	if (f->in_burst[dir] && ts - f->burst_last[dir] <= f->burst_gap) {
		f->burst_last[dir] = ts;
		f->burst_bytes[dir] += payload_len;
		return;
	}
	close_burst(f, dir);
	f->in_burst[dir] = true;
	f->burst_start[dir] = f->burst_last[dir] = ts;
	f->burst_bytes[dir] = payload_len;
	if (dir == 1) {
		/* Bursts close lazily; the client's latest payload is burst_last[0]. */
		double last_client = f->in_burst[0] ? f->burst_last[0] : f->last_client_burst_end;
		f->burst_is_push = ts - last_client > f->response_window;
		if (f->burst_is_push) {
			if (f->n_push_start < HH_FEAT_SAMPLES)
				f->push_start[f->n_push_start++] = (float)(ts - f->first_ts);
			f->n_pushes++;
		}
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}
static int cmp_f(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return x < y ? -1 : x > y;
}

static void median_max(const uint32_t *v, uint32_t n, uint32_t *med, uint32_t *max)
{
	*med = *max = 0;
	if (!n || n > 2 * HH_FEAT_SAMPLES)
		return;
	uint32_t tmp[2 * HH_FEAT_SAMPLES];
	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_u32);
	*med = tmp[n / 2];
	*max = tmp[n - 1];
}

/* Response-timed bursts at least halfway from the responses' median size
 * to the pushes' are pushes, when pushes are at least twice the responses. */
static uint32_t size_threshold(const struct hh_flowfeat *f)
{
	if (f->n_push_size < 2 || f->n_resp < 4)
		return 0;
	uint32_t push_med, resp_med, max;
	median_max(f->push_size, f->n_push_size, &push_med, &max);
	median_max(f->resp_size, f->n_resp, &resp_med, &max);
	if (push_med < 2 * (uint64_t)resp_med)
		return 0;
	return resp_med + (push_med - resp_med) / 2;
}

void hh_flowfeat_summarize(const struct hh_flowfeat *in, struct hh_flowfeat_summary *s)
{
	struct hh_flowfeat f = *in;
	close_burst(&f, 0);
	close_burst(&f, 1);
	memset(s, 0, sizeof(*s));
	s->duration = f.last_ts - f.first_ts;
	s->bytes_c2s = f.bytes[0];
	s->bytes_s2c = f.bytes[1];
	s->pkts_c2s = f.pkts[0];
	s->pkts_s2c = f.pkts[1];
	/* Push starts: by timing, merged in time order with response-timed bursts
	 * of the pushes' size (both lists are in time order). */
	uint32_t thr = size_threshold(&f);
	float starts[2 * HH_FEAT_SAMPLES];
	uint32_t sizes[2 * HH_FEAT_SAMPLES], n = 0, by_size = 0;
	for (uint32_t i = 0, j = 0; i < f.n_push_start || j < f.n_resp;) {
		bool take_resp = j < f.n_resp && (i == f.n_push_start || f.resp_start[j] < f.push_start[i]);
		if (take_resp) {
			if (thr && f.resp_size[j] >= thr) {
				starts[n] = f.resp_start[j];
				sizes[n++] = f.resp_size[j];
				by_size++;
			}
			j++;
		} else {
			starts[n] = f.push_start[i];
			/* a push still open at the copy's close has its size recorded */
			sizes[n++] = i < f.n_push_size ? f.push_size[i] : 0;
			i++;
		}
	}
	s->pushes = f.n_pushes + by_size;
	s->pushes_by_size = by_size;
	s->client_bursts = f.n_bursts[0];
	s->responses = f.n_bursts[1] >= s->pushes ? f.n_bursts[1] - s->pushes : 0;
	uint32_t push_sizes[2 * HH_FEAT_SAMPLES], n_sizes = 0;
	for (uint32_t i = 0; i < n; i++)
		if (sizes[i])
			push_sizes[n_sizes++] = sizes[i];
	median_max(push_sizes, n_sizes, &s->push_median, &s->push_max);
	median_max(f.client_size, f.n_client_size, &s->client_median, &s->client_max);
	if (n >= 2) {
		float tmp[2 * HH_FEAT_SAMPLES];
		for (uint32_t i = 1; i < n; i++)
			tmp[i - 1] = starts[i] - starts[i - 1];
		uint32_t ni = n - 1;
		qsort(tmp, ni, sizeof(float), cmp_f);
		s->period_median = tmp[ni / 2];
		double sum = 0, sq = 0;
		for (uint32_t i = 0; i < ni; i++) {
			sum += tmp[i];
			sq += (double)tmp[i] * tmp[i];
		}
		double mean = sum / ni;
		double var = sq / ni - mean * mean;
		s->period_cv = mean > 0 ? sqrt(var > 0 ? var : 0) / mean : 0;
	}
	s->ratio = f.payload[0] ? (double)f.payload[1] / (double)f.payload[0] : (f.payload[1] ? 1e9 : 0);
	s->rate_bps = s->duration > 0 ? (double)(f.bytes[0] + f.bytes[1]) / s->duration : 0;
}
