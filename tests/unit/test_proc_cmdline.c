/* Issue 17: a command line over 256 KiB gave no finding (the procfs reader
 * returned nothing). A real process is started here with ~600 KiB of padding
 * arguments and a stratum URL and wallet at the very end; the inventory keeps
 * the first and last part with a cut marker, and the indicators fire. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "detectors/process/process_indicators.h"
#include "enrich/identity.h"
#include "sources/procfs/proc_inventory.h"

#define WALLET "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"
#define NPAD 150 /* arguments of 4 KiB each */

static pid_t spawn_long(size_t *arg_bytes)
{
	static char pad[4096];
	memset(pad, 'p', sizeof(pad) - 1);
	static char *argv[NPAD + 8];
	int a = 0;
	/* this test program again, told to wait for its SIGKILL */
	argv[a++] = "hh-sleeper";
	argv[a++] = "--sleeper";
	*arg_bytes = 21;
	for (int i = 0; i < NPAD; i++) {
		argv[a++] = pad;
		*arg_bytes += sizeof(pad);
	}
	argv[a++] = "--url=stratum+tcp://pool.supportxmr.com:3333";
	argv[a++] = "--user=" WALLET;
	argv[a] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	return pid;
}

static void huge_cmdline_tail_seen(void **state)
{
	(void)state;
	size_t bytes;
	pid_t pid = spawn_long(&bytes);
	assert_true(pid > 0);
	assert_true(bytes > 256 * 1024);
	/* wait for the exec to land */
	char path[64], buf[8];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	bool exec_done = false;
	for (int i = 0; i < 1000 && !exec_done; i++) { /* 10 s at most */
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(buf, 1, 5, f) : 0;
		if (f)
			fclose(f);
		exec_done = n == 5 && !memcmp(buf, "hh-sl", 5);
		if (!exec_done)
			usleep(10000);
	}
	if (!exec_done) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail_msg("the child did not exec within 10 s");
	}
	struct hh_identity_opts io = { 0 };
	struct hh_identity *id = hh_identity_new(&io);
	struct hh_procfs_opts po = { .include_host = true };
	struct hh_procfs *p = hh_procfs_new(&po, id);
	struct hh_event ev;
	memset(&ev, 0, sizeof(ev));
	int rc = hh_procfs_read_process(p, (int)pid, &ev);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(rc, 0);
	if (!ev.cmdline_truncated)
		fail_msg("not marked truncated: %zu bytes '%.200s'", strlen(ev.cmdline), ev.cmdline);
	assert_int_equal(strncmp(ev.cmdline, "hh-sleeper --sleeper ppp", 24), 0);
	assert_non_null(strstr(ev.cmdline, " bytes cut] ... "));
	assert_non_null(strstr(ev.cmdline, "--url=stratum+tcp://pool.supportxmr.com:3333 --user=" WALLET));
	size_t l = strlen(ev.cmdline);
	assert_true(l < sizeof(ev.cmdline));
	assert_string_equal(ev.cmdline + l - strlen(WALLET), WALLET); /* the last NUL is not a space */

	struct hh_procind *d = hh_procind_new(4);
	struct hh_findings out = { 0 };
	hh_procind_eval(d, &ev, &out);
	bool found = false;
	for (size_t i = 0; i < out.n; i++)
		if (!strcmp(out.items[i]->rule, "miner.process-indicators"))
			found = true;
	assert_true(found);
	hh_findings_clear(&out);
	free(out.items);
	hh_procind_free(d);
	hh_procfs_free(p);
	hh_identity_free(id);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--sleeper")) {
		for (int i = 0; i < 60; i++) /* killed by the test; gone within a minute regardless */
			sleep(1);
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(huge_cmdline_tail_seen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
