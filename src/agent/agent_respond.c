/* Automatic response (response.auto in the configuration, per workload so a
 * namespace can opt out): an incident at or above response.auto.min_severity
 * makes the agent snapshot evidence and apply response.auto.action to that
 * container, once per container, dry-run unless response.auto.dry_run is
 * false. The response's own finding goes out like any other. */
#include <string.h>

#include "agent/agent_internal.h"
#include "core/log.h"
#include "response/response.h"

static bool responded_before(struct hh_agent *a, const char *id)
{
	for (size_t i = 0; i < a->n_responded; i++)
		if (strcmp(a->responded[i], id) == 0)
			return true;
	/* A ring: the oldest container is forgotten first. */
	hh_strlcpy(a->responded[a->responded_next], id, sizeof(a->responded[0]));
	a->responded_next = (a->responded_next + 1) % HH_AGENT_MAX_RESPONDED;
	if (a->n_responded < HH_AGENT_MAX_RESPONDED)
		a->n_responded++;
	return false;
}

struct hh_finding *hh_agent_auto_respond(struct hh_agent *a, const struct hh_workload *w,
					 const struct hh_finding *incident)
{
	if (!w || !w->container_id[0] || !hh_config_bool(a->cfg, w, "response.auto.enabled", false))
		return NULL;
	enum hh_severity min;
	if (!hh_severity_parse(hh_config_str(a->cfg, w, "response.auto.min_severity", "critical"), &min) ||
	    incident->severity < min)
		return NULL;
	const char *action_name = hh_config_str(a->cfg, w, "response.auto.action", "freeze");
	enum hh_action action;
	if (!hh_action_parse(action_name, &action)) {
		hh_warn("response.auto.action '%s' is not an action (snapshot, freeze, kill, isolate, netpol)",
			action_name);
		return NULL;
	}
	/* An incident from the sensor can come before the sweep that follows
	 * the container: find its cgroup now (the discovery buffer is free
	 * between sweeps; the agent is single-threaded). */
	const struct agent_container *c = hh_agent_container(a, w->container_id);
	const struct hh_container_ref *ref = c ? &c->ref : NULL;
	if (!ref) {
		int n = hh_containers_discover(a->cgroup_root, a->refs, a->max_ctr);
		for (int i = 0; i < n && !ref; i++)
			if (strcmp(a->refs[i].id, w->container_id) == 0)
				ref = &a->refs[i];
	}
	if (!ref) {
		hh_debug("response.auto: container %.12s not found under %s", w->container_id, a->cgroup_root);
		return NULL;
	}
	if (responded_before(a, w->container_id))
		return NULL;
	struct hh_response_opts ro = {
		.cgroup_root = a->cgroup_root,
		.proc_root = a->proc_root,
		.evidence_dir = hh_config_str(a->cfg, w, "response.evidence_dir", "/var/lib/hashhound/evidence"),
		.dry_run = hh_config_bool(a->cfg, w, "response.auto.dry_run", true),
	};
	struct hh_findings context = { 0 };
	hh_findings_push(&context, hh_finding_clone(incident));
	char err[1024];
	struct hh_finding *f = hh_respond(&ro, ref, c ? &c->w : w, action, &context, err, sizeof(err));
	hh_findings_clear(&context);
	if (!f)
		hh_warn("automatic %s of %.12s failed: %s", action_name, w->container_id, err);
	return f;
}
