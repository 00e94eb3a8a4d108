/* Posture controls: the stable ids of `hashhound check`, their default
 * severity, and the matching ids of other tools (kubescape C-00xx, Trivy
 * KSV0xx, CIS Kubernetes Benchmark sections), kept in one table
 * (controls.c) so every finding carries the same metadata. */
#ifndef HH_POSTURE_CONTROLS_H
#define HH_POSTURE_CONTROLS_H

#include "core/finding.h"

struct hh_control {
	const char *id;          /* "posture.privileged" */
	const char *title;
	enum hh_severity severity;
	const char *kubescape;   /* "" when no counterpart */
	const char *trivy;
	const char *cis;
	const char *mitre;       /* one ATT&CK id */
	const char *why;         /* what it gives a miner, one line */
};

/* NULL when id is not a control. */
const struct hh_control *hh_control_find(const char *id);
/* The table, for docs and tests. */
const struct hh_control *hh_controls(size_t *n);

/* New "check" finding for control c with its metadata fields set
 * (control.kubescape, control.trivy, control.cis, control.why). */
struct hh_finding *hh_control_finding(const struct hh_control *c, enum hh_severity sev);

#endif
