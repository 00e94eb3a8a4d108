#include "detectors/audit/lru.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/workload.h"

#define NONE SIZE_MAX

static size_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;  /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

int hh_lru_init(struct hh_lru *l, size_t cap)
{
	memset(l, 0, sizeof(*l));
	if (cap < 1)
		cap = 1;
	l->cap = cap;
	l->nb = 1;
	while (l->nb < cap * 2)
		l->nb <<= 1;
	l->e = calloc(cap, sizeof(*l->e));
	l->buckets = malloc(l->nb * sizeof(*l->buckets));
	if (!l->e || !l->buckets) {
		hh_lru_free(l);
		return -1;
	}
	for (size_t i = 0; i < l->nb; i++)
		l->buckets[i] = NONE;
	l->head = l->tail = NONE;
	return 0;
}

void hh_lru_free(struct hh_lru *l)
{
	free(l->e);
	free(l->buckets);
	memset(l, 0, sizeof(*l));
}

static void unlink_recency(struct hh_lru *l, size_t i)
{
	struct hh_lru_entry *x = &l->e[i];
	if (x->prev != NONE)
		l->e[x->prev].next = x->next;
	else
		l->head = x->next;
	if (x->next != NONE)
		l->e[x->next].prev = x->prev;
	else
		l->tail = x->prev;
}

static void push_front(struct hh_lru *l, size_t i)
{
	struct hh_lru_entry *x = &l->e[i];
	x->prev = NONE;
	x->next = l->head;
	if (l->head != NONE)
		l->e[l->head].prev = i;
	l->head = i;
	if (l->tail == NONE)
		l->tail = i;
}

static void unlink_hash(struct hh_lru *l, size_t i)
{
	size_t *p = &l->buckets[hash(l->e[i].key) & (l->nb - 1)];
	while (*p != NONE && *p != i)
		p = &l->e[*p].hnext;
	if (*p == i)
		*p = l->e[i].hnext;
}

struct hh_lru_entry *hh_lru_get(struct hh_lru *l, const char *key)
{
	if (!l->e)
		return NULL;
	for (size_t i = l->buckets[hash(key) & (l->nb - 1)]; i != NONE; i = l->e[i].hnext) {
		if (strcmp(l->e[i].key, key) == 0) {
			unlink_recency(l, i);
			push_front(l, i);
			return &l->e[i];
		}
	}
	return NULL;
}

struct hh_lru_entry *hh_lru_put(struct hh_lru *l, const char *key)
{
	if (!l->e)
		return NULL;
	struct hh_lru_entry *x = hh_lru_get(l, key);
	if (x)
		return x;
	size_t i;
	if (l->n < l->cap) {
		i = l->n++;
	} else {
		i = l->tail;  /* evict the least recently used */
		unlink_recency(l, i);
		unlink_hash(l, i);
		l->evictions++;
	}
	x = &l->e[i];
	memset(x, 0, sizeof(*x));
	hh_strlcpy(x->key, key, sizeof(x->key));
	x->used = true;
	size_t b = hash(x->key) & (l->nb - 1);
	x->hnext = l->buckets[b];
	l->buckets[b] = i;
	push_front(l, i);
	return x;
}
