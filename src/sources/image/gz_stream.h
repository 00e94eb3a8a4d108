/* Streaming gzip decoding for the layer walker with ISA-L's igzip inflate
 * (several times zlib's speed on x86-64, the same output): layers and
 * nested .gz files are decoded here, libarchive then reads the plain
 * stream. Multi-member streams are decoded member after member; each
 * member's CRC-32 and length are checked. A truncated or corrupt stream is
 * an error (hh_gz_error), never a crash. Compressed input comes from a pull
 * callback, so the decoder holds only its own state and one output buffer. */
#ifndef HH_GZ_STREAM_H
#define HH_GZ_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hh_gz;

/* Next chunk of compressed bytes in *buf (valid until the next call):
 * its length, 0 at the end of the input, -1 on a read error (errno set). */
typedef long long (*hh_gz_pull_fn)(void *user, const uint8_t **buf);

bool hh_gz_magic(const uint8_t *b, size_t n);

/* NULL when out of memory. */
struct hh_gz *hh_gz_new(hh_gz_pull_fn pull, void *user);

/* Decompressed bytes in *out (valid until the next call): their count,
 * 0 after the last member, -1 on an error (message: hh_gz_error). Bytes
 * after the last member that do not start another gzip member end the
 * stream, as gzip -d does. */
long long hh_gz_read(struct hh_gz *g, const uint8_t **out);

const char *hh_gz_error(const struct hh_gz *g);
uint64_t hh_gz_in_bytes(const struct hh_gz *g);   /* compressed bytes consumed so far */
uint64_t hh_gz_out_bytes(const struct hh_gz *g);  /* decompressed bytes produced so far */
void hh_gz_free(struct hh_gz *g);

#endif
