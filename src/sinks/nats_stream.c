/* JetStream publisher of findings (nats_stream.h). One thread owns the NATS
 * connection; senders only append to a bounded queue or, once anything is
 * spooled, to the spool file, so the order of findings is the order of
 * hh_nats_send whatever the outages. */
#include "sinks/nats_stream.h"

#include <errno.h>
#include <nats/nats.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/node.h"
#include "sinks/sinks.h"

#define NATS_LINE_MAX (1u << 20)

struct hh_nats {
	struct hh_nats_opts opts;
	char servers[1024], stream[64], subject[256], spool[512];
	/* queue (lock) */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	char **queue;
	size_t head, count;
	size_t spool_bytes;           /* bytes in the spool file; > 0: new findings go there */
	bool stopping;
	long long drain_deadline_ms;
	struct hh_nats_stats stats;
	/* connection (publisher thread only) */
	natsConnection *nc;
	jsCtx *js;
	bool stream_ready;
	pthread_t thread;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void hh_nats_msg_id(const char *json, size_t len, char out[33])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)json, len, md);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int hh_nats_ensure_stream(jsCtx *js, const char *stream, int replicas, char *err, size_t errlen)
{
	jsStreamInfo *si = NULL;
	jsErrCode jerr = 0;
	natsStatus s = js_GetStreamInfo(&si, js, stream, NULL, &jerr);
	if (s == NATS_OK) {
		jsStreamInfo_Destroy(si);
		return 0;
	}
	jsStreamConfig cfg;
	jsStreamConfig_Init(&cfg);
	const char *subjects[] = { "hashhound.>" };
	cfg.Name = stream;
	cfg.Subjects = subjects;
	cfg.SubjectsLen = 1;
	cfg.Storage = js_FileStorage;
	cfg.Replicas = replicas > 0 ? replicas : 1;
	/* A finding spooled through an outage and sent again later is still
	 * recognised as a duplicate: a window of an hour, not the default 2 min. */
	cfg.Duplicates = (int64_t)3600 * 1000000000LL;
	s = js_AddStream(&si, js, &cfg, NULL, &jerr);
	if (s != NATS_OK && jerr != 10058 /* stream name already in use (a race) */) {
		snprintf(err, errlen, "nats: cannot create stream %s: %s (%d)", stream, natsStatus_GetText(s), (int)jerr);
		return -1;
	}
	jsStreamInfo_Destroy(si);
	return 0;
}

static void disconnect(struct hh_nats *n)
{
	jsCtx_Destroy(n->js);
	natsConnection_Destroy(n->nc);
	n->js = NULL;
	n->nc = NULL;
	n->stream_ready = false;
}

/* Connects (the library then reconnects by itself across servers). */
static bool ensure_connected(struct hh_nats *n)
{
	if (n->nc && natsConnection_Status(n->nc) == NATS_CONN_STATUS_CLOSED)
		disconnect(n);
	if (!n->nc) {
		natsOptions *o = NULL;
		const char *list[16];
		char buf[1024];
		int k = 0;
		snprintf(buf, sizeof(buf), "%s", n->servers);
		for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && k < 16; t = strtok_r(NULL, ",", &save))
			list[k++] = t;
		if (natsOptions_Create(&o) != NATS_OK)
			return false;
		natsOptions_SetServers(o, list, k);
		natsOptions_SetMaxReconnect(o, -1);
		natsOptions_SetReconnectWait(o, 250);
		natsOptions_SetTimeout(o, 2000);
		natsStatus s = natsConnection_Connect(&n->nc, o);
		natsOptions_Destroy(o);
		if (s != NATS_OK) {
			n->nc = NULL;
			return false;
		}
		jsOptions jo;
		jsOptions_Init(&jo);
		jo.Wait = n->opts.timeout_ms;
		if (natsConnection_JetStream(&n->js, n->nc, &jo) != NATS_OK) {
			disconnect(n);
			return false;
		}
		hh_info("nats: connected to %s", n->servers);
	}
	if (!n->stream_ready) {
		char err[256];
		if (hh_nats_ensure_stream(n->js, n->stream, n->opts.replicas, err, sizeof(err)) < 0) {
			hh_debug("%s", err);
			return false;
		}
		n->stream_ready = true;
	}
	return true;
}

/* The message id of a JSON line: the finding's id (our JSON writes it first,
 * so it is read without parsing; else parsed), else a hash of the bytes. */
static void line_msg_id(const char *line, size_t len, char id[HH_FINDING_ID_LEN])
{
	static const char pre[] = "{\"id\":\"";
	const char *v = NULL;
	json_t *j = NULL;
	if (len > sizeof(pre) && !strncmp(line, pre, sizeof(pre) - 1)) {
		v = line + sizeof(pre) - 1;
	} else {
		j = json_loadb(line, len, 0, NULL);
		v = json_string_value(json_object_get(j, "id"));
	}
	size_t n = !v ? 0 : j ? strlen(v) : strcspn(v, "\"");
	if (n > 0 && n < HH_FINDING_ID_LEN && (j || v[n] == '"')) {
		memcpy(id, v, n);
		id[n] = '\0';
	} else {
		hh_nats_msg_id(line, len, id);
	}
	json_decref(j);
}

/* Publishes one JSON line; true when the stream stored it (or had it), or
 * when it never can (larger than the server's max_payload: dropped, counted
 * and said, so it does not hold up every finding behind it). */
static bool publish(struct hh_nats *n, const char *line)
{
	size_t len = strlen(line);
	char id[HH_FINDING_ID_LEN];
	line_msg_id(line, len, id);
	jsPubOptions po;
	jsPubOptions_Init(&po);
	po.MsgId = id;
	po.MaxWait = n->opts.timeout_ms;
	jsPubAck *pa = NULL;
	jsErrCode jerr = 0;
	natsStatus s = js_Publish(&pa, n->js, n->subject, line, (int)len, &po, &jerr);
	if (s == NATS_MAX_PAYLOAD) {
		hh_warn("nats: finding %s (%zu bytes) is larger than the server's max_payload; dropped", id, len);
		pthread_mutex_lock(&n->lock);
		n->stats.dropped++;
		pthread_mutex_unlock(&n->lock);
		return true;
	}
	if (s != NATS_OK)
		return false;
	pthread_mutex_lock(&n->lock);
	n->stats.published++;
	n->stats.duplicates += pa && pa->Duplicate;
	pthread_mutex_unlock(&n->lock);
	jsPubAck_Destroy(pa);
	return true;
}

/* Appends lines to the spool (lock held). Beyond the cap they are dropped. */
static void spool_append(struct hh_nats *n, const char *line)
{
	size_t len = strlen(line) + 1;
	if (n->spool_bytes + len > n->opts.spool_max_bytes) {
		n->stats.dropped++;
		return;
	}
	FILE *f = fopen(n->spool, "ae");
	if (!f) {
		n->stats.dropped++;
		hh_warn("nats: cannot write spool %s: %s", n->spool, strerror(errno));
		return;
	}
	fprintf(f, "%s\n", line);
	fclose(f);
	n->spool_bytes += len;
	n->stats.spooled++;
}

/* Publishes the spool from its start; on success truncates it. A partial
 * pass is safe: what was published is sent again and the server drops it
 * as a duplicate. */
static bool drain_spool(struct hh_nats *n)
{
	FILE *f = fopen(n->spool, "re");
	if (!f) {
		pthread_mutex_lock(&n->lock);
		n->spool_bytes = 0;
		pthread_mutex_unlock(&n->lock);
		return true;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	bool ok = true;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (!line[0] || (size_t)len > NATS_LINE_MAX)
			continue;
		if (!publish(n, line)) {
			ok = false;
			break;
		}
	}
	free(line);
	pthread_mutex_lock(&n->lock);
	if (ok) {
		/* Findings spooled while we read are past the end we reached:
		 * keep them, drop what was published. */
		long at = ftell(f);
		struct stat st;
		if (stat(n->spool, &st) == 0 && st.st_size > at) {
			FILE *out = fopen(n->spool, "r+e");
			char *rest = malloc((size_t)(st.st_size - at));
			if (out && rest && fseek(out, at, SEEK_SET) == 0 &&
			    fread(rest, 1, (size_t)(st.st_size - at), out) == (size_t)(st.st_size - at)) {
				rewind(out);
				fwrite(rest, 1, (size_t)(st.st_size - at), out);
				fflush(out);
				if (ftruncate(fileno(out), st.st_size - at) < 0)
					hh_warn("nats: cannot truncate spool %s", n->spool);
				n->spool_bytes = (size_t)(st.st_size - at);
			}
			free(rest);
			if (out)
				fclose(out);
		} else {
			unlink(n->spool);
			n->spool_bytes = 0;
		}
	}
	pthread_mutex_unlock(&n->lock);
	fclose(f);
	return ok;
}

static void *run(void *arg)
{
	struct hh_nats *n = arg;
	long backoff = 250;
	for (;;) {
		pthread_mutex_lock(&n->lock);
		while (!n->stopping && n->count == 0 && n->spool_bytes == 0)
			pthread_cond_wait(&n->wake, &n->lock);
		if (n->stopping && ((n->count == 0 && n->spool_bytes == 0) || now_ms() > n->drain_deadline_ms)) {
			pthread_mutex_unlock(&n->lock);
			break;
		}
		char *head = n->count ? n->queue[n->head] : NULL;
		pthread_mutex_unlock(&n->lock);

		bool ok = ensure_connected(n);
		if (ok && head) {
			ok = publish(n, head);
			if (ok) {
				pthread_mutex_lock(&n->lock);
				free(n->queue[n->head]);
				n->head = (n->head + 1) % n->opts.queue_max;
				n->count--;
				pthread_mutex_unlock(&n->lock);
			}
		} else if (ok) {
			ok = drain_spool(n);
		}
		if (ok) {
			backoff = 250;
			continue;
		}
		pthread_mutex_lock(&n->lock);
		n->stats.failed_attempts++;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += backoff / 1000;
		ts.tv_nsec += (backoff % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		if (!n->stopping)
			pthread_cond_timedwait(&n->wake, &n->lock, &ts);
		pthread_mutex_unlock(&n->lock);
		if (n->stopping && now_ms() > n->drain_deadline_ms)
			break;
		if (n->stopping)
			usleep(100000);
		backoff = backoff * 2 > 5000 ? 5000 : backoff * 2;
	}
	return NULL;
}

struct hh_nats *hh_nats_start(const struct hh_nats_opts *opts, char *err, size_t errlen)
{
	if (!opts->servers || !opts->servers[0]) {
		snprintf(err, errlen, "nats: no server URL");
		return NULL;
	}
	struct hh_nats *n = calloc(1, sizeof(*n));
	if (!n) {
		snprintf(err, errlen, "nats: out of memory");
		return NULL;
	}
	n->opts = *opts;
	snprintf(n->servers, sizeof(n->servers), "%s", opts->servers);
	snprintf(n->stream, sizeof(n->stream), "%s", opts->stream && *opts->stream ? opts->stream : "HASHHOUND");
	if (opts->subject && *opts->subject) {
		snprintf(n->subject, sizeof(n->subject), "%s", opts->subject);
	} else {
		/* The node's name (NODE_NAME, the kubelet's), else the host name. */
		const struct hh_node *node = hh_node_get();
		char host[128];
		snprintf(host, sizeof(host), "%.127s", node->k8s_node_name[0] ? node->k8s_node_name
					 : node->hostname[0]     ? node->hostname
								 : "node");
		for (char *p = host; *p; p++) /* a subject token: no dots or wildcards */
			if (*p == '.' || *p == '*' || *p == '>' || *p == ' ')
				*p = '_';
		snprintf(n->subject, sizeof(n->subject), "hashhound.findings.%s", host);
	}
	if (strncmp(n->subject, "hashhound.", 10) != 0) {
		snprintf(err, errlen, "nats: subject '%s' must start with 'hashhound.' (the stream's subjects)", n->subject);
		free(n);
		return NULL;
	}
	snprintf(n->spool, sizeof(n->spool), "%s",
		 opts->spool_path && *opts->spool_path ? opts->spool_path : "/var/lib/hashhound/nats.spool");
	if (!n->opts.spool_max_bytes)
		n->opts.spool_max_bytes = 64u << 20;
	if (!n->opts.queue_max)
		n->opts.queue_max = 1024;
	if (n->opts.timeout_ms <= 0)
		n->opts.timeout_ms = 5000;
	n->opts.servers = n->servers;
	n->opts.stream = n->stream;
	n->opts.subject = n->subject;
	n->opts.spool_path = n->spool;
	struct stat st;
	if (stat(n->spool, &st) == 0)
		n->spool_bytes = (size_t)st.st_size; /* left by a previous run: sent first */
	n->queue = calloc(n->opts.queue_max, sizeof(*n->queue));
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->wake, NULL);
	if (!n->queue || pthread_create(&n->thread, NULL, run, n) != 0) {
		snprintf(err, errlen, "nats: cannot start (%s)", strerror(errno));
		free(n->queue);
		free(n);
		return NULL;
	}
	return n;
}

void hh_nats_send(struct hh_nats *n, const struct hh_finding *f)
{
	json_t *j = hh_finding_to_json(f);
	char *line = json_dumps(j, HH_JSON_COMPACT);
	json_decref(j);
	if (!line)
		return;
	pthread_mutex_lock(&n->lock);
	if (n->spool_bytes > 0 || n->count == n->opts.queue_max) {
		/* Order: once anything waits on disk, newer findings queue behind it. */
		spool_append(n, line);
		free(line);
	} else {
		n->queue[(n->head + n->count) % n->opts.queue_max] = line;
		n->count++;
	}
	pthread_cond_signal(&n->wake);
	pthread_mutex_unlock(&n->lock);
}

void hh_nats_get_stats(struct hh_nats *n, struct hh_nats_stats *out)
{
	pthread_mutex_lock(&n->lock);
	*out = n->stats;
	pthread_mutex_unlock(&n->lock);
}

/* What the memory queue still holds goes before the spool's lines (it is
 * older), so the next run sends everything in order. */
static void spool_queue_first(struct hh_nats *n)
{
	if (n->count == 0)
		return;
	char tmp[600];
	snprintf(tmp, sizeof(tmp), "%s.tmp", n->spool);
	FILE *out = fopen(tmp, "we");
	if (!out) {
		n->stats.dropped += n->count;
		return;
	}
	for (; n->count; n->count--, n->head = (n->head + 1) % n->opts.queue_max) {
		fprintf(out, "%s\n", n->queue[n->head]);
		free(n->queue[n->head]);
		n->stats.spooled++;
	}
	FILE *old = fopen(n->spool, "re");
	if (old) {
		char buf[65536];
		size_t r;
		while ((r = fread(buf, 1, sizeof(buf), old)) > 0)
			fwrite(buf, 1, r, out);
		fclose(old);
	}
	fflush(out);
	fsync(fileno(out));
	fclose(out);
	if (rename(tmp, n->spool) < 0)
		hh_warn("nats: cannot write spool %s: %s", n->spool, strerror(errno));
}

void hh_nats_stop(struct hh_nats *n, long drain_ms)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->lock);
	n->stopping = true;
	n->drain_deadline_ms = now_ms() + drain_ms;
	pthread_cond_signal(&n->wake);
	pthread_mutex_unlock(&n->lock);
	pthread_join(n->thread, NULL);
	spool_queue_first(n);
	hh_info("nats: %llu published (%llu duplicates dropped by the server), %llu failed attempts, %llu spooled, "
		"%llu dropped",
		(unsigned long long)n->stats.published, (unsigned long long)n->stats.duplicates,
		(unsigned long long)n->stats.failed_attempts, (unsigned long long)n->stats.spooled,
		(unsigned long long)n->stats.dropped);
	disconnect(n);
	pthread_mutex_destroy(&n->lock);
	pthread_cond_destroy(&n->wake);
	free(n->queue);
	free(n);
}
