/* Fuzzes the rule condition compiler and evaluator: any input either
 * compiles (and then evaluates against a fixed event) or yields an error. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "detectors/rules/cond.h"

static const struct strvec *fuzz_list(void *ud, const char *name)
{
	static char *items[] = { "xmrig", "3333", "10.0.0.0/8", "/tmp" };
	static const struct strvec l = { items, 4, 4 };
	(void)ud;
	return strcmp(name, "lst") == 0 ? &l : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hh_event ev;
	if (!ev.type) {
		ev.type = HH_EV_CONNECT;
		strcpy(ev.comm, "xmrig");
		strcpy(ev.cmdline, "xmrig -o stratum+tcp://p:3333");
		strcpy(ev.sip, "10.1.2.3");
		ev.family = 4;
		ev.sport = 3333;
		strcpy(ev.ancestors[0], "bash");
		ev.n_ancestors = 1;
	}
	struct cond_env env = { NULL, NULL, fuzz_list };
	struct cond_error err;
	struct cnode *n = cond_compile((const char *)data, size, &env, &err);
	if (n) {
		struct rule_ctx c;
		rule_ctx_init(&c, &ev);
		cond_eval(n, &c);
		cond_evmask(n);
		cond_free(n);
	}
	return 0;
}
