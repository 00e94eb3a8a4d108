#include "sinks/http_auth.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/fileio.h"

bool hh_http_listen_is_loopback(const char *listen)
{
	const char *colon = strrchr(listen, ':');
	if (!colon)
		return false;
	char host[128];
	size_t hl = (size_t)(colon - listen);
	if (hl >= sizeof(host))
		return false;
	memcpy(host, listen, hl);
	host[hl] = '\0';
	if (strcmp(host, "localhost") == 0)
		return true;
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		struct in6_addr a6;
		return inet_pton(AF_INET6, host + 1, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	struct in_addr a4;
	return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

int hh_http_token_read(const char *path, char *tok, size_t n, char *err, size_t errlen)
{
	struct hh_buf b = { 0 };
	char rerr[512];
	if (hh_read_file(path, 4096, &b, rerr, sizeof(rerr)) < 0) {
		snprintf(err, errlen, "sinks.http.token_file: %s", rerr);
		return -1;
	}
	size_t s = 0, e = b.len;
	while (s < e && isspace((unsigned char)b.data[s]))
		s++;
	while (e > s && isspace((unsigned char)b.data[e - 1]))
		e--;
	int rc = 0;
	for (size_t i = s; i < e && rc == 0; i++)
		if (!isgraph((unsigned char)b.data[i])) {
			snprintf(err, errlen, "sinks.http.token_file %s: byte %zu is not a printable character "
				 "(one line, no spaces)", path, i);
			rc = -1;
		}
	if (rc == 0 && (e - s < 16 || e - s >= n || e - s >= HH_HTTP_TOKEN_MAX)) {
		snprintf(err, errlen, "sinks.http.token_file %s: token of %zu characters (want 16 to %d)", path,
			 e - s, HH_HTTP_TOKEN_MAX - 1);
		rc = -1;
	}
	if (rc == 0) {
		memcpy(tok, b.data + s, e - s);
		tok[e - s] = '\0';
	}
	hh_buf_free(&b);
	return rc;
}

bool hh_http_token_ok(const char *token, const char *authorization)
{
	if (!token || !token[0])
		return true;
	if (!authorization || strncmp(authorization, "Bearer ", 7) != 0)
		return false;
	const char *given = authorization + 7;
	size_t tl = strlen(token), gl = strlen(given);
	unsigned char diff = (unsigned char)(tl != gl);
	for (size_t i = 0; i < gl; i++)
		diff |= (unsigned char)(given[i] ^ token[i < tl ? i : 0]);
	return diff == 0;
}
