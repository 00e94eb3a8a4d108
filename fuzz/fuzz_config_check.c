/* Fuzzes a configuration file through the loader (with key positions) and
 * the check against the built-in defaults' schema. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/config.h"
#include "core/config_check.h"
#include "core/yaml_doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hh_yaml_docs defaults;
	static int loaded;
	if (!loaded) {
		const char *d = hh_config_default_text();
		hh_yaml_load_buf(d, strlen(d), "defaults", NULL, &defaults);
		loaded = 1;
	}
	struct hh_yaml_limits lim = { .max_bytes = 1 << 20, .max_depth = 64, .max_nodes = 100000, .key_positions = 1 };
	struct hh_yaml_docs docs;
	hh_yaml_load_buf((const char *)data, size, "fuzz", &lim, &docs);
	struct hh_config_problems p;
	hh_config_check(json_array_get(defaults.docs, 0), json_array_get(docs.docs, 0), &docs, "fuzz", &p);
	hh_yaml_docs_free(&docs);
	return 0;
}
