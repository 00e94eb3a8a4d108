/* Webhook sink against a real HTTP receiver on loopback (libmicrohttpd):
 * findings sent while the receiver is down are spooled, then delivered in
 * order once it comes up; a 400 for one finding dead-letters it and the rest
 * go on; 503s for a while are retried in order; a receiver that hangs never
 * blocks the sender; every POST carries the finding's id as Idempotency-Key;
 * a bad URL is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <cmocka.h>

#include "sinks/webhook.h"
#include "sinks/webhook_spool.h"

static pthread_mutex_t rx_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rx_release = PTHREAD_COND_INITIALIZER;
static int received;
static char last_rule[64];
/* Receiver behaviour, set per test under rx_lock. */
static int answer_503;            /* answer this many requests with 503 first */
static const char *reject_rule;   /* answer 400 to findings with this rule */
static bool hold;                 /* hang each request until released */
static char order[4096];          /* rules delivered (2xx), space separated */
static int key_mismatch;          /* requests whose Idempotency-Key is not the body's id */
static int attempts;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *data, size_t *size, void **state)
{
	(void)cls; (void)url; (void)method; (void)version;
	if (!*state) { /* first call: headers only */
		*state = c;
		return MHD_YES;
	}
	if (*size) {
		json_error_t e;
		json_t *j = json_loadb(data, *size, 0, &e);
		const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
		const char *rule = j ? json_string_value(json_object_get(j, "rule")) : NULL;
		const char *id = j ? json_string_value(json_object_get(j, "id")) : NULL;
		if (j && !id) /* the Falco shape */
			id = json_string_value(json_object_get(j, "uuid"));
		pthread_mutex_lock(&rx_lock);
		attempts++;
		if (!key || !id || strcmp(key, id) != 0)
			key_mismatch++;
		while (hold)
			pthread_cond_wait(&rx_release, &rx_lock);
		int code = 200;
		if (answer_503 > 0) {
			answer_503--;
			code = 503;
		} else if (rule && reject_rule && strcmp(rule, reject_rule) == 0) {
			code = 400;
		} else if (rule) {
			received++;
			snprintf(last_rule, sizeof(last_rule), "%s", rule);
			size_t n = strlen(order);
			snprintf(order + n, sizeof(order) - n, "%s%s", n ? " " : "", rule);
		}
		pthread_mutex_unlock(&rx_lock);
		json_decref(j);
		*size = 0;
		*state = (void *)(intptr_t)code;
		return MHD_YES;
	}
	int code = (int)(intptr_t)*state;
	if (*state == c)
		code = 200;
	const char *text = code == 400 ? "bad finding" : code == 503 ? "busy" : "ok";
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)code, r);
	MHD_destroy_response(r);
	return ret;
}

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	socklen_t l = sizeof(a);
	getsockname(fd, (struct sockaddr *)&a, &l);
	close(fd);
	return ntohs(a.sin_port);
}

static void spool_then_deliver(void **state)
{
	(void)state;
	int port = free_port();
	char url[64], spool[] = "/tmp/hh-webhook-spool-XXXXXX";
	close(mkstemp(spool));
	unlink(spool);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", port);
	char err[256];
	struct hh_webhook_opts o = { .url = url, .spool_path = spool, .timeout_ms = 1000 };
	struct hh_webhook *w = hh_webhook_start(&o, err, sizeof(err));
	assert_non_null(w);
	for (int i = 0; i < 5; i++) {
		struct hh_finding *f = hh_finding_new("agent", i == 4 ? "last.rule" : "a.rule", "t", HH_SEV_HIGH, 1);
		hh_webhook_send(w, f);
		hh_finding_free(f);
	}
	struct hh_webhook_stats st;
	for (int i = 0; i < 50; i++) { /* receiver down: all five end in the spool */
		hh_webhook_get_stats(w, &st);
		if (st.spooled == 5)
			break;
		usleep(100000);
	}
	assert_int_equal(st.spooled, 5);
	assert_int_equal(access(spool, F_OK), 0);

	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request, NULL,
						MHD_OPTION_SOCK_ADDR, &a, MHD_OPTION_END);
	assert_non_null(d);
	for (int i = 0; i < 150; i++) { /* backoff reaches at most a few seconds here */
		pthread_mutex_lock(&rx_lock);
		int n = received;
		pthread_mutex_unlock(&rx_lock);
		if (n == 5)
			break;
		usleep(100000);
	}
	pthread_mutex_lock(&rx_lock);
	assert_int_equal(received, 5);
	assert_string_equal(last_rule, "last.rule"); /* order kept */
	pthread_mutex_unlock(&rx_lock);
	hh_webhook_stop(w, 1000);
	assert_int_not_equal(access(spool, F_OK), 0); /* spool emptied */
	MHD_stop_daemon(d);
}

static void reset_receiver(void)
{
	pthread_mutex_lock(&rx_lock);
	received = attempts = key_mismatch = answer_503 = 0;
	reject_rule = NULL;
	hold = false;
	order[0] = last_rule[0] = '\0';
	pthread_mutex_unlock(&rx_lock);
}

static struct MHD_Daemon *start_receiver(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request, NULL,
				MHD_OPTION_SOCK_ADDR, &a, MHD_OPTION_END);
}

static void send_rule(struct hh_webhook *w, const char *rule)
{
	struct hh_finding *f = hh_finding_new("agent", rule, "t", HH_SEV_HIGH, 1);
	hh_webhook_send(w, f);
	hh_finding_free(f);
}

static int wait_received(int want, int tenths)
{
	int n = 0;
	for (int i = 0; i < tenths; i++) {
		pthread_mutex_lock(&rx_lock);
		n = received;
		pthread_mutex_unlock(&rx_lock);
		if (n >= want)
			break;
		usleep(100000);
	}
	return n;
}

static size_t count_lines(const char *path)
{
	FILE *fp = fopen(path, "r");
	size_t n = 0;
	int ch;
	if (!fp)
		return 0;
	while ((ch = fgetc(fp)) != EOF)
		n += ch == '\n';
	fclose(fp);
	return n;
}

/* One finding answered 400 goes to the dead-letter file with the status and
 * the receiver's words; the ones behind it are delivered, in order. */
static void permanent_4xx_is_dead_lettered(void **state)
{
	(void)state;
	reset_receiver();
	reject_rule = "bad.rule";
	int port = free_port();
	char url[64], spool[] = "/tmp/hh-webhook-4xx-XXXXXX", dead[128];
	close(mkstemp(spool));
	unlink(spool);
	snprintf(dead, sizeof(dead), "%s.dead", spool);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", port);
	struct MHD_Daemon *d = start_receiver(port);
	assert_non_null(d);
	char err[256];
	struct hh_metrics *m = hh_metrics_new();
	struct hh_webhook_opts o = { .url = url, .spool_path = spool, .timeout_ms = 2000, .metrics = m };
	struct hh_webhook *w = hh_webhook_start(&o, err, sizeof(err));
	assert_non_null(w);
	send_rule(w, "r1");
	send_rule(w, "bad.rule");
	send_rule(w, "r2");
	send_rule(w, "r3");
	assert_int_equal(wait_received(3, 100), 3);
	hh_webhook_stop(w, 1000);
	pthread_mutex_lock(&rx_lock);
	assert_string_equal(order, "r1 r2 r3");
	assert_int_equal(key_mismatch, 0);
	pthread_mutex_unlock(&rx_lock);
	assert_int_equal(count_lines(dead), 1);
	FILE *fp = fopen(dead, "r");
	assert_non_null(fp);
	json_error_t e;
	json_t *j = json_loadf(fp, JSON_DISABLE_EOF_CHECK, &e);
	fclose(fp);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 400);
	assert_non_null(strstr(json_string_value(json_object_get(j, "reason")), "bad finding"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "finding"), "rule")), "bad.rule");
	json_decref(j);
	char *text = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&text, &len);
	hh_metrics_render(m, mf);
	fclose(mf);
	assert_non_null(strstr(text, "hashhound_webhook_deliveries_total{result=\"dead_letter\"} 1"));
	assert_non_null(strstr(text, "hashhound_webhook_deliveries_total{result=\"sent\"} 3"));
	free(text);
	hh_metrics_free(m);
	assert_int_not_equal(access(spool, F_OK), 0);
	unlink(dead);
	MHD_stop_daemon(d);
}

/* 503s for a while: nothing is lost, nothing dead-lettered, order kept. */
static void transient_503_is_retried_in_order(void **state)
{
	(void)state;
	reset_receiver();
	answer_503 = 4;
	int port = free_port();
	char url[64], spool[] = "/tmp/hh-webhook-503-XXXXXX", dead[128];
	close(mkstemp(spool));
	unlink(spool);
	snprintf(dead, sizeof(dead), "%s.dead", spool);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", port);
	struct MHD_Daemon *d = start_receiver(port);
	assert_non_null(d);
	char err[256];
	struct hh_webhook_opts o = { .url = url, .spool_path = spool, .timeout_ms = 2000 };
	struct hh_webhook *w = hh_webhook_start(&o, err, sizeof(err));
	assert_non_null(w);
	const char *rules[] = { "a1", "a2", "a3", "a4", "a5", "a6" };
	for (size_t i = 0; i < 6; i++)
		send_rule(w, rules[i]);
	/* Backoff 0.5+1+2+4 s before the fifth attempt succeeds. */
	assert_int_equal(wait_received(6, 300), 6);
	struct hh_webhook_stats st;
	hh_webhook_get_stats(w, &st);
	hh_webhook_stop(w, 1000);
	pthread_mutex_lock(&rx_lock);
	assert_string_equal(order, "a1 a2 a3 a4 a5 a6");
	assert_int_equal(key_mismatch, 0);
	pthread_mutex_unlock(&rx_lock);
	assert_int_equal(st.failed_attempts, 4);
	assert_int_equal(st.dead_lettered, 0);
	assert_int_equal(st.sent, 6);
	assert_int_not_equal(access(dead, F_OK), 0);
	assert_int_not_equal(access(spool, F_OK), 0);
	MHD_stop_daemon(d);
}

/* A receiver that hangs: the sender still returns at once (a tiny queue
 * spills to the spool), and after the release everything arrives in order. */
static void hanging_receiver_never_blocks_sender(void **state)
{
	(void)state;
	reset_receiver();
	hold = true;
	int port = free_port();
	char url[64], spool[] = "/tmp/hh-webhook-hang-XXXXXX";
	close(mkstemp(spool));
	unlink(spool);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", port);
	struct MHD_Daemon *d = start_receiver(port);
	assert_non_null(d);
	char err[256];
	struct hh_webhook_opts o = { .url = url, .spool_path = spool, .timeout_ms = 20000, .queue_max = 4 };
	struct hh_webhook *w = hh_webhook_start(&o, err, sizeof(err));
	assert_non_null(w);
	send_rule(w, "h0");
	for (int i = 0; i < 100; i++) { /* h0 is in flight, held by the receiver */
		pthread_mutex_lock(&rx_lock);
		int a = attempts;
		pthread_mutex_unlock(&rx_lock);
		if (a)
			break;
		usleep(50000);
	}
	char rule[16], want[2048] = "h0";
	for (int i = 1; i < 60; i++) { /* would deadlock if a send waited on the POST */
		snprintf(rule, sizeof(rule), "h%d", i);
		send_rule(w, rule);
		size_t n = strlen(want);
		snprintf(want + n, sizeof(want) - n, " %s", rule);
	}
	struct hh_webhook_stats st;
	hh_webhook_get_stats(w, &st);
	assert_true(st.spooled >= 55); /* all but the in-flight one and the queue */
	pthread_mutex_lock(&rx_lock);
	hold = false;
	pthread_cond_broadcast(&rx_release);
	pthread_mutex_unlock(&rx_lock);
	assert_int_equal(wait_received(60, 300), 60);
	hh_webhook_stop(w, 1000);
	pthread_mutex_lock(&rx_lock);
	assert_string_equal(order, want);
	pthread_mutex_unlock(&rx_lock);
	assert_int_not_equal(access(spool, F_OK), 0);
	MHD_stop_daemon(d);
}

/* The spool's delivered offset survives a restart (saved every 32 lines,
 * checked against the file's inode), a prepend goes before the rest, a
 * compaction cuts the delivered prefix, and the bound holds. */
static void spool_offset_survives_restart(void **state)
{
	(void)state;
	char path[] = "/tmp/hh-spool-pos-XXXXXX", line[64];
	close(mkstemp(path));
	unlink(path);
	struct hh_spool sp;
	hh_spool_init(&sp, path, NULL, 1 << 20);
	for (int i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "{\"n\":%d}", i);
		assert_true(hh_spool_append(&sp, line));
	}
	char *got;
	off_t next;
	for (int i = 0; i < 35; i++) {
		assert_true(hh_spool_peek(&sp, &got, &next));
		snprintf(line, sizeof(line), "{\"n\":%d}", i);
		assert_string_equal(got, line);
		free(got);
		hh_spool_advance(&sp, next);
	}
	struct hh_spool again; /* a restart: resumes after the 32nd line */
	hh_spool_init(&again, path, NULL, 1 << 20);
	assert_true(hh_spool_peek(&again, &got, &next));
	assert_string_equal(got, "{\"n\":32}");
	free(got);
	assert_true(hh_spool_prepend(&again, "{\"n\":-1}"));
	assert_true(hh_spool_peek(&again, &got, &next));
	assert_string_equal(got, "{\"n\":-1}");
	free(got);
	hh_spool_advance(&again, next);
	hh_spool_compact(&again);
	assert_true(hh_spool_peek(&again, &got, &next));
	assert_string_equal(got, "{\"n\":32}");
	free(got);
	assert_true(hh_spool_pending(&again));
	FILE *cut = fopen(path, "a"); /* a crash mid-write: a cut last line */
	fputs("{\"cut", cut);
	fclose(cut);
	struct hh_spool after;
	hh_spool_init(&after, path, NULL, 1 << 20);
	assert_true(hh_spool_append(&after, "{\"n\":99}"));
	off_t o = 0;
	char *last = NULL;
	while (hh_spool_peek(&after, &got, &next)) { /* the new line stays whole */
		free(last);
		last = got;
		hh_spool_advance(&after, next);
		o = next;
	}
	assert_true(o > 0);
	assert_string_equal(last, "{\"n\":99}");
	free(last);
	struct hh_spool tiny; /* the bound: a line that would pass it is refused */
	hh_spool_init(&tiny, path, NULL, 16);
	assert_false(hh_spool_append(&tiny, "{\"too\":\"long for the bound\"}"));
	unlink(path);
	char pos[128];
	snprintf(pos, sizeof(pos), "%s.pos", path);
	unlink(pos);
}

/* The Falco shape carries the id as "uuid", and as the Idempotency-Key. */
static void falco_format_keeps_the_key(void **state)
{
	(void)state;
	reset_receiver();
	int port = free_port();
	char url[64], spool[] = "/tmp/hh-webhook-falco-XXXXXX";
	close(mkstemp(spool));
	unlink(spool);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", port);
	struct MHD_Daemon *d = start_receiver(port);
	assert_non_null(d);
	char err[256];
	struct hh_webhook_opts o = { .url = url, .spool_path = spool, .timeout_ms = 2000, .falco_format = true };
	struct hh_webhook *w = hh_webhook_start(&o, err, sizeof(err));
	assert_non_null(w);
	send_rule(w, "f1");
	send_rule(w, "f2");
	assert_int_equal(wait_received(2, 100), 2);
	hh_webhook_stop(w, 1000);
	pthread_mutex_lock(&rx_lock);
	assert_int_equal(key_mismatch, 0);
	pthread_mutex_unlock(&rx_lock);
	MHD_stop_daemon(d);
}

static void bad_url(void **state)
{
	(void)state;
	char err[256];
	struct hh_webhook_opts o = { .url = "file:///etc/passwd" };
	assert_null(hh_webhook_start(&o, err, sizeof(err)));
	assert_non_null(strstr(err, "file:///etc/passwd"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(spool_then_deliver),
		cmocka_unit_test(permanent_4xx_is_dead_lettered),
		cmocka_unit_test(transient_503_is_retried_in_order),
		cmocka_unit_test(hanging_receiver_never_blocks_sender),
		cmocka_unit_test(spool_offset_survives_restart),
		cmocka_unit_test(falco_format_keeps_the_key),
		cmocka_unit_test(bad_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
