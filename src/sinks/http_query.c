#include "sinks/http_query.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hh_findings_query_init(struct hh_findings_query *p, double now)
{
	memset(p, 0, sizeof(*p));
	p->q.limit = HH_HTTP_QUERY_DEFAULT_LIMIT;
	p->now = now;
}

static int fail(struct hh_findings_query *p, const char *fmt, const char *key, const char *value)
{
	if (!p->error[0])
		snprintf(p->error, sizeof(p->error), fmt, key, value ? value : "");
	return -1;
}

int hh_findings_query_arg(struct hh_findings_query *p, const char *key, const char *value)
{
	if (p->error[0])
		return -1;
	if (!key)
		return fail(p, "bad query parameter%s%s", "", "");
	static const char *const known[] = { "min_severity", "container", "rule", "since", "limit" };
	size_t k = 0;
	while (k < sizeof(known) / sizeof(known[0]) && strcmp(known[k], key) != 0)
		k++;
	if (k == sizeof(known) / sizeof(known[0]))
		return fail(p, "unknown query parameter '%.64s'%s (min_severity, container, rule, since, limit)", key, "");
	if (!value || !value[0])
		return fail(p, "%s: needs a value%s", key, "");
	char *end;
	switch (k) {
	case 0:
		if (!hh_severity_parse(value, &p->q.min_severity))
			return fail(p, "%s: '%.64s' is not info, low, medium, high or critical", key, value);
		return 0;
	case 1: p->q.container_id = value; return 0;
	case 2: p->q.rule = value; return 0;
	case 3: {
		errno = 0;
		double s = strtod(value, &end);
		if (*end || errno || !isfinite(s) || s < 0)
			return fail(p, "%s: '%.64s' is not a number of seconds >= 0 (findings of the last SECONDS)", key,
				    value);
		p->q.since = p->now - s;
		return 0;
	}
	default: {
		errno = 0;
		long long n = strtoll(value, &end, 10);
		if (*end || errno || n < 1 || n > HH_HTTP_QUERY_MAX_LIMIT)
			return fail(p, "%s: '%.64s' is not a count from 1 to 5000", key, value);
		p->q.limit = (size_t)n;
		return 0;
	}
	}
}
