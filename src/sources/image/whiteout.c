/* Whiteouts and hidden-in-layers tracking (see whiteout.h). */
#include "sources/image/whiteout.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

enum hh_wh_kind hh_whiteout_classify(const char *path, char *target, size_t n)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dirlen = slash ? (size_t)(slash - path) : 0;
	if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)))
		return HH_WH_NONE;
	if (!strcmp(base, WH_OPAQUE)) {
		snprintf(target, n, "%.*s", (int)dirlen, path);
		return HH_WH_OPAQUE;
	}
	const char *name = base + strlen(WH_PREFIX);
	if (!*name || !strncmp(name, ".wh.", 4)) /* ".wh." alone or other reserved ".wh..wh.*" names */
		return HH_WH_NONE;
	if (dirlen)
		snprintf(target, n, "%.*s/%s", (int)dirlen, path, name);
	else
		snprintf(target, n, "%s", name);
	return HH_WH_FILE;
}

const char *hh_hidden_how_name(enum hh_hidden_how how)
{
	switch (how) {
	case HH_HIDDEN_DELETED: return "deleted by a whiteout";
	case HH_HIDDEN_OPAQUE: return "hidden by an opaque directory";
	case HH_HIDDEN_REPLACED: return "replaced by a later layer";
	default: return "visible";
	}
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

void hh_hidden_init(struct hh_hidden *h)
{
	memset(h, 0, sizeof(*h));
}

void hh_hidden_free(struct hh_hidden *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->c[i].path);
	free(h->c);
	free(h->slots);
	memset(h, 0, sizeof(*h));
}

static int rehash(struct hh_hidden *h, size_t nslots)
{
	size_t *s = malloc(nslots * sizeof(*s));
	if (!s)
		return -1;
	for (size_t i = 0; i < nslots; i++)
		s[i] = SIZE_MAX;
	for (size_t i = 0; i < h->n; i++) {
		size_t k = (size_t)(hash_str(h->c[i].path) & (nslots - 1));
		while (s[k] != SIZE_MAX)
			k = (k + 1) & (nslots - 1);
		s[k] = i;
	}
	free(h->slots);
	h->slots = s;
	h->nslots = nslots;
	return 0;
}

size_t hh_hidden_add(struct hh_hidden *h, const char *path, int layer)
{
	if (h->nslots) {
		for (size_t k = (size_t)(hash_str(path) & (h->nslots - 1)); h->slots[k] != SIZE_MAX;
		     k = (k + 1) & (h->nslots - 1)) {
			struct hh_hidden_cand *c = &h->c[h->slots[k]];
			if (c->layer == layer && !strcmp(c->path, path))
				return h->slots[k];
		}
	}
	if (h->n == h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 16;
		struct hh_hidden_cand *ncand = realloc(h->c, nc * sizeof(*ncand));
		if (!ncand)
			return SIZE_MAX;
		h->c = ncand;
		h->cap = nc;
	}
	char *p = strdup(path);
	if (!p)
		return SIZE_MAX;
	h->c[h->n++] = (struct hh_hidden_cand){ p, layer, -1, HH_VISIBLE };
	if (h->n * 2 > h->nslots) {
		if (rehash(h, h->nslots ? h->nslots * 2 : 32) < 0) {
			free(h->c[--h->n].path);
			return SIZE_MAX;
		}
	} else {
		size_t k = (size_t)(hash_str(p) & (h->nslots - 1));
		while (h->slots[k] != SIZE_MAX)
			k = (k + 1) & (h->nslots - 1);
		h->slots[k] = h->n - 1;
	}
	return h->n - 1;
}

static void hide(struct hh_hidden_cand *c, int layer, enum hh_hidden_how how)
{
	if (c->layer < layer && c->hidden_layer < 0) {
		c->hidden_layer = layer;
		c->how = how;
	}
}

void hh_hidden_on_entry(struct hh_hidden *h, int layer, const char *path)
{
	if (!h->nslots)
		return;
	for (size_t k = (size_t)(hash_str(path) & (h->nslots - 1)); h->slots[k] != SIZE_MAX;
	     k = (k + 1) & (h->nslots - 1)) {
		struct hh_hidden_cand *c = &h->c[h->slots[k]];
		if (!strcmp(c->path, path))
			hide(c, layer, HH_HIDDEN_REPLACED);
	}
}

/* path equals prefix, or lies below it; prefix "" is the root (everything). */
static bool at_or_below(const char *path, const char *prefix, bool include_self)
{
	size_t n = strlen(prefix);
	if (!n)
		return true;
	if (strncmp(path, prefix, n))
		return false;
	return path[n] == '/' || (include_self && path[n] == 0);
}

void hh_hidden_on_whiteout(struct hh_hidden *h, int layer, const char *target)
{
	for (size_t i = 0; i < h->n; i++)
		if (at_or_below(h->c[i].path, target, true))
			hide(&h->c[i], layer, HH_HIDDEN_DELETED);
}

void hh_hidden_on_opaque(struct hh_hidden *h, int layer, const char *dir)
{
	for (size_t i = 0; i < h->n; i++)
		if (at_or_below(h->c[i].path, dir, false))
			hide(&h->c[i], layer, HH_HIDDEN_OPAQUE);
}
