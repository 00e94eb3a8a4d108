/* libFuzzer: TLS ClientHello parser with JA3/JA4 fingerprints. */
#include <stdint.h>

#include "detectors/network/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hh_tls_hello h;
	hh_tls_parse_client_hello(data, size, &h);
	return 0;
}
