/* Fleet correlation and its store: campaign keys of a finding (medium or
 * worse only; a loopback pool is no key; the image digest over the name),
 * the node of a finding, the store keeping each message id once (a
 * redelivery is not new; a batch is one transaction), members one per node,
 * a campaign reported only when it grows, the fleet view (one row per
 * campaign, most nodes first, escaped), and the message id of bytes. */
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
#include "sinks/fleet_view.h"
#include "sinks/nats_stream.h"
#include "sinks/store.h"

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

static char *render(struct hh_store *st, bool json, int *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	*n = json ? hh_fleet_view_json(fp, st) : hh_fleet_view_html(fp, st);
	fclose(fp);
	return buf;
}

static void fleet_view_pages(void **state)
{
	(void)state;
	char path[] = "/tmp/hh-test-fleetview-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	char err[256];
	struct hh_store *st = hh_store_open(path, 0, err, sizeof(err));
	assert_non_null(st);
	int n;
	char *page = render(st, false, &n);
	assert_int_equal(n, 0);
	assert_non_null(strstr(page, "No campaign"));
	free(page);

	/* One campaign reported on 2 nodes, then 3 (a hostile node name among
	 * them); another on 2; a finding of another rule. */
	struct hh_fleet_key exe = { .kind = "exe", .value = "aaaa" }, pool = { .kind = "pool", .value = "p.example:3333" };
	struct hh_fleet_member m[3] = {
		{ .node = "<script>x</script>", .workload = "web-1", .rule = "r", .severity = HH_SEV_HIGH },
		{ .node = "n2", .workload = "web-2", .rule = "r", .severity = HH_SEV_HIGH },
		{ .node = "n3", .workload = "", .rule = "r", .severity = HH_SEV_MEDIUM },
	};
	struct hh_finding *c2 = hh_fleet_campaign(&exe, m + 1, 2), *c3 = hh_fleet_campaign(&exe, m, 3);
	struct hh_finding *p2 = hh_fleet_campaign(&pool, m + 1, 2), *other = miner("n1", HH_SEV_HIGH);
	c3->time = c2->time + 1;
	assert_int_equal(hh_store_add(st, c2), 0);
	assert_int_equal(hh_store_add(st, c3), 0);
	assert_int_equal(hh_store_add(st, p2), 0);
	assert_int_equal(hh_store_add(st, other), 0);
	hh_finding_free(c2);
	hh_finding_free(c3);
	hh_finding_free(p2);
	hh_finding_free(other);

	page = render(st, false, &n);
	assert_int_equal(n, 2);
	assert_null(strstr(page, "<script>"));
	assert_non_null(strstr(page, "&lt;script&gt;"));
	assert_non_null(strstr(page, "p.example:3333"));
	/* Most nodes first: the exe campaign's row comes before the pool's. */
	assert_true(strstr(page, "aaaa") < strstr(page, "p.example"));
	free(page);

	page = render(st, true, &n);
	assert_int_equal(n, 2);
	json_t *arr = json_loads(page, 0, NULL);
	assert_true(json_is_array(arr));
	assert_int_equal(json_array_size(arr), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(arr, 0), "fields"),
							   "campaign.nodes")),
			 3);
	json_decref(arr);
	free(page);
	hh_store_close(st);
	unlink(path);
	char side[80];
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
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
		cmocka_unit_test(fleet_view_pages),
		cmocka_unit_test(msg_id_of_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
