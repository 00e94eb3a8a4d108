/* Fuzzes the image reference parser of `hashhound scan IMAGE_REF`. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sources/image/image_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[1024];
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	memcpy(s, data, n);
	s[n] = 0;
	struct hh_image_ref r;
	if (hh_image_ref_parse(s, &r) == 0) {
		/* a parsed reference is canonical: parsing its name gives it back */
		struct hh_image_ref again;
		if (hh_image_ref_parse(r.name, &again) != 0 || strcmp(again.name, r.name))
			__builtin_trap();
	}
	return 0;
}
