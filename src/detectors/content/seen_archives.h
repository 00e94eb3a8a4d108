/* Archives inside a layer already scanned, by the SHA-256 of their bytes.
 * Images ship the same compressed file many times (one changelog.gz per
 * binary package of a source package, vendored copies): opening and
 * scanning identical bytes again can only give the same result, so an
 * archive whose whole content was scanned without a finding, a warning or an
 * input error is not opened again. Only that verdict is kept: a copy of an
 * archive that had findings is opened and scanned as usual, so its findings
 * name its own path. A cryptographic digest, because an image author picks
 * both copies: a weak hash would let a miner pass as a copy of a clean file.
 * The table holds at most HH_SEEN_MAX digests (later ones are not kept). */
#ifndef HH_SEEN_ARCHIVES_H
#define HH_SEEN_ARCHIVES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HH_SEEN_MAX 16384u

enum hh_seen_state { HH_SEEN_NONE, HH_SEEN_PENDING, HH_SEEN_CLEAN, HH_SEEN_DIRTY };

struct hh_seen_archives; /* opaque; one per scan, used under the caller's lock */

struct hh_seen_archives *hh_seen_new(void);
void hh_seen_free(struct hh_seen_archives *s);

void hh_seen_digest(const uint8_t *data, size_t len, uint8_t out[32]);

/* The state of digest d; for HH_SEEN_CLEAN *files is the number of files the
 * archive held (so the scan's file count stays the same). */
enum hh_seen_state hh_seen_get(const struct hh_seen_archives *s, const uint8_t d[32], uint64_t *files);
/* Records d as being scanned. Returns false when d is known already or the
 * table is full (then the archive is simply opened, without a verdict). */
bool hh_seen_begin(struct hh_seen_archives *s, const uint8_t d[32]);
/* The verdict for a digest hh_seen_begin accepted. */
void hh_seen_end(struct hh_seen_archives *s, const uint8_t d[32], bool clean, uint64_t files);

#endif
