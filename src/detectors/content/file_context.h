/* What kind of file a text finding sits in, from its path and (for domain
 * lists) its content, so that ordinary software is judged as such:
 *   docs         README*, CHANGELOG*, *.md, *.rst, *.adoc, man pages, files
 *                under docs/, doc/, /usr/share/doc/ (document types only:
 *                a .js under docs/ is code, not documentation)
 *   tests        text files under test/, tests/, __tests__/, spec/, testdata/,
 *                fixtures/, and *.test.js, *.spec.ts, test_*.py, *_test.go
 *   source map   *.map (never executed)
 *   type decls   *.d.ts (never executed)
 *   wallet lib   files of a known wallet/address library: node_modules/<lib>/
 *                or site-packages/<lib>/ (ethers, web3, bitcoinjs-lib, ...)
 *   domain list  a list of domains, one a line (hosts, adblock ||d^, plain
 *                "domain [value]"), at least 8 entries and 80% of the lines
 * Text findings in such files are lowered (content_scan.c); executables are
 * never lowered by where they sit. */
#ifndef HH_FILE_CONTEXT_H
#define HH_FILE_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>

enum hh_file_context {
	HH_FCTX_NONE = 0,
	HH_FCTX_DOCS,
	HH_FCTX_TESTS,
	HH_FCTX_SOURCE_MAP,
	HH_FCTX_TYPE_DECLS,
	HH_FCTX_WALLET_LIB,
	HH_FCTX_DOMAIN_LIST,
};

struct hh_file_ctx {
	enum hh_file_context kind;
	char why[128];   /* "documentation (README.md)", "wallet library (node_modules/ethers)" ... */
};

/* Classifies a text file. path: the path inside the filesystem or image
 * (any prefix); text may be NULL (then no content test). */
void hh_file_context(const char *path, const char *text, size_t len, struct hh_file_ctx *out);

/* True when text is a domain list as described above. Bounded: looks at the
 * first 2000 lines. */
bool hh_text_is_domain_list(const char *text, size_t len);

#endif
