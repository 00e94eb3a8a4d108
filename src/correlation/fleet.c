/* Campaign keys and fleet incidents (fleet.h). */
#include "correlation/fleet.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

static const char *field(const struct hh_finding *f, const char *name)
{
	const char *v = json_string_value(json_object_get(f->fields, name));
	return v && *v ? v : NULL;
}

const char *hh_fleet_node(const struct hh_finding *f, const char *fallback)
{
	const char *n = field(f, "k8s.node.name");
	if (!n)
		n = field(f, "hostname");
	return n ? n : (fallback && *fallback ? fallback : "unknown");
}

static size_t add(struct hh_fleet_key *out, size_t n, size_t max, const char *kind, const char *value)
{
	if (n >= max || !value || !*value)
		return n;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(out[i].kind, kind) && !strcmp(out[i].value, value))
			return n;
	snprintf(out[n].kind, sizeof(out[n].kind), "%s", kind);
	snprintf(out[n].value, sizeof(out[n].value), "%s", value);
	return n + 1;
}

/* Loopback addresses name each node's own machine, not a shared pool. */
static bool is_loopback(const char *ip)
{
	return !strncmp(ip, "127.", 4) || !strcmp(ip, "::1") || !strncmp(ip, "::ffff:127.", 11);
}

size_t hh_fleet_keys(const struct hh_finding *f, struct hh_fleet_key *out, size_t max)
{
	if (f->severity < HH_SEV_MEDIUM || !strcmp(f->source, "fleet"))
		return 0;
	size_t n = 0;
	n = add(out, n, max, "exe", field(f, "proc.exe.sha256"));
	n = add(out, n, max, "exe", field(f, "file.sha256"));
	n = add(out, n, max, "wallet", field(f, "proc.cmdline.wallet"));
	n = add(out, n, max, "dropper", field(f, "dropper.url"));
	const char *digest = field(f, "container.image.digest");
	n = add(out, n, max, "image", digest ? digest : field(f, "container.image"));
	/* The pool: by name when known, else by address; with the port. */
	const char *host = field(f, "fd.sip.name");
	const char *ip = field(f, "fd.sip");
	json_t *port = json_object_get(f->fields, "fd.sport");
	if (!host && ip && !is_loopback(ip))
		host = ip;
	if (host && json_is_integer(port)) {
		char ep[300];
		snprintf(ep, sizeof(ep), "%s:%lld", host, (long long)json_integer_value(port));
		n = add(out, n, max, "pool", ep);
	}
	return n;
}

struct hh_finding *hh_fleet_campaign(const struct hh_fleet_key *key, const struct hh_fleet_member *m, size_t n)
{
	enum hh_severity sev = HH_SEV_MEDIUM;
	for (size_t i = 0; i < n; i++)
		if (m[i].severity >= HH_SEV_HIGH)
			sev = HH_SEV_HIGH;
	double conf = 0.5 + 0.1 * (double)n;
	char title[400];
	snprintf(title, sizeof(title), "Campaign: the same %s on %zu nodes", key->kind, n);
	struct hh_finding *f = hh_finding_new("fleet", "fleet.campaign", title, sev, conf > 0.95 ? 0.95 : conf);
	if (!f)
		return NULL;
	hh_finding_add_mitre(f, "T1496");
	/* A stable id per key, so updates of one campaign can be joined. */
	unsigned char md[SHA256_DIGEST_LENGTH];
	char id[64];
	char kv[300];
	snprintf(kv, sizeof(kv), "%s\n%s", key->kind, key->value);
	SHA256((const unsigned char *)kv, strlen(kv), md);
	int w = snprintf(id, sizeof(id), "%s-", key->kind);
	for (int i = 0; i < 8 && w > 0 && (size_t)w < sizeof(id) - 2; i++, w += 2)
		snprintf(id + w, sizeof(id) - (size_t)w, "%02x", md[i]);
	hh_finding_set_str(f, "campaign.id", id);
	hh_finding_set_str(f, "campaign.kind", key->kind);
	hh_finding_set_str(f, "campaign.key", key->value);
	hh_finding_set_int(f, "campaign.nodes", (long long)n);
	json_t *nodes = json_array();
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(nodes, json_string(m[i].node));
		char what[300], value[600];
		snprintf(what, sizeof(what), "node %s", m[i].node);
		snprintf(value, sizeof(value), "%s: %s (%s)", m[i].workload && *m[i].workload ? m[i].workload : "host",
			 m[i].rule, hh_severity_name(m[i].severity));
		hh_finding_evidence_str(f, what, value);
	}
	json_object_set_new(f->fields, "campaign.node_list", nodes);
	return f;
}
