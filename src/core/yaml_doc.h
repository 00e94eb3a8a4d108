/* YAML (and JSON, its subset) to jansson values, with the limits hostile
 * input needs: file size, nesting depth, node count, and alias expansion
 * (billion-laughs documents are refused, not expanded). Errors name the input
 * and the line and column. Every mapping and sequence remembers its line. */
#ifndef HH_YAML_DOC_H
#define HH_YAML_DOC_H

#include <jansson.h>
#include <stddef.h>

struct hh_yaml_limits {
	size_t max_bytes;      /* default 64 MiB */
	size_t max_depth;      /* default 64 */
	size_t max_nodes;      /* default 2,000,000, aliases counted expanded */
	int key_positions;     /* nonzero: also remember where each mapping key is (hh_yaml_key_pos_of) */
};

/* Where a node starts. Mappings and sequences are always recorded; so are
 * string and number scalars (true/false/null are shared singletons and have
 * no position). col is 1-based; offset is the byte offset of the node's first
 * character in the input (the quote or the |/> indicator for such scalars). */
enum hh_yaml_style { HH_YAML_COLLECTION = 0, HH_YAML_PLAIN, HH_YAML_SINGLE_QUOTED,
		     HH_YAML_DOUBLE_QUOTED, HH_YAML_LITERAL, HH_YAML_FOLDED };
struct hh_yaml_line {
	const json_t *node;
	unsigned line;
	unsigned col;
	size_t offset;
	enum hh_yaml_style style;
};

/* A mapping key's position (limits.key_positions). */
struct hh_yaml_key_line {
	const json_t *mapping;
	char *key;                    /* owned */
	unsigned line;
	unsigned col;
	size_t seq;                   /* order read */
};

struct hh_yaml_docs {
	json_t *docs;                 /* array: one value per document; owned */
	struct hh_yaml_line *lines;   /* line of each mapping/sequence; owned */
	size_t n_lines, cap_lines;
	struct hh_yaml_key_line *keys; /* with limits.key_positions: where each key is; owned */
	size_t n_keys, cap_keys;
	char error[512];              /* "NAME:LINE:COL: problem" when loading stopped early */
};

/* Loads every document. Returns 0 when the whole input was read; -1 when it
 * stopped early: docs still holds the documents completed before the error,
 * and error says where and why. limits may be NULL for defaults. */
int hh_yaml_load_file(const char *path, const struct hh_yaml_limits *limits, struct hh_yaml_docs *out);
int hh_yaml_load_buf(const char *buf, size_t len, const char *name,
		     const struct hh_yaml_limits *limits, struct hh_yaml_docs *out);
void hh_yaml_docs_free(struct hh_yaml_docs *d);

/* 1-based line where a mapping or sequence of these docs starts, 0 if unknown. */
unsigned hh_yaml_line_of(const struct hh_yaml_docs *d, const json_t *node);
/* Full position of a mapping, sequence or string/number scalar; NULL if unknown. */
const struct hh_yaml_line *hh_yaml_pos_of(const struct hh_yaml_docs *d, const json_t *node);

/* Where key of mapping starts (loaded with limits.key_positions); NULL if
 * unknown. A key repeated in one mapping gives its last position. */
const struct hh_yaml_key_line *hh_yaml_key_pos_of(const struct hh_yaml_docs *d, const json_t *mapping,
						   const char *key);

#endif
