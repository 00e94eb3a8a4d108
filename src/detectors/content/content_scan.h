/* Content checks of the image scanner, for one file's bytes at a time:
 *  - the YARA rule pack (miner executables by content, browser miners) and user rules;
 *  - executables: miner trait families (exe_traits.h), UPX marks, high-entropy
 *    sections, static stripped ELFs carrying miner traits;
 *  - WebAssembly modules with CryptoNight/RandomX names or hash tables;
 *  - text: miner indicators (stratum URLs, checksum-valid wallets, XMRig flags,
 *    pool config keys; text_indicators.h), pool domains from the intel set,
 *    droppers (download piped to a shell), base64-wrapped commands decoded at
 *    every alignment and rescanned (bounded depth), and persistence files
 *    (cron, systemd, rc, profile) with the commands they start.
 * Findings carry file.path = the display path the caller gives (for images
 * the layer-qualified path). */
#ifndef HH_CONTENT_SCAN_H
#define HH_CONTENT_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/finding.h"

#define HH_CONTENT_MAX_INTEL 16

struct hh_content_opts {
	size_t text_max_bytes;      /* text checks only on files up to this size */
	size_t b64_min_run;         /* base64 runs shorter than this are not decoded */
	size_t b64_max_decoded;     /* decoded bytes per file */
	int b64_depth;              /* nested decodings */
	double entropy_packed;      /* section entropy (bits/byte) that reads as packed */
	const char *intel_files[HH_CONTENT_MAX_INTEL]; /* pool intel lists besides the built-in set */
	size_t n_intel_files;
};

/* Reads the scan.* content keys of cfg (defaults when cfg is NULL). */
void hh_content_opts_from_config(struct hh_content_opts *o, const struct hh_config *cfg);

struct hh_content;

/* Compiles the rule pack plus the user's YARA paths. NULL with err on failure. */
struct hh_content *hh_content_new(const struct hh_content_opts *opts, const char *const *yara_paths,
				  size_t n_yara, char *err, size_t errlen);
void hh_content_free(struct hh_content *c);
size_t hh_content_rule_count(const struct hh_content *c);
/* The pool intel set (built-in plus scan.intel_files). */
struct hh_intel;
const struct hh_intel *hh_content_intel(const struct hh_content *c);

/* Scans one file. fs_path is the path inside the filesystem ("/etc/crontab")
 * and decides the persistence checks; display goes into file.path. Findings
 * are appended to out. Returns the number added. A problem with the content
 * itself (YARA timeout, malformed executable) is written to err (when not
 * NULL) and the other checks still run. */
size_t hh_content_scan(struct hh_content *c, const char *fs_path, const char *display, const uint8_t *data,
		       size_t len, struct hh_findings *out, char *err, size_t errlen);

/* flags for hh_content_scan_flags */
enum {
	/* data is a compressed stream (gzip, zstd, xz, bzip2) that the walker
	 * decompresses and scans in turn: its compressed bytes are not run
	 * through YARA (nothing the pack looks for survives compression, and the
	 * decompressed bytes get every check); the other checks still run. */
	HH_CONTENT_OPENED_STREAM = 1u,
};
size_t hh_content_scan_flags(struct hh_content *c, const char *fs_path, const char *display, const uint8_t *data,
			     size_t len, unsigned flags, struct hh_findings *out, char *err, size_t errlen);

/* True when data starts like a gzip, zstd, xz or bzip2 stream. */
bool hh_content_is_compressed(const uint8_t *data, size_t len);

#endif
