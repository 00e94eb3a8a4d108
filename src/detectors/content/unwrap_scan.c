/* Scanning wrapped payloads (see unwrap_scan.h). */
#include "detectors/content/unwrap_scan.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "detectors/content/unwrap_payload.h"

struct inner {
	hh_unwrap_scan_fn scan;
	void *user;
	struct hh_findings *found;
	const char *display;
	bool exe_seen;
};

static bool is_exe(const uint8_t *d, size_t n)
{
	const char *f = hh_payload_format(d, n);
	return f && (!strcmp(f, "elf") || !strcmp(f, "pe"));
}

static void on_inner_entry(void *user, const struct hh_walk_entry *e)
{
	struct inner *in = user;
	if (e->type != HH_WALK_FILE || !e->len)
		return;
	if (is_exe(e->data, e->len))
		in->exe_seen = true;
	in->scan(in->user, e, in->found);
}

static void on_inner_error(void *user, const char *label, const char *path, const char *msg)
{
	struct inner *in = user;
	(void)label;
	hh_warn("scan: %s: wrapped payload%s%s: %s", in->display, path && *path ? " " : "", path ? path : "", msg);
}

static bool is_archive_format(const char *f)
{
	return !strcmp(f, "gzip") || !strcmp(f, "xz") || !strcmp(f, "bzip2") || !strcmp(f, "zstd") ||
	       !strcmp(f, "zip") || !strcmp(f, "tar");
}

size_t hh_unwrap_scan(const struct hh_walk_entry *e, const char *display, const struct hh_scan_limits *lim,
		      hh_unwrap_scan_fn scan, void *user, struct hh_findings *found)
{
	if (e->type != HH_WALK_FILE || !e->data || !e->len || e->depth >= lim->max_depth)
		return 0;
	struct hh_wrapped w[HH_UNWRAP_MAX];
	size_t max_decoded = lim->max_file_bytes > SIZE_MAX ? SIZE_MAX : (size_t)lim->max_file_bytes;
	size_t n = hh_unwrap_find(e->data, e->len, max_decoded, w, HH_UNWRAP_MAX);
	for (size_t i = 0; i < n; i++) {
		char path[4400];
		snprintf(path, sizeof(path), "%s!/%s-payload", e->path, w[i].wrapper);
		struct inner in = { scan, user, found, display, false };
		size_t before = found->n;
		if (is_archive_format(w[i].format)) {
			char prefix[4500];
			snprintf(prefix, sizeof(prefix), "%s!/", path);
			struct hh_walk_budget budget = { 0 };
			struct hh_walk_cb cb = { on_inner_entry, on_inner_error, &in, NULL };
			hh_walk_memory(w[i].data, w[i].len, display, prefix, e->depth + 1, lim, &budget, &cb);
		} else {
			struct hh_walk_entry ie = { .path = path, .type = HH_WALK_FILE, .depth = e->depth + 1,
						    .size = w[i].len, .data = w[i].data, .len = w[i].len };
			on_inner_entry(&in, &ie);
		}
		for (size_t k = before; k < found->n; k++) {
			struct hh_finding *f = found->items[k];
			hh_finding_evidence_str(f, "wrapper", w[i].wrapper);
			hh_finding_evidence_str(f, "wrapper.payload", w[i].format);
			hh_finding_evidence_num(f, "wrapper.offset", (double)w[i].offset);
		}
		bool hiding = !strcmp(w[i].wrapper, "base64") || !strcmp(w[i].wrapper, "embedded-elf");
		if (in.exe_seen && hiding) {
			struct hh_finding *f = hh_finding_new("scan", "scan.wrapped.executable",
							      "Executable hidden in base64 text or inside another file",
							      HH_SEV_LOW, 0.6);
			if (f) {
				hh_finding_add_mitre(f, "T1027");
				hh_finding_set_str(f, "file.path", display);
				hh_finding_evidence_str(f, "wrapper", w[i].wrapper);
				hh_finding_evidence_str(f, "wrapper.payload", w[i].format);
				hh_finding_evidence_num(f, "wrapper.offset", (double)w[i].offset);
				hh_findings_push(found, f);
			}
		}
	}
	hh_wrapped_free(w, n);
	return n;
}
