/* SHA-256 (OpenSSL EVP) and miner-trait scan of executables, one streaming
 * pass, cached per distinct file. A cache hit needs only one stat(). */
#include "sources/procfs/exe_hash.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "detectors/indicators/exe_traits.h"

struct key {
	uint64_t dev, ino, size;
	int64_t mtime_s, mtime_ns;
};

struct centry {
	struct key k;
	struct hh_exe_facts f;
	struct centry *prev, *next, *hnext;
};

struct hh_exe_cache {
	size_t cap, n, max_bytes;
	struct centry **buckets;
	size_t nbuckets;
	struct centry *head, *tail;
	uint64_t hits, misses;
};

struct hh_exe_cache *hh_exe_cache_new(size_t cap, size_t max_bytes)
{
	struct hh_exe_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->cap = cap ? cap : 4096;
	c->max_bytes = max_bytes ? max_bytes : (64u << 20);
	c->nbuckets = 16;
	while (c->nbuckets < c->cap * 2 && c->nbuckets < (1u << 24))
		c->nbuckets <<= 1;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	return c;
}

void hh_exe_cache_free(struct hh_exe_cache *c)
{
	if (!c)
		return;
	for (struct centry *e = c->head, *n; e; e = n) {
		n = e->next;
		free(e);
	}
	free(c->buckets);
	free(c);
}

void hh_exe_cache_stats(const struct hh_exe_cache *c, size_t *entries, uint64_t *hits, uint64_t *misses)
{
	*entries = c->n;
	*hits = c->hits;
	*misses = c->misses;
}

static size_t key_hash(const struct key *k)
{
	uint64_t h = k->dev * 0x9e3779b97f4a7c15ull ^ k->ino * 0xc2b2ae3d27d4eb4full ^ (uint64_t)k->mtime_ns ^
		     ((uint64_t)k->mtime_s << 20) ^ k->size;
	return (size_t)(h ^ (h >> 29));
}

static bool key_eq(const struct key *a, const struct key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime_s == b->mtime_s &&
	       a->mtime_ns == b->mtime_ns;
}

static void unlink_lru(struct hh_exe_cache *c, struct centry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void push_lru(struct hh_exe_cache *c, struct centry *e)
{
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (!c->tail)
		c->tail = e;
}

static void evict_tail(struct hh_exe_cache *c)
{
	struct centry *e = c->tail;
	if (!e)
		return;
	struct centry **s = &c->buckets[key_hash(&e->k) & (c->nbuckets - 1)];
	while (*s && *s != e)
		s = &(*s)->hnext;
	if (*s)
		*s = e->hnext;
	unlink_lru(c, e);
	free(e);
	c->n--;
}

int hh_exe_facts_fd(int fd, size_t max_bytes, struct hh_exe_facts *out)
{
	memset(out, 0, sizeof(*out));
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return -1;
	}
	struct hh_traits t;
	hh_traits_init(&t);
	static __thread char buf[1 << 16];
	uint64_t total = 0;
	bool over = false, failed = false;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			failed = true;
			break;
		}
		if (r == 0)
			break;
		size_t use = (size_t)r;
		if (total + use > max_bytes) {
			use = max_bytes - total;
			over = true;
		}
		EVP_DigestUpdate(md, buf, use);
		hh_traits_feed(&t, buf, use);
		total += use;
		if (over)
			break;
	}
	unsigned char dig[32];
	unsigned int dl = 0;
	EVP_DigestFinal_ex(md, dig, &dl);
	EVP_MD_CTX_free(md);
	out->size = total;
	out->scanned = !failed;
	/* A hash of a prefix is not the file's hash: leave it empty. */
	if (!over && !failed && dl == 32)
		for (int i = 0; i < 32; i++)
			snprintf(out->sha256 + 2 * i, 3, "%02x", dig[i]);
	out->n_traits = hh_traits_result(&t, out->traits, sizeof(out->traits));
	return failed ? -1 : 0;
}

int hh_exe_facts_of(struct hh_exe_cache *c, const char *path, struct hh_exe_facts *out)
{
	memset(out, 0, sizeof(*out));
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	struct key k = { .dev = st.st_dev, .ino = st.st_ino, .size = (uint64_t)st.st_size,
			 .mtime_s = st.st_mtim.tv_sec, .mtime_ns = st.st_mtim.tv_nsec };
	struct centry **s = &c->buckets[key_hash(&k) & (c->nbuckets - 1)];
	for (struct centry *e = *s; e; e = e->hnext) {
		if (key_eq(&e->k, &k)) {
			c->hits++;
			unlink_lru(c, e);
			push_lru(c, e);
			*out = e->f;
			close(fd);
			return 0;
		}
	}
	c->misses++;
	int rc = hh_exe_facts_fd(fd, c->max_bytes, out);
	close(fd);
	if (rc < 0) {
		hh_debug("procfs: %s: read failed while hashing", path);
		return -1;
	}
	if (out->size >= c->max_bytes && !out->sha256[0])
		hh_debug("procfs: %s: larger than %zu bytes: traits from its start, no hash", path, c->max_bytes);
	if (c->n >= c->cap)
		evict_tail(c);
	struct centry *e = calloc(1, sizeof(*e));
	if (!e)
		return 0;
	e->k = k;
	e->f = *out;
	s = &c->buckets[key_hash(&k) & (c->nbuckets - 1)];
	e->hnext = *s;
	*s = e;
	push_lru(c, e);
	c->n++;
	return 0;
}
