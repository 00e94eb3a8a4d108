#include "sinks/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "sinks/store_internal.h"

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS findings ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" time REAL NOT NULL, source TEXT, rule TEXT NOT NULL, severity INTEGER NOT NULL,"
	" container_id TEXT, json TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS findings_time ON findings(time);"
	"CREATE INDEX IF NOT EXISTS findings_container ON findings(container_id);";

struct hh_store *hh_store_open(const char *path, size_t max_rows, char *err, size_t errlen)
{
	struct hh_store *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	s->max_rows = max_rows ? max_rows : 100000;
	char *msg = NULL;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
			    NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(s->db, 2000) != SQLITE_OK ||
	    sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "INSERT INTO findings(time, source, rule, severity, container_id, json)"
			       " VALUES (?,?,?,?,?,?)",
			       -1, &s->insert, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		hh_store_close(s);
		return NULL;
	}
	if (hh_store_cpu_init(s) < 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		hh_store_close(s);
		return NULL;
	}
	return s;
}

void hh_store_close(struct hh_store *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->insert);
	sqlite3_finalize(s->cpu_insert);
	sqlite3_close(s->db);
	free(s);
}

/* Keeps the newest max_rows findings; checked every 256 inserts. */
static void trim(struct hh_store *s)
{
	char sql[160];
	snprintf(sql, sizeof(sql),
		 "DELETE FROM findings WHERE id <= (SELECT MAX(id) FROM findings) - %zu", s->max_rows);
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		hh_warn("store: trimming failed: %s", sqlite3_errmsg(s->db));
}

int hh_store_add(struct hh_store *s, const struct hh_finding *f)
{
	json_t *j = hh_finding_to_json(f);
	char *text = json_dumps(j, HH_JSON_COMPACT);
	json_decref(j);
	if (!text)
		return -1;
	const char *cid = json_string_value(json_object_get(f->fields, "container.id"));
	sqlite3_reset(s->insert);
	sqlite3_bind_double(s->insert, 1, f->time);
	sqlite3_bind_text(s->insert, 2, f->source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s->insert, 3, f->rule, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s->insert, 4, (int)f->severity);
	if (cid)
		sqlite3_bind_text(s->insert, 5, cid, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s->insert, 5);
	sqlite3_bind_text(s->insert, 6, text, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s->insert) == SQLITE_DONE ? 0 : -1;
	if (rc < 0)
		hh_warn("store: insert failed: %s", sqlite3_errmsg(s->db));
	free(text);
	if (++s->inserts_since_trim >= 256) {
		s->inserts_since_trim = 0;
		trim(s);
	}
	return rc;
}

int hh_store_add_many(struct hh_store *s, struct hh_finding *const *f, size_t n)
{
	if (n == 0)
		return 0;
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		hh_warn("store: begin failed: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = hh_store_add(s, f[i]);
	if (rc == 0 && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	hh_warn("store: batch of %zu not stored: %s", n, sqlite3_errmsg(s->db));
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int hh_store_query(struct hh_store *s, const struct hh_store_query *q,
		   void (*cb)(const struct hh_finding *f, void *ctx), void *ctx)
{
	sqlite3_stmt *st;
	const char *sql = "SELECT json FROM findings WHERE time >= ?1 AND severity >= ?2"
			  " AND (?3 IS NULL OR container_id LIKE ?3 || '%')"
			  " AND (?4 IS NULL OR rule = ?4) ORDER BY id DESC LIMIT ?5";
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		hh_warn("store: query failed: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	sqlite3_bind_double(st, 1, q->since);
	sqlite3_bind_int(st, 2, (int)q->min_severity);
	if (q->container_id)
		sqlite3_bind_text(st, 3, q->container_id, -1, SQLITE_TRANSIENT);
	if (q->rule)
		sqlite3_bind_text(st, 4, q->rule, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)(q->limit ? q->limit : 1000));
	int n = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_error_t e;
		json_t *j = json_loads((const char *)sqlite3_column_text(st, 0), 0, &e);
		struct hh_finding *f = hh_finding_from_json(j);
		json_decref(j);
		if (f) {
			cb(f, ctx);
			hh_finding_free(f);
			n++;
		}
	}
	if (rc != SQLITE_DONE) {
		hh_warn("store: query failed: %s", sqlite3_errmsg(s->db));
		n = -1;
	}
	sqlite3_finalize(st);
	return n;
}

int hh_store_count_by_severity(struct hh_store *s, uint64_t counts[5])
{
	memset(counts, 0, 5 * sizeof(counts[0]));
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT severity, COUNT(*) FROM findings GROUP BY severity", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int sev = sqlite3_column_int(st, 0);
		if (sev >= 0 && sev < 5)
			counts[sev] = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return 0;
}
