#include "drill/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/finding.h"

extern char **environ;

pid_t hh_spawn(char *const argv[], char *const extra_env[], int *out_fd)
{
	int pfd[2] = { -1, -1 };
	if (out_fd && pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		if (out_fd) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return -1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(out_fd ? pfd[1] : STDERR_FILENO, STDOUT_FILENO);
		for (size_t i = 0; extra_env && extra_env[i]; i++)
			putenv(extra_env[i]);
		execvp(argv[0], argv);
		fprintf(stderr, "hashhound: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid); /* both sides, so it holds before either runs on */
	if (out_fd) {
		close(pfd[1]);
		*out_fd = pfd[0];
	}
	return pid;
}

int hh_spawn_wait(pid_t pid, int out_fd, char *out, size_t n, double timeout_s, int sig_fd, int *signo)
{
	size_t len = 0;
	if (out && n)
		out[0] = '\0';
	if (signo)
		*signo = 0;
	double deadline = hh_mono() + timeout_s;
	int status = 0;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		double left = deadline - hh_mono();
		if (left <= 0) {
			hh_spawn_stop(pid, SIGTERM, 2);
			if (out_fd >= 0)
				close(out_fd);
			return -1;
		}
		struct pollfd p[2];
		int np = 0;
		if (sig_fd >= 0)
			p[np++] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		int out_i = -1;
		if (out_fd >= 0) {
			out_i = np;
			p[np++] = (struct pollfd){ .fd = out_fd, .events = POLLIN };
		}
		int ms = left > 0.1 ? 100 : (int)(left * 1000) + 1;
		if (poll(p, (nfds_t)np, ms) <= 0)
			continue;
		if (sig_fd >= 0 && (p[0].revents & POLLIN)) {
			struct signalfd_siginfo si;
			if (read(sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si) && signo)
				*signo = (int)si.ssi_signo;
			hh_spawn_stop(pid, SIGTERM, 2);
			if (out_fd >= 0)
				close(out_fd);
			return -1;
		}
		if (out_i >= 0 && (p[out_i].revents & (POLLIN | POLLHUP))) {
			char buf[4096];
			ssize_t k = read(out_fd, buf, sizeof(buf));
			if (k > 0 && out && len + 1 < n) {
				size_t take = (size_t)k < n - 1 - len ? (size_t)k : n - 1 - len;
				memcpy(out + len, buf, take);
				len += take;
				out[len] = '\0';
			}
			if (k <= 0) {
				close(out_fd);
				out_fd = -1;
			}
		}
	}
	if (out_fd >= 0) { /* drain what is left */
		char buf[4096];
		ssize_t k;
		while ((k = read(out_fd, buf, sizeof(buf))) > 0)
			if (out && len + 1 < n) {
				size_t take = (size_t)k < n - 1 - len ? (size_t)k : n - 1 - len;
				memcpy(out + len, buf, take);
				len += take;
				out[len] = '\0';
			}
		close(out_fd);
	}
	while (out && len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		out[--len] = '\0';
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int hh_run_capture(char *const argv[], char *const extra_env[], char *out, size_t n, double timeout_s,
		   int sig_fd, int *signo)
{
	int fd = -1;
	pid_t pid = hh_spawn(argv, extra_env, out ? &fd : NULL);
	if (pid < 0) {
		if (signo)
			*signo = 0;
		return 127;
	}
	return hh_spawn_wait(pid, fd, out, n, timeout_s, sig_fd, signo);
}

void hh_spawn_stop(pid_t pid, int sig, double grace_s)
{
	if (pid <= 0)
		return;
	kill(-pid, sig);
	double end = hh_mono() + grace_s;
	while (hh_mono() < end) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(50000);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
