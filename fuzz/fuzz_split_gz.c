/* Fuzzes two parsers of the image scanner: the split-payload command reader
 * (scripts and Entrypoint/Cmd lines naming parts in other layers) with the
 * merged-view path resolver, and the ISA-L gzip stream decoder (layers and
 * nested .gz files). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "detectors/content/split_payload.h"
#include "sources/image/gz_stream.h"

struct src {
	const uint8_t *p;
	size_t left;
};

static long long pull(void *user, const uint8_t **buf)
{
	struct src *s = user;
	size_t n = s->left < 333 ? s->left : 333;
	*buf = s->p;
	s->p += n;
	s->left -= n;
	return (long long)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hh_split_plan plans[HH_SPLIT_MAX_PLANS];
	size_t n = hh_split_find((const char *)data, size, plans, HH_SPLIT_MAX_PLANS);
	struct hh_merged *m = hh_merged_new();
	if (m) {
		/* the input's lines as files, symlinks and whiteouts of three layers */
		char line[300];
		size_t k = 0, i = 0;
		int layer = 0;
		for (; i < size && layer < 64; i++) {
			if (data[i] != '\n' && k + 1 < sizeof(line)) {
				line[k++] = (char)data[i];
				continue;
			}
			line[k] = 0;
			char *arrow = strstr(line, " -> ");
			if (arrow) {
				*arrow = 0;
				hh_merged_add(m, line, arrow + 4, layer % 3);
			} else if (line[0] == '!') {
				hh_merged_whiteout(m, line + 1, layer % 3);
			} else {
				hh_merged_add(m, line, NULL, layer % 3);
			}
			layer++;
			k = 0;
		}
		for (size_t p = 0; p < n; p++)
			for (size_t q = 0; q < plans[p].n_parts; q++) {
				char out[256];
				(void)hh_merged_resolve(m, plans[p].parts[q], out, sizeof(out));
			}
		hh_merged_free(m);
	}
	struct src s = { data, size };
	struct hh_gz *g = hh_gz_new(pull, &s);
	if (g) {
		const uint8_t *b;
		long long r;
		uint64_t total = 0;
		while ((r = hh_gz_read(g, &b)) > 0 && total < (64u << 20))
			total += (uint64_t)r;
		hh_gz_free(g);
	}
	return 0;
}
