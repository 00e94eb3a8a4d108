/* DNS query-name parsing for the sensor's DNS events: the payload a process
 * sent to port 53, copied (bounded) by the kernel. Hostile input is the
 * norm: every length is checked against the buffer, compression pointers
 * may only point backwards and are followed a bounded number of times, the
 * name is capped at 255 bytes (RFC 1035), and bytes outside [A-Za-z0-9-_]
 * are written as \DDD so a name can never smuggle separators or control
 * characters into logs or JSON. */
#ifndef HH_DNS_NAME_H
#define HH_DNS_NAME_H

#include <stddef.h>
#include <stdint.h>

#define HH_DNS_NAME_MAX 255

enum hh_dns_err {
	HH_DNS_OK = 0,
	HH_DNS_SHORT = -1,      /* truncated: header or name runs past the end */
	HH_DNS_NOT_QUERY = -2,  /* QR bit set or no question */
	HH_DNS_BAD_LABEL = -3,  /* label type 0x40/0x80 (reserved) */
	HH_DNS_LOOP = -4,       /* compression pointer forward, to itself, or too many */
	HH_DNS_TOO_LONG = -5,   /* name longer than 255 bytes, or out buffer too small */
};

/* Parses the first question of a DNS query message. On success writes the
 * name (dotted, no trailing dot, "." for the root) to out (NUL-terminated,
 * outlen >= 2) and the query type to *qtype (may be NULL); returns
 * HH_DNS_OK. Otherwise returns a negative hh_dns_err and out is "". */
int hh_dns_query_name(const uint8_t *msg, size_t len, char *out, size_t outlen, uint16_t *qtype);

/* "truncated", "not a query" ... */
const char *hh_dns_strerror(int err);

#endif
