/* Fuzzes cgroup path and /proc/PID/cgroup parsing (enrich/container_id.h). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "enrich/container_id.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hh_cgroup_identity ci;
	char path[HH_PATH_LEN];
	hh_cgroup_path_identity((const char *)data, size, &ci);
	if (hh_proc_cgroup_identity((const char *)data, size, &ci, path, sizeof(path))) {
		/* contract: NUL-terminated fields, id 64 hex or empty */
		size_t n = strlen(ci.container_id);
		if (n != 64 && n != 0)
			__builtin_trap();
		if (strlen(path) >= sizeof(path))
			__builtin_trap();
	}
	return 0;
}
