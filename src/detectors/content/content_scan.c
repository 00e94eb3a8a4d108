/* One file's content checks (see content_scan.h). */
#include "detectors/content/content_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detectors/content/base64_runs.h"
#include "detectors/content/exe_sections.h"
#include "detectors/content/file_context.h"
#include "detectors/content/script_checks.h"
#include "detectors/content/wasm_module.h"
#include "detectors/content/yara_pack.h"
#include "detectors/indicators/exe_traits.h"
#include "detectors/indicators/text_indicators.h"
#include "detectors/indicators/wallet.h"
#include "enrich/intel/intel.h"
#include "core/log.h"

#define MAX_IND 32
#define MAX_HITS 16

struct hh_content {
	struct hh_content_opts o;
	struct hh_yara_pack *yara;
	struct hh_intel *intel;
	/* One pass over text for the indicator patterns, the dropper words and
	 * the YARA text prefilter (has_pass false: each on its own). */
	bool has_pass;
	struct hh_indicator_pass pass;
	uint64_t drop_mask, yara_mask;
};

static void build_pass(struct hh_content *c)
{
	struct hh_mm_pattern extra[HH_IND_MAX_EXTRA];
	size_t n = 0;
	for (size_t i = 0; i < HH_DROPPER_N_KEYS; i++)
		extra[n++] = (struct hh_mm_pattern){ hh_dropper_keys[i], false, 0 };
	c->drop_mask = (1ull << n) - 1;
	const struct hh_mm_pattern *yp;
	size_t ny = hh_yara_pack_text_patterns(c->yara, &yp);
	if (!ny || n + ny > HH_IND_MAX_EXTRA)
		return; /* YARA's own prefilter (or none) decides; the pass still helps droppers */
	for (size_t i = 0; i < ny; i++) {
		c->yara_mask |= 1ull << n;
		extra[n++] = yp[i];
	}
	c->has_pass = hh_indicator_pass_build(&c->pass, extra, n) == 0;
}

void hh_content_opts_from_config(struct hh_content_opts *o, const struct hh_config *cfg)
{
	o->text_max_bytes = (size_t)(cfg ? hh_config_int(cfg, NULL, "scan.text_max_bytes", 8 << 20) : 8 << 20);
	o->b64_min_run = (size_t)(cfg ? hh_config_int(cfg, NULL, "scan.base64_min_run", 24) : 24);
	o->b64_max_decoded = (size_t)(cfg ? hh_config_int(cfg, NULL, "scan.base64_max_decoded", 1 << 20) : 1 << 20);
	o->b64_depth = (int)(cfg ? hh_config_int(cfg, NULL, "scan.base64_depth", 3) : 3);
	o->entropy_packed = cfg ? hh_config_num(cfg, NULL, "scan.entropy_packed", 7.4) : 7.4;
	o->n_intel_files = 0;
	const json_t *files = cfg ? hh_config_get(cfg, NULL, "scan.intel_files") : NULL;
	for (size_t i = 0; i < json_array_size(files) && o->n_intel_files < HH_CONTENT_MAX_INTEL; i++)
		if (json_string_value(json_array_get(files, i)))
			o->intel_files[o->n_intel_files++] = json_string_value(json_array_get(files, i));
}

struct hh_content *hh_content_new(const struct hh_content_opts *opts, const char *const *yara_paths,
				  size_t n_yara, char *err, size_t errlen)
{
	struct hh_content *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->o = *opts;
	c->yara = hh_yara_pack_new(yara_paths, n_yara, err, errlen);
	if (!c->yara) {
		free(c);
		return NULL;
	}
	build_pass(c);
	c->intel = hh_intel_new();
	if (!c->intel || hh_intel_load_builtin(c->intel, NULL) < 0) {
		snprintf(err, errlen, "cannot load the built-in pool intel");
		hh_content_free(c);
		return NULL;
	}
	for (size_t i = 0; i < opts->n_intel_files; i++) {
		if (hh_intel_load_file(c->intel, opts->intel_files[i], NULL, err, errlen) < 0) {
			hh_content_free(c);
			return NULL;
		}
	}
	return c;
}

void hh_content_free(struct hh_content *c)
{
	if (!c)
		return;
	hh_yara_pack_free(c->yara);
	hh_intel_free(c->intel);
	if (c->has_pass)
		hh_indicator_pass_free(&c->pass);
	free(c);
}

const struct hh_intel *hh_content_intel(const struct hh_content *c)
{
	return c->intel;
}

size_t hh_content_rule_count(const struct hh_content *c)
{
	return hh_yara_pack_rule_count(c->yara);
}

static struct hh_finding *mk(struct hh_findings *out, const char *rule, const char *title, enum hh_severity sev,
			     double conf, const char *display, const char *mitre)
{
	struct hh_finding *f = hh_finding_new("scan", rule, title, sev, conf);
	if (!f)
		return NULL;
	if (mitre)
		hh_finding_add_mitre(f, mitre);
	hh_finding_set_str(f, "file.path", display);
	hh_findings_push(out, f);
	return f;
}

static bool looks_binary(const uint8_t *d, size_t len)
{
	size_t n = len < 8192 ? len : 8192;
	return memchr(d, 0, n) != NULL;
}

/* ---- text analysis, recursive through base64 ---- */

struct text_result {
	struct hh_indicator ind[MAX_IND];
	size_t n_ind;
	bool yara_may;              /* the YARA text rules can match (prefilter) */
	bool dropper;
	struct hh_dropper drop;
	/* the first base64 decoding that carried something */
	bool b64;
	int b64_align;
	size_t b64_offset;
	char b64_text[160];
	struct hh_indicator b64_ind[MAX_IND];
	size_t b64_n_ind;
	bool b64_dropper;
	struct hh_dropper b64_drop;
};

struct b64_ctx {
	const struct hh_content *c;
	struct text_result *r;
	int depth;
};

static void analyze_text(const struct hh_content *c, const char *text, size_t len, int depth, struct text_result *r);

static bool on_b64(void *user, size_t off, int align, const char *dec, size_t len)
{
	struct b64_ctx *bc = user;
	struct text_result *inner = calloc(1, sizeof(*inner));
	if (!inner)
		return false;
	analyze_text(bc->c, dec, len, bc->depth + 1, inner);
	bool carried = inner->n_ind || inner->dropper || inner->b64;
	if (carried && !bc->r->b64) {
		struct text_result *r = bc->r;
		r->b64 = true;
		r->b64_align = align;
		r->b64_offset = off;
		size_t k = len < sizeof(r->b64_text) - 1 ? len : sizeof(r->b64_text) - 1;
		for (size_t i = 0; i < k; i++)
			r->b64_text[i] = ((unsigned char)dec[i] < 0x20) ? ' ' : dec[i];
		r->b64_text[k] = 0;
		/* Indicators from this and deeper decodings. */
		memcpy(r->b64_ind, inner->ind, inner->n_ind * sizeof(inner->ind[0]));
		r->b64_n_ind = inner->n_ind;
		for (size_t i = 0; i < inner->b64_n_ind && r->b64_n_ind < MAX_IND; i++)
			r->b64_ind[r->b64_n_ind++] = inner->b64_ind[i];
		r->b64_dropper = inner->dropper || inner->b64_dropper;
		r->b64_drop = inner->dropper ? inner->drop : inner->b64_drop;
	}
	free(inner);
	return !bc->r->b64;
}

/* Wallet addresses are alphanumeric tokens of 26+ characters: each lies in a
 * base64-alphabet run of 26+, so the base64 pass hands its runs over and the
 * tokens are looked for only there (one pass less over the text). */
struct run_wallets {
	const char *text;
	struct hh_wallet_match w[16];
	size_t n;
};

static void on_run(void *user, size_t start, size_t end)
{
	struct run_wallets *rw = user;
	if (end - start < 26 || rw->n >= 16)
		return;
	size_t k = hh_wallet_scan(rw->text + start, end - start, rw->w + rw->n, 16 - rw->n);
	for (size_t i = 0; i < k; i++)
		rw->w[rw->n + i].offset += start;
	rw->n += k;
}

static void analyze_text(const struct hh_content *c, const char *text, size_t len, int depth, struct text_result *r)
{
	bool b64 = depth < c->o.b64_depth;
	/* runs shorter than 26 must be reported for the wallets to come out of the base64 pass */
	bool fused = c->has_pass && b64 && c->o.b64_min_run <= 26;
	if (c->has_pass) {
		uint64_t seen = 0;
		struct hh_extra_offsets *at = malloc(sizeof(*at)); /* NULL: the dropper search finds them itself */
		if (at)
			at->mask = c->drop_mask;
		r->n_ind = hh_indicators_scan_pass(&c->pass, text, len, r->ind, MAX_IND, !fused, &seen, at);
		r->yara_may = (seen & c->yara_mask) != 0;
		/* the pass saw where the dropper words are: only their lines are checked */
		if (seen & c->drop_mask)
			r->dropper = at ? hh_find_dropper_at(text, len, at->off, at->n, !at->full, &r->drop)
					: hh_find_dropper(text, len, &r->drop);
		free(at);
	} else {
		r->n_ind = hh_indicators_scan(text, len, r->ind, MAX_IND);
		r->yara_may = hh_yara_pack_text_may_match(c->yara, (const uint8_t *)text, len);
		r->dropper = hh_find_dropper(text, len, &r->drop);
	}
	if (b64) {
		struct run_wallets *rw = fused ? malloc(sizeof(*rw)) : NULL;
		if (fused && !rw) {
			/* no memory for the fused path: the wallets on their own */
			r->n_ind = hh_indicators_scan(text, len, r->ind, MAX_IND);
			fused = false;
		}
		if (rw) {
			rw->text = text;
			rw->n = 0;
		}
		struct hh_b64_limits lim = { c->o.b64_min_run, c->o.b64_max_decoded, rw ? on_run : NULL, rw };
		struct b64_ctx bc = { c, r, depth };
		hh_b64_scan(text, len, &lim, on_b64, &bc);
		if (rw)
			r->n_ind = hh_indicators_add_wallets(text, len, r->ind, r->n_ind, MAX_IND, rw->w, rw->n);
		free(rw);
	}
}

static bool has_kind(const struct hh_indicator *ind, size_t n, enum hh_indicator_kind k)
{
	for (size_t i = 0; i < n; i++)
		if (ind[i].kind == k)
			return true;
	return false;
}

struct persist_ctx {
	const struct hh_content *c;
	struct hh_findings *out;
	const char *display;
	enum hh_persist_kind kind;
	size_t flagged, entries;
	char first_cmd[200];
	size_t first_line;
};

static void copy_printable(char *dst, size_t n, const char *s, size_t len)
{
	size_t k = len < n - 1 ? len : n - 1;
	for (size_t i = 0; i < k; i++)
		dst[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? ' ' : s[i];
	dst[k] = 0;
}

static void on_persist_cmd(void *user, const char *cmd, size_t len, size_t line_no)
{
	struct persist_ctx *pc = user;
	pc->entries++;
	if (!pc->first_cmd[0]) {
		copy_printable(pc->first_cmd, sizeof(pc->first_cmd), cmd, len);
		pc->first_line = line_no;
	}
	struct hh_indicator ind[MAX_IND];
	size_t n = hh_indicators_scan(cmd, len, ind, MAX_IND);
	struct hh_dropper d;
	bool drop = hh_find_dropper(cmd, len, &d);
	bool staged = hh_cmd_runs_staged(cmd, len);
	if (!n && !drop && !staged)
		return;
	pc->flagged++;
	const char *k = hh_persist_name(pc->kind);
	char rule[64], title[160];
	snprintf(rule, sizeof(rule), "scan.persistence.%s", k);
	snprintf(title, sizeof(title), "%s persistence starts a %s", k,
		 n ? "miner" : drop ? "downloaded script" : "program from a staging directory");
	enum hh_severity sev = n || drop ? HH_SEV_HIGH : HH_SEV_MEDIUM;
	struct hh_finding *f = mk(pc->out, rule, title, sev, n ? 0.9 : 0.7, pc->display,
				  pc->kind == HH_PERSIST_CRON ? "T1053.003" : pc->kind == HH_PERSIST_SYSTEMD ? "T1543.002" : "T1037");
	if (!f)
		return;
	if (n)
		hh_finding_add_mitre(f, "T1496");
	char buf[200];
	copy_printable(buf, sizeof(buf), cmd, len);
	hh_finding_set_int(f, "file.line", (long long)line_no);
	hh_finding_set_str(f, "proc.cmdline", buf);
	hh_finding_evidence_str(f, "persistence.command", buf);
	if (n)
		hh_indicators_to_evidence(f, "command", ind, n);
	if (drop)
		hh_finding_evidence_str(f, "dropper", d.kind);
	if (staged)
		hh_finding_evidence_str(f, "runs.from", "staging directory (/tmp, /dev/shm, /var/tmp or a hidden path)");
}

/* r: analyze_text's result for this text, owned (freed) here. */
static void check_text(struct hh_content *c, const char *fs_path, const char *display, const char *text,
		       size_t len, struct text_result *r, struct hh_findings *out)
{
	enum hh_persist_kind pk = hh_persist_kind(fs_path);

	if (r->n_ind) {
		char why[128];
		enum hh_severity sev = hh_indicators_assess(r->ind, r->n_ind, why, sizeof(why));
		bool config = has_kind(r->ind, r->n_ind, HH_IND_POOL_CONFIG);
		struct hh_finding *f = mk(out, config ? "miner.config" : "miner.indicators",
					  config ? "Miner configuration (pools, wallets, algorithms)"
						 : "Miner indicators in a file",
					  sev, sev >= HH_SEV_HIGH ? 0.9 : 0.6, display, "T1496");
		if (f) {
			hh_indicators_to_evidence(f, "content", r->ind, r->n_ind);
			hh_finding_set_severity(f, sev, why);
		}
	}
	char domains[4][96];
	size_t nd = hh_intel_scan_text(c->intel, text, len, domains, 4);
	if (nd) {
		/* A pool domain alone is weak (docs, allow-lists); with other miner indicators it is not. */
		enum hh_severity sev = r->n_ind ? HH_SEV_HIGH : HH_SEV_MEDIUM;
		struct hh_finding *f = mk(out, "miner.pool-domain", "Mining-pool domain from the intel set in a file", sev,
					  r->n_ind ? 0.8 : 0.5, display, "T1496");
		if (f) {
			for (size_t i = 0; i < nd; i++)
				hh_finding_evidence_str(f, "pool.domain", domains[i]);
			hh_finding_set_severity(f, sev, r->n_ind ? "pool domain with miner indicators"
							      : "pool domain alone: weak (docs, allow-lists)");
		}
	}
	if (r->dropper) {
		bool strong = pk != HH_PERSIST_NONE || r->n_ind;
		struct hh_finding *f = mk(out, "scan.dropper.pipe-shell",
					  "Script pipes a download (or a decoded blob) into a shell",
					  strong ? HH_SEV_HIGH : HH_SEV_MEDIUM, 0.7, display, "T1105");
		if (f) {
			hh_finding_set_severity(f, f->severity,
						pk != HH_PERSIST_NONE ? "in a persistence file"
						: r->n_ind	      ? "with miner indicators"
								      : "download run by a shell, nothing else");
			hh_finding_add_mitre(f, "T1059.004");
			hh_finding_evidence_str(f, "line", r->drop.line);
			hh_finding_evidence_str(f, "kind", r->drop.kind);
			hh_finding_evidence_num(f, "offset", (double)r->drop.offset);
		}
	}
	if (r->b64) {
		bool strong = r->b64_dropper || hh_indicators_severity(r->b64_ind, r->b64_n_ind) >= HH_SEV_HIGH;
		struct hh_finding *f = mk(out, "scan.dropper.base64", "Base64-wrapped command or miner configuration",
					  strong ? HH_SEV_HIGH : HH_SEV_MEDIUM, 0.8, display, "T1027");
		if (f) {
			hh_finding_add_mitre(f, "T1140");
			if (r->b64_n_ind)
				hh_finding_add_mitre(f, "T1496");
			hh_finding_evidence_str(f, "decoded", r->b64_text);
			hh_finding_evidence_num(f, "offset", (double)r->b64_offset);
			hh_finding_evidence_num(f, "alignment", r->b64_align);
			if (r->b64_dropper)
				hh_finding_evidence_str(f, "decoded.dropper", r->b64_drop.line);
			hh_indicators_to_evidence(f, "decoded", r->b64_ind, r->b64_n_ind);
		}
	}
	if (pk != HH_PERSIST_NONE) {
		struct persist_ctx pc = { c, out, display, pk, 0, 0, "", 0 };
		hh_persist_commands(pk, text, len, on_persist_cmd, &pc);
		/* A cron or systemd entry that starts nothing suspicious is still worth
		 * knowing in an image (images rarely ship scheduled jobs). */
		if (!pc.flagged && pc.entries && (pk == HH_PERSIST_CRON || pk == HH_PERSIST_SYSTEMD)) {
			char rule[64];
			snprintf(rule, sizeof(rule), "scan.persistence.%s-entry", hh_persist_name(pk));
			struct hh_finding *f = mk(out, rule, "Image ships a scheduled or service start entry", HH_SEV_INFO,
						  0.5, display, pk == HH_PERSIST_CRON ? "T1053.003" : "T1543.002");
			if (f) {
				hh_finding_evidence_str(f, "first.command", pc.first_cmd);
				hh_finding_evidence_num(f, "entries", (double)pc.entries);
				hh_finding_set_int(f, "file.line", (long long)pc.first_line);
			}
		}
	}
	free(r);
}

/* traits: the trait strings the YARA pass saw (NULL: that pass did not run
 * or failed, so they are looked for here). */
static void check_exe(struct hh_content *c, const char *display, const uint8_t *data, size_t len,
		      const struct hh_exe_info *x, bool yara_miner, const uint64_t *traits, struct hh_findings *out)
{
	struct hh_traits t;
	hh_traits_init(&t);
	if (traits)
		t.seen = *traits;
	else
		hh_traits_feed(&t, data, len);
	char fam[256];
	int nfam = hh_traits_result(&t, fam, sizeof(fam));
	const char *kind = x->kind == HH_EXE_ELF ? "ELF" : "PE";
	if (nfam > 0) {
		bool ss = x->kind == HH_EXE_ELF && x->is_static && x->stripped;
		struct hh_finding *f =
			mk(out, ss ? "miner.exe.static-stripped" : "miner.exe.traits",
			   ss ? "Static stripped executable carrying miner traits" : "Executable carrying miner traits",
			   HH_SEV_HIGH, ss || yara_miner ? 0.95 : 0.85, display, "T1496");
		if (f) {
			hh_finding_evidence_str(f, "trait.families", fam);
			hh_finding_evidence_str(f, "format", kind);
			if (x->kind == HH_EXE_ELF) {
				hh_finding_evidence_str(f, "linking", x->is_static ? "static" : "dynamic");
				hh_finding_evidence_str(f, "symbols", x->stripped ? "stripped" : "present");
			}
			if (x->max_entropy > 0)
				hh_finding_evidencef(f, "max.section.entropy", "%.2f (%s)", x->max_entropy,
						     x->max_entropy_section);
		}
	}
	if (x->upx) {
		struct hh_finding *f = mk(out, "scan.packed.upx", "UPX-packed executable",
					  nfam > 0 || yara_miner ? HH_SEV_HIGH : HH_SEV_MEDIUM, 0.9, display, "T1027.002");
		if (f) {
			hh_finding_evidence_str(f, "format", kind);
			hh_finding_evidencef(f, "max.section.entropy", "%.2f (%s)", x->max_entropy, x->max_entropy_section);
		}
	} else if (x->max_entropy >= c->o.entropy_packed) {
		bool ss = x->kind == HH_EXE_ELF && x->is_static && x->stripped;
		enum hh_severity sev = nfam > 0 || yara_miner ? HH_SEV_HIGH : ss ? HH_SEV_MEDIUM : HH_SEV_LOW;
		struct hh_finding *f = mk(out, "scan.packed.entropy", "Executable with a high-entropy (packed or encrypted) section",
					  sev, 0.5, display, "T1027.002");
		if (f) {
			hh_finding_set_severity(f, sev,
						nfam > 0 || yara_miner ? "with miner code"
						: ss		       ? "static stripped program"
						: x->shared_lib	       ? "shared library (ET_DYN with a soname or no entry): context"
								       : "dynamic executable: context");
			hh_finding_evidencef(f, "section", "%s", x->max_entropy_section);
			hh_finding_evidence_num(f, "entropy.bits_per_byte", x->max_entropy);
			hh_finding_evidencef(f, "threshold", "%.2f", c->o.entropy_packed);
			if (ss)
				hh_finding_evidence_str(f, "elf", "static, stripped");
		}
	}
}

static void check_wasm(const char *display, const struct hh_wasm_info *w, struct hh_findings *out)
{
	if (w->miner_names) {
		struct hh_finding *f = mk(out, "miner.wasm.cryptonight", "WebAssembly module with CryptoNight/RandomX hashing",
					  HH_SEV_HIGH, 0.9, display, "T1496");
		if (f) {
			hh_finding_evidence_str(f, "function", w->miner_name);
			hh_finding_evidence_num(f, "miner.names", w->miner_names);
			hh_finding_evidence_str(f, "aes.table", w->aes_sbox ? "yes" : "no");
			hh_finding_evidence_str(f, "keccak.constants", w->keccak_rc ? "yes" : "no");
		}
	} else if (w->aes_sbox && w->keccak_rc) {
		struct hh_finding *f = mk(out, "miner.wasm.hash-tables",
					  "WebAssembly module with the AES and Keccak tables CryptoNight uses",
					  HH_SEV_MEDIUM, 0.6, display, "T1496");
		if (f) {
			hh_finding_evidence_num(f, "exports", (double)w->n_exports);
			hh_finding_evidence_num(f, "names", (double)w->n_names);
		}
	}
}

/* Text findings in documentation, tests, source maps, type declarations, a
 * wallet library or a domain list: two levels lower, never below low (what
 * was found stays visible as context). Executables are not lowered. */
static void lower_for_context(struct hh_findings *out, size_t from, const char *fs_path, const char *text,
			      size_t len)
{
	struct hh_file_ctx ctx;
	hh_file_context(fs_path, text, len, &ctx);
	if (ctx.kind == HH_FCTX_NONE)
		return;
	for (size_t i = from; i < out->n; i++) {
		struct hh_finding *f = out->items[i];
		hh_finding_set_str(f, "file.context", ctx.why);
		if (f->severity <= HH_SEV_LOW)
			continue;
		enum hh_severity sev = f->severity >= HH_SEV_LOW + 2 ? f->severity - 2 : HH_SEV_LOW;
		hh_finding_set_severity(f, sev, ctx.why);
	}
}

bool hh_content_is_compressed(const uint8_t *b, size_t n)
{
	return (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) || (n >= 4 && !memcmp(b, "\x28\xb5\x2f\xfd", 4)) ||
	       (n >= 6 && !memcmp(b, "\xfd" "7zXZ\0", 6)) || (n >= 4 && !memcmp(b, "BZh", 3) && b[3] >= '1' && b[3] <= '9');
}

size_t hh_content_scan(struct hh_content *c, const char *fs_path, const char *display, const uint8_t *data,
		       size_t len, struct hh_findings *out, char *err, size_t errlen)
{
	return hh_content_scan_flags(c, fs_path, display, data, len, 0, out, err, errlen);
}

size_t hh_content_scan_flags(struct hh_content *c, const char *fs_path, const char *display, const uint8_t *data,
			     size_t len, unsigned flags, struct hh_findings *out, char *err, size_t errlen)
{
	size_t before = out->n;
	if (err && errlen)
		err[0] = 0;
	if (!len)
		return 0;

	struct hh_yara_hit hits[MAX_HITS];
	char yerr[160];
	bool exe = len >= 4 && (!memcmp(data, "\x7f" "ELF", 4) || (data[0] == 'M' && data[1] == 'Z'));
	/* plain text gets only the rules that can match text (one YARA pass either way) */
	bool plain = !looks_binary(data, len);
	bool text = !exe && plain;
	/* text: one pass finds indicators, dropper words and the YARA rules' strings */
	struct text_result *tr = plain && len <= c->o.text_max_bytes ? calloc(1, sizeof(*tr)) : NULL;
	if (tr)
		analyze_text(c, (const char *)data, len, 0, tr);
	bool skip_yara = ((flags & HH_CONTENT_OPENED_STREAM) && hh_content_is_compressed(data, len)) ||
			 (text && !(tr ? tr->yara_may : hh_yara_pack_text_may_match(c->yara, data, len)));
	/* executables: the trait strings come out of the same YARA pass */
	uint64_t traits = 0;
	bool traits_known = false;
	int nh = 0;
	if (exe && !skip_yara && !hh_yara_pack_exe_may_match(c->yara, data, len)) {
		/* none of the rules' strings nor a needed trait string: nothing to find */
		traits_known = true;
	} else if (exe && !skip_yara) {
		nh = hh_yara_pack_scan_traits(c->yara, data, len, hits, MAX_HITS, &traits, yerr, sizeof(yerr));
		traits_known = !yerr[0];
	} else if (!skip_yara) {
		nh = hh_yara_pack_scan_kind(c->yara, data, len, text, hits, MAX_HITS, yerr, sizeof(yerr));
	}
	if (nh < 0) {
		if (err)
			snprintf(err, errlen, "%s", yerr);
		nh = 0;
	}
	bool yara_miner = false;
	for (int i = 0; i < nh; i++) {
		/* executable rules speak of executables; configs are judged by the indicators */
		if (!strncmp(hits[i].rule, "miner.exe.", 10) && !exe)
			continue;
		/* proof-of-work code outside an executable (wasm, data) is what
		 * wallet libraries ship too (monero-javascript's wallet wasm holds
		 * CryptoNight): medium, not high, until other evidence joins it */
		bool algo_data = !exe && !strncmp(hits[i].rule, "miner.algo.", 11);
		enum hh_severity sev = hits[i].severity;
		if (algo_data && sev > HH_SEV_MEDIUM)
			sev = HH_SEV_MEDIUM;
		struct hh_finding *f = mk(out, hits[i].rule, hits[i].title, sev, hits[i].ours ? 0.85 : 0.7,
					  display, hits[i].ours ? "T1496" : NULL);
		if (!f)
			continue;
		if (algo_data)
			hh_finding_evidence_str(f, "context",
						"not an executable: wallet libraries carry proof-of-work code too");
		/* code that computes a proof-of-work algorithm counts like a miner executable */
		if (!strncmp(hits[i].rule, "miner.exe.", 10) || !strncmp(hits[i].rule, "miner.algo.", 11))
			yara_miner = true;
		hh_finding_evidence_str(f, "yara.rule", hits[i].rule);
		hh_finding_evidence_str(f, "yara.strings", hits[i].strings);
	}

	struct hh_exe_info x;
	struct hh_wasm_info w;
	if (hh_exe_parse(data, len, &x) != HH_EXE_NONE) {
		check_exe(c, display, data, len, &x, yara_miner, traits_known ? &traits : NULL, out);
		if (err && x.error[0] && x.kind == HH_EXE_ELF && !err[0])
			snprintf(err, errlen, "malformed ELF: %s", x.error);
	} else if (hh_wasm_parse(data, len, &w)) {
		check_wasm(display, &w, out);
		if (err && w.error[0] && !err[0])
			snprintf(err, errlen, "malformed wasm: %s", w.error);
	} else {
		if (tr) {
			check_text(c, fs_path, display, (const char *)data, len, tr, out);
			tr = NULL;
		}
		if (plain && out->n > before)
			lower_for_context(out, before, fs_path, (const char *)data, len);
	}
	free(tr);
	return out->n - before;
}
