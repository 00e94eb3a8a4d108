/* Shared between the audit reader and rules; not a public interface. */
#ifndef HH_AUDIT_INTERNAL_H
#define HH_AUDIT_INTERNAL_H

#include "detectors/audit/audit.h"
#include "detectors/audit/lru.h"

struct hh_audit {
	const struct hh_config *cfg;
	hh_posture_sink sink;
	void *user;
	struct hh_posture_ctx posture;
	struct hh_lru state;        /* own:KIND/NS/NAME -> root actor, chain; anon:IP -> first anonymous URI */
	struct hh_lru ids;          /* auditIDs already judged (stages of one request) */
	double seq_window_s;
	size_t max_value_bytes;
	const json_t *trusted_kube_images;  /* config list of globs */
	struct hh_audit_stats st;
	/* reader state */
	char *buf;
	size_t len, cap;
	int depth;
	bool in_str, esc, skipping, skip_line, line_start;
	unsigned line, start_line;
	char open_char;             /* '{' or '[' that opened the current value */
};

#endif
