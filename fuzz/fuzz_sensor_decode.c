/* Fuzzes the decoder of the eBPF sensor's ring-buffer records (user-space side). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sources/sensor/sensor_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hh_event ev;
	char err[160];
	if (hh_sensor_decode(data, size, &ev, err, sizeof(err)) == 0) {
		/* every string field bounded */
		if (strnlen(ev.comm, sizeof(ev.comm)) >= sizeof(ev.comm) ||
		    strnlen(ev.cmdline, sizeof(ev.cmdline)) >= sizeof(ev.cmdline) ||
		    strnlen(ev.path, sizeof(ev.path)) >= sizeof(ev.path) ||
		    strnlen(ev.dns_query, sizeof(ev.dns_query)) >= sizeof(ev.dns_query))
			__builtin_trap();
	}
	return 0;
}
