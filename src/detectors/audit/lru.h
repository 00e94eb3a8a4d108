/* A bounded string-keyed map with least-recently-used eviction: the state
 * audit correlation keeps across events (owners, actors, anonymous sources,
 * seen audit IDs) never grows past its capacity, however long the log. */
#ifndef HH_AUDIT_LRU_H
#define HH_AUDIT_LRU_H

#include <stdbool.h>
#include <stddef.h>

#define HH_LRU_KEY 320
#define HH_LRU_VAL 320

struct hh_lru_entry {
	char key[HH_LRU_KEY];
	char val[HH_LRU_VAL];   /* free-form payload */
	char val2[HH_LRU_VAL];
	double t;               /* event time it was stored at */
	size_t prev, next;      /* recency list (indices; SIZE_MAX = none) */
	size_t hnext;           /* hash chain */
	bool used;
};

struct hh_lru {
	struct hh_lru_entry *e;   /* owned, cap entries */
	size_t *buckets;          /* owned, nb heads */
	size_t cap, nb, n, head, tail, free_top;
	size_t evictions;
};

/* Returns 0, or -1 when out of memory. cap >= 1. */
int hh_lru_init(struct hh_lru *l, size_t cap);
void hh_lru_free(struct hh_lru *l);
/* Finds key and marks it recently used; NULL when absent. */
struct hh_lru_entry *hh_lru_get(struct hh_lru *l, const char *key);
/* Inserts or refreshes key (evicting the least recently used when full);
 * returns the entry, whose val/val2/t the caller fills. */
struct hh_lru_entry *hh_lru_put(struct hh_lru *l, const char *key);

#endif
