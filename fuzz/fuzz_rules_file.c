/* Fuzzes rule files end to end: YAML items, lists/macros/appends,
 * exceptions, templates, compile, and one evaluation. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "detectors/rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hh_rules *r = hh_rules_new();
	if (!r)
		return 0;
	hh_rules_load_buf(r, (const char *)data, size, "fuzz.yaml");
	hh_rules_compile(r);
	struct hh_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = HH_EV_EXEC;
	strcpy(ev.comm, "xmrig");
	strcpy(ev.cmdline, "xmrig --donate-level 1");
	struct hh_findings out = { 0 };
	hh_rules_eval(r, &ev, NULL, &out);
	hh_findings_clear(&out);
	hh_rules_free(r);
	return 0;
}
