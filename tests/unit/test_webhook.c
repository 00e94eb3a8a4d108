/* Webhook sink against a real HTTP receiver on loopback (libmicrohttpd):
 * findings sent while the receiver is down are spooled, then delivered in
 * order once it comes up; a bad URL is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
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

static pthread_mutex_t rx_lock = PTHREAD_MUTEX_INITIALIZER;
static int received;
static char last_rule[64];

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
		pthread_mutex_lock(&rx_lock);
		if (j) {
			received++;
			snprintf(last_rule, sizeof(last_rule), "%s", json_string_value(json_object_get(j, "rule")));
		}
		pthread_mutex_unlock(&rx_lock);
		json_decref(j);
		*size = 0;
		return MHD_YES;
	}
	struct MHD_Response *r = MHD_create_response_from_buffer(2, "ok", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret = MHD_queue_response(c, 200, r);
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
	const struct CMUnitTest tests[] = { cmocka_unit_test(spool_then_deliver), cmocka_unit_test(bad_url) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
