#include "sinks/webhook.h"
#include "sinks/falco_format.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "sinks/webhook_spool.h"

#define BACKOFF_MIN_MS 500L
#define BACKOFF_MAX_MS 60000L

struct hh_webhook {
	struct hh_webhook_opts opts;
	char url[1024], auth[1024];
	pthread_t thread;
	/* lock: queue, flags, stats. file: the spool and dead-letter files; taken
	 * after lock, never before, and never held during a POST. */
	pthread_mutex_t lock, file;
	pthread_cond_t wake;
	char **queue;          /* ring of JSON texts, owned */
	size_t head, count;
	bool inflight;         /* the delivery thread is posting queue[head] */
	bool spilled;          /* the spool got lines since the last pass began */
	bool stopping;
	long drain_deadline_ms;
	struct hh_webhook_stats stats;
	struct hh_spool spool;
	CURL *curl;
	char answer[256];      /* start of the last answer's body (for dead letters) */
	size_t answer_len;
};

enum outcome { DELIVERED, RETRY, PERMANENT };

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static size_t keep_answer(char *p, size_t size, size_t n, void *ctx)
{
	struct hh_webhook *w = ctx;
	size_t len = size * n, room = sizeof(w->answer) - 1 - w->answer_len;
	size_t take = len < room ? len : room;
	memcpy(w->answer + w->answer_len, p, take);
	w->answer_len += take;
	w->answer[w->answer_len] = '\0';
	return len;
}

static void counted(struct hh_webhook *w, uint64_t *counter, const char *result)
{
	pthread_mutex_lock(&w->lock);
	(*counter)++;
	pthread_mutex_unlock(&w->lock);
	if (w->opts.metrics)
		hh_metrics_add(w->opts.metrics, "hashhound_webhook_deliveries_total",
			       (const char *[]){ "result", result, NULL }, 1);
}

/* The finding's id: "id" in our JSON (written first: read without parsing),
 * "uuid" in the Falco shape; spool lines from before ids have none. */
static bool body_id(const char *body, char id[HH_FINDING_ID_LEN])
{
	static const char pre[] = "{\"id\":\"";
	const char *v = NULL;
	json_t *j = NULL;
	if (strncmp(body, pre, sizeof(pre) - 1) == 0) {
		v = body + sizeof(pre) - 1;
	} else {
		json_error_t e;
		j = json_loads(body, 0, &e);
		v = json_string_value(json_object_get(j, "uuid"));
	}
	size_t n = v ? strspn(v, "0123456789abcdef-") : 0;
	bool ok = n == HH_FINDING_ID_LEN - 1 && v[n] == (j ? '\0' : '"');
	if (ok) {
		memcpy(id, v, n);
		id[n] = '\0';
	}
	json_decref(j);
	return ok;
}

/* Printable ASCII only, for the reason text. */
static void printable(char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			*s = ' ';
}

/* One POST. 2xx: delivered. Connection errors, timeouts, 408, 429 and 5xx
 * (anything the receiver may get over): retry. Other answers (3xx, 4xx): the
 * receiver will never take this one; reason says why. */
static enum outcome post(struct hh_webhook *w, const char *body, long *status, char *reason, size_t rlen)
{
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	char id[HH_FINDING_ID_LEN], hdr[80];
	if (body_id(body, id)) {
		snprintf(hdr, sizeof(hdr), "Idempotency-Key: %s", id);
		headers = curl_slist_append(headers, hdr);
	}
	if (w->auth[0])
		headers = curl_slist_append(headers, w->auth);
	w->answer_len = 0;
	w->answer[0] = '\0';
	curl_easy_reset(w->curl);
	curl_easy_setopt(w->curl, CURLOPT_URL, w->url);
	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(w->curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(w->curl, CURLOPT_TIMEOUT_MS, w->opts.timeout_ms);
	curl_easy_setopt(w->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(w->curl, CURLOPT_WRITEFUNCTION, keep_answer);
	curl_easy_setopt(w->curl, CURLOPT_WRITEDATA, w);
	curl_easy_setopt(w->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	CURLcode rc = curl_easy_perform(w->curl);
	long code = 0;
	curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(headers);
	*status = code;
	if (rc != CURLE_OK) {
		snprintf(reason, rlen, "%s", curl_easy_strerror(rc));
		return RETRY;
	}
	if (code >= 200 && code < 300)
		return DELIVERED;
	snprintf(reason, rlen, "HTTP %ld: %.200s", code, w->answer);
	printable(reason);
	if (code == 408 || code == 429 || code >= 500 || code < 200)
		return RETRY;
	return PERMANENT;
}

/* Delivers one text; true when the thread may go on with the next one. */
static bool deliver(struct hh_webhook *w, const char *body)
{
	long status = 0;
	char reason[512];
	switch (post(w, body, &status, reason, sizeof(reason))) {
	case DELIVERED:
		counted(w, &w->stats.sent, "sent");
		return true;
	case PERMANENT:
		pthread_mutex_lock(&w->file);
		bool kept = hh_spool_dead_letter(&w->spool, body, status, reason);
		pthread_mutex_unlock(&w->file);
		hh_warn("webhook: %s; finding %s", reason, kept ? "moved to the dead-letter file" : "dropped (dead-letter file full)");
		if (kept)
			counted(w, &w->stats.dead_lettered, "dead_letter");
		else
			counted(w, &w->stats.dropped, "dropped");
		return true;
	case RETRY:
	default:
		hh_debug("webhook: %s; will retry", reason);
		counted(w, &w->stats.failed_attempts, "retry");
		return false;
	}
}

/* Sends the spool head to tail; false when the receiver failed (retry later). */
static bool spool_pass(struct hh_webhook *w)
{
	for (;;) {
		pthread_mutex_lock(&w->lock);
		bool late = w->stopping && now_ms() > w->drain_deadline_ms;
		pthread_mutex_unlock(&w->lock);
		char *line;
		off_t next;
		pthread_mutex_lock(&w->file);
		bool have = !late && hh_spool_peek(&w->spool, &line, &next);
		if (!have)
			hh_spool_compact(&w->spool);
		pthread_mutex_unlock(&w->file);
		if (!have)
			return !late;
		bool ok = deliver(w, line);
		free(line);
		pthread_mutex_lock(&w->file);
		if (ok)
			hh_spool_advance(&w->spool, next);
		else
			hh_spool_compact(&w->spool);
		pthread_mutex_unlock(&w->file);
		if (!ok)
			return false;
	}
}

/* Called with w->lock held. */
static void spool_locked(struct hh_webhook *w, const char *body, bool first)
{
	pthread_mutex_lock(&w->file);
	bool ok = first ? hh_spool_prepend(&w->spool, body) : hh_spool_append(&w->spool, body);
	pthread_mutex_unlock(&w->file);
	w->spilled = true;
	if (ok)
		w->stats.spooled++;
	else
		w->stats.dropped++;
	if (w->opts.metrics)
		hh_metrics_add(w->opts.metrics, "hashhound_webhook_deliveries_total",
			       (const char *[]){ "result", ok ? "spooled" : "dropped", NULL }, 1);
}

static char *pop_locked(struct hh_webhook *w)
{
	char *body = w->queue[w->head];
	w->queue[w->head] = NULL;
	w->head = (w->head + 1) % w->opts.queue_max;
	w->count--;
	return body;
}

static void *run(void *arg)
{
	struct hh_webhook *w = arg;
	long backoff = BACKOFF_MIN_MS, next_try = 0;
	bool failing = false;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		/* Wait for work, the end of a backoff, or a periodic look at the
		 * spool (a previous run may have left one). */
		long wait_until = failing ? next_try : now_ms() + 1000;
		while (!w->stopping && (failing || w->count == 0) && now_ms() < wait_until) {
			/* While the receiver fails, new findings go to the spool at
			 * once (behind the older ones): a crash then loses none. */
			while (failing && w->count) {
				char *body = pop_locked(w);
				spool_locked(w, body, false);
				free(body);
			}
			long ms = wait_until - now_ms();
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += ms / 1000;
			ts.tv_nsec += (ms % 1000) * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&w->wake, &w->lock, &ts);
		}
		if (w->stopping && (failing || now_ms() > w->drain_deadline_ms))
			break;
		if (failing && now_ms() < next_try)
			continue;
		w->spilled = false;
		pthread_mutex_unlock(&w->lock);
		/* The spool holds the oldest findings: it goes first, and again
		 * whenever the sender spilled into it meanwhile. */
		bool up = spool_pass(w);
		pthread_mutex_lock(&w->lock);
		while (up && w->count && !w->spilled && !(w->stopping && now_ms() > w->drain_deadline_ms)) {
			w->inflight = true;
			char *body = w->queue[w->head];
			pthread_mutex_unlock(&w->lock);
			up = deliver(w, body);
			pthread_mutex_lock(&w->lock);
			w->inflight = false;
			body = pop_locked(w);
			if (!up) /* before anything the sender spilled meanwhile */
				spool_locked(w, body, true);
			free(body);
		}
		if (up) {
			failing = false;
			backoff = BACKOFF_MIN_MS;
		} else {
			failing = true;
			next_try = now_ms() + backoff;
			backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
		}
		if (w->stopping && w->count == 0 && !w->spilled)
			break;
	}
	/* Whatever is left is spooled, in order, for the next start. */
	while (w->count) {
		char *body = pop_locked(w);
		spool_locked(w, body, false);
		free(body);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct hh_webhook *hh_webhook_start(const struct hh_webhook_opts *opts, char *err, size_t errlen)
{
	if (!opts->url || (strncmp(opts->url, "http://", 7) != 0 && strncmp(opts->url, "https://", 8) != 0)) {
		snprintf(err, errlen, "webhook url '%s' must start with http:// or https://", opts->url ? opts->url : "");
		return NULL;
	}
	struct hh_webhook *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->opts = *opts;
	if (!w->opts.spool_max_bytes)
		w->opts.spool_max_bytes = 64u << 20;
	if (w->opts.queue_max < 2) /* one in flight, one to spill */
		w->opts.queue_max = 1024;
	if (!w->opts.timeout_ms)
		w->opts.timeout_ms = 5000;
	snprintf(w->url, sizeof(w->url), "%s", opts->url);
	snprintf(w->auth, sizeof(w->auth), "%s", opts->auth_header ? opts->auth_header : "");
	hh_spool_init(&w->spool, opts->spool_path ? opts->spool_path : "/var/lib/hashhound/webhook.spool",
		      opts->dead_letter_path, w->opts.spool_max_bytes);
	w->opts.url = w->url;
	w->opts.spool_path = w->spool.path;
	w->opts.dead_letter_path = w->spool.dead_path;
	w->opts.auth_header = NULL;
	if (w->opts.metrics)
		hh_metrics_describe(w->opts.metrics, "hashhound_webhook_deliveries_total", HH_METRIC_COUNTER,
				    "Webhook outcomes: sent, retry (a failed attempt, kept), spooled, dead_letter "
				    "(refused for good, kept in the dead-letter file), dropped (over the file bound).");
	w->queue = calloc(w->opts.queue_max, sizeof(*w->queue));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	w->curl = curl_easy_init();
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->file, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (!w->queue || !w->curl || pthread_create(&w->thread, NULL, run, w) != 0) {
		snprintf(err, errlen, "webhook: cannot start (%s)", strerror(errno));
		if (w->curl)
			curl_easy_cleanup(w->curl);
		pthread_mutex_destroy(&w->lock);
		pthread_mutex_destroy(&w->file);
		pthread_cond_destroy(&w->wake);
		free(w->queue);
		free(w);
		return NULL;
	}
	return w;
}

void hh_webhook_send(struct hh_webhook *w, const struct hh_finding *f)
{
	json_t *j = w->opts.falco_format ? hh_finding_to_falco_json(f) : hh_finding_to_json(f);
	if (w->opts.falco_format && j)
		json_object_set_new(j, "uuid", json_string(f->id));
	char *body = json_dumps(j, HH_JSON_COMPACT);
	json_decref(j);
	if (!body)
		return;
	pthread_mutex_lock(&w->lock);
	if (w->count == w->opts.queue_max) {
		/* Full: the oldest not in flight goes to the spool (a file append,
		 * never a network wait), so the newest is not lost. The spool is
		 * delivered before the queue, so the order holds. */
		size_t victim = w->inflight ? (w->head + 1) % w->opts.queue_max : w->head;
		spool_locked(w, w->queue[victim], false);
		free(w->queue[victim]);
		if (victim == w->head) {
			w->head = (w->head + 1) % w->opts.queue_max;
		} else { /* close the gap behind the in-flight head */
			w->queue[victim] = w->queue[w->head];
			w->queue[w->head] = NULL;
			w->head = victim;
		}
		w->count--;
	}
	w->queue[(w->head + w->count) % w->opts.queue_max] = body;
	w->count++;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void hh_webhook_get_stats(struct hh_webhook *w, struct hh_webhook_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	pthread_mutex_unlock(&w->lock);
}

void hh_webhook_stop(struct hh_webhook *w, long drain_ms)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	w->drain_deadline_ms = now_ms() + drain_ms;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	struct hh_webhook_stats st = w->stats;
	hh_info("webhook: %llu sent, %llu spooled, %llu dead-lettered, %llu dropped, %llu failed attempts",
		(unsigned long long)st.sent, (unsigned long long)st.spooled, (unsigned long long)st.dead_lettered,
		(unsigned long long)st.dropped, (unsigned long long)st.failed_attempts);
	curl_easy_cleanup(w->curl);
	pthread_mutex_destroy(&w->lock);
	pthread_mutex_destroy(&w->file);
	pthread_cond_destroy(&w->wake);
	free(w->queue);
	free(w);
}

void hh_webhook_backlog(struct hh_webhook *w, size_t *queued, uint64_t *spool_bytes)
{
	pthread_mutex_lock(&w->lock);
	*queued = w->count;
	pthread_mutex_unlock(&w->lock);
	/* undelivered bytes: the file's size past the delivered offset */
	pthread_mutex_lock(&w->file);
	struct stat st;
	*spool_bytes = stat(w->spool.path, &st) == 0 && st.st_size > w->spool.off
			       ? (uint64_t)(st.st_size - w->spool.off)
			       : 0;
	pthread_mutex_unlock(&w->file);
}
