/* The /api/findings query: the CLI's meanings, errors for anything else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "sinks/http_query.h"

static void good_query(void **state)
{
	(void)state;
	struct hh_findings_query p;
	hh_findings_query_init(&p, 1000000.0);
	assert_int_equal(p.q.limit, HH_HTTP_QUERY_DEFAULT_LIMIT);
	assert_int_equal(hh_findings_query_arg(&p, "since", "3600"), 0);
	assert_true(p.q.since == 1000000.0 - 3600);
	assert_int_equal(hh_findings_query_arg(&p, "since", "0.5"), 0);
	assert_true(p.q.since == 1000000.0 - 0.5);
	assert_int_equal(hh_findings_query_arg(&p, "limit", "5000"), 0);
	assert_int_equal(p.q.limit, 5000);
	assert_int_equal(hh_findings_query_arg(&p, "min_severity", "high"), 0);
	assert_int_equal(p.q.min_severity, HH_SEV_HIGH);
	assert_int_equal(hh_findings_query_arg(&p, "container", "3f2a"), 0);
	assert_string_equal(p.q.container_id, "3f2a");
	assert_int_equal(hh_findings_query_arg(&p, "rule", "miner.exe-traits"), 0);
	assert_string_equal(p.q.rule, "miner.exe-traits");
	assert_string_equal(p.error, "");
}

static void expect_error(const char *key, const char *value, const char *want)
{
	struct hh_findings_query p;
	hh_findings_query_init(&p, 1000.0);
	assert_int_equal(hh_findings_query_arg(&p, key, value), -1);
	if (!strstr(p.error, want))
		fail_msg("%s=%s: error '%s' lacks '%s'", key ? key : "(null)", value ? value : "(null)", p.error, want);
	/* the first error stays */
	assert_int_equal(hh_findings_query_arg(&p, "limit", "5"), -1);
	assert_non_null(strstr(p.error, want));
}

static void bad_queries(void **state)
{
	(void)state;
	expect_error("limit", "-1", "limit: '-1' is not a count from 1 to 5000");
	expect_error("limit", "0", "limit");
	expect_error("limit", "5001", "limit");
	expect_error("limit", "10x", "limit");
	expect_error("limit", "99999999999999999999999", "limit");
	expect_error("since", "-5", "since: '-5' is not a number of seconds");
	expect_error("since", "yesterday", "since");
	expect_error("since", "nan", "since");
	expect_error("since", "inf", "since");
	expect_error("min_severity", "bogus", "min_severity: 'bogus'");
	expect_error("sinse", "5", "unknown query parameter 'sinse'");
	expect_error("rule", "", "rule: needs a value");
	expect_error("container", NULL, "container: needs a value");
	expect_error(NULL, "x", "bad query parameter");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_query),
		cmocka_unit_test(bad_queries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
