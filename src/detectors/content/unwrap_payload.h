/* Wrapped payloads: a miner hidden inside another file is found where it sits
 * and handed back so that it gets every content check. Recognised wrappers:
 *  - shell stubs whose script is followed by a compressed stream, archive or
 *    executable starting at a line boundary (gzexe, makeself, any
 *    `tail -n +N "$0" | tar x` / `| gzip -cd` self-extractor): the payload
 *    starts at the first such line after the all-text header;
 *  - base64 blocks in text files (heredocs, `echo ... | base64 -d > f`):
 *    lines made only of base64 characters, decoded across line breaks, kept
 *    when the decoding starts like an executable, a script or an archive;
 *  - ELF images carved out of non-executable files (data, scripts, images);
 *  - data appended after the end of an ELF image (self-extracting archives):
 *    kept when it starts like an archive, a compressed stream or an ELF.
 * Decoding is bounded by the caller's max_decoded; compressed payloads are
 * returned compressed (the caller opens them with the archive walker, which
 * enforces the decompression-ratio and size limits). */
#ifndef HH_UNWRAP_PAYLOAD_H
#define HH_UNWRAP_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#define HH_UNWRAP_MAX 4 /* payloads reported per file */

struct hh_wrapped {
	const char *wrapper;   /* "gzexe", "makeself", "shell-stub", "base64", "embedded-elf", "elf-overlay" */
	const char *format;    /* what the payload starts as: "elf", "pe", "gzip", "xz", "bzip2", "zstd", "zip", "tar", "script" */
	size_t offset;         /* where the payload (or its base64 text) starts in the wrapper */
	const uint8_t *data;   /* payload bytes: into the input, or into owned */
	size_t len;
	uint8_t *owned;        /* decoded bytes (base64); freed by hh_wrapped_free */
};

/* The payload format of buf (one of the format names above), or NULL. */
const char *hh_payload_format(const uint8_t *buf, size_t len);

/* Finds up to max (<= HH_UNWRAP_MAX) payloads in data[0..len); decoded
 * payloads hold at most max_decoded bytes. Returns the number found. */
size_t hh_unwrap_find(const uint8_t *data, size_t len, size_t max_decoded, struct hh_wrapped *out, size_t max);

void hh_wrapped_free(struct hh_wrapped *w, size_t n);

#endif
