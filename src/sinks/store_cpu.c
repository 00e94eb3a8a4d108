/* The store's CPU samples (sinks/store.h): per container, bounded. */
#include <math.h>
#include <stdio.h>

#include "core/log.h"
#include "sinks/store.h"
#include "sinks/store_internal.h"

static const char cpu_schema[] =
	"CREATE TABLE IF NOT EXISTS cpu_samples ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" container_id TEXT NOT NULL, time REAL NOT NULL, interval REAL NOT NULL,"
	" usage REAL NOT NULL, cpu_limit REAL NOT NULL, has_quota INTEGER NOT NULL, energy_j REAL);"
	"CREATE INDEX IF NOT EXISTS cpu_samples_container ON cpu_samples(container_id, time);";

int hh_store_cpu_init(struct hh_store *s)
{
	s->cpu_per_container = HH_STORE_CPU_PER_CONTAINER;
	s->cpu_max_rows = HH_STORE_CPU_MAX_ROWS;
	if (sqlite3_exec(s->db, cpu_schema, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "INSERT INTO cpu_samples(container_id, time, interval, usage, cpu_limit, has_quota,"
			       " energy_j) VALUES (?,?,?,?,?,?,?)",
			       -1, &s->cpu_insert, NULL) != SQLITE_OK)
		return -1;
	return 0;
}

void hh_store_cpu_caps(struct hh_store *s, size_t per_container, size_t max_rows)
{
	s->cpu_per_container = per_container ? per_container : HH_STORE_CPU_PER_CONTAINER;
	s->cpu_max_rows = max_rows ? max_rows : HH_STORE_CPU_MAX_ROWS;
}

static void cpu_trim(struct hh_store *s)
{
	char sql[400];
	snprintf(sql, sizeof(sql),
		 "DELETE FROM cpu_samples WHERE id <= (SELECT MAX(id) FROM cpu_samples) - %zu;"
		 "DELETE FROM cpu_samples WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER"
		 " (PARTITION BY container_id ORDER BY time DESC) AS rn FROM cpu_samples) WHERE rn > %zu);",
		 s->cpu_max_rows, s->cpu_per_container);
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		hh_warn("store: trimming CPU samples failed: %s", sqlite3_errmsg(s->db));
}

int hh_store_add_cpu(struct hh_store *s, const char *container_id, const struct hh_cpu_point *p)
{
	if (!container_id || !container_id[0] || !isfinite(p->t) || !isfinite(p->usage) || !(p->dt > 0))
		return -1;
	sqlite3_stmt *st = s->cpu_insert;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, container_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 2, p->t);
	sqlite3_bind_double(st, 3, p->dt);
	sqlite3_bind_double(st, 4, p->usage);
	sqlite3_bind_double(st, 5, p->limit);
	sqlite3_bind_int(st, 6, p->has_quota ? 1 : 0);
	if (p->energy_j >= 0)
		sqlite3_bind_double(st, 7, p->energy_j);
	else
		sqlite3_bind_null(st, 7);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	if (rc < 0)
		hh_warn("store: CPU sample insert failed: %s", sqlite3_errmsg(s->db));
	if (++s->cpu_inserts_since_trim >= 256) {
		s->cpu_inserts_since_trim = 0;
		cpu_trim(s);
	}
	return rc;
}

long hh_store_cpu_points(struct hh_store *s, const char *container_id, double from, double to,
			 struct hh_cpu_point *out, size_t max)
{
	sqlite3_stmt *st;
	/* newest max first, then turned around */
	const char *sql = "SELECT time, interval, usage, cpu_limit, has_quota, energy_j FROM cpu_samples"
			  " WHERE container_id = ?1 AND time >= ?2 AND time <= ?3 ORDER BY time DESC LIMIT ?4";
	if (!max)
		return 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		hh_warn("store: CPU query failed: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	sqlite3_bind_text(st, 1, container_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 2, from);
	sqlite3_bind_double(st, 3, to);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)max);
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
		struct hh_cpu_point *p = &out[n];
		p->t = sqlite3_column_double(st, 0);
		p->dt = sqlite3_column_double(st, 1);
		p->usage = sqlite3_column_double(st, 2);
		p->limit = sqlite3_column_double(st, 3);
		p->has_quota = sqlite3_column_int(st, 4) != 0;
		p->energy_j = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 5);
		/* a store copied from elsewhere may hold anything: keep what a sample can be */
		if (!(p->dt > 0 && p->dt < 1e7) || !(p->usage >= 0 && p->usage < 1e6) || !(p->limit >= 0 && p->limit < 1e6) ||
		    !(p->energy_j < 1e12))
			continue;
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		hh_warn("store: CPU query failed: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	for (size_t i = 0; i < n / 2; i++) {
		struct hh_cpu_point tmp = out[i];
		out[i] = out[n - 1 - i];
		out[n - 1 - i] = tmp;
	}
	return (long)n;
}

int hh_store_container_span(struct hh_store *s, const char *container_id, double *first, double *last,
			    size_t *count)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT MIN(time), MAX(time), COUNT(*) FROM findings WHERE container_id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, container_id, -1, SQLITE_TRANSIENT);
	int rc = -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 2) > 0) {
		*first = sqlite3_column_double(st, 0);
		*last = sqlite3_column_double(st, 1);
		*count = (size_t)sqlite3_column_int64(st, 2);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}
