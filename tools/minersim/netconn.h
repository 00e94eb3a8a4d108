/* Line-oriented TCP/TLS connections on loopback for the simulators. */
#ifndef MS_NETCONN_H
#define MS_NETCONN_H
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stddef.h>
#include <sys/socket.h>

#define MS_LINE_MAX 16384

struct ms_conn {
	int fd;
	SSL *ssl;              /* NULL for plain TCP; owned */
	char buf[MS_LINE_MAX]; /* received bytes not yet returned as lines */
	size_t len;
};

/* Parses "127.x.y.z:PORT", "[::1]:PORT" or "localhost:PORT" (no resolver:
 * the static binaries have none). Anything not loopback is refused.
 * Returns 0, or -1 with err filled. */
int ms_parse_loopback(const char *hostport, struct sockaddr_storage *ss, socklen_t *sl, char *err, size_t errsz);

/* Connects (and does the TLS handshake when ctx is set, sending sni when not
 * NULL). Returns 0 or -1 with err filled. */
int ms_conn_connect(struct ms_conn *c, const struct sockaddr_storage *ss, socklen_t sl, SSL_CTX *ctx,
		    const char *sni, char *err, size_t errsz);
/* Wraps an accepted socket, doing the server-side TLS handshake when ctx is set. */
int ms_conn_accept(struct ms_conn *c, int fd, SSL_CTX *ctx, char *err, size_t errsz);

/* Sends line plus '\n'. split: in several small writes with ~5 ms sleeps,
 * as a miner behind a slow link would, so the reader must reassemble.
 * Returns 0 or -1. */
int ms_conn_send_line(struct ms_conn *c, const char *line, int split);
/* Gets one line (without '\n') into out. Returns its length (>= 0), -2 on
 * timeout, -1 on close or error, -3 for a line over MS_LINE_MAX bytes. */
int ms_conn_read_line(struct ms_conn *c, char *out, size_t outsz, int timeout_ms);
void ms_conn_close(struct ms_conn *c);

/* TLS contexts. The client does not verify the pool (as XMRig without a
 * fingerprint). The server makes a self-signed P-256 certificate in memory. */
SSL_CTX *ms_tls_client_ctx(char *err, size_t errsz);
SSL_CTX *ms_tls_server_ctx(const char *cn, char *err, size_t errsz);

#endif
