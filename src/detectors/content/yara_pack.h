/* libyara with hashhound's own rule pack (rules/yara/NAME.yar, compiled into the
 * binary) plus the user's rule files or directories. Rules are compiled once
 * per run; each scan reports the rules that matched with their meta
 * (id, severity, title) so they become findings. */
#ifndef HH_YARA_PACK_H
#define HH_YARA_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include "core/finding.h"

struct hh_yara_pack;

struct hh_yara_hit {
	char rule[96];         /* meta id, or "yara.<identifier>" for rules without one */
	char title[160];
	enum hh_severity severity;
	bool ours;             /* from the built-in pack */
	char strings[160];     /* identifiers of the matched strings, comma-separated */
};

/* Compiles the built-in pack and each user path (a file, or a directory whose
 * *.yar / *.yara files are added, sorted). Returns NULL with err naming the
 * file and line on a compile error. */
struct hh_yara_pack *hh_yara_pack_new(const char *const *user_paths, size_t n_paths, char *err, size_t errlen);
void hh_yara_pack_free(struct hh_yara_pack *p);
size_t hh_yara_pack_rule_count(const struct hh_yara_pack *p);

/* Scans buf with every rule; returns the number of hits written (at most
 * max), or -1 with err on a scan error (timeout, out of memory). */
int hh_yara_pack_scan(struct hh_yara_pack *p, const uint8_t *buf, size_t len, struct hh_yara_hit *hits, size_t max,
		      char *err, size_t errlen);
/* Same; text: buf is plain text, scanned only with the rules that can match
 * text (the built-in browser rules and every user rule), not with the rules
 * for executables and binary constants. */
int hh_yara_pack_scan_kind(struct hh_yara_pack *p, const uint8_t *buf, size_t len, bool text,
			   struct hh_yara_hit *hits, size_t max, char *err, size_t errlen);
/* Every rule, as hh_yara_pack_scan; *traits: the executable trait strings
 * seen in the same pass (hh_traits.seen bits, exe_traits.h), complete only
 * when err is left empty (on a scan error the caller looks for them itself). */
int hh_yara_pack_scan_traits(struct hh_yara_pack *p, const uint8_t *buf, size_t len, struct hh_yara_hit *hits,
			     size_t max, uint64_t *traits, char *err, size_t errlen);

/* False when buf (plain text) holds none of the strings the text rules need,
 * so a text scan cannot match (built-in rules only: with user rules always
 * true). One multi-pattern pass, cheaper than YARA's. */
bool hh_yara_pack_text_may_match(const struct hh_yara_pack *p, const uint8_t *buf, size_t len);
/* False when buf (an executable) holds none of the strings the full rule set
 * needs nor any trait string hh_traits_result needs: no rule can match and
 * the traits are none, so hh_yara_pack_scan_traits would find nothing
 * (built-in rules only: with user rules, or a rule whose strings cannot be
 * prefiltered, always true). */
bool hh_yara_pack_exe_may_match(const struct hh_yara_pack *p, const uint8_t *buf, size_t len);
/* The prefilter's patterns (*pats, valid while p lives), to look for them in
 * another pass over the same text; 0 when there is no prefilter. */
struct hh_mm_pattern;
size_t hh_yara_pack_text_patterns(const struct hh_yara_pack *p, const struct hh_mm_pattern **pats);

/* The built-in rule pack text (all files concatenated), e.g. for the bench. */
void hh_yara_pack_write_builtin(FILE *fp);
void hh_yara_pack_write_builtin_stdout(void);

#endif
