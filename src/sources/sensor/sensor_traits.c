/* Exe content traits with a cache by file identity: see sensor_traits.h. */
#include "sources/sensor/sensor_traits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "core/workload.h"
#include "detectors/indicators/exe_traits.h"

#define TR_SLOTS 2048

struct tr_slot {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char traits[sizeof(((struct hh_event *)0)->exe_traits)];
	int used;
};

struct hh_traits_cache {
	char proc_root[256];
	struct tr_slot slots[TR_SLOTS];
};

struct hh_traits_cache *hh_traits_cache_new(const char *proc_root)
{
	struct hh_traits_cache *c = calloc(1, sizeof(*c));
	if (c)
		snprintf(c->proc_root, sizeof(c->proc_root), "%s", proc_root && *proc_root ? proc_root : "/proc");
	return c;
}

void hh_traits_cache_free(struct hh_traits_cache *c)
{
	free(c);
}

void hh_traits_cache_fill(struct hh_traits_cache *c, struct hh_event *ev)
{
	char path[300];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%d/exe", c->proc_root, ev->pid);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	struct tr_slot *s = &c->slots[(st.st_ino ^ (st.st_dev << 7)) % TR_SLOTS];
	if (s->used && s->dev == st.st_dev && s->ino == st.st_ino && s->size == st.st_size &&
	    s->mtime.tv_sec == st.st_mtim.tv_sec && s->mtime.tv_nsec == st.st_mtim.tv_nsec) {
		hh_strlcpy(ev->exe_traits, s->traits, sizeof(ev->exe_traits));
		return;
	}
	char err[256];
	if (hh_traits_scan_file(path, HH_TRAITS_SCAN_MAX, ev->exe_traits, sizeof(ev->exe_traits), err, sizeof(err)) < 0) {
		hh_debug("sensor: exe traits of pid %d: %s", ev->pid, err);
		ev->exe_traits[0] = '\0';
		return; /* not cached: the next exec tries again */
	}
	s->used = 1;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->size = st.st_size;
	s->mtime = st.st_mtim;
	hh_strlcpy(s->traits, ev->exe_traits, sizeof(s->traits));
}
