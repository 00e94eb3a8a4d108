/* Opens the payloads wrapped in one scanned file (unwrap_payload.h) and hands
 * every unwrapped file back to the caller's content scan, so the unwrapped
 * bytes get every check. Compressed streams and archives go through the
 * archive walker (hh_walk_memory) with the scan limits: per-file bytes,
 * decompression ratio (bombs are refused there) and entry counts. Nesting is
 * bounded by scan.max_depth: a file at depth >= max_depth is not unwrapped,
 * and each unwrapping adds one level. Unwrapped files are named
 * "PATH!/WRAPPER-payload" (entries of an archive payload below that,
 * "PATH!/WRAPPER-payload!/ENTRY"); their findings carry the evidence wrapper,
 * wrapper.payload and wrapper.offset. An executable hidden in base64 text or
 * carved from a non-executable file also gets scan.wrapped.executable (low). */
#ifndef HH_UNWRAP_SCAN_H
#define HH_UNWRAP_SCAN_H

#include "core/finding.h"
#include "sources/image/layer_walk.h"

/* The caller's content scan of one (unwrapped) file; it may call
 * hh_unwrap_scan again for that file (the depth bounds the recursion). */
typedef void (*hh_unwrap_scan_fn)(void *user, const struct hh_walk_entry *e, struct hh_findings *found);

/* Unwraps e (a regular file with data) and scans what it holds. display
 * names e in findings and warnings. Returns the number of payloads opened. */
size_t hh_unwrap_scan(const struct hh_walk_entry *e, const char *display, const struct hh_scan_limits *lim,
		      hh_unwrap_scan_fn scan, void *user, struct hh_findings *found);

#endif
