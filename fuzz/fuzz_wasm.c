/* Fuzzes the WebAssembly section walker of the image scanner. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "detectors/content/wasm_module.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hh_wasm_info w;
	hh_wasm_parse(data, size, &w);
	uint8_t buf[16384];
	if (size > sizeof(buf) - 8)
		size = sizeof(buf) - 8;
	memcpy(buf, "\0asm\1\0\0\0", 8); /* reach the section walker every time */
	memcpy(buf + 8, data, size);
	hh_wasm_parse(buf, size + 8, &w);
	return 0;
}
