/* Fuzzes OCI runtime config.json parsing and the annotation vocabulary
 * (podman, containerd CRI, CRI-O, nerdctl) that identity applies to workloads. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "enrich/runtime_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hh_workload w;
	memset(&w, 0, sizeof(w));
	char hint[16], err[512];
	hh_oci_config_parse((const char *)data, size, "fuzz", &w, hint, sizeof(hint), err, sizeof(err));
	if (strnlen(w.image, sizeof(w.image)) >= sizeof(w.image) || w.n_labels > HH_MAX_LABELS)
		__builtin_trap();
	return 0;
}
