/* The process inventory, once per sweep. Only processes new since the last
 * sweep are read in full (hh_procfs_read_process: cmdline, environment, exe
 * hash and traits, identity): a known pid whose exe link is unchanged costs
 * one readlink. A process is its pid plus its exe, so an exec in place of
 * another binary counts as new. Bounded by agent.max_processes. The sensor
 * is drained between processes (agent_sensor.c). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent_internal.h"
#include "core/fileio.h"
#include "core/log.h"

static uint32_t fnv1a32(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h ? h : 1; /* 0 is "no exe" (kernel threads, unreadable) */
}

static int cmp_seen(const void *x, const void *y)
{
	const struct agent_proc *a = x, *b = y;
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

static void on_new_process(struct hh_agent *a, const struct hh_event *ev, const struct agent_container *c)
{
	a->stats.new_processes++;
	const struct hh_workload *w = c ? &c->w : &ev->workload;
	hh_debug("process: %.12s pid %d %s", w->container_id, ev->pid, ev->exepath);
	/* A binary new to this workload may start a new CPU regime. */
	if (c)
		hh_behavior_note_exec(a->behavior, w, a->now, ev->exepath);
	struct hh_findings out = { 0 };
	/* Miner indicators in cmdline, environment and the exe's content. */
	hh_procind_eval(a->procind, ev, &out);
	/* The runtime rules see the process as a "proc" event (the rules'
	 * spawned_process macro covers both exec and proc). */
	if (a->rules)
		hh_rules_eval(a->rules, ev, a->cfg, &out);
	for (size_t i = 0; i < out.n; i++) {
		hh_finding_set_workload(out.items[i], w);
		hh_agent_emit(a, w, out.items[i]);
		out.items[i] = NULL;
	}
	out.n = 0;
	hh_findings_clear(&out);
}

/* Reads a new process in full and judges it when it runs in a followed container. */
static void judge(struct hh_agent *a, int pid)
{
	struct hh_event *ev = a->ev;
	memset(ev, 0, sizeof(*ev));
	if (hh_procfs_read_process(a->procfs, pid, ev) < 0)
		return;
	if (!ev->workload.container_id[0] || (!ev->exepath[0] && !ev->cmdline[0]) ||
	    !hh_agent_follows(a, ev->workload.container_id))
		return;
	on_new_process(a, ev, hh_agent_container(a, ev->workload.container_id));
}

int hh_agent_sweep_procs(struct hh_agent *a)
{
	if (!a->procfs)
		return 0;
	DIR *d = opendir(a->proc_root);
	a->proc_ok = d != NULL;
	if (!d)
		return -1;
	unsigned long before = a->stats.findings;
	size_t n_next = 0;
	struct dirent *de;
	char path[HH_PATH_LEN], rel[64], link[HH_EV_PATH_LEN];
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid > 0x7fffffff)
			continue;
		snprintf(rel, sizeof(rel), "/%ld/exe", pid);
		uint32_t h = 0;
		if (hh_path_join(path, sizeof(path), a->proc_root, rel) == 0) {
			ssize_t k = readlink(path, link, sizeof(link));
			if (k > 0)
				h = fnv1a32(link, (size_t)k);
		}
		struct agent_proc key = { .pid = (int32_t)pid, .exe_hash = h };
		const struct agent_proc *old =
			a->n_seen ? bsearch(&key, a->seen, a->n_seen, sizeof(key), cmp_seen) : NULL;
		bool known = old && old->exe_hash == h;
		if (n_next < a->max_procs) {
			a->seen_next[n_next++] = key;
		} else if (!a->procs_capped_logged) {
			hh_warn("agent: more than %zu processes; the rest are read in full every sweep "
				"(agent.max_processes)", a->max_procs);
			a->procs_capped_logged = true;
		}
		if (!known && h) { /* h == 0: a kernel thread, or gone */
			/* the sensor's exec record first: it reports this process */
			hh_agent_sensor_service(a, true);
			judge(a, (int)pid);
		} else {
			hh_agent_sensor_service(a, false);
		}
	}
	closedir(d);
	/* readdir order is by pid on procfs, not on every filesystem: sort. */
	qsort(a->seen_next, n_next, sizeof(*a->seen_next), cmp_seen);
	struct agent_proc *t = a->seen;
	a->seen = a->seen_next;
	a->seen_next = t;
	a->n_seen = n_next;
	a->stats.processes_seen = n_next;
	return (int)(a->stats.findings - before);
}
