/* tools/minersim parsers on hostile input: job messages of the three
 * dialects (as the miner receives them from a pool), base58 addresses and
 * loopback addresses. The first byte picks the parser. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msgs.h"
#include "netconn.h"
#include "wallet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	char err[160];
	struct ms_job job;
	switch (data[0] % 5) {
	case 0:
	case 1:
	case 2: {
		json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
		if (j) {
			if (data[0] % 5 == 0)
				ms_job_from_cn(j, &job, err, sizeof(err));
			else if (data[0] % 5 == 1)
				ms_job_from_stratum(j, "00ff", 3.5, &job, err, sizeof(err));
			else
				ms_job_from_eth(j, &job, err, sizeof(err));
			json_decref(j);
		}
		break;
	}
	case 3: {
		uint8_t raw[128];
		size_t n;
		ms_b58_decode(s, raw, sizeof(raw), &n);
		ms_wallet_check(s);
		break;
	}
	default: {
		struct sockaddr_storage ss;
		socklen_t sl;
		ms_parse_loopback(s, &ss, &sl, err, sizeof(err));
	}
	}
	free(s);
	return 0;
}
