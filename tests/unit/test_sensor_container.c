/* Container identity of sensor events (sensor_container.h) over synthetic
 * /proc/PID/cgroup files: cgroup v2 paths of podman (systemd and cgroupfs),
 * containerd (CRI, systemd and cgroupfs drivers), CRI-O, docker and a host
 * service; a cgroup v1 hybrid host where containers share the v2 root; a
 * process that exited before its event was handled (cgroup id cache, pid
 * cache, exit forgets the pid); and, as root on a host with a cgroup2 mount,
 * a real cgroup resolved from its id alone, and a process that moved into a
 * container's cgroup after its syscall (the record's cgroup wins). Also the
 * sensor's stats line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <cmocka.h>

#include "sources/sensor/sensor.h"
#include "sources/sensor/sensor_container.h"

#define HEX_A "0a9b4854597778aca0aa1b810e44d7f5708b126977d6711713b93f1a60cefabb"
#define HEX_B "5951c4005e0c8f3e2b1a0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f"
#define POD_US "1a2b3c4d_5e6f_7a8b_9c0d_1e2f3a4b5c6d"
#define POD "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"

struct fx {
	char proc[64];
	struct hh_cgcache *c;
};

static void write_cgroup(struct fx *f, int pid, const char *text)
{
	char p[160];
	snprintf(p, sizeof(p), "%s/%d", f->proc, pid);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%d/cgroup", f->proc, pid);
	FILE *fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void gone(struct fx *f, int pid)
{
	char p[160];
	snprintf(p, sizeof(p), "%s/%d/cgroup", f->proc, pid);
	unlink(p);
	snprintf(p, sizeof(p), "%s/%d", f->proc, pid);
	rmdir(p);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	snprintf(f->proc, sizeof(f->proc), "/tmp/hh-cgcache.XXXXXX");
	if (!mkdtemp(f->proc))
		return -1;
	/* a cgroup root without a cgroup2 mount: no file-handle lookups */
	f->c = hh_cgcache_new(f->proc, f->proc);
	*state = f;
	return f->c ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->proc);
	if (system(cmd) != 0)
		return -1;
	hh_cgcache_free(f->c);
	free(f);
	return 0;
}

static void resolve(struct fx *f, enum hh_event_type type, int pid, uint64_t cgid, struct hh_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->pid = pid;
	ev->cgroup_id = cgid;
	hh_cgcache_enrich(f->c, ev);
}

static void v2_paths(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *text, *id, *runtime, *pod;
	} cases[] = {
		{ "0::/machine.slice/libpod-" HEX_A ".scope/container\n", HEX_A, "podman", "" },
		{ "0::/machine.slice/libpod-" HEX_A ".scope\n", HEX_A, "podman", "" },
		{ "0::/libpod_parent/libpod-" HEX_A "\n", HEX_A, "podman", "" },
		{ "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_US
		  ".slice/cri-containerd-" HEX_B ".scope\n", HEX_B, "containerd", POD },
		{ "0::/kubepods/burstable/pod" POD "/" HEX_B "\n", HEX_B, "", POD },
		{ "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_US
		  ".slice/crio-" HEX_B ".scope\n", HEX_B, "cri-o", POD },
		{ "0::/system.slice/docker-" HEX_A ".scope\n", HEX_A, "docker", "" },
		{ "0::/system.slice/sshd.service\n", "", "", "" },
		{ "0::/\n", "", "", "" },
	};
	struct hh_event ev;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int pid = 100 + (int)i;
		uint64_t cgid = 5000 + i;
		write_cgroup(f, pid, cases[i].text);
		resolve(f, HH_EV_EXEC, pid, cgid, &ev);
		assert_string_equal(ev.workload.container_id, cases[i].id);
		if (*cases[i].runtime)
			assert_string_equal(ev.workload.runtime, cases[i].runtime);
		assert_string_equal(ev.workload.pod_uid, cases[i].pod);
		/* a pure v2 host: the cgroup id alone decides, even once every
		 * process that showed it is gone (a short exec in the same cgroup) */
		gone(f, pid);
		resolve(f, HH_EV_EXEC, pid + 1000, cgid, &ev);
		assert_string_equal(ev.workload.container_id, cases[i].id);
		assert_string_equal(ev.workload.pod_uid, cases[i].pod);
	}
	struct hh_cgcache_stats st;
	hh_cgcache_get_stats(f->c, &st);
	assert_int_equal(st.by_proc, 9);
	assert_int_equal(st.by_cgroup, 9);
	assert_int_equal(st.unknown, 0);
}

/* cgroup v1 hybrid: runtimes that made v1 cgroups only leave their
 * processes in the v2 root, which the host shares: one cgroup id, three
 * identities. Neither may be cached under that id. */
static void hybrid_shared_v2_root(void **state)
{
	struct fx *f = *state;
	struct hh_event ev;
	write_cgroup(f, 10, "4:memory:/docker/" HEX_A "\n1:cpu,cpuacct:/docker/" HEX_A "\n0::/\n");
	write_cgroup(f, 11, "4:memory:/docker/" HEX_B "\n1:cpu,cpuacct:/docker/" HEX_B "\n0::/\n");
	write_cgroup(f, 12, "4:memory:/user.slice\n1:cpu,cpuacct:/\n0::/\n");
	for (int round = 0; round < 2; round++) {
		resolve(f, HH_EV_EXEC, 10, 1, &ev);
		assert_string_equal(ev.workload.container_id, HEX_A);
		assert_string_equal(ev.workload.runtime, "docker");
		resolve(f, HH_EV_CONNECT, 11, 1, &ev);
		assert_string_equal(ev.workload.container_id, HEX_B);
		resolve(f, HH_EV_EXEC, 12, 1, &ev);
		assert_string_equal(ev.workload.container_id, "");
	}
	/* a container whose runtime made a v2 cgroup too (podman, cgroupfs, on
	 * this kind of host): its own id, cached */
	write_cgroup(f, 13, "1:cpu:/libpod_parent/libpod-" HEX_A "\n0::/libpod_parent/libpod-" HEX_A "\n");
	resolve(f, HH_EV_EXEC, 13, 77, &ev);
	assert_string_equal(ev.workload.container_id, HEX_A);
	gone(f, 13);
	resolve(f, HH_EV_EXIT, 14, 77, &ev);
	assert_string_equal(ev.workload.container_id, HEX_A);
}

/* A process gone before its event is handled: its pid's identity, while
 * the cgroup id matches; an exit uses it and forgets it. */
static void gone_process_by_pid(void **state)
{
	struct fx *f = *state;
	struct hh_event ev;
	write_cgroup(f, 20, "1:cpu,cpuacct:/docker/" HEX_B "\n0::/\n");
	resolve(f, HH_EV_EXEC, 20, 1, &ev);
	assert_string_equal(ev.workload.container_id, HEX_B);
	gone(f, 20);
	resolve(f, HH_EV_CONNECT, 20, 2, &ev); /* another cgroup: not this process */
	assert_string_equal(ev.workload.container_id, "");
	resolve(f, HH_EV_CONNECT, 20, 1, &ev);
	assert_string_equal(ev.workload.container_id, HEX_B);
	resolve(f, HH_EV_EXIT, 20, 1, &ev);
	assert_string_equal(ev.workload.container_id, HEX_B);
	resolve(f, HH_EV_EXEC, 20, 1, &ev); /* a later process with that pid, also gone */
	assert_string_equal(ev.workload.container_id, "");
	struct hh_cgcache_stats st;
	hh_cgcache_get_stats(f->c, &st);
	assert_int_equal(st.by_pid, 2);
	assert_int_equal(st.unknown, 2);
}

/* Hostile and odd contents: no crash, no identity invented. */
static void odd_contents(void **state)
{
	struct fx *f = *state;
	struct hh_event ev;
	write_cgroup(f, 30, "");
	resolve(f, HH_EV_EXEC, 30, 9, &ev);
	assert_string_equal(ev.workload.container_id, "");
	write_cgroup(f, 31, "garbage\n::::\n0::\n0::/../../libpod-" HEX_A "\n");
	resolve(f, HH_EV_EXEC, 31, 10, &ev);
	resolve(f, HH_EV_EXEC, -5, 10, &ev);
	resolve(f, HH_EV_EXEC, 0, 0, &ev);
	assert_string_equal(ev.workload.container_id, "");
}

static const char *cgroup2_mount(void)
{
	static const char *c[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	for (size_t i = 0; i < 2; i++) {
		struct statfs sf;
		if (statfs(c[i], &sf) == 0 && sf.f_type == 0x63677270)
			return c[i];
	}
	return NULL;
}

/* The real thing: a cgroup in the host's cgroup2 hierarchy named as podman
 * names one, resolved from its id with no process to read. */
static void real_cgroup_by_handle(void **state)
{
	(void)state;
	const char *m = cgroup2_mount();
	if (geteuid() != 0 || !m) {
		printf("SKIP-PART: needs root and a cgroup2 mount\n");
		skip();
	}
	char parent[256], dir[512];
	snprintf(parent, sizeof(parent), "%s/hh-unit-cgcache-%d", m, (int)getpid());
	snprintf(dir, sizeof(dir), "%s/libpod-%s", parent, HEX_A);
	if (mkdir(parent, 0755) < 0 || mkdir(dir, 0755) < 0) {
		rmdir(parent);
		printf("SKIP-PART: cannot create cgroups under %s\n", m);
		skip();
	}
	struct stat st;
	int rs = stat(dir, &st);
	char proc[] = "/tmp/hh-cgcache-empty.XXXXXX";
	char *pr = mkdtemp(proc);
	struct hh_cgcache *c = hh_cgcache_new(pr, "/sys/fs/cgroup");
	struct hh_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = HH_EV_EXEC;
	ev.pid = 424242; /* not in the (empty) proc root: gone */
	ev.cgroup_id = (uint64_t)st.st_ino;
	hh_cgcache_enrich(c, &ev);
	/* a process that shows that container's cgroup now, but whose record
	 * carries the parent's cgroup id: it moved after its syscall, which
	 * happened outside the container */
	struct stat pst;
	int rp = stat(parent, &pst);
	char pdir[300], pfile[320], text[600];
	snprintf(pdir, sizeof(pdir), "%s/77", pr ? pr : "/nonexistent");
	snprintf(pfile, sizeof(pfile), "%s/cgroup", pdir);
	snprintf(text, sizeof(text), "0::%s\n", dir + strlen(m));
	struct hh_event moved;
	memset(&moved, 0, sizeof(moved));
	moved.type = HH_EV_EXEC;
	moved.pid = 77;
	moved.cgroup_id = (uint64_t)pst.st_ino;
	FILE *fp = NULL;
	if (pr && mkdir(pdir, 0755) == 0 && (fp = fopen(pfile, "w"))) {
		fputs(text, fp);
		fclose(fp);
		hh_cgcache_enrich(c, &moved);
	}
	struct hh_cgcache_stats cs;
	hh_cgcache_get_stats(c, &cs);
	hh_cgcache_free(c);
	unlink(pfile);
	rmdir(pdir);
	rmdir(dir);
	rmdir(parent);
	if (pr)
		rmdir(pr);
	assert_int_equal(rs, 0);
	assert_non_null(pr);
	assert_string_equal(ev.workload.container_id, HEX_A);
	assert_string_equal(ev.workload.runtime, "podman");
	assert_int_equal(cs.by_handle, 1);
	assert_int_equal(rp, 0);
	assert_non_null(fp);
	assert_string_equal(moved.workload.container_id, "");
	assert_int_equal(cs.unknown, 1);
	assert_int_equal(cs.by_proc, 0);
}

static void stats_line(void **state)
{
	(void)state;
	struct hh_sensor_stats st;
	memset(&st, 0, sizeof(st));
	st.events = 7;
	st.events_by_type[HH_EV_EXEC] = 3;
	st.events_by_type[HH_EV_EXIT] = 3;
	st.events_by_type[HH_EV_CONNECT] = 1;
	st.n_programs = 2;
	st.program_names[0] = "exec";
	st.program_names[1] = "exit";
	st.lost_by_program[1] = 2;
	st.lost = 2;
	char line[768];
	hh_sensor_stats_format(&st, "ebpf", line, sizeof(line));
	assert_non_null(strstr(line, "source=ebpf events=7 execve=3 exit=3 connect=1 dns=0 "));
	assert_non_null(strstr(line, " lost=2 lost.exec=0 lost.exit=2"));
	/* truncation stays a string */
	char small[20];
	hh_sensor_stats_format(&st, "ebpf", small, sizeof(small));
	assert_true(strlen(small) < sizeof(small));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(v2_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(hybrid_shared_v2_root, setup, teardown),
		cmocka_unit_test_setup_teardown(gone_process_by_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(odd_contents, setup, teardown),
		cmocka_unit_test(real_cgroup_by_handle),
		cmocka_unit_test(stats_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
