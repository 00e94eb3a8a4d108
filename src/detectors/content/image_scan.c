/* Image scan driver (see image_scan.h). */
#include "detectors/content/image_scan.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include "core/log.h"
#include "detectors/content/image_config_check.h"
#include "detectors/content/unwrap_scan.h"
#include "sources/image/dir_walk.h"
#include "sources/image/whiteout.h"

/* One entry handed from the reader thread to the scanner thread (owned copy). */
struct qitem {
	struct hh_walk_entry e;
	int layer;
	bool scanned;
	struct hh_findings found;   /* from scan_entry, until committed */
	struct qitem *next;
	char *path, *link;
	uint8_t *data;
};

#define Q_MAX_BYTES (16u << 20)
#define Q_MAX_ITEMS 4096
#define HH_SCAN_MAX_THREADS 8

struct run {
	const char *target;
	struct hh_content *content;
	const struct hh_scan_limits *lim;
	struct hh_scan_result *res;
	struct hh_walk_budget budget;
	const struct hh_image *img;
	bool image;                 /* layered: whiteouts apply */
	int walk_layer;             /* reader side: layer being walked, -1 outside layers */
	/* reader -> scanner queue: decompression and scanning overlap on two threads */
	pthread_mutex_t mu;
	pthread_cond_t nonempty, nonfull;
	struct qitem *head, *tail;  /* head: oldest not yet committed */
	struct qitem *next_scan;     /* oldest not yet taken by a scanner */
	size_t q_bytes, q_items;
	bool q_done;
	struct hh_hidden hidden;
	size_t *cand;               /* candidate id per finding (SIZE_MAX: none) */
	size_t cand_cap;
};

static void on_error(void *user, const char *label, const char *path, const char *msg)
{
	struct run *r = user;
	r->res->errors++;
	if (r->walk_layer >= 0 && r->img)
		hh_err("scan: %s: layer %s (%d/%zu)%s%s: %s", r->target, r->img->layers[r->walk_layer].digest, r->walk_layer + 1,
		       r->img->n_layers, path && *path ? ": " : "", path ? path : "", msg);
	else
		hh_err("scan: %s%s%s: %s", label ? label : r->target, path && *path ? ": " : "", path ? path : "", msg);
}

static void on_image_error(void *user, const char *where, const char *msg)
{
	struct run *r = user;
	r->res->errors++;
	if (!strncmp(msg, where, strlen(where)))
		hh_err("scan: %s: %s", r->target, msg);
	else
		hh_err("scan: %s: %s: %s", r->target, where, msg);
}

static void grow_cand(struct run *r)
{
	size_t need = r->res->findings.n;
	if (need <= r->cand_cap)
		return;
	size_t nc = r->cand_cap ? r->cand_cap : 64;
	while (nc < need)
		nc *= 2;
	size_t *n = realloc(r->cand, nc * sizeof(*n));
	if (!n)
		return;
	for (size_t i = r->cand_cap; i < nc; i++)
		n[i] = SIZE_MAX;
	r->cand = n;
	r->cand_cap = nc;
}

static void label_for(const struct run *r, size_t i, char *out, size_t n)
{
	const char *d = r->img->layers[i].digest;
	const char *colon = strchr(d, ':');
	if (colon && strlen(colon + 1) >= 12)
		snprintf(out, n, "layer-%.12s", colon + 1);
	else
		snprintf(out, n, "layer-%zu", i);
}

static void fs_path_of(const char *path, char *out, size_t n)
{
	/* For files inside nested archives the persistence location is the inner path. */
	const char *bang = strstr(path, "!/");
	snprintf(out, n, "/%s", bang ? strrchr(path, '!') + 2 : path);
}

struct unwrap_ctx {
	const struct run *r;
	int layer;
};

static void scan_entry(const struct run *r, const struct hh_walk_entry *e, int layer, struct hh_findings *found);

static void scan_unwrapped(void *user, const struct hh_walk_entry *e, struct hh_findings *found)
{
	const struct unwrap_ctx *u = user;
	scan_entry(u->r, e, u->layer, found);
}

/* Content part: runs on any scanner thread; touches only its own list.
 * Payloads wrapped in the file (shell stubs, base64, carved ELF, SFX) are
 * scanned in turn, bounded by scan.max_depth (unwrap_scan.h). */
static void scan_entry(const struct run *r, const struct hh_walk_entry *e, int layer, struct hh_findings *found)
{
	if (e->type != HH_WALK_FILE || !e->len)
		return;
	char display[4300], fs_path[4200], label[96];
	fs_path_of(e->path, fs_path, sizeof(fs_path));
	if (r->image) {
		label_for(r, (size_t)layer, label, sizeof(label));
		snprintf(display, sizeof(display), "%s/%s", label, e->path);
	} else {
		snprintf(display, sizeof(display), "%s", e->path);
	}
	char err[256];
	hh_content_scan_flags(r->content, fs_path, display, e->data, e->len, e->opened ? HH_CONTENT_OPENED_STREAM : 0,
			      found, err, sizeof(err));
	if (err[0])
		hh_warn("scan: %s: %s: %s", r->target, display, err);
	struct unwrap_ctx u = { r, layer };
	hh_unwrap_scan(e, display, r->lim, scan_unwrapped, &u, found);
}

/* Bookkeeping part: runs in reader order, one at a time: whiteouts and
 * replacements, then the entry's findings join the result (ownership moves). */
static void commit_entry(struct run *r, const struct hh_walk_entry *e, int layer, struct hh_findings *found)
{
	/* Whiteouts and replacements concern the layer's own entries (depth 0). */
	if (r->image && e->depth == 0) {
		char target[4096];
		enum hh_wh_kind wk = hh_whiteout_classify(e->path, target, sizeof(target));
		if (wk == HH_WH_FILE) {
			hh_hidden_on_whiteout(&r->hidden, layer, target);
			return;
		}
		if (wk == HH_WH_OPAQUE) {
			hh_hidden_on_opaque(&r->hidden, layer, target);
			return;
		}
		if (e->type != HH_WALK_DIR)
			hh_hidden_on_entry(&r->hidden, layer, e->path);
	}
	if (e->type == HH_WALK_FILE && e->len)
		r->res->files++;
	if (!found->n)
		return;
	char fs_path[4200];
	fs_path_of(e->path, fs_path, sizeof(fs_path));
	size_t cid = SIZE_MAX;
	if (r->image) {
		/* the candidate is the layer entry itself (the outer archive for nested hits) */
		const char *bang = strstr(e->path, "!/");
		char top[4200];
		snprintf(top, sizeof(top), "%.*s", bang ? (int)(bang - e->path) : (int)strlen(e->path), e->path);
		cid = hh_hidden_add(&r->hidden, top, layer);
	}
	size_t first = r->res->findings.n;
	for (size_t i = 0; i < found->n; i++)
		hh_findings_push(&r->res->findings, found->items[i]);
	free(found->items);
	memset(found, 0, sizeof(*found));
	grow_cand(r);
	for (size_t i = first; i < r->res->findings.n; i++) {
		struct hh_finding *f = r->res->findings.items[i];
		hh_finding_set_str(f, "image.path", fs_path);
		if (e->cut)
			hh_finding_evidence_str(f, "note", "file larger than scan.max_file_bytes: first part scanned");
		if (r->image) {
			hh_finding_set_str(f, "image.layer", r->img->layers[layer].digest);
			hh_finding_set_int(f, "image.layer.index", layer);
			if (r->img->tags[0])
				hh_finding_set_str(f, "container.image.repository", r->img->tags);
			if (i < r->cand_cap)
				r->cand[i] = cid;
		}
	}
}

/* Synchronous path (no threads): scan and commit at once. */
static void on_entry(void *user, const struct hh_walk_entry *e)
{
	struct run *r = user;
	struct hh_findings found = { 0 };
	scan_entry(r, e, r->walk_layer < 0 ? 0 : r->walk_layer, &found);
	commit_entry(r, e, r->walk_layer < 0 ? 0 : r->walk_layer, &found);
	hh_findings_clear(&found);
	free(found.items);
}


/* Marks findings of hidden files and adds one scan.hidden-in-layers per file. */
static void finish_hidden(struct run *r)
{
	size_t n = r->res->findings.n;
	/* findings grouped by candidate (linked lists in finding order): one pass, not one per candidate */
	size_t nc = r->hidden.n, lim = n < r->cand_cap ? n : r->cand_cap;
	size_t *first = nc ? malloc(nc * sizeof(*first)) : NULL, *next = lim ? malloc(lim * sizeof(*next)) : NULL;
	if ((nc && !first) || (lim && !next)) {
		free(first);
		free(next);
		hh_err("scan: %s: out of memory marking hidden-in-layers findings", r->target);
		return;
	}
	for (size_t c = 0; c < nc; c++)
		first[c] = SIZE_MAX;
	for (size_t i = lim; i-- > 0;) {
		size_t c = r->cand[i];
		next[i] = SIZE_MAX;
		if (c < nc) {
			next[i] = first[c];
			first[c] = i;
		}
	}
	for (size_t c = 0; c < r->hidden.n; c++) {
		struct hh_hidden_cand *hc = &r->hidden.c[c];
		if (hc->hidden_layer < 0)
			continue;
		enum hh_severity max = HH_SEV_INFO;
		char rules[400] = "";
		size_t used = 0;
		const char *display = NULL;
		for (size_t i = first[c]; i != SIZE_MAX; i = next[i]) {
			struct hh_finding *f = r->res->findings.items[i];
			hh_finding_set_str(f, "image.hidden_in_layers", "true");
			hh_finding_set_str(f, "image.hidden.by_layer", r->img->layers[hc->hidden_layer].digest);
			hh_finding_evidence_str(f, "merged.filesystem", hh_hidden_how_name(hc->how));
			if (f->severity > max)
				max = f->severity;
			if (used < sizeof(rules) - 100)
				used += (size_t)snprintf(rules + used, sizeof(rules) - used, "%s%s", used ? "," : "", f->rule);
			if (!display)
				display = json_string_value(json_object_get(f->fields, "file.path"));
		}
		if (!display)
			continue;
		struct hh_finding *h = hh_finding_new("scan", "scan.hidden-in-layers",
						      "Flagged file removed from the merged filesystem but still shipped in a lower layer",
						      max, 0.9);
		if (!h)
			continue;
		hh_finding_add_mitre(h, "T1564");
		hh_finding_add_mitre(h, "T1496");
		hh_finding_set_str(h, "file.path", display);
		char p[4200];
		snprintf(p, sizeof(p), "/%s", hc->path);
		hh_finding_set_str(h, "image.path", p);
		hh_finding_set_str(h, "image.layer", r->img->layers[hc->layer].digest);
		hh_finding_set_int(h, "image.layer.index", hc->layer);
		hh_finding_set_str(h, "image.hidden.by_layer", r->img->layers[hc->hidden_layer].digest);
		hh_finding_set_int(h, "image.hidden.by_layer.index", hc->hidden_layer);
		if (r->img->tags[0])
			hh_finding_set_str(h, "container.image.repository", r->img->tags);
		hh_finding_evidence_str(h, "how", hh_hidden_how_name(hc->how));
		hh_finding_evidence_str(h, "content.rules", rules);
		hh_findings_push(&r->res->findings, h);
	}
	for (size_t i = 0; i < n && i < r->cand_cap; i++)
		if (r->cand[i] != SIZE_MAX && !json_object_get(r->res->findings.items[i]->fields, "image.hidden_in_layers"))
			hh_finding_set_str(r->res->findings.items[i], "image.hidden_in_layers", "false");
	free(first);
	free(next);
}

/* Reader side: copies the entry into the queue (waits while it is full). */
static void on_entry_async(void *user, const struct hh_walk_entry *e)
{
	struct run *r = user;
	struct qitem *it = calloc(1, sizeof(*it));
	if (!it)
		return;
	it->e = *e;
	it->layer = r->walk_layer;
	it->path = strdup(e->path);
	it->link = e->link ? strdup(e->link) : NULL;
	if (e->data && e->len && e->take && *e->take == e->data) {
		/* the walker's buffer becomes ours: no copy */
		it->data = *e->take;
		*e->take = NULL;
	} else if (e->data && e->len) {
		it->data = malloc(e->len);
		if (it->data)
			memcpy(it->data, e->data, e->len);
	}
	if (!it->path || (e->len && !it->data)) {
		hh_err("scan: %s: %s: out of memory; entry not scanned", r->target, e->path);
		free(it->path);
		free(it->link);
		free(it->data);
		free(it);
		return;
	}
	it->e.path = it->path;
	it->e.link = it->link;
	it->e.data = it->data;
	it->e.take = NULL;
	pthread_mutex_lock(&r->mu);
	/* A file larger than the queue budget still goes through, alone. */
	while (r->q_items && (r->q_bytes + e->len > Q_MAX_BYTES || r->q_items >= Q_MAX_ITEMS))
		pthread_cond_wait(&r->nonfull, &r->mu);
	if (r->tail)
		r->tail->next = it;
	else
		r->head = it;
	r->tail = it;
	if (!r->next_scan)
		r->next_scan = it;
	r->q_bytes += e->len;
	r->q_items++;
	pthread_cond_signal(&r->nonempty);
	pthread_mutex_unlock(&r->mu);
}

static void free_item(struct qitem *it)
{
	hh_findings_clear(&it->found);
	free(it->found.items);
	free(it->path);
	free(it->link);
	free(it->data);
	free(it);
}

/* Scanner threads: take the oldest unscanned entry, run the content checks
 * without the lock, then commit every finished entry at the head of the
 * queue, in reader order (so whiteouts and findings keep layer order). */
static void *scanner_main(void *arg)
{
	struct run *r = arg;
	pthread_mutex_lock(&r->mu);
	for (;;) {
		while (!r->next_scan && !r->q_done)
			pthread_cond_wait(&r->nonempty, &r->mu);
		struct qitem *it = r->next_scan;
		if (!it)
			break;
		r->next_scan = it->next;
		pthread_mutex_unlock(&r->mu);
		scan_entry(r, &it->e, it->layer, &it->found);
		pthread_mutex_lock(&r->mu);
		it->scanned = true;
		while (r->head && r->head->scanned) {
			struct qitem *h = r->head;
			r->head = h->next;
			if (!r->head)
				r->tail = NULL;
			commit_entry(r, &h->e, h->layer, &h->found);
			r->q_bytes -= h->e.len;
			r->q_items--;
			free_item(h);
		}
		pthread_cond_broadcast(&r->nonfull);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

int hh_scan_target(const char *target, struct hh_content *content, const struct hh_scan_limits *lim,
		   struct hh_scan_result *res)
{
	memset(res, 0, sizeof(*res));
	/* Entries are copied into the reader->scanner queue: keep freed buffers in
	 * the heap instead of mapping and faulting in fresh pages for every file. */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	struct run r = { .target = target, .content = content, .lim = lim, .res = res, .walk_layer = -1 };
	hh_hidden_init(&r.hidden);
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.nonempty, NULL);
	pthread_cond_init(&r.nonfull, NULL);
	struct hh_walk_cb cb = { on_entry_async, on_error, &r };
	pthread_t scanners[HH_SCAN_MAX_THREADS];
	int n_threads = 0;
	bool threaded = false;
	struct hh_image img;
	char err[512];
	if (hh_image_open(target, lim, &img, on_image_error, &r, err, sizeof(err)) < 0) {
		res->errors++;
		hh_err("scan: %s", err);
		return -1;
	}
	r.img = &img;
	res->kind = img.kind;
	hh_info("scan: %s: %s%s%s, %zu layer(s)", target, hh_target_kind_name(img.kind), img.tags[0] ? " " : "",
		img.tags, img.n_layers);
	switch (img.kind) {
	case HH_TARGET_DOCKER_ARCHIVE:
	case HH_TARGET_OCI_LAYOUT:
	case HH_TARGET_OCI_ARCHIVE:
	case HH_TARGET_DOCKER_DIR:
		r.image = true;
		/* config findings come first, before the scanner thread adds any */
		if (img.config) {
			size_t first = res->findings.n;
			hh_image_config_check(img.config, img.config_member, hh_content_intel(content), &res->findings);
			for (size_t i = first; i < res->findings.n; i++)
				if (img.tags[0])
					hh_finding_set_str(res->findings.items[i], "container.image.repository", img.tags);
		}
		for (int t = 0; t < lim->scan_threads && t < HH_SCAN_MAX_THREADS; t++)
			if (pthread_create(&scanners[n_threads], NULL, scanner_main, &r) == 0)
				n_threads++;
		threaded = n_threads > 0;
		if (!threaded)
			cb.entry = on_entry;
		for (size_t i = 0; i < img.n_layers && !r.budget.exhausted; i++) {
			struct hh_blob_src src;
			uint64_t off, size;
			int fd;
			r.walk_layer = (int)i;
			if (hh_image_layer_region(&img, i, &src, &off, &size, &fd, err, sizeof(err)) < 0) {
				on_error(&r, target, "", err);
				continue;
			}
			hh_debug("scan: layer %zu %s (%llu bytes)", i, img.layers[i].digest, (unsigned long long)size);
			hh_walk_blob(&src, off, size, img.layers[i].digest, lim, &r.budget, &cb);
			if (fd >= 0)
				close(fd);
			res->layers++;
		}
		r.walk_layer = -1;
		if (threaded) {
			pthread_mutex_lock(&r.mu);
			r.q_done = true;
			pthread_cond_broadcast(&r.nonempty);
			pthread_mutex_unlock(&r.mu);
			for (int t = 0; t < n_threads; t++)
				pthread_join(scanners[t], NULL);
			threaded = false;
		}
		finish_hidden(&r);
		break;
	case HH_TARGET_TAR:
		cb.entry = on_entry;
		res->layers = 1;
		hh_walk_blob(&img.src, 0, img.src.size, target, lim, &r.budget, &cb);
		break;
	case HH_TARGET_DIR:
		cb.entry = on_entry;
		hh_walk_dir(target, lim, &r.budget, &cb);
		break;
	case HH_TARGET_FILE:
		cb.entry = on_entry;
		hh_walk_file(target, target, lim, &r.budget, &cb);
		break;
	}
	res->bytes = r.budget.bytes;
	hh_image_close(&img);
	hh_hidden_free(&r.hidden);
	free(r.cand);
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.nonempty);
	pthread_cond_destroy(&r.nonfull);
	return 0;
}
