/* Pod-spec controls for every workload kind: the pod template is found per
 * kind, then pod-level settings (host namespaces, hostPath volumes, token
 * automount) and each container of containers, initContainers and
 * ephemeralContainers are judged. Evidence names the YAML path. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/workload.h"
#include "detectors/posture/posture_internal.h"

struct pod {
	const json_t *spec;
	char path[96];           /* YAML path of spec, e.g. "spec.template.spec" */
	bool host_pid, batch;
};

static const char *const dangerous_caps[] = {
	"ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO", "SYS_BOOT", "BPF", "PERFMON",
	"NET_ADMIN", "DAC_READ_SEARCH", "DAC_OVERRIDE", "SYS_CHROOT", "SYSLOG", "MAC_ADMIN", "MAC_OVERRIDE",
};

static const json_t *get_path(const json_t *v, const char *const *keys)
{
	for (; *keys && v; keys++)
		v = json_object_get(v, *keys);
	return v;
}

/* Finds the pod spec of a workload kind. */
static bool find_pod(const struct hh_obj *o, struct pod *p)
{
	static const char *const templ[] = { "spec", "template", "spec", NULL };
	static const char *const cron[] = { "spec", "jobTemplate", "spec", "template", "spec", NULL };
	static const char *const podtempl[] = { "template", "spec", NULL };
	static const char *const known[] = { "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job",
					     "ReplicationController", "DeploymentConfig" };
	memset(p, 0, sizeof(*p));
	const char *k = o->kind;
	p->batch = strcmp(k, "Job") == 0 || strcmp(k, "CronJob") == 0;
	if (strcmp(k, "Pod") == 0) {
		p->spec = json_object_get(o->root, "spec");
		snprintf(p->path, sizeof(p->path), "spec");
	} else if (strcmp(k, "CronJob") == 0) {
		p->spec = get_path(o->root, cron);
		snprintf(p->path, sizeof(p->path), "spec.jobTemplate.spec.template.spec");
	} else if (strcmp(k, "PodTemplate") == 0) {
		p->spec = get_path(o->root, podtempl);
		snprintf(p->path, sizeof(p->path), "template.spec");
	} else {
		p->spec = get_path(o->root, templ);
		snprintf(p->path, sizeof(p->path), "spec.template.spec");
		bool is_known = false;
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			is_known |= strcmp(k, known[i]) == 0;
		/* Unknown kinds (CRDs such as Argo Rollouts) count when they carry a pod template with containers. */
		if (!is_known && !json_is_array(json_object_get(p->spec, "containers")))
			return false;
	}
	if (!json_is_object(p->spec))
		return false;
	p->host_pid = json_is_true(json_object_get(p->spec, "hostPID"));
	return true;
}

static void set_container(struct hh_finding *f, const json_t *c)
{
	const char *name = json_string_value(json_object_get(c, "name"));
	const char *image = json_string_value(json_object_get(c, "image"));
	if (name)
		hh_finding_set_str(f, "container.name", name);
	if (image)
		hh_finding_set_str(f, "container.image", image);
}

/* ---- images ---- */

struct image_ref {
	char full[640];      /* registry/repository, normalized (docker.io/library/nginx) */
	char tag[128];
	bool digest, has_tag;
};

static void parse_image(const char *image, struct image_ref *r)
{
	memset(r, 0, sizeof(*r));
	char buf[512];
	hh_strlcpy(buf, image, sizeof(buf));
	char *at = strchr(buf, '@');
	if (at) {
		r->digest = strncmp(at + 1, "sha256:", 7) == 0 && strlen(at + 8) == 64;
		*at = 0;
	}
	char *slash = strrchr(buf, '/');
	char *colon = strrchr(slash ? slash : buf, ':');
	if (colon) {
		hh_strlcpy(r->tag, colon + 1, sizeof(r->tag));
		r->has_tag = true;
		*colon = 0;
	}
	char *first = strchr(buf, '/');
	bool has_registry = first && (memchr(buf, '.', (size_t)(first - buf)) ||
				      memchr(buf, ':', (size_t)(first - buf)) ||
				      strncmp(buf, "localhost/", 10) == 0);
	if (has_registry)
		snprintf(r->full, sizeof(r->full), "%s", buf);
	else if (first)
		snprintf(r->full, sizeof(r->full), "docker.io/%s", buf);
	else
		snprintf(r->full, sizeof(r->full), "docker.io/library/%s", buf);
	/* index.docker.io and registry-1.docker.io are docker.io */
	if (strncmp(r->full, "index.docker.io/", 16) == 0)
		memmove(r->full, r->full + 6, strlen(r->full + 6) + 1);
}

static bool registry_trusted(const struct hh_posture_ctx *ctx, const struct image_ref *r)
{
	for (size_t i = 0; i < ctx->n_registries; i++) {
		const char *p = ctx->registries[i];
		size_t n = strlen(p);
		if (n && strncmp(r->full, p, n) == 0 && (p[n - 1] == '/' || r->full[n] == '/' || r->full[n] == 0))
			return true;
	}
	return false;
}

/* ---- hostPath volumes ---- */

struct hostvol {
	const char *name, *path;
	const json_t *node;
	size_t index;
	bool mounted;
};

/* Every hostPath volume (no cap: a volume past any fixed cap would be an
 * evasion; the YAML node limit bounds the count). *out is owned by the caller. */
static size_t collect_hostvols(const json_t *spec, struct hostvol **out)
{
	const json_t *vols = json_object_get(spec, "volumes"), *v;
	size_t n = 0, i;
	*out = NULL;
	if (!json_array_size(vols) || !(*out = calloc(json_array_size(vols), sizeof(**out))))
		return 0;
	json_array_foreach(vols, i, v) {
		const json_t *hp = json_object_get(v, "hostPath");
		const char *path = json_string_value(json_object_get(hp, "path"));
		const char *name = json_string_value(json_object_get(v, "name"));
		if (path)
			(*out)[n++] = (struct hostvol){ name ? name : "", path, v, i, false };
	}
	return n;
}

static void judge_hostpath(struct hh_posture_ctx *ctx, const struct hh_obj *o, const struct pod *p,
			   const struct hostvol *h, const json_t *c, const json_t *at, const char *mount_path,
			   const char *mount_yaml)
{
	const char *m = NULL;
	char what[192];
	snprintf(what, sizeof(what), "%s.volumes[%zu].hostPath.path", p->path, h->index);
	if (hh_posture_hostpath_socket(h->path, &m)) {
		struct hh_finding *f = hh_posture_new(ctx, "posture.runtime-socket", HH_SEV_CRITICAL, o, at);
		if (f) {
			set_container(f, c);
			hh_finding_evidence_str(f, what, h->path);
			hh_finding_evidence_str(f, "runtime socket reachable", m);
			if (mount_yaml)
				hh_finding_evidence_str(f, mount_yaml, mount_path);
			hh_posture_emit(ctx, f);
		}
	}
	if (hh_posture_hostpath_sensitive(h->path, &m)) {
		bool root = strcmp(h->path, "/") == 0;
		struct hh_finding *f = hh_posture_new(ctx, "posture.hostpath-sensitive",
						      root ? HH_SEV_CRITICAL : HH_SEV_HIGH, o, at);
		if (f) {
			set_container(f, c);
			hh_finding_evidence_str(f, what, h->path);
			hh_finding_evidence_str(f, "sensitive host path reached", m);
			if (mount_yaml)
				hh_finding_evidence_str(f, mount_yaml, mount_path);
			hh_posture_emit(ctx, f);
		}
	}
}

/* ---- containers ---- */

static const json_t *eff(const json_t *csc, const json_t *psc, const char *key)
{
	const json_t *v = json_object_get(csc, key);
	return v ? v : json_object_get(psc, key);
}

static void check_container(struct hh_posture_ctx *ctx, const struct hh_obj *o, const struct pod *p,
			    const char *list, size_t idx, const json_t *c, struct hostvol *hv, size_t nhv)
{
	char base[160], what[256];
	snprintf(base, sizeof(base), "%s.%s[%zu]", p->path, list, idx);
	const json_t *sc = json_object_get(c, "securityContext");
	const json_t *psc = json_object_get(p->spec, "securityContext");
	const json_t *at_sc = json_is_object(sc) ? sc : c;
	bool ephemeral = strcmp(list, "ephemeralContainers") == 0;
	struct hh_finding *f;

	bool privileged = json_is_true(json_object_get(sc, "privileged"));
	if (privileged) {
		f = hh_posture_new(ctx, "posture.privileged", p->host_pid ? HH_SEV_CRITICAL : HH_SEV_HIGH, o, at_sc);
		if (f) {
			set_container(f, c);
			snprintf(what, sizeof(what), "%s.securityContext.privileged", base);
			hh_finding_evidence_str(f, what, "true");
			if (p->host_pid)
				hh_finding_evidencef(f, "escalated", "%s.hostPID is true too: nsenter into PID 1 takes the node", p->path);
			hh_posture_emit(ctx, f);
		}
	}

	/* capabilities.add */
	const json_t *add = get_path(sc, (const char *const[]){ "capabilities", "add", NULL });
	size_t i;
	const json_t *cap;
	f = NULL;
	json_array_foreach(add, i, cap) {
		const char *s = json_string_value(cap);
		if (!s)
			continue;
		const char *bare = strncasecmp(s, "CAP_", 4) == 0 ? s + 4 : s;
		for (size_t k = 0; k < sizeof(dangerous_caps) / sizeof(dangerous_caps[0]); k++) {
			if (strcasecmp(bare, dangerous_caps[k]) != 0)
				continue;
			if (!f && (f = hh_posture_new(ctx, "posture.dangerous-capabilities", HH_SEV_HIGH, o, at_sc)))
				set_container(f, c);
			snprintf(what, sizeof(what), "%s.securityContext.capabilities.add[%zu]", base, i);
			if (f)
				hh_finding_evidence_str(f, what, s);
		}
	}
	hh_posture_emit(ctx, f);

	const char *pm = json_string_value(json_object_get(sc, "procMount"));
	if (pm && strcmp(pm, "Unmasked") == 0 &&
	    (f = hh_posture_new(ctx, "posture.unmasked-proc-mount", HH_SEV_MEDIUM, o, at_sc))) {
		set_container(f, c);
		snprintf(what, sizeof(what), "%s.securityContext.procMount", base);
		hh_finding_evidence_str(f, what, pm);
		hh_posture_emit(ctx, f);
	}

	/* allowPrivilegeEscalation: unset means allowed (the kernel's no_new_privs stays off). */
	const json_t *ape = json_object_get(sc, "allowPrivilegeEscalation");
	if (!json_is_false(ape)) {
		f = hh_posture_new(ctx, "posture.privilege-escalation", HH_SEV_MEDIUM, o, at_sc);
		if (f) {
			set_container(f, c);
			snprintf(what, sizeof(what), "%s.securityContext.allowPrivilegeEscalation", base);
			hh_finding_evidence_str(f, what, ape ? (json_is_true(ape) ? "true" : "not a boolean")
							     : "unset (defaults to true)");
			hh_posture_emit(ctx, f);
		}
	}

	/* Root: UID 0, or no UID and no runAsNonRoot (the image decides, usually root), or GID 0. */
	const json_t *uid = eff(sc, psc, "runAsUser"), *gid = eff(sc, psc, "runAsGroup");
	bool nonroot = json_is_true(eff(sc, psc, "runAsNonRoot"));
	const char *why = NULL;
	char whybuf[64];
	if (json_is_integer(uid) && json_integer_value(uid) == 0)
		why = "runAsUser is 0";
	else if (!json_is_integer(uid) && !nonroot)
		why = "runAsUser unset and runAsNonRoot not true (image default user, usually root)";
	else if (json_is_integer(gid) && json_integer_value(gid) == 0 && !nonroot) {
		snprintf(whybuf, sizeof(whybuf), "runAsGroup is 0 (root group)");
		why = whybuf;
	}
	if (why) {
		f = hh_posture_new(ctx, "posture.run-as-root", HH_SEV_MEDIUM, o, at_sc);
		if (f) {
			set_container(f, c);
			snprintf(what, sizeof(what), "%s.securityContext", base);
			hh_finding_evidence_str(f, what, why);
			hh_posture_emit(ctx, f);
		}
	}

	/* Limits (ephemeral containers may not set resources). */
	const json_t *limits = get_path(c, (const char *const[]){ "resources", "limits", NULL });
	bool no_cpu = !ephemeral && !json_object_get(limits, "cpu");
	if (no_cpu) {
		f = hh_posture_new(ctx, "posture.no-cpu-limit", HH_SEV_MEDIUM, o, c);
		if (f) {
			set_container(f, c);
			snprintf(what, sizeof(what), "%s.resources.limits.cpu", base);
			hh_finding_evidence_str(f, what, "unset");
			hh_posture_emit(ctx, f);
		}
	}
	if (!ephemeral && !json_object_get(limits, "memory")) {
		f = hh_posture_new(ctx, "posture.no-memory-limit", HH_SEV_LOW, o, c);
		if (f) {
			set_container(f, c);
			snprintf(what, sizeof(what), "%s.resources.limits.memory", base);
			hh_finding_evidence_str(f, what, "unset");
			hh_posture_emit(ctx, f);
		}
	}

	/* Image */
	const char *image = json_string_value(json_object_get(c, "image"));
	bool untrusted = false;
	struct image_ref r = { 0 };
	if (image && image[0]) {
		parse_image(image, &r);
		snprintf(what, sizeof(what), "%s.image", base);
		if (!registry_trusted(ctx, &r)) {
			untrusted = true;
			if ((f = hh_posture_new(ctx, "posture.image-untrusted-registry", HH_SEV_MEDIUM, o, c))) {
				set_container(f, c);
				hh_finding_evidence_str(f, what, image);
				hh_finding_evidence_str(f, "normalized repository", r.full);
				hh_posture_emit(ctx, f);
			}
		}
		if (!r.digest && (f = hh_posture_new(ctx, "posture.image-not-pinned", HH_SEV_LOW, o, c))) {
			set_container(f, c);
			hh_finding_evidence_str(f, what, image);
			hh_posture_emit(ctx, f);
		}
		if (!r.digest && (!r.has_tag || strcmp(r.tag, "latest") == 0) &&
		    (f = hh_posture_new(ctx, "posture.image-latest", HH_SEV_MEDIUM, o, c))) {
			set_container(f, c);
			hh_finding_evidence_str(f, what, image);
			hh_posture_emit(ctx, f);
		}
		if (p->batch && no_cpu && untrusted && !r.digest &&
		    (f = hh_posture_new(ctx, "posture.unbounded-untrusted-batch", HH_SEV_HIGH, o, c))) {
			set_container(f, c);
			hh_finding_evidence_str(f, "kind", o->kind);
			hh_finding_evidence_str(f, what, image);
			snprintf(what, sizeof(what), "%s.resources.limits.cpu", base);
			hh_finding_evidence_str(f, what, "unset");
			hh_posture_emit(ctx, f);
		}
	}

	/* Miner indicators in image, command, args, env values. */
	f = NULL;
	char hint[160];
	const char *h;
	if (image && (h = hh_posture_miner_hint(image, hint, sizeof(hint)))) {
		if ((f = hh_posture_new(ctx, "posture.miner-indicator", HH_SEV_CRITICAL, o, c)))
			set_container(f, c);
		snprintf(what, sizeof(what), "%s.image", base);
		if (f)
			hh_finding_evidencef(f, what, "%s (%s)", image, h);
	}
	static const char *const lists[] = { "command", "args" };
	bool dashboard = image && strstr(image, "dashboard") != NULL;
	const char *dash_flag = NULL;
	for (size_t l = 0; l < 2; l++) {
		const json_t *arr = json_object_get(c, lists[l]), *a;
		json_array_foreach(arr, i, a) {
			const char *s = json_string_value(a);
			if (!s)
				continue;
			if (dashboard && (strstr(s, "--enable-skip-login") || strstr(s, "--enable-insecure-login")))
				dash_flag = s;
			if (!(h = hh_posture_miner_hint(s, hint, sizeof(hint))))
				continue;
			if (!f && (f = hh_posture_new(ctx, "posture.miner-indicator", HH_SEV_CRITICAL, o, c)))
				set_container(f, c);
			snprintf(what, sizeof(what), "%s.%s[%zu]", base, lists[l], i);
			if (f)
				hh_finding_evidencef(f, what, "%.200s (%s)", s, h);
		}
	}
	const json_t *env = json_object_get(c, "env"), *e;
	json_array_foreach(env, i, e) {
		const char *s = json_string_value(json_object_get(e, "value"));
		if (!s || !(h = hh_posture_miner_hint(s, hint, sizeof(hint))))
			continue;
		if (!f && (f = hh_posture_new(ctx, "posture.miner-indicator", HH_SEV_CRITICAL, o, c)))
			set_container(f, c);
		snprintf(what, sizeof(what), "%s.env[%zu].value", base, i);
		if (f)
			hh_finding_evidencef(f, what, "%.200s (%s)", s, h);
	}
	hh_posture_emit(ctx, f);

	if (dash_flag && (f = hh_posture_new(ctx, "posture.exposed-dashboard", HH_SEV_HIGH, o, c))) {
		set_container(f, c);
		snprintf(what, sizeof(what), "%s.args", base);
		hh_finding_evidence_str(f, what, dash_flag);
		hh_posture_emit(ctx, f);
	}

	/* hostPath mounts of this container. */
	const json_t *mounts = json_object_get(c, "volumeMounts"), *m;
	json_array_foreach(mounts, i, m) {
		const char *vname = json_string_value(json_object_get(m, "name"));
		const char *mpath = json_string_value(json_object_get(m, "mountPath"));
		if (!vname)
			continue;
		for (size_t k = 0; k < nhv; k++) {
			if (strcmp(hv[k].name, vname) != 0)
				continue;
			hv[k].mounted = true;
			char myaml[320];
			snprintf(myaml, sizeof(myaml), "%s.volumeMounts[%zu].mountPath", base, i);
			judge_hostpath(ctx, o, p, &hv[k], c, m, mpath ? mpath : "", myaml);
			if (!json_is_true(json_object_get(m, "readOnly")) &&
			    (f = hh_posture_new(ctx, "posture.hostpath-writable", HH_SEV_MEDIUM, o, m))) {
				set_container(f, c);
				snprintf(what, sizeof(what), "%s.volumeMounts[%zu].readOnly", base, i);
				hh_finding_evidence_str(f, what, json_object_get(m, "readOnly") ? "false" : "unset (writable)");
				hh_finding_evidence_str(f, "hostPath", hv[k].path);
				hh_posture_emit(ctx, f);
			}
		}
	}
}

static void host_ns(struct hh_posture_ctx *ctx, const struct hh_obj *o, const struct pod *p,
		    const char *key, const char *control, enum hh_severity sev)
{
	if (!json_is_true(json_object_get(p->spec, key)))
		return;
	struct hh_finding *f = hh_posture_new(ctx, control, sev, o, p->spec);
	if (!f)
		return;
	char what[160];
	snprintf(what, sizeof(what), "%s.%s", p->path, key);
	hh_finding_evidence_str(f, what, "true");
	hh_posture_emit(ctx, f);
}

bool hh_posture_check_workload(struct hh_posture_ctx *ctx, const struct hh_obj *o)
{
	struct pod p;
	if (!find_pod(o, &p))
		return false;
	host_ns(ctx, o, &p, "hostPID", "posture.host-pid", HH_SEV_HIGH);
	host_ns(ctx, o, &p, "hostIPC", "posture.host-ipc", HH_SEV_MEDIUM);
	host_ns(ctx, o, &p, "hostNetwork", "posture.host-network", HH_SEV_MEDIUM);

	struct hostvol *hv;
	size_t nhv = collect_hostvols(p.spec, &hv);
	static const char *const lists[] = { "containers", "initContainers", "ephemeralContainers" };
	size_t n_containers = 0;
	for (size_t l = 0; l < 3; l++) {
		const json_t *arr = json_object_get(p.spec, lists[l]), *c;
		size_t i;
		json_array_foreach(arr, i, c) {
			if (!json_is_object(c))
				continue;
			n_containers++;
			check_container(ctx, o, &p, lists[l], i, c, hv, nhv);
		}
	}
	/* hostPath volumes no container mounts still reach the node when a container is added later. */
	for (size_t k = 0; k < nhv; k++)
		if (!hv[k].mounted)
			judge_hostpath(ctx, o, &p, &hv[k], NULL, hv[k].node, NULL, NULL);
	free(hv);

	/* Token automount: pod-level false, or a service account that opts out, is not visible here;
	 * only an explicit pod-level false counts. */
	const json_t *am = json_object_get(p.spec, "automountServiceAccountToken");
	if (n_containers && !json_is_false(am)) {
		struct hh_finding *f = hh_posture_new(ctx, "posture.sa-token-automount", HH_SEV_LOW, o, p.spec);
		if (f) {
			char what[160];
			snprintf(what, sizeof(what), "%s.automountServiceAccountToken", p.path);
			hh_finding_evidence_str(f, what, am ? "true" : "unset (defaults to true)");
			const char *sa = json_string_value(json_object_get(p.spec, "serviceAccountName"));
			hh_finding_evidence_str(f, "serviceAccountName", sa ? sa : "default");
			hh_posture_emit(ctx, f);
		}
	}
	return true;
}
