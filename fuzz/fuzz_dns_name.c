/* Fuzzes the DNS query-name parser the sensor runs on payloads processes send to port 53. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sources/sensor/dns_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[256];
	uint16_t qt;
	int rc = hh_dns_query_name(data, size, out, sizeof(out), &qt);
	if (strlen(out) >= sizeof(out) || (rc != HH_DNS_OK && out[0]))
		__builtin_trap();
	char small[5];
	hh_dns_query_name(data, size, small, sizeof(small), NULL);
	return 0;
}
