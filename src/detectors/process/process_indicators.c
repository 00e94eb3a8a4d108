/* Process inventory detector: indicators in what a process says about
 * itself (cmdline, env), in what it is (exe content), and where its exe
 * came from (upper layer, memfd, deleted). */
#include "detectors/process/process_indicators.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detectors/indicators/text_indicators.h"

#define MAX_IND 32

struct hh_procind {
	uint64_t *cur, *old;    /* open addressing, 0 = empty */
	size_t cap, nbuckets, n;
};

struct hh_procind *hh_procind_new(size_t cap)
{
	struct hh_procind *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->cap = cap ? cap : 16384;
	d->nbuckets = 16;
	while (d->nbuckets < d->cap * 2)
		d->nbuckets <<= 1;
	d->cur = calloc(d->nbuckets, sizeof(uint64_t));
	d->old = calloc(d->nbuckets, sizeof(uint64_t));
	if (!d->cur || !d->old) {
		hh_procind_free(d);
		return NULL;
	}
	return d;
}

void hh_procind_free(struct hh_procind *d)
{
	if (!d)
		return;
	free(d->cur);
	free(d->old);
	free(d);
}

static bool table_has(const uint64_t *t, size_t nb, uint64_t k)
{
	for (size_t i = k & (nb - 1);; i = (i + 1) & (nb - 1)) {
		if (t[i] == k)
			return true;
		if (t[i] == 0)
			return false;
	}
}

static void table_put(uint64_t *t, size_t nb, uint64_t k)
{
	size_t i = k & (nb - 1);
	while (t[i] && t[i] != k)
		i = (i + 1) & (nb - 1);
	t[i] = k;
}

/* Returns true the first time key is seen (then remembers it). */
static bool first_time(struct hh_procind *d, uint64_t k)
{
	if (k == 0)
		k = 1;
	if (table_has(d->cur, d->nbuckets, k))
		return false;
	if (table_has(d->old, d->nbuckets, k)) {
		table_put(d->cur, d->nbuckets, k);
		d->n++;
		return false;
	}
	if (d->n >= d->cap) { /* rotate generations: bounded memory, recent keys kept */
		uint64_t *t = d->old;
		d->old = d->cur;
		d->cur = t;
		memset(d->cur, 0, d->nbuckets * sizeof(uint64_t));
		d->n = 0;
	}
	table_put(d->cur, d->nbuckets, k);
	d->n++;
	return true;
}

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (h ^ 0xff) * 1099511628211ull;
}

static uint64_t key_of(const char *rule, const struct hh_event *ev)
{
	uint64_t h = 1469598103934665603ull;
	h = fnv(h, rule);
	h = fnv(h, ev->workload.container_id);
	h = (h ^ (uint64_t)(uint32_t)ev->pid) * 1099511628211ull;
	return fnv(h, ev->exepath);
}

static struct hh_finding *new_finding(const struct hh_event *ev, const char *rule, const char *title,
				      enum hh_severity sev, double conf, const char *mitre)
{
	struct hh_finding *f = hh_finding_new("agent", rule, title, sev, conf);
	if (!f)
		return NULL;
	hh_finding_add_mitre(f, mitre);
	hh_finding_set_workload(f, &ev->workload);
	hh_finding_set_int(f, "proc.pid", ev->pid);
	hh_finding_set_int(f, "proc.ppid", ev->ppid);
	hh_finding_set_str(f, "proc.name", ev->comm);
	if (ev->pcomm[0])
		hh_finding_set_str(f, "proc.pname", ev->pcomm);
	if (ev->exepath[0])
		hh_finding_set_str(f, "proc.exepath", ev->exepath);
	if (ev->cmdline[0])
		hh_finding_set_str(f, "proc.cmdline", ev->cmdline);
	if (ev->exe_sha256[0])
		hh_finding_set_str(f, "proc.exe.sha256", ev->exe_sha256);
	if (ev->exe_traits[0])
		hh_finding_set_str(f, "proc.exe.miner_traits", ev->exe_traits);
	return f;
}

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Does the process's name (comm, exe file name) say "miner"? */
static bool name_says_miner(const struct hh_event *ev)
{
	char names[HH_EV_COMM_LEN + HH_EV_PATH_LEN + 2];
	snprintf(names, sizeof(names), "%s %s", ev->comm, basename_of(ev->exepath));
	struct hh_indicator ind[8];
	size_t n = hh_indicators_scan(names, strlen(names), ind, 8);
	for (size_t i = 0; i < n; i++)
		if (ind[i].kind == HH_IND_MINER_NAME)
			return true;
	return false;
}

static void push(struct hh_findings *out, struct hh_finding *f, size_t *added)
{
	if (f) {
		hh_findings_push(out, f);
		(*added)++;
	}
}

size_t hh_procind_eval(struct hh_procind *d, const struct hh_event *ev, struct hh_findings *out)
{
	size_t added = 0;
	if (!ev || ev->type != HH_EV_PROC)
		return 0;

	/* cmdline and environment */
	struct hh_indicator ic[MAX_IND], ie[MAX_IND], all[2 * MAX_IND];
	size_t nc = hh_indicators_scan(ev->cmdline, strnlen(ev->cmdline, sizeof(ev->cmdline)), ic, MAX_IND);
	size_t ne = hh_indicators_scan(ev->env, strnlen(ev->env, sizeof(ev->env)), ie, MAX_IND);
	if (nc + ne && first_time(d, key_of("miner.process-indicators", ev))) {
		memcpy(all, ic, nc * sizeof(*ic));
		memcpy(all + nc, ie, ne * sizeof(*ie));
		char why[128];
		enum hh_severity sev = hh_indicators_assess(all, nc + ne, why, sizeof(why));
		struct hh_finding *f = new_finding(ev, "miner.process-indicators",
						   "Process shows cryptominer indicators in its command line or environment",
						   sev, sev >= HH_SEV_HIGH ? 0.9 : sev >= HH_SEV_MEDIUM ? 0.6 : 0.3, "T1496");
		if (f) {
			hh_indicators_to_evidence(f, "cmdline", ic, nc);
			hh_indicators_to_evidence(f, "env", ie, ne);
			hh_finding_set_severity(f, sev, why);
			if (ev->cmdline_truncated)
				hh_finding_evidence_str(f, "note", "command line longer than the event field; scanned as cut");
		}
		push(out, f, &added);
	}

	/* exe content */
	if (ev->exe_traits[0] && first_time(d, key_of("miner.exe-traits", ev))) {
		bool named = name_says_miner(ev);
		bool hidden = ev->exe_deleted || ev->exe_memfd;
		const char *title = hidden ? "Miner code running from a deleted or in-memory executable"
				    : named ? "Executable carries cryptominer code"
					    : "Renamed cryptominer binary: miner code under an innocent name";
		struct hh_finding *f = new_finding(ev, "miner.exe-traits", title, hidden ? HH_SEV_CRITICAL : HH_SEV_HIGH,
						   named ? 0.95 : 0.9, "T1496");
		if (f) {
			hh_finding_set_severity(f, f->severity,
						hidden ? "miner code in a deleted or in-memory executable"
						       : "miner code in the executable");
			hh_finding_evidence_str(f, "miner traits in exe content", ev->exe_traits);
			hh_finding_evidencef(f, "process name", "%s (exe %s)%s", ev->comm, basename_of(ev->exepath),
					     named ? "" : ": the name does not say miner");
			if (ev->exe_sha256[0])
				hh_finding_evidence_str(f, "exe sha256", ev->exe_sha256);
			if (ev->exe_memfd)
				hh_finding_evidence_str(f, "exe location", "memfd (fileless)");
			else if (ev->exe_deleted)
				hh_finding_evidence_str(f, "exe location", "deleted while running");
			else if (ev->exe_upper_layer)
				hh_finding_evidence_str(f, "exe location", "written into the container after it started");
			if (hidden)
				hh_finding_add_mitre(f, ev->exe_memfd ? "T1620" : "T1070.004");
		}
		push(out, f, &added);
	}

	/* where the exe came from (context) */
	if (ev->exe_upper_layer && first_time(d, key_of("proc.exe-upper-layer", ev))) {
		struct hh_finding *f = new_finding(ev, "proc.exe-upper-layer",
						   "Process runs a binary written into the container after it started",
						   HH_SEV_MEDIUM, 0.6, "T1105");
		if (f)
			hh_finding_evidence_str(f, "exe in the container's writable layer", ev->exepath);
		push(out, f, &added);
	}
	if (ev->exe_memfd && first_time(d, key_of("proc.exe-memfd", ev))) {
		struct hh_finding *f = new_finding(ev, "proc.exe-memfd", "Process runs from a memfd (fileless execution)",
						   HH_SEV_MEDIUM, 0.7, "T1620");
		if (f)
			hh_finding_evidence_str(f, "exe link", ev->exepath);
		push(out, f, &added);
	}
	if (ev->exe_deleted && first_time(d, key_of("proc.exe-deleted", ev))) {
		struct hh_finding *f = new_finding(ev, "proc.exe-deleted", "Process runs an executable deleted after start",
						   HH_SEV_LOW, 0.5, "T1070.004");
		if (f)
			hh_finding_evidencef(f, "exe link", "%s (deleted)", ev->exepath);
		push(out, f, &added);
	}
	return added;
}
