/* Fuzzes the ELF/PE header and section parser of the image scanner. */
#include <stddef.h>
#include <stdint.h>

#include "detectors/content/exe_sections.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hh_exe_info x;
	hh_exe_parse(data, size, &x);
	/* also as ELF and as PE whatever the first bytes say */
	if (size >= 4) {
		uint8_t buf[8192];
		size_t n = size < sizeof(buf) ? size : sizeof(buf);
		__builtin_memcpy(buf, data, n);
		buf[0] = 0x7f; buf[1] = 'E'; buf[2] = 'L'; buf[3] = 'F';
		hh_exe_parse(buf, n, &x);
		buf[0] = 'M'; buf[1] = 'Z';
		hh_exe_parse(buf, n, &x);
	}
	return 0;
}
