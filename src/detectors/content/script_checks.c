/* Dropper and persistence checks (see script_checks.h). */
#include "detectors/content/script_checks.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

enum hh_persist_kind hh_persist_kind(const char *path)
{
	while (*path == '/')
		path++;
	if (!strcmp(path, "etc/crontab") || starts(path, "etc/cron.d/") || starts(path, "etc/cron.hourly/") ||
	    starts(path, "etc/cron.daily/") || starts(path, "etc/cron.weekly/") || starts(path, "etc/cron.monthly/") ||
	    starts(path, "var/spool/cron/") || starts(path, "etc/anacrontab"))
		return HH_PERSIST_CRON;
	if (starts(path, "etc/systemd/system/") || starts(path, "lib/systemd/system/") ||
	    starts(path, "usr/lib/systemd/system/") || starts(path, "etc/systemd/user/")) {
		const char *dot = strrchr(path, '.');
		if (dot && (!strcmp(dot, ".service") || !strcmp(dot, ".timer") || !strcmp(dot, ".path") ||
			    !strcmp(dot, ".socket")))
			return HH_PERSIST_SYSTEMD;
		return HH_PERSIST_NONE;
	}
	if (!strcmp(path, "etc/rc.local") || starts(path, "etc/init.d/") || starts(path, "etc/rc.d/") ||
	    (starts(path, "etc/rc") && strstr(path, ".d/")) || starts(path, "etc/local.d/"))
		return HH_PERSIST_RC;
	if (starts(path, "etc/profile.d/") || !strcmp(path, "etc/profile") || !strcmp(path, "etc/bash.bashrc") ||
	    !strcmp(path, "root/.bashrc") || !strcmp(path, "root/.profile") || strstr(path, "/.bashrc") ||
	    !strcmp(path, "etc/ld.so.preload"))
		return HH_PERSIST_PROFILE;
	return HH_PERSIST_NONE;
}

const char *hh_persist_name(enum hh_persist_kind k)
{
	switch (k) {
	case HH_PERSIST_CRON: return "cron";
	case HH_PERSIST_SYSTEMD: return "systemd";
	case HH_PERSIST_RC: return "rc";
	case HH_PERSIST_PROFILE: return "profile";
	default: return "none";
	}
}

/* word at s[i..] bounded by non-word characters */
static bool word_at(const char *s, size_t len, size_t i, const char *w)
{
	if (i >= len || s[i] != w[0])
		return false;
	size_t n = strlen(w);
	if (i + n > len || memcmp(s + i, w, n))
		return false;
	if (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_' || s[i - 1] == '-'))
		return false;
	if (i + n < len && (isalnum((unsigned char)s[i + n]) || s[i + n] == '_'))
		return false;
	return true;
}

static const char *const shells[] = { "sh", "bash", "dash", "ash", "zsh", "ksh", "busybox", "python", "python3",
				       "perl" };

/* After a '|' at p: optional spaces, optional sudo/env, optional path, then a shell word. */
static bool shell_after_pipe(const char *s, size_t len, size_t p)
{
	size_t i = p + 1;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (int k = 0; k < 2; k++) {
		if (word_at(s, len, i, "sudo") || word_at(s, len, i, "env")) {
			i += s[i] == 's' ? 4 : 3;
			while (i < len && (s[i] == ' ' || s[i] == '\t'))
				i++;
		}
	}
	/* /bin/sh, /usr/bin/env bash ... : skip to the last path component */
	size_t j = i;
	while (j < len && !isspace((unsigned char)s[j]) && s[j] != ';' && s[j] != '|')
		j++;
	size_t base = i;
	for (size_t k = i; k < j; k++)
		if (s[k] == '/')
			base = k + 1;
	for (size_t k = 0; k < sizeof(shells) / sizeof(shells[0]); k++)
		if (word_at(s, len, base, shells[k]))
			return true;
	return false;
}

static void copy_line(struct hh_dropper *out, const char *s, size_t n)
{
	size_t k = n < sizeof(out->line) - 1 ? n : sizeof(out->line) - 1;
	for (size_t i = 0; i < k; i++)
		out->line[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? ' ' : s[i];
	out->line[k] = 0;
}

/* sh -c "$(curl ...)", bash <(wget ...), sh -c `curl ...`: a shell word, its
 * options, then a substitution whose first word is a download tool. The
 * parts must sit together: a minified script that holds "fetch", a backtick
 * and the word "sh" somewhere on one long line is not a dropper. */
static bool shell_runs_download(const char *s, size_t n, size_t i)
{
	for (size_t k = 0; k < sizeof(shells) / sizeof(shells[0]); k++) {
		if (!word_at(s, n, i, shells[k]))
			continue;
		size_t p = i + strlen(shells[k]);
		for (int opts = 0; opts < 4; opts++) { /* options: -c, -s, -x, --login ... */
			while (p < n && (s[p] == ' ' || s[p] == '\t'))
				p++;
			if (p < n && s[p] == '-')
				while (p < n && s[p] != ' ' && s[p] != '\t')
					p++;
			else
				break;
		}
		if (p < n && (s[p] == '"' || s[p] == '\''))
			p++;
		if (p + 1 < n && (s[p] == '$' || s[p] == '<') && s[p + 1] == '(')
			p += 2;
		else if (p < n && s[p] == '`')
			p++;
		else
			return false;
		while (p < n && (s[p] == ' ' || s[p] == '\t'))
			p++;
		/* an absolute tool path: /usr/bin/curl */
		size_t q = p;
		while (q < n && s[q] != ' ' && s[q] != '\t' && s[q] != ')' && s[q] != '`')
			q++;
		for (size_t b = q; b > p; b--)
			if (s[b - 1] == '/') {
				p = b;
				break;
			}
		return word_at(s, n, p, "curl") || word_at(s, n, p, "wget") || word_at(s, n, p, "fetch") ||
		       word_at(s, n, p, "tftp");
	}
	return false;
}

#define PIPE_REACH 2048 /* a pipe this far after the download word belongs to another command */

static bool line_is_dropper(const char *s, size_t n, const char **kind)
{
	bool dl = false, b64 = false;
	size_t last_tool = 0;
	for (size_t i = 0; i < n; i++) {
		if (word_at(s, n, i, "curl") || word_at(s, n, i, "wget") || word_at(s, n, i, "fetch") ||
		    word_at(s, n, i, "tftp")) {
			dl = true;
			last_tool = i;
		} else if (word_at(s, n, i, "base64") && i + 10 < n &&
			   (!memcmp(s + i + 6, " -d", 3) || !memcmp(s + i + 6, " --decode", 9) ||
			    !memcmp(s + i + 6, " -D", 3))) {
			b64 = true;
			last_tool = i;
		}
		if (s[i] == '|' && (i + 1 >= n || s[i + 1] != '|') && (dl || b64) && i - last_tool <= PIPE_REACH &&
		    shell_after_pipe(s, n, i)) {
			*kind = b64 && !dl ? "base64-pipe-shell" : "download-pipe-shell";
			return true;
		}
	}
	if (dl)
		for (size_t i = 0; i < n; i++)
			if (shell_runs_download(s, n, i)) {
				*kind = "download-exec-shell";
				return true;
			}
	return false;
}

/* Only lines that hold a download tool or base64 can be droppers: find those
 * words with memmem (fast on large text) and check just their lines. */
const char *const hh_dropper_keys[HH_DROPPER_N_KEYS] = { "curl", "wget", "fetch", "tftp", "base64" };

bool hh_find_dropper(const char *text, size_t len, struct hh_dropper *out)
{
	const char *const *keys = hh_dropper_keys;
	size_t best = SIZE_MAX;
	const char *best_kind = NULL;
	size_t best_start = 0, best_end = 0;
	for (size_t k = 0; k < HH_DROPPER_N_KEYS; k++) {
		size_t kl = strlen(keys[k]), pos = 0, checked_end = 0;
		while (pos < len) {
			const char *hit = memmem(text + pos, len - pos, keys[k], kl);
			if (!hit)
				break;
			size_t at = (size_t)(hit - text);
			if (at >= best)
				break; /* an earlier line already qualified */
			size_t start = at;
			while (start > 0 && text[start - 1] != '\n')
				start--;
			const char *nl = memchr(text + at, '\n', len - at);
			size_t end = nl ? (size_t)(nl - text) : len;
			const char *kind;
			if (end > checked_end && end - start >= 8 && line_is_dropper(text + start, end - start, &kind)) {
				best = start;
				best_kind = kind;
				best_start = start;
				best_end = end;
				break;
			}
			checked_end = end;
			pos = end + 1;
		}
	}
	if (!best_kind)
		return false;
	out->offset = best_start;
	out->kind = best_kind;
	copy_line(out, text + best_start, best_end - best_start);
	return true;
}

bool hh_find_dropper_at(const char *text, size_t len, const size_t *at, size_t n, bool complete,
			struct hh_dropper *out)
{
	size_t last_end = 0;
	bool checked = false;
	for (size_t i = 0; i < n; i++) {
		if (at[i] >= len || (checked && at[i] <= last_end))
			continue; /* on the line just checked */
		size_t start = at[i];
		while (start > 0 && text[start - 1] != '\n')
			start--;
		const char *nl = memchr(text + at[i], '\n', len - at[i]);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *kind;
		if (end - start >= 8 && line_is_dropper(text + start, end - start, &kind)) {
			out->offset = start;
			out->kind = kind;
			copy_line(out, text + start, end - start);
			return true;
		}
		checked = true;
		last_end = end;
	}
	/* only the first occurrences were listed: the lines after the last one
	 * listed are searched */
	size_t from = checked ? last_end + 1 : 0;
	if (complete || from >= len || !hh_find_dropper(text + from, len - from, out))
		return false;
	out->offset += from;
	return true;
}

size_t hh_persist_commands(enum hh_persist_kind kind, const char *text, size_t len, hh_cmd_cb cb, void *user)
{
	size_t count = 0, i = 0, line_no = 0;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *s = text + i;
		size_t n = end - i;
		line_no++;
		i = end + 1;
		while (n && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		if (!n || *s == '#')
			continue;
		if (kind == HH_PERSIST_CRON) {
			/* Skip VAR=value lines; the command follows 5 time fields (or @reboot ...),
			 * plus a user field in /etc/crontab-style files: take the rest after the
			 * time spec, the user name stays in the reported text. */
			size_t k = 0;
			while (k < n && s[k] != ' ' && s[k] != '\t' && s[k] != '=')
				k++;
			if (k < n && s[k] == '=')
				continue;
			int fields = s[0] == '@' ? 1 : 5;
			size_t p = 0;
			for (int f = 0; f < fields && p < n; f++) {
				while (p < n && s[p] != ' ' && s[p] != '\t')
					p++;
				while (p < n && (s[p] == ' ' || s[p] == '\t'))
					p++;
			}
			if (p < n) {
				cb(user, s + p, n - p, line_no);
				count++;
			}
		} else if (kind == HH_PERSIST_SYSTEMD) {
			static const char *const keys[] = { "ExecStart=", "ExecStartPre=", "ExecStartPost=", "ExecStop=",
							    "ExecReload=" };
			for (size_t k = 0; k < HH_DROPPER_N_KEYS; k++) {
				size_t kl = strlen(keys[k]);
				if (n > kl && !memcmp(s, keys[k], kl)) {
					cb(user, s + kl, n - kl, line_no);
					count++;
				}
			}
		} else {
			cb(user, s, n, line_no);
			count++;
		}
	}
	return count;
}

bool hh_cmd_runs_staged(const char *cmd, size_t len)
{
	static const char *const places[] = { "/tmp/", "/dev/shm/", "/var/tmp/", "/run/shm/" };
	for (size_t i = 0; i < len; i++) {
		for (size_t k = 0; k < sizeof(places) / sizeof(places[0]); k++) {
			size_t pl = strlen(places[k]);
			if (i + pl <= len && !memcmp(cmd + i, places[k], pl))
				return true;
		}
		/* a hidden path component that is executed: "/.x", "/..." */
		if (cmd[i] == '/' && i + 2 < len && cmd[i + 1] == '.' && cmd[i + 2] != '/' &&
		    (i == 0 || cmd[i - 1] != '.') && isalnum((unsigned char)cmd[i + 2]) && i > 0 && cmd[i - 1] != ' ')
			return true;
	}
	return false;
}
