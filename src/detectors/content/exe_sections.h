/* Small, bounds-checked ELF and PE header parsers for the image scanner:
 * section (or, without section headers, segment) names, sizes and Shannon
 * entropy, UPX marks, and whether an ELF is static and stripped. Every offset
 * read from the file is checked against the buffer; a malformed header gives
 * an error string, never a read outside the buffer. */
#ifndef HH_EXE_SECTIONS_H
#define HH_EXE_SECTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hh_exe_kind { HH_EXE_NONE = 0, HH_EXE_ELF, HH_EXE_PE };

#define HH_EXE_MAX_SECTIONS 64

struct hh_exe_section {
	char name[16];
	uint64_t offset, size;  /* in the file */
	double entropy;         /* bits per byte, 0..8; 0 when size is 0 */
	bool exec;
};

struct hh_exe_info {
	enum hh_exe_kind kind;
	bool is64;
	bool is_static;         /* ELF: no PT_INTERP, and not a shared library */
	bool shared_lib;        /* ELF: ET_DYN with DT_SONAME, or ET_DYN without an entry point */
	bool stripped;          /* ELF: no .symtab section */
	bool upx;               /* UPX! mark, UPX0/UPX1 section names or UPX info string */
	bool truncated;         /* headers point past the buffer (file cut short) */
	size_t n_sections;      /* at most HH_EXE_MAX_SECTIONS kept */
	struct hh_exe_section sections[HH_EXE_MAX_SECTIONS];
	double max_entropy;     /* highest entropy of a section >= min size (see below) */
	char max_entropy_section[16];
	char error[96];         /* first structural problem, "" when none */
};

/* Sections smaller than this are too small for a meaningful entropy. */
#define HH_EXE_ENTROPY_MIN_BYTES 4096

/* Shannon entropy of buf in bits per byte. */
double hh_entropy(const uint8_t *buf, size_t len);

/* Parses buf as ELF or PE. Returns the kind (HH_EXE_NONE when neither);
 * info->error names a structural problem when one was found. */
enum hh_exe_kind hh_exe_parse(const uint8_t *buf, size_t len, struct hh_exe_info *info);

#endif
