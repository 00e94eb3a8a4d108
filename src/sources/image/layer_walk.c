/* Streaming archive walker (see layer_walk.h). */
#include "sources/image/layer_walk.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sources/image/gz_stream.h"

void hh_scan_limits_from_config(struct hh_scan_limits *l, const struct hh_config *cfg)
{
	l->max_file_bytes = (uint64_t)hh_config_int(cfg, NULL, "scan.max_file_bytes", 256ll << 20);
	l->max_total_bytes = (uint64_t)hh_config_int(cfg, NULL, "scan.max_total_bytes", 32ll << 30);
	l->max_depth = (int)hh_config_int(cfg, NULL, "scan.max_depth", 3);
	l->max_entries = (uint64_t)hh_config_int(cfg, NULL, "scan.max_entries", 2000000);
	l->max_ratio = hh_config_num(cfg, NULL, "scan.max_ratio", 200.0);
	l->ratio_min_bytes = (uint64_t)hh_config_int(cfg, NULL, "scan.ratio_min_bytes", 64ll << 20);
	l->max_layers = (int)hh_config_int(cfg, NULL, "scan.max_layers", 512);
	l->max_json_bytes = (uint64_t)hh_config_int(cfg, NULL, "scan.max_json_bytes", 16ll << 20);
	l->max_dir_depth = (int)hh_config_int(cfg, NULL, "scan.max_dir_depth", 64);
	l->progress_s = hh_config_num(cfg, NULL, "scan.progress_s", 5.0);
	/* 0: one per online CPU, at least 1, at most 8 */
	l->scan_threads = (int)hh_config_int(cfg, NULL, "scan.threads", 0);
	if (l->scan_threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		l->scan_threads = n < 1 ? 1 : n > 8 ? 8 : (int)n;
	}
}

bool hh_looks_archive(const uint8_t *b, size_t n)
{
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return true; /* gzip */
	if (n >= 4 && !memcmp(b, "\x28\xb5\x2f\xfd", 4))
		return true; /* zstd */
	if (n >= 6 && !memcmp(b, "\xfd" "7zXZ\0", 6))
		return true; /* xz */
	if (n >= 4 && !memcmp(b, "BZh", 3) && b[3] >= '1' && b[3] <= '9')
		return true; /* bzip2 */
	if (n >= 4 && !memcmp(b, "PK\3\4", 4))
		return true; /* zip */
	if (n >= 512 && (!memcmp(b + 257, "ustar", 5)) && hh_tar_header_valid(b))
		return true;
	if (n >= 6 && (!memcmp(b, "070701", 6) || !memcmp(b, "070707", 6)))
		return true; /* cpio */
	return false;
}

/* A small string set: the symlinks seen in one archive, to spot entries that
 * pass through them (the "symlink then write below it" extraction trick). */
struct strset {
	char **s;
	size_t n, cap;
};

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static bool strset_has(const struct strset *ss, const char *s, size_t n)
{
	if (!ss->cap)
		return false;
	for (size_t k = (size_t)(fnv(s, n) & (ss->cap - 1)); ss->s[k]; k = (k + 1) & (ss->cap - 1))
		if (strlen(ss->s[k]) == n && !memcmp(ss->s[k], s, n))
			return true;
	return false;
}

static void strset_add(struct strset *ss, const char *s)
{
	size_t n = strlen(s);
	if (strset_has(ss, s, n) || ss->n > 100000)
		return;
	if ((ss->n + 1) * 2 > ss->cap) {
		size_t nc = ss->cap ? ss->cap * 2 : 64;
		char **ns = calloc(nc, sizeof(*ns));
		if (!ns)
			return;
		for (size_t i = 0; i < ss->cap; i++) {
			if (!ss->s[i])
				continue;
			size_t k = (size_t)(fnv(ss->s[i], strlen(ss->s[i])) & (nc - 1));
			while (ns[k])
				k = (k + 1) & (nc - 1);
			ns[k] = ss->s[i];
		}
		free(ss->s);
		ss->s = ns;
		ss->cap = nc;
	}
	char *d = strdup(s);
	if (!d)
		return;
	size_t k = (size_t)(fnv(s, n) & (ss->cap - 1));
	while (ss->s[k])
		k = (k + 1) & (ss->cap - 1);
	ss->s[k] = d;
	ss->n++;
}

static void strset_free(struct strset *ss)
{
	for (size_t i = 0; i < ss->cap; i++)
		free(ss->s[i]);
	free(ss->s);
	memset(ss, 0, sizeof(*ss));
}

struct walk {
	const char *label, *prefix;
	int depth;
	const struct hh_scan_limits *lim;
	struct hh_walk_budget *b;
	const struct hh_walk_cb *cb;
	int errors;
	uint8_t *buf;
	size_t cap;
	struct strset links;
	uint64_t src_bytes;         /* size of the archive walked (compressed, as stored) */
	uint64_t produced;          /* entry bytes decompressed from it so far */
	struct hh_gz *gz;           /* gzip decoded here (ISA-L), not by libarchive: NULL otherwise */
};

/* Compressed bytes consumed so far: ours when we decode the gzip stream. */
static int64_t raw_bytes(const struct walk *w, struct archive *a)
{
	return w->gz ? (int64_t)hh_gz_in_bytes(w->gz) : archive_filter_bytes(a, -1);
}

static void werr(struct walk *w, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void werr(struct walk *w, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->errors++;
	if (w->cb->error)
		w->cb->error(w->cb->user, w->label, path, msg);
}

/* Normalizes into out: drops leading '/', "./" and "." components and a
 * trailing '/'. Reports (returns) 1 for an absolute path, 2 for "..". */
static int normalize(const char *raw, char *out, size_t n)
{
	int bad = raw[0] == '/' ? 1 : 0;
	size_t o = 0;
	const char *p = raw;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = strchr(p, '/');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == 1 && p[0] == '.') {
			/* skip */
		} else if (l) {
			if (l == 2 && p[0] == '.' && p[1] == '.')
				bad = 2;
			if (o + l + 2 < n) {
				if (o)
					out[o++] = '/';
				memcpy(out + o, p, l);
				o += l;
			}
		}
		p += l;
	}
	out[o] = 0;
	return bad;
}

static bool has_dotdot(const char *s)
{
	char tmp[4096];
	return s[0] == '/' ? false : normalize(s, tmp, sizeof(tmp)) == 2;
}

static bool ratio_exceeded(struct walk *w, struct archive *a, const char *path)
{
	int64_t raw = raw_bytes(w, a), dec = archive_filter_bytes(a, 0);
	if (dec < 0 || raw <= 0 || (uint64_t)dec < w->lim->ratio_min_bytes)
		return false;
	double r = (double)dec / (double)raw;
	if (r <= w->lim->max_ratio)
		return false;
	werr(w, path, "decompression ratio %.0f:1 after %lld bytes is over scan.max_ratio %.0f (decompression bomb); "
		      "rest of the archive skipped", r, (long long)dec, w->lim->max_ratio);
	return true;
}

/* Ratios every decompressor answers to, beside the stream filters above:
 * format-level compression (zip members' deflate, 7z, xar ...) through the
 * entry's own ratio (bytes out over compressed bytes consumed while reading
 * it), and any nesting through the whole walk's ratio (bytes out of all
 * entries over the size of the archive walked). */
static bool entry_ratio_exceeded(struct walk *w, struct archive *a, const char *path, uint64_t entry_out,
				 int64_t raw_at_start)
{
	if (entry_out >= w->lim->ratio_min_bytes) {
		int64_t raw = raw_bytes(w, a) - raw_at_start;
		double r = (double)entry_out / (double)(raw > 0 ? raw : 1);
		if (r > w->lim->max_ratio) {
			werr(w, path, "entry decompression ratio %.0f:1 after %llu bytes is over scan.max_ratio %.0f "
				      "(decompression bomb); rest of the archive skipped",
			     r, (unsigned long long)entry_out, w->lim->max_ratio);
			return true;
		}
	}
	if (w->produced >= w->lim->ratio_min_bytes && w->src_bytes &&
	    (double)w->produced > w->lim->max_ratio * (double)w->src_bytes) {
		werr(w, path, "%llu bytes out of a %llu-byte archive is over scan.max_ratio %.0f (decompression bomb); "
			      "rest of the archive skipped",
		     (unsigned long long)w->produced, (unsigned long long)w->src_bytes, w->lim->max_ratio);
		return true;
	}
	return false;
}

static int walk_archive(struct archive *a, struct walk *w);

/* Makes the walk buffer hold at least need bytes (need <= max_file_bytes). */
static int reserve(struct walk *w, const char *path, size_t need)
{
	if (need <= w->cap && w->buf)
		return 0;
	size_t nc = w->cap && w->buf ? w->cap * 2 : need;
	if (nc < need)
		nc = need;
	if (nc > w->lim->max_file_bytes)
		nc = (size_t)w->lim->max_file_bytes;
	if (nc < need)
		nc = need;
	uint8_t *nb = realloc(w->buf, nc ? nc : 1);
	if (!nb) {
		werr(w, path, "out of memory reading %zu bytes", nc);
		return -1;
	}
	w->buf = nb;
	w->cap = nc;
	return 0;
}

/* Reads the current entry's data: up to max_file_bytes kept, the rest
 * counted. The buffer is sized from the declared size (hint) up front, so
 * most files are read straight into a buffer of their own size, which the
 * callback can then keep (hh_walk_entry.take) instead of copying. */
static int read_data(struct archive *a, struct walk *w, const char *path, uint64_t hint, size_t *len, bool *cut)
{
	*len = 0;
	*cut = false;
	uint64_t entry_out = 0;
	int64_t raw_at_start = raw_bytes(w, a);
	size_t keep = w->lim->max_file_bytes > SIZE_MAX ? SIZE_MAX : (size_t)w->lim->max_file_bytes;
	size_t first = hint < keep ? (size_t)hint : keep;
	if (first && reserve(w, path, first) < 0)
		return -1;
	uint8_t chunk[65536];
	for (;;) {
		uint8_t *dst = chunk;
		size_t room = sizeof(chunk);
		size_t lim_cap = w->cap < keep ? w->cap : keep;
		if (w->buf && *len < lim_cap) {
			dst = w->buf + *len;
			room = lim_cap - *len;
		}
		la_ssize_t r = archive_read_data(a, dst, room);
		if (r == 0)
			return 0;
		if (r < 0) {
			werr(w, path, "%s", archive_error_string(a) ? archive_error_string(a) : "read error");
			return -1;
		}
		if (dst != chunk) {
			*len += (size_t)r;
		} else {
			/* more than the buffer holds (no or a wrong declared size): grow, up to max_file_bytes */
			size_t fit = *len < keep ? keep - *len : 0;
			if (fit > (size_t)r)
				fit = (size_t)r;
			if (fit) {
				if (reserve(w, path, *len + fit) < 0)
					return -1;
				memcpy(w->buf + *len, chunk, fit);
				*len += fit;
			}
			if (fit < (size_t)r)
				*cut = true;
		}
		w->b->bytes += (uint64_t)r;
		if (w->b->bytes > w->lim->max_total_bytes) {
			werr(w, path, "more than %llu decompressed bytes in all (scan.max_total_bytes); scan stopped",
			     (unsigned long long)w->lim->max_total_bytes);
			w->b->exhausted = true;
			return -1;
		}
		entry_out += (uint64_t)r;
		w->produced += (uint64_t)r;
		if (ratio_exceeded(w, a, path) || entry_ratio_exceeded(w, a, path, entry_out, raw_at_start))
			return -1;
	}
}

static int walk_archive(struct archive *a, struct walk *w)
{
	struct archive_entry *e;
	char path[4096], link[4096];
	int fatal = 0;
	for (;;) {
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_WARN) {
			/* e.g. unknown pax keys: the entry is usable */
		} else if (r != ARCHIVE_OK) {
			werr(w, "", "%s (after %lld bytes)", archive_error_string(a) ? archive_error_string(a) : "corrupt archive",
			     (long long)raw_bytes(w, a));
			fatal = 1;
			break;
		}
		if (++w->b->entries > w->lim->max_entries) {
			werr(w, "", "more than %llu entries (scan.max_entries); scan stopped",
			     (unsigned long long)w->lim->max_entries);
			w->b->exhausted = true;
			break;
		}
		const char *raw = archive_entry_pathname(e);
		if (!raw)
			raw = "";
		char norm[4096];
		int bad = normalize(raw, norm, sizeof(norm));
		int pl = snprintf(path, sizeof(path), "%s%s", w->prefix, norm);
		if (pl < 0 || (size_t)pl >= sizeof(path)) {
			werr(w, raw, "path longer than %zu bytes; entry skipped", sizeof(path));
			continue;
		}
		if (bad == 1)
			werr(w, raw, "absolute path in archive (would be written outside the extraction root)");
		else if (bad == 2)
			werr(w, raw, "path traversal (\"..\") in archive entry");
		/* Symlink trick: an entry below a symlink of this same archive. */
		for (char *s = norm; (s = strchr(s, '/')); s++) {
			if (strset_has(&w->links, norm, (size_t)(s - norm))) {
				werr(w, raw, "entry passes through symlink %.*s of the same archive (symlink trick)",
				     (int)(s - norm), norm);
				break;
			}
		}
		struct hh_walk_entry we = { .path = path, .depth = w->depth,
					    .size = archive_entry_size_is_set(e) && archive_entry_size(e) > 0
							    ? (uint64_t)archive_entry_size(e)
							    : 0 };
		const char *hl = archive_entry_hardlink(e), *sl = archive_entry_symlink(e);
		mode_t ft = archive_entry_filetype(e);
		if (hl) {
			we.type = HH_WALK_HARDLINK;
			if (hl[0] == '/' || has_dotdot(hl))
				werr(w, raw, "hard link target %s leaves the archive root", hl);
			snprintf(link, sizeof(link), "%s", hl);
			we.link = link;
		} else if (ft == AE_IFLNK) {
			we.type = HH_WALK_SYMLINK;
			snprintf(link, sizeof(link), "%s", sl ? sl : "");
			we.link = link;
			strset_add(&w->links, norm);
		} else if (ft == AE_IFDIR) {
			we.type = HH_WALK_DIR;
		} else if (ft == AE_IFREG) {
			we.type = HH_WALK_FILE;
		} else {
			we.type = HH_WALK_OTHER;
		}
		if (we.type == HH_WALK_FILE) {
			size_t len;
			bool cut;
			if (read_data(a, w, path, we.size, &len, &cut) < 0) {
				/* what was read is still scanned */
				we.data = w->buf;
				we.len = len;
				if (len && w->cb->entry)
					w->cb->entry(w->cb->user, &we);
				fatal = 1;
				break;
			}
			we.data = w->buf;
			we.len = len;
			we.cut = cut;
			if (cut)
				werr(w, raw, "file of %llu bytes is larger than scan.max_file_bytes (%llu): only the first part was scanned",
				     (unsigned long long)we.size, (unsigned long long)w->lim->max_file_bytes);
		}
		bool archive = we.type == HH_WALK_FILE && we.len && hh_looks_archive(we.data, we.len);
		bool nested = archive && w->depth < w->lim->max_depth;
		we.opened = nested;
		bool skip_open = false;
		we.skip_open = nested ? &skip_open : NULL;
		we.take = we.type == HH_WALK_FILE && we.len && !nested ? &w->buf : NULL;
		if (we.take && w->cap - we.len > (1u << 20)) {
			/* a declared size far over the bytes read: keep no idle megabytes */
			uint8_t *nb = realloc(w->buf, we.len);
			if (nb) {
				w->buf = nb;
				w->cap = we.len;
				we.data = nb;
			}
		}
		if (w->cb->entry)
			w->cb->entry(w->cb->user, &we);
		if (!w->buf)
			w->cap = 0; /* the callback kept the buffer */
		if (nested && !skip_open) {
			/* The nested walk needs its own buffer: hand ours over. */
			uint8_t *inner = w->buf;
			size_t inner_len = we.len;
			w->buf = NULL;
			w->cap = 0;
			char nprefix[4200];
			snprintf(nprefix, sizeof(nprefix), "%s!/", path);
			int inner_errors = hh_walk_memory(inner, inner_len, w->label, nprefix, w->depth + 1, w->lim, w->b, w->cb);
			w->errors += inner_errors;
			free(inner);
			if (w->cb->opened_done)
				w->cb->opened_done(w->cb->user, path, w->depth, inner_errors);
		} else if (archive && !nested && w->lim->max_depth > 0) {
			werr(w, raw, "nested archive deeper than scan.max_depth (%d): not opened", w->lim->max_depth);
		}
		if (w->b->exhausted)
			break;
	}
	return fatal;
}

static struct archive *new_reader(bool nested)
{
	struct archive *a = archive_read_new();
	if (!a)
		return NULL;
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (nested) {
		archive_read_support_format_zip(a);
		archive_read_support_format_cpio(a);
		archive_read_support_format_raw(a);
	}
	return a;
}

static int finish(struct walk *w, struct archive *a)
{
	strset_free(&w->links);
	free(w->buf);
	archive_read_free(a);
	hh_gz_free(w->gz);
	w->gz = NULL;
	return w->errors;
}

struct blob_reader {
	const struct hh_blob_src *src;
	uint64_t off, end;
	uint8_t buf[1 << 20];
};

static la_ssize_t blob_read_cb(struct archive *a, void *user, const void **out)
{
	struct blob_reader *br = user;
	size_t n = sizeof(br->buf);
	if (br->end - br->off < n)
		n = (size_t)(br->end - br->off);
	if (!n)
		return 0;
	long long r = hh_blob_read(br->src, br->off, br->buf, n);
	if (r < 0) {
		archive_set_error(a, errno, "read error at offset %llu: %s", (unsigned long long)br->off, strerror(errno));
		return -1;
	}
	br->off += (uint64_t)r;
	*out = br->buf;
	return (la_ssize_t)r;
}

/* libarchive reads the plain stream out of our gzip decoder. */
static la_ssize_t gz_read_cb(struct archive *a, void *user, const void **out)
{
	const uint8_t *b = NULL;
	long long r = hh_gz_read(user, &b);
	if (r < 0) {
		archive_set_error(a, EINVAL, "%s", hh_gz_error(user));
		return -1;
	}
	*out = b;
	return (la_ssize_t)r;
}

static long long blob_pull(void *user, const uint8_t **out)
{
	struct blob_reader *br = user;
	size_t n = sizeof(br->buf);
	if (br->end - br->off < n)
		n = (size_t)(br->end - br->off);
	if (!n)
		return 0;
	long long r = hh_blob_read(br->src, br->off, br->buf, n);
	if (r < 0)
		return -1;
	br->off += (uint64_t)r;
	*out = br->buf;
	return r;
}

struct mem_reader {
	const uint8_t *p;
	size_t left;
};

static long long mem_pull(void *user, const uint8_t **out)
{
	struct mem_reader *m = user;
	size_t n = m->left < (1u << 30) ? m->left : (1u << 30);
	*out = m->p;
	m->p += n;
	m->left -= n;
	return (long long)n;
}

int hh_walk_blob(const struct hh_blob_src *src, uint64_t off, uint64_t size, const char *label,
		 const struct hh_scan_limits *lim, struct hh_walk_budget *b, const struct hh_walk_cb *cb)
{
	struct walk w = { .label = label, .prefix = "", .depth = 0, .lim = lim, .b = b, .cb = cb, .src_bytes = size };
	struct archive *a = new_reader(false);
	struct blob_reader *br = malloc(sizeof(*br));
	if (!a || !br) {
		free(br);
		if (a)
			archive_read_free(a);
		werr(&w, "", "out of memory");
		return w.errors;
	}
	br->src = src;
	br->off = off;
	br->end = off + size;
	uint8_t magic[2];
	if (size >= 2 && hh_blob_read(src, off, magic, 2) == 2 && hh_gz_magic(magic, 2))
		w.gz = hh_gz_new(blob_pull, br);
	int rc = w.gz ? archive_read_open(a, w.gz, NULL, gz_read_cb, NULL)
		      : archive_read_open(a, br, NULL, blob_read_cb, NULL);
	if (rc != ARCHIVE_OK) {
		werr(&w, "", "not a readable layer: %s", archive_error_string(a) ? archive_error_string(a) : "unknown format");
	} else {
		walk_archive(a, &w);
	}
	int errors = finish(&w, a);
	free(br);
	return errors;
}

int hh_walk_memory(const uint8_t *buf, size_t len, const char *label, const char *prefix, int depth,
		   const struct hh_scan_limits *lim, struct hh_walk_budget *b, const struct hh_walk_cb *cb)
{
	struct walk w = { .label = label, .prefix = prefix, .depth = depth, .lim = lim, .b = b, .cb = cb, .src_bytes = len };
	struct archive *a = new_reader(depth > 0);
	if (!a) {
		werr(&w, "", "out of memory");
		return w.errors;
	}
	struct mem_reader mr = { buf, len };
	if (hh_gz_magic(buf, len))
		w.gz = hh_gz_new(mem_pull, &mr);
	int rc = w.gz ? archive_read_open(a, w.gz, NULL, gz_read_cb, NULL) : archive_read_open_memory(a, buf, len);
	if (rc != ARCHIVE_OK) {
		werr(&w, prefix, "not a readable archive: %s",
		     archive_error_string(a) ? archive_error_string(a) : "unknown format");
	} else {
		walk_archive(a, &w);
	}
	return finish(&w, a);
}
