/* ELF/PE section parsing and entropy (see exe_sections.h). */
#include "detectors/content/exe_sections.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double hh_entropy(const uint8_t *buf, size_t len)
{
	if (!len)
		return 0.0;
	/* four histograms: a run of one byte value (zero padding) would make
	 * every increment wait for the previous one to the same counter */
	size_t c4[4][256] = { { 0 } }, counts[256];
	size_t i = 0;
	for (; i + 4 <= len; i += 4) {
		c4[0][buf[i]]++;
		c4[1][buf[i + 1]]++;
		c4[2][buf[i + 2]]++;
		c4[3][buf[i + 3]]++;
	}
	for (; i < len; i++)
		c4[0][buf[i]]++;
	for (int v = 0; v < 256; v++)
		counts[v] = c4[0][v] + c4[1][v] + c4[2][v] + c4[3][v];
	double e = 0.0;
	for (int i = 0; i < 256; i++) {
		if (!counts[i])
			continue;
		double p = (double)counts[i] / (double)len;
		e -= p * log2(p);
	}
	return e;
}

/* Bounds-checked little/big-endian reads: false when [off, off+n) is outside. */
struct rd {
	const uint8_t *b;
	size_t len;
	bool be;
};

static bool in_range(const struct rd *r, uint64_t off, uint64_t n)
{
	return off <= r->len && n <= r->len - off;
}

static uint64_t rd_uint(const struct rd *r, uint64_t off, int n, bool *ok)
{
	if (!in_range(r, off, (uint64_t)n)) {
		*ok = false;
		return 0;
	}
	uint64_t v = 0;
	for (int i = 0; i < n; i++) {
		int idx = r->be ? i : n - 1 - i;
		v = (v << 8) | r->b[off + (uint64_t)idx];
	}
	return v;
}

static void set_error(struct hh_exe_info *info, const char *msg)
{
	if (!info->error[0])
		snprintf(info->error, sizeof(info->error), "%s", msg);
}

static void add_section(struct hh_exe_info *info, const struct rd *r, const char *name, size_t name_len,
			uint64_t off, uint64_t size, bool exec)
{
	if (name_len >= 4 && (!memcmp(name, "UPX0", 4) || !memcmp(name, "UPX1", 4) || !memcmp(name, "UPX2", 4)))
		info->upx = true;
	if (info->n_sections >= HH_EXE_MAX_SECTIONS)
		return;
	struct hh_exe_section *s = &info->sections[info->n_sections++];
	size_t n = name_len < sizeof(s->name) - 1 ? name_len : sizeof(s->name) - 1;
	for (size_t i = 0; i < n; i++)
		s->name[i] = (name[i] >= 0x20 && name[i] < 0x7f) ? name[i] : '?';
	s->name[n] = 0;
	s->offset = off;
	s->size = size;
	s->exec = exec;
	if (!in_range(r, off, size)) {
		info->truncated = true;
		/* Entropy of the part that is present. */
		size = off < r->len ? r->len - off : 0;
	}
	s->entropy = size ? hh_entropy(r->b + off, (size_t)size) : 0.0;
	if (size >= HH_EXE_ENTROPY_MIN_BYTES && s->entropy > info->max_entropy) {
		info->max_entropy = s->entropy;
		snprintf(info->max_entropy_section, sizeof(info->max_entropy_section), "%s", s->name);
	}
}

#define ELF_MAX_HEADERS 4096

static void parse_elf(const uint8_t *buf, size_t len, struct hh_exe_info *info)
{
	struct rd r = { buf, len, false };
	bool ok = true;
	if (len < 52) {
		set_error(info, "ELF header truncated");
		info->truncated = true;
		return;
	}
	info->is64 = buf[4] == 2;
	if (buf[4] != 1 && buf[4] != 2) {
		set_error(info, "ELF class invalid");
		return;
	}
	if (buf[5] != 1 && buf[5] != 2) {
		set_error(info, "ELF data encoding invalid");
		return;
	}
	r.be = buf[5] == 2;
	uint64_t phoff, shoff;
	unsigned phentsize, phnum, shentsize, shnum, shstrndx;
	if (info->is64) {
		phoff = rd_uint(&r, 32, 8, &ok);
		shoff = rd_uint(&r, 40, 8, &ok);
		phentsize = (unsigned)rd_uint(&r, 54, 2, &ok);
		phnum = (unsigned)rd_uint(&r, 56, 2, &ok);
		shentsize = (unsigned)rd_uint(&r, 58, 2, &ok);
		shnum = (unsigned)rd_uint(&r, 60, 2, &ok);
		shstrndx = (unsigned)rd_uint(&r, 62, 2, &ok);
	} else {
		phoff = rd_uint(&r, 28, 4, &ok);
		shoff = rd_uint(&r, 32, 4, &ok);
		phentsize = (unsigned)rd_uint(&r, 42, 2, &ok);
		phnum = (unsigned)rd_uint(&r, 44, 2, &ok);
		shentsize = (unsigned)rd_uint(&r, 46, 2, &ok);
		shnum = (unsigned)rd_uint(&r, 48, 2, &ok);
		shstrndx = (unsigned)rd_uint(&r, 50, 2, &ok);
	}
	if (!ok) {
		set_error(info, "ELF header truncated");
		info->truncated = true;
		return;
	}
	unsigned min_ph = info->is64 ? 56 : 32, min_sh = info->is64 ? 64 : 40;

	/* Program headers: PT_INTERP means dynamically linked; without section
	 * headers (stripped or packed) PT_LOAD segments stand in for sections. */
	info->is_static = true;
	uint64_t dyn_off = 0, dyn_size = 0;
	unsigned e_type = (unsigned)rd_uint(&r, 16, 2, &ok);
	uint64_t e_entry = rd_uint(&r, 24, info->is64 ? 8 : 4, &ok);
	bool have_ph = phnum && phoff;
	if (have_ph && phentsize < min_ph) {
		set_error(info, "ELF program header size invalid");
		have_ph = false;
	}
	if (phnum > ELF_MAX_HEADERS) {
		set_error(info, "ELF program header count over the limit");
		phnum = ELF_MAX_HEADERS;
	}
	for (unsigned i = 0; have_ph && i < phnum; i++) {
		uint64_t p = phoff + (uint64_t)i * phentsize;
		bool pok = true;
		uint32_t type = (uint32_t)rd_uint(&r, p, 4, &pok);
		if (!pok) {
			set_error(info, "ELF program headers past end of file");
			info->truncated = true;
			break;
		}
		if (type == 3) /* PT_INTERP */
			info->is_static = false;
		if (type == 2 && !dyn_size) { /* PT_DYNAMIC */
			dyn_off = rd_uint(&r, p + (info->is64 ? 8 : 4), info->is64 ? 8 : 4, &pok);
			dyn_size = rd_uint(&r, p + (info->is64 ? 32 : 16), info->is64 ? 8 : 4, &pok);
			if (!pok)
				dyn_size = 0;
		}
	}
	/* A shared library: ET_DYN with DT_SONAME, or ET_DYN without an entry
	 * point. No PT_INTERP is true of every .so: it does not make one static. */
	if (e_type == 3) {
		bool soname = false;
		unsigned esz = info->is64 ? 16 : 8;
		for (uint64_t k = 0; dyn_size && k < dyn_size / esz && k < ELF_MAX_HEADERS; k++) {
			bool dok = true;
			uint64_t tag = rd_uint(&r, dyn_off + k * esz, info->is64 ? 8 : 4, &dok);
			if (!dok || tag == 0) /* DT_NULL */
				break;
			if (tag == 14) { /* DT_SONAME */
				soname = true;
				break;
			}
		}
		info->shared_lib = soname || e_entry == 0;
		if (info->shared_lib)
			info->is_static = false;
	}

	bool have_sh = shnum && shoff && shentsize >= min_sh;
	if (shnum && shentsize < min_sh)
		set_error(info, "ELF section header size invalid");
	if (shnum > ELF_MAX_HEADERS) {
		set_error(info, "ELF section header count over the limit");
		shnum = ELF_MAX_HEADERS;
	}
	uint64_t stroff = 0, strsize = 0;
	if (have_sh && shstrndx < shnum) {
		uint64_t s = shoff + (uint64_t)shstrndx * shentsize;
		bool sok = true;
		stroff = rd_uint(&r, s + (info->is64 ? 24 : 16), info->is64 ? 8 : 4, &sok);
		strsize = rd_uint(&r, s + (info->is64 ? 32 : 20), info->is64 ? 8 : 4, &sok);
		if (!sok || !in_range(&r, stroff, strsize)) {
			set_error(info, "ELF section name table out of bounds");
			stroff = strsize = 0;
		}
	}
	info->stripped = true;
	size_t n_sh = 0;
	for (unsigned i = 0; have_sh && i < shnum; i++) {
		uint64_t s = shoff + (uint64_t)i * shentsize;
		bool sok = true;
		uint32_t name = (uint32_t)rd_uint(&r, s, 4, &sok);
		uint32_t type = (uint32_t)rd_uint(&r, s + 4, 4, &sok);
		uint64_t flags = rd_uint(&r, s + 8, info->is64 ? 8 : 4, &sok);
		uint64_t off = rd_uint(&r, s + (info->is64 ? 24 : 16), info->is64 ? 8 : 4, &sok);
		uint64_t size = rd_uint(&r, s + (info->is64 ? 32 : 20), info->is64 ? 8 : 4, &sok);
		if (!sok) {
			set_error(info, "ELF section headers past end of file");
			info->truncated = true;
			break;
		}
		if (type == 2) /* SHT_SYMTAB */
			info->stripped = false;
		if (type == 8 || type == 0) /* SHT_NOBITS, SHT_NULL: nothing in the file */
			continue;
		const char *nm = "";
		size_t nl = 0;
		if (strsize && name < strsize) {
			nm = (const char *)buf + stroff + name;
			size_t maxl = (size_t)(strsize - name);
			const char *z = memchr(nm, 0, maxl);
			nl = z ? (size_t)(z - nm) : maxl;
		}
		add_section(info, &r, nm, nl, off, size, (flags & 4) != 0);
		n_sh++;
	}
	if (!n_sh && have_ph) {
		for (unsigned i = 0; i < phnum && i < ELF_MAX_HEADERS; i++) {
			uint64_t p = phoff + (uint64_t)i * phentsize;
			bool pok = true;
			uint32_t type = (uint32_t)rd_uint(&r, p, 4, &pok);
			uint32_t flags = (uint32_t)rd_uint(&r, p + (info->is64 ? 4 : 24), 4, &pok);
			uint64_t off = rd_uint(&r, p + (info->is64 ? 8 : 4), info->is64 ? 8 : 4, &pok);
			uint64_t fsz = rd_uint(&r, p + (info->is64 ? 32 : 16), info->is64 ? 8 : 4, &pok);
			if (!pok)
				break;
			if (type != 1) /* PT_LOAD */
				continue;
			char nm[16];
			int n = snprintf(nm, sizeof(nm), "LOAD%u", i);
			add_section(info, &r, nm, (size_t)n, off, fsz, (flags & 1) != 0);
		}
	}
}

#define PE_MAX_SECTIONS 96

static void parse_pe(const uint8_t *buf, size_t len, struct hh_exe_info *info)
{
	struct rd r = { buf, len, false };
	bool ok = true;
	uint64_t lfanew = rd_uint(&r, 0x3c, 4, &ok);
	if (!ok || !in_range(&r, lfanew, 24) || memcmp(buf + lfanew, "PE\0\0", 4)) {
		set_error(info, "PE signature missing or out of bounds");
		return;
	}
	unsigned nsec = (unsigned)rd_uint(&r, lfanew + 6, 2, &ok);
	unsigned optsz = (unsigned)rd_uint(&r, lfanew + 20, 2, &ok);
	uint16_t magic = (uint16_t)rd_uint(&r, lfanew + 24, 2, &ok);
	info->is64 = magic == 0x20b;
	info->is_static = false;
	info->stripped = false;
	if (nsec > PE_MAX_SECTIONS) {
		set_error(info, "PE section count over the limit");
		nsec = PE_MAX_SECTIONS;
	}
	uint64_t tab = lfanew + 24 + optsz;
	for (unsigned i = 0; i < nsec; i++) {
		uint64_t s = tab + (uint64_t)i * 40;
		if (!in_range(&r, s, 40)) {
			set_error(info, "PE section table past end of file");
			info->truncated = true;
			break;
		}
		bool sok = true;
		uint64_t rawsize = rd_uint(&r, s + 16, 4, &sok);
		uint64_t rawoff = rd_uint(&r, s + 20, 4, &sok);
		uint32_t ch = (uint32_t)rd_uint(&r, s + 36, 4, &sok);
		const char *nm = (const char *)buf + s;
		const char *z = memchr(nm, 0, 8);
		size_t nl = z ? (size_t)(z - nm) : 8;
		add_section(info, &r, nm, nl, rawoff, rawsize, (ch & 0x20000000u) != 0);
	}
}

enum hh_exe_kind hh_exe_parse(const uint8_t *buf, size_t len, struct hh_exe_info *info)
{
	memset(info, 0, sizeof(*info));
	if (len >= 4 && !memcmp(buf, "\x7f" "ELF", 4)) {
		info->kind = HH_EXE_ELF;
		parse_elf(buf, len, info);
	} else if (len >= 0x40 && buf[0] == 'M' && buf[1] == 'Z') {
		info->kind = HH_EXE_PE;
		parse_pe(buf, len, info);
	} else {
		return HH_EXE_NONE;
	}
	/* UPX writes "UPX!" near the start (ELF: within the first pages) and an info string. */
	size_t head = len < 8192 ? len : 8192;
	if (memmem(buf, head, "UPX!", 4) || memmem(buf, len < (64u << 10) ? len : (64u << 10),
						   "This file is packed with the UPX", 31))
		info->upx = true;
	return info->kind;
}
