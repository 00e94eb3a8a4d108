/* The webhook's files: the spool (JSON lines not yet delivered, oldest first)
 * and the dead-letter file (findings a receiver refused for good, each with
 * the reason). Both are bounded in bytes; a line that would pass the bound is
 * refused (the caller counts it as dropped). The spool is read from an offset
 * that only the delivery thread advances; the delivered prefix is cut off by
 * compaction (write a temporary file, rename). Between compactions the offset
 * is kept in "<spool>.pos" (version, inode, offset; written and renamed) so a
 * restart resends at most the lines delivered since the last save, which
 * receivers de-duplicate by the Idempotency-Key.
 *
 * Not thread-safe: the webhook calls everything under its file lock, and
 * never holds that lock during a POST. */
#ifndef HH_WEBHOOK_SPOOL_H
#define HH_WEBHOOK_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct hh_spool {
	char path[1024], pos_path[1040], dead_path[1040];
	size_t max_bytes;
	off_t off;        /* first byte not yet delivered */
	unsigned long since_save; /* lines delivered since the offset was saved */
};

/* Sets the paths (dead letters: dead_path, or "<path>.dead" when NULL) and
 * restores a saved offset that still matches the spool file. */
void hh_spool_init(struct hh_spool *s, const char *path, const char *dead_path, size_t max_bytes);
/* Appends one line (no newline inside). false when over the bound or the file
 * cannot be written. */
bool hh_spool_append(struct hh_spool *s, const char *line);
/* Puts one line before every undelivered one. false as for append. */
bool hh_spool_prepend(struct hh_spool *s, const char *line);
/* True when undelivered lines remain. */
bool hh_spool_pending(const struct hh_spool *s);
/* Reads the line at the offset into *line (malloc'd; newline removed) and
 * sets *next to the offset after it. false when none is left. */
bool hh_spool_peek(const struct hh_spool *s, char **line, off_t *next);
/* Marks the line ending at next delivered (or dead-lettered). */
void hh_spool_advance(struct hh_spool *s, off_t next);
/* Cuts the delivered prefix off (removes the file when nothing is left). */
void hh_spool_compact(struct hh_spool *s);
/* Appends {"time","status","reason","finding"} to the dead-letter file.
 * finding_json is the text as it was to be sent. false when over the bound. */
bool hh_spool_dead_letter(struct hh_spool *s, const char *finding_json, long status, const char *reason);

#endif
