/* libFuzzer: mining JSON-RPC messages, one per line, as the stream parser
 * sees them (each line also parsed alone). */
#include <stdint.h>
#include <string.h>

#include "detectors/network/stratum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct hh_mining_msg m;
	hh_mining_parse(p, size, &m);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (hh_mining_parse(p, len, &m) == HH_PARSE_MINING) {
			char masked[128];
			hh_mask_login(m.login, masked, sizeof(masked), 6);
		}
		p += len + 1;
	}
	return 0;
}
