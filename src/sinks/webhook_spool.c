#include "sinks/webhook_spool.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/finding.h"
#include "core/log.h"

#define POS_SAVE_EVERY 32

static off_t file_size(const char *path, ino_t *ino)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	if (ino)
		*ino = st.st_ino;
	return st.st_size;
}

static void save_pos(struct hh_spool *s)
{
	ino_t ino;
	if (s->off == 0 || file_size(s->path, &ino) < 0) {
		unlink(s->pos_path);
		return;
	}
	char tmp[1100];
	snprintf(tmp, sizeof(tmp), "%s.tmp", s->pos_path);
	FILE *fp = fopen(tmp, "w");
	if (!fp)
		return;
	fprintf(fp, "hashhound-spool-pos 1 %llu %lld\n", (unsigned long long)ino, (long long)s->off);
	if (fclose(fp) == 0)
		rename(tmp, s->pos_path);
	s->since_save = 0;
}

void hh_spool_init(struct hh_spool *s, const char *path, const char *dead_path, size_t max_bytes)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(s->pos_path, sizeof(s->pos_path), "%s.pos", path);
	if (dead_path && *dead_path)
		snprintf(s->dead_path, sizeof(s->dead_path), "%s", dead_path);
	else
		snprintf(s->dead_path, sizeof(s->dead_path), "%s.dead", path);
	s->max_bytes = max_bytes;
	/* A line cut by a crash mid-write is ended, so the next append does
	 * not glue a finding to it (the cut one is refused and dead-lettered). */
	FILE *sp = fopen(s->path, "r+");
	if (sp) {
		if (fseeko(sp, -1, SEEK_END) == 0 && fgetc(sp) != '\n' && fseeko(sp, 0, SEEK_END) == 0) {
			fputc('\n', sp);
			hh_warn("webhook: %s ended in a cut line (a crash while writing?); it will be refused", s->path);
		}
		fclose(sp);
	}
	FILE *fp = fopen(s->pos_path, "r");
	if (!fp)
		return;
	unsigned long long ino = 0;
	long long off = 0;
	int version = 0;
	ino_t cur;
	off_t size = file_size(s->path, &cur);
	if (fscanf(fp, "hashhound-spool-pos %d %llu %lld", &version, &ino, &off) == 3 && version == 1 && size >= 0 &&
	    (ino_t)ino == cur && off > 0 && off <= size) {
		s->off = (off_t)off;
		hh_info("webhook: spool %s resumes at byte %lld (delivered before the last stop)", s->path, off);
	} else {
		hh_warn("webhook: %s does not match the spool; resending it from the start", s->pos_path);
	}
	fclose(fp);
}

bool hh_spool_pending(const struct hh_spool *s)
{
	off_t size = file_size(s->path, NULL);
	return size > s->off;
}

static bool fits(const char *path, size_t max, size_t add)
{
	off_t size = file_size(path, NULL);
	return (size < 0 ? 0 : (size_t)size) + add <= max;
}

bool hh_spool_append(struct hh_spool *s, const char *line)
{
	size_t len = strlen(line);
	if (!fits(s->path, s->max_bytes, len + 1))
		return false;
	FILE *fp = fopen(s->path, "a");
	if (!fp)
		return false;
	fprintf(fp, "%s\n", line);
	return fclose(fp) == 0;
}

/* Copies path from byte from onward after head (may be NULL) into a new file
 * and renames it over path. */
static bool rewrite(struct hh_spool *s, const char *head, off_t from)
{
	char tmp[1100];
	snprintf(tmp, sizeof(tmp), "%s.tmp", s->path);
	FILE *out = fopen(tmp, "w");
	if (!out)
		return false;
	if (head)
		fprintf(out, "%s\n", head);
	FILE *in = fopen(s->path, "r");
	if (in) {
		if (fseeko(in, from, SEEK_SET) == 0) {
			char buf[65536];
			size_t n;
			while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
				fwrite(buf, 1, n, out);
		}
		fclose(in);
	}
	if (fclose(out) != 0 || rename(tmp, s->path) != 0) {
		unlink(tmp);
		return false;
	}
	s->off = 0;
	unlink(s->pos_path);
	s->since_save = 0;
	return true;
}

bool hh_spool_prepend(struct hh_spool *s, const char *line)
{
	off_t size = file_size(s->path, NULL);
	size_t rest = size > s->off ? (size_t)(size - s->off) : 0;
	if (rest + strlen(line) + 1 > s->max_bytes)
		return false;
	if (rest == 0) {
		unlink(s->path);
		s->off = 0;
		unlink(s->pos_path);
		return hh_spool_append(s, line);
	}
	return rewrite(s, line, s->off);
}

bool hh_spool_peek(const struct hh_spool *s, char **line, off_t *next)
{
	*line = NULL;
	FILE *fp = fopen(s->path, "r");
	if (!fp)
		return false;
	size_t cap = 0;
	ssize_t len = -1;
	if (fseeko(fp, s->off, SEEK_SET) == 0)
		len = getline(line, &cap, fp);
	bool ok = false;
	if (len > 0 && (*line)[len - 1] == '\n') { /* a line still being written has no newline yet */
		(*line)[len - 1] = '\0';
		*next = s->off + len;
		ok = true;
	}
	fclose(fp);
	if (!ok) {
		free(*line);
		*line = NULL;
	}
	return ok;
}

void hh_spool_advance(struct hh_spool *s, off_t next)
{
	s->off = next;
	if (++s->since_save >= POS_SAVE_EVERY)
		save_pos(s);
}

void hh_spool_compact(struct hh_spool *s)
{
	off_t size = file_size(s->path, NULL);
	if (size < 0) {
		s->off = 0;
		unlink(s->pos_path);
		return;
	}
	if (s->off == 0)
		return;
	if (size <= s->off) {
		unlink(s->path);
		unlink(s->pos_path);
		s->off = 0;
		s->since_save = 0;
		return;
	}
	if (!rewrite(s, NULL, s->off))
		save_pos(s); /* no space for a copy: keep the offset instead */
}

bool hh_spool_dead_letter(struct hh_spool *s, const char *finding_json, long status, const char *reason)
{
	char ts[40];
	hh_format_time(hh_now(), ts, sizeof(ts));
	json_error_t e;
	json_t *finding = json_loads(finding_json, 0, &e);
	json_t *j = json_pack("{s:s, s:I, s:s, s:o}", "time", ts, "status", (json_int_t)status, "reason", reason,
			      "finding", finding ? finding : json_string(finding_json));
	char *text = j ? json_dumps(j, HH_JSON_COMPACT) : NULL;
	json_decref(j);
	bool ok = false;
	if (text && fits(s->dead_path, s->max_bytes, strlen(text) + 1)) {
		FILE *fp = fopen(s->dead_path, "a");
		if (fp) {
			fprintf(fp, "%s\n", text);
			ok = fclose(fp) == 0;
		}
	}
	free(text);
	return ok;
}
