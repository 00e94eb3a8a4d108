/* Child processes for the drill: fork/exec without a shell, each in its own
 * process group (a terminal's Ctrl-C reaches only us; we clean up), stdout
 * captured when asked, waits bounded and interruptible by SIGINT/SIGTERM
 * read from a signalfd. */
#ifndef HH_SPAWN_H
#define HH_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Starts argv[0] (PATH searched) with env additions extra_env ("K=V", NULL-
 * terminated, may be NULL). stdout goes to *out_fd when out_fd is not NULL
 * (a pipe's read end), else to stderr; stdin is /dev/null. Returns the pid or -1. */
pid_t hh_spawn(char *const argv[], char *const extra_env[], int *out_fd);

/* Waits for pid up to timeout_s, reading its stdout pipe (out_fd, may be -1)
 * into out (up to n-1 bytes, NUL-terminated, trailing newline removed) and
 * watching sig_fd (a signalfd, may be -1). Returns the exit status (0..255),
 * -1 on timeout or a signal to us (*signo set; the child's group is killed),
 * or 128+N when the child died of signal N. */
int hh_spawn_wait(pid_t pid, int out_fd, char *out, size_t n, double timeout_s, int sig_fd, int *signo);

/* Runs argv to completion: hh_spawn + hh_spawn_wait. */
int hh_run_capture(char *const argv[], char *const extra_env[], char *out, size_t n, double timeout_s,
		   int sig_fd, int *signo);

/* Sends sig to pid's process group, then waits up to grace_s for it and
 * SIGKILLs the group when it is still there. */
void hh_spawn_stop(pid_t pid, int sig, double grace_s);

#endif
