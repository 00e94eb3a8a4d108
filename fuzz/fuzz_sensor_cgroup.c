/* Fuzzes the container of a sensor event (sources/sensor/sensor_container.h):
 * the input is the text of /proc/PID/cgroup, written to a scratch proc root;
 * events of that pid are resolved while the file exists and after it is gone
 * (cgroup id cache, pid cache, exit), with cgroup ids taken from the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/sensor/sensor_container.h"

static char root[64], file[128];
static struct hh_cgcache *cache;

static void check(const struct hh_event *ev)
{
	size_t n = strlen(ev->workload.container_id);
	if (n != 64 && n != 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!cache) {
		snprintf(root, sizeof(root), "/tmp/hh-fuzz-cgcache.XXXXXX");
		if (!mkdtemp(root))
			abort();
		char dir[96];
		snprintf(dir, sizeof(dir), "%s/7", root);
		mkdir(dir, 0755);
		snprintf(file, sizeof(file), "%s/7/cgroup", root);
		cache = hh_cgcache_new(root, root); /* no cgroup2 mount there: no handles */
		if (!cache)
			abort();
	}
	uint64_t cgid = 0;
	if (size >= 1)
		cgid = data[0] % 4; /* a few ids: cache hits and collisions */
	FILE *fp = fopen(file, "w");
	if (!fp)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
	struct hh_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = HH_EV_EXEC;
	ev.pid = 7;
	ev.cgroup_id = cgid;
	hh_cgcache_enrich(cache, &ev);
	check(&ev);
	unlink(file);
	memset(&ev.workload, 0, sizeof(ev.workload));
	ev.type = HH_EV_EXIT;
	hh_cgcache_enrich(cache, &ev);
	check(&ev);
	return 0;
}
