/* The workload's posture as context: once per container, its OCI runtime
 * spec is judged by the posture controls of `hashhound check`
 * (hh_posture_check_oci). Controls that hand a miner the node (privileged,
 * host namespaces, runtime socket, sensitive host paths, dangerous
 * capabilities) go out at low, the common ones (no CPU limit, root user) and
 * a writable root filesystem at info: context for the correlator, never
 * alarms of their own (docs/correlation.md). */
#include <string.h>

#include "agent/agent_internal.h"
#include "detectors/posture/posture.h"
#include "enrich/oci_spec.h"

static const char *const wanted[] = {
	"posture.privileged", "posture.host-pid", "posture.host-network", "posture.host-ipc",
	"posture.runtime-socket", "posture.hostpath-sensitive", "posture.dangerous-capabilities",
	"posture.no-cpu-limit", "posture.run-as-root",
};

static bool want(const char *id)
{
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		if (strcmp(id, wanted[i]) == 0)
			return true;
	return false;
}

struct sink_ctx {
	struct hh_agent *a;
	const struct hh_workload *w;
	int n;
};

static void as_context(struct hh_finding *f, const struct hh_workload *w)
{
	hh_strlcpy(f->source, "agent", sizeof(f->source));
	f->severity = f->severity >= HH_SEV_HIGH ? HH_SEV_LOW : HH_SEV_INFO;
	hh_finding_set_workload(f, w);
	hh_finding_evidence_str(f, "posture.origin", "OCI runtime spec of the running container");
}

static void on_finding(void *user, struct hh_finding *f)
{
	struct sink_ctx *s = user;
	as_context(f, s->w);
	s->n++;
	hh_agent_emit(s->a, s->w, f);
}

bool hh_agent_posture(struct hh_agent *a, const struct hh_workload *w)
{
	json_t *spec = hh_oci_spec_load(a->host_root, w->container_id);
	if (!spec)
		return false;
	struct hh_posture_ctx ctx;
	char err[256];
	if (hh_posture_init(&ctx, a->cfg, err, sizeof(err)) < 0) {
		json_decref(spec);
		return true; /* a bad exception list is reported by `check`; do not retry */
	}
	struct sink_ctx s = { a, w, 0 };
	ctx.on_finding = on_finding;
	ctx.user = &s;
	ctx.want = want;
	ctx.source = "agent";
	hh_posture_check_oci(&ctx, spec, w);
	hh_posture_free(&ctx);
	if (!json_is_true(json_object_get(json_object_get(spec, "root"), "readonly"))) {
		struct hh_finding *f = hh_finding_new("agent", "context.writable-rootfs",
						      "Container root filesystem is writable", HH_SEV_INFO, 0.9);
		if (f) {
			hh_finding_set_workload(f, w);
			hh_finding_evidence_str(f, "posture.origin", "OCI runtime spec of the running container");
			hh_agent_emit(a, w, f);
		}
	}
	json_decref(spec);
	return true;
}
