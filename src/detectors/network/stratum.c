/* Mining JSON-RPC message classification (structure, not bytes). */
#include "detectors/network/stratum.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/workload.h"

const char *hh_dialect_name(enum hh_mining_dialect d)
{
	switch (d) {
	case HH_DIALECT_STRATUM_V1: return "stratum-v1";
	case HH_DIALECT_CRYPTONOTE: return "cryptonote";
	case HH_DIALECT_ETHPROXY: return "ethproxy";
	case HH_DIALECT_ETHSTRATUM1: return "ethereumstratum-1.0.0";
	case HH_DIALECT_ETHSTRATUM2: return "ethereumstratum-2.0.0";
	case HH_DIALECT_GETWORK: return "getwork";
	case HH_DIALECT_STRATUM_V2: return "stratum-v2";
	default: return "none";
	}
}

const char *hh_role_name(enum hh_mining_role r)
{
	static const char *const n[] = { "none", "hello", "auth", "work", "getwork", "submit", "keepalive", "result" };
	return (unsigned)r < sizeof(n) / sizeof(n[0]) ? n[r] : "none";
}

void hh_mask_login(const char *login, char *out, size_t n, size_t keep)
{
	if (!n)
		return;
	out[0] = 0;
	if (!login || !*login)
		return;
	size_t wl = strcspn(login, ".+/:");
	const char *rest = login + wl;
	char wallet[64];
	if (wl > 2 * keep + 3)
		snprintf(wallet, sizeof(wallet), "%.*s...%.*s", (int)keep, login, (int)keep, login + wl - keep);
	else if (wl > 4)
		snprintf(wallet, sizeof(wallet), "%.2s...", login);
	else
		snprintf(wallet, sizeof(wallet), "%.*s", (int)wl, login);
	snprintf(out, n, "%s%.16s", wallet, rest);
}

static void copy_str(char *dst, size_t n, const json_t *v)
{
	if (json_is_string(v))
		hh_strlcpy(dst, json_string_value(v), n);
}

static bool is_hex_word(const json_t *v, size_t min_hex)
{
	if (!json_is_string(v))
		return false;
	const char *s = json_string_value(v);
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	size_t n = 0;
	for (; s[n]; n++)
		if (!isxdigit((unsigned char)s[n]))
			return false;
	return n >= min_hex;
}

/* Stratum-family methods: name -> dialect and role. */
struct method_def {
	const char *name;
	enum hh_mining_dialect dialect;
	enum hh_mining_role role;
};
static const struct method_def methods[] = {
	{ "mining.subscribe", HH_DIALECT_STRATUM_V1, HH_ROLE_HELLO },
	{ "mining.configure", HH_DIALECT_STRATUM_V1, HH_ROLE_HELLO },
	{ "mining.extranonce.subscribe", HH_DIALECT_STRATUM_V1, HH_ROLE_HELLO },
	{ "mining.authorize", HH_DIALECT_STRATUM_V1, HH_ROLE_AUTH },
	{ "mining.notify", HH_DIALECT_STRATUM_V1, HH_ROLE_WORK },
	{ "mining.set_difficulty", HH_DIALECT_STRATUM_V1, HH_ROLE_WORK },
	{ "mining.set_target", HH_DIALECT_STRATUM_V1, HH_ROLE_WORK },
	{ "mining.set_extranonce", HH_DIALECT_STRATUM_V1, HH_ROLE_WORK },
	{ "mining.set_version_mask", HH_DIALECT_STRATUM_V1, HH_ROLE_WORK },
	{ "mining.submit", HH_DIALECT_STRATUM_V1, HH_ROLE_SUBMIT },
	{ "mining.suggest_difficulty", HH_DIALECT_STRATUM_V1, HH_ROLE_KEEPALIVE },
	{ "mining.suggest_target", HH_DIALECT_STRATUM_V1, HH_ROLE_KEEPALIVE },
	{ "mining.get_transactions", HH_DIALECT_STRATUM_V1, HH_ROLE_KEEPALIVE },
	{ "mining.ping", HH_DIALECT_STRATUM_V1, HH_ROLE_KEEPALIVE },
	{ "mining.pong", HH_DIALECT_STRATUM_V1, HH_ROLE_KEEPALIVE },
	{ "mining.hashrate", HH_DIALECT_STRATUM_V1, HH_ROLE_KEEPALIVE },
	{ "mining.hello", HH_DIALECT_ETHSTRATUM2, HH_ROLE_HELLO },
	{ "mining.bye", HH_DIALECT_ETHSTRATUM2, HH_ROLE_KEEPALIVE },
	{ "mining.noop", HH_DIALECT_ETHSTRATUM2, HH_ROLE_KEEPALIVE },
	{ "login", HH_DIALECT_CRYPTONOTE, HH_ROLE_AUTH },
	{ "job", HH_DIALECT_CRYPTONOTE, HH_ROLE_WORK },
	{ "getjob", HH_DIALECT_CRYPTONOTE, HH_ROLE_GETWORK },
	{ "submit", HH_DIALECT_CRYPTONOTE, HH_ROLE_SUBMIT },
	{ "keepalived", HH_DIALECT_CRYPTONOTE, HH_ROLE_KEEPALIVE },
	{ "eth_submitLogin", HH_DIALECT_ETHPROXY, HH_ROLE_AUTH },
	{ "eth_login", HH_DIALECT_ETHPROXY, HH_ROLE_AUTH },
	{ "eth_getWork", HH_DIALECT_ETHPROXY, HH_ROLE_GETWORK },
	{ "eth_submitWork", HH_DIALECT_ETHPROXY, HH_ROLE_SUBMIT },
	{ "eth_submitHashrate", HH_DIALECT_ETHPROXY, HH_ROLE_KEEPALIVE },
	{ "getwork", HH_DIALECT_GETWORK, HH_ROLE_GETWORK },
	{ "getblocktemplate", HH_DIALECT_GETWORK, HH_ROLE_GETWORK },
	{ "submitblock", HH_DIALECT_GETWORK, HH_ROLE_SUBMIT },
};

bool hh_mining_method_lookup(const char *method, enum hh_mining_dialect *dialect, enum hh_mining_role *role)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, method) == 0) {
			*dialect = methods[i].dialect;
			*role = methods[i].role;
			return true;
		}
	return false;
}

bool hh_mining_quick_method(const char *text, size_t len, char *out, size_t n)
{
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *k = memmem(p, (size_t)(end - p), "\"method\"", 8);
		if (!k)
			return false;
		const char *q = k + 8;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
			q++;
		if (q < end && *q == ':') {
			q++;
			while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
				q++;
			if (q < end && *q == '"') {
				q++;
				size_t i = 0;
				while (q < end && *q != '"' && *q != '\\' && i + 1 < n)
					out[i++] = *q++;
				if (q < end && *q == '"') {
					out[i] = 0;
					return true;
				}
			}
			return false;
		}
		p = k + 8; /* "method" as a value, not a key: look further */
	}
	return false;
}

/* Generic names ("login", "submit", "job") need CryptoNote-shaped params, or
 * any JSON-RPC API with a "login" method would look like a miner. */
static bool cryptonote_params_ok(const char *method, const json_t *params)
{
	if (strcmp(method, "login") == 0)
		return json_is_object(params) && json_is_string(json_object_get(params, "login"));
	if (strcmp(method, "job") == 0)
		return json_is_object(params) && json_object_get(params, "blob") &&
		       (json_object_get(params, "job_id") || json_object_get(params, "target"));
	if (strcmp(method, "submit") == 0)
		return json_is_object(params) && json_object_get(params, "nonce") &&
		       (json_object_get(params, "job_id") || json_object_get(params, "result"));
	if (strcmp(method, "getjob") == 0 || strcmp(method, "keepalived") == 0)
		return json_is_object(params) && json_is_string(json_object_get(params, "id"));
	return true;
}

static void first_algo(struct hh_mining_msg *m, const json_t *algo)
{
	if (json_is_string(algo))
		copy_str(m->algo, sizeof(m->algo), algo);
	else if (json_is_array(algo) && json_array_size(algo) > 0)
		copy_str(m->algo, sizeof(m->algo), json_array_get(algo, 0));
}

static bool classify_request(const json_t *root, const char *method, struct hh_mining_msg *m)
{
	const json_t *params = json_object_get(root, "params");
	const struct method_def *def = NULL;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, method) == 0) {
			def = &methods[i];
			break;
		}
	if (!def || !cryptonote_params_ok(method, params))
		return false;
	m->dialect = def->dialect;
	m->role = def->role;
	hh_strlcpy(m->method, method, sizeof(m->method));
	switch (def->dialect) {
	case HH_DIALECT_STRATUM_V1:
		if (strcmp(method, "mining.subscribe") == 0 && json_is_array(params)) {
			copy_str(m->agent, sizeof(m->agent), json_array_get(params, 0));
			size_t i;
			const json_t *p;
			json_array_foreach(params, i, p) {
				if (json_is_string(p) && strncmp(json_string_value(p), "EthereumStratum/", 16) == 0) {
					m->ethstratum = true;
					m->dialect = strstr(json_string_value(p), "/2.") ? HH_DIALECT_ETHSTRATUM2
											: HH_DIALECT_ETHSTRATUM1;
				}
			}
		} else if (strcmp(method, "mining.authorize") == 0 && json_is_array(params)) {
			copy_str(m->login, sizeof(m->login), json_array_get(params, 0));
		}
		break;
	case HH_DIALECT_ETHSTRATUM2:
		if (json_is_object(params)) {
			copy_str(m->agent, sizeof(m->agent), json_object_get(params, "agent"));
		}
		break;
	case HH_DIALECT_CRYPTONOTE:
		if (json_is_object(params)) {
			copy_str(m->login, sizeof(m->login), json_object_get(params, "login"));
			copy_str(m->agent, sizeof(m->agent), json_object_get(params, "agent"));
			first_algo(m, json_object_get(params, "algo"));
		}
		break;
	case HH_DIALECT_ETHPROXY:
		if (def->role == HH_ROLE_AUTH && json_is_array(params))
			copy_str(m->login, sizeof(m->login), json_array_get(params, 0));
		if (!m->agent[0])
			copy_str(m->agent, sizeof(m->agent), json_object_get(root, "agent"));
		break;
	default:
		break;
	}
	return true;
}

static bool classify_response(const json_t *root, struct hh_mining_msg *m)
{
	const json_t *result = json_object_get(root, "result");
	/* CryptoNote login result: {"id": "...", "job": {"blob", "job_id", "target"}, "status": "OK"} */
	if (json_is_object(result)) {
		const json_t *job = json_object_get(result, "job");
		if (json_is_object(job) && json_object_get(job, "blob") && json_object_get(job, "job_id")) {
			m->dialect = HH_DIALECT_CRYPTONOTE;
			m->role = HH_ROLE_WORK;
			return true;
		}
		if (json_object_get(result, "blob") && json_object_get(result, "job_id") &&
		    json_object_get(result, "target")) { /* getjob result */
			m->dialect = HH_DIALECT_CRYPTONOTE;
			m->role = HH_ROLE_WORK;
			return true;
		}
		/* EthereumStratum/2.0.0 hello result: {"proto": "EthereumStratum/2.0.0", ...} */
		const json_t *proto = json_object_get(result, "proto");
		if (json_is_string(proto) && strncmp(json_string_value(proto), "EthereumStratum/", 16) == 0) {
			m->dialect = HH_DIALECT_ETHSTRATUM2;
			m->role = HH_ROLE_RESULT;
			return true;
		}
		return false;
	}
	if (!json_is_array(result))
		return false;
	/* Stratum subscribe result: [[["mining.notify", "id"], ...], "extranonce1", size]
	 * (or [["mining.notify", "id", "EthereumStratum/1.0.0"], "extranonce"]). */
	const json_t *first = json_array_get(result, 0);
	if (json_is_array(first)) {
		const json_t *pair = json_array_get(first, 0);
		const json_t *name = json_is_array(pair) ? json_array_get(pair, 0) : pair;
		if (json_is_string(name) && strncmp(json_string_value(name), "mining.", 7) == 0) {
			m->dialect = HH_DIALECT_STRATUM_V1;
			const json_t *p3 = json_array_get(first, 2);
			if (json_is_string(p3) && strncmp(json_string_value(p3), "EthereumStratum/", 16) == 0)
				m->dialect = HH_DIALECT_ETHSTRATUM1;
			m->role = HH_ROLE_RESULT;
			return true;
		}
	}
	/* eth_getWork result: header hash, seed hash, boundary (32-byte words). */
	size_t n = json_array_size(result);
	if (n >= 3 && n <= 4 && is_hex_word(json_array_get(result, 0), 64) &&
	    is_hex_word(json_array_get(result, 1), 64) && is_hex_word(json_array_get(result, 2), 32)) {
		m->dialect = HH_DIALECT_ETHPROXY;
		m->role = HH_ROLE_WORK;
		return true;
	}
	return false;
}

enum hh_parse_rc hh_mining_parse(const char *text, size_t len, struct hh_mining_msg *out)
{
	memset(out, 0, sizeof(*out));
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	size_t i = 0;
	while (i < len && isspace((unsigned char)text[i]))
		i++;
	if (i >= len || (text[i] != '{' && text[i] != '['))
		return HH_PARSE_NOT_JSON;
	json_error_t jerr;
	json_t *root = json_loadb(text + i, len - i, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &jerr);
	if (!root)
		return HH_PARSE_NOT_JSON;
	enum hh_parse_rc rc = HH_PARSE_JSON;
	/* A batch: the first element decides (miners do not batch, but be fair to them). */
	json_t *msg = json_is_array(root) ? json_array_get(root, 0) : root;
	if (json_is_object(msg)) {
		const json_t *method = json_object_get(msg, "method");
		bool hit = json_is_string(method) ? classify_request(msg, json_string_value(method), out)
						  : classify_response(msg, out);
		if (hit) {
			/* Some miners name themselves outside params. */
			if (!out->agent[0])
				copy_str(out->agent, sizeof(out->agent), json_object_get(msg, "agent"));
			if (!out->login[0] && out->role == HH_ROLE_AUTH)
				copy_str(out->login, sizeof(out->login), json_object_get(msg, "worker"));
			rc = HH_PARSE_MINING;
		}
	}
	json_decref(root);
	return rc;
}
