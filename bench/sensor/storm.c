/* Workload for bench/sensor.sh: N execs of /bin/true (posix_spawn + wait,
 * one at a time) or N TCP connects to a loopback listener (accepted and
 * closed by a thread). Prints the wall time in seconds. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *acceptor(void *arg)
{
	int ls = *(int *)arg;
	for (;;) {
		int c = accept(ls, NULL, NULL);
		if (c >= 0)
			close(c);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: storm exec|connect N\n");
		return 2;
	}
	long n = atol(argv[2]);
	double t0;
	if (strcmp(argv[1], "exec") == 0) {
		char *args[] = { "/bin/true", NULL };
		t0 = now();
		for (long i = 0; i < n; i++) {
			pid_t pid;
			if (posix_spawn(&pid, "/bin/true", NULL, NULL, args, environ) != 0)
				return 1;
			waitpid(pid, NULL, 0);
		}
	} else {
		int ls = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int one = 1;
		setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 4096) < 0)
			return 1;
		socklen_t al = sizeof(a);
		getsockname(ls, (struct sockaddr *)&a, &al);
		pthread_t th;
		pthread_create(&th, NULL, acceptor, &ls);
		t0 = now();
		for (long i = 0; i < n; i++) {
			int s = socket(AF_INET, SOCK_STREAM, 0);
			if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
				return 1;
			/* RST on close: no TIME_WAIT pile-up across 20,000 connects */
			struct linger lg = { 1, 0 };
			setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			close(s);
		}
	}
	printf("%.3f\n", now() - t0);
	return 0;
}
