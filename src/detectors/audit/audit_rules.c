/* Audit rules: one event in, findings out. Pod specs, RBAC objects and
 * Services in requestObjects are judged by the posture controls (one way to
 * do one thing); correlation keeps bounded LRU state across events. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/workload.h"
#include "detectors/audit/audit_internal.h"

struct ev {
	const json_t *root;
	const char *verb, *user, *stage, *id, *uri, *ip, *decision, *useragent;
	const char *resource, *sub, *ns, *name, *api_group;
	const json_t *groups, *req, *resp;
	long long code;
	double t;
	bool anon, allowed, success;
	char actor_root[HH_LRU_VAL], chain[HH_LRU_VAL];
	bool have_root;
};

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static double parse_time(const char *s)
{
	if (!s)
		return 0;
	struct tm tm = { 0 };
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return 0;
	double frac = 0;
	if (*p == '.') {
		char *end;
		frac = strtod(p, &end);
		p = end;
	}
	double t = (double)timegm(&tm) + frac;
	if (*p == '+' || *p == '-') {
		int hh = 0, mm = 0;
		if (sscanf(p + 1, "%2d:%2d", &hh, &mm) == 2)
			t -= (*p == '+' ? 1 : -1) * (hh * 3600.0 + mm * 60.0);
	}
	return t;
}

static bool has_group(const json_t *groups, const char *g)
{
	size_t i;
	const json_t *v;
	json_array_foreach(groups, i, v) {
		const char *s = json_string_value(v);
		if (s && strcmp(s, g) == 0)
			return true;
	}
	return false;
}

static struct hh_finding *audit_finding(struct hh_audit *a, const struct ev *e, const char *rule,
					const char *title, enum hh_severity sev, const char *mitre)
{
	struct hh_finding *f = hh_finding_new("audit", rule, title, sev, 0.9);
	if (!f)
		return NULL;
	if (e->t > 0)
		f->time = e->t;
	hh_finding_add_mitre(f, mitre);
	if (e->user)
		hh_finding_set_str(f, "ka.user.name", e->user);
	if (e->verb)
		hh_finding_set_str(f, "ka.verb", e->verb);
	if (e->uri)
		hh_finding_set_str(f, "ka.uri", e->uri);
	if (e->id)
		hh_finding_set_str(f, "ka.auditid", e->id);
	if (e->ip)
		hh_finding_set_str(f, "ka.sourceips", e->ip);
	if (e->useragent)
		hh_finding_set_str(f, "ka.useragent", e->useragent);
	if (e->resource)
		hh_finding_set_str(f, "ka.target.resource", e->resource);
	if (e->sub)
		hh_finding_set_str(f, "ka.target.subresource", e->sub);
	if (e->ns) {
		hh_finding_set_str(f, "ka.target.namespace", e->ns);
		hh_finding_set_str(f, "k8s.ns.name", e->ns);
	}
	if (e->name) {
		hh_finding_set_str(f, "ka.target.name", e->name);
		hh_finding_set_str(f, "k8s.name", e->name);
		if (e->resource && strcmp(e->resource, "pods") == 0)
			hh_finding_set_str(f, "k8s.pod.name", e->name);
	}
	if (e->code)
		hh_finding_set_int(f, "ka.response.code", e->code);
	if (e->have_root) {
		hh_finding_set_str(f, "ka.actor.root", e->actor_root);
		hh_finding_set_str(f, "ka.actor.chain", e->chain);
	}
	return f;
}

static void emit(struct hh_audit *a, struct hh_finding *f)
{
	if (!f)
		return;
	a->st.findings++;
	if (a->sink)
		a->sink(a->user, f);
	else
		hh_finding_free(f);
}

/* ---- posture reuse ---- */

#define MAX_COLLECT 256
struct collect {
	struct hh_finding *f[MAX_COLLECT];
	size_t n;
};

static void collect_sink(void *user, struct hh_finding *f)
{
	struct collect *c = user;
	if (c->n < MAX_COLLECT)
		c->f[c->n++] = f;
	else
		hh_finding_free(f);
}

struct map {
	const char *control, *rule, *title, *mitre;
};
static const struct map control_map[] = {
	{ "posture.privileged", "audit.create-privileged-pod", "Privileged workload created", "T1611" },
	{ "posture.hostpath-sensitive", "audit.create-sensitive-mount-pod", "Workload with a sensitive hostPath mount created", "T1611" },
	{ "posture.runtime-socket", "audit.create-sensitive-mount-pod", "Workload with a sensitive hostPath mount created", "T1611" },
	{ "posture.host-network", "audit.create-host-namespace-pod", "Workload sharing host namespaces created", "T1611" },
	{ "posture.host-pid", "audit.create-host-namespace-pod", "Workload sharing host namespaces created", "T1611" },
	{ "posture.host-ipc", "audit.create-host-namespace-pod", "Workload sharing host namespaces created", "T1611" },
	{ "posture.dangerous-capabilities", "audit.create-dangerous-caps-pod", "Workload with dangerous capabilities created", "T1611" },
	{ "posture.miner-indicator", "audit.create-miner-workload", "Workload naming a cryptominer created", "T1496" },
	{ "posture.rbac-cluster-admin-binding", "audit.cluster-admin-binding", "Binding to cluster-admin created", "T1098" },
	{ "posture.rbac-wildcard", "audit.wildcard-role", "Role with wildcard rules created", "T1098" },
	{ "posture.rbac-pod-exec", "audit.pod-exec-role", "Role allowing pods/exec created", "T1098" },
	{ "posture.exposed-dashboard", "audit.exposed-dashboard", "Dashboard exposed outside the cluster", "T1133" },
};

static bool mapped_control(const char *id)
{
	for (size_t m = 0; m < sizeof(control_map) / sizeof(control_map[0]); m++)
		if (strcmp(control_map[m].control, id) == 0)
			return true;
	return false;
}

/* Judges obj with the posture controls and turns the mapped controls into
 * audit findings, one per audit rule, evidence merged. */
static void judge_object(struct hh_audit *a, const struct ev *e, const json_t *obj)
{
	struct collect c = { .n = 0 };
	a->posture.on_finding = collect_sink;
	a->posture.on_suppressed = NULL;
	a->posture.user = &c;
	a->posture.source = "audit";
	a->posture.want = mapped_control;
	hh_posture_check_object(&a->posture, obj, NULL);
	struct hh_finding *out[sizeof(control_map) / sizeof(control_map[0])] = { 0 };
	for (size_t i = 0; i < c.n; i++) {
		struct hh_finding *pf = c.f[i];
		for (size_t m = 0; m < sizeof(control_map) / sizeof(control_map[0]); m++) {
			if (strcmp(pf->rule, control_map[m].control) != 0)
				continue;
			/* rules sharing one audit id share the first slot */
			size_t slot = m;
			for (size_t k = 0; k < m; k++)
				if (strcmp(control_map[k].rule, control_map[m].rule) == 0) {
					slot = k;
					break;
				}
			if (!out[slot]) {
				out[slot] = audit_finding(a, e, control_map[m].rule, control_map[m].title,
							  pf->severity, control_map[m].mitre);
				if (!out[slot])
					break;
				const char *kind = json_string_value(json_object_get(pf->fields, "k8s.kind"));
				if (kind)
					hh_finding_set_str(out[slot], "k8s.kind", kind);
				const char *nm = json_string_value(json_object_get(pf->fields, "k8s.name"));
				if (nm && !json_object_get(out[slot]->fields, "k8s.name"))
					hh_finding_set_str(out[slot], "k8s.name", nm);
			}
			struct hh_finding *f = out[slot];
			if (pf->severity > f->severity)
				f->severity = pf->severity;
			json_t *ids = json_object_get(f->fields, "control.ids");
			if (!ids) {
				ids = json_array();
				json_object_set_new(f->fields, "control.ids", ids);
			}
			json_array_append_new(ids, json_string(pf->rule));
			const char *cn = json_string_value(json_object_get(pf->fields, "container.name"));
			if (cn && !json_object_get(f->fields, "container.name"))
				hh_finding_set_str(f, "container.name", cn);
			size_t k;
			json_t *ev;
			json_array_foreach(pf->evidence, k, ev)
				if (json_array_size(f->evidence) < 32)
					json_array_append(f->evidence, ev);
			break;
		}
		hh_finding_free(pf);
	}
	for (size_t m = 0; m < sizeof(out) / sizeof(out[0]); m++)
		emit(a, out[m]);
}

/* ---- correlation ---- */

static const char *const workload_res[][2] = {
	{ "pods", "Pod" }, { "deployments", "Deployment" }, { "replicasets", "ReplicaSet" },
	{ "statefulsets", "StatefulSet" }, { "daemonsets", "DaemonSet" }, { "jobs", "Job" },
	{ "cronjobs", "CronJob" }, { "replicationcontrollers", "ReplicationController" },
};

static const char *workload_kind(const char *resource)
{
	for (size_t i = 0; resource && i < sizeof(workload_res) / sizeof(workload_res[0]); i++)
		if (strcmp(resource, workload_res[i][0]) == 0)
			return workload_res[i][1];
	return NULL;
}

static bool is_controller(const char *user)
{
	return user && (strncmp(user, "system:serviceaccount:kube-system:", 34) == 0 ||
			strcmp(user, "system:kube-controller-manager") == 0);
}

/* Who really created this workload: follow ownerReferences through the
 * objects this log saw created, to the first non-controller actor. */
static void resolve_actor(struct hh_audit *a, struct ev *e, const char *kind, const char *name)
{
	const json_t *meta = json_object_get(e->req, "metadata");
	const json_t *refs = json_object_get(meta, "ownerReferences"), *r, *owner = NULL;
	size_t i;
	json_array_foreach(refs, i, r) {
		if (!owner || json_is_true(json_object_get(r, "controller")))
			owner = r;
	}
	char me[HH_LRU_VAL];
	snprintf(me, sizeof(me), "%s %s/%s", kind, e->ns ? e->ns : "", name);
	const char *okind = jstr(owner, "kind"), *oname = jstr(owner, "name");
	if (owner && okind && oname && is_controller(e->user)) {
		char key[HH_LRU_KEY];
		snprintf(key, sizeof(key), "own:%s/%s/%s", okind, e->ns ? e->ns : "", oname);
		struct hh_lru_entry *x = hh_lru_get(&a->state, key);
		if (x) {
			hh_strlcpy(e->actor_root, x->val, sizeof(e->actor_root));
			snprintf(e->chain, sizeof(e->chain), "%.150s -> %.150s", x->val2, me);
			e->have_root = true;
		}
	} else if (e->user) {
		hh_strlcpy(e->actor_root, e->user, sizeof(e->actor_root));
		snprintf(e->chain, sizeof(e->chain), "%.60s created %.200s", e->user, me);
		e->have_root = !is_controller(e->user);
	}
	if (e->have_root && name[0]) {
		char key[HH_LRU_KEY];
		snprintf(key, sizeof(key), "own:%s/%s/%s", kind, e->ns ? e->ns : "", name);
		struct hh_lru_entry *x = hh_lru_put(&a->state, key);
		if (x) {
			hh_strlcpy(x->val, e->actor_root, sizeof(x->val));
			hh_strlcpy(x->val2, e->chain, sizeof(x->val2));
			x->t = e->t;
		}
	}
}

static void anon_sequence(struct hh_audit *a, struct ev *e, const char *what)
{
	struct hh_lru_entry *x = NULL;
	char key[HH_LRU_KEY];
	if (e->ip) {
		snprintf(key, sizeof(key), "anon:%s", e->ip);
		x = hh_lru_get(&a->state, key);
	}
	if (!x && !e->anon)
		return;
	if (x && e->t > 0 && x->t > 0 && e->t - x->t > a->seq_window_s)
		return;
	if (!x && e->anon)  /* anonymous did it itself */
		x = NULL;
	struct hh_finding *f = audit_finding(a, e, "audit.anonymous-then-workload",
					     "Workload created or entered after anonymous access", HH_SEV_CRITICAL,
					     "T1610");
	if (!f)
		return;
	hh_finding_add_mitre(f, "T1078");
	if (x) {
		hh_finding_evidence_str(f, "first anonymous request", x->val);
		hh_finding_evidence_str(f, "anonymous request source", e->ip);
		if (e->t > 0 && x->t > 0)
			hh_finding_evidence_num(f, "seconds since anonymous access", e->t - x->t);
	} else {
		hh_finding_evidence_str(f, "actor", e->user ? e->user : "system:anonymous");
	}
	hh_finding_evidence_str(f, "then", what);
	emit(a, f);
}

/* ---- the rules ---- */

static bool kube_ns(const char *ns)
{
	return ns && (strcmp(ns, "kube-system") == 0 || strcmp(ns, "kube-public") == 0);
}

static bool image_trusted_for_kube(struct hh_audit *a, const char *image)
{
	size_t i;
	const json_t *g;
	json_array_foreach(a->trusted_kube_images, i, g) {
		const char *s = json_string_value(g);
		if (s && fnmatch(s, image, 0) == 0)
			return true;
	}
	return false;
}

static void kube_ns_pod(struct hh_audit *a, struct ev *e)
{
	const json_t *spec = json_object_get(e->req, "spec");
	static const char *const lists[] = { "containers", "initContainers" };
	for (size_t l = 0; l < 2; l++) {
		size_t i;
		const json_t *c;
		json_array_foreach(json_object_get(spec, lists[l]), i, c) {
			const char *img = jstr(c, "image");
			if (!img || image_trusted_for_kube(a, img))
				continue;
			struct hh_finding *f = audit_finding(a, e, "audit.kube-namespace-pod",
							     "Pod created in a kube namespace from an untrusted image",
							     HH_SEV_MEDIUM, "T1610");
			if (f) {
				hh_finding_evidence_str(f, "namespace", e->ns);
				char what[96];
				snprintf(what, sizeof(what), "spec.%s[%zu].image", lists[l], i);
				hh_finding_evidence_str(f, what, img);
				emit(a, f);
			}
			return;
		}
	}
}

static void write_role(struct hh_audit *a, struct ev *e)
{
	static const char *const write_verbs[] = { "create", "update", "patch", "delete", "deletecollection" };
	const json_t *rules = json_object_get(e->req, "rules"), *r;
	size_t i;
	json_array_foreach(rules, i, r) {
		size_t k;
		const json_t *v;
		json_array_foreach(json_object_get(r, "verbs"), k, v) {
			const char *s = json_string_value(v);
			for (size_t w = 0; s && w < 5; w++) {
				if (strcmp(s, write_verbs[w]) != 0)
					continue;
				struct hh_finding *f = audit_finding(a, e, "audit.write-role",
								     "ClusterRole with write privileges created",
								     HH_SEV_LOW, "T1098");
				if (f) {
					char what[64];
					snprintf(what, sizeof(what), "rules[%zu].verbs[%zu]", i, k);
					hh_finding_evidence_str(f, what, s);
					emit(a, f);
				}
				return;
			}
		}
	}
}

static const char *uri_param(const char *uri, const char *param, char *buf, size_t n)
{
	const char *q = uri ? strchr(uri, '?') : NULL;
	size_t pl = strlen(param);
	while (q) {
		q++;
		if (strncmp(q, param, pl) == 0 && q[pl] == '=') {
			const char *v = q + pl + 1;
			size_t len = strcspn(v, "&");
			if (len >= n)
				len = n - 1;
			memcpy(buf, v, len);
			buf[len] = 0;
			return buf;
		}
		q = strchr(q, '&');
	}
	return NULL;
}

void hh_audit_event(struct hh_audit *a, const json_t *root, const char *src, unsigned line)
{
	struct ev e = { .root = root };
	const json_t *oref = json_object_get(root, "objectRef");
	e.verb = jstr(root, "verb");
	if (!json_is_object(root) || (!e.verb && !json_is_object(oref))) {
		hh_warn("%s:%u: not an audit event (no verb, no objectRef): skipped", src, line);
		a->st.skipped++;
		return;
	}
	const json_t *user = json_object_get(root, "user");
	e.user = jstr(user, "username");
	e.groups = json_object_get(user, "groups");
	e.stage = jstr(root, "stage");
	e.id = jstr(root, "auditID");
	e.uri = jstr(root, "requestURI");
	e.ip = json_string_value(json_array_get(json_object_get(root, "sourceIPs"), 0));
	e.useragent = jstr(root, "userAgent");
	e.decision = jstr(json_object_get(root, "annotations"), "authorization.k8s.io/decision");
	e.resource = jstr(oref, "resource");
	e.sub = jstr(oref, "subresource");
	e.ns = jstr(oref, "namespace");
	e.name = jstr(oref, "name");
	e.api_group = jstr(oref, "apiGroup");
	e.req = json_object_get(root, "requestObject");
	e.resp = json_object_get(root, "responseObject");
	e.code = json_integer_value(json_object_get(json_object_get(root, "responseStatus"), "code"));
	e.t = parse_time(jstr(root, "stageTimestamp"));
	if (e.t == 0)
		e.t = parse_time(jstr(root, "requestReceivedTimestamp"));
	if (e.t == 0)
		e.t = parse_time(jstr(root, "timestamp"));
	e.success = e.code == 0 || e.code < 400;
	e.allowed = e.decision ? strcmp(e.decision, "allow") == 0 : e.success;
	e.anon = (e.user && (strcmp(e.user, "system:anonymous") == 0)) || has_group(e.groups, "system:unauthenticated");

	/* One request logs up to four stages; judge it once. */
	if (e.stage && strcmp(e.stage, "RequestReceived") == 0) {
		a->st.skipped++;
		return;
	}
	if (e.id && e.id[0]) {
		if (hh_lru_get(&a->ids, e.id)) {
			a->st.skipped++;
			return;
		}
		hh_lru_put(&a->ids, e.id);
	}
	a->st.events++;
	if (!e.name)
		e.name = jstr(json_object_get(e.resp, "metadata"), "name");
	if (!e.name)
		e.name = jstr(json_object_get(e.req, "metadata"), "name");

	/* Anonymous access that the API server allowed. */
	if (e.anon && e.allowed) {
		static const char *const health[] = { "/healthz", "/livez", "/readyz" };
		bool is_health = false;
		for (size_t i = 0; e.uri && i < 3; i++)
			is_health |= strncmp(e.uri, health[i], strlen(health[i])) == 0;
		if (!is_health) {
			struct hh_finding *f = audit_finding(&*a, &e, "audit.anonymous-allowed",
							     "Anonymous request allowed", HH_SEV_HIGH, "T1078");
			if (f) {
				hh_finding_evidence_str(f, "user", e.user ? e.user : "(group system:unauthenticated)");
				hh_finding_evidence_str(f, "decision", e.decision ? e.decision : "(no annotation) response < 400");
				emit(a, f);
			}
			if (e.ip) {
				char key[HH_LRU_KEY];
				snprintf(key, sizeof(key), "anon:%s", e.ip);
				bool fresh = !hh_lru_get(&a->state, key);
				struct hh_lru_entry *x = hh_lru_put(&a->state, key);
				if (x && fresh) {
					snprintf(x->val, sizeof(x->val), "%.16s %.280s", e.verb ? e.verb : "?",
						 e.uri ? e.uri : "?");
					x->t = e.t;
				}
			}
		}
	}
	if (!e.success || !e.resource || !e.verb)
		return;

	bool is_pods = strcmp(e.resource, "pods") == 0;
	/* Entering running pods. */
	if (is_pods && e.sub) {
		static const char *const subs[][3] = {
			{ "exec", "audit.exec-into-pod", "Exec into a pod" },
			{ "attach", "audit.attach-to-pod", "Attach to a pod" },
			{ "portforward", "audit.port-forward", "Port-forward to a pod" },
			{ "ephemeralcontainers", "audit.ephemeral-container", "Ephemeral container added to a pod" },
		};
		for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
			if (strcmp(e.sub, subs[i][0]) != 0)
				continue;
			struct hh_finding *f = audit_finding(a, &e, subs[i][1], subs[i][2], HH_SEV_MEDIUM, "T1609");
			if (f) {
				char c[128], cmd[256];
				if (uri_param(e.uri, "container", c, sizeof(c)))
					hh_finding_set_str(f, "container.name", c);
				if (uri_param(e.uri, "command", cmd, sizeof(cmd)))
					hh_finding_evidence_str(f, "command", cmd);
				hh_finding_evidence_str(f, "subresource", e.sub);
				emit(a, f);
			}
			char what[400];
			snprintf(what, sizeof(what), "%s pods/%s %s/%s", e.verb, e.sub, e.ns ? e.ns : "",
				 e.name ? e.name : "");
			anon_sequence(a, &e, what);
			/* An ephemeral container carries a spec: judge it too. */
			if (strcmp(e.sub, "ephemeralcontainers") == 0 && json_is_object(e.req))
				judge_object(a, &e, e.req);
		}
		return;
	}
	if (e.sub)
		return;
	bool creates = strcmp(e.verb, "create") == 0;
	bool writes = creates || strcmp(e.verb, "update") == 0 || strcmp(e.verb, "patch") == 0;
	bool full_object = json_is_object(e.req) && json_is_string(json_object_get(e.req, "kind"));

	const char *wk = workload_kind(e.resource);
	if (wk && writes) {
		const char *name = e.name ? e.name : jstr(json_object_get(e.req, "metadata"), "generateName");
		if (creates && json_is_object(e.req))
			resolve_actor(a, &e, wk, name ? name : "");
		if (full_object)
			judge_object(a, &e, e.req);
		if (creates && is_pods && kube_ns(e.ns) && json_is_object(e.req))
			kube_ns_pod(a, &e);
		if (creates) {
			char what[400];
			snprintf(what, sizeof(what), "create %s %s/%s", wk, e.ns ? e.ns : "", name ? name : "");
			anon_sequence(a, &e, what);
		}
		return;
	}
	bool rbac = strcmp(e.resource, "clusterrolebindings") == 0 || strcmp(e.resource, "rolebindings") == 0 ||
		    strcmp(e.resource, "clusterroles") == 0 || strcmp(e.resource, "roles") == 0;
	if (rbac && writes && full_object) {
		judge_object(a, &e, e.req);
		if (creates && strcmp(e.resource, "clusterroles") == 0)
			write_role(a, &e);
	}
	if (strcmp(e.resource, "clusterroles") == 0 && !creates &&
	    (writes || strcmp(e.verb, "delete") == 0) && e.name && strncmp(e.name, "system:", 7) == 0 &&
	    !(e.user && strncmp(e.user, "system:", 7) == 0)) {
		struct hh_finding *f = audit_finding(a, &e, "audit.system-clusterrole-modified",
						     "System ClusterRole modified or deleted", HH_SEV_MEDIUM, "T1098");
		if (f) {
			hh_finding_evidence_str(f, "clusterrole", e.name);
			hh_finding_evidence_str(f, "verb", e.verb);
			emit(a, f);
		}
	}
	if (strcmp(e.resource, "services") == 0 && writes && json_is_object(e.req)) {
		const char *type = jstr(json_object_get(e.req, "spec"), "type");
		if (creates && type && strcmp(type, "NodePort") == 0) {
			struct hh_finding *f = audit_finding(a, &e, "audit.nodeport-service", "NodePort service created",
							     HH_SEV_LOW, "T1133");
			if (f) {
				hh_finding_evidence_str(f, "spec.type", type);
				const json_t *np = json_object_get(json_array_get(
					json_object_get(json_object_get(e.req, "spec"), "ports"), 0), "nodePort");
				if (json_is_integer(np))
					hh_finding_evidence_num(f, "spec.ports[0].nodePort", (double)json_integer_value(np));
				emit(a, f);
			}
		}
		if (full_object)
			judge_object(a, &e, e.req);
	}
	if (strcmp(e.resource, "serviceaccounts") == 0 && creates && kube_ns(e.ns) &&
	    !(e.user && strncmp(e.user, "system:", 7) == 0)) {
		struct hh_finding *f = audit_finding(a, &e, "audit.kube-namespace-serviceaccount",
						     "Service account created in a kube namespace", HH_SEV_MEDIUM, "T1136");
		if (f) {
			hh_finding_evidence_str(f, "namespace", e.ns);
			emit(a, f);
		}
	}
}

struct hh_audit *hh_audit_new(const struct hh_config *cfg, hh_posture_sink sink, void *user, char *err,
			      size_t errlen)
{
	struct hh_audit *a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->cfg = cfg;
	a->sink = sink;
	a->user = user;
	if (hh_posture_init(&a->posture, cfg, err, errlen) < 0) {
		hh_audit_free(a);
		return NULL;
	}
	/* posture.exceptions are policy for manifests; an audit log records what happened. */
	free(a->posture.exceptions);
	a->posture.exceptions = NULL;
	a->posture.n_exceptions = 0;
	size_t cap = (size_t)hh_config_int(cfg, NULL, "audit.state_entries", 16384);
	size_t idcap = (size_t)hh_config_int(cfg, NULL, "audit.dedup_entries", 4096);
	a->seq_window_s = hh_config_num(cfg, NULL, "audit.sequence_window_s", 3600);
	a->max_value_bytes = (size_t)hh_config_int(cfg, NULL, "audit.max_value_bytes", 256ll << 20);
	a->trusted_kube_images = cfg ? hh_config_get(cfg, NULL, "audit.kube_namespace_trusted_images") : NULL;
	if (hh_lru_init(&a->state, cap) < 0 || hh_lru_init(&a->ids, idcap) < 0) {
		snprintf(err, errlen, "out of memory for audit state (%zu entries)", cap);
		hh_audit_free(a);
		return NULL;
	}
	return a;
}

void hh_audit_free(struct hh_audit *a)
{
	if (!a)
		return;
	hh_posture_free(&a->posture);
	hh_lru_free(&a->state);
	hh_lru_free(&a->ids);
	free(a->buf);
	free(a);
}

void hh_audit_stats(const struct hh_audit *a, struct hh_audit_stats *out)
{
	*out = a->st;
	out->evictions = a->state.evictions;
}
