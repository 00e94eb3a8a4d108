#include "detectors/behavior/behavior.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "detectors/behavior/behavior_detect.h"

enum { R_SUSTAINED, R_PLATEAU, R_DUTY, R_REGIME, R_COUNT };
static const char *const rule_ids[R_COUNT] = {
	"behavior.cpu-sustained", "behavior.cpu-plateau", "behavior.cpu-duty-cycle", "behavior.cpu-new-regime",
};

#define MAX_EXECS 8       /* pending regime candidates per workload */
#define MAX_KNOWN_EXES 64 /* exe paths remembered per workload (FIFO) */

struct exec_note {
	double t;
	char exe[256];
};

struct entry {
	struct hh_workload w;
	struct hh_cpu_series cs;
	struct hh_cgroup_stats prev;
	bool have_prev;
	uint64_t touched;               /* LRU clock */
	double last_emit[R_COUNT];
	struct exec_note execs[MAX_EXECS];
	size_t n_execs;
	uint64_t known[MAX_KNOWN_EXES];
	size_t n_known, known_head;
	int next;                       /* hash chain, -1 ends */
};

struct hh_behavior {
	const struct hh_config *cfg;
	struct entry **slots;           /* cap; NULL = free */
	size_t cap, count, ring;
	int *buckets;                   /* nb heads, slot index or -1 */
	size_t nb;
	uint64_t clock;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct hh_behavior *hh_behavior_new(const struct hh_config *cfg)
{
	struct hh_behavior *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->cfg = cfg;
	long long cap = hh_config_int(cfg, NULL, "behavior.max_workloads", 4096);
	long long ring = hh_config_int(cfg, NULL, "behavior.ring_samples", 128);
	b->cap = cap < 1 ? 1 : cap > 1000000 ? 1000000 : (size_t)cap;
	b->ring = ring < 8 ? 8 : ring > 65536 ? 65536 : (size_t)ring;
	for (b->nb = 16; b->nb < 2 * b->cap; b->nb *= 2)
		;
	b->slots = calloc(b->cap, sizeof(*b->slots));
	b->buckets = malloc(b->nb * sizeof(*b->buckets));
	if (!b->slots || !b->buckets) {
		hh_behavior_free(b);
		return NULL;
	}
	for (size_t i = 0; i < b->nb; i++)
		b->buckets[i] = -1;
	return b;
}

static void drop_slot(struct hh_behavior *b, size_t idx)
{
	struct entry *e = b->slots[idx];
	int *link = &b->buckets[fnv1a(e->w.container_id) & (b->nb - 1)];
	while (*link != -1 && *link != (int)idx)
		link = &b->slots[*link]->next;
	if (*link == (int)idx)
		*link = e->next;
	hh_cpu_series_free(&e->cs);
	free(e);
	b->slots[idx] = NULL;
	b->count--;
}

void hh_behavior_free(struct hh_behavior *b)
{
	if (!b)
		return;
	for (size_t i = 0; b->slots && i < b->cap; i++)
		if (b->slots[i])
			drop_slot(b, i);
	free(b->slots);
	free(b->buckets);
	free(b);
}

static int find_idx(const struct hh_behavior *b, const char *id)
{
	for (int i = b->buckets[fnv1a(id) & (b->nb - 1)]; i != -1; i = b->slots[i]->next)
		if (strcmp(b->slots[i]->w.container_id, id) == 0)
			return i;
	return -1;
}

static struct entry *lookup(struct hh_behavior *b, const struct hh_workload *w, bool create)
{
	if (!w->container_id[0])
		return NULL;
	int i = find_idx(b, w->container_id);
	if (i >= 0) {
		struct entry *e = b->slots[i];
		e->touched = ++b->clock;
		if (create)
			e->w = *w; /* identity may have been completed since */
		return e;
	}
	if (!create)
		return NULL;
	if (b->count == b->cap) { /* evict the least recently updated */
		size_t victim = 0;
		for (size_t k = 1; k < b->cap; k++)
			if (b->slots[k]->touched < b->slots[victim]->touched)
				victim = k;
		hh_debug("behavior: table full (%zu), forgetting %.12s", b->cap, b->slots[victim]->w.container_id);
		drop_slot(b, victim);
	}
	size_t idx = 0;
	while (b->slots[idx])
		idx++;
	struct entry *e = calloc(1, sizeof(*e));
	if (!e || hh_cpu_series_init(&e->cs, b->ring) < 0) {
		free(e);
		return NULL;
	}
	e->w = *w;
	e->touched = ++b->clock;
	size_t h = fnv1a(w->container_id) & (b->nb - 1);
	e->next = b->buckets[h];
	b->buckets[h] = (int)idx;
	b->slots[idx] = e;
	b->count++;
	return e;
}

int hh_behavior_add_sample(struct hh_behavior *b, const struct hh_workload *w, const struct hh_cpu_sample *s)
{
	struct entry *e = lookup(b, w, true);
	return e && hh_cpu_series_push(&e->cs, s) ? 1 : 0;
}

int hh_behavior_add_stats(struct hh_behavior *b, const struct hh_workload *w,
			  const struct hh_cgroup_stats *st, int node_cpus)
{
	struct entry *e = lookup(b, w, true);
	if (!e)
		return 0;
	struct hh_cgroup_stats prev = e->prev;
	bool had = e->have_prev;
	e->prev = *st;
	e->have_prev = true;
	if (!had)
		return 0;
	double dt = st->time - prev.time;
	if (!(dt > 0.05) || st->cpu_usage_ns < prev.cpu_usage_ns || st->nr_periods < prev.nr_periods ||
	    st->nr_throttled < prev.nr_throttled) {
		if (st->cpu_usage_ns < prev.cpu_usage_ns) /* recreated under the same id */
			hh_cpu_series_clear(&e->cs);
		return 0;
	}
	struct hh_cpu_sample s = { .t = st->time };
	s.usage = (double)(st->cpu_usage_ns - prev.cpu_usage_ns) / (dt * 1e9);
	if (st->cpu_quota_us > 0 && st->cpu_period_us > 0) {
		s.limit = (double)st->cpu_quota_us / (double)st->cpu_period_us;
		s.has_quota = true;
	} else {
		s.limit = node_cpus > 0 ? node_cpus : 1;
	}
	uint64_t dp = st->nr_periods - prev.nr_periods;
	s.throttled = dp ? (double)(st->nr_throttled - prev.nr_throttled) / (double)dp : 0;
	return hh_cpu_series_push(&e->cs, &s) ? 1 : 0;
}

bool hh_behavior_note_exec(struct hh_behavior *b, const struct hh_workload *w, double t, const char *exe)
{
	if (!exe || !*exe)
		return false;
	struct entry *e = lookup(b, w, true);
	if (!e)
		return false;
	uint64_t h = fnv1a(exe);
	for (size_t i = 0; i < e->n_known; i++)
		if (e->known[i] == h)
			return false;
	e->known[e->known_head] = h;
	e->known_head = (e->known_head + 1) % MAX_KNOWN_EXES;
	if (e->n_known < MAX_KNOWN_EXES)
		e->n_known++;
	if (e->n_execs == MAX_EXECS) { /* keep the newest candidates */
		memmove(&e->execs[0], &e->execs[1], sizeof(e->execs[0]) * (MAX_EXECS - 1));
		e->n_execs--;
	}
	e->execs[e->n_execs].t = t;
	hh_strlcpy(e->execs[e->n_execs].exe, exe, sizeof(e->execs[0].exe));
	e->n_execs++;
	return true;
}

static struct hh_finding *new_finding(const struct entry *e, int rule, const char *title, enum hh_severity sev,
				      double conf, const struct hh_behavior_hit *h)
{
	struct hh_finding *f = hh_finding_new("agent", rule_ids[rule], title, sev, conf);
	if (!f)
		return NULL;
	hh_finding_add_mitre(f, "T1496");
	hh_finding_set_workload(f, &e->w);
	hh_finding_evidence_num(f, "cpu.window_s", h->window_s);
	hh_finding_evidence_num(f, "cpu.samples", (double)h->win.n);
	hh_finding_evidence_num(f, "cpu.usage.mean_cores", h->win.mean);
	hh_finding_evidence_num(f, "cpu.usage.cv", h->win.cv);
	hh_finding_evidence_num(f, "cpu.usage.min_cores", h->win.min);
	hh_finding_evidence_num(f, "cpu.usage.max_cores", h->win.max);
	hh_finding_evidence_num(f, h->win.has_quota ? "cpu.quota_cores" : "node.cpus", h->win.limit);
	hh_finding_evidence_num(f, "cpu.usage.fraction_of_limit", h->win.frac_mean);
	if (h->win.has_quota)
		hh_finding_evidence_num(f, "cpu.throttled_ratio", h->win.throttled_mean);
	return f;
}

static double r3(double x) { return round(x * 1000) / 1000; }

size_t hh_behavior_evaluate(struct hh_behavior *b, const char *container_id, double now,
			    struct hh_findings *out)
{
	int idx = find_idx(b, container_id);
	if (idx < 0)
		return 0;
	struct entry *e = b->slots[idx];
	struct hh_behavior_params p;
	hh_behavior_params_load(&p, b->cfg, &e->w);
	size_t added = 0;
	struct hh_behavior_hit h;
	char title[256];
#define COOLING(r) (e->last_emit[r] > 0 && now - e->last_emit[r] < p.cooldown_s)
#define EMIT(r, f) do { if (f) { hh_findings_push(out, f); e->last_emit[r] = now; added++; } } while (0)

	if (!COOLING(R_PLATEAU) && hh_detect_plateau(&e->cs, &p, now, &h)) {
		if (strcmp(h.kind, "quota") == 0)
			snprintf(title, sizeof(title), "CPU pinned at the cgroup quota (%.2f of %.2f cores, cv %.3f) for %.0f s",
				 h.win.mean, h.win.limit, h.win.cv, h.window_s);
		else
			snprintf(title, sizeof(title), "CPU plateau at a steady %.2f cores (cv %.3f) for %.0f s",
				 h.win.mean, h.win.cv, h.window_s);
		struct hh_finding *f = new_finding(e, R_PLATEAU, title, HH_SEV_MEDIUM,
						   strcmp(h.kind, "quota") == 0 ? 0.5 : 0.4, &h);
		if (f)
			hh_finding_evidence_str(f, "cpu.plateau.kind", h.kind);
		EMIT(R_PLATEAU, f);
	}
	if (!COOLING(R_SUSTAINED) && hh_detect_sustained(&e->cs, &p, now, &h)) {
		snprintf(title, sizeof(title), "Sustained high CPU: %.0f%% of %s for %.0f s", h.win.frac_mean * 100,
			 h.win.has_quota ? "the quota" : "the node's CPUs", h.window_s);
		struct hh_finding *f = new_finding(e, R_SUSTAINED, title, HH_SEV_LOW, 0.3, &h);
		if (f) {
			hh_finding_evidence_num(f, "cpu.sustained.level", p.sustained_min_fraction);
			hh_finding_evidence_num(f, "cpu.sustained.share_above", r3(h.share_above));
		}
		EMIT(R_SUSTAINED, f);
	}
	if (!COOLING(R_DUTY) && hh_detect_duty(&e->cs, &p, now, &h)) {
		snprintf(title, sizeof(title), "CPU duty cycling: %.0f%% on every %.1f s (%d cycles)", h.duty * 100,
			 h.period_s, h.cycles);
		struct hh_finding *f = new_finding(e, R_DUTY, title, HH_SEV_MEDIUM, 0.45, &h);
		if (f) {
			hh_finding_evidence_num(f, "cpu.duty.period_s", r3(h.period_s));
			hh_finding_evidence_num(f, "cpu.duty.period_cv", r3(h.period_cv));
			hh_finding_evidence_num(f, "cpu.duty.fraction", r3(h.duty));
			hh_finding_evidence_num(f, "cpu.duty.cycles", h.cycles);
			hh_finding_evidence_num(f, "cpu.duty.on_cores", r3(h.on_level));
			hh_finding_evidence_num(f, "cpu.duty.off_cores", r3(h.off_level));
			hh_finding_evidence_num(f, "cpu.duty.autocorrelation", r3(h.autocorr));
		}
		EMIT(R_DUTY, f);
	}
	/* Regime candidates: decided once the window after the exec is over. */
	for (size_t i = 0; i < e->n_execs;) {
		bool final = false;
		int r = hh_detect_regime(&e->cs, &p, e->execs[i].t, now, &h, &final);
		if (r == 1 && !COOLING(R_REGIME)) {
			snprintf(title, sizeof(title), "New CPU regime (%.2f -> %.2f cores) after the exec of %s",
				 h.before_mean, h.after_mean, e->execs[i].exe);
			struct hh_finding *f = new_finding(e, R_REGIME, title, HH_SEV_MEDIUM, 0.4, &h);
			if (f) {
				hh_finding_set_str(f, "proc.exepath", e->execs[i].exe);
				hh_finding_evidence_str(f, "exec.exepath", e->execs[i].exe);
				hh_finding_evidence_num(f, "exec.time", e->execs[i].t);
				hh_finding_evidence_num(f, "cpu.before.mean_cores", r3(h.before_mean));
				hh_finding_evidence_num(f, "cpu.after.mean_cores", r3(h.after_mean));
				hh_finding_evidence_num(f, "cpu.regime.shift_cores", r3(h.after_mean - h.before_mean));
			}
			EMIT(R_REGIME, f);
		}
		if (final || now - e->execs[i].t > 4 * p.regime_window_s + 60) {
			memmove(&e->execs[i], &e->execs[i + 1], sizeof(e->execs[0]) * (e->n_execs - i - 1));
			e->n_execs--;
		} else {
			i++;
		}
	}
#undef COOLING
#undef EMIT
	return added;
}

void hh_behavior_forget(struct hh_behavior *b, const char *container_id)
{
	int i = find_idx(b, container_id);
	if (i >= 0)
		drop_slot(b, (size_t)i);
}

size_t hh_behavior_count(const struct hh_behavior *b) { return b->count; }

const struct hh_cpu_series *hh_behavior_series(const struct hh_behavior *b, const char *container_id)
{
	int i = find_idx(b, container_id);
	return i >= 0 ? &b->slots[i]->cs : NULL;
}
