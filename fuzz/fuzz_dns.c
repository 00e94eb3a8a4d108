/* libFuzzer: DNS message parser and the answer cache. */
#include <stdint.h>

#include "detectors/network/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hh_dns_cache *c;
	if (!c)
		c = hh_dns_cache_new(64);
	struct hh_dns_msg m;
	const char *why;
	if (hh_dns_parse(data, size, &m, &why) == 0) {
		hh_dns_cache_add(c, &m, 0);
		for (size_t i = 0; i < m.n_answers; i++)
			hh_dns_cache_lookup(c, m.answers[i].type == 28 ? 6 : 4, m.answers[i].addr);
	}
	return 0;
}
