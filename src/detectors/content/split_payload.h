/* Payloads split across layers: a dropper script in one layer rebuilds a
 * payload from files that sit elsewhere in the image (often in another
 * layer, where each part alone looks like data), e.g.
 *     cat /opt/.c/p1 /opt/.c/p2 | base64 -d > /tmp/k; chmod +x /tmp/k; /tmp/k
 *     base64 -d /var/lib/.blob | gunzip > /tmp/x
 *     zcat /usr/share/.d/x.gz > /tmp/x
 * hh_split_find reads such commands out of a script (a line, split at ';',
 * '&&', '||', then its pipeline at '|'): a first stage that reads absolute
 * paths (cat, base64 -d FILE, base64 -d < FILE, zcat/gunzip -c/gzip -dc/
 * xz -dc/bzcat FILE), then decoders (base64 -d; decompressors are noted, the
 * archive walker opens compressed bytes itself). A plan needs a decoder or
 * two or more parts: a plain `cat /etc/x` is not one.
 *
 * hh_merged tracks the merged filesystem of an image while its layers are
 * read in order (regular files, symlinks, whiteouts, opaque directories), so
 * each part is taken from the layer that provides it in the final view. */
#ifndef HH_SPLIT_PAYLOAD_H
#define HH_SPLIT_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HH_SPLIT_MAX_PARTS 8
#define HH_SPLIT_MAX_PLANS 8      /* per script */

struct hh_split_plan {
	char parts[HH_SPLIT_MAX_PARTS][256];   /* normalized: no leading '/' */
	size_t n_parts;
	bool base64;                           /* the concatenation is base64-decoded */
	char decoders[64];                     /* in order, e.g. "base64,gzip" */
	size_t line;                           /* 1-based line of the command */
	char cmd[200];                         /* the command, printable */
};

/* Finds reassembly plans in text; returns how many were written (<= max). */
size_t hh_split_find(const char *text, size_t len, struct hh_split_plan *out, size_t max);

/* Applies the plan's base64 step (when any) to the concatenated parts in
 * buf[0..len): whitespace is skipped, anything else outside the alphabet
 * ends the decoding. Returns the new length (decoded in place). */
size_t hh_split_decode(const struct hh_split_plan *p, uint8_t *buf, size_t len);

/* ---- merged filesystem view ---- */

#define HH_MERGED_MAX_PATHS 2000000
#define HH_MERGED_MAX_MARKS 100000

struct hh_merged;
struct hh_merged *hh_merged_new(void);
void hh_merged_free(struct hh_merged *m);
/* A regular file or symlink (link != NULL) at path in layer (layers in order). */
void hh_merged_add(struct hh_merged *m, const char *path, const char *link, int layer);
/* A whiteout deleting target (and below) / an opaque marker for dir, in layer. */
void hh_merged_whiteout(struct hh_merged *m, const char *target, int layer);
void hh_merged_opaque(struct hh_merged *m, const char *dir, int layer);
/* True when the table filled up (HH_MERGED_MAX_PATHS): answers may miss files. */
bool hh_merged_full(const struct hh_merged *m);
/* The layer that provides path (absolute or not) as a regular file in the
 * merged view, following symlinks (at most 16); the resolved path (no
 * leading '/') goes to out. -1 when the path is absent or hidden. */
int hh_merged_resolve(const struct hh_merged *m, const char *path, char *out, size_t n);

#endif
