/* Loopback TCP/TLS line transport (see netconn.h). */
#include "netconn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int fail(char *err, size_t errsz, const char *what)
{
	unsigned long e = ERR_get_error();
	if (e) {
		char buf[160];
		ERR_error_string_n(e, buf, sizeof(buf));
		snprintf(err, errsz, "%s: %s", what, buf);
	} else if (errno) {
		snprintf(err, errsz, "%s: %s", what, strerror(errno));
	} else {
		snprintf(err, errsz, "%s", what);
	}
	ERR_clear_error();
	return -1;
}

int ms_parse_loopback(const char *hp, struct sockaddr_storage *ss, socklen_t *sl, char *err, size_t errsz)
{
	char host[64];
	const char *colon;
	memset(ss, 0, sizeof(*ss));
	if (hp[0] == '[') {
		const char *end = strchr(hp, ']');
		if (!end || end[1] != ':' || (size_t)(end - hp - 1) >= sizeof(host))
			return snprintf(err, errsz, "bad address '%s' (want [::1]:PORT)", hp), -1;
		memcpy(host, hp + 1, (size_t)(end - hp - 1));
		host[end - hp - 1] = '\0';
		colon = end + 1;
	} else {
		colon = strrchr(hp, ':');
		if (!colon || (size_t)(colon - hp) >= sizeof(host))
			return snprintf(err, errsz, "bad address '%s' (want HOST:PORT)", hp), -1;
		memcpy(host, hp, (size_t)(colon - hp));
		host[colon - hp] = '\0';
	}
	char *endp;
	errno = 0;
	long port = strtol(colon + 1, &endp, 10);
	if (*endp || errno || port < 0 || port > 65535 || endp == colon + 1)
		return snprintf(err, errsz, "bad port in '%s'", hp), -1;
	if (!strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		if ((ntohl(v4->sin_addr.s_addr) >> 24) != 127)
			return snprintf(err, errsz, "'%s' is not a loopback address (127.0.0.0/8 or ::1 only)", host), -1;
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*sl = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr))
			return snprintf(err, errsz, "'%s' is not a loopback address (127.0.0.0/8 or ::1 only)", host), -1;
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*v6);
		return 0;
	}
	return snprintf(err, errsz, "'%s' is not a numeric loopback address", host), -1;
}

static void sock_opts(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int ms_conn_connect(struct ms_conn *c, const struct sockaddr_storage *ss, socklen_t sl, SSL_CTX *ctx,
		    const char *sni, char *err, size_t errsz)
{
	memset(c, 0, sizeof(*c));
	c->fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return fail(err, errsz, "socket");
	if (connect(c->fd, (const struct sockaddr *)ss, sl) < 0) {
		fail(err, errsz, "connect");
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	sock_opts(c->fd);
	if (!ctx)
		return 0;
	c->ssl = SSL_new(ctx);
	if (!c->ssl || !SSL_set_fd(c->ssl, c->fd) || (sni && !SSL_set_tlsext_host_name(c->ssl, sni)) ||
	    SSL_connect(c->ssl) != 1) {
		fail(err, errsz, "TLS handshake");
		ms_conn_close(c);
		return -1;
	}
	return 0;
}

int ms_conn_accept(struct ms_conn *c, int fd, SSL_CTX *ctx, char *err, size_t errsz)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	sock_opts(fd);
	/* A miner that stops reading must not block the pool's writes forever. */
	struct timeval wt = { .tv_sec = 5 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wt, sizeof(wt));
	if (!ctx)
		return 0;
	/* A client that never finishes the handshake must not hold the thread. */
	struct timeval tv = { .tv_sec = 5 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	c->ssl = SSL_new(ctx);
	if (!c->ssl || !SSL_set_fd(c->ssl, fd) || SSL_accept(c->ssl) != 1) {
		fail(err, errsz, "TLS accept");
		ms_conn_close(c);
		return -1;
	}
	tv.tv_sec = 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
}

static int write_all(struct ms_conn *c, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w;
		if (c->ssl) {
			int r = SSL_write(c->ssl, p, (int)n);
			if (r <= 0)
				return -1;
			w = r;
		} else {
			w = send(c->fd, p, n, MSG_NOSIGNAL);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int ms_conn_send_line(struct ms_conn *c, const char *line, int split)
{
	size_t n = strlen(line);
	char *msg = malloc(n + 2);
	if (!msg)
		return -1;
	memcpy(msg, line, n);
	msg[n++] = '\n';
	msg[n] = '\0';
	int rc = 0;
	if (!split) {
		rc = write_all(c, msg, n);
	} else {
		/* About five pieces, at least 7 bytes each, 5 ms apart (TCP_NODELAY
		 * is on, so each piece leaves as its own segment). */
		size_t piece = n / 5 < 7 ? 7 : n / 5;
		for (size_t off = 0; off < n && rc == 0; off += piece) {
			size_t len = n - off < piece ? n - off : piece;
			rc = write_all(c, msg + off, len);
			if (off + len < n) {
				struct timespec ts = { 0, 5 * 1000 * 1000 };
				nanosleep(&ts, NULL);
			}
		}
	}
	free(msg);
	return rc;
}

int ms_conn_read_line(struct ms_conn *c, char *out, size_t outsz, int timeout_ms)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		if (nl) {
			size_t n = (size_t)(nl - c->buf);
			if (n >= outsz)
				return -3;
			memcpy(out, c->buf, n);
			out[n] = '\0';
			c->len -= n + 1;
			memmove(c->buf, nl + 1, c->len);
			if (n && out[n - 1] == '\r')
				out[--n] = '\0';
			return (int)n;
		}
		if (c->len == sizeof(c->buf))
			return -3;
		if (!(c->ssl && SSL_pending(c->ssl) > 0)) {
			struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
			int pr = poll(&pfd, 1, timeout_ms);
			if (pr < 0 && errno == EINTR)
				return -2;
			if (pr < 0)
				return -1;
			if (pr == 0)
				return -2;
		}
		ssize_t r;
		if (c->ssl) {
			r = SSL_read(c->ssl, c->buf + c->len, (int)(sizeof(c->buf) - c->len));
			if (r <= 0) {
				int e = SSL_get_error(c->ssl, (int)r);
				if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
					continue; /* a record not yet complete, or a post-handshake message */
				return -1;
			}
		} else {
			r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return -1;
		}
		c->len += (size_t)r;
	}
}

void ms_conn_close(struct ms_conn *c)
{
	if (c->ssl) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}

SSL_CTX *ms_tls_client_ctx(char *err, size_t errsz)
{
	OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		return fail(err, errsz, "SSL_CTX_new"), NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

SSL_CTX *ms_tls_server_ctx(const char *cn, char *err, size_t errsz)
{
	OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!key || !x || !ctx)
		goto bad;
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)time(NULL));
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509_NAME *name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (!X509_sign(x, key, EVP_sha256()) || SSL_CTX_use_certificate(ctx, x) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1)
		goto bad;
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
bad:
	fail(err, errsz, "self-signed certificate");
	X509_free(x);
	EVP_PKEY_free(key);
	SSL_CTX_free(ctx);
	return NULL;
}
