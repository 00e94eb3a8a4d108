/* Process inventory and its detector: a synthetic proc tree built per test
 * (stat with hostile comm, cmdline/environ with NULs, exe links plain,
 * deleted and memfd, mountinfo with an overlay upperdir under a fake host
 * root, cgroup files naming containers), the real /proc for this process,
 * and the findings with their deduplication. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detectors/process/process_indicators.h"
#include "sources/procfs/proc_inventory.h"
#include "sources/procfs/procfs_parse.h"

#define CID "9ec39b91f3d70e1beff50a308f77067065ea6be0d91a3378375056cd4422cf3d"
#define WALLET "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"

static char root[256];     /* the temporary tree */
static char proc[300], host[300];

static void wfile(const char *rel, const void *data, size_t len)
{
	char p[600];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", p);
	assert_int_equal(system(cmd), 0);
	*slash = '/';
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fwrite(data, 1, len, f);
	fclose(f);
}

static void wstr(const char *rel, const char *s) { wfile(rel, s, strlen(s)); }

static void wlink(const char *rel, const char *target)
{
	char p[600];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	unlink(p);
	assert_int_equal(symlink(target, p), 0);
}

static void stat_line(int pid, const char *comm, int ppid)
{
	char rel[64], buf[512];
	snprintf(rel, sizeof(rel), "proc/%d/stat", pid);
	snprintf(buf, sizeof(buf),
		 "%d (%s) S %d %d %d 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 123456 1000000 200 18446744073709551615 "
		 "1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
		 pid, comm, ppid, pid, pid);
	wstr(rel, buf);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/hh-test-procinv-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(proc, sizeof(proc), "%s/proc", root);
	snprintf(host, sizeof(host), "%s/host", root);
	wstr("proc/stat", "cpu  1 2 3 4 5 6 7 8 0 0\nbtime 1700000000\n");
	/* an innocent-named binary carrying XMRig + RandomX + Stratum traits */
	const char *miner = "\x7f" "ELF....XMRig/6.21 donate.v2.xmrig.com --donate-level cpu-max-threads-hint "
			    "RandomX randomx_create_vm rx/0 mining.subscribe mining.submit stratum+tcp";
	wstr("files/kworker", miner);
	wstr("files/plain", "\x7f" "ELF just a program");

	/* 10: pid 1-like init of the container (host ns) */
	stat_line(1, "systemd", 0);
	wstr("proc/1/cgroup", "0::/init.scope\n");
	wstr("proc/1/cmdline", "/sbin/init\0");
	stat_line(5, "conmon", 1);
	wstr("proc/5/cgroup", "0::/system.slice\n");
	wstr("proc/5/cmdline", "conmon\0");
	/* 42: renamed miner written into the upper layer, with miner args and env */
	stat_line(42, "kworker) evil (x", 5); /* comm with ") (" must not confuse the parser */
	wstr("proc/42/comm", "kworker\n");
	wstr("proc/42/cgroup", "1:cpu:/docker/" CID "\n0::/docker/" CID "\n");
	static const char cl[] = "kworker\0-o\0stratum+ssl://pool.example.net:443\0-u\0" WALLET "\0--donate-level=1\0";
	wfile("proc/42/cmdline", cl, sizeof(cl) - 1);
	static const char envb[] = "PATH=/bin\0POOL=stratum+tcp://p.example:3333\0HOME=/root\0";
	wfile("proc/42/environ", envb, sizeof(envb) - 1);
	wstr("proc/42/status", "Name:\tkworker\nUid:\t1000\t1000\t1000\t1000\nGid:\t1001\t1001\t1001\t1001\n");
	/* The exe link's target is the path inside the container; the same path
	 * under host_root + upperdir marks it as written into the container. */
	char target[512], rel[700];
	snprintf(target, sizeof(target), "%s/files/kworker", root);
	wlink("proc/42/exe", target);
	snprintf(rel, sizeof(rel), "host/upper%s", target);
	wstr(rel, miner);
	char mi[1024];
	snprintf(mi, sizeof(mi),
		 "600 500 0:52 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/l1:/l2,upperdir=/upper,workdir=/work\n"
		 "601 600 0:53 / /proc rw,nosuid - proc proc rw\n");
	wstr("proc/42/mountinfo", mi);
	/* 43: deleted exe; 44: memfd exe */
	stat_line(43, "app", 5);
	wstr("proc/43/cgroup", "0::/docker/" CID "\n");
	wstr("proc/43/cmdline", "app\0");
	wlink("proc/43/exe", "/usr/bin/app (deleted)");
	stat_line(44, "x", 42);
	wstr("proc/44/cgroup", "0::/docker/" CID "\n");
	wstr("proc/44/cmdline", "x\0");
	wlink("proc/44/exe", "/memfd:payload (deleted)");
	/* 50: host process, 2: kernel thread */
	stat_line(50, "sshd", 1);
	wstr("proc/50/cgroup", "0::/system.slice/sshd.service\n");
	wstr("proc/50/cmdline", "sshd: root\0");
	snprintf(target, sizeof(target), "%s/files/plain", root);
	wlink("proc/50/exe", target);
	stat_line(2, "kthreadd", 0);
	wstr("proc/2/cgroup", "0::/\n");
	wstr("proc/2/cmdline", "");
	/* 60: garbage stat, 61: huge cmdline */
	wstr("proc/60/stat", "garbage without parens");
	wstr("proc/60/cgroup", "0::/docker/" CID "\n");
	stat_line(61, "big", 1);
	wstr("proc/61/cgroup", "0::/docker/" CID "\n");
	size_t bn = 100000;
	char *big = malloc(bn);
	for (size_t i = 0; i < bn; i++)
		big[i] = (i % 10 == 9) ? '\0' : (char)('a' + i % 26);
	wfile("proc/61/cmdline", big, bn);
	free(big);
	wstr("proc/garbage/stat", "x");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static struct hh_procfs *open_tree(struct hh_identity **id, bool include_host)
{
	struct hh_identity_opts io = { .proc_root = proc, .host_root = "/nonexistent" };
	*id = hh_identity_new(&io);
	assert_non_null(*id);
	struct hh_procfs_opts po = { .proc_root = proc, .host_root = host, .include_host = include_host };
	struct hh_procfs *p = hh_procfs_new(&po, *id);
	assert_non_null(p);
	return p;
}

static void synthetic_process(void **state)
{
	(void)state;
	struct hh_identity *id;
	struct hh_procfs *p = open_tree(&id, false);
	struct hh_event ev;
	assert_int_equal(hh_procfs_read_process(p, 42, &ev), 0);
	assert_int_equal(ev.type, HH_EV_PROC);
	assert_string_equal(ev.comm, "kworker");
	assert_int_equal(ev.ppid, 5);
	assert_int_equal(ev.uid, 1000);
	assert_int_equal(ev.gid, 1001);
	assert_string_equal(ev.cmdline, "kworker -o stratum+ssl://pool.example.net:443 -u " WALLET " --donate-level=1");
	assert_false(ev.cmdline_truncated);
	assert_string_equal(ev.env, "PATH=/bin\nPOOL=stratum+tcp://p.example:3333\nHOME=/root");
	assert_string_equal(ev.pcomm, "conmon");
	assert_int_equal(ev.n_ancestors, 2);
	assert_string_equal(ev.ancestors[1], "systemd");
	assert_string_equal(ev.workload.container_id, CID);
	assert_string_equal(ev.workload.runtime, "docker");
	assert_true(ev.exe_upper_layer);
	assert_false(ev.exe_deleted);
	assert_false(ev.exe_memfd);
	assert_int_equal(strlen(ev.exe_sha256), 64);
	assert_non_null(strstr(ev.exe_traits, "xmrig"));
	assert_true(hh_procfs_start_time(p, 42) > 1700000000.0);

	assert_int_equal(hh_procfs_read_process(p, 43, &ev), 0);
	assert_true(ev.exe_deleted);
	assert_string_equal(ev.exepath, "/usr/bin/app");
	assert_false(ev.exe_upper_layer); /* no mountinfo */
	assert_int_equal(hh_procfs_read_process(p, 44, &ev), 0);
	assert_true(ev.exe_memfd);
	assert_false(ev.exe_deleted);
	assert_string_equal(ev.ancestors[0], "kworker) evil (");
	assert_int_equal(hh_procfs_read_process(p, 60, &ev), -1);  /* garbage stat */
	assert_int_equal(hh_procfs_read_process(p, 61, &ev), 0);
	assert_true(ev.cmdline_truncated);
	assert_true(strlen(ev.cmdline) < HH_EV_CMDLINE_LEN);
	assert_non_null(strstr(ev.cmdline, " bytes cut] ... ")); /* first and last part kept */
	assert_int_equal(hh_procfs_read_process(p, 777, &ev), -1); /* gone */
	assert_int_equal(hh_procfs_read_process(p, 0, &ev), -1);
	hh_procfs_free(p);
	hh_identity_free(id);
}

struct seen {
	int pids[32];
	int n;
};

static void collect(const struct hh_event *ev, void *ctx)
{
	struct seen *s = ctx;
	if (s->n < 32)
		s->pids[s->n++] = ev->pid;
}

static bool has(const struct seen *s, int pid)
{
	for (int i = 0; i < s->n; i++)
		if (s->pids[i] == pid)
			return true;
	return false;
}

static void sweeps(void **state)
{
	(void)state;
	struct hh_identity *id;
	struct hh_procfs *p = open_tree(&id, false);
	struct seen s = { 0 };
	assert_true(hh_procfs_sweep(p, collect, &s) >= 7);
	assert_true(has(&s, 42) && has(&s, 43) && has(&s, 44) && has(&s, 61));
	assert_false(has(&s, 50) || has(&s, 1) || has(&s, 2) || has(&s, 60));
	hh_procfs_free(p);
	hh_identity_free(id);

	p = open_tree(&id, true);
	memset(&s, 0, sizeof(s));
	hh_procfs_sweep(p, collect, &s);
	assert_true(has(&s, 50) && has(&s, 1));
	assert_false(has(&s, 2)); /* kernel thread */
	hh_procfs_free(p);
	hh_identity_free(id);

	struct hh_procfs_opts po = { .proc_root = "/nonexistent" };
	p = hh_procfs_new(&po, NULL);
	assert_int_equal(hh_procfs_sweep(p, collect, &s), -1);
	hh_procfs_free(p);
}

static void real_self(void **state)
{
	(void)state;
	struct hh_identity_opts io = { 0 };
	struct hh_identity *id = hh_identity_new(&io);
	struct hh_procfs_opts po = { 0 };
	struct hh_procfs *p = hh_procfs_new(&po, id);
	struct hh_event ev;
	assert_int_equal(hh_procfs_read_process(p, getpid(), &ev), 0);
	assert_non_null(strstr(ev.exepath, "test_proc_inventory"));
	assert_non_null(strstr(ev.cmdline, "test_proc_inventory"));
	assert_int_equal(strlen(ev.exe_sha256), 64);
	assert_string_equal(ev.exe_traits, "");
	assert_true(ev.n_ancestors >= 1);
	assert_int_equal(ev.ppid, getppid());
	assert_true(hh_procfs_start_time(p, getpid()) > 1.6e9);
	/* the second read hits the exe cache and gives the same hash */
	char h[65];
	memcpy(h, ev.exe_sha256, sizeof(h));
	assert_int_equal(hh_procfs_read_process(p, getpid(), &ev), 0);
	assert_string_equal(h, ev.exe_sha256);
	hh_procfs_free(p);
	hh_identity_free(id);
}

static const char *evidence_has(const struct hh_finding *f, const char *what_sub)
{
	size_t i;
	json_t *e;
	json_array_foreach(f->evidence, i, e) {
		const char *w = json_string_value(json_object_get(e, "what"));
		if (w && strstr(w, what_sub))
			return json_string_value(json_object_get(e, "value"));
	}
	return NULL;
}

static struct hh_finding *by_rule(const struct hh_findings *l, const char *rule)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i]->rule, rule) == 0)
			return l->items[i];
	return NULL;
}

static void findings(void **state)
{
	(void)state;
	struct hh_identity *id;
	struct hh_procfs *p = open_tree(&id, false);
	struct hh_procind *d = hh_procind_new(4);
	struct hh_findings out = { 0 };
	struct hh_event ev;

	assert_int_equal(hh_procfs_read_process(p, 42, &ev), 0);
	assert_int_equal(hh_procind_eval(d, &ev, &out), 3);
	struct hh_finding *f = by_rule(&out, "miner.process-indicators");
	assert_non_null(f);
	assert_int_equal(f->severity, HH_SEV_CRITICAL);
	assert_string_equal(f->mitre[0], "T1496");
	const char *w = evidence_has(f, "in cmdline");
	assert_non_null(w);
	char *dump = json_dumps(f->evidence, 0);
	assert_null(strstr(dump, WALLET)); /* wallets masked */
	assert_non_null(strstr(dump, "44AFFq"));
	free(dump);
	assert_non_null(evidence_has(f, "in env"));
	f = by_rule(&out, "miner.exe-traits");
	assert_non_null(f);
	assert_int_equal(f->severity, HH_SEV_HIGH);
	assert_non_null(strstr(f->title, "Renamed"));
	assert_non_null(strstr(evidence_has(f, "process name"), "does not say miner"));
	assert_non_null(strstr(evidence_has(f, "miner traits"), "xmrig"));
	assert_non_null(by_rule(&out, "proc.exe-upper-layer"));
	assert_string_equal(json_string_value(json_object_get(by_rule(&out, "proc.exe-upper-layer")->fields,
							      "container.id")), CID);
	/* the same process again: nothing new */
	assert_int_equal(hh_procind_eval(d, &ev, &out), 0);

	/* traits in a memfd exe: critical */
	ev.exe_memfd = true;
	ev.exe_upper_layer = false;
	ev.pid = 4242;
	ev.cmdline[0] = ev.env[0] = '\0';
	size_t before = out.n;
	assert_int_equal(hh_procind_eval(d, &ev, &out), 2);
	f = by_rule(&out, "proc.exe-memfd");
	assert_int_equal(f->severity, HH_SEV_MEDIUM);
	assert_int_equal(out.items[before]->severity, HH_SEV_CRITICAL);

	assert_int_equal(hh_procfs_read_process(p, 43, &ev), 0);
	assert_int_equal(hh_procind_eval(d, &ev, &out), 1);
	assert_int_equal(by_rule(&out, "proc.exe-deleted")->severity, HH_SEV_LOW);

	/* a clean process: nothing; a non-PROC event: nothing */
	assert_int_equal(hh_procfs_read_process(p, 61, &ev), 0);
	assert_int_equal(hh_procind_eval(d, &ev, &out), 0);
	ev.type = HH_EV_EXEC;
	assert_int_equal(hh_procind_eval(d, &ev, &out), 0);
	assert_int_equal(hh_procind_eval(d, NULL, &out), 0);

	/* bounded dedup: many pids rotate generations, still correct for recent ones */
	struct hh_event m;
	assert_int_equal(hh_procfs_read_process(p, 43, &m), 0);
	for (int i = 0; i < 100; i++) {
		m.pid = 10000 + i;
		assert_int_equal(hh_procind_eval(d, &m, &out), 1);
		assert_int_equal(hh_procind_eval(d, &m, &out), 0);
	}
	hh_findings_clear(&out);
	hh_procind_free(d);
	hh_procfs_free(p);
	hh_identity_free(id);
}

static void parsers(void **state)
{
	(void)state;
	struct hh_proc_stat st;
	assert_int_equal(hh_proc_stat_parse("42 (a) b) (c) S 7 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 999 0", &st), 0);
	assert_string_equal(st.comm, "a) b) (c");
	assert_int_equal(st.ppid, 7);
	assert_int_equal(st.starttime, 999);
	assert_int_equal(hh_proc_stat_parse("42 (averyveryverylongcommandname) S 3", &st), 0);
	assert_int_equal(strlen(st.comm), HH_EV_COMM_LEN - 1);
	assert_int_equal(hh_proc_stat_parse("42 (x)", &st), -1);
	assert_int_equal(hh_proc_stat_parse(") 42 (", &st), -1);
	assert_int_equal(hh_proc_stat_parse("", &st), -1);

	char out[64];
	/* real podman --rootfs line (no optional fields), then a bind mount */
	char a[] = "75 49 0:40 / / rw,nodev,relatime - overlay overlay rw,lowerdir=/,upperdir=/run/containers/storage/"
		   "overlay-containers/819e/rootfs/upper,workdir=/run/w,uuid=on\n"
		   "81 75 254:0 /run/x/hosts /etc/hosts rw,relatime - ext4 /dev/vda rw\n";
	assert_int_equal(hh_mountinfo_root_upperdir(a, out, sizeof(out)), 0);
	assert_string_equal(out, "/run/containers/storage/overlay-containers/819e/rootfs/upper");
	/* optional fields, escaped space, a decoy "upperdir=" inside lowerdir */
	char b[] = "600 500 0:52 / / rw shared:1 master:2 - overlay overlay rw,lowerdir=/x/upperdir=/evil,"
		   "upperdir=/var/lib/a\\040b/diff,workdir=/w\n";
	assert_int_equal(hh_mountinfo_root_upperdir(b, out, sizeof(out)), 0);
	assert_string_equal(out, "/var/lib/a b/diff");
	/* stacked: the last overlay on / wins */
	char c[] = "1 0 0:1 / / rw - overlay o rw,upperdir=/first\n2 1 0:2 / / rw - overlay o rw,upperdir=/second\n";
	assert_int_equal(hh_mountinfo_root_upperdir(c, out, sizeof(out)), 0);
	assert_string_equal(out, "/second");
	/* not overlay, truncated lines, too long for out */
	char d[] = "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 0:2 / /\n3 1 0:3 / / rw - overlay\n";
	assert_int_equal(hh_mountinfo_root_upperdir(d, out, sizeof(out)), -1);
	char e[200];
	snprintf(e, sizeof(e), "1 0 0:1 / / rw - overlay o upperdir=/%0100d\n", 0);
	assert_int_equal(hh_mountinfo_root_upperdir(e, out, sizeof(out)), -1);
	char f[] = "";
	assert_int_equal(hh_mountinfo_root_upperdir(f, out, sizeof(out)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(synthetic_process), cmocka_unit_test(sweeps), cmocka_unit_test(real_self),
		cmocka_unit_test(findings), cmocka_unit_test(parsers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
