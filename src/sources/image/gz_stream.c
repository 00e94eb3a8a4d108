/* Streaming gzip decoding with ISA-L (see gz_stream.h). */
#include "sources/image/gz_stream.h"

#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GZ_OUT_BYTES (256u << 10)

struct hh_gz {
	struct inflate_state st;
	hh_gz_pull_fn pull;
	void *user;
	bool eof, done, failed;
	uint64_t in_bytes, out_bytes, members;
	char err[160];
	uint8_t out[GZ_OUT_BYTES];
};

bool hh_gz_magic(const uint8_t *b, size_t n)
{
	return n >= 2 && b[0] == 0x1f && b[1] == 0x8b;
}

struct hh_gz *hh_gz_new(hh_gz_pull_fn pull, void *user)
{
	struct hh_gz *g = malloc(sizeof(*g));
	if (!g)
		return NULL;
	memset(g, 0, offsetof(struct hh_gz, out));
	isal_inflate_init(&g->st);
	g->st.crc_flag = ISAL_GZIP;
	g->pull = pull;
	g->user = user;
	return g;
}

void hh_gz_free(struct hh_gz *g)
{
	free(g);
}

const char *hh_gz_error(const struct hh_gz *g)
{
	return g->err;
}

uint64_t hh_gz_in_bytes(const struct hh_gz *g)
{
	return g->in_bytes;
}

uint64_t hh_gz_out_bytes(const struct hh_gz *g)
{
	return g->out_bytes;
}

static const char *code_name(int rc)
{
	switch (rc) {
	case ISAL_INVALID_BLOCK:
		return "invalid deflate block";
	case ISAL_INVALID_SYMBOL:
		return "invalid deflate symbol";
	case ISAL_INVALID_LOOKBACK:
		return "invalid deflate distance";
	case ISAL_INVALID_WRAPPER:
		return "invalid gzip header";
	case ISAL_UNSUPPORTED_METHOD:
		return "gzip compression method is not deflate";
	case ISAL_INCORRECT_CHECKSUM:
		return "gzip CRC-32 or length mismatch (corrupt data)";
	default:
		return "corrupt gzip stream";
	}
}

static long long fail(struct hh_gz *g, const char *what)
{
	g->failed = true;
	snprintf(g->err, sizeof(g->err), "gzip: %s (member %llu, after %llu compressed bytes)", what,
		 (unsigned long long)g->members + 1, (unsigned long long)g->in_bytes);
	return -1;
}

/* More compressed input when the decoder has consumed what it had. */
static int refill(struct hh_gz *g)
{
	if (g->st.avail_in || g->eof)
		return 0;
	const uint8_t *buf = NULL;
	long long r = g->pull(g->user, &buf);
	if (r < 0) {
		char what[100];
		snprintf(what, sizeof(what), "read error: %s", strerror(errno));
		fail(g, what);
		return -1;
	}
	if (r == 0) {
		g->eof = true;
		return 0;
	}
	g->st.next_in = (uint8_t *)buf;
	g->st.avail_in = (uint32_t)r;
	g->in_bytes += (uint64_t)r;
	return 0;
}

long long hh_gz_read(struct hh_gz *g, const uint8_t **out)
{
	if (g->failed)
		return -1;
	for (;;) {
		if (g->done)
			return 0;
		if (refill(g) < 0)
			return -1;
		if (g->st.block_state == ISAL_BLOCK_FINISH) {
			/* a member ended: another one follows, or the stream ends */
			if (!g->st.avail_in) {
				if (g->eof) {
					g->done = true;
					return 0;
				}
				continue;
			}
			if (g->st.next_in[0] != 0x1f) {
				g->done = true; /* trailing bytes that are no member: ignored like gzip -d */
				return 0;
			}
			uint8_t *next_in = g->st.next_in;
			uint32_t avail_in = g->st.avail_in;
			isal_inflate_reset(&g->st);
			g->st.crc_flag = ISAL_GZIP;
			g->st.next_in = next_in;
			g->st.avail_in = avail_in;
			g->members++;
		}
		g->st.next_out = g->out;
		g->st.avail_out = GZ_OUT_BYTES;
		uint32_t had = g->st.avail_in;
		int rc = isal_inflate(&g->st);
		size_t produced = GZ_OUT_BYTES - g->st.avail_out;
		if (rc < 0)
			return fail(g, code_name(rc));
		if (produced) {
			g->out_bytes += produced;
			*out = g->out;
			return (long long)produced;
		}
		if (g->st.block_state != ISAL_BLOCK_FINISH && !g->st.avail_in && g->eof)
			return fail(g, "truncated stream");
		if (g->st.block_state != ISAL_BLOCK_FINISH && g->st.avail_in && g->st.avail_in == had)
			return fail(g, "decoder made no progress");
		/* the decoder needs more input (a header or a block split across reads) */
	}
}
