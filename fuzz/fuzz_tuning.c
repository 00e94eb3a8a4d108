/* Fuzzes the tuning inputs: an ignore file (.hashhoundignore), matching a
 * finding built from the input against it, the file-context classifier and
 * the domain-list test, and the binary protocol recogniser. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/tuning.h"
#include "detectors/content/file_context.h"
#include "detectors/network/known_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hh_log_set_level(HH_LOG_ERROR);
	char path[] = "/tmp/hh-fuzz-ignore-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	char err[256];
	struct hh_tuning *t = hh_tuning_new(NULL, "2026-12-05", err, sizeof(err));
	if (t) {
		hh_tuning_load_ignore_file(t, path, err, sizeof(err));
		/* a finding whose rule and path come from the input */
		char s[512];
		size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
		memcpy(s, data, n);
		s[n] = 0;
		char *sp = strchr(s, ' ');
		if (sp)
			*sp = 0;
		struct hh_finding *f = hh_finding_new("scan", s, "fuzz", HH_SEV_HIGH, 0.5);
		if (f) {
			hh_finding_set_str(f, "file.path", sp ? sp + 1 : s);
			const char *why;
			hh_tuning_suppressed(t, NULL, f, &why);
			hh_finding_free(f);
		}
		struct hh_file_ctx ctx;
		hh_file_context(sp ? sp + 1 : s, (const char *)data, size, &ctx);
		hh_tuning_free(t);
	}
	unlink(path);
	hh_text_is_domain_list((const char *)data, size);
	hh_known_binary_protocol(data, size);
	hh_payload_looks_encrypted(hh_payload_entropy(data, size), size);
	return 0;
}
