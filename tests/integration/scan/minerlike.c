/* A harmless miner-like program for the image-scanner tests: it carries the
 * strings and config structure an XMRig build does (stratum methods, pool
 * config keys, RandomX names), runs a short hash-like loop and exits. It
 * connects nowhere. Built static and stripped, renamed in the image. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *const cfg =
	"{\"api\":{\"id\":null},\"donate-level\":1,\"cpu\":{\"enabled\":true,\"huge-pages\":true},"
	"\"randomx\":{\"init\":-1,\"mode\":\"auto\",\"1gb-pages\":false},"
	"\"pools\":[{\"algo\":\"rx/0\",\"coin\":\"monero\",\"url\":\"stratum+tcp://127.0.0.1:3333\","
	"\"user\":\"x\",\"pass\":\"x\",\"keepalive\":true,\"nicehash\":false}]}";
static const char *const methods[] = { "mining.subscribe", "mining.authorize", "mining.submit",
				       "{\"method\":\"login\",\"params\":{\"login\":\"%s\",\"agent\":\"XMRig/6.21.0\"}}",
				       "keepalived", "\"job_id\"", "cryptonight", "RandomX", "cn/r",
				       "--donate-level", "--cpu-max-threads-hint", "randomx_calculate_hash" };

int main(int argc, char **argv)
{
	uint64_t h = 1469598103934665603ull;
	for (int i = 0; i < 100000; i++)
		h = (h ^ (uint64_t)i) * 1099511628211ull;
	size_t total = strlen(cfg);
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		total += strlen(methods[i]);
	if (argc > 1 && !strcmp(argv[1], "--print"))
		printf("%s %zu %llx\n", cfg, total, (unsigned long long)h);
	return 0;
}
