/* Layer whiteouts (OCI image spec, "Representing Changes"): a file
 * "dir/.wh.NAME" in a layer deletes dir/NAME (and all below it) from the
 * layers beneath; "dir/.wh..wh..opq" hides everything the lower layers had in
 * dir. The image scanner keeps the paths that produced findings as
 * candidates and learns, layer by layer, whether a later layer deleted,
 * hid or replaced them: such a payload is absent from the merged filesystem
 * yet still shipped in the image ("hidden in layers"). Paths are normalized:
 * no leading '/', no "./", no trailing '/'. */
#ifndef HH_WHITEOUT_H
#define HH_WHITEOUT_H

#include <stdbool.h>
#include <stddef.h>

enum hh_wh_kind { HH_WH_NONE = 0, HH_WH_FILE, HH_WH_OPAQUE };

/* Classifies path; for HH_WH_FILE target receives the deleted path, for
 * HH_WH_OPAQUE the directory ("" for the root). */
enum hh_wh_kind hh_whiteout_classify(const char *path, char *target, size_t n);

enum hh_hidden_how { HH_VISIBLE = 0, HH_HIDDEN_DELETED, HH_HIDDEN_OPAQUE, HH_HIDDEN_REPLACED };
const char *hh_hidden_how_name(enum hh_hidden_how how);

struct hh_hidden_cand {
	char *path;          /* owned */
	int layer;           /* layer it came from */
	int hidden_layer;    /* first later layer that hid it, -1 while visible */
	enum hh_hidden_how how;
};

struct hh_hidden_tree;   /* path trie over the candidates (whiteout.c) */

/* Cost: adding a candidate and each event cost O(path length); a whiteout or
 * opaque marker then visits the candidates below its target, each directory
 * at most once per layer, so n whiteouts over n candidates cost O(n) per
 * layer, not O(n^2). Layers are expected in nondecreasing order (a candidate
 * from a lower layer added later is still handled, at the cost of a revisit). */
struct hh_hidden {
	struct hh_hidden_cand *c;
	size_t n, cap;
	struct hh_hidden_tree *t;
};

void hh_hidden_init(struct hh_hidden *h);
void hh_hidden_free(struct hh_hidden *h);
/* Adds a candidate (a path with findings) from layer; returns its id, or
 * the id of the same (path, layer) added before. SIZE_MAX on allocation failure. */
size_t hh_hidden_add(struct hh_hidden *h, const char *path, int layer);
/* A regular entry (not a whiteout) at path in layer: replaces lower candidates
 * at the same path. */
void hh_hidden_on_entry(struct hh_hidden *h, int layer, const char *path);
/* A whiteout in layer deleting target (and everything below it). */
void hh_hidden_on_whiteout(struct hh_hidden *h, int layer, const char *target);
/* An opaque marker in layer for dir: hides lower candidates below dir. */
void hh_hidden_on_opaque(struct hh_hidden *h, int layer, const char *dir);

#endif
