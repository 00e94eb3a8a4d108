/* Bearer-token access to the HTTP endpoint: which addresses are loopback,
 * the token file's checks, the header comparison; and the metrics registry's
 * per-family clear used by the per-container gauge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sinks/http_auth.h"
#include "sinks/metrics.h"

static void loopback(void **state)
{
	(void)state;
	assert_true(hh_http_listen_is_loopback("127.0.0.1:9321"));
	assert_true(hh_http_listen_is_loopback("127.3.2.1:0"));
	assert_true(hh_http_listen_is_loopback("[::1]:9321"));
	assert_true(hh_http_listen_is_loopback("localhost:9321"));
	assert_false(hh_http_listen_is_loopback("0.0.0.0:9321"));
	assert_false(hh_http_listen_is_loopback("[::]:9321"));
	assert_false(hh_http_listen_is_loopback("10.0.0.5:9321"));
	assert_false(hh_http_listen_is_loopback("128.0.0.1:9321"));
	assert_false(hh_http_listen_is_loopback("9321"));
	assert_false(hh_http_listen_is_loopback(""));
	assert_false(hh_http_listen_is_loopback("[::1:9321"));
}

static int write_tmp(char *path, const char *text)
{
	strcpy(path, "/tmp/hh-token-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	size_t n = strlen(text);
	int rc = write(fd, text, n) == (ssize_t)n ? 0 : -1;
	close(fd);
	return rc;
}

static void token_file(void **state)
{
	(void)state;
	char path[64], tok[HH_HTTP_TOKEN_MAX], err[512];
	assert_int_equal(write_tmp(path, "  s3cr3t-token-0123456789\n\n"), 0);
	assert_int_equal(hh_http_token_read(path, tok, sizeof(tok), err, sizeof(err)), 0);
	assert_string_equal(tok, "s3cr3t-token-0123456789");
	unlink(path);

	assert_int_equal(write_tmp(path, "short\n"), 0);
	assert_int_equal(hh_http_token_read(path, tok, sizeof(tok), err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "5 characters"));
	unlink(path);

	assert_int_equal(write_tmp(path, "two words in a token file\n"), 0);
	assert_int_equal(hh_http_token_read(path, tok, sizeof(tok), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a printable"));
	unlink(path);

	char big[700];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(write_tmp(path, big), 0);
	assert_int_equal(hh_http_token_read(path, tok, sizeof(tok), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "699 characters"));
	unlink(path);

	assert_int_equal(hh_http_token_read("/nonexistent/hh-token", tok, sizeof(tok), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/hh-token"));
}

static void header(void **state)
{
	(void)state;
	const char *t = "s3cr3t-token-0123456789";
	assert_true(hh_http_token_ok(t, "Bearer s3cr3t-token-0123456789"));
	assert_false(hh_http_token_ok(t, NULL));
	assert_false(hh_http_token_ok(t, ""));
	assert_false(hh_http_token_ok(t, "Bearer "));
	assert_false(hh_http_token_ok(t, "Bearer s3cr3t-token-012345678"));
	assert_false(hh_http_token_ok(t, "Bearer s3cr3t-token-01234567890"));
	assert_false(hh_http_token_ok(t, "Bearer s3cr3t-token-0123456788"));
	assert_false(hh_http_token_ok(t, "Basic s3cr3t-token-0123456789"));
	assert_false(hh_http_token_ok(t, "s3cr3t-token-0123456789"));
	assert_true(hh_http_token_ok("", NULL));
	assert_true(hh_http_token_ok(NULL, "anything"));
}

static void metrics_clear(void **state)
{
	(void)state;
	struct hh_metrics *m = hh_metrics_new();
	assert_non_null(m);
	hh_metrics_describe(m, "a_cores", HH_METRIC_GAUGE, "per container");
	hh_metrics_describe(m, "b_total", HH_METRIC_COUNTER, "other");
	hh_metrics_set(m, "a_cores", (const char *[]){ "id", "x", NULL }, 1.5);
	hh_metrics_set(m, "a_cores", (const char *[]){ "id", "y", NULL }, 0.25);
	hh_metrics_add(m, "b_total", NULL, 3);
	hh_metrics_clear(m, "a_cores");
	hh_metrics_set(m, "a_cores", (const char *[]){ "id", "y", NULL }, 0.5);
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	hh_metrics_render(m, fp);
	fclose(fp);
	assert_null(strstr(text, "id=\"x\""));
	assert_non_null(strstr(text, "a_cores{id=\"y\"} 0.5\n"));
	assert_non_null(strstr(text, "b_total 3\n"));
	free(text);
	hh_metrics_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loopback),
		cmocka_unit_test(token_file),
		cmocka_unit_test(header),
		cmocka_unit_test(metrics_clear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
