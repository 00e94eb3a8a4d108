/* JSON-RPC lines of the three pool dialects the simulator speaks, and the
 * jobs they carry. Messages are built with jansson; style picks the layout:
 *   MS_COMPACT  {"id":1,"jsonrpc":"2.0","method":"login","params":{...}}
 *   MS_SPACED   {"method": "login", "params": {...}, "id": 1}   (no "jsonrpc")
 * so tests see the same dialect in two byte-level shapes. Returned strings
 * are malloc'd (caller frees), without the trailing newline. */
#ifndef MS_MSGS_H
#define MS_MSGS_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum ms_dialect { MS_STRATUM, MS_CRYPTONOTE, MS_ETHPROXY };
enum ms_style { MS_COMPACT, MS_SPACED };

/* "stratum" | "cryptonote" | "ethproxy" -> dialect, or -1. */
int ms_dialect_parse(const char *s);
const char *ms_dialect_name(int d);

/* Generic request; params is stolen (may be NULL: []). */
char *ms_msg_request(int style, json_int_t id, const char *method, json_t *params);

/* Stratum v1 (mining.*). */
char *ms_msg_stratum_subscribe(int style, json_int_t id, const char *agent);
char *ms_msg_stratum_authorize(int style, json_int_t id, const char *user, const char *pass);
char *ms_msg_stratum_submit(int style, json_int_t id, const char *user, const char *job_id,
			    const char *extranonce2, const char *ntime, const char *nonce);
/* CryptoNote / XMRig. */
char *ms_msg_cn_login(int style, json_int_t id, const char *login, const char *pass, const char *agent);
char *ms_msg_cn_submit(int style, json_int_t id, const char *session, const char *job_id,
		       const char *nonce_hex, const char *result_hex);
char *ms_msg_cn_keepalived(int style, json_int_t id, const char *session);
/* Ethereum getwork proxy (eth_*). */
char *ms_msg_eth_login(int style, json_int_t id, const char *user, const char *pass);
char *ms_msg_eth_getwork(int style, json_int_t id);
char *ms_msg_eth_submitwork(int style, json_int_t id, const char *nonce_hex, const char *header_hex,
			    const char *mix_hex);
char *ms_msg_eth_hashrate(int style, json_int_t id, uint64_t rate, const char *client_id_hex);

/* A unit of work as the miner hashes it. */
#define MS_BLOB_MAX 128
struct ms_job {
	char job_id[65];
	uint8_t blob[MS_BLOB_MAX];
	size_t blob_len;
	size_t nonce_off;   /* where the 4-byte nonce goes in blob */
	uint64_t target;    /* share when ms_hash_value(hash) < target */
	char ntime[17];     /* stratum: echoed in submit */
	char header[67];    /* ethproxy: "0x" + header hash, echoed in submit */
};

/* Decoding of job messages; 0 on success, -1 with err filled. */
int ms_job_from_cn(const json_t *job, struct ms_job *out, char *err, size_t errsz);
int ms_job_from_stratum(const json_t *notify_params, const char *extranonce1, double difficulty,
			struct ms_job *out, char *err, size_t errsz);
int ms_job_from_eth(const json_t *work, struct ms_job *out, char *err, size_t errsz);

/* Targets. CryptoNote: 8 hex digits = 32-bit little-endian t, scaled as
 * XMRig does (2^64-1 / (2^32-1 / t)); 16 hex digits = 64-bit little-endian. */
uint64_t ms_target_from_difficulty(double diff);
int ms_target_from_cn_hex(const char *hex, uint64_t *out);
void ms_cn_hex_from_difficulty(double diff, char out[9]);
/* Ethereum boundary "0x" + 64 hex, top 64 bits = 2^64 / diff. */
void ms_eth_boundary_from_difficulty(double diff, char out[67]);

/* Hex helpers: encode n bytes (out: 2n+1); decode with optional "0x",
 * returns the byte count or -1 (odd length, bad digit, longer than outsz). */
void ms_hex_encode(const uint8_t *in, size_t n, char *out);
long ms_hex_decode(const char *hex, uint8_t *out, size_t outsz);

#endif
