/* Mining-protocol messages: one JSON-RPC message (a line of a Stratum-family
 * stream, or an HTTP body) parsed with jansson and classified.
 *
 * The classification looks at the parsed structure, never at bytes: spacing,
 * member order, and the presence of "jsonrpc", "id", "agent" or "worker" do
 * not matter. Dialects:
 *   stratum-v1        mining.subscribe/authorize/notify/submit/set_difficulty/...
 *   cryptonote        login/job/submit/keepalived/getjob (XMRig, xmr-stak, cpuminer-multi)
 *   ethproxy          eth_submitLogin/eth_getWork/eth_submitWork/eth_submitHashrate
 *   ethereumstratum1  EthereumStratum/1.0.0 (NiceHash): mining.subscribe with that protocol
 *   ethereumstratum2  EthereumStratum/2.0.0: mining.hello
 *   getwork           getwork / getblocktemplate / submitblock (HTTP JSON-RPC)
 * Responses (no method) are recognised by shape where the shape is specific:
 * a CryptoNote login result carrying a job, a Stratum subscribe result, an
 * eth_getWork result of three 32-byte hex words. */
#ifndef HH_NET_STRATUM_H
#define HH_NET_STRATUM_H

#include <stdbool.h>
#include <stddef.h>

enum hh_mining_dialect {
	HH_DIALECT_NONE = 0,
	HH_DIALECT_STRATUM_V1,
	HH_DIALECT_CRYPTONOTE,
	HH_DIALECT_ETHPROXY,
	HH_DIALECT_ETHSTRATUM1,
	HH_DIALECT_ETHSTRATUM2,
	HH_DIALECT_GETWORK,
	HH_DIALECT_STRATUM_V2,
};

/* What a message does in a mining session. */
enum hh_mining_role {
	HH_ROLE_NONE = 0,
	HH_ROLE_HELLO,     /* subscribe, hello, configure */
	HH_ROLE_AUTH,      /* login, authorize, eth_submitLogin */
	HH_ROLE_WORK,      /* job, notify, getwork result, set_difficulty/target */
	HH_ROLE_GETWORK,   /* client asks for work (eth_getWork, getwork, getjob) */
	HH_ROLE_SUBMIT,    /* share submission */
	HH_ROLE_KEEPALIVE, /* keepalived, hashrate reports */
	HH_ROLE_RESULT,    /* a response whose shape is mining-specific */
};

struct hh_mining_msg {
	enum hh_mining_dialect dialect;
	enum hh_mining_role role;
	char method[48];     /* "mining.subscribe", "login", "" for responses */
	char agent[128];     /* miner software when the message names it */
	char login[192];     /* wallet/user as sent (mask before reporting) */
	char algo[48];       /* CryptoNote "algo" or "rx/0" lists, first entry */
	bool ethstratum;     /* subscribe params named EthereumStratum/1.0.0 */
};

enum hh_parse_rc {
	HH_PARSE_MINING = 1,   /* a mining-protocol message */
	HH_PARSE_JSON = 0,     /* valid JSON, not mining */
	HH_PARSE_NOT_JSON = -1,
};

/* Parses one message of len bytes (no NUL needed; trailing CR/LF/space ok). */
enum hh_parse_rc hh_mining_parse(const char *text, size_t len, struct hh_mining_msg *out);

/* Role and dialect of a method name from the table (no params check: for
 * sessions already confirmed by hh_mining_parse). False when unknown. */
bool hh_mining_method_lookup(const char *method, enum hh_mining_dialect *dialect, enum hh_mining_role *role);

/* Finds the "method" member's string value of a JSON text by scanning, not
 * parsing (any spacing). Used to count messages of a session that full
 * parsing has already confirmed. False when there is none. */
bool hh_mining_quick_method(const char *text, size_t len, char *out, size_t n);

const char *hh_dialect_name(enum hh_mining_dialect d);
const char *hh_role_name(enum hh_mining_role r);

/* Masks a wallet or login for reports: keeps the first and last keep chars
 * ("4BCeEP...CDm.ryzen" keeps a worker suffix after '.' or '+' unmasked up to 32 chars). */
void hh_mask_login(const char *login, char *out, size_t n, size_t keep);

#endif
