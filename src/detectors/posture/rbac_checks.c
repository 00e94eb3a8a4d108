/* RBAC and Service controls: cluster-admin bindings, wildcards, pods/exec,
 * workload creation rights, and dashboards exposed outside the cluster. */
#include <stdio.h>
#include <string.h>

#include "detectors/posture/posture_internal.h"

static bool arr_has(const json_t *arr, const char *s)
{
	size_t i;
	const json_t *v;
	json_array_foreach(arr, i, v) {
		const char *x = json_string_value(v);
		if (x && strcmp(x, s) == 0)
			return true;
	}
	return false;
}

static const char *const workload_resources[] = { "pods", "deployments", "daemonsets", "statefulsets",
						  "replicasets", "jobs", "cronjobs", "replicationcontrollers" };

static void rules_check(struct hh_posture_ctx *ctx, const struct hh_obj *o, bool cluster)
{
	const json_t *rules = json_object_get(o->root, "rules"), *r;
	size_t i;
	struct hh_finding *wild = NULL, *exec = NULL, *create = NULL;
	char what[96];
	json_array_foreach(rules, i, r) {
		const json_t *verbs = json_object_get(r, "verbs");
		const json_t *res = json_object_get(r, "resources");
		const json_t *groups = json_object_get(r, "apiGroups");
		bool any_verb = arr_has(verbs, "*");
		static const char *const fields[] = { "verbs", "resources", "apiGroups" };
		const json_t *arrs[] = { verbs, res, groups };
		for (size_t k = 0; k < 3; k++) {
			if (!arr_has(arrs[k], "*"))
				continue;
			if (!wild)
				wild = hh_posture_new(ctx, "posture.rbac-wildcard",
						      cluster ? HH_SEV_HIGH : HH_SEV_MEDIUM, o, r);
			snprintf(what, sizeof(what), "rules[%zu].%s", i, fields[k]);
			if (wild)
				hh_finding_evidence_str(wild, what, "*");
		}
		bool core = !json_is_array(groups) || arr_has(groups, "") || arr_has(groups, "*");
		bool any_res = arr_has(res, "*");
		if (core && (any_res || arr_has(res, "pods/exec") || arr_has(res, "pods/*") || arr_has(res, "pods/attach")) &&
		    (any_verb || arr_has(verbs, "create") || arr_has(verbs, "get"))) {
			if (!exec)
				exec = hh_posture_new(ctx, "posture.rbac-pod-exec", HH_SEV_MEDIUM, o, r);
			snprintf(what, sizeof(what), "rules[%zu].resources", i);
			if (exec)
				hh_finding_evidence_str(exec, what, any_res ? "*" : "pods/exec");
		}
		if (any_verb || arr_has(verbs, "create")) {
			for (size_t w = 0; w < sizeof(workload_resources) / sizeof(workload_resources[0]); w++) {
				if (!any_res && !arr_has(res, workload_resources[w]))
					continue;
				if (!create)
					create = hh_posture_new(ctx, "posture.rbac-pod-create", HH_SEV_MEDIUM, o, r);
				snprintf(what, sizeof(what), "rules[%zu].resources", i);
				if (create)
					hh_finding_evidence_str(create, what, any_res ? "*" : workload_resources[w]);
				break;
			}
		}
	}
	hh_posture_emit(ctx, wild);
	hh_posture_emit(ctx, exec);
	hh_posture_emit(ctx, create);
}

static void binding_check(struct hh_posture_ctx *ctx, const struct hh_obj *o)
{
	const json_t *ref = json_object_get(o->root, "roleRef");
	const char *role = json_string_value(json_object_get(ref, "name"));
	if (!role || strcmp(role, "cluster-admin") != 0)
		return;
	/* Broad subjects turn cluster-admin into everyone's. */
	bool broad = false;
	const json_t *subs = json_object_get(o->root, "subjects"), *s;
	size_t i;
	json_array_foreach(subs, i, s) {
		const char *n = json_string_value(json_object_get(s, "name"));
		if (n && (strcmp(n, "system:anonymous") == 0 || strcmp(n, "system:unauthenticated") == 0 ||
			  strcmp(n, "system:authenticated") == 0 || strcmp(n, "system:serviceaccounts") == 0 ||
			  strcmp(n, "default") == 0))
			broad = true;
	}
	struct hh_finding *f = hh_posture_new(ctx, "posture.rbac-cluster-admin-binding",
					      broad ? HH_SEV_CRITICAL : HH_SEV_HIGH, o, ref);
	if (!f)
		return;
	hh_finding_evidence_str(f, "roleRef.name", role);
	json_array_foreach(subs, i, s) {
		char what[64];
		snprintf(what, sizeof(what), "subjects[%zu]", i);
		const char *k = json_string_value(json_object_get(s, "kind"));
		const char *n = json_string_value(json_object_get(s, "name"));
		const char *ns = json_string_value(json_object_get(s, "namespace"));
		hh_finding_evidencef(f, what, "%s %s%s%s", k ? k : "?", ns ? ns : "", ns ? "/" : "", n ? n : "?");
		if (i >= 16)
			break;
	}
	hh_posture_emit(ctx, f);
}

bool hh_posture_check_rbac(struct hh_posture_ctx *ctx, const struct hh_obj *o)
{
	if (strcmp(o->kind, "ClusterRole") == 0 || strcmp(o->kind, "Role") == 0) {
		rules_check(ctx, o, o->kind[0] == 'C');
		return true;
	}
	if (strcmp(o->kind, "ClusterRoleBinding") == 0 || strcmp(o->kind, "RoleBinding") == 0) {
		binding_check(ctx, o);
		return true;
	}
	return false;
}

static bool mentions_dashboard(const json_t *obj)
{
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)obj, key, v) {
		const char *s = json_string_value(v);
		if ((s && strstr(s, "dashboard")) || strstr(key, "dashboard"))
			return true;
	}
	return false;
}

bool hh_posture_check_service(struct hh_posture_ctx *ctx, const struct hh_obj *o)
{
	if (strcmp(o->kind, "Service") != 0)
		return false;
	const json_t *spec = json_object_get(o->root, "spec");
	const char *type = json_string_value(json_object_get(spec, "type"));
	bool external = type && (strcmp(type, "NodePort") == 0 || strcmp(type, "LoadBalancer") == 0);
	bool ext_ips = json_array_size(json_object_get(spec, "externalIPs")) > 0;
	bool dash = strstr(o->name, "dashboard") || mentions_dashboard(json_object_get(spec, "selector")) ||
		    mentions_dashboard(json_object_get(json_object_get(o->root, "metadata"), "labels"));
	if (!dash || !(external || ext_ips))
		return true;
	struct hh_finding *f = hh_posture_new(ctx, "posture.exposed-dashboard", HH_SEV_HIGH, o, spec);
	if (f) {
		hh_finding_evidence_str(f, ext_ips ? "spec.externalIPs" : "spec.type", ext_ips ? "set" : type);
		hh_posture_emit(ctx, f);
	}
	return true;
}
