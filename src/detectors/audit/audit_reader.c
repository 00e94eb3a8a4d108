/* The audit input reader: finds top-level JSON values in a byte stream
 * (one per line, pretty-printed, concatenated), parses each with jansson and
 * hands events on: an EventList's items or a JSON array's elements one by one.
 *
 * Recovery: a line that is not JSON is reported and skipped; a value broken
 * by a newline inside a string, or one that fails to parse, is reported at
 * its first line and the lines after it are re-read one by one, so one
 * truncated line in a log of one event per line costs that line only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "detectors/audit/audit_internal.h"

static void input_error(struct hh_audit *a, const char *name, unsigned line, const char *msg)
{
	fprintf(stderr, "hashhound audit-log: %s:%u: %s\n", name, line, msg);
	a->st.errors++;
}

static void dispatch(struct hh_audit *a, const json_t *v, const char *name, unsigned line)
{
	a->st.values++;
	const char *kind = json_string_value(json_object_get(v, "kind"));
	const json_t *items = json_object_get(v, "items");
	if (kind && strcmp(kind, "EventList") == 0 && json_is_array(items)) {
		size_t i;
		const json_t *it;
		json_array_foreach(items, i, it)
			hh_audit_event(a, it, name, line);
		return;
	}
	if (json_is_array(v)) {
		size_t i;
		const json_t *it;
		json_array_foreach(v, i, it)
			hh_audit_event(a, it, name, line);
		return;
	}
	hh_audit_event(a, v, name, line);
}

static void parse_lines_one_by_one(struct hh_audit *a, const char *buf, size_t len, const char *name,
				   unsigned first_line);

/* Parses one complete value; on failure re-reads its lines after the first. */
static void parse_value(struct hh_audit *a, const char *buf, size_t len, const char *name, unsigned line,
			bool retry)
{
	json_error_t jerr;
	json_t *v = json_loadb(buf, len, 0, &jerr);
	if (v) {
		dispatch(a, v, name, line);
		json_decref(v);
		return;
	}
	char msg[300];
	snprintf(msg, sizeof(msg), "malformed JSON (%s, at line %d of the value)", jerr.text, jerr.line);
	input_error(a, name, line, msg);
	const char *nl = memchr(buf, '\n', len);
	if (retry && nl)
		parse_lines_one_by_one(a, nl + 1, len - (size_t)(nl + 1 - buf), name, line + 1);
}

static void parse_lines_one_by_one(struct hh_audit *a, const char *buf, size_t len, const char *name,
				   unsigned first_line)
{
	unsigned line = first_line;
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t s = 0;
		while (s < ll && (p[s] == ' ' || p[s] == '\t' || p[s] == '\r'))
			s++;
		if (s < ll && p[s] == '{')
			parse_value(a, p + s, ll - s, name, line, false);
		p = nl ? nl + 1 : end;
		line++;
	}
}

static int append(struct hh_audit *a, char c)
{
	if (a->len + 1 >= a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64 * 1024;
		if (cap > a->max_value_bytes + 1)
			cap = a->max_value_bytes + 1;
		if (a->len + 1 >= cap)
			return -1;
		char *nb = realloc(a->buf, cap);
		if (!nb)
			return -1;
		a->buf = nb;
		a->cap = cap;
	}
	a->buf[a->len++] = c;
	return 0;
}

/* Appends a run of plain bytes; -1 past audit.max_value_bytes. */
static int append_run(struct hh_audit *a, const char *p, size_t n)
{
	if (a->len + n + 1 > a->cap) {
		size_t cap = a->cap ? a->cap : 64 * 1024;
		while (cap < a->len + n + 1)
			cap *= 2;
		if (cap > a->max_value_bytes + 1)
			cap = a->max_value_bytes + 1;
		if (a->len + n + 1 > cap)
			return -1;
		char *nb = realloc(a->buf, cap);
		if (!nb)
			return -1;
		a->buf = nb;
		a->cap = cap;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
	return 0;
}

/* Bytes the scanner must look at one by one, outside and inside strings. */
static const unsigned char special_out[256] = { ['{'] = 1, ['}'] = 1, ['['] = 1, [']'] = 1, ['"'] = 1, ['\n'] = 1 };
static const unsigned char special_in[256] = { ['"'] = 1, ['\\'] = 1, ['\n'] = 1 };

static void reset_value(struct hh_audit *a)
{
	a->len = 0;
	a->depth = 0;
	a->in_str = a->esc = a->skipping = a->line_start = false;
}

static void feed(struct hh_audit *a, const char *data, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		/* Fast path: inside a value, copy runs of plain bytes at once. */
		if (a->depth > 0 && !a->skip_line && !a->line_start && !a->esc) {
			const unsigned char *t = a->in_str ? special_in : special_out;
			size_t j = i;
			while (j < n && !t[(unsigned char)data[j]])
				j++;
			if (j > i) {
				if (!a->skipping && append_run(a, data + i, j - i) < 0) {
					char msg[128];
					snprintf(msg, sizeof(msg), "JSON value larger than audit.max_value_bytes (%zu): skipped",
						 a->max_value_bytes);
					input_error(a, name, a->start_line, msg);
					a->skipping = true;
				}
				i = j;
				if (i == n)
					break;
			}
		}
		char c = data[i];
		if (a->skip_line) {  /* garbage outside a value: drop the rest of the line */
			if (c == '\n') {
				a->skip_line = false;
				a->line++;
			}
			continue;
		}
		if (a->depth == 0) {
			a->line_start = false;
			if (c == '\n') {
				a->line++;
				continue;
			}
			if (c == ' ' || c == '\t' || c == '\r' || c == ',')
				continue;
			if (c != '{' && c != '[') {
				char msg[64];
				snprintf(msg, sizeof(msg), "not JSON (unexpected '%c')", c >= 32 && c < 127 ? c : '?');
				input_error(a, name, a->line, msg);
				a->skip_line = true;
				continue;
			}
			a->start_line = a->line;
			a->len = 0;
			a->skipping = false;
			a->open_char = c;
		}
		/* A '{' in column 0 inside an open object: pretty printers indent nested
		 * lines, so this is the next event of a one-per-line log and the open
		 * value was cut short. (Inside an array, '{' in column 0 is a plain
		 * element layout.) Report it, salvage its lines, start afresh. */
		if (a->line_start && c == '{' && !a->in_str && a->open_char == '{') {
			input_error(a, name, a->start_line, "unterminated JSON value (next line starts a new one)");
			const char *nl = a->skipping ? NULL : memchr(a->buf, '\n', a->len);
			if (nl)
				parse_lines_one_by_one(a, nl + 1, a->len - (size_t)(nl + 1 - a->buf), name,
						       a->start_line + 1);
			reset_value(a);
			a->start_line = a->line;
			a->open_char = '{';
		}
		a->line_start = c == '\n';
		if (c == '\n') {
			a->line++;
			if (a->in_str) {  /* JSON strings hold no raw newline: the value was cut short */
				if (!a->skipping) {
					input_error(a, name, a->start_line, "truncated or malformed JSON value (newline inside a string)");
				}
				reset_value(a);
				continue;
			}
		}
		if (!a->skipping && append(a, c) < 0) {
			char msg[128];
			snprintf(msg, sizeof(msg), "JSON value larger than audit.max_value_bytes (%zu): skipped",
				 a->max_value_bytes);
			input_error(a, name, a->start_line, msg);
			a->skipping = true;
		}
		if (a->in_str) {
			if (a->esc)
				a->esc = false;
			else if (c == '\\')
				a->esc = true;
			else if (c == '"')
				a->in_str = false;
			continue;
		}
		if (c == '"') {
			a->in_str = true;
		} else if (c == '{' || c == '[') {
			a->depth++;
		} else if (c == '}' || c == ']') {
			if (--a->depth == 0) {
				if (!a->skipping)
					parse_value(a, a->buf, a->len, name, a->start_line, true);
				reset_value(a);
			}
		}
	}
}

static void finish(struct hh_audit *a, const char *name)
{
	if (a->depth > 0) {
		input_error(a, name, a->start_line, "input ends inside a JSON value (truncated)");
		/* Lines of a truncated trailing value may still be whole events. */
		const char *nl = a->len ? memchr(a->buf, '\n', a->len) : NULL;
		if (!a->skipping && nl)
			parse_lines_one_by_one(a, nl + 1, a->len - (size_t)(nl + 1 - a->buf), name, a->start_line + 1);
	}
	reset_value(a);
	a->skip_line = false;
}

size_t hh_audit_read_buf(struct hh_audit *a, const char *buf, size_t len, const char *name)
{
	size_t before = a->st.errors;
	a->line = 1;
	reset_value(a);
	feed(a, buf, len, name);
	finish(a, name);
	return a->st.errors - before;
}

size_t hh_audit_read_file(struct hh_audit *a, FILE *fp, const char *name)
{
	size_t before = a->st.errors;
	a->line = 1;
	reset_value(a);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		feed(a, chunk, n, name);
	if (ferror(fp))
		input_error(a, name, a->line, "read error");
	finish(a, name);
	return a->st.errors - before;
}
