/* Dialect messages and job decoding (see msgs.h). */
#include "msgs.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int ms_dialect_parse(const char *s)
{
	if (!strcmp(s, "stratum"))
		return MS_STRATUM;
	if (!strcmp(s, "cryptonote"))
		return MS_CRYPTONOTE;
	if (!strcmp(s, "ethproxy"))
		return MS_ETHPROXY;
	return -1;
}

const char *ms_dialect_name(int d)
{
	return d == MS_STRATUM ? "stratum" : d == MS_CRYPTONOTE ? "cryptonote" : d == MS_ETHPROXY ? "ethproxy" : "?";
}

char *ms_msg_request(int style, json_int_t id, const char *method, json_t *params)
{
	json_t *o = json_object();
	if (!params)
		params = json_array();
	/* jansson keeps insertion order, so the two styles differ in member order. */
	if (style == MS_SPACED) {
		json_object_set_new(o, "method", json_string(method));
		json_object_set_new(o, "params", params);
		json_object_set_new(o, "id", json_integer(id));
	} else {
		json_object_set_new(o, "id", json_integer(id));
		json_object_set_new(o, "jsonrpc", json_string("2.0"));
		json_object_set_new(o, "method", json_string(method));
		json_object_set_new(o, "params", params);
	}
	char *s = json_dumps(o, JSON_PRESERVE_ORDER | (style == MS_SPACED ? 0 : JSON_COMPACT));
	json_decref(o);
	return s;
}

char *ms_msg_stratum_subscribe(int style, json_int_t id, const char *agent)
{
	return ms_msg_request(style, id, "mining.subscribe", json_pack("[s]", agent));
}

char *ms_msg_stratum_authorize(int style, json_int_t id, const char *user, const char *pass)
{
	return ms_msg_request(style, id, "mining.authorize", json_pack("[ss]", user, pass));
}

char *ms_msg_stratum_submit(int style, json_int_t id, const char *user, const char *job_id,
			    const char *extranonce2, const char *ntime, const char *nonce)
{
	return ms_msg_request(style, id, "mining.submit",
			      json_pack("[sssss]", user, job_id, extranonce2, ntime, nonce));
}

char *ms_msg_cn_login(int style, json_int_t id, const char *login, const char *pass, const char *agent)
{
	return ms_msg_request(style, id, "login",
			      json_pack("{s:s,s:s,s:s,s:[sss]}", "login", login, "pass", pass, "agent", agent,
					"algo", "rx/0", "cn/r", "cn/0"));
}

char *ms_msg_cn_submit(int style, json_int_t id, const char *session, const char *job_id,
		       const char *nonce_hex, const char *result_hex)
{
	return ms_msg_request(style, id, "submit",
			      json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", session, "job_id", job_id, "nonce",
					nonce_hex, "result", result_hex, "algo", "rx/0"));
}

char *ms_msg_cn_keepalived(int style, json_int_t id, const char *session)
{
	return ms_msg_request(style, id, "keepalived", json_pack("{s:s}", "id", session));
}

char *ms_msg_eth_login(int style, json_int_t id, const char *user, const char *pass)
{
	return ms_msg_request(style, id, "eth_submitLogin", json_pack("[ss]", user, pass));
}

char *ms_msg_eth_getwork(int style, json_int_t id)
{
	return ms_msg_request(style, id, "eth_getWork", json_array());
}

char *ms_msg_eth_submitwork(int style, json_int_t id, const char *nonce_hex, const char *header_hex,
			    const char *mix_hex)
{
	return ms_msg_request(style, id, "eth_submitWork", json_pack("[sss]", nonce_hex, header_hex, mix_hex));
}

char *ms_msg_eth_hashrate(int style, json_int_t id, uint64_t rate, const char *client_id_hex)
{
	char r[24];
	snprintf(r, sizeof(r), "0x%llx", (unsigned long long)rate);
	return ms_msg_request(style, id, "eth_submitHashrate", json_pack("[ss]", r, client_id_hex));
}

void ms_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long ms_hex_decode(const char *hex, uint8_t *out, size_t outsz)
{
	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	size_t len = strlen(hex);
	if (len % 2 || len / 2 > outsz)
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(len / 2);
}

uint64_t ms_target_from_difficulty(double diff)
{
	if (!(diff > 1.0))
		return UINT64_MAX;
	if (diff < 1e18 && diff == (double)(uint64_t)diff)
		return UINT64_MAX / (uint64_t)diff; /* exact for whole difficulties */
	double t = 18446744073709551616.0 / diff;
	return t >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)t;
}

int ms_target_from_cn_hex(const char *hex, uint64_t *out)
{
	uint8_t b[8];
	size_t len = strlen(hex);
	if ((len != 8 && len != 16) || ms_hex_decode(hex, b, sizeof(b)) != (long)len / 2)
		return -1;
	uint64_t t = 0;
	for (int i = (int)len / 2 - 1; i >= 0; i--)
		t = (t << 8) | b[i];
	if (len == 8) {
		if (t == 0)
			return -1;
		t = UINT64_MAX / (0xFFFFFFFFULL / t);
	}
	*out = t;
	return 0;
}

void ms_cn_hex_from_difficulty(double diff, char out[9])
{
	uint32_t t = diff > 1.0 ? (uint32_t)(4294967295.0 / diff) : 0xFFFFFFFFu;
	uint8_t b[4] = { (uint8_t)t, (uint8_t)(t >> 8), (uint8_t)(t >> 16), (uint8_t)(t >> 24) };
	ms_hex_encode(b, 4, out);
}

void ms_eth_boundary_from_difficulty(double diff, char out[67])
{
	uint64_t t = ms_target_from_difficulty(diff);
	snprintf(out, 67, "0x%016llx%048d", (unsigned long long)t, 0);
}

static int set_err(char *err, size_t errsz, const char *msg)
{
	snprintf(err, errsz, "%s", msg);
	return -1;
}

static int copy_id(char *dst, size_t dstsz, const json_t *v)
{
	const char *s = json_string_value(v);
	if (!s || !*s || strlen(s) >= dstsz)
		return -1;
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

int ms_job_from_cn(const json_t *job, struct ms_job *out, char *err, size_t errsz)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(job))
		return set_err(err, errsz, "job is not an object");
	if (copy_id(out->job_id, sizeof(out->job_id), json_object_get(job, "job_id")) < 0)
		return set_err(err, errsz, "job_id missing or too long");
	const char *blob = json_string_value(json_object_get(job, "blob"));
	long n = blob ? ms_hex_decode(blob, out->blob, sizeof(out->blob)) : -1;
	if (n < 4)
		return set_err(err, errsz, "blob missing, not hex, shorter than 4 or longer than 128 bytes");
	out->blob_len = (size_t)n;
	out->nonce_off = out->blob_len >= 43 ? 39 : out->blob_len - 4; /* Monero: nonce at byte 39 */
	const char *target = json_string_value(json_object_get(job, "target"));
	if (!target || ms_target_from_cn_hex(target, &out->target) < 0)
		return set_err(err, errsz, "target missing or not 8/16 hex digits");
	return 0;
}

int ms_job_from_stratum(const json_t *p, const char *extranonce1, double difficulty, struct ms_job *out,
			char *err, size_t errsz)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_array(p) || json_array_size(p) < 8)
		return set_err(err, errsz, "mining.notify params: need an array of at least 8");
	if (copy_id(out->job_id, sizeof(out->job_id), json_array_get(p, 0)) < 0)
		return set_err(err, errsz, "mining.notify job id missing or too long");
	/* blob = prevhash || coinb1 || extranonce1 || coinb2, then the nonce. */
	const char *parts[4] = { json_string_value(json_array_get(p, 1)), json_string_value(json_array_get(p, 2)),
				 extranonce1 ? extranonce1 : "", json_string_value(json_array_get(p, 3)) };
	size_t len = 0;
	for (int i = 0; i < 4; i++) {
		if (!parts[i])
			return set_err(err, errsz, "mining.notify prevhash/coinbase not strings");
		long n = ms_hex_decode(parts[i], out->blob + len, sizeof(out->blob) - 4 - len);
		if (n < 0)
			return set_err(err, errsz, "mining.notify hex field bad or blob over 124 bytes");
		len += (size_t)n;
	}
	out->nonce_off = len;
	out->blob_len = len + 4;
	const char *ntime = json_string_value(json_array_get(p, 7));
	if (copy_id(out->ntime, sizeof(out->ntime), json_array_get(p, 7)) < 0 || !ntime)
		return set_err(err, errsz, "mining.notify ntime missing or too long");
	out->target = ms_target_from_difficulty(difficulty);
	return 0;
}

int ms_job_from_eth(const json_t *w, struct ms_job *out, char *err, size_t errsz)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_array(w) || json_array_size(w) < 3)
		return set_err(err, errsz, "eth work: need [header, seed, boundary]");
	const char *hdr = json_string_value(json_array_get(w, 0));
	const char *bnd = json_string_value(json_array_get(w, 2));
	if (!hdr || !bnd)
		return set_err(err, errsz, "eth work: header/boundary not strings");
	long n = ms_hex_decode(hdr, out->blob, 32);
	if (n != 32 || strlen(hdr) >= sizeof(out->header))
		return set_err(err, errsz, "eth work: header is not 32 hex bytes");
	snprintf(out->header, sizeof(out->header), "%s", hdr);
	/* The job id is the header's first 8 bytes, as ethminer logs it. */
	ms_hex_encode(out->blob, 8, out->job_id);
	out->nonce_off = 32;
	out->blob_len = 40;
	uint8_t b[32];
	if (ms_hex_decode(bnd, b, sizeof(b)) != 32)
		return set_err(err, errsz, "eth work: boundary is not 32 hex bytes");
	uint64_t t = 0;
	for (int i = 0; i < 8; i++)
		t = (t << 8) | b[i];
	out->target = t;
	return 0;
}
