/* The fleet's SQLite store (fleet_store.h). */
#include "sinks/fleet_store.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

struct hh_fleet_store {
	sqlite3 *db;
	bool in_batch;          /* between hh_fleet_store_begin and _commit */
	/* member strings of the last hh_fleet_store_members call */
	char *strs[HH_FLEET_MAX_MEMBERS * 3];
	size_t n_strs;
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS fleet_findings ("
	" msg_id TEXT PRIMARY KEY, node TEXT NOT NULL, time REAL NOT NULL, rule TEXT NOT NULL,"
	" severity INTEGER NOT NULL, workload TEXT, json TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS fleet_keys ("
	" msg_id TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, node TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS fleet_keys_kv ON fleet_keys(kind, value);"
	"CREATE TABLE IF NOT EXISTS fleet_campaigns ("
	" kind TEXT NOT NULL, value TEXT NOT NULL, nodes INTEGER NOT NULL, updated REAL NOT NULL,"
	" json TEXT NOT NULL, PRIMARY KEY(kind, value));";

struct hh_fleet_store *hh_fleet_store_open(const char *path, char *err, size_t errlen)
{
	struct hh_fleet_store *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	char *msg = NULL;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
		    SQLITE_OK ||
	    sqlite3_busy_timeout(s->db, 10000) != SQLITE_OK ||
	    sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		hh_fleet_store_close(s);
		return NULL;
	}
	return s;
}

static void free_strs(struct hh_fleet_store *s)
{
	for (size_t i = 0; i < s->n_strs; i++)
		free(s->strs[i]);
	s->n_strs = 0;
}

void hh_fleet_store_close(struct hh_fleet_store *s)
{
	if (!s)
		return;
	free_strs(s);
	sqlite3_close(s->db);
	free(s);
}

static char *finding_text(const struct hh_finding *f)
{
	json_t *j = hh_finding_to_json(f);
	char *t = json_dumps(j, HH_JSON_COMPACT);
	json_decref(j);
	return t;
}

static const char *workload_of(const struct hh_finding *f)
{
	static const char *const keys[] = { "k8s.pod.name", "container.name", "container.id" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = json_string_value(json_object_get(f->fields, keys[i]));
		if (v && *v)
			return v;
	}
	return "";
}

int hh_fleet_store_add(struct hh_fleet_store *s, const char *msg_id, const char *node, const struct hh_finding *f,
		       const struct hh_fleet_key *keys, size_t n_keys)
{
	char *text = finding_text(f);
	if (!text)
		return -1;
	int rc = -1;
	sqlite3_stmt *st = NULL;
	if (sqlite3_exec(s->db, s->in_batch ? "SAVEPOINT finding" : "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT OR IGNORE INTO fleet_findings(msg_id, node, time, rule, severity, workload, json)"
			       " VALUES (?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto rollback;
	sqlite3_bind_text(st, 1, msg_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, node, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, f->time);
	sqlite3_bind_text(st, 4, f->rule, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, (int)f->severity);
	sqlite3_bind_text(st, 6, workload_of(f), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, text, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto rollback;
	rc = sqlite3_changes(s->db) ? 1 : 0;
	sqlite3_finalize(st);
	st = NULL;
	if (rc == 1) {
		if (sqlite3_prepare_v2(s->db, "INSERT INTO fleet_keys(msg_id, kind, value, node) VALUES (?,?,?,?)", -1,
				       &st, NULL) != SQLITE_OK)
			goto rollback;
		for (size_t i = 0; i < n_keys; i++) {
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, msg_id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, keys[i].kind, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, keys[i].value, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 4, node, -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				goto rollback;
		}
	}
	if (sqlite3_exec(s->db, s->in_batch ? "RELEASE finding" : "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		goto out;
rollback:
	hh_warn("fleet store: %s", sqlite3_errmsg(s->db));
	if (s->in_batch) /* the batch goes on without this finding */
		sqlite3_exec(s->db, "ROLLBACK TO finding; RELEASE finding", NULL, NULL, NULL);
	else
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	rc = -1;
out:
	sqlite3_finalize(st);
	free(text);
	return rc;
}

int hh_fleet_store_begin(struct hh_fleet_store *s)
{
	if (s->in_batch)
		return -1;
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		hh_warn("fleet store: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	s->in_batch = true;
	return 0;
}

int hh_fleet_store_commit(struct hh_fleet_store *s)
{
	if (!s->in_batch)
		return -1;
	s->in_batch = false;
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	hh_warn("fleet store: %s", sqlite3_errmsg(s->db));
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int hh_fleet_store_members(struct hh_fleet_store *s, const struct hh_fleet_key *key, struct hh_fleet_member *out,
			   size_t max)
{
	free_strs(s);
	if (max > HH_FLEET_MAX_MEMBERS)
		max = HH_FLEET_MAX_MEMBERS;
	sqlite3_stmt *st = NULL;
	/* SQLite: the bare columns of a max() aggregate come from the row that
	 * holds the max, so each node's newest finding is the one shown. */
	if (sqlite3_prepare_v2(s->db,
			       "SELECT f.node, f.workload, f.rule, f.severity, max(f.time) FROM fleet_keys k"
			       " JOIN fleet_findings f ON f.msg_id = k.msg_id WHERE k.kind = ? AND k.value = ?"
			       " GROUP BY f.node ORDER BY max(f.time) DESC LIMIT ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key->value, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int)max);
	int n = 0;
	while (sqlite3_step(st) == SQLITE_ROW && (size_t)n < max) {
		struct hh_fleet_member *m = &out[n++];
		const char *cols[3];
		for (int c = 0; c < 3; c++) {
			const unsigned char *t = sqlite3_column_text(st, c);
			char *d = strdup(t ? (const char *)t : "");
			s->strs[s->n_strs++] = d;
			cols[c] = d ? d : "";
		}
		m->node = cols[0];
		m->workload = cols[1];
		m->rule = cols[2];
		m->severity = (enum hh_severity)sqlite3_column_int(st, 3);
		m->time = sqlite3_column_double(st, 4);
	}
	sqlite3_finalize(st);
	return n;
}

int hh_fleet_store_campaign(struct hh_fleet_store *s, const struct hh_fleet_key *key, size_t n,
			    const struct hh_finding *campaign)
{
	char *text = finding_text(campaign);
	if (!text)
		return -1;
	sqlite3_stmt *st = NULL;
	int rc = -1;
	/* Only a campaign that grew is written (and reported). */
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO fleet_campaigns(kind, value, nodes, updated, json) VALUES (?,?,?,?,?)"
			       " ON CONFLICT(kind, value) DO UPDATE SET nodes = excluded.nodes,"
			       " updated = excluded.updated, json = excluded.json WHERE excluded.nodes > nodes",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key->kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, key->value, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)n);
		sqlite3_bind_double(st, 4, campaign->time);
		sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_DONE)
			rc = sqlite3_changes(s->db) ? 1 : 0;
	}
	if (rc < 0)
		hh_warn("fleet store: %s", sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	free(text);
	return rc;
}

long long hh_fleet_store_count(struct hh_fleet_store *s)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM fleet_findings", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int hh_fleet_store_campaigns(struct hh_fleet_store *s, void (*cb)(const struct hh_finding *f, void *ctx), void *ctx)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT json FROM fleet_campaigns ORDER BY nodes DESC, updated DESC", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	int n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		json_t *j = t ? json_loads(t, 0, NULL) : NULL;
		struct hh_finding *f = j ? hh_finding_from_json(j) : NULL;
		json_decref(j);
		if (f) {
			cb(f, ctx);
			hh_finding_free(f);
			n++;
		}
	}
	sqlite3_finalize(st);
	return n;
}
