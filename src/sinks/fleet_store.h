/* The fleet's store (SQLite, WAL; several `hashhound fleet` replicas may
 * share it): every finding received once by its message id, the campaign
 * keys of each, and the campaigns found. The same database also holds the
 * plain finding store (store.h), so `serve` and `report` read it. */
#ifndef HH_SINKS_FLEET_STORE_H
#define HH_SINKS_FLEET_STORE_H

#include <stddef.h>

#include "core/finding.h"
#include "correlation/fleet.h"

#define HH_FLEET_MAX_MEMBERS 256

struct hh_fleet_store;

struct hh_fleet_store *hh_fleet_store_open(const char *path, char *err, size_t errlen);
void hh_fleet_store_close(struct hh_fleet_store *s);

/* Records f (received as msg_id from node) with its keys, in one
 * transaction (inside a batch: a savepoint of the batch's transaction).
 * 1: new, 0: already had it (a redelivery), -1: error (nothing of f kept). */
int hh_fleet_store_add(struct hh_fleet_store *s, const char *msg_id, const char *node, const struct hh_finding *f,
		       const struct hh_fleet_key *keys, size_t n_keys);

/* A batch: the adds and campaigns between begin and commit are one
 * transaction (one write to disk for many findings). commit returns 0, or -1
 * after rolling the whole batch back. 0 / -1 from begin. */
int hh_fleet_store_begin(struct hh_fleet_store *s);
int hh_fleet_store_commit(struct hh_fleet_store *s);

/* The members of key: one per node (its newest finding), newest first.
 * Returns the count (<= max), or -1. Strings live until the next call. */
int hh_fleet_store_members(struct hh_fleet_store *s, const struct hh_fleet_key *key, struct hh_fleet_member *out,
			   size_t max);

/* Records the campaign for key with n nodes. 1 when it is new or has more
 * nodes than recorded (the caller reports it), 0 when nothing changed. */
int hh_fleet_store_campaign(struct hh_fleet_store *s, const struct hh_fleet_key *key, size_t n,
			    const struct hh_finding *campaign);

/* Findings received (distinct message ids). */
long long hh_fleet_store_count(struct hh_fleet_store *s);

/* Calls cb with each campaign's latest finding, most nodes first. */
int hh_fleet_store_campaigns(struct hh_fleet_store *s, void (*cb)(const struct hh_finding *f, void *ctx), void *ctx);

#endif
