/* Rule conditions: lexer, parser to an AST (compiled once), evaluator.
 * Internal to the rule engine; the language is documented in docs/rules.md.
 *
 *   expr    := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | '(' expr ')' | cmp | MACRO
 *   cmp     := FIELD OP value | FIELD LISTOP '(' item (',' item)* ')' | FIELD 'exists'
 *   OP      := = | == | != | < | <= | > | >= | contains | icontains | startswith
 *            | endswith | glob | regex | cidr
 *   LISTOP  := in | intersects | pmatch
 *   item    := value | LIST-NAME (expanded in place)
 *
 * Values are bare words or quoted strings ("..." or '...'). Inside quotes only
 * \" \' and \\ are escapes; any other backslash stays, so regexes keep theirs.
 * Nesting (parentheses, not) is limited to COND_MAX_DEPTH; a condition to
 * COND_MAX_NODES nodes, macros counted once. */
#ifndef HH_RULES_COND_H
#define HH_RULES_COND_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "detectors/rules/fields.h"

#define COND_MAX_DEPTH 100
#define COND_MAX_NODES 100000
#define COND_MAX_TEXT  (1u << 20)

struct strvec {
	char **v;
	size_t n, cap;
};
int strvec_push(struct strvec *sv, const char *s, size_t len);
void strvec_free(struct strvec *sv);

enum cop {
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_INTERSECTS, OP_CONTAINS, OP_ICONTAINS,
	OP_STARTSWITH, OP_ENDSWITH, OP_GLOB, OP_PMATCH, OP_EXISTS, OP_REGEX, OP_CIDR,
};

enum ckind { CN_AND, CN_OR, CN_NOT, CN_CMP, CN_MACRO };

struct cval {
	char *s;              /* owned; the literal as written (strings, paths) */
	size_t len;
	long long n;          /* numbers, booleans, event types */
	uint8_t family, bits; /* FT_IP: 4/6 and prefix length */
	uint8_t addr[16];
};

struct cnode {
	enum ckind kind;
	struct cnode **kids;          /* CN_AND, CN_OR (n-ary), CN_NOT (one); owned */
	size_t n_kids;
	const struct cnode *macro;    /* CN_MACRO: the macro's AST, owned by the engine */
	/* CN_CMP */
	struct field_ref field;
	enum cop op;
	struct cval *vals;            /* owned; sorted for OP_IN/OP_INTERSECTS over STR/NUM */
	size_t n_vals;
	regex_t *re;                  /* OP_REGEX; owned */
	char *text;                   /* "proc.cmdline contains stratum+tcp" for evidence; owned */
	unsigned memo;                /* macro roots: 1..RULE_CTX_MEMO, result cached per event; 0 none */
};

/* How the compiler resolves names it does not know as fields. */
struct cond_env {
	void *ud;
	/* 1: NAME is a macro (*out set, may be NULL when the macro failed: then
	 * err says why); 0: not a macro. */
	int (*macro)(void *ud, const char *name, const struct cnode **out, char *err, size_t errlen);
	/* The items of list NAME, or NULL when there is no such list. */
	const struct strvec *(*list)(void *ud, const char *name);
};

struct cond_error {
	size_t offset;                /* byte offset in the condition text */
	char msg[384];
};

/* Compiles text. NULL on error (err filled). */
struct cnode *cond_compile(const char *text, size_t len, const struct cond_env *env, struct cond_error *err);
/* One comparison built from parts (exceptions): op is the operator's text,
 * vals the literal(s) (list names expanded). NULL on error. */
struct cnode *cond_make_cmp(const char *field, const char *op, const struct strvec *vals,
			    const struct cond_env *env, char *err, size_t errlen);
struct cnode *cond_make(enum ckind kind, struct cnode **kids, size_t n); /* takes kids */
void cond_free(struct cnode *n);

bool cond_eval(const struct cnode *n, struct rule_ctx *c);

/* After a match: calls fn for each comparison that made the condition true
 * (true leaves not under a 'not'), at most max times. */
typedef void (*cond_leaf_fn)(void *ud, const struct cnode *leaf, struct rule_ctx *c);
void cond_collect(const struct cnode *n, struct rule_ctx *c, cond_leaf_fn fn, void *ud, size_t *max);

/* Event types the condition can match, as a bit mask over enum hh_event_type
 * (all bits when it does not restrict evt.type). */
unsigned cond_evmask(const struct cnode *n);

/* "=", "contains" ... */
const char *cond_op_name(enum cop op);

#endif
