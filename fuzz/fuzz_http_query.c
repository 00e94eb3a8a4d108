/* Fuzzes the /api/findings query parser: the input is split into key=value
 * pairs at '&' and the first '='. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sinks/http_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	struct hh_findings_query p;
	hh_findings_query_init(&p, 1e9);
	for (char *save = NULL, *pair = strtok_r(s, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(pair, '=');
		if (eq)
			*eq++ = '\0';
		hh_findings_query_arg(&p, pair, eq);
	}
	free(s);
	return 0;
}
