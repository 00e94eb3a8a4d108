/* Terminal escaping (see escape.h). */
#include "core/escape.h"

#include <stdio.h>
#include <string.h>

static bool c1_at(const unsigned char *p) { return p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f; }

bool hh_escape_needed(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || c1_at(p))
			return true;
	return false;
}

const char *hh_escape_terminal(const char *s, char *out, size_t n)
{
	if (!n)
		return out;
	size_t w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		size_t l;
		if (*p == '\n')
			l = (size_t)snprintf(esc, sizeof(esc), "\\n");
		else if (*p == '\r')
			l = (size_t)snprintf(esc, sizeof(esc), "\\r");
		else if (*p == '\t')
			l = (size_t)snprintf(esc, sizeof(esc), "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			l = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", *p);
		else if (c1_at(p)) {
			l = (size_t)snprintf(esc, sizeof(esc), "\\u00%02x", p[1]);
			p++;
		} else {
			esc[0] = (char)*p;
			l = 1;
		}
		if (w + l >= n)
			break;
		memcpy(out + w, esc, l);
		w += l;
	}
	out[w] = 0;
	return out;
}
