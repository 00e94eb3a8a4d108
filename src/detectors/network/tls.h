/* TLS ClientHello: SNI (or its absence), ALPN, and the JA3 and JA4 client
 * fingerprints. The parser reads the first handshake message of a client
 * stream, which may span several TLS records and TCP segments (the caller
 * passes the reassembled bytes). Every length is checked; GREASE values are
 * left out of both fingerprints as their definitions require. */
#ifndef HH_NET_TLS_H
#define HH_NET_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hh_tls_hello {
	uint16_t legacy_version;
	uint16_t max_version;     /* highest of supported_versions, else legacy_version */
	bool has_sni;
	char sni[256];
	char alpn[128];           /* comma-separated protocols as offered */
	char ja3[33];             /* MD5 hex of ja3_full */
	char ja3_full[1024];      /* "771,4865-4866,0-23-65281,29-23,0" (truncated if huge) */
	char ja4[40];             /* "t13d1516h2_8daaf6152771_e5627efa2ab1" */
	unsigned n_ciphers, n_extensions;
};

enum hh_tls_rc {
	HH_TLS_OK = 0,        /* a ClientHello was parsed */
	HH_TLS_NEED_MORE = 1, /* a TLS handshake record begins but is incomplete */
	HH_TLS_NOT_TLS = -1,  /* not a TLS handshake */
	HH_TLS_MALFORMED = -2,/* a TLS record that lies about its lengths */
};

/* Returns HH_TLS_NEED_MORE when len is shorter than the ClientHello announces
 * (the caller may retry with more bytes, up to its own cap). */
enum hh_tls_rc hh_tls_parse_client_hello(const uint8_t *data, size_t len, struct hh_tls_hello *out);

/* True when data starts like a TLS handshake record (0x16 0x03 0x0X). */
bool hh_tls_looks_like(const uint8_t *data, size_t len);

#endif
