/* TLS ClientHello parser, JA3 (MD5) and JA4 (SHA-256) fingerprints. */
#include "detectors/network/tls.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HELLO (64u * 1024u)
#define MAX_LIST 512

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static bool grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

bool hh_tls_looks_like(const uint8_t *d, size_t len)
{
	return len >= 3 && d[0] == 0x16 && d[1] == 0x03 && d[2] <= 0x04;
}

/* Bounded appender. */
struct sbuf {
	char *p;
	size_t n, len;
};
static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	if (b->len + 1 >= b->n)
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(b->p + b->len, b->n - b->len, fmt, ap);
	va_end(ap);
	if (w > 0)
		b->len = b->len + (size_t)w < b->n ? b->len + (size_t)w : b->n - 1;
}

static void hex_digest(const char *alg, const void *data, size_t len, char *out, size_t hexchars)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const EVP_MD *md_type = strcmp(alg, "md5") == 0 ? EVP_md5() : EVP_sha256();
	if (!EVP_Digest(data, len, md, &mdlen, md_type, NULL)) {
		memset(out, '0', hexchars);
		out[hexchars] = 0;
		return;
	}
	for (unsigned i = 0; i < mdlen && i * 2 < hexchars; i++)
		snprintf(out + i * 2, 3, "%02x", md[i]);
	out[hexchars] = 0;
}

static int cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	return x < y ? -1 : x > y;
}

static const char *ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	case 0x0002: return "s2";
	case 0xfeff: return "d1";
	case 0xfefd: return "d2";
	case 0xfefc: return "d3";
	default: return "00";
	}
}

static bool alnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* JA4 over the collected lists (GREASE already removed). */
static void make_ja4(struct hh_tls_hello *h, uint16_t *ciphers, unsigned nc, uint16_t *exts, unsigned ne,
		     const uint16_t *sigalgs, unsigned ns, const uint8_t *alpn1, size_t alpn1_len)
{
	char a_alpn[3] = "00";
	if (alpn1_len > 0) {
		unsigned char f = alpn1[0], l = alpn1[alpn1_len - 1];
		if (alnum(f) && alnum(l)) {
			a_alpn[0] = (char)f;
			a_alpn[1] = (char)l;
		} else {
			static const char hx[] = "0123456789abcdef";
			a_alpn[0] = hx[f >> 4];
			a_alpn[1] = hx[l & 0x0f];
		}
	}
	char b[13] = "000000000000", c[13] = "000000000000";
	char list[MAX_LIST * 5 + 8];
	struct sbuf sb = { list, sizeof(list), 0 };
	list[0] = 0;
	if (nc) {
		qsort(ciphers, nc, sizeof(uint16_t), cmp_u16);
		for (unsigned i = 0; i < nc; i++)
			sb_printf(&sb, "%s%04x", i ? "," : "", ciphers[i]);
		hex_digest("sha256", list, sb.len, b, 12);
	}
	/* Extensions sorted, without SNI (0) and ALPN (16); then "_" and signature algorithms in order. */
	char list2[MAX_LIST * 10 + 16];
	struct sbuf s2 = { list2, sizeof(list2), 0 };
	list2[0] = 0;
	qsort(exts, ne, sizeof(uint16_t), cmp_u16);
	unsigned kept = 0;
	for (unsigned i = 0; i < ne; i++) {
		if (exts[i] == 0x0000 || exts[i] == 0x0010)
			continue;
		sb_printf(&s2, "%s%04x", kept++ ? "," : "", exts[i]);
	}
	if (ns) {
		sb_printf(&s2, "_");
		for (unsigned i = 0; i < ns; i++)
			sb_printf(&s2, "%s%04x", i ? "," : "", sigalgs[i]);
	}
	if (kept || ns)
		hex_digest("sha256", list2, s2.len, c, 12);
	snprintf(h->ja4, sizeof(h->ja4), "t%s%c%02u%02u%s_%s_%s", ja4_version(h->max_version), h->has_sni ? 'd' : 'i',
		 nc > 99 ? 99 : nc, ne > 99 ? 99 : ne, a_alpn, b, c);
}

enum hh_tls_rc hh_tls_parse_client_hello(const uint8_t *d, size_t len, struct hh_tls_hello *h)
{
	memset(h, 0, sizeof(*h));
	if (len < 5)
		return len > 0 && d[0] == 0x16 ? HH_TLS_NEED_MORE : HH_TLS_NOT_TLS;
	if (!hh_tls_looks_like(d, len))
		return HH_TLS_NOT_TLS;
	/* Gather the handshake bytes from consecutive handshake records. */
	static __thread uint8_t hs[MAX_HELLO];
	size_t hs_len = 0, off = 0, need = 0;
	while (off + 5 <= len) {
		if (d[off] != 0x16)
			return HH_TLS_MALFORMED;
		size_t rlen = be16(d + off + 3);
		if (rlen == 0 || rlen > 18432)
			return HH_TLS_MALFORMED;
		size_t have = len - off - 5 < rlen ? len - off - 5 : rlen;
		if (hs_len + have > sizeof(hs))
			return HH_TLS_MALFORMED;
		memcpy(hs + hs_len, d + off + 5, have);
		hs_len += have;
		if (have < rlen)
			return HH_TLS_NEED_MORE;
		off += 5 + rlen;
		if (hs_len >= 4) {
			need = 4 + ((size_t)hs[1] << 16 | (size_t)hs[2] << 8 | hs[3]);
			if (hs[0] != 1)
				return HH_TLS_NOT_TLS; /* not a ClientHello */
			if (need > sizeof(hs))
				return HH_TLS_MALFORMED;
			if (hs_len >= need)
				break;
		}
	}
	if (hs_len < 4 || hs_len < need)
		return HH_TLS_NEED_MORE;
	const uint8_t *p = hs + 4, *end = hs + need;
#define NEED(n) do { if ((size_t)(end - p) < (size_t)(n)) return HH_TLS_MALFORMED; } while (0)
	NEED(2 + 32 + 1);
	h->legacy_version = be16(p);
	h->max_version = h->legacy_version;
	p += 34;
	size_t sid = *p++;
	NEED(sid + 2);
	p += sid;
	size_t cl = be16(p);
	p += 2;
	NEED(cl);
	if (cl % 2)
		return HH_TLS_MALFORMED;
	uint16_t ciphers[MAX_LIST], exts[MAX_LIST], groups[MAX_LIST], sigalgs[MAX_LIST];
	uint8_t pfmts[64];
	unsigned nc = 0, ne = 0, ng = 0, ns = 0, np = 0;
	for (size_t i = 0; i < cl; i += 2) {
		uint16_t c = be16(p + i);
		if (!grease(c) && nc < MAX_LIST)
			ciphers[nc++] = c;
	}
	p += cl;
	NEED(1);
	size_t compl = *p++;
	NEED(compl);
	p += compl;
	const uint8_t *alpn1 = NULL;
	size_t alpn1_len = 0;
	struct sbuf alpn = { h->alpn, sizeof(h->alpn), 0 };
	if (end - p >= 2) {
		size_t el = be16(p);
		p += 2;
		NEED(el);
		const uint8_t *eend = p + el;
		while (eend - p >= 4) {
			uint16_t type = be16(p), xl = be16(p + 2);
			p += 4;
			if ((size_t)(eend - p) < xl)
				return HH_TLS_MALFORMED;
			const uint8_t *x = p, *xe = p + xl;
			p += xl;
			if (grease(type))
				continue;
			if (ne < MAX_LIST)
				exts[ne++] = type;
			if (type == 0x0000 && xl >= 5) { /* server_name */
				size_t ll = be16(x);
				const uint8_t *q = x + 2, *qe = x + 2 + ll < xe ? x + 2 + ll : xe;
				while (qe - q >= 3) {
					uint8_t nt = q[0];
					size_t nl = be16(q + 1);
					q += 3;
					if ((size_t)(qe - q) < nl)
						break;
					if (nt == 0 && !h->has_sni) {
						h->has_sni = true;
						size_t cp = nl < sizeof(h->sni) - 1 ? nl : sizeof(h->sni) - 1;
						for (size_t k = 0; k < cp; k++)
							h->sni[k] = (q[k] >= 0x21 && q[k] < 0x7f) ? (char)q[k] : '?';
						h->sni[cp] = 0;
					}
					q += nl;
				}
			} else if (type == 0x0010 && xl >= 2) { /* ALPN */
				const uint8_t *q = x + 2;
				while (xe - q >= 1) {
					size_t pl = *q++;
					if ((size_t)(xe - q) < pl)
						break;
					if (!alpn1) {
						alpn1 = q;
						alpn1_len = pl;
					}
					sb_printf(&alpn, "%s", alpn.len ? "," : "");
					for (size_t k = 0; k < pl; k++)
						sb_printf(&alpn, "%c", (q[k] >= 0x21 && q[k] < 0x7f && q[k] != ',') ? q[k] : '?');
					q += pl;
				}
			} else if (type == 0x000a && xl >= 2) { /* supported_groups */
				size_t gl = be16(x);
				for (size_t k = 2; k + 1 < 2 + gl && x + k + 1 < xe; k += 2) {
					uint16_t g = be16(x + k);
					if (!grease(g) && ng < MAX_LIST)
						groups[ng++] = g;
				}
			} else if (type == 0x000b && xl >= 1) { /* ec_point_formats */
				size_t fl = x[0];
				for (size_t k = 1; k <= fl && x + k < xe && np < sizeof(pfmts); k++)
					pfmts[np++] = x[k];
			} else if (type == 0x000d && xl >= 2) { /* signature_algorithms */
				size_t sl = be16(x);
				for (size_t k = 2; k + 1 < 2 + sl && x + k + 1 < xe; k += 2) {
					uint16_t s = be16(x + k);
					if (!grease(s) && ns < MAX_LIST)
						sigalgs[ns++] = s;
				}
			} else if (type == 0x002b && xl >= 1) { /* supported_versions */
				size_t vl = x[0];
				uint16_t best = 0;
				for (size_t k = 1; k + 1 <= vl && x + k + 1 < xe; k += 2) {
					uint16_t v = be16(x + k);
					if (!grease(v) && v > best && v <= 0x0304)
						best = v;
				}
				if (best)
					h->max_version = best;
			}
		}
	}
#undef NEED
	h->n_ciphers = nc;
	h->n_extensions = ne;
	/* JA3: version,ciphers,extensions,groups,point formats (decimal, '-' joined). */
	struct sbuf j = { h->ja3_full, sizeof(h->ja3_full), 0 };
	sb_printf(&j, "%u,", h->legacy_version);
	for (unsigned i = 0; i < nc; i++)
		sb_printf(&j, "%s%u", i ? "-" : "", ciphers[i]);
	sb_printf(&j, ",");
	for (unsigned i = 0; i < ne; i++)
		sb_printf(&j, "%s%u", i ? "-" : "", exts[i]);
	sb_printf(&j, ",");
	for (unsigned i = 0; i < ng; i++)
		sb_printf(&j, "%s%u", i ? "-" : "", groups[i]);
	sb_printf(&j, ",");
	for (unsigned i = 0; i < np; i++)
		sb_printf(&j, "%s%u", i ? "-" : "", pfmts[i]);
	hex_digest("md5", h->ja3_full, j.len, h->ja3, 32);
	make_ja4(h, ciphers, nc, exts, ne, sigalgs, ns, alpn1, alpn1_len);
	return HH_TLS_OK;
}
