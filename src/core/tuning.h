/* One tuning model for every detector (docs/tuning.md). Applied where
 * findings leave hashhound (the agent's emit path, and the CLI's emit for
 * scan, pcap, check, audit-log, sensor and rules test), so process indicators, exe
 * traits, runtime rules, scanner checks, network detectors, behavior,
 * posture and audit findings are all silenced the same way:
 *
 *   rules.disabled  rule ids or globs ("net.*"); per workload through
 *                   overrides (overrides[].set.rules.disabled)
 *   exceptions      a list of accepted findings:
 *     - rule: escape.runtime-socket      # id or glob (required)
 *       reason: "cAdvisor reads the Docker socket"   # required
 *       match: { namespace: monitoring, image: "gcr.io/cadvisor*", labels: { app: cadvisor } }
 *       fields: { proc.name: cadvisor }  # finding fields, globs (numbers as text)
 *       path: "node_modules/ethers*"     # file.path glob (see below)
 *       expires: 2027-06-30              # after this day: a warning, no longer applied
 *   an ignore file  (.hashhoundignore for scan and check), one entry a line:
 *       RULE  PATH-GLOB  [exp:YYYY-MM-DD]  REASON...
 *     '#' starts a comment line; PATH-GLOB '*' is any path.
 *
 * Globs are fnmatch(3) patterns where '*' also spans '/'. A path glob
 * matches file.path whole or any trailing part that starts after a '/'
 * ("app/node_modules*" matches "layer-3f2a/app/node_modules/x.js").
 * The workload of a finding is the one given, else its fields (k8s.ns.name,
 * k8s.pod.name, container.name, container.image[.repository]).
 * Bounded: HH_TUNING_MAX entries from config and file together. */
#ifndef HH_TUNING_H
#define HH_TUNING_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/finding.h"
#include "core/workload.h"

#define HH_TUNING_MAX 4096

struct hh_tuning;

struct hh_tuning_stats {
	size_t suppressed;         /* findings dropped */
	size_t by_disabled;        /* ... by rules.disabled */
	size_t by_exception;       /* ... by config exceptions */
	size_t by_ignore_file;     /* ... by the ignore file */
	size_t expired;            /* entries skipped because they expired */
};

/* Reads rules.disabled (at match time, per workload) and exceptions from cfg
 * (borrowed; must outlive the tuning). today: "YYYY-MM-DD" (NULL: the UTC
 * date now). NULL with err naming the entry when exceptions are malformed. */
struct hh_tuning *hh_tuning_new(const struct hh_config *cfg, const char *today, char *err, size_t errlen);
void hh_tuning_free(struct hh_tuning *t);

/* Adds the entries of an ignore file. Returns the number added, or -1 with
 * err naming FILE:LINE and the problem. Expired entries warn (FILE:LINE)
 * and are not added. */
int hh_tuning_load_ignore_file(struct hh_tuning *t, const char *path, char *err, size_t errlen);

/* True when f is tuned away; why (may be NULL) then points at a static or
 * tuning-owned text ("rules.disabled", "exception: <reason>", "FILE:LINE: <reason>").
 * w may be NULL (the finding's fields are used). */
bool hh_tuning_suppressed(struct hh_tuning *t, const struct hh_workload *w, const struct hh_finding *f,
			  const char **why);

const struct hh_tuning_stats *hh_tuning_stats(const struct hh_tuning *t);

/* fnmatch without FNM_PATHNAME; helpers shared with the rules engine. */
bool hh_tuning_glob(const char *pattern, const char *value);
bool hh_tuning_path_glob(const char *pattern, const char *path);

#endif
