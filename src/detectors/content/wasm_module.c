/* WebAssembly section walker (see wasm_module.h). */
#include "detectors/content/wasm_module.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define WASM_MAX_SECTIONS 4096
#define WASM_MAX_VEC 100000

struct cur {
	const uint8_t *b;
	size_t len, pos;
	bool bad;
};

static uint64_t leb_u(struct cur *c)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (c->pos >= c->len) {
			c->bad = true;
			return 0;
		}
		uint8_t byte = c->b[c->pos++];
		v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80))
			return v;
	}
	c->bad = true;
	return 0;
}

static uint8_t byte_u(struct cur *c)
{
	if (c->pos >= c->len) {
		c->bad = true;
		return 0;
	}
	return c->b[c->pos++];
}

/* Returns a pointer to a name of length *n inside the buffer, NULL when bad. */
static const char *name_u(struct cur *c, size_t *n)
{
	uint64_t l = leb_u(c);
	if (c->bad || l > c->len - c->pos) {
		c->bad = true;
		return NULL;
	}
	const char *s = (const char *)c->b + c->pos;
	c->pos += (size_t)l;
	*n = (size_t)l;
	return s;
}

static const char *const miner_words[] = {
	"cryptonight", "cn_slow_hash", "cn_fast_hash", "randomx", "rx_slow_hash", "cryptonight_hash",
	"cn_hash", "hash_cn", "cnhash", "monero", "argon2_hash_xmr",
};

bool hh_wasm_miner_name(const char *name, size_t len)
{
	char low[128];
	size_t n = len < sizeof(low) - 1 ? len : sizeof(low) - 1;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		low[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
	}
	low[n] = 0;
	for (size_t i = 0; i < sizeof(miner_words) / sizeof(miner_words[0]); i++)
		if (strstr(low, miner_words[i]))
			return true;
	return false;
}

static void note_name(struct hh_wasm_info *info, const char *s, size_t n)
{
	info->n_names++;
	if (!hh_wasm_miner_name(s, n))
		return;
	if (!info->miner_names++) {
		size_t k = n < sizeof(info->miner_name) - 1 ? n : sizeof(info->miner_name) - 1;
		for (size_t i = 0; i < k; i++)
			info->miner_name[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
		info->miner_name[k] = 0;
	}
}

static void fail(struct hh_wasm_info *info, const char *what, size_t off)
{
	if (!info->error[0])
		snprintf(info->error, sizeof(info->error), "%s at offset %zu", what, off);
}

static void limits_u(struct cur *c)
{
	uint8_t flag = byte_u(c);
	leb_u(c);
	if (flag & 1)
		leb_u(c);
}

static void parse_imports(struct cur *c, struct hh_wasm_info *info)
{
	uint64_t n = leb_u(c);
	for (uint64_t i = 0; i < n && i < WASM_MAX_VEC && !c->bad; i++) {
		size_t l1 = 0, l2 = 0;
		name_u(c, &l1);
		const char *field = name_u(c, &l2);
		if (c->bad)
			break;
		note_name(info, field, l2);
		info->n_imports++;
		switch (byte_u(c)) {
		case 0: leb_u(c); break;                  /* func: type index */
		case 1: byte_u(c); limits_u(c); break;    /* table: reftype, limits */
		case 2: limits_u(c); break;               /* memory */
		case 3: byte_u(c); byte_u(c); break;      /* global: valtype, mut */
		default: c->bad = true;
		}
	}
}

static void parse_exports(struct cur *c, struct hh_wasm_info *info)
{
	uint64_t n = leb_u(c);
	for (uint64_t i = 0; i < n && i < WASM_MAX_VEC && !c->bad; i++) {
		size_t l = 0;
		const char *s = name_u(c, &l);
		byte_u(c);
		leb_u(c);
		if (c->bad)
			break;
		note_name(info, s, l);
		info->n_exports++;
	}
}

/* The "name" custom section: subsection 1 holds function names. */
static void parse_name_section(struct cur *c, struct hh_wasm_info *info)
{
	while (c->pos < c->len && !c->bad) {
		uint8_t id = byte_u(c);
		uint64_t size = leb_u(c);
		if (c->bad || size > c->len - c->pos) {
			c->bad = true;
			return;
		}
		struct cur sub = { c->b + c->pos, (size_t)size, 0, false };
		c->pos += (size_t)size;
		if (id != 1)
			continue;
		uint64_t n = leb_u(&sub);
		for (uint64_t i = 0; i < n && i < WASM_MAX_VEC && !sub.bad; i++) {
			size_t l = 0;
			leb_u(&sub);
			const char *s = name_u(&sub, &l);
			if (!sub.bad)
				note_name(info, s, l);
		}
		if (sub.bad)
			c->bad = true;
	}
}

static const uint8_t aes_sbox16[16] = { 0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5,
					0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76 };
/* Keccak-f[1600] round constants 1..3, 64-bit little-endian as C tables store them. */
static const uint8_t keccak_rc24[24] = {
	0x01, 0, 0, 0, 0, 0, 0, 0,
	0x82, 0x80, 0, 0, 0, 0, 0, 0,
	0x8a, 0x80, 0, 0, 0, 0, 0, 0x80,
};
/* AES T-table Te0 first entry, as software AES (CryptoNight's) uses it. */
static const uint8_t aes_te0[8] = { 0xa5, 0x63, 0x63, 0xc6, 0x84, 0x7c, 0x7c, 0xf8 };

bool hh_wasm_parse(const uint8_t *buf, size_t len, struct hh_wasm_info *info)
{
	memset(info, 0, sizeof(*info));
	if (len < 8 || memcmp(buf, "\0asm", 4))
		return false;
	info->is_wasm = true;
	if (buf[4] != 1 || buf[5] || buf[6] || buf[7])
		fail(info, "unknown wasm version", 4);
	struct cur c = { buf, len, 8, false };
	while (c.pos < len) {
		size_t at = c.pos;
		uint8_t id = byte_u(&c);
		uint64_t size = leb_u(&c);
		if (c.bad || size > len - c.pos) {
			fail(info, "section size past end of module", at);
			break;
		}
		if (++info->n_sections > WASM_MAX_SECTIONS) {
			fail(info, "too many sections", at);
			break;
		}
		struct cur s = { buf + c.pos, (size_t)size, 0, false };
		c.pos += (size_t)size;
		switch (id) {
		case 0: {
			size_t nl = 0;
			const char *nm = name_u(&s, &nl);
			if (!s.bad && nl == 4 && !memcmp(nm, "name", 4)) {
				struct cur rest = { s.b + s.pos, s.len - s.pos, 0, false };
				parse_name_section(&rest, info);
				s.bad = rest.bad;
			}
			break;
		}
		case 2: parse_imports(&s, info); break;
		case 7: parse_exports(&s, info); break;
		default:
			if (id > 12)
				fail(info, "unknown section id", at);
		}
		if (s.bad)
			fail(info, "malformed section", at);
	}
	info->aes_sbox = memmem(buf, len, aes_sbox16, sizeof(aes_sbox16)) || memmem(buf, len, aes_te0, sizeof(aes_te0));
	info->keccak_rc = memmem(buf, len, keccak_rc24, sizeof(keccak_rc24)) != NULL;
	return true;
}
