/* Fuzzes the wrapped-payload finder of the image scanner (shell stubs,
 * base64 blocks, carved ELF, ELF overlays). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "detectors/content/unwrap_payload.h"

static void check(const uint8_t *d, size_t n)
{
	struct hh_wrapped w[HH_UNWRAP_MAX];
	size_t k = hh_unwrap_find(d, n, 1u << 20, w, HH_UNWRAP_MAX);
	for (size_t i = 0; i < k; i++) {
		/* every payload lies in the input or in its own decoded buffer */
		if (!w[i].owned && (w[i].data < d || w[i].data + w[i].len > d + n))
			__builtin_trap();
		volatile uint8_t s = 0;
		for (size_t j = 0; j < w[i].len; j += 4096)
			s ^= w[i].data[j];
		(void)s;
	}
	hh_wrapped_free(w, k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size);
	/* also behind a shell-stub header and after an ELF magic */
	static const char hdr[] = "#!/bin/sh\nskip=3\n";
	uint8_t buf[16384];
	size_t n = size < sizeof(buf) - sizeof(hdr) ? size : sizeof(buf) - sizeof(hdr);
	memcpy(buf, hdr, sizeof(hdr) - 1);
	memcpy(buf + sizeof(hdr) - 1, data, n);
	check(buf, n + sizeof(hdr) - 1);
	if (size >= 4) {
		memcpy(buf, data, n);
		memcpy(buf, "\x7f" "ELF", 4);
		check(buf, n);
	}
	return 0;
}
