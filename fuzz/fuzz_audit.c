/* Fuzzes the audit-log reader and rules (stream splitting, recovery,
 * EventList, correlation state). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/log.h"
#include "detectors/audit/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hh_config cfg;
	static int loaded;
	char err[256];
	if (!loaded) {
		hh_log_set_level(HH_LOG_ERROR);
		/* Small state so each input allocates little; eviction gets exercised too. */
		char path[] = "/tmp/hh-fuzz-audit-XXXXXX";
		int fd = mkstemp(path);
		if (fd >= 0) {
			static const char text[] = "audit:\n  state_entries: 8\n  dedup_entries: 8\n  max_value_bytes: 65536\n";
			if (write(fd, text, sizeof(text) - 1) < 0)
				path[0] = 0;
			close(fd);
		}
		hh_config_load(&cfg, fd >= 0 && path[0] ? path : NULL, err, sizeof(err));
		if (fd >= 0)
			unlink(path);
		loaded = 1;
	}
	struct hh_audit *a = hh_audit_new(&cfg, NULL, NULL, err, sizeof(err));
	if (!a)
		return 0;
	hh_audit_read_buf(a, (const char *)data, size, "fuzz");
	hh_audit_free(a);
	return 0;
}
