/* The query of GET /api/findings, parsed the way the command line's
 * `hashhound report` options are:
 *   min_severity=S   info|low|medium|high|critical
 *   container=ID     container id prefix
 *   rule=ID          exact rule id
 *   since=SECONDS    findings of the last SECONDS (as report --since), >= 0
 *   limit=N          1..5000 (default 200)
 * Anything else, an empty or malformed value, a negative number: an error
 * that names the parameter (the server answers 400 with {"error": ...}). */
#ifndef HH_HTTP_QUERY_H
#define HH_HTTP_QUERY_H

#include "sinks/store.h"

#define HH_HTTP_QUERY_MAX_LIMIT 5000
#define HH_HTTP_QUERY_DEFAULT_LIMIT 200

struct hh_findings_query {
	struct hh_store_query q;   /* strings point into the caller's values */
	double now;                /* "since" counts back from here */
	char error[256];           /* first problem, "" when none */
};

void hh_findings_query_init(struct hh_findings_query *p, double now);
/* One key=value of the query. Returns 0, or -1 with p->error set (the first
 * error is kept; later calls still return -1). */
int hh_findings_query_arg(struct hh_findings_query *p, const char *key, const char *value);

#endif
