#include "detectors/behavior/randomx_profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"

void hh_randomx_profile_judge(const struct hh_rx_obs *o, const struct hh_config *cfg, const struct hh_workload *w,
			      struct hh_rx_profile *out)
{
	memset(out, 0, sizeof(*out));
	double min_sw = hh_config_num(cfg, w, "behavior.randomx.min_switches", 50);
	double min_nd = hh_config_num(cfg, w, "behavior.randomx.min_nondefault", 25);
	double min_prot = hh_config_num(cfg, w, "behavior.randomx.min_exec_protects", 16);
	double min_rss = hh_config_num(cfg, w, "behavior.randomx.min_rss_mib", 200);
	out->churn = (double)o->switches >= min_sw && (double)o->nondefault >= min_nd;
	out->jit = ((double)o->exec_protects >= min_prot && o->exec_protects > o->exec_protects_before) ||
		   o->anon_exec_maps > 0;
	out->cache = o->rss_anon_kb >= 0 && (double)o->rss_anon_kb >= min_rss * 1024;
	out->huge = o->hugepage_reqs > 0;
	out->match = out->churn && out->jit && (out->cache || out->huge);
}

long long hh_randomx_rss_anon_kb(const char *proc_root, int32_t pid)
{
	char path[320], buf[4096];
	snprintf(path, sizeof(path), "%s/%d/status", proc_root, (int)pid);
	if (hh_read_small(path, buf, sizeof(buf)) <= 0)
		return -1;
	const char *p = strstr(buf, "\nRssAnon:");
	if (!p)
		return -1;
	char *end;
	long long kb = strtoll(p + 9, &end, 10);
	return end == p + 9 ? -1 : kb;
}

struct hh_finding *hh_randomx_profile_finding(const struct hh_event *ev, const struct hh_rx_obs *o,
					      const struct hh_rx_profile *p)
{
	char title[300];
	snprintf(title, sizeof(title),
		 "RandomX VM profile in %s (pid %d): rounding-mode churn, JIT code made executable %llu times, %s",
		 ev->comm[0] ? ev->comm : "?", (int)ev->pid, (unsigned long long)o->exec_protects,
		 p->cache ? "large anonymous cache" : "huge pages requested");
	struct hh_finding *f = hh_finding_new("agent", "miner.randomx-profile", title, HH_SEV_HIGH, 0.9);
	if (!f)
		return NULL;
	hh_finding_add_mitre(f, "T1496");
	hh_finding_set_workload(f, &ev->workload);
	hh_finding_set_int(f, "proc.pid", ev->pid);
	hh_finding_set_str(f, "proc.name", ev->comm);
	if (ev->exepath[0])
		hh_finding_set_str(f, "proc.exepath", ev->exepath);
	hh_finding_set_str(f, "evt.type", "fpu");
	hh_finding_set_int(f, "proc.fpu.switches", (long long)o->switches);
	hh_finding_set_int(f, "proc.fpu.nondefault_switches", (long long)o->nondefault);
	char v[160];
	snprintf(v, sizeof(v), "%llu of %llu context switches with a non-default MXCSR rounding mode",
		 (unsigned long long)o->nondefault, (unsigned long long)o->switches);
	hh_finding_evidence_str(f, "randomx.rounding_churn", v);
	snprintf(v, sizeof(v), "%llu mprotect(PROT_EXEC) calls (%llu since the previous summary), %llu anonymous executable mappings",
		 (unsigned long long)o->exec_protects, (unsigned long long)(o->exec_protects - o->exec_protects_before),
		 (unsigned long long)o->anon_exec_maps);
	hh_finding_evidence_str(f, "randomx.jit", v);
	if (o->rss_anon_kb >= 0)
		hh_finding_evidence_num(f, "randomx.rss_anon_mib", (double)o->rss_anon_kb / 1024.0);
	hh_finding_evidence_num(f, "randomx.hugepage_requests", (double)o->hugepage_reqs);
	return f;
}
