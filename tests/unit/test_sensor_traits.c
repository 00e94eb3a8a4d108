/* Exe content traits off the event path (sensor_traits.h): a miss is
 * queued and scanned by the worker even after the process is gone, the
 * answer is cached for the next exec of that file, an exec whose pid runs a
 * later program is not scanned, and freeing with scans queued loses nothing
 * but those scans. Synthetic proc root: PID/exe and PID/root symlinks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "sources/sensor/sensor_traits.h"

struct fx {
	char dir[64], proc[96], miner[128], plain[128];
};

static void put_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* PID/exe -> target; PID/root -> "/" */
static void proc_entry(struct fx *f, int pid, const char *target)
{
	char p[200];
	snprintf(p, sizeof(p), "%s/%d", f->proc, pid);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%d/exe", f->proc, pid);
	unlink(p);
	assert_int_equal(symlink(target, p), 0);
	snprintf(p, sizeof(p), "%s/%d/root", f->proc, pid);
	unlink(p);
	assert_int_equal(symlink("/", p), 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/hh-traits.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->proc, sizeof(f->proc), "%s/proc", f->dir);
	mkdir(f->proc, 0755);
	snprintf(f->miner, sizeof(f->miner), "%s/kworker", f->dir);
	snprintf(f->plain, sizeof(f->plain), "%s/plain", f->dir);
	put_file(f->miner, "....XMRig 6.21....junk....donate.v2.xmrig.com....mining.subscribe....");
	put_file(f->plain, "just a file with nothing of interest");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

static void exec_event(struct hh_event *ev, int pid, const char *exe)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = HH_EV_EXEC;
	ev->pid = pid;
	snprintf(ev->exepath, sizeof(ev->exepath), "%s", exe);
}

struct got {
	int n, pid;
	char traits[sizeof(((struct hh_event *)0)->exe_traits)];
};

static void on_ready(struct hh_event *ev, void *ctx)
{
	struct got *g = ctx;
	g->n++;
	g->pid = ev->pid;
	snprintf(g->traits, sizeof(g->traits), "%s", ev->exe_traits);
}

static void queued_scan_after_exit(void **state)
{
	struct fx *f = *state;
	struct hh_traits_cache *c = hh_traits_cache_new(f->proc);
	assert_non_null(c);
	assert_int_equal(hh_traits_cache_start(c), 0);
	struct hh_event *ev = malloc(sizeof(*ev));
	proc_entry(f, 41, f->miner);
	exec_event(ev, 41, f->miner);
	assert_int_equal(hh_traits_cache_lookup(c, ev), HH_TRAITS_QUEUED);
	assert_string_equal(ev->exe_traits, "");
	/* the process is gone: the worker holds the file open */
	char p[200];
	snprintf(p, sizeof(p), "%s/41/exe", f->proc);
	unlink(p);
	struct got g = { 0 };
	for (int i = 0; i < 500 && g.n == 0; i++) {
		hh_traits_cache_collect(c, on_ready, &g);
		if (!g.n)
			usleep(10000);
	}
	assert_int_equal(g.n, 1);
	assert_int_equal(g.pid, 41);
	assert_true(strlen(g.traits) > 0);
	/* the next exec of that file: from the cache, at once */
	proc_entry(f, 42, f->miner);
	exec_event(ev, 42, f->miner);
	assert_int_equal(hh_traits_cache_lookup(c, ev), HH_TRAITS_HIT);
	assert_string_equal(ev->exe_traits, g.traits);
	/* a file without traits: queued, answered "" */
	proc_entry(f, 43, f->plain);
	exec_event(ev, 43, f->plain);
	assert_int_equal(hh_traits_cache_lookup(c, ev), HH_TRAITS_QUEUED);
	memset(&g, 0, sizeof(g));
	for (int i = 0; i < 500 && g.n == 0; i++) {
		hh_traits_cache_collect(c, on_ready, &g);
		if (!g.n)
			usleep(10000);
	}
	assert_int_equal(g.n, 1);
	assert_string_equal(g.traits, "");
	free(ev);
	hh_traits_cache_free(c);
}

static void later_program_not_scanned(void **state)
{
	struct fx *f = *state;
	struct hh_traits_cache *c = hh_traits_cache_new(f->proc);
	struct hh_event ev;
	/* the exec was of the miner; the pid runs the plain file by now */
	proc_entry(f, 51, f->plain);
	exec_event(&ev, 51, f->miner);
	assert_int_equal(hh_traits_cache_lookup(c, &ev), HH_TRAITS_NONE);
	/* gone altogether */
	exec_event(&ev, 52, f->miner);
	assert_int_equal(hh_traits_cache_lookup(c, &ev), HH_TRAITS_NONE);
	hh_traits_cache_free(c);
}

static void without_worker_inline(void **state)
{
	struct fx *f = *state;
	struct hh_traits_cache *c = hh_traits_cache_new(f->proc);
	struct hh_event ev;
	proc_entry(f, 61, f->miner);
	exec_event(&ev, 61, f->miner);
	assert_int_equal(hh_traits_cache_lookup(c, &ev), HH_TRAITS_HIT);
	assert_true(strlen(ev.exe_traits) > 0);
	assert_int_equal(hh_traits_cache_collect(c, on_ready, NULL), 0);
	hh_traits_cache_free(c);
}

static void free_with_queued(void **state)
{
	struct fx *f = *state;
	struct hh_traits_cache *c = hh_traits_cache_new(f->proc);
	assert_int_equal(hh_traits_cache_start(c), 0);
	struct hh_event *ev = malloc(sizeof(*ev));
	for (int pid = 70; pid < 80; pid++) {
		char name[160];
		snprintf(name, sizeof(name), "%s/copy%d", f->dir, pid);
		put_file(name, "....XMRig 6.21....mining.subscribe....");
		proc_entry(f, pid, name);
		exec_event(ev, pid, name);
		assert_int_not_equal(hh_traits_cache_lookup(c, ev), HH_TRAITS_NONE);
	}
	free(ev);
	hh_traits_cache_free(c); /* ASan: nothing leaks, no fd left open */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(queued_scan_after_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(later_program_not_scanned, setup, teardown),
		cmocka_unit_test_setup_teardown(without_worker_inline, setup, teardown),
		cmocka_unit_test_setup_teardown(free_with_queued, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
