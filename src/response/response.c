#include "response/response.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "response/response_internal.h"

static const char *const action_names[] = { "snapshot", "freeze", "thaw", "kill", "isolate", "netpol" };

const char *hh_action_name(enum hh_action a) { return action_names[a]; }

bool hh_action_parse(const char *name, enum hh_action *out)
{
	for (size_t i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (name && strcmp(name, action_names[i]) == 0) {
			*out = (enum hh_action)i;
			return true;
		}
	return false;
}

struct hh_finding *hh_respond(const struct hh_response_opts *in, const struct hh_container_ref *c,
			      const struct hh_workload *w, enum hh_action action,
			      const struct hh_findings *context, char *err, size_t errlen)
{
	struct hh_response_opts opts = *in;
	if (!opts.cgroup_root)
		opts.cgroup_root = "/sys/fs/cgroup";
	if (!opts.proc_root)
		opts.proc_root = "/proc";
	if (!opts.evidence_dir)
		opts.evidence_dir = "/var/lib/hashhound/evidence";
	if (!opts.exe_copy_max)
		opts.exe_copy_max = 64u << 20;
	if (!opts.max_processes)
		opts.max_processes = 256;

	int pids[1];
	if (hh_cgroup_pids(opts.cgroup_root, c, pids, 1) < 0) {
		snprintf(err, errlen, "container %.12s: its cgroup %s is gone or unreadable", c->id, c->cgroup_path);
		return NULL;
	}
	/* Evidence first, always (also in dry-run: looking changes nothing). */
	char dir[HH_PATH_LEN];
	int files = hh_evidence_snapshot(&opts, c, w, context, dir, sizeof(dir), err, errlen);
	if (files < 0)
		return NULL;

	char detail[HH_PATH_LEN + 256] = "";
	int rc = 0, killed = 0;
	switch (action) {
	case HH_ACT_SNAPSHOT:
		snprintf(detail, sizeof(detail), "evidence only");
		break;
	case HH_ACT_FREEZE:
	case HH_ACT_THAW:
		snprintf(detail, sizeof(detail), "cgroup v%d %s", c->version,
			 c->version == 2 ? "cgroup.freeze" : "freezer.state");
		if (!opts.dry_run)
			rc = hh_cgroup_freeze(opts.cgroup_root, c, action == HH_ACT_FREEZE, err, errlen);
		break;
	case HH_ACT_KILL:
		if (!opts.dry_run)
			rc = hh_cgroup_kill(opts.cgroup_root, c, &killed, err, errlen);
		snprintf(detail, sizeof(detail), "SIGKILL to every process of the cgroup (%d killed)", killed);
		break;
	case HH_ACT_ISOLATE: {
		int pid[1];
		if (hh_cgroup_pids(opts.cgroup_root, c, pid, 1) != 1) {
			snprintf(err, errlen, "container %.12s has no process to find its network namespace", c->id);
			rc = -1;
		} else {
			rc = hh_isolate_egress(opts.proc_root, pid[0], opts.dry_run, detail, sizeof(detail), err,
					       errlen);
		}
		break;
	}
	case HH_ACT_NETPOL: {
		char path[HH_PATH_LEN + 64];
		rc = hh_netpol_write(w, dir, path, sizeof(path), err, errlen);
		if (rc == 0)
			snprintf(detail, sizeof(detail), "wrote %s and the pod label patch (apply with kubectl)", path);
		break;
	}
	}
	if (rc < 0) {
		hh_warn("response %s on %.12s failed: %s (evidence kept in %s)", hh_action_name(action), c->id, err, dir);
		return NULL;
	}
	char rule[64], title[256];
	snprintf(rule, sizeof(rule), "response.%s", hh_action_name(action));
	snprintf(title, sizeof(title), "%s%s container %.12s", opts.dry_run && action != HH_ACT_SNAPSHOT &&
		 action != HH_ACT_NETPOL ? "Would " : "", hh_action_name(action), c->id);
	/* A real change to a workload deserves attention; a dry run or a snapshot
	 * is a record (both pass the default sinks.min_severity of low). */
	bool acted = !opts.dry_run && action != HH_ACT_SNAPSHOT && action != HH_ACT_NETPOL;
	struct hh_finding *f = hh_finding_new("agent", rule, title, acted ? HH_SEV_MEDIUM : HH_SEV_LOW, 1.0);
	if (!f)
		return NULL;
	struct hh_workload id = w ? *w : (struct hh_workload){ 0 };
	if (!id.container_id[0])
		hh_strlcpy(id.container_id, c->id, sizeof(id.container_id));
	hh_finding_set_workload(f, &id);
	hh_finding_evidence_str(f, "action", hh_action_name(action));
	hh_finding_evidence_str(f, "dry run", opts.dry_run ? "yes" : "no");
	hh_finding_evidence_str(f, "detail", detail);
	hh_finding_evidence_str(f, "evidence directory", dir);
	hh_finding_evidence_num(f, "evidence files", files);
	return f;
}
