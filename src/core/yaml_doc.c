#include "core/yaml_doc.h"

#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "core/fileio.h"

#define MAX_ANCHORS 4096

struct anchor {
	char *name;
	json_t *value;
	size_t weight; /* nodes in the anchored subtree, for alias budgets */
};

struct frame {
	json_t *node;
	char *key;        /* pending mapping key, owned */
	size_t start_nodes;
	char *anchor;     /* anchor of this collection, owned */
};

struct loader {
	const char *name;
	struct hh_yaml_limits lim;
	struct hh_yaml_docs *out;
	struct frame *stack;
	size_t depth;
	size_t nodes;
	struct anchor anchors[MAX_ANCHORS];
	size_t n_anchors;
	json_t *doc_root;
};

static void set_error(struct loader *ld, size_t line, size_t col, const char *msg)
{
	if (!ld->out->error[0])
		snprintf(ld->out->error, sizeof(ld->out->error), "%s:%zu:%zu: %s", ld->name, line + 1,
			 col + 1, msg);
}

static void remember_pos(struct hh_yaml_docs *d, const json_t *node, const yaml_mark_t *m,
			 enum hh_yaml_style style)
{
	if (d->n_lines == d->cap_lines) {
		size_t cap = d->cap_lines ? d->cap_lines * 2 : 256;
		struct hh_yaml_line *l = realloc(d->lines, cap * sizeof(*l));
		if (!l)
			return;
		d->lines = l;
		d->cap_lines = cap;
	}
	d->lines[d->n_lines++] = (struct hh_yaml_line){ node, (unsigned)m->line + 1,
							(unsigned)m->column + 1, m->index, style };
}

static void remember_key(struct hh_yaml_docs *d, const json_t *mapping, const char *key, const yaml_mark_t *m)
{
	if (d->n_keys == d->cap_keys) {
		size_t cap = d->cap_keys ? d->cap_keys * 2 : 64;
		struct hh_yaml_key_line *k = realloc(d->keys, cap * sizeof(*k));
		if (!k)
			return;
		d->keys = k;
		d->cap_keys = cap;
	}
	char *copy = strdup(key);
	if (copy)
		d->keys[d->n_keys] = (struct hh_yaml_key_line){ mapping, copy, (unsigned)m->line + 1,
								(unsigned)m->column + 1, d->n_keys };
	d->n_keys += copy != NULL;
}

static int cmp_key_line(const void *a, const void *b)
{
	const struct hh_yaml_key_line *x = a, *y = b;
	if (x->mapping != y->mapping)
		return (uintptr_t)x->mapping < (uintptr_t)y->mapping ? -1 : 1;
	int c = strcmp(x->key, y->key);
	if (c || x->seq == SIZE_MAX || y->seq == SIZE_MAX)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

const struct hh_yaml_key_line *hh_yaml_key_pos_of(const struct hh_yaml_docs *d, const json_t *mapping,
						   const char *key)
{
	if (!mapping || !key || !d->n_keys)
		return NULL;
	/* seq SIZE_MAX compares equal to every occurrence of the key. */
	struct hh_yaml_key_line want = { .mapping = mapping, .key = (char *)key, .seq = SIZE_MAX };
	const struct hh_yaml_key_line *hit = bsearch(&want, d->keys, d->n_keys, sizeof(want), cmp_key_line);
	if (!hit)
		return NULL;
	/* A repeated key's value is its last one. */
	const struct hh_yaml_key_line *end = d->keys + d->n_keys;
	while (hit + 1 < end && hit[1].mapping == mapping && strcmp(hit[1].key, key) == 0)
		hit++;
	return hit;
}

static int cmp_line_node(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct hh_yaml_line *)a)->node;
	uintptr_t y = (uintptr_t)((const struct hh_yaml_line *)b)->node;
	return x < y ? -1 : x > y;
}

const struct hh_yaml_line *hh_yaml_pos_of(const struct hh_yaml_docs *d, const json_t *node)
{
	struct hh_yaml_line key = { .node = node };
	if (!node || !d->n_lines)
		return NULL;
	return bsearch(&key, d->lines, d->n_lines, sizeof(key), cmp_line_node);
}

unsigned hh_yaml_line_of(const struct hh_yaml_docs *d, const json_t *node)
{
	const struct hh_yaml_line *hit = hh_yaml_pos_of(d, node);
	return hit ? hit->line : 0;
}

/* Core-schema resolution of a plain scalar; quoted scalars stay strings. */
static json_t *plain_scalar(const char *s, size_t len)
{
	if (len == 0 || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0)
		return json_null();
	if (strcasecmp(s, "true") == 0)
		return json_true();
	if (strcasecmp(s, "false") == 0)
		return json_false();
	char *end;
	errno = 0;
	if ((s[0] >= '0' && s[0] <= '9') || ((s[0] == '-' || s[0] == '+') && len > 1)) {
		long long v = strtoll(s, &end, 10);
		if (*end == '\0' && errno == 0)
			return json_integer(v);
		errno = 0;
		double d = strtod(s, &end);
		if (*end == '\0' && errno == 0 && isfinite(d) && strpbrk(s, "xXnN") == NULL)
			return json_real(d);
	}
	return json_stringn_nocheck(s, len);
}

static void frame_free(struct frame *f)
{
	free(f->key);
	free(f->anchor);
	f->key = f->anchor = NULL;
}

static int add_anchor(struct loader *ld, const char *name, json_t *value, size_t weight,
		      const yaml_event_t *ev)
{
	if (ld->n_anchors >= MAX_ANCHORS) {
		set_error(ld, ev->start_mark.line, ev->start_mark.column, "too many anchors");
		return -1;
	}
	struct anchor *a = &ld->anchors[ld->n_anchors++];
	a->name = strdup(name);
	a->value = json_incref(value);
	a->weight = weight;
	return a->name ? 0 : -1;
}

/* Attaches a finished value to its parent (or makes it the document root). */
static int attach(struct loader *ld, json_t *value, const yaml_event_t *ev)
{
	if (ld->depth == 0) {
		json_decref(ld->doc_root);
		ld->doc_root = value;
		return 0;
	}
	struct frame *top = &ld->stack[ld->depth - 1];
	if (json_is_array(top->node))
		return json_array_append_new(top->node, value);
	if (!top->key) {
		/* A mapping key. Keys must be scalars for JSON; others are refused. */
		if (json_is_string(value))
			top->key = strdup(json_string_value(value));
		else if (json_is_integer(value) || json_is_real(value) || json_is_boolean(value) ||
			 json_is_null(value)) {
			char *k = json_dumps(value, JSON_ENCODE_ANY);
			top->key = k ? k : strdup("");
		} else {
			json_decref(value);
			set_error(ld, ev->start_mark.line, ev->start_mark.column,
				  "mapping key is not a scalar");
			return -1;
		}
		json_decref(value);
		if (top->key && ld->lim.key_positions)
			remember_key(ld->out, top->node, top->key, &ev->start_mark);
		return top->key ? 0 : -1;
	}
	int rc = json_object_set_new(top->node, top->key, value);
	free(top->key);
	top->key = NULL;
	return rc;
}

static int count_node(struct loader *ld, size_t weight, const yaml_event_t *ev)
{
	ld->nodes += weight;
	if (ld->nodes > ld->lim.max_nodes) {
		set_error(ld, ev->start_mark.line, ev->start_mark.column,
			  "document too large: node limit exceeded (alias bomb?)");
		return -1;
	}
	return 0;
}

static int push(struct loader *ld, json_t *node, const yaml_event_t *ev, const char *anchor)
{
	if (ld->depth >= ld->lim.max_depth) {
		json_decref(node);
		set_error(ld, ev->start_mark.line, ev->start_mark.column, "nesting too deep");
		return -1;
	}
	remember_pos(ld->out, node, &ev->start_mark, HH_YAML_COLLECTION);
	ld->stack[ld->depth++] = (struct frame){ node, NULL, ld->nodes, anchor ? strdup(anchor) : NULL };
	return count_node(ld, 1, ev);
}

static int pop(struct loader *ld, const yaml_event_t *ev)
{
	struct frame f = ld->stack[--ld->depth];
	int rc = 0;
	if (f.anchor)
		rc = add_anchor(ld, f.anchor, f.node, ld->nodes - f.start_nodes + 1, ev);
	frame_free(&f);
	if (rc == 0)
		rc = attach(ld, f.node, ev);
	else
		json_decref(f.node);
	return rc;
}

static int handle_alias(struct loader *ld, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	for (size_t i = ld->n_anchors; i-- > 0;) {
		if (strcmp(ld->anchors[i].name, name) == 0) {
			if (count_node(ld, ld->anchors[i].weight, ev) < 0)
				return -1;
			/* Shared, not copied: memory stays bounded; the weight budget
			 * bounds the time any consumer spends walking it. */
			return attach(ld, json_incref(ld->anchors[i].value), ev);
		}
	}
	set_error(ld, ev->start_mark.line, ev->start_mark.column, "unknown alias");
	return -1;
}

static void end_document(struct loader *ld)
{
	json_array_append_new(ld->out->docs, ld->doc_root ? ld->doc_root : json_null());
	ld->doc_root = NULL;
	for (size_t i = 0; i < ld->n_anchors; i++) {
		free(ld->anchors[i].name);
		json_decref(ld->anchors[i].value);
	}
	ld->n_anchors = 0;
}

int hh_yaml_load_buf(const char *buf, size_t len, const char *name,
		     const struct hh_yaml_limits *limits, struct hh_yaml_docs *out)
{
	memset(out, 0, sizeof(*out));
	out->docs = json_array();
	struct loader ld = { .name = name ? name : "<input>", .out = out };
	ld.lim = limits ? *limits : (struct hh_yaml_limits){ 0 };
	if (!ld.lim.max_bytes)
		ld.lim.max_bytes = 64u << 20;
	if (!ld.lim.max_depth)
		ld.lim.max_depth = 64;
	if (!ld.lim.max_nodes)
		ld.lim.max_nodes = 2000000;
	if (len > ld.lim.max_bytes) {
		snprintf(out->error, sizeof(out->error), "%s: input too large (%zu bytes, limit %zu)",
			 ld.name, len, ld.lim.max_bytes);
		return -1;
	}
	ld.stack = calloc(ld.lim.max_depth, sizeof(*ld.stack));
	yaml_parser_t parser;
	if (!ld.stack || !yaml_parser_initialize(&parser)) {
		free(ld.stack);
		snprintf(out->error, sizeof(out->error), "%s: out of memory", ld.name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	int rc = 0, done = 0;
	while (!done && rc == 0) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			set_error(&ld, parser.problem_mark.line, parser.problem_mark.column,
				  parser.problem ? parser.problem : "malformed YAML");
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_END_EVENT:
			end_document(&ld);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = push(&ld, json_object(), &ev, (const char *)ev.data.mapping_start.anchor);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = push(&ld, json_array(), &ev, (const char *)ev.data.sequence_start.anchor);
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			rc = pop(&ld, &ev);
			break;
		case YAML_SCALAR_EVENT: {
			const char *v = (const char *)ev.data.scalar.value;
			size_t n = ev.data.scalar.length;
			json_t *s = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev.data.scalar.tag
					    ? plain_scalar(v, n)
					    : json_stringn_nocheck(v, n);
			rc = count_node(&ld, 1, &ev);
			/* Mapping keys become C strings and their json node is freed
			 * (its address reused): only values get a position. */
			bool is_key = ld.depth > 0 && json_is_object(ld.stack[ld.depth - 1].node) &&
				      !ld.stack[ld.depth - 1].key;
			if (rc == 0 && !is_key && (json_is_string(s) || json_is_number(s))) {
				static const enum hh_yaml_style styles[] = {
					[YAML_PLAIN_SCALAR_STYLE] = HH_YAML_PLAIN,
					[YAML_SINGLE_QUOTED_SCALAR_STYLE] = HH_YAML_SINGLE_QUOTED,
					[YAML_DOUBLE_QUOTED_SCALAR_STYLE] = HH_YAML_DOUBLE_QUOTED,
					[YAML_LITERAL_SCALAR_STYLE] = HH_YAML_LITERAL,
					[YAML_FOLDED_SCALAR_STYLE] = HH_YAML_FOLDED,
				};
				unsigned st = ev.data.scalar.style;
				remember_pos(ld.out, s, &ev.start_mark,
					     st < sizeof(styles) / sizeof(styles[0]) ? styles[st] : HH_YAML_PLAIN);
			}
			if (rc == 0 && ev.data.scalar.anchor)
				rc = add_anchor(&ld, (const char *)ev.data.scalar.anchor, s, 1, &ev);
			if (rc == 0)
				rc = attach(&ld, s, &ev);
			else
				json_decref(s);
			break;
		}
		case YAML_ALIAS_EVENT:
			rc = handle_alias(&ld, &ev);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	/* Drop whatever was half-built; completed documents stay in out->docs. */
	while (ld.depth > 0) {
		struct frame *f = &ld.stack[--ld.depth];
		json_decref(f->node);
		frame_free(f);
	}
	json_decref(ld.doc_root);
	for (size_t i = 0; i < ld.n_anchors; i++) {
		free(ld.anchors[i].name);
		json_decref(ld.anchors[i].value);
	}
	free(ld.stack);
	yaml_parser_delete(&parser);
	/* Sorted by node address so hh_yaml_line_of() is a binary search. */
	if (out->n_lines)
		qsort(out->lines, out->n_lines, sizeof(*out->lines), cmp_line_node);
	if (out->n_keys)
		qsort(out->keys, out->n_keys, sizeof(*out->keys), cmp_key_line);
	return rc;
}

int hh_yaml_load_file(const char *path, const struct hh_yaml_limits *limits, struct hh_yaml_docs *out)
{
	size_t max = limits && limits->max_bytes ? limits->max_bytes : 64u << 20;
	struct hh_buf b;
	char err[256];
	if (hh_read_file(path, max, &b, err, sizeof(err)) < 0) {
		memset(out, 0, sizeof(*out));
		out->docs = json_array();
		snprintf(out->error, sizeof(out->error), "%s", err);
		return -1;
	}
	int rc = hh_yaml_load_buf(b.data, b.len, path, limits, out);
	hh_buf_free(&b);
	return rc;
}

void hh_yaml_docs_free(struct hh_yaml_docs *d)
{
	json_decref(d->docs);
	free(d->lines);
	for (size_t i = 0; i < d->n_keys; i++)
		free(d->keys[i].key);
	free(d->keys);
	memset(d, 0, sizeof(*d));
}
