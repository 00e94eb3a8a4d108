/* The embedded finding store (SQLite, WAL): every finding the agent emits is
 * kept, bounded by a row cap (oldest dropped first), and queried by the
 * dashboard, the metrics endpoint and `hashhound report`. */
#ifndef HH_STORE_H
#define HH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/cpu_point.h"
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
/* Adds n findings in one transaction (one fsync instead of n): 0 when all
 * went in, -1 when the transaction failed (then none did). */
int hh_store_add_many(struct hh_store *s, struct hh_finding *const *f, size_t n);

/* Calls cb for matching findings, newest first. Returns the count, or -1. */
int hh_store_query(struct hh_store *s, const struct hh_store_query *q,
		   void (*cb)(const struct hh_finding *f, void *ctx), void *ctx);

/* Total findings stored by severity (index enum hh_severity). */
int hh_store_count_by_severity(struct hh_store *s, uint64_t counts[5]);

/* The first and last time a finding named the container (exact id) and how
 * many did. Returns 0, or -1 (none, or a database error). */
int hh_store_container_span(struct hh_store *s, const char *container_id, double *first, double *last,
			    size_t *count);

/* CPU samples of flagged containers (table cpu_samples), for the incident
 * plot and bill (docs/outputs.md). Bounded: at most per_container samples
 * per container (the newest kept) and max_rows in all (the oldest dropped);
 * trimmed every 256 inserts. 0 keeps a cap at its default (1800, 200000). */
#define HH_STORE_CPU_PER_CONTAINER 1800
#define HH_STORE_CPU_MAX_ROWS 200000
void hh_store_cpu_caps(struct hh_store *s, size_t per_container, size_t max_rows);
/* Appends one sample. Returns 0, or -1 (logged). */
int hh_store_add_cpu(struct hh_store *s, const char *container_id, const struct hh_cpu_point *p);
/* Samples of container_id (exact) with from <= t <= to, oldest first: the
 * newest max when there are more. Returns the count, or -1. */
long hh_store_cpu_points(struct hh_store *s, const char *container_id, double from, double to,
			 struct hh_cpu_point *out, size_t max);

#endif
