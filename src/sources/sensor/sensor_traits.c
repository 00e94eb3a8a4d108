/* Exe content traits with a cache by file identity: see sensor_traits.h. */
#include "sources/sensor/sensor_traits.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/workload.h"
#include "detectors/indicators/exe_traits.h"
#include "sources/sensor/sensor_proc.h"

#define TR_SLOTS 2048
#define TR_RECENT 8 /* the worker's own memory of its last answers */

struct tr_key {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct tr_slot {
	struct tr_key k;
	char traits[sizeof(((struct hh_event *)0)->exe_traits)];
	int used;
};

/* A queued scan: the exe, open, and the event waiting for its answer. */
struct tr_job {
	struct tr_job *next;
	int fd;
	struct tr_key k;
	int scanned;          /* 0: failed (not cached, the next exec tries again) */
	struct hh_event ev;
};

struct hh_traits_cache {
	char proc_root[256];
	struct tr_slot slots[TR_SLOTS];
	/* worker */
	pthread_t thread;
	bool running, stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct tr_job *todo, *todo_tail, *done, *done_tail;
	size_t queued;        /* todo + in progress + done */
	struct tr_slot recent[TR_RECENT];  /* worker only */
	unsigned recent_next;
};

struct hh_traits_cache *hh_traits_cache_new(const char *proc_root)
{
	struct hh_traits_cache *c = calloc(1, sizeof(*c));
	if (c)
		snprintf(c->proc_root, sizeof(c->proc_root), "%s", proc_root && *proc_root ? proc_root : "/proc");
	return c;
}

static void free_jobs(struct tr_job *j)
{
	while (j) {
		struct tr_job *n = j->next;
		if (j->fd >= 0)
			close(j->fd);
		free(j);
		j = n;
	}
}

void hh_traits_cache_free(struct hh_traits_cache *c)
{
	if (!c)
		return;
	if (c->running) {
		pthread_mutex_lock(&c->mu);
		c->stop = true;
		pthread_cond_signal(&c->cv);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->thread, NULL);
		pthread_mutex_destroy(&c->mu);
		pthread_cond_destroy(&c->cv);
	}
	free_jobs(c->todo);
	free_jobs(c->done);
	free(c);
}

static void key_of(const struct stat *st, struct tr_key *k)
{
	memset(k, 0, sizeof(*k));
	k->dev = st->st_dev;
	k->ino = st->st_ino;
	k->size = st->st_size;
	k->mtime = st->st_mtim;
}

static bool same_key(const struct tr_key *a, const struct tr_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static struct tr_slot *slot_of(struct hh_traits_cache *c, const struct tr_key *k)
{
	return &c->slots[(k->ino ^ (k->dev << 7)) % TR_SLOTS];
}

static void remember(struct tr_slot *s, const struct tr_key *k, const char *traits)
{
	s->used = 1;
	s->k = *k;
	hh_strlcpy(s->traits, traits, sizeof(s->traits));
}

/* The exe of an exec event, if it is still this exec's program: its stat. */
static bool exe_stat(struct hh_traits_cache *c, const struct hh_event *ev, char *path, size_t n, struct stat *st)
{
	if (ev->type == HH_EV_EXEC && !hh_sensor_proc_same_image(c->proc_root, ev))
		return false; /* the pid runs a later program: not this exec's binary */
	snprintf(path, n, "%s/%d/exe", c->proc_root, ev->pid);
	return stat(path, st) == 0 && S_ISREG(st->st_mode);
}

static int scan(const char *path, int pid, char *traits, size_t n)
{
	char err[256];
	if (hh_traits_scan_file(path, HH_TRAITS_SCAN_MAX, traits, n, err, sizeof(err)) < 0) {
		hh_debug("sensor: exe traits of pid %d: %s", pid, err);
		traits[0] = '\0';
		return -1;
	}
	return 0;
}

void hh_traits_cache_fill(struct hh_traits_cache *c, struct hh_event *ev)
{
	char path[300];
	struct stat st;
	if (!exe_stat(c, ev, path, sizeof(path), &st))
		return;
	struct tr_key k;
	key_of(&st, &k);
	struct tr_slot *s = slot_of(c, &k);
	if (s->used && same_key(&s->k, &k)) {
		hh_strlcpy(ev->exe_traits, s->traits, sizeof(ev->exe_traits));
		return;
	}
	if (scan(path, ev->pid, ev->exe_traits, sizeof(ev->exe_traits)) == 0)
		remember(s, &k, ev->exe_traits);
}

static void *worker(void *arg)
{
	struct hh_traits_cache *c = arg;
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->todo && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop)
			break;
		struct tr_job *j = c->todo;
		c->todo = j->next;
		if (!c->todo)
			c->todo_tail = NULL;
		pthread_mutex_unlock(&c->mu);

		j->next = NULL;
		j->scanned = 0;
		for (unsigned i = 0; i < TR_RECENT; i++)
			if (c->recent[i].used && same_key(&c->recent[i].k, &j->k)) {
				hh_strlcpy(j->ev.exe_traits, c->recent[i].traits, sizeof(j->ev.exe_traits));
				j->scanned = 1;
				break;
			}
		if (!j->scanned) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/self/fd/%d", j->fd);
			if (scan(path, j->ev.pid, j->ev.exe_traits, sizeof(j->ev.exe_traits)) == 0) {
				j->scanned = 1;
				remember(&c->recent[c->recent_next++ % TR_RECENT], &j->k, j->ev.exe_traits);
			}
		}
		close(j->fd);
		j->fd = -1;

		pthread_mutex_lock(&c->mu);
		if (c->done_tail)
			c->done_tail->next = j;
		else
			c->done = j;
		c->done_tail = j;
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

int hh_traits_cache_start(struct hh_traits_cache *c)
{
	if (c->running)
		return 0;
	if (pthread_mutex_init(&c->mu, NULL) != 0)
		return -1;
	if (pthread_cond_init(&c->cv, NULL) != 0) {
		pthread_mutex_destroy(&c->mu);
		return -1;
	}
	/* signals are the main thread's (the agent waits for them on a signalfd) */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&c->thread, NULL, worker, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		return -1;
	}
	c->running = true;
	return 0;
}

int hh_traits_cache_lookup(struct hh_traits_cache *c, struct hh_event *ev)
{
	char path[300];
	struct stat st;
	ev->exe_traits[0] = '\0';
	if (!exe_stat(c, ev, path, sizeof(path), &st))
		return HH_TRAITS_NONE;
	struct tr_key k;
	key_of(&st, &k);
	struct tr_slot *s = slot_of(c, &k);
	if (s->used && same_key(&s->k, &k)) {
		hh_strlcpy(ev->exe_traits, s->traits, sizeof(ev->exe_traits));
		return HH_TRAITS_HIT;
	}
	struct tr_job *j = NULL;
	bool room = false;
	if (c->running) {
		pthread_mutex_lock(&c->mu);
		room = c->queued < HH_TRAITS_QUEUE;
		pthread_mutex_unlock(&c->mu);
	}
	int fd = room ? open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY) : -1;
	struct stat fst;
	struct tr_key fk;
	if (fd >= 0 && fstat(fd, &fst) == 0)
		key_of(&fst, &fk);
	else if (fd >= 0)
		memset(&fk, 0, sizeof(fk));
	if (fd >= 0 && !same_key(&fk, &k)) {
		close(fd); /* replaced between stat and open: scan here */
		fd = -1;
	}
	if (fd >= 0)
		j = malloc(sizeof(*j));
	if (!j) {
		if (fd >= 0)
			close(fd);
		if (scan(path, ev->pid, ev->exe_traits, sizeof(ev->exe_traits)) == 0)
			remember(s, &k, ev->exe_traits);
		return HH_TRAITS_HIT;
	}
	j->next = NULL;
	j->fd = fd;
	j->k = k;
	j->scanned = 0;
	memcpy(&j->ev, ev, sizeof(j->ev));
	pthread_mutex_lock(&c->mu);
	if (c->todo_tail)
		c->todo_tail->next = j;
	else
		c->todo = j;
	c->todo_tail = j;
	c->queued++;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	return HH_TRAITS_QUEUED;
}

size_t hh_traits_cache_collect(struct hh_traits_cache *c, void (*cb)(struct hh_event *ev, void *ctx), void *ctx)
{
	if (!c->running)
		return 0;
	pthread_mutex_lock(&c->mu);
	struct tr_job *list = c->done;
	c->done = c->done_tail = NULL;
	pthread_mutex_unlock(&c->mu);
	size_t n = 0;
	while (list) {
		struct tr_job *j = list;
		list = j->next;
		if (j->scanned)
			remember(slot_of(c, &j->k), &j->k, j->ev.exe_traits);
		if (cb)
			cb(&j->ev, ctx);
		free(j);
		n++;
		pthread_mutex_lock(&c->mu);
		c->queued--;
		pthread_mutex_unlock(&c->mu);
	}
	return n;
}
