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
#include "detectors/content/script_checks.h"
#include "detectors/content/seen_archives.h"
#include "detectors/content/split_payload.h"
#include "detectors/content/unwrap_payload.h"
#include "detectors/content/unwrap_scan.h"
#include "sources/image/dir_walk.h"
#include "sources/image/whiteout.h"

/* One entry handed from the reader thread to the scanner thread (owned copy). */
struct qitem {
	struct hh_walk_entry e;
	int layer;
	bool scanned;
	struct hh_findings found;   /* from scan_entry, until committed */
	struct hh_split_plan *plans; /* reassembly commands in this script (owned) */
	size_t n_plans;
	bool warned;                /* the content checks logged a warning */
	/* archives already scanned (seen_archives.h) */
	bool tagged;                /* opened, its verdict to be recorded */
	bool marker;                /* not an entry: the end of a tagged archive's walk */
	int marker_errors;          /* input errors of that walk */
	uint64_t known_files;       /* left closed as a clean copy: the files it holds */
	uint8_t digest[32];
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
	/* payloads split across layers: the merged view and the scripts' plans */
	struct hh_merged *merged;
	struct split_cmd *splits;
	size_t n_splits;
	/* archives in layers already scanned clean: not opened again. The
	 * verdict of the one being scanned builds up in commit order. */
	struct hh_seen_archives *seen;
	pthread_cond_t verdict;     /* a pending digest got its verdict */
	struct {
		bool active, clean;
		uint8_t digest[32];
		uint64_t files;
	} trk;	/* reader side: the end marker of the tagged archive being walked,
	 * allocated before it is tagged (so a verdict never waits on memory) */
	struct qitem *marker;
	bool tag_open;
	/* progress of long scans (reader side) */
	double last_report;
	uint64_t n_read;
};

/* Archives smaller than this are opened every time: the digest would cost
 * about what it saves. */
#define SEEN_MIN_BYTES 1024

#define MAX_SPLITS 64

struct split_cmd {
	char script[4096];          /* path in the image (no leading '/') or the config member */
	char display[4300];
	int layer;
	bool config;                /* from the image config's Entrypoint/Cmd */
	struct hh_split_plan plan;
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

static bool scan_entry(const struct run *r, const struct hh_walk_entry *e, int layer, struct hh_findings *found);

static void scan_unwrapped(void *user, const struct hh_walk_entry *e, struct hh_findings *found)
{
	const struct unwrap_ctx *u = user;
	scan_entry(u->r, e, u->layer, found);
}

/* Content part: runs on any scanner thread; touches only its own list.
 * Payloads wrapped in the file (shell stubs, base64, carved ELF, SFX) are
 * scanned in turn, bounded by scan.max_depth (unwrap_scan.h). Returns
 * whether the checks logged a warning. */
static bool scan_entry(const struct run *r, const struct hh_walk_entry *e, int layer, struct hh_findings *found)
{
	if (e->type != HH_WALK_FILE || !e->len)
		return false;
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
	return err[0] != 0;
}

/* ---- archives already scanned (seen_archives.h): only archives of the
 * layer itself (depth 0), whole (not cut at scan.max_file_bytes). ---- */

/* Reader side, before the entry is queued (under r->mu when threaded): an
 * archive known clean is left closed (*known_files: what it holds); a new one
 * is tagged so that its verdict is recorded when its walk is committed. */
static void seen_decide(struct run *r, const struct hh_walk_entry *e, const uint8_t d[32], bool threaded,
			bool *tagged, uint64_t *known_files)
{
	*tagged = false;
	for (;;) {
		uint64_t files = 0;
		enum hh_seen_state st = hh_seen_get(r->seen, d, &files);
		if (st == HH_SEEN_PENDING && threaded) {
			/* an earlier copy's walk is queued in full (its end marker too):
			 * its verdict comes with the scanner threads' next commits */
			pthread_cond_wait(&r->verdict, &r->mu);
			continue;
		}
		if (st == HH_SEEN_CLEAN) {
			*e->skip_open = true;
			*known_files = files;
		} else if (st == HH_SEEN_NONE) {
			*tagged = hh_seen_begin(r->seen, d);
		}
		return;
	}
}

static bool seen_wanted(const struct run *r, const struct hh_walk_entry *e)
{
	return r->seen && e->skip_open && e->depth == 0 && !e->cut && e->len >= SEEN_MIN_BYTES;
}

/* Commit side, in reader order: a tagged archive starts a verdict, the
 * entries of its walk (depth > 0) keep it clean only without a finding or a
 * warning. */
static void seen_track(struct run *r, bool tagged, const uint8_t d[32], const struct hh_walk_entry *e,
		       size_t n_found, bool warned)
{
	if (tagged) {
		r->trk.active = true;
		r->trk.clean = true;
		r->trk.files = 0;
		memcpy(r->trk.digest, d, 32);
		return;
	}
	if (!r->trk.active || e->depth == 0)
		return;
	if (n_found || warned)
		r->trk.clean = false;
	if (e->type == HH_WALK_FILE && e->len)
		r->trk.files++;
}

/* The tagged archive's walk ended (errors: its input errors). */
static void seen_close(struct run *r, int errors)
{
	if (!r->trk.active)
		return;
	hh_seen_end(r->seen, r->trk.digest, r->trk.clean && !errors, r->trk.files);
	r->trk.active = false;
}

/* A script of the image (#! line, *.sh, or a cron/systemd/rc/profile file)
 * may rebuild a payload from other files: its plans, for after the walk. */
static size_t find_plans(const struct run *r, const struct hh_walk_entry *e, struct hh_split_plan **out)
{
	*out = NULL;
	if (!r->image || e->type != HH_WALK_FILE || e->depth != 0 || e->len < 8 || e->len > (1u << 20))
		return 0;
	size_t pl = strlen(e->path);
	bool script = !memcmp(e->data, "#!", 2) || (pl > 3 && !strcmp(e->path + pl - 3, ".sh"));
	if (!script) {
		char fs[4200];
		fs_path_of(e->path, fs, sizeof(fs));
		script = hh_persist_kind(fs) != HH_PERSIST_NONE;
	}
	if (!script || memchr(e->data, 0, e->len < 8192 ? e->len : 8192))
		return 0;
	struct hh_split_plan tmp[HH_SPLIT_MAX_PLANS];
	size_t n = hh_split_find((const char *)e->data, e->len, tmp, HH_SPLIT_MAX_PLANS);
	if (!n)
		return 0;
	*out = malloc(n * sizeof(**out));
	if (!*out)
		return 0;
	memcpy(*out, tmp, n * sizeof(**out));
	return n;
}

static void keep_plans(struct run *r, const char *script, const char *display, int layer,
		       const struct hh_split_plan *plans, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (r->n_splits >= MAX_SPLITS) {
			hh_warn("scan: %s: more than %d reassembly commands in scripts: the rest not followed", r->target,
				MAX_SPLITS);
			return;
		}
		if (!r->splits && !(r->splits = calloc(MAX_SPLITS, sizeof(*r->splits))))
			return;
		struct split_cmd *sc = &r->splits[r->n_splits++];
		snprintf(sc->script, sizeof(sc->script), "%s", script);
		snprintf(sc->display, sizeof(sc->display), "%s", display);
		sc->layer = layer;
		sc->plan = plans[i];
	}
}

/* Bookkeeping part: runs in reader order, one at a time: whiteouts and
 * replacements, then the entry's findings join the result (ownership moves). */
static void commit_entry(struct run *r, const struct hh_walk_entry *e, int layer, struct hh_findings *found,
			 const struct hh_split_plan *plans, size_t n_plans)
{
	/* Whiteouts and replacements concern the layer's own entries (depth 0). */
	if (r->image && e->depth == 0) {
		char target[4096];
		enum hh_wh_kind wk = hh_whiteout_classify(e->path, target, sizeof(target));
		if (wk == HH_WH_FILE) {
			hh_hidden_on_whiteout(&r->hidden, layer, target);
			if (r->merged)
				hh_merged_whiteout(r->merged, target, layer);
			return;
		}
		if (wk == HH_WH_OPAQUE) {
			hh_hidden_on_opaque(&r->hidden, layer, target);
			if (r->merged)
				hh_merged_opaque(r->merged, target, layer);
			return;
		}
		if (e->type != HH_WALK_DIR)
			hh_hidden_on_entry(&r->hidden, layer, e->path);
		if (r->merged && (e->type == HH_WALK_FILE || e->type == HH_WALK_HARDLINK || e->type == HH_WALK_SYMLINK))
			hh_merged_add(r->merged, e->path, e->type == HH_WALK_SYMLINK ? e->link : NULL, layer);
		if (n_plans) {
			char display[4300], label[96];
			label_for(r, (size_t)layer, label, sizeof(label));
			snprintf(display, sizeof(display), "%s/%s", label, e->path);
			keep_plans(r, e->path, display, layer, plans, n_plans);
		}
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

/* Reader side: a long scan says how far it got, every lim->progress_s
 * seconds (the clock is read every 256 entries). */
static void progress(struct run *r)
{
	if (++r->n_read % 256 || r->lim->progress_s <= 0)
		return;
	double t = hh_mono();
	if (t - r->last_report < r->lim->progress_s)
		return;
	r->last_report = t;
	if (r->img && r->walk_layer >= 0)
		hh_info("scan: %s: layer %d/%zu, %.1f MB read, %llu entries", r->target, r->walk_layer + 1,
			r->img->n_layers, (double)r->budget.bytes / 1e6, (unsigned long long)r->n_read);
	else
		hh_info("scan: %s: %.1f MB read, %llu entries", r->target, (double)r->budget.bytes / 1e6,
			(unsigned long long)r->n_read);
}

/* Synchronous path (no threads): scan and commit at once. */
static void on_entry(void *user, const struct hh_walk_entry *e)
{
	struct run *r = user;
	progress(r);
	struct hh_findings found = { 0 };
	struct hh_split_plan *plans;
	size_t n_plans = find_plans(r, e, &plans);
	bool tagged = false;
	uint64_t known_files = 0;
	uint8_t d[32];
	if (seen_wanted(r, e)) {
		hh_seen_digest(e->data, e->len, d);
		seen_decide(r, e, d, false, &tagged, &known_files);
	}
	bool warned = scan_entry(r, e, r->walk_layer < 0 ? 0 : r->walk_layer, &found);
	seen_track(r, tagged, d, e, found.n, warned);
	r->res->files += known_files;
	commit_entry(r, e, r->walk_layer < 0 ? 0 : r->walk_layer, &found, plans, n_plans);
	free(plans);
	hh_findings_clear(&found);
	free(found.items);
}


/* ---- payloads split across layers: after the walk, each script's plan is
 * replayed on the merged filesystem: the parts are read again from the
 * layers that provide them, joined, decoded and scanned like any file. ---- */

struct part_want {
	int layer;
	char path[256];
	uint8_t *data;
	size_t len;
	bool got;
};

struct part_pick {
	struct part_want *w;
	size_t n;
	int layer;
	uint64_t used, cap;
};

static void on_pick(void *user, const struct hh_walk_entry *e)
{
	struct part_pick *pp = user;
	if (e->type != HH_WALK_FILE || e->depth)
		return;
	for (size_t i = 0; i < pp->n; i++) {
		struct part_want *w = &pp->w[i];
		if (w->layer != pp->layer || strcmp(w->path, e->path))
			continue;
		if (pp->used + e->len > pp->cap)
			return;
		uint8_t *d = malloc(e->len ? e->len : 1);
		if (!d)
			return;
		memcpy(d, e->data, e->len);
		free(w->data);
		w->data = d;
		w->len = e->len;
		w->got = true;
		pp->used += e->len;
	}
}

struct split_inner {
	const struct run *r;
	int layer;
	struct hh_findings *found;
};

static void on_split_inner(void *user, const struct hh_walk_entry *e)
{
	struct split_inner *si = user;
	scan_entry(si->r, e, si->layer, si->found);
}

static void split_findings(struct run *r, const struct split_cmd *sc, const char *parts_ev, bool other_layer,
			   const uint8_t *buf, size_t len)
{
	char path[4400];
	snprintf(path, sizeof(path), "%s!/split-payload", sc->script);
	struct hh_walk_entry e = { .path = path, .type = HH_WALK_FILE, .depth = 1, .size = len, .data = buf, .len = len };
	struct hh_findings found = { 0 };
	scan_entry(r, &e, sc->layer, &found);
	if (hh_looks_archive(buf, len) && r->lim->max_depth > 1) {
		char prefix[4500];
		snprintf(prefix, sizeof(prefix), "%s!/", path);
		struct hh_walk_budget budget = { 0 };
		struct split_inner si = { r, sc->layer, &found };
		struct hh_walk_cb cb = { on_split_inner, NULL, &si, NULL };
		hh_walk_memory(buf, len, r->target, prefix, 2, r->lim, &budget, &cb);
	}
	const char *fmt = hh_payload_format(buf, len);
	bool exe = fmt && (!strcmp(fmt, "elf") || !strcmp(fmt, "pe"));
	enum hh_severity max = HH_SEV_INFO;
	bool miner = false;
	for (size_t i = 0; i < found.n; i++) {
		struct hh_finding *f = found.items[i];
		if (f->severity > max)
			max = f->severity;
		if (f->severity >= HH_SEV_HIGH)
			miner = true;
		hh_finding_evidence_str(f, "wrapper", "split-layers");
		hh_finding_evidence_str(f, "split.parts", parts_ev);
		hh_finding_evidence_str(f, "split.command", sc->plan.cmd);
	}
	if (found.n || exe) {
		enum hh_severity sev = found.n ? max : HH_SEV_MEDIUM;
		if (sev < HH_SEV_MEDIUM && exe)
			sev = HH_SEV_MEDIUM;
		struct hh_finding *f = hh_finding_new(
			"scan", "scan.split-payload",
			other_layer ? "Script rebuilds a payload from files in other layers" : "Script rebuilds a payload from other files",
			sev, miner ? 0.9 : 0.7);
		if (f) {
			hh_finding_add_mitre(f, "T1027");
			hh_finding_add_mitre(f, "T1140");
			if (miner)
				hh_finding_add_mitre(f, "T1496");
			hh_finding_set_str(f, "file.path", sc->display);
			hh_finding_set_int(f, "file.line", (long long)sc->plan.line);
			hh_finding_evidence_str(f, "split.command", sc->plan.cmd);
			hh_finding_evidence_str(f, "split.parts", parts_ev);
			hh_finding_evidence_str(f, "split.decoders", sc->plan.decoders[0] ? sc->plan.decoders : "none (joined)");
			hh_finding_evidence_str(f, "payload.format", fmt ? fmt : "data");
			hh_finding_evidence_num(f, "payload.bytes", (double)len);
			if (found.n) {
				char rules[400] = "";
				size_t used = 0;
				for (size_t i = 0; i < found.n && used < sizeof(rules) - 100; i++)
					used += (size_t)snprintf(rules + used, sizeof(rules) - used, "%s%s", used ? "," : "",
								 found.items[i]->rule);
				hh_finding_evidence_str(f, "content.rules", rules);
			}
			hh_findings_push(&found, f);
		}
	}
	char fs_path[4200];
	snprintf(fs_path, sizeof(fs_path), "/%s", sc->script);
	for (size_t i = 0; i < found.n; i++) {
		if (sc->config)
			hh_finding_set_str(found.items[i], "image.config.command", sc->plan.cmd);
		struct hh_finding *f = found.items[i];
		if (!sc->config)
			hh_finding_set_str(f, "image.path", fs_path);
		if (sc->layer >= 0 && (size_t)sc->layer < r->img->n_layers) {
			hh_finding_set_str(f, "image.layer", r->img->layers[sc->layer].digest);
			hh_finding_set_int(f, "image.layer.index", sc->layer);
		}
		hh_finding_set_str(f, "image.hidden_in_layers", "false");
		if (r->img->tags[0])
			hh_finding_set_str(f, "container.image.repository", r->img->tags);
		hh_findings_push(&r->res->findings, f);
	}
	free(found.items);
}

static void follow_splits(struct run *r)
{
	if (!r->n_splits || !r->merged)
		return;
	if (hh_merged_full(r->merged))
		hh_warn("scan: %s: more files than the merged view holds: split payloads may be missed", r->target);
	size_t cap = r->n_splits * HH_SPLIT_MAX_PARTS;
	struct part_want *w = calloc(cap, sizeof(*w));
	size_t (*idx)[HH_SPLIT_MAX_PARTS] = calloc(r->n_splits, sizeof(*idx));
	bool *ok = calloc(r->n_splits, sizeof(*ok));
	size_t nw = 0;
	if (!w || !idx || !ok)
		goto out;
	for (size_t s = 0; s < r->n_splits; s++) {
		const struct hh_split_plan *p = &r->splits[s].plan;
		ok[s] = true;
		for (size_t k = 0; k < p->n_parts && ok[s]; k++) {
			char res[256];
			int layer = hh_merged_resolve(r->merged, p->parts[k], res, sizeof(res));
			if (layer < 0) {
				hh_debug("scan: %s: %s: /%s is not in the merged filesystem", r->target, r->splits[s].display,
					 p->parts[k]);
				ok[s] = false;
				break;
			}
			size_t j = 0;
			while (j < nw && !(w[j].layer == layer && !strcmp(w[j].path, res)))
				j++;
			if (j == nw) {
				w[nw].layer = layer;
				snprintf(w[nw].path, sizeof(w[nw].path), "%s", res);
				nw++;
			}
			idx[s][k] = j;
		}
	}
	struct hh_scan_limits lim0 = *r->lim;
	lim0.max_depth = 0; /* the parts themselves, not what is inside them */
	struct part_pick pp = { w, nw, 0, 0, r->lim->max_file_bytes };
	for (size_t L = 0; L < r->img->n_layers; L++) {
		bool need = false;
		for (size_t j = 0; j < nw && !need; j++)
			need = w[j].layer == (int)L;
		if (!need)
			continue;
		struct hh_blob_src src;
		uint64_t off, size;
		int fd;
		char err[512];
		if (hh_image_layer_region(r->img, L, &src, &off, &size, &fd, err, sizeof(err)) < 0)
			continue;
		pp.layer = (int)L;
		struct hh_walk_budget budget = { 0 };
		struct hh_walk_cb cb = { on_pick, NULL, &pp, NULL };
		hh_walk_blob(&src, off, size, r->img->layers[L].digest, &lim0, &budget, &cb);
		if (fd >= 0)
			close(fd);
	}
	for (size_t s = 0; s < r->n_splits; s++) {
		const struct split_cmd *sc = &r->splits[s];
		if (!ok[s])
			continue;
		size_t total = 0;
		bool all = true, other = false;
		char parts_ev[1024] = "";
		size_t used = 0;
		for (size_t k = 0; k < sc->plan.n_parts; k++) {
			const struct part_want *pw = &w[idx[s][k]];
			all = all && pw->got;
			total += pw->len;
			other = other || pw->layer != sc->layer;
			if (used < sizeof(parts_ev) - 1)
				used += (size_t)snprintf(parts_ev + used, sizeof(parts_ev) - used, "%s/%s (layer %d)",
							 used ? ", " : "", pw->path, pw->layer);
		}
		if (!all || !total || total > r->lim->max_file_bytes)
			continue;
		uint8_t *buf = malloc(total);
		if (!buf)
			continue;
		size_t o = 0;
		for (size_t k = 0; k < sc->plan.n_parts; k++) {
			const struct part_want *pw = &w[idx[s][k]];
			memcpy(buf + o, pw->data, pw->len);
			o += pw->len;
		}
		size_t len = hh_split_decode(&sc->plan, buf, total);
		if (len)
			split_findings(r, sc, parts_ev, other, buf, len);
		free(buf);
	}
out:
	for (size_t j = 0; j < nw; j++)
		free(w[j].data);
	free(w);
	free(idx);
	free(ok);
}

/* The image's Entrypoint and Cmd, joined into one command line (exec form
 * ["base64","-d","/x"] and shell form ["/bin/sh","-c","cat /a /b | ..."] alike). */
static void config_plans(struct run *r)
{
	const json_t *cfg = json_object_get(r->img->config, "config");
	if (!cfg)
		cfg = json_object_get(r->img->config, "Config");
	static const char *const keys[] = { "Entrypoint", "Cmd" };
	char line[8192];
	size_t used = 0;
	line[0] = 0;
	for (size_t k = 0; k < 2; k++) {
		const json_t *a = json_object_get(cfg, keys[k]);
		for (size_t i = 0; i < json_array_size(a); i++) {
			const char *w = json_string_value(json_array_get(a, i));
			if (w && used < sizeof(line) - 1)
				used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s", used ? " " : "", w);
		}
	}
	if (used >= sizeof(line))
		used = sizeof(line) - 1;
	struct hh_split_plan plans[HH_SPLIT_MAX_PLANS];
	size_t n = hh_split_find(line, used, plans, HH_SPLIT_MAX_PLANS);
	size_t before = r->n_splits;
	if (n)
		keep_plans(r, r->img->config_member, r->img->config_member,
			   r->img->n_layers ? (int)r->img->n_layers - 1 : 0, plans, n);
	for (size_t i = before; i < r->n_splits; i++)
		r->splits[i].config = true;
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

/* Reader side, under r->mu: appends it to the queue, waiting while the queue
 * is full (a file larger than the queue budget still goes through, alone). */
static void enqueue_locked(struct run *r, struct qitem *it)
{
	while (r->q_items && (r->q_bytes + it->e.len > Q_MAX_BYTES || r->q_items >= Q_MAX_ITEMS))
		pthread_cond_wait(&r->nonfull, &r->mu);
	if (r->tail)
		r->tail->next = it;
	else
		r->head = it;
	r->tail = it;
	if (!r->next_scan)
		r->next_scan = it;
	r->q_bytes += it->e.len;
	r->q_items++;
	pthread_cond_signal(&r->nonempty);
}

/* Reader side: copies the entry into the queue (waits while it is full). */
static void on_entry_async(void *user, const struct hh_walk_entry *e)
{
	struct run *r = user;
	progress(r);
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
	it->e.skip_open = NULL;
	bool want_seen = seen_wanted(r, e) && (r->marker || (r->marker = calloc(1, sizeof(*r->marker))));
	if (want_seen)
		hh_seen_digest(e->data, e->len, it->digest);
	pthread_mutex_lock(&r->mu);
	if (want_seen) {
		seen_decide(r, e, it->digest, true, &it->tagged, &it->known_files);
		r->tag_open = it->tagged;
	}
	enqueue_locked(r, it);
	pthread_mutex_unlock(&r->mu);
}

/* Reader side: the walk of an archive opened at depth 0 ended; when it was
 * tagged, its end marker goes into the queue and closes its verdict in commit
 * order. */
static void on_opened_done_async(void *user, const char *path, int depth, int errors)
{
	(void)path;
	struct run *r = user;
	if (depth != 0 || !r->tag_open)
		return;
	struct qitem *it = r->marker;
	r->marker = NULL;
	r->tag_open = false;
	it->marker = true;
	it->marker_errors = errors;
	it->e.path = "";
	it->e.type = HH_WALK_OTHER; /* taken by a scanner like an entry (nothing to scan) */
	pthread_mutex_lock(&r->mu);
	enqueue_locked(r, it);
	pthread_mutex_unlock(&r->mu);
}

static void on_opened_done(void *user, const char *path, int depth, int errors)
{
	(void)path;
	struct run *r = user;
	if (depth == 0)
		seen_close(r, errors);
}

static void free_item(struct qitem *it)
{
	free(it->plans);
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
		if (!it->marker) {
			it->n_plans = find_plans(r, &it->e, &it->plans);
			it->warned = scan_entry(r, &it->e, it->layer, &it->found);
		}
		pthread_mutex_lock(&r->mu);
		it->scanned = true;
		while (r->head && r->head->scanned) {
			struct qitem *h = r->head;
			r->head = h->next;
			if (!r->head)
				r->tail = NULL;
			if (h->marker) {
				seen_close(r, h->marker_errors);
				pthread_cond_broadcast(&r->verdict);
				r->q_items--;
				free_item(h);
				continue;
			}
			seen_track(r, h->tagged, h->digest, &h->e, h->found.n, h->warned);
			r->res->files += h->known_files;
			commit_entry(r, &h->e, h->layer, &h->found, h->plans, h->n_plans);
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
	struct run r = { .target = target, .content = content, .lim = lim, .res = res, .walk_layer = -1,
			 .last_report = hh_mono() };
	hh_hidden_init(&r.hidden);
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.nonempty, NULL);
	pthread_cond_init(&r.nonfull, NULL);
	pthread_cond_init(&r.verdict, NULL);
	r.seen = hh_seen_new(); /* NULL: every archive is opened */
	struct hh_walk_cb cb = { on_entry_async, on_error, &r, on_opened_done_async };
	pthread_t scanners[HH_SCAN_MAX_THREADS];
	int n_threads = 0;
	bool threaded = false;
	struct hh_image img;
	char err[512];
	if (hh_image_open(target, lim, &img, on_image_error, &r, err, sizeof(err)) < 0) {
		res->errors++;
		hh_err("scan: %s", err);
		hh_seen_free(r.seen);
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
		r.merged = hh_merged_new();
		if (img.config)
			config_plans(&r);
		for (int t = 0; t < lim->scan_threads && t < HH_SCAN_MAX_THREADS; t++)
			if (pthread_create(&scanners[n_threads], NULL, scanner_main, &r) == 0)
				n_threads++;
		threaded = n_threads > 0;
		if (!threaded) {
			cb.entry = on_entry;
			cb.opened_done = on_opened_done;
		}
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
		follow_splits(&r);
		break;
	case HH_TARGET_TAR:
		cb.entry = on_entry;
		cb.opened_done = on_opened_done;
		res->layers = 1;
		hh_walk_blob(&img.src, 0, img.src.size, target, lim, &r.budget, &cb);
		break;
	case HH_TARGET_DIR:
		cb.entry = on_entry;
		cb.opened_done = on_opened_done;
		hh_walk_dir(target, lim, &r.budget, &cb);
		break;
	case HH_TARGET_FILE:
		cb.entry = on_entry;
		cb.opened_done = on_opened_done;
		hh_walk_file(target, target, lim, &r.budget, &cb);
		break;
	}
	res->bytes = r.budget.bytes;
	hh_image_close(&img);
	hh_hidden_free(&r.hidden);
	hh_merged_free(r.merged);
	free(r.splits);
	free(r.cand);
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.nonempty);
	pthread_cond_destroy(&r.nonfull);
	pthread_cond_destroy(&r.verdict);
	hh_seen_free(r.seen);
	free(r.marker);
	return 0;
}
