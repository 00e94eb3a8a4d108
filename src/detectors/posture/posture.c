/* Posture context: configuration (registry allowlist, exceptions), emission
 * through exceptions, and dispatch of Kubernetes objects to the checks. */
#include "detectors/posture/posture.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/workload.h"
#include "detectors/posture/posture_internal.h"

static const char *const default_registries[] = {
	"docker.io/library/", "registry.k8s.io/", "k8s.gcr.io/", "gcr.io/distroless/",
	"mcr.microsoft.com/", "public.ecr.aws/docker/library/",
};

static int copy_field(char *dst, size_t n, const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	if (!v) {
		dst[0] = 0;
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	hh_strlcpy(dst, json_string_value(v), n);
	return 0;
}

int hh_posture_init(struct hh_posture_ctx *ctx, const struct hh_config *cfg, char *err, size_t errlen)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->cfg = cfg;
	ctx->source = "check";
	const json_t *regs = cfg ? hh_config_get(cfg, NULL, "posture.registry_allowlist") : NULL;
	size_t nr = json_is_array(regs) ? json_array_size(regs)
					: sizeof(default_registries) / sizeof(default_registries[0]);
	if (nr > HH_POSTURE_MAX_REGISTRIES)
		nr = HH_POSTURE_MAX_REGISTRIES;
	ctx->registries = calloc(nr ? nr : 1, sizeof(*ctx->registries));
	if (!ctx->registries)
		return -1;
	for (size_t i = 0; i < nr; i++) {
		const char *s = json_is_array(regs) ? json_string_value(json_array_get(regs, i))
						    : default_registries[i];
		if (!s) {
			snprintf(err, errlen, "posture.registry_allowlist[%zu]: not a string", i);
			return -1;
		}
		hh_strlcpy(ctx->registries[ctx->n_registries++], s, sizeof(ctx->registries[0]));
	}
	const json_t *exc = cfg ? hh_config_get(cfg, NULL, "posture.exceptions") : NULL;
	if (!exc || json_is_null(exc))
		return 0;
	if (!json_is_array(exc)) {
		snprintf(err, errlen, "posture.exceptions: must be a list");
		return -1;
	}
	size_t ne = json_array_size(exc);
	if (ne > HH_POSTURE_MAX_EXCEPTIONS) {
		snprintf(err, errlen, "posture.exceptions: %zu entries, limit %d", ne, HH_POSTURE_MAX_EXCEPTIONS);
		return -1;
	}
	ctx->exceptions = calloc(ne ? ne : 1, sizeof(*ctx->exceptions));
	if (!ctx->exceptions)
		return -1;
	for (size_t i = 0; i < ne; i++) {
		const json_t *e = json_array_get(exc, i);
		struct hh_posture_exception *x = &ctx->exceptions[i];
		if (!json_is_object(e) || copy_field(x->control, sizeof(x->control), e, "control") ||
		    copy_field(x->ns, sizeof(x->ns), e, "namespace") ||
		    copy_field(x->kind, sizeof(x->kind), e, "kind") ||
		    copy_field(x->name, sizeof(x->name), e, "name") ||
		    copy_field(x->container, sizeof(x->container), e, "container") ||
		    copy_field(x->reason, sizeof(x->reason), e, "reason")) {
			snprintf(err, errlen, "posture.exceptions[%zu]: must be a mapping of strings "
				 "(control, namespace, kind, name, container, reason)", i);
			return -1;
		}
		if (!x->control[0]) {
			snprintf(err, errlen, "posture.exceptions[%zu]: 'control' is required (an id or a glob)", i);
			return -1;
		}
		if (!x->reason[0]) {
			snprintf(err, errlen, "posture.exceptions[%zu] (%s): 'reason' is required", i, x->control);
			return -1;
		}
		ctx->n_exceptions++;
	}
	return 0;
}

void hh_posture_free(struct hh_posture_ctx *ctx)
{
	free(ctx->exceptions);
	free(ctx->registries);
	ctx->exceptions = NULL;
	ctx->registries = NULL;
}

static const char *field_str(const struct hh_finding *f, const char *k)
{
	const char *s = json_string_value(json_object_get(f->fields, k));
	return s ? s : "";
}

static bool glob_ok(const char *pattern, const char *value)
{
	return !pattern[0] || fnmatch(pattern, value, 0) == 0;
}

void hh_posture_emit(struct hh_posture_ctx *ctx, struct hh_finding *f)
{
	if (!f)
		return;
	const char *ns = field_str(f, "k8s.ns.name");
	if (!ns[0])
		ns = "default";
	for (size_t i = 0; i < ctx->n_exceptions; i++) {
		const struct hh_posture_exception *x = &ctx->exceptions[i];
		if (glob_ok(x->control, f->rule) && glob_ok(x->ns, ns) &&
		    glob_ok(x->kind, field_str(f, "k8s.kind")) && glob_ok(x->name, field_str(f, "k8s.name")) &&
		    glob_ok(x->container, field_str(f, "container.name"))) {
			ctx->n_suppressed++;
			hh_finding_set_str(f, "exception.reason", x->reason);
			if (ctx->on_suppressed)
				ctx->on_suppressed(ctx->user, f);
			else
				hh_finding_free(f);
			return;
		}
	}
	ctx->n_emitted++;
	if (ctx->on_finding)
		ctx->on_finding(ctx->user, f);
	else
		hh_finding_free(f);
}

/* ---- object dispatch ---- */

struct hh_finding *hh_posture_new(struct hh_posture_ctx *ctx, const char *control_id,
				  enum hh_severity sev, const struct hh_obj *o, const json_t *at_node)
{
	if (ctx->want && !ctx->want(control_id))
		return NULL;
	const struct hh_control *c = hh_control_find(control_id);
	if (!c)
		return NULL;
	struct hh_finding *f = hh_control_finding(c, sev);
	if (!f)
		return NULL;
	hh_strlcpy(f->source, ctx->source ? ctx->source : "check", sizeof(f->source));
	if (o) {
		if (o->kind[0])
			hh_finding_set_str(f, "k8s.kind", o->kind);
		if (o->name[0])
			hh_finding_set_str(f, "k8s.name", o->name);
		if (o->ns[0])
			hh_finding_set_str(f, "k8s.ns.name", o->ns);
		if (o->origin && o->origin->file) {
			hh_finding_set_str(f, "file.path", o->origin->file);
			unsigned line = 0;
			if (o->origin->docs && at_node)
				line = hh_yaml_line_of(o->origin->docs, at_node);
			if (!line)
				line = o->line;
			if (line)
				hh_finding_set_int(f, "file.line", line);
		}
	}
	return f;
}

static const char *str_at(const json_t *obj, const char *a, const char *b)
{
	const json_t *v = json_object_get(obj, a);
	if (b)
		v = json_object_get(v, b);
	return json_string_value(v);
}

#define MAX_LIST_DEPTH 4

static int check_object(struct hh_posture_ctx *ctx, const json_t *obj,
			const struct hh_posture_origin *origin, int depth)
{
	if (!json_is_object(obj))
		return 0;
	const char *kind = str_at(obj, "kind", NULL);
	if (!kind)
		return 0;
	struct hh_obj o = { .origin = origin, .root = obj };
	hh_strlcpy(o.kind, kind, sizeof(o.kind));
	const char *name = str_at(obj, "metadata", "name");
	if (!name)
		name = str_at(obj, "metadata", "generateName");
	hh_strlcpy(o.name, name ? name : "", sizeof(o.name));
	const char *ns = str_at(obj, "metadata", "namespace");
	hh_strlcpy(o.ns, ns ? ns : "", sizeof(o.ns));
	o.line = origin && origin->docs ? hh_yaml_line_of(origin->docs, obj) : 0;
	if (!o.line && origin)
		o.line = origin->doc_line;

	size_t klen = strlen(kind);
	const json_t *items = json_object_get(obj, "items");
	if (klen >= 4 && strcmp(kind + klen - 4, "List") == 0 && json_is_array(items)) {
		if (depth >= MAX_LIST_DEPTH) {
			hh_warn("%s:%u: %s nested deeper than %d lists: not checked", origin && origin->file ? origin->file : "<input>",
				o.line, kind, MAX_LIST_DEPTH);
			return 1;
		}
		size_t i;
		const json_t *it;
		json_array_foreach(items, i, it)
			check_object(ctx, it, origin, depth + 1);
		return 1;
	}
	ctx->n_objects++;
	if (hh_posture_check_workload(ctx, &o))
		return 1;
	if (hh_posture_check_rbac(ctx, &o))
		return 1;
	if (hh_posture_check_service(ctx, &o))
		return 1;
	if (strcmp(kind, "KubeletConfiguration") == 0) {
		hh_posture_check_kubelet(ctx, obj, origin);
		return 1;
	}
	/* Kinds with nothing to judge are expected; others are named so a typo or
	 * an unsupported CRD does not pass silently. */
	static const char *const inert[] = { "ConfigMap", "Secret", "Namespace", "ServiceAccount", "Ingress",
					     "NetworkPolicy", "PersistentVolumeClaim", "PersistentVolume",
					     "StorageClass", "HorizontalPodAutoscaler", "PodDisruptionBudget",
					     "CustomResourceDefinition", "LimitRange", "ResourceQuota", "Endpoints",
					     "EndpointSlice", "IngressClass", "PriorityClass", "Lease", "Event",
					     "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
					     "APIService", "CSIDriver", "RuntimeClass", "PodSecurityPolicy" };
	bool known = false;
	for (size_t i = 0; i < sizeof(inert) / sizeof(inert[0]); i++)
		known |= strcmp(kind, inert[i]) == 0;
	if (known)
		hh_debug("%s:%u: kind %s: no posture control applies",
			 origin && origin->file ? origin->file : "<input>", o.line, kind);
	else if (ctx->source && strcmp(ctx->source, "check") == 0)
		hh_info("%s:%u: unknown kind %s (%s %s): no posture control applies, not checked",
			origin && origin->file ? origin->file : "<input>", o.line, kind,
			str_at(obj, "apiVersion", NULL) ? str_at(obj, "apiVersion", NULL) : "no apiVersion",
			o.name[0] ? o.name : "unnamed");
	return 1;
}

int hh_posture_check_object(struct hh_posture_ctx *ctx, const json_t *obj,
			    const struct hh_posture_origin *origin)
{
	return check_object(ctx, obj, origin, 0);
}
