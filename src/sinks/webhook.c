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

struct hh_webhook {
	struct hh_webhook_opts opts;
	char url[1024], spool[1024], auth[1024];
	pthread_t thread;
	pthread_mutex_t lock;   /* queue and stopping */
	pthread_mutex_t io;     /* spool file and stats; taken after lock, never before */
	pthread_cond_t wake;
	char **queue;          /* ring of JSON texts, owned */
	size_t head, count;
	bool stopping;
	long drain_deadline_ms;
	struct hh_webhook_stats stats;
	CURL *curl;
};

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

/* One POST; true on a 2xx answer. */
static bool post(struct hh_webhook *w, const char *body)
{
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (w->auth[0])
		headers = curl_slist_append(headers, w->auth);
	curl_easy_reset(w->curl);
	curl_easy_setopt(w->curl, CURLOPT_URL, w->url);
	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(w->curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(w->curl, CURLOPT_TIMEOUT_MS, w->opts.timeout_ms);
	curl_easy_setopt(w->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(w->curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(w->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	CURLcode rc = curl_easy_perform(w->curl);
	long code = 0;
	curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(headers);
	return rc == CURLE_OK && code >= 200 && code < 300;
}

static void count(struct hh_webhook *w, uint64_t *counter)
{
	pthread_mutex_lock(&w->io);
	(*counter)++;
	pthread_mutex_unlock(&w->io);
}

static void spool_append_locked(struct hh_webhook *w, const char *body)
{
	struct stat st;
	size_t size = stat(w->spool, &st) == 0 ? (size_t)st.st_size : 0;
	if (size + strlen(body) + 1 > w->opts.spool_max_bytes) {
		w->stats.dropped++;
		return;
	}
	FILE *fp = fopen(w->spool, "a");
	if (!fp) {
		w->stats.dropped++;
		return;
	}
	fprintf(fp, "%s\n", body);
	fclose(fp);
	w->stats.spooled++;
}

static void spool_append(struct hh_webhook *w, const char *body)
{
	pthread_mutex_lock(&w->io);
	spool_append_locked(w, body);
	pthread_mutex_unlock(&w->io);
}

/* Resends the spool in order; what still fails is written back. */
static bool spool_flush(struct hh_webhook *w)
{
	pthread_mutex_lock(&w->io);
	FILE *fp = fopen(w->spool, "r");
	if (!fp) {
		pthread_mutex_unlock(&w->io);
		return true;
	}
	char tmp[1100];
	snprintf(tmp, sizeof(tmp), "%s.tmp", w->spool);
	FILE *rest = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	bool all = true;
	while ((len = getline(&line, &cap, fp)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (all && post(w, line)) {
			w->stats.sent++;
			continue;
		}
		if (all)
			w->stats.failed_attempts++;
		all = false;
		if (!rest)
			rest = fopen(tmp, "w");
		if (rest)
			fprintf(rest, "%s\n", line);
	}
	free(line);
	fclose(fp);
	if (rest) {
		fclose(rest);
		rename(tmp, w->spool);
	} else if (all) {
		unlink(w->spool);
	}
	pthread_mutex_unlock(&w->io);
	return all;
}

static void *run(void *arg)
{
	struct hh_webhook *w = arg;
	long backoff = 500, next_try = 0;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->stopping && w->count == 0 && now_ms() >= next_try) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&w->wake, &w->lock, &ts);
			if (w->count == 0 && now_ms() >= next_try)
				break; /* a periodic look at the spool */
		}
		if (w->stopping && (w->count == 0 || now_ms() > w->drain_deadline_ms))
			break;
		char *body = NULL;
		if (w->count) {
			body = w->queue[w->head];
			w->head = (w->head + 1) % w->opts.queue_max;
			w->count--;
		}
		pthread_mutex_unlock(&w->lock);
		bool endpoint_up = now_ms() >= next_try && spool_flush(w);
		if (body) {
			if (endpoint_up && post(w, body)) {
				count(w, &w->stats.sent);
			} else {
				if (endpoint_up)
					count(w, &w->stats.failed_attempts);
				spool_append(w, body);
				endpoint_up = false;
			}
			free(body);
		}
		if (endpoint_up) {
			backoff = 500;
		} else if (now_ms() >= next_try) {
			next_try = now_ms() + backoff;
			backoff = backoff * 2 > 60000 ? 60000 : backoff * 2;
		}
		pthread_mutex_lock(&w->lock);
	}
	/* Whatever is left is spooled for the next start. */
	while (w->count) {
		spool_append(w, w->queue[w->head]);
		free(w->queue[w->head]);
		w->head = (w->head + 1) % w->opts.queue_max;
		w->count--;
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
	if (!w->opts.queue_max)
		w->opts.queue_max = 1024;
	if (!w->opts.timeout_ms)
		w->opts.timeout_ms = 5000;
	snprintf(w->url, sizeof(w->url), "%s", opts->url);
	snprintf(w->spool, sizeof(w->spool), "%s", opts->spool_path ? opts->spool_path : "/var/lib/hashhound/webhook.spool");
	snprintf(w->auth, sizeof(w->auth), "%s", opts->auth_header ? opts->auth_header : "");
	w->opts.url = w->url;
	w->opts.spool_path = w->spool;
	w->queue = calloc(w->opts.queue_max, sizeof(*w->queue));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	w->curl = curl_easy_init();
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->io, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (!w->queue || !w->curl || pthread_create(&w->thread, NULL, run, w) != 0) {
		snprintf(err, errlen, "webhook: cannot start (%s)", strerror(errno));
		if (w->curl)
			curl_easy_cleanup(w->curl);
		free(w->queue);
		free(w);
		return NULL;
	}
	return w;
}

void hh_webhook_send(struct hh_webhook *w, const struct hh_finding *f)
{
	json_t *j = w->opts.falco_format ? hh_finding_to_falco_json(f) : hh_finding_to_json(f);
	char *body = json_dumps(j, HH_JSON_COMPACT);
	json_decref(j);
	if (!body)
		return;
	pthread_mutex_lock(&w->lock);
	if (w->count == w->opts.queue_max) {
		/* Full: the oldest goes to the spool so the newest is not lost. */
		spool_append(w, w->queue[w->head]);
		free(w->queue[w->head]);
		w->head = (w->head + 1) % w->opts.queue_max;
		w->count--;
	}
	w->queue[(w->head + w->count) % w->opts.queue_max] = body;
	w->count++;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void hh_webhook_get_stats(struct hh_webhook *w, struct hh_webhook_stats *out)
{
	pthread_mutex_lock(&w->io);
	*out = w->stats;
	pthread_mutex_unlock(&w->io);
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
	hh_info("webhook: %llu sent, %llu spooled, %llu dropped", (unsigned long long)st.sent,
		(unsigned long long)st.spooled, (unsigned long long)st.dropped);
	curl_easy_cleanup(w->curl);
	pthread_mutex_destroy(&w->lock);
	pthread_mutex_destroy(&w->io);
	pthread_cond_destroy(&w->wake);
	free(w->queue);
	free(w);
}

void hh_webhook_backlog(struct hh_webhook *w, size_t *queued, uint64_t *spool_bytes)
{
	pthread_mutex_lock(&w->lock);
	*queued = w->count;
	pthread_mutex_unlock(&w->lock);
	pthread_mutex_lock(&w->io);
	struct stat st;
	*spool_bytes = w->spool[0] && stat(w->spool, &st) == 0 ? (uint64_t)st.st_size : 0;
	pthread_mutex_unlock(&w->io);
}
