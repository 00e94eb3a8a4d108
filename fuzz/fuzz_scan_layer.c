/* Fuzzes the image scanner's archive side with a tar (or gzip/zstd/zip)
 * held in memory: the plain-tar index used for image archives, then the
 * streaming layer walker (nested archives, whiteout classification of every
 * entry) with small limits so bombs stay cheap. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/log.h"
#include "sources/image/layer_walk.h"
#include "sources/image/tar_index.h"
#include "sources/image/whiteout.h"

static void on_entry(void *user, const struct hh_walk_entry *e)
{
	struct hh_hidden *h = user;
	char t[4096];
	enum hh_wh_kind k = hh_whiteout_classify(e->path, t, sizeof(t));
	if (k == HH_WH_FILE)
		hh_hidden_on_whiteout(h, 1, t);
	else if (k == HH_WH_OPAQUE)
		hh_hidden_on_opaque(h, 1, t);
	else if (e->type == HH_WALK_FILE && e->len && e->data[0] == 'M')
		hh_hidden_add(h, e->path, 0);
	else
		hh_hidden_on_entry(h, 1, e->path);
}

static void on_error(void *user, const char *label, const char *path, const char *msg)
{
	(void)user; (void)label; (void)path; (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	if (!once++)
		hh_log_set_level(HH_LOG_ERROR);
	struct hh_blob_src src = { -1, data, size };
	struct hh_tar_index idx;
	char err[256];
	hh_tar_index_build(&src, 1000, &idx, err, sizeof(err));
	hh_tar_index_find(&idx, "manifest.json");
	hh_tar_index_free(&idx);

	struct hh_scan_limits lim = {
		.max_file_bytes = 1 << 20, .max_total_bytes = 16 << 20, .max_depth = 2, .max_entries = 2000,
		.max_ratio = 50, .ratio_min_bytes = 1 << 20, .max_layers = 8, .max_json_bytes = 1 << 20,
		.max_dir_depth = 8,
	};
	struct hh_walk_budget b = { 0 };
	struct hh_hidden h;
	hh_hidden_init(&h);
	struct hh_walk_cb cb = { on_entry, on_error, &h, NULL };
	hh_walk_blob(&src, 0, size, "fuzz", &lim, &b, &cb);
	hh_hidden_free(&h);
	return 0;
}
