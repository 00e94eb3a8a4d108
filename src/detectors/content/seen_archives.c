/* Digest table of archives already scanned (see seen_archives.h): open
 * addressing over twice HH_SEEN_MAX slots, never more than half full. */
#include "detectors/content/seen_archives.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#define SLOTS (2 * HH_SEEN_MAX)

struct slot {
	uint8_t d[32];
	uint64_t files;
	uint8_t state; /* enum hh_seen_state; HH_SEEN_NONE: empty */
};

struct hh_seen_archives {
	size_t used;
	struct slot slot[SLOTS];
};

struct hh_seen_archives *hh_seen_new(void)
{
	return calloc(1, sizeof(struct hh_seen_archives));
}

void hh_seen_free(struct hh_seen_archives *s)
{
	free(s);
}

void hh_seen_digest(const uint8_t *data, size_t len, uint8_t out[32])
{
	SHA256(data, len, out);
}

/* The slot holding d, or the empty slot where it would go. */
static struct slot *find(const struct hh_seen_archives *s, const uint8_t d[32])
{
	uint64_t h;
	memcpy(&h, d, sizeof(h)); /* a SHA-256 is spread evenly already */
	for (size_t i = 0; i < SLOTS; i++) {
		const struct slot *sl = &s->slot[(h + i) % SLOTS];
		if (sl->state == HH_SEEN_NONE || !memcmp(sl->d, d, 32))
			return (struct slot *)sl;
	}
	return NULL; /* not reached: the table is at most half full */
}

enum hh_seen_state hh_seen_get(const struct hh_seen_archives *s, const uint8_t d[32], uint64_t *files)
{
	const struct slot *sl = s ? find(s, d) : NULL;
	if (!sl)
		return HH_SEEN_NONE;
	if (files)
		*files = sl->files;
	return (enum hh_seen_state)sl->state;
}

bool hh_seen_begin(struct hh_seen_archives *s, const uint8_t d[32])
{
	if (!s || s->used >= HH_SEEN_MAX)
		return false;
	struct slot *sl = find(s, d);
	if (!sl || sl->state != HH_SEEN_NONE)
		return false;
	memcpy(sl->d, d, 32);
	sl->state = HH_SEEN_PENDING;
	sl->files = 0;
	s->used++;
	return true;
}

void hh_seen_end(struct hh_seen_archives *s, const uint8_t d[32], bool clean, uint64_t files)
{
	struct slot *sl = s ? find(s, d) : NULL;
	if (!sl || sl->state != HH_SEEN_PENDING)
		return;
	sl->state = clean ? HH_SEEN_CLEAN : HH_SEEN_DIRTY;
	sl->files = files;
}
