/* The embedded finding store (SQLite, WAL): every finding the agent emits is
 * kept, bounded by a row cap (oldest dropped first), and queried by the
 * dashboard, the metrics endpoint and `hashhound report`. */
#ifndef HH_STORE_H
#define HH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/finding.h"

struct hh_store;

struct hh_store_query {
	double since;                 /* 0 = all */
	enum hh_severity min_severity;
	const char *container_id;     /* prefix match; NULL = any */
	const char *rule;             /* exact; NULL = any */
	size_t limit;                 /* 0 = 1000 */
};

/* Opens (creating) the store at path. max_rows caps the table (0 = 100000).
 * Returns NULL with err naming the path and the problem. */
struct hh_store *hh_store_open(const char *path, size_t max_rows, char *err, size_t errlen);
void hh_store_close(struct hh_store *s);

/* Appends one finding. Returns 0, or -1 (logged) on a database error. */
int hh_store_add(struct hh_store *s, const struct hh_finding *f);

/* Calls cb for matching findings, newest first. Returns the count, or -1. */
int hh_store_query(struct hh_store *s, const struct hh_store_query *q,
		   void (*cb)(const struct hh_finding *f, void *ctx), void *ctx);

/* Total findings stored by severity (index enum hh_severity). */
int hh_store_count_by_severity(struct hh_store *s, uint64_t counts[5]);

#endif
