/* The I/O floor of a telemetry sweep: open, read and close each file named
 * on stdin (one path a line) in this one process, REPS times, and print the
 * mean milliseconds per pass, timed inside (process start-up, the walk and
 * any parsing are not in it: nothing that reads these files can do less).
 * usage: readfloor REPS < files.txt */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 10;
	size_t n = 0, cap = 1024;
	char **paths = malloc(cap * sizeof(*paths)), line[4096];
	while (paths && fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (n == cap && !(paths = realloc(paths, (cap *= 2) * sizeof(*paths))))
			return 1;
		paths[n++] = strdup(line);
	}
	if (!paths || reps < 1)
		return 1;
	char buf[8192];
	unsigned long bytes = 0, failed = 0;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int r = 0; r < reps; r++) {
		for (size_t i = 0; i < n; i++) {
			int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				failed++;
				continue;
			}
			ssize_t k;
			while ((k = read(fd, buf, sizeof(buf))) > 0)
				bytes += (unsigned long)k;
			close(fd);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ms = ((double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6) / reps;
	printf("%.3f %zu %lu %lu\n", ms, n, bytes / (unsigned long)reps, failed);
	return failed ? 1 : 0;
}
