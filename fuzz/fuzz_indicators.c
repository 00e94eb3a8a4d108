/* Fuzzes the text indicator scanner (wallets, stratum URLs, flags) and the
 * executable trait scanner over arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "detectors/indicators/exe_traits.h"
#include "detectors/indicators/text_indicators.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hh_indicator ind[32];
	hh_indicators_scan((const char *)data, size, ind, 32);
	struct hh_traits t;
	hh_traits_init(&t);
	size_t half = size / 2;
	hh_traits_feed(&t, data, half);
	hh_traits_feed(&t, data + half, size - half);
	char out[256];
	hh_traits_result(&t, out, sizeof(out));
	return 0;
}
