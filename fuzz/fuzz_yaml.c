/* Fuzzes the YAML/JSON loader that config, rules and manifests go through. */
#include <stddef.h>
#include <stdint.h>

#include "core/yaml_doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hh_yaml_limits lim = { .max_bytes = 1 << 20, .max_depth = 64, .max_nodes = 100000 };
	struct hh_yaml_docs docs;
	hh_yaml_load_buf((const char *)data, size, "fuzz", &lim, &docs);
	hh_yaml_docs_free(&docs);
	return 0;
}
