/* DNS query-name parser: see dns_name.h for the rules it enforces. */
#include "sources/sensor/dns_name.h"

#include <stdio.h>

#define DNS_HDR_LEN 12
#define DNS_MAX_JUMPS 16

static int name_char_ok(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

/* Appends label bytes to out at *o (escaping), keeping room for the NUL. */
static int put_label(const uint8_t *p, size_t n, char *out, size_t outlen, size_t *o)
{
	for (size_t i = 0; i < n; i++) {
		if (name_char_ok(p[i])) {
			if (*o + 1 >= outlen)
				return HH_DNS_TOO_LONG;
			out[(*o)++] = (char)p[i];
		} else {
			if (*o + 4 >= outlen)
				return HH_DNS_TOO_LONG;
			snprintf(out + *o, 5, "\\%03u", p[i]);
			*o += 4;
		}
	}
	return HH_DNS_OK;
}

int hh_dns_query_name(const uint8_t *msg, size_t len, char *out, size_t outlen, uint16_t *qtype)
{
	if (!out || outlen < 2)
		return HH_DNS_TOO_LONG;
	out[0] = '\0';
	if (!msg || len < DNS_HDR_LEN)
		return HH_DNS_SHORT;
	uint16_t flags = (uint16_t)(msg[2] << 8 | msg[3]);
	uint16_t qdcount = (uint16_t)(msg[4] << 8 | msg[5]);
	if ((flags & 0x8000) || qdcount == 0)
		return HH_DNS_NOT_QUERY;

	size_t pos = DNS_HDR_LEN;  /* where we read the next label */
	size_t end_of_name = 0;    /* where the question continues after the name */
	size_t lowest = pos;       /* pointers must go below every place already visited */
	size_t wire = 0;           /* wire length of the name so far (RFC 1035: <= 255) */
	size_t o = 0;
	int jumps = 0;
	for (;;) {
		if (pos >= len)
			goto short_;
		uint8_t l = msg[pos];
		if ((l & 0xC0) == 0xC0) {
			if (pos + 1 >= len)
				goto short_;
			size_t target = (size_t)(l & 0x3F) << 8 | msg[pos + 1];
			if (!end_of_name)
				end_of_name = pos + 2;
			if (target >= lowest || ++jumps > DNS_MAX_JUMPS) {
				out[0] = '\0';
				return HH_DNS_LOOP;
			}
			lowest = target;
			pos = target;
			continue;
		}
		if (l & 0xC0) {
			out[0] = '\0';
			return HH_DNS_BAD_LABEL;
		}
		if (l == 0) {
			if (!end_of_name)
				end_of_name = pos + 1;
			break;
		}
		wire += (size_t)l + 1;
		if (wire + 1 > HH_DNS_NAME_MAX) {
			out[0] = '\0';
			return HH_DNS_TOO_LONG;
		}
		if (pos + 1 + l > len)
			goto short_;
		if (o > 0) {
			if (o + 1 >= outlen) {
				out[0] = '\0';
				return HH_DNS_TOO_LONG;
			}
			out[o++] = '.';
		}
		int rc = put_label(msg + pos + 1, l, out, outlen, &o);
		if (rc) {
			out[0] = '\0';
			return rc;
		}
		pos += 1 + (size_t)l;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	if (end_of_name + 4 > len)
		goto short_;
	if (qtype)
		*qtype = (uint16_t)(msg[end_of_name] << 8 | msg[end_of_name + 1]);
	return HH_DNS_OK;
short_:
	out[0] = '\0';
	return HH_DNS_SHORT;
}

const char *hh_dns_strerror(int err)
{
	switch (err) {
	case HH_DNS_OK: return "ok";
	case HH_DNS_SHORT: return "truncated message";
	case HH_DNS_NOT_QUERY: return "not a query";
	case HH_DNS_BAD_LABEL: return "reserved label type";
	case HH_DNS_LOOP: return "compression pointer loop or forward pointer";
	case HH_DNS_TOO_LONG: return "name too long";
	}
	return "unknown error";
}
