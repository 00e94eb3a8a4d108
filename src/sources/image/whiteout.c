/* Whiteouts and hidden-in-layers tracking (see whiteout.h). */
#include "sources/image/whiteout.h"

#include <stdbool.h>
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

/* ---- path trie: one node per directory or file name ---- */

#define NONE SIZE_MAX

struct tnode {
	size_t parent, first_child, next_sibling;
	size_t first_cand;       /* candidates at exactly this path, linked by cand_next */
	char *name;              /* this component (owned) */
	int walked_layer;        /* a whiteout/opaque walk of this layer covered the subtree */
	uint32_t walked_gen;
};

struct hh_hidden_tree {
	struct tnode *nodes;
	size_t n, cap;
	size_t *slots;           /* open addressing on (parent, name) -> node; NONE = empty */
	size_t nslots;
	size_t *cand_next;       /* per candidate: next at the same node */
	size_t cand_cap;
	uint32_t gen;            /* bumped when a walk mark can no longer be trusted */
	int max_event_layer;
};

static uint64_t hash_comp(size_t parent, const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull ^ (parent * 0x9e3779b97f4a7c15ull);
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
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
	if (h->t) {
		for (size_t i = 0; i < h->t->n; i++)
			free(h->t->nodes[i].name);
		free(h->t->nodes);
		free(h->t->slots);
		free(h->t->cand_next);
		free(h->t);
	}
	memset(h, 0, sizeof(*h));
}

static int rehash(struct hh_hidden_tree *t, size_t nslots)
{
	size_t *s = malloc(nslots * sizeof(*s));
	if (!s)
		return -1;
	for (size_t i = 0; i < nslots; i++)
		s[i] = NONE;
	for (size_t i = 1; i < t->n; i++) { /* node 0, the root, is not in the table */
		const struct tnode *nd = &t->nodes[i];
		size_t k = (size_t)(hash_comp(nd->parent, nd->name, strlen(nd->name)) & (nslots - 1));
		while (s[k] != NONE)
			k = (k + 1) & (nslots - 1);
		s[k] = i;
	}
	free(t->slots);
	t->slots = s;
	t->nslots = nslots;
	return 0;
}

static struct hh_hidden_tree *tree(struct hh_hidden *h)
{
	if (h->t)
		return h->t;
	struct hh_hidden_tree *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->nodes = malloc(16 * sizeof(*t->nodes));
	if (!t->nodes || rehash(t, 32) < 0) {
		free(t->nodes);
		free(t);
		return NULL;
	}
	t->cap = 16;
	t->n = 1;
	t->nodes[0] = (struct tnode){ NONE, NONE, NONE, NONE, NULL, -1, 0 };
	t->max_event_layer = -1;
	h->t = t;
	return t;
}

static size_t child_of(const struct hh_hidden_tree *t, size_t parent, const char *name, size_t len)
{
	for (size_t k = (size_t)(hash_comp(parent, name, len) & (t->nslots - 1)); t->slots[k] != NONE;
	     k = (k + 1) & (t->nslots - 1)) {
		const struct tnode *nd = &t->nodes[t->slots[k]];
		if (nd->parent == parent && !strncmp(nd->name, name, len) && nd->name[len] == 0)
			return t->slots[k];
	}
	return NONE;
}

static size_t new_child(struct hh_hidden_tree *t, size_t parent, const char *name, size_t len)
{
	if (t->n == t->cap) {
		size_t nc = t->cap * 2;
		struct tnode *nn = realloc(t->nodes, nc * sizeof(*nn));
		if (!nn)
			return NONE;
		t->nodes = nn;
		t->cap = nc;
	}
	if ((t->n + 1) * 2 > t->nslots && rehash(t, t->nslots * 2) < 0)
		return NONE;
	char *nm = strndup(name, len);
	if (!nm)
		return NONE;
	size_t id = t->n++;
	t->nodes[id] = (struct tnode){ parent, NONE, t->nodes[parent].first_child, NONE, nm, -1, 0 };
	t->nodes[parent].first_child = id;
	size_t k = (size_t)(hash_comp(parent, name, len) & (t->nslots - 1));
	while (t->slots[k] != NONE)
		k = (k + 1) & (t->nslots - 1);
	t->slots[k] = id;
	return id;
}

/* The node for path ("" is the root); created when create is set. */
static size_t node_of(struct hh_hidden_tree *t, const char *path, bool create)
{
	size_t cur = 0;
	const char *p = path;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len) {
			size_t nx = child_of(t, cur, p, len);
			if (nx == NONE && create)
				nx = new_child(t, cur, p, len);
			if (nx == NONE)
				return NONE;
			cur = nx;
		}
		p += len;
		if (*p == '/')
			p++;
	}
	return cur;
}

size_t hh_hidden_add(struct hh_hidden *h, const char *path, int layer)
{
	struct hh_hidden_tree *t = tree(h);
	if (!t)
		return SIZE_MAX;
	size_t nd = node_of(t, path, true);
	if (nd == NONE)
		return SIZE_MAX;
	for (size_t c = t->nodes[nd].first_cand; c != NONE; c = t->cand_next[c])
		if (h->c[c].layer == layer && !strcmp(h->c[c].path, path))
			return c;
	if (h->n == h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 16;
		struct hh_hidden_cand *ncand = realloc(h->c, nc * sizeof(*ncand));
		if (!ncand)
			return SIZE_MAX;
		h->c = ncand;
		h->cap = nc;
	}
	if (h->n >= t->cand_cap) {
		size_t nc = t->cand_cap ? t->cand_cap * 2 : 16;
		size_t *nn = realloc(t->cand_next, nc * sizeof(*nn));
		if (!nn)
			return SIZE_MAX;
		t->cand_next = nn;
		t->cand_cap = nc;
	}
	char *p = strdup(path);
	if (!p)
		return SIZE_MAX;
	size_t id = h->n++;
	h->c[id] = (struct hh_hidden_cand){ p, layer, -1, HH_VISIBLE };
	t->cand_next[id] = t->nodes[nd].first_cand;
	t->nodes[nd].first_cand = id;
	if (layer < t->max_event_layer)
		t->gen++; /* out of layer order: earlier walks did not see this candidate */
	return id;
}

static void hide(struct hh_hidden_cand *c, int layer, enum hh_hidden_how how)
{
	if (c->layer < layer && c->hidden_layer < 0) {
		c->hidden_layer = layer;
		c->how = how;
	}
}

static void hide_at(struct hh_hidden *h, size_t nd, int layer, enum hh_hidden_how how)
{
	for (size_t c = h->t->nodes[nd].first_cand; c != NONE; c = h->t->cand_next[c])
		hide(&h->c[c], layer, how);
}

void hh_hidden_on_entry(struct hh_hidden *h, int layer, const char *path)
{
	if (!h->t)
		return;
	size_t nd = node_of(h->t, path, false);
	if (nd != NONE && nd != 0)
		hide_at(h, nd, layer, HH_HIDDEN_REPLACED);
}

/* Visits nd: false when a walk of this layer already covered its subtree. */
static bool visit(struct hh_hidden *h, size_t nd, int layer, enum hh_hidden_how how)
{
	struct tnode *x = &h->t->nodes[nd];
	if (x->walked_layer == layer && x->walked_gen == h->t->gen)
		return false;
	x->walked_layer = layer;
	x->walked_gen = h->t->gen;
	hide_at(h, nd, layer, how);
	return true;
}

/* Hides every candidate below start (and at start when self). */
static void hide_subtree(struct hh_hidden *h, size_t start, int layer, enum hh_hidden_how how, bool self)
{
	struct hh_hidden_tree *t = h->t;
	if (layer > t->max_event_layer)
		t->max_event_layer = layer;
	if (t->nodes[start].walked_layer == layer && t->nodes[start].walked_gen == t->gen)
		return;
	if (self)
		visit(h, start, layer, how);
	size_t n = t->nodes[start].first_child;
	while (n != NONE) {
		if (visit(h, n, layer, how) && t->nodes[n].first_child != NONE) {
			n = t->nodes[n].first_child;
			continue;
		}
		while (n != start && t->nodes[n].next_sibling == NONE)
			n = t->nodes[n].parent;
		if (n == start)
			break;
		n = t->nodes[n].next_sibling;
	}
}

void hh_hidden_on_whiteout(struct hh_hidden *h, int layer, const char *target)
{
	if (!h->t || !*target)
		return;
	size_t nd = node_of(h->t, target, false);
	if (nd != NONE)
		hide_subtree(h, nd, layer, HH_HIDDEN_DELETED, true);
}

void hh_hidden_on_opaque(struct hh_hidden *h, int layer, const char *dir)
{
	if (!h->t)
		return;
	size_t nd = node_of(h->t, dir, false);
	if (nd != NONE)
		hide_subtree(h, nd, layer, HH_HIDDEN_OPAQUE, false);
}
