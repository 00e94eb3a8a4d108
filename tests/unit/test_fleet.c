/* Fleet correlation and its store: campaign keys of a finding (medium or
 * worse only; a loopback pool is no key; the image digest over the name),
 * the node of a finding, the store keeping each message id once (a
 * redelivery is not new; a batch is one transaction), members one per node, a campaign reported only
 * when it grows, and the message id of a JSON line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "correlation/fleet.h"
#include "sinks/fleet_store.h"
#include "sinks/nats_stream.h"

static struct hh_finding *miner(const char *node, enum hh_severity sev)
{
	struct hh_finding *f = hh_finding_new("agent", "miner.exe-traits", "miner", sev, 0.9);
	hh_finding_set_str(f, "k8s.node.name", node);
	hh_finding_set_str(f, "hostname", "host-of-everything");
	hh_finding_set_str(f, "container.name", "web-1");
	hh_finding_set_str(f, "proc.exe.sha256", "aaaa");
	hh_finding_set_str(f, "container.image", "docker.io/evil/miner:1");
	hh_finding_set_str(f, "container.image.digest", "sha256:bbbb");
	hh_finding_set_str(f, "fd.sip", "127.0.0.1");
	hh_finding_set_int(f, "fd.sport", 3333);
	return f;
}

static bool has_key(const struct hh_fleet_key *k, size_t n, const char *kind, const char *value)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(k[i].kind, kind) && !strcmp(k[i].value, value))
			return true;
	return false;
}

static void keys_of_a_finding(void **state)
{
	(void)state;
	struct hh_fleet_key k[HH_FLEET_MAX_KEYS];
	struct hh_finding *f = miner("n1", HH_SEV_HIGH);
	size_t n = hh_fleet_keys(f, k, HH_FLEET_MAX_KEYS);
	assert_int_equal(n, 2); /* exe and image; the loopback pool is no key */
	assert_true(has_key(k, n, "exe", "aaaa"));
	assert_true(has_key(k, n, "image", "sha256:bbbb"));
	hh_finding_set_str(f, "fd.sip.name", "pool.example");
	n = hh_fleet_keys(f, k, HH_FLEET_MAX_KEYS);
	assert_true(has_key(k, n, "pool", "pool.example:3333"));
	/* At most max keys. */
	assert_int_equal(hh_fleet_keys(f, k, 1), 1);
	hh_finding_free(f);

	f = miner("n1", HH_SEV_LOW);
	assert_int_equal(hh_fleet_keys(f, k, HH_FLEET_MAX_KEYS), 0);
	hh_finding_free(f);
	/* A campaign is no member of another campaign. */
	f = hh_finding_new("fleet", "fleet.campaign", "c", HH_SEV_HIGH, 0.8);
	hh_finding_set_str(f, "proc.exe.sha256", "aaaa");
	assert_int_equal(hh_fleet_keys(f, k, HH_FLEET_MAX_KEYS), 0);
	hh_finding_free(f);
}

static void node_of_a_finding(void **state)
{
	(void)state;
	struct hh_finding *f = miner("n1", HH_SEV_HIGH);
	assert_string_equal(hh_fleet_node(f, "subj"), "n1");
	json_object_del(f->fields, "k8s.node.name");
	assert_string_equal(hh_fleet_node(f, "subj"), "host-of-everything");
	json_object_del(f->fields, "hostname");
	assert_string_equal(hh_fleet_node(f, "subj"), "subj");
	assert_string_equal(hh_fleet_node(f, NULL), "unknown");
	hh_finding_free(f);
}

static int n_campaigns;
static void count_cb(const struct hh_finding *f, void *ctx)
{
	(void)ctx;
	assert_string_equal(f->rule, "fleet.campaign");
	n_campaigns++;
}

static void store_once_and_campaigns(void **state)
{
	(void)state;
	char path[] = "/tmp/hh-test-fleet-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	char err[256];
	struct hh_fleet_store *s = hh_fleet_store_open(path, err, sizeof(err));
	assert_non_null(s);
	struct hh_fleet_key k[HH_FLEET_MAX_KEYS];
	const char *nodes[] = { "n1", "n1", "n2", "n3" };
	for (int i = 0; i < 4; i++) {
		struct hh_finding *f = miner(nodes[i], i == 3 ? HH_SEV_MEDIUM : HH_SEV_HIGH);
		f->time += i;
		size_t nk = hh_fleet_keys(f, k, HH_FLEET_MAX_KEYS);
		char id[16];
		snprintf(id, sizeof(id), "msg-%d", i);
		assert_int_equal(hh_fleet_store_add(s, id, nodes[i], f, k, nk), 1);
		/* The same message again (a redelivery): kept once. */
		assert_int_equal(hh_fleet_store_add(s, id, nodes[i], f, k, nk), 0);
		hh_finding_free(f);
	}
	assert_int_equal(hh_fleet_store_count(s), 4);

	struct hh_fleet_key exe = { .kind = "exe", .value = "aaaa" };
	struct hh_fleet_member m[HH_FLEET_MAX_MEMBERS];
	int n = hh_fleet_store_members(s, &exe, m, HH_FLEET_MAX_MEMBERS);
	assert_int_equal(n, 3); /* one per node */
	assert_string_equal(m[0].node, "n3"); /* newest first */
	assert_string_equal(m[0].workload, "web-1");
	struct hh_fleet_key other = { .kind = "exe", .value = "cccc" };
	assert_int_equal(hh_fleet_store_members(s, &other, m, HH_FLEET_MAX_MEMBERS), 0);

	/* Two nodes, then three: each reported once; the same count again is not. */
	n = hh_fleet_store_members(s, &exe, m, HH_FLEET_MAX_MEMBERS);
	struct hh_finding *c2 = hh_fleet_campaign(&exe, m + 1, 2);
	struct hh_finding *c3 = hh_fleet_campaign(&exe, m, 3);
	assert_int_equal(hh_fleet_store_campaign(s, &exe, 2, c2), 1);
	assert_int_equal(hh_fleet_store_campaign(s, &exe, 2, c2), 0);
	assert_int_equal(hh_fleet_store_campaign(s, &exe, 3, c3), 1);
	assert_int_equal(hh_fleet_store_campaign(s, &exe, 2, c2), 0);
	json_t *list = json_object_get(c3->fields, "campaign.node_list");
	assert_int_equal(json_array_size(list), 3);
	assert_int_equal(json_array_size(c3->evidence), 3);
	assert_int_equal(c3->severity, HH_SEV_HIGH); /* a member is high */
	assert_string_equal(json_string_value(json_object_get(c3->fields, "campaign.kind")), "exe");
	hh_finding_free(c2);
	hh_finding_free(c3);

	n_campaigns = 0;
	assert_int_equal(hh_fleet_store_campaigns(s, count_cb, NULL), 1);
	assert_int_equal(n_campaigns, 1);
	hh_fleet_store_close(s);
	/* Reopened: the same content. */
	s = hh_fleet_store_open(path, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(hh_fleet_store_count(s), 4);
	hh_fleet_store_close(s);
	unlink(path);
	char side[64];
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

static void store_batch(void **state)
{
	(void)state;
	char path[] = "/tmp/hh-test-fleet-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	char err[256];
	struct hh_fleet_store *s = hh_fleet_store_open(path, err, sizeof(err));
	assert_non_null(s);
	struct hh_fleet_key k[HH_FLEET_MAX_KEYS];
	assert_int_equal(hh_fleet_store_commit(s), -1); /* no batch open */
	assert_int_equal(hh_fleet_store_begin(s), 0);
	assert_int_equal(hh_fleet_store_begin(s), -1); /* no nesting */
	const char *nodes[] = { "n1", "n2" };
	for (int i = 0; i < 2; i++) {
		struct hh_finding *f = miner(nodes[i], HH_SEV_HIGH);
		size_t nk = hh_fleet_keys(f, k, HH_FLEET_MAX_KEYS);
		assert_int_equal(hh_fleet_store_add(s, nodes[i], nodes[i], f, k, nk), 1);
		assert_int_equal(hh_fleet_store_add(s, nodes[i], nodes[i], f, k, nk), 0);
		hh_finding_free(f);
	}
	/* The batch sees its own adds before the commit. */
	struct hh_fleet_key exe = { .kind = "exe", .value = "aaaa" };
	struct hh_fleet_member m[HH_FLEET_MAX_MEMBERS];
	assert_int_equal(hh_fleet_store_members(s, &exe, m, HH_FLEET_MAX_MEMBERS), 2);
	assert_int_equal(hh_fleet_store_commit(s), 0);
	hh_fleet_store_close(s);
	s = hh_fleet_store_open(path, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(hh_fleet_store_count(s), 2);
	hh_fleet_store_close(s);
	unlink(path);
	char side[64];
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

static void campaign_severity_medium(void **state)
{
	(void)state;
	struct hh_fleet_key key = { .kind = "pool", .value = "pool.example:3333" };
	struct hh_fleet_member m[2] = {
		{ .node = "n1", .workload = "", .rule = "r", .severity = HH_SEV_MEDIUM },
		{ .node = "n2", .workload = "w", .rule = "r", .severity = HH_SEV_MEDIUM },
	};
	struct hh_finding *c = hh_fleet_campaign(&key, m, 2);
	assert_non_null(c);
	assert_int_equal(c->severity, HH_SEV_MEDIUM);
	assert_string_equal(c->source, "fleet");
	/* A member without a workload is the host. */
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(c->evidence, 0), "value")), "host"));
	hh_finding_free(c);
}

static void msg_id_of_bytes(void **state)
{
	(void)state;
	char a[33], b[33], c[33];
	hh_nats_msg_id("{\"x\":1}", 7, a);
	hh_nats_msg_id("{\"x\":1}", 7, b);
	hh_nats_msg_id("{\"x\":2}", 7, c);
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strspn(a, "0123456789abcdef"), 32);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys_of_a_finding),
		cmocka_unit_test(node_of_a_finding),
		cmocka_unit_test(store_once_and_campaigns),
		cmocka_unit_test(store_batch),
		cmocka_unit_test(campaign_severity_medium),
		cmocka_unit_test(msg_id_of_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
