/* Fuzzes the procfs text parsers: /proc/PID/stat and /proc/PID/mountinfo. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sources/procfs/procfs_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct hh_proc_stat st;
	if (hh_proc_stat_parse(text, &st) == 0 && strlen(st.comm) >= sizeof(st.comm))
		__builtin_trap();
	char out[256];
	if (hh_mountinfo_root_upperdir(text, out, sizeof(out)) == 0 && strlen(out) >= sizeof(out))
		__builtin_trap();
	free(text);
	return 0;
}
