/* Plain tar index (see tar_index.h). */
#include "sources/image/tar_index.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

long long hh_blob_read(const struct hh_blob_src *s, uint64_t off, void *buf, size_t n)
{
	if (off >= s->size)
		return 0;
	if (n > s->size - off)
		n = (size_t)(s->size - off);
	if (s->mem) {
		memcpy(buf, s->mem + off, n);
		return (long long)n;
	}
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(s->fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (long long)got;
}

static bool parse_num(const uint8_t *f, size_t n, uint64_t *out)
{
	if (f[0] & 0x80) { /* base-256 (GNU) */
		uint64_t v = f[0] & 0x3f;
		for (size_t i = 1; i < n; i++) {
			if (v >> 55)
				return false;
			v = (v << 8) | f[i];
		}
		*out = v;
		return true;
	}
	uint64_t v = 0;
	size_t i = 0;
	while (i < n && (f[i] == ' ' || f[i] == 0))
		i++;
	bool any = false;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return false;
		v = v * 8 + (uint64_t)(f[i] - '0');
		any = true;
	}
	for (; i < n; i++)
		if (f[i] != ' ' && f[i] != 0)
			return false;
	*out = any ? v : 0;
	return true;
}

bool hh_tar_header_valid(const uint8_t *blk)
{
	uint64_t want;
	if (!parse_num(blk + 148, 8, &want))
		return false;
	uint64_t sum = 0;
	for (int i = 0; i < 512; i++)
		sum += (i >= 148 && i < 156) ? ' ' : blk[i];
	return sum == want && sum != 8 * ' ';
}

static bool all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static char *field_str(const uint8_t *f, size_t n)
{
	size_t l = 0;
	while (l < n && f[l])
		l++;
	char *s = malloc(l + 1);
	if (s) {
		memcpy(s, f, l);
		s[l] = 0;
	}
	return s;
}

/* pax records "LEN key=value\n" (LEN counts the whole record, its own
 * digits and the newline included): takes path and size. Returns false with
 * *bad set to the offset of the first malformed record within p. */
static bool parse_pax(const char *p, size_t n, char **path, uint64_t *size, bool *have_size, size_t *bad)
{
	size_t i = 0;
	while (i < n) {
		size_t len = 0, j = i;
		*bad = i;
		while (j < n && p[j] >= '0' && p[j] <= '9' && len <= n)
			len = len * 10 + (size_t)(p[j++] - '0');
		/* the record holds its digits, a space and at least the newline */
		if (j == i || j >= n || p[j] != ' ' || len > n - i || len < (j - i) + 2 || p[i + len - 1] != '\n')
			return false;
		const char *kv = p + j + 1, *end = p + i + len - 1; /* end at '\n', kv <= end */
		const char *eq = memchr(kv, '=', (size_t)(end - kv));
		if (eq) {
			size_t kl = (size_t)(eq - kv), vl = (size_t)(end - eq - 1);
			if (kl == 4 && !memcmp(kv, "path", 4)) {
				free(*path);
				*path = strndup(eq + 1, vl);
			} else if (kl == 4 && !memcmp(kv, "size", 4)) {
				char tmp[32];
				if (vl < sizeof(tmp)) {
					memcpy(tmp, eq + 1, vl);
					tmp[vl] = 0;
					*size = strtoull(tmp, NULL, 10);
					*have_size = true;
				}
			}
		}
		i += len;
	}
	return true;
}

static const char *strip_dot(const char *s)
{
	while (s[0] == '.' && s[1] == '/')
		s += 2;
	return s;
}

#define MAX_META (1u << 20) /* pax / long-name payloads */

int hh_tar_index_build(const struct hh_blob_src *src, size_t max_entries, struct hh_tar_index *idx, char *err,
		       size_t errlen)
{
	memset(idx, 0, sizeof(*idx));
	uint8_t blk[512];
	uint64_t off = 0;
	char *long_name = NULL, *pax_path = NULL;
	uint64_t pax_size = 0;
	bool have_pax_size = false;
	int rc = 0;
	for (;;) {
		long long r = hh_blob_read(src, off, blk, 512);
		if (r < 0) {
			snprintf(err, errlen, "read error at offset %llu: %s", (unsigned long long)off, strerror(errno));
			rc = -1;
			break;
		}
		if (r == 0 && off > 0)
			break; /* end without the zero blocks: tolerated */
		if (r < 512) {
			snprintf(err, errlen, "truncated tar header at offset %llu", (unsigned long long)off);
			rc = off ? -1 : 1;
			break;
		}
		if (all_zero(blk, 512))
			break;
		if (!hh_tar_header_valid(blk)) {
			snprintf(err, errlen, "invalid tar header (checksum) at offset %llu", (unsigned long long)off);
			rc = off ? -1 : 1;
			break;
		}
		uint64_t size;
		if (!parse_num(blk + 124, 12, &size)) {
			snprintf(err, errlen, "invalid size field in tar header at offset %llu", (unsigned long long)off);
			rc = -1;
			break;
		}
		char type = blk[156] ? (char)blk[156] : '0';
		uint64_t data = off + 512;
		if (type == 'S' && blk[482]) {
			/* old GNU sparse: extension blocks of 21 map entries follow the header
			 * while their byte 504 (isextended) is set; the stored data comes after */
			uint8_t ext[512];
			do {
				if (hh_blob_read(src, data, ext, 512) != 512) {
					snprintf(err, errlen, "truncated GNU sparse extension block at offset %llu",
						 (unsigned long long)data);
					rc = -1;
					break;
				}
				data += 512;
			} while (ext[504]);
			if (rc)
				break;
		}
		if (type == 'x' || type == 'L') {
			if (size > MAX_META) {
				snprintf(err, errlen, "%s header of %llu bytes at offset %llu over the limit",
					 type == 'x' ? "pax" : "long-name", (unsigned long long)size, (unsigned long long)off);
				rc = -1;
				break;
			}
			char *meta = malloc((size_t)size + 1);
			if (!meta || hh_blob_read(src, data, meta, (size_t)size) != (long long)size) {
				free(meta);
				snprintf(err, errlen, "truncated %s header data at offset %llu", type == 'x' ? "pax" : "long-name",
					 (unsigned long long)data);
				rc = -1;
				break;
			}
			meta[size] = 0;
			if (type == 'L') {
				free(long_name);
				long_name = meta;
			} else {
				size_t bad = 0;
				bool ok = parse_pax(meta, (size_t)size, &pax_path, &pax_size, &have_pax_size, &bad);
				free(meta);
				if (!ok) {
					snprintf(err, errlen,
						 "malformed pax record at offset %llu (pax header at offset %llu): "
						 "record length shorter than its prefix, past the header, or not ending in a newline",
						 (unsigned long long)(data + bad), (unsigned long long)off);
					rc = -1;
					break;
				}
			}
		} else if (type != 'g' && type != 'K') {
			if (have_pax_size)
				size = pax_size;
			char *name = NULL;
			if (pax_path)
				name = strdup(strip_dot(pax_path));
			else if (long_name)
				name = strdup(strip_dot(long_name));
			else {
				char *n = field_str(blk, 100);
				char *pre = field_str(blk + 345, 155);
				bool ustar = !memcmp(blk + 257, "ustar\0", 6);
				if (n && pre && ustar && pre[0]) {
					size_t l = strlen(pre) + strlen(n) + 2;
					name = malloc(l);
					if (name)
						snprintf(name, l, "%s/%s", pre, n);
				} else if (n) {
					name = strdup(n);
				}
				free(pre);
				if (name && name != n) {
					char *s = strdup(strip_dot(name));
					free(name);
					name = s;
				}
				free(n);
			}
			free(long_name);
			free(pax_path);
			long_name = pax_path = NULL;
			have_pax_size = false;
			if (!name) {
				snprintf(err, errlen, "out of memory");
				rc = -1;
				break;
			}
			if (idx->n >= max_entries) {
				free(name);
				snprintf(err, errlen, "more than %zu entries (scan.max_entries)", max_entries);
				rc = -1;
				break;
			}
			if (idx->n == idx->cap) {
				size_t nc = idx->cap ? idx->cap * 2 : 64;
				struct hh_tar_entry *ne = realloc(idx->e, nc * sizeof(*ne));
				if (!ne) {
					free(name);
					snprintf(err, errlen, "out of memory");
					rc = -1;
					break;
				}
				idx->e = ne;
				idx->cap = nc;
			}
			/* sparse members store their (compacted) data: skipped, not indexed as content */
			uint64_t dsize = (type == '0' || type == '7') ? size : 0;
			uint64_t skip = (type == '0' || type == '7' || type == 'S') ? size : 0;
			idx->e[idx->n++] = (struct hh_tar_entry){ name, data, dsize, type };
			if (data > src->size || skip > src->size - data) {
				snprintf(err, errlen, "entry %s: data truncated (%llu bytes declared, file ends at %llu)", name,
					 (unsigned long long)skip, (unsigned long long)src->size);
				rc = -1;
				break;
			}
			size = skip;
		}
		uint64_t adv = (size + 511) & ~(uint64_t)511;
		if (adv < size || data + adv < data) {
			snprintf(err, errlen, "size overflow at offset %llu", (unsigned long long)off);
			rc = -1;
			break;
		}
		off = data + adv;
	}
	free(long_name);
	free(pax_path);
	return rc;
}

void hh_tar_index_free(struct hh_tar_index *idx)
{
	for (size_t i = 0; i < idx->n; i++)
		free(idx->e[i].name);
	free(idx->e);
	memset(idx, 0, sizeof(*idx));
}

const struct hh_tar_entry *hh_tar_index_find(const struct hh_tar_index *idx, const char *name)
{
	name = strip_dot(name);
	for (size_t i = idx->n; i-- > 0;)
		if (!strcmp(idx->e[i].name, name))
			return &idx->e[i];
	return NULL;
}
