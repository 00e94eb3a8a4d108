#include "sources/procfs/procfs_parse.h"

#include <stdlib.h>
#include <string.h>

int hh_proc_stat_parse(const char *buf, struct hh_proc_stat *st)
{
	memset(st, 0, sizeof(*st));
	const char *lp = strchr(buf, '(');
	const char *rp = strrchr(buf, ')');
	if (!lp || !rp || rp < lp)
		return -1;
	size_t cn = (size_t)(rp - lp - 1);
	if (cn >= sizeof(st->comm))
		cn = sizeof(st->comm) - 1;
	memcpy(st->comm, lp + 1, cn);
	st->comm[cn] = '\0';
	/* fields after ')': state(3) ppid(4) ... starttime(22) */
	const char *s = rp + 1;
	int field = 2;
	while (*s && field < 22) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		field++;
		char *end;
		if (field == 4)
			st->ppid = (int)strtol(s, &end, 10);
		else if (field == 22)
			st->starttime = strtoull(s, &end, 10);
		while (*s && *s != ' ')
			s++;
	}
	return field >= 4 ? 0 : -1;
}

/* Decodes mountinfo's octal escapes (\040 for space ...) in place. */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
		    r[3] <= '7') {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

int hh_mountinfo_root_upperdir(char *text, char *out, size_t n)
{
	if (!n)
		return -1;
	out[0] = '\0';
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* id parent maj:min root mountpoint opts [optional...] - fstype source superopts */
		char *f[6];
		char *s = line;
		int k = 0;
		for (; k < 6 && s; k++) {
			f[k] = s;
			s = strchr(s, ' ');
			if (s)
				*s++ = '\0';
		}
		if (k < 6 || !s || strcmp(f[4], "/") != 0)
			continue;
		char *dash = strncmp(s, "- ", 2) == 0 ? s : strstr(s, " - ");
		if (!dash)
			continue;
		if (dash != s)
			dash++;
		char *fstype = dash + 2;
		char *src = strchr(fstype, ' ');
		if (!src)
			continue;
		*src++ = '\0';
		if (strcmp(fstype, "overlay") != 0)
			continue;
		char *opts = strchr(src, ' ');
		if (!opts)
			continue;
		opts++;
		/* the option must start at the beginning or after a comma */
		char *u = opts;
		while ((u = strstr(u, "upperdir=")) != NULL && u != opts && u[-1] != ',')
			u++;
		if (!u)
			continue;
		u += 9;
		size_t ul = strcspn(u, ",");
		if (ul >= n)
			continue;
		memcpy(out, u, ul);
		out[ul] = '\0';
		unescape(out);
	}
	return out[0] ? 0 : -1;
}
