/* Internal state of the rule engine, shared by load.c (YAML items),
 * compile.c (lists, macros, exceptions, templates) and eval.c. */
#ifndef HH_RULES_ENGINE_H
#define HH_RULES_ENGINE_H

#include "core/yaml_doc.h"
#include "detectors/rules/cond.h"
#include "detectors/rules/rules.h"

#define RULES_MAX_FILE_BYTES (8u << 20)
#define RULES_MAX_FILES 1024
#define RULES_MAX_MACRO_NESTING 32
#define RULES_MAX_OUTPUT 2048
#define RULES_MAX_EVIDENCE 8

/* A loaded rule file, kept so errors can point into condition text. */
struct srcfile {
	char *name;
	char *buf;
	size_t len;
};

struct srcpos {
	const struct srcfile *src;
	unsigned line, col;
};

/* Condition text assembled from pieces (a definition plus its appends). */
struct piece {
	size_t start;                   /* offset in the joined text */
	struct srcpos at;               /* the scalar's own position */
	size_t src_offset;              /* byte offset of the scalar in src->buf */
	enum hh_yaml_style style;
	bool has_offset;
};
struct ctext {
	char *s;
	size_t len;
	struct piece *p;
	size_t n;
};

struct list_def {
	char *name;
	struct strvec items;            /* as written (may name other lists) */
	struct strvec expanded;         /* resolved */
	int state;                      /* 0 new, 1 resolving, 2 done */
	bool builtin;                   /* defined by the built-in pack (its own scope) */
	struct srcpos at;
};

struct macro_def {
	char *name;
	struct ctext cond;
	struct srcpos at;
	int state;                      /* 0 new, 1 compiling, 2 ok, 3 failed */
	bool builtin;                   /* defined by the built-in pack (its own scope) */
	struct cnode *ast;
	char why[400];                  /* when failed */
};

struct exc_def {
	char *name;
	struct strvec fields, comps;
	bool single;                    /* fields: is one field, values a flat list */
	json_t *values;                 /* array; owned */
	struct srcpos at;
};

struct tmpl_seg {
	char *lit;                      /* literal text, or NULL for a field */
	struct field_ref field;
	bool is_time;                   /* %evt.time */
	char *na_name;                  /* a field hashhound does not know: renders <NA> */
};

struct rule_def {
	char *name;
	char id[96];
	bool id_given;
	char *desc, *output;
	enum hh_severity sev;
	double conf;
	struct strvec tags;
	bool enabled;
	bool skip_unknown;              /* skip-if-unknown-filter */
	bool builtin;                   /* from the built-in pack: compiled in its scope */
	struct ctext cond;
	struct exc_def *exc;
	size_t n_exc;
	struct srcpos at, cond_at, output_at;
	/* compiled */
	bool loaded, dropped;
	struct cnode *ast;
	unsigned evmask;
	struct tmpl_seg *tmpl;
	size_t n_tmpl;
	const char **tag_ptrs;
	/* What of the rule hashhound cannot honour although it loaded: fields
	 * that are always <NA>, event types it does not trace ("" = none). */
	char limits[384];
	bool inert;                     /* watches only events hashhound does not trace */
};

struct hh_rules {
	struct srcfile **files;
	size_t n_files;
	struct list_def *lists;
	size_t n_lists, cap_lists;
	struct macro_def *macros;
	size_t n_macros, cap_macros;
	struct rule_def *rules;
	size_t n_rules, cap_rules;
	struct hh_rule_error *errors;
	size_t n_errors, cap_errors;
	bool compiled;
	/* Name scope of what is being loaded or compiled. The built-in pack's
	 * lists and macros live in their own scope: its rules see only them, so
	 * a user file that redefines open_write (as Falco's files do) gets its
	 * own definition and cannot break ours. User items see their own
	 * definitions first, then the pack's (and may append to the pack's). */
	bool scope_builtin;
	unsigned macro_nesting;
	unsigned n_memo;                /* macro memo slots handed out */
	struct hh_rules_stats stats;
};

void rules_error(struct hh_rules *r, const struct srcpos *at, const char *kind, const char *name,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Maps a byte offset in condition text to its file position. */
struct srcpos ctext_locate(const struct ctext *ct, size_t off);
void ctext_free(struct ctext *ct);

/* Lookups in the current scope (r->scope_builtin): see struct hh_rules. */
struct list_def *rules_find_list(struct hh_rules *r, const char *name);
struct macro_def *rules_find_macro(struct hh_rules *r, const char *name);
struct rule_def *rules_find_rule(struct hh_rules *r, const char *name);

int rules_compile_all(struct hh_rules *r);
void rule_def_free(struct rule_def *d);

#endif
