/* Fuzzes the OCI runtime spec -> Pod translation and the posture controls
 * the agent applies to it (oci_posture.c): any JSON, any types. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "detectors/posture/posture.h"

static void drop(void *user, struct hh_finding *f)
{
	(void)user;
	hh_finding_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t je;
	json_t *spec = json_loadb((const char *)data, size, 0, &je);
	if (!spec)
		return 0;
	struct hh_posture_ctx ctx;
	char err[256];
	if (hh_posture_init(&ctx, NULL, err, sizeof(err)) == 0) {
		ctx.on_finding = drop;
		struct hh_workload w;
		memset(&w, 0, sizeof(w));
		strcpy(w.container_name, "fuzz");
		hh_posture_check_oci(&ctx, spec, &w);
		hh_posture_check_oci(&ctx, spec, NULL);
		hh_posture_free(&ctx);
	}
	json_decref(spec);
	return 0;
}
