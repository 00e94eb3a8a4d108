/* Node configs: kubelet KubeletConfiguration, Docker daemon.json, and
 * containerd config.toml.
 *
 * containerd TOML subset read here: comments, [table] and [[table]] headers
 * (dotted keys, quoted segments), and single-line `key = value` pairs whose
 * value is a boolean, integer, "basic" or 'literal' string, or a one-line
 * array of strings. Multi-line arrays and strings and inline tables are
 * skipped (none of the settings judged here use them in practice). Judged:
 *   [grpc] tcp_address without tcp_tls_cert             -> posture.containerd-tcp-api
 *   [plugins.*cri*] disable_apparmor = true            -> posture.containerd-lsm-disabled
 *   [*.registry.configs."H".tls] insecure_skip_verify   -> posture.containerd-insecure-registry
 *   [*.registry.mirrors."H"] endpoint = ["http://..."]  -> posture.containerd-insecure-registry */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/workload.h"
#include "detectors/posture/posture_internal.h"

static struct hh_finding *node_finding(struct hh_posture_ctx *ctx, const char *control, enum hh_severity sev,
				       const char *kind, const char *file, unsigned line)
{
	struct hh_obj o = { .line = line };
	hh_strlcpy(o.kind, kind, sizeof(o.kind));
	struct hh_posture_origin origin = { .file = file, .docs = NULL, .doc_line = line };
	o.origin = file ? &origin : NULL;
	return hh_posture_new(ctx, control, sev, &o, NULL);
}

static unsigned line_of(const struct hh_posture_origin *origin, const json_t *node)
{
	unsigned l = origin && origin->docs && node ? hh_yaml_line_of(origin->docs, node) : 0;
	return l ? l : origin ? origin->doc_line : 0;
}

int hh_posture_check_kubelet(struct hh_posture_ctx *ctx, const json_t *cfg,
			     const struct hh_posture_origin *origin)
{
	const char *file = origin ? origin->file : NULL;
	const json_t *authn = json_object_get(cfg, "authentication");
	const json_t *anon = json_object_get(authn, "anonymous");
	struct hh_finding *f;
	if (json_is_true(json_object_get(anon, "enabled")) &&
	    (f = node_finding(ctx, "posture.kubelet-anonymous-auth", HH_SEV_CRITICAL, "KubeletConfiguration", file,
			      line_of(origin, anon)))) {
		hh_finding_evidence_str(f, "authentication.anonymous.enabled", "true");
		hh_posture_emit(ctx, f);
	}
	const json_t *authz = json_object_get(cfg, "authorization");
	const char *mode = json_string_value(json_object_get(authz, "mode"));
	if (mode && strcmp(mode, "AlwaysAllow") == 0 &&
	    (f = node_finding(ctx, "posture.kubelet-always-allow", HH_SEV_CRITICAL, "KubeletConfiguration", file,
			      line_of(origin, authz)))) {
		hh_finding_evidence_str(f, "authorization.mode", mode);
		hh_posture_emit(ctx, f);
	}
	const json_t *ro = json_object_get(cfg, "readOnlyPort");
	if (json_is_integer(ro) && json_integer_value(ro) > 0 &&
	    (f = node_finding(ctx, "posture.kubelet-readonly-port", HH_SEV_MEDIUM, "KubeletConfiguration", file,
			      line_of(origin, cfg)))) {
		hh_finding_evidencef(f, "readOnlyPort", "%lld", (long long)json_integer_value(ro));
		hh_posture_emit(ctx, f);
	}
	return 3;
}

int hh_posture_check_docker(struct hh_posture_ctx *ctx, const json_t *d, const struct hh_posture_origin *origin)
{
	const char *file = origin ? origin->file : NULL;
	bool tls = json_is_true(json_object_get(d, "tls"));
	bool verify = json_is_true(json_object_get(d, "tlsverify"));
	const json_t *hosts = json_object_get(d, "hosts"), *h;
	size_t i;
	json_array_foreach(hosts, i, h) {
		const char *s = json_string_value(h);
		if (!s || strncmp(s, "tcp://", 6) != 0 || verify)
			continue;
		bool loop = strncmp(s + 6, "127.", 4) == 0 || strncmp(s + 6, "localhost", 9) == 0 ||
			    strncmp(s + 6, "[::1]", 5) == 0;
		struct hh_finding *f = node_finding(ctx, "posture.docker-tcp-no-tls",
						    loop ? HH_SEV_MEDIUM : HH_SEV_CRITICAL, "DockerDaemon", file,
						    line_of(origin, hosts));
		if (!f)
			continue;
		char what[32];
		snprintf(what, sizeof(what), "hosts[%zu]", i);
		hh_finding_evidence_str(f, what, s);
		hh_finding_evidence_str(f, "tlsverify", tls ? "false (TLS without client certificates: anyone may connect)"
							    : "false (no TLS)");
		hh_posture_emit(ctx, f);
	}
	const json_t *ins = json_object_get(d, "insecure-registries");
	json_array_foreach(ins, i, h) {
		const char *s = json_string_value(h);
		struct hh_finding *f;
		if (s && (f = node_finding(ctx, "posture.docker-insecure-registry", HH_SEV_LOW, "DockerDaemon", file,
					   line_of(origin, ins)))) {
			char what[48];
			snprintf(what, sizeof(what), "insecure-registries[%zu]", i);
			hh_finding_evidence_str(f, what, s);
			hh_posture_emit(ctx, f);
		}
	}
	return 2;
}

/* ---- containerd TOML subset ---- */

/* Reads a TOML string value at p ("..." or '...'); out gets it. Returns false when not a string. */
static bool toml_string(const char *p, char *out, size_t n)
{
	char q = *p;
	if (q != '"' && q != '\'')
		return false;
	size_t k = 0;
	for (p++; *p && *p != q; p++) {
		if (q == '"' && *p == '\\' && p[1])
			p++;
		if (k + 1 < n)
			out[k++] = *p;
	}
	out[k] = 0;
	return *p == q;
}

/* Table header into a dotted name with quotes removed: [a."b.c".d] -> a.b.c.d */
static void toml_header(const char *p, char *out, size_t n)
{
	size_t k = 0;
	while (*p == '[')
		p++;
	char q = 0;
	for (; *p && (q || *p != ']'); p++) {
		if (!q && (*p == '"' || *p == '\'')) {
			q = *p;
			continue;
		}
		if (q && *p == q) {
			q = 0;
			continue;
		}
		if (!q && isspace((unsigned char)*p))
			continue;
		if (k + 1 < n)
			out[k++] = *p;
	}
	out[k] = 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int hh_posture_check_containerd(struct hh_posture_ctx *ctx, const char *text, size_t len, const char *file)
{
	char table[512] = "", grpc_tcp[256] = "";
	unsigned grpc_line = 0;
	bool grpc_tls = false;
	int judged = 0;
	unsigned lineno = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[1024];
		if (ll >= sizeof(line))
			ll = sizeof(line) - 1;  /* longer lines carry nothing judged here */
		memcpy(line, p, ll);
		line[ll] = 0;
		p = nl ? nl + 1 : end;
		lineno++;
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#')
			continue;
		if (*s == '[') {
			toml_header(s, table, sizeof(table));
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq)
			continue;
		char key[128];
		size_t kl = (size_t)(eq - s);
		while (kl && isspace((unsigned char)s[kl - 1]))
			kl--;
		if (kl >= sizeof(key))
			continue;
		memcpy(key, s, kl);
		key[kl] = 0;
		char *v = eq + 1;
		while (isspace((unsigned char)*v))
			v++;
		bool vtrue = strncmp(v, "true", 4) == 0;
		char sval[256] = "";
		bool is_str = toml_string(v, sval, sizeof(sval));
		struct hh_finding *f;
		char what[700];
		snprintf(what, sizeof(what), "%s%s%s", table, table[0] ? "." : "", key);

		if (strcmp(table, "grpc") == 0) {
			if (strcmp(key, "tcp_address") == 0 && is_str && sval[0]) {
				hh_strlcpy(grpc_tcp, sval, sizeof(grpc_tcp));
				grpc_line = lineno;
			}
			if (strcmp(key, "tcp_tls_cert") == 0 && is_str && sval[0])
				grpc_tls = true;
			judged++;
		} else if (strstr(table, "cri") && strcmp(key, "disable_apparmor") == 0) {
			judged++;
			if (vtrue && (f = node_finding(ctx, "posture.containerd-lsm-disabled", HH_SEV_MEDIUM,
						       "ContainerdConfig", file, lineno))) {
				hh_finding_evidence_str(f, what, "true");
				hh_posture_emit(ctx, f);
			}
		} else if (strstr(table, ".registry.configs.") && ends_with(table, ".tls") &&
			   strcmp(key, "insecure_skip_verify") == 0) {
			judged++;
			if (vtrue && (f = node_finding(ctx, "posture.containerd-insecure-registry", HH_SEV_LOW,
						       "ContainerdConfig", file, lineno))) {
				hh_finding_evidence_str(f, what, "true");
				hh_posture_emit(ctx, f);
			}
		} else if (strstr(table, ".registry.mirrors.") && strcmp(key, "endpoint") == 0 && *v == '[') {
			judged++;
			if (strstr(v, "\"http://") || strstr(v, "'http://")) {
				if ((f = node_finding(ctx, "posture.containerd-insecure-registry", HH_SEV_LOW,
						      "ContainerdConfig", file, lineno))) {
					hh_finding_evidence_str(f, what, v);
					hh_posture_emit(ctx, f);
				}
			}
		}
	}
	if (grpc_tcp[0] && !grpc_tls) {
		struct hh_finding *f = node_finding(ctx, "posture.containerd-tcp-api", HH_SEV_CRITICAL,
						    "ContainerdConfig", file, grpc_line);
		if (f) {
			hh_finding_evidence_str(f, "grpc.tcp_address", grpc_tcp);
			hh_finding_evidence_str(f, "grpc.tcp_tls_cert", "unset");
			hh_posture_emit(ctx, f);
		}
	}
	return judged;
}
