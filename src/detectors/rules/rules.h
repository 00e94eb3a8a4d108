/* The rule engine: Falco-shaped YAML rules (rule/macro/list, append,
 * exceptions, priorities, MITRE tags, output templates) compiled once and
 * evaluated against every runtime event (struct hh_event). docs/rules.md
 * describes the language, the fields and the default miner pack.
 *
 * Use:
 *   struct hh_rules *r = hh_rules_new();
 *   hh_rules_load_builtin(r);                 // rules/miner.yaml, compiled in
 *   hh_rules_load_path(r, "/etc/hashhound/rules.d");  // files or directories
 *   hh_rules_compile(r);                      // resolves lists/macros, compiles
 *   hh_rules_apply_config(r, cfg);            // rules.disabled / rules.enabled
 *   for each error: hh_rules_error(r, i)      // the rules that did not load
 *   hh_rules_eval(r, &event, cfg, &findings); // per event
 *   hh_rules_free(r);
 *
 * Loading never stops at a bad rule: the engine keeps every rule that
 * compiled and records one error (file:line:col, item, message) for each
 * one that did not. Not thread-safe: one engine per evaluating thread, or a
 * lock around hh_rules_eval. */
#ifndef HH_RULES_H
#define HH_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/event.h"
#include "core/finding.h"

struct hh_rules;

struct hh_rule_error {
	char file[256];
	unsigned line, col;     /* 1-based; 0 when unknown */
	char item[128];         /* "rule 'Name'", "macro 'x'", "list 'y'", "" */
	char msg[512];
};

struct hh_rule_info {
	const char *id;         /* stable id: the rule's id: key, else derived from its name */
	const char *name;       /* the rule: key */
	const char *desc;
	enum hh_severity severity;
	double confidence;
	const char *const *tags;
	size_t n_tags;
	bool enabled;
	bool loaded;            /* compiled; false: see the errors */
	const char *file;
	unsigned line;
	/* Loaded, but not honoured in full: fields that are always <NA>,
	 * system calls not traced ("" = none). */
	const char *limits;
	bool inert;             /* watches only system calls hashhound does not trace */
	bool builtin;           /* from the built-in pack */
};

struct hh_rules *hh_rules_new(void);
void hh_rules_free(struct hh_rules *r);

/* Loading (before hh_rules_compile). Each returns the number of new errors
 * (0 = clean); problems are recorded, never fatal. A directory loads its
 * *.yaml and *.yml files in name order (not recursive). */
int hh_rules_load_builtin(struct hh_rules *r);
int hh_rules_load_path(struct hh_rules *r, const char *path);
int hh_rules_load_buf(struct hh_rules *r, const char *buf, size_t len, const char *name);

/* Resolves lists and macros and compiles every rule. Returns the number of
 * errors recorded so far (load and compile). Call once, after loading. */
int hh_rules_compile(struct hh_rules *r);

size_t hh_rules_n_errors(const struct hh_rules *r);
const struct hh_rule_error *hh_rules_error(const struct hh_rules *r, size_t i);
/* "file:line:col: rule 'X': message" */
void hh_rule_error_format(const struct hh_rule_error *e, char *buf, size_t n);

/* Logs "rules: N loaded (M enabled), K problem(s)" at info and each problem
 * at warn: what the agent prints at startup. Returns the number of rules
 * that loaded. */
size_t hh_rules_log_summary(const struct hh_rules *r);

size_t hh_rules_count(const struct hh_rules *r);
bool hh_rules_info(const struct hh_rules *r, size_t i, struct hh_rule_info *out);
/* Enables or disables a rule by id (or by name). Returns false when unknown. */
bool hh_rules_set_enabled(struct hh_rules *r, const char *id, bool enabled);
/* Applies the config's rules.disabled and rules.enabled lists (global
 * values; per-workload values are applied at evaluation). */
void hh_rules_apply_config(struct hh_rules *r, const struct hh_config *cfg);
/* Loads the files named by the config's rules.files (and the built-in pack
 * unless rules.builtin is false), compiles and applies the config.
 * Returns the number of errors. */
int hh_rules_load_config(struct hh_rules *r, const struct hh_config *cfg);
/* The same with the caller's choices on top: builtin false skips the pack
 * whatever the config says, paths[0..n) are loaded after the config's files,
 * cfg may be NULL (no config files, nothing applied). */
int hh_rules_load_all(struct hh_rules *r, const struct hh_config *cfg, bool builtin,
		      const char *const *paths, size_t n);

/* Evaluates every enabled rule against ev. Appends one finding (source
 * "agent") per matching rule to out (out owns them). cfg, when not NULL,
 * drops rules that the workload's rules.disabled lists. Returns the number
 * of findings added. */
size_t hh_rules_eval(struct hh_rules *r, const struct hh_event *ev, const struct hh_config *cfg,
		     struct hh_findings *out);

/* Where the lazy /proc fields (proc.tty, proc.cwd, user.loginuid, parent
 * command line, capabilities, user names) are read; NULL turns them off
 * (for events that describe no live process). Default "/proc". */
void hh_rules_set_proc_root(const char *root);

/* Counters since creation. */
struct hh_rules_stats {
	unsigned long long events, evaluations, matches;
};
void hh_rules_stats(const struct hh_rules *r, struct hh_rules_stats *out);

/* Events as JSON objects with Falco field names ({"evt.type":"execve",
 * "proc.cmdline":"...", "container.id": ...}): fills ev (zeroed first).
 * Returns 0, or -1 with err naming the bad key. Used by `rules test`. */
int hh_event_from_json(const json_t *obj, struct hh_event *ev, char *err, size_t errlen);

#endif
