/* Fuzzes the manifest checker: YAML/JSON -> posture controls, plus the
 * containerd TOML subset reader on the same bytes. */
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "core/yaml_doc.h"
#include "detectors/posture/posture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hh_posture_ctx ctx;
	char err[256];
	hh_log_set_level(HH_LOG_ERROR);
	if (hh_posture_init(&ctx, NULL, err, sizeof(err)) < 0) {
		hh_posture_free(&ctx);
		return 0;
	}
	struct hh_yaml_limits lim = { .max_bytes = 1 << 20, .max_depth = 64, .max_nodes = 100000 };
	struct hh_yaml_docs docs;
	hh_yaml_load_buf((const char *)data, size, "fuzz", &lim, &docs);
	size_t i;
	const json_t *d;
	json_array_foreach(docs.docs, i, d) {
		struct hh_posture_origin o = { "fuzz", &docs, 1 };
		if (!hh_posture_check_object(&ctx, d, &o))
			hh_posture_check_docker(&ctx, d, &o);
	}
	hh_yaml_docs_free(&docs);
	hh_posture_check_containerd(&ctx, (const char *)data, size, "fuzz");
	hh_posture_free(&ctx);
	return 0;
}
