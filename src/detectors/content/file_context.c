/* File context for text findings (see file_context.h). */
#include "detectors/content/file_context.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Wallet, address and chain libraries whose code, tests and docs carry
 * addresses and algorithm names by design. "x*" matches a name prefix. */
static const char *const wallet_libs[] = {
	"ethers", "@ethersproject/*", "web3", "web3-*", "@solana/web3.js", "viem", "@walletconnect/*",
	"@ethereumjs/*", "ethereumjs-*", "@metamask/*", "bitcoinjs-lib", "bitcore-lib", "bitcore-lib-*",
	"bitcore-*", "wallet-address-validator", "multicoin-address-validator", "crypto-address-validator",
	"trezor-address-validator", "monero-javascript", "monero-ts", "tronweb", "bip32", "bip39", "ecpair",
	"hdkey", "@scure/*", "@noble/*", "eth-lib", "@truffle/*", "hardhat", "@nomicfoundation/*",
	"@coinbase/*", "@binance-chain/*",
	/* Python site-packages names */
	"eth_account", "eth_utils", "eth_abi", "eth_keys", "eth_typing", "bitcoinlib", "pycoin", "monero",
	"bitcoin", "bit", "coincurve",
};

static bool name_matches(const char *name, size_t n, const char *pat)
{
	size_t pl = strlen(pat);
	if (pl && pat[pl - 1] == '*')
		return n >= pl - 1 && !memcmp(name, pat, pl - 1);
	return n == pl && !memcmp(name, pat, pl);
}

/* The package after "node_modules/" or "site-packages/" (scoped: "@a/b"). */
static bool wallet_lib_in(const char *path, const char *marker, char *lib, size_t liblen)
{
	const char *p = path, *hit = NULL;
	while ((p = strstr(p, marker)) != NULL) {
		hit = p;
		p += strlen(marker);
	}
	if (!hit)
		return false;
	const char *name = hit + strlen(marker);
	const char *slash = strchr(name, '/');
	if (!slash)
		return false;
	if (name[0] == '@') {
		slash = strchr(slash + 1, '/');
		if (!slash)
			return false;
	}
	size_t n = (size_t)(slash - name);
	for (size_t i = 0; i < sizeof(wallet_libs) / sizeof(wallet_libs[0]); i++)
		if (name_matches(name, n, wallet_libs[i])) {
			snprintf(lib, liblen, "%.*s", (int)n, name);
			return true;
		}
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static bool has_dir(const char *path, const char *dir)
{
	/* "/dir/" anywhere, or the path starting with "dir/" */
	char buf[64];
	snprintf(buf, sizeof(buf), "/%s/", dir);
	if (strstr(path, buf))
		return true;
	return !strncmp(path, buf + 1, strlen(buf + 1));
}

static bool doc_type(const char *base)
{
	static const char *const exts[] = { ".md", ".markdown", ".rst", ".adoc", ".txt", ".html", ".htm", ".org",
					    ".1", ".5", ".8", ".gz", ".ipynb" };
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (ends_with(base, exts[i]))
			return true;
	return !strchr(base, '.');
}

void hh_file_context(const char *path, const char *text, size_t len, struct hh_file_ctx *out)
{
	out->kind = HH_FCTX_NONE;
	out->why[0] = 0;
	if (!path)
		path = "";
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char lib[96];
	if (ends_with(base, ".map")) {
		out->kind = HH_FCTX_SOURCE_MAP;
		snprintf(out->why, sizeof(out->why), "source map (%.100s)", base);
	} else if (ends_with(base, ".d.ts") || ends_with(base, ".d.mts") || ends_with(base, ".d.cts")) {
		out->kind = HH_FCTX_TYPE_DECLS;
		snprintf(out->why, sizeof(out->why), "type declarations (%.100s)", base);
	} else if (wallet_lib_in(path, "node_modules/", lib, sizeof(lib)) ||
		   wallet_lib_in(path, "site-packages/", lib, sizeof(lib)) ||
		   wallet_lib_in(path, "dist-packages/", lib, sizeof(lib))) {
		out->kind = HH_FCTX_WALLET_LIB;
		snprintf(out->why, sizeof(out->why), "wallet library (%s)", lib);
	} else if (!strncasecmp(base, "README", 6) || !strncasecmp(base, "CHANGELOG", 9) ||
		   !strncasecmp(base, "CHANGES", 7) || !strncasecmp(base, "HISTORY", 7) ||
		   ends_with(base, ".md") || ends_with(base, ".markdown") || ends_with(base, ".rst") ||
		   ends_with(base, ".adoc") || strstr(path, "usr/share/doc/") || strstr(path, "usr/share/man/") ||
		   ((has_dir(path, "docs") || has_dir(path, "doc")) && doc_type(base))) {
		out->kind = HH_FCTX_DOCS;
		snprintf(out->why, sizeof(out->why), "documentation (%.100s)", base);
	} else if (has_dir(path, "test") || has_dir(path, "tests") || has_dir(path, "__tests__") ||
		   has_dir(path, "spec") || has_dir(path, "testdata") || has_dir(path, "fixtures") ||
		   strstr(base, ".test.") || strstr(base, ".spec.") || !strncmp(base, "test_", 5) ||
		   ends_with(base, "_test.go") || ends_with(base, "_test.py")) {
		out->kind = HH_FCTX_TESTS;
		snprintf(out->why, sizeof(out->why), "tests (%.100s)", base);
	} else if (text && hh_text_is_domain_list(text, len)) {
		out->kind = HH_FCTX_DOMAIN_LIST;
		snprintf(out->why, sizeof(out->why), "domain list, one a line (%.100s)", base);
	}
}

/* "example.com", "example.com 99", "0.0.0.0 example.com", "||example.com^" */
static bool domain_line(const char *s, size_t n)
{
	size_t i = 0;
	if (n >= 2 && s[0] == '|' && s[1] == '|')
		i = 2;
	else if ((n > 8 && !memcmp(s, "0.0.0.0", 7) && (s[7] == ' ' || s[7] == '\t')) ||
		 (n > 10 && !memcmp(s, "127.0.0.1", 9) && (s[9] == ' ' || s[9] == '\t'))) {
		i = s[1] == '.' ? 8 : 10;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
	}
	size_t start = i, dots = 0;
	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '.' || s[i] == '*' || s[i] == '_')) {
		dots += s[i] == '.';
		i++;
	}
	if (i - start < 4 || !dots)
		return false;
	if (i < n && s[i] == '^')
		i++;
	if (i == n)
		return true;
	if (s[i] != ' ' && s[i] != '\t' && s[i] != ',' && s[i] != '$')
		return false;
	/* a short trailing value (category id, option list) */
	return n - i <= 40 && !memchr(s + i, '(', n - i) && !memchr(s + i, '=', n - i);
}

bool hh_text_is_domain_list(const char *text, size_t len)
{
	size_t i = 0, lines = 0, domains = 0, other = 0;
	while (i < len && lines < 2000) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *s = text + i;
		size_t n = end - i;
		i = end + 1;
		while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		while (n && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		if (!n || *s == '#' || *s == '!' || *s == ';' || *s == '[')
			continue;
		lines++;
		if (domain_line(s, n))
			domains++;
		else
			other++;
	}
	return domains >= 8 && domains * 5 >= (domains + other) * 4;
}
