/* JUnit XML for CI systems that show test reports, valid against the Jenkins
 * xunit plugin's junit-10.xsd (tests/data/junit/junit-10.xsd):
 *   <testsuites> with one <testsuite> per input file (attribute file; cases
 *   about no file go to a suite named after the command), each with name,
 *   tests, failures, errors, skipped, time, timestamp and hostname;
 *   one <testcase> per object and control judged when the command names its
 *   subjects (hashhound check: every Kubernetes object and node config with
 *   the controls that apply to it), passes included; a testcase per finding
 *   otherwise. Names are unique ("CONTROL WHERE"). A case fails when a
 *   finding at medium severity or above is about it; the failure text says
 *   what, where, why and the evidence. */
#ifndef HH_JUNIT_H
#define HH_JUNIT_H

#include <stddef.h>
#include <stdio.h>

#include "core/finding.h"

#define HH_JUNIT_MAX_CONTROLS 32

/* One thing a command judged, and the controls (rule ids) it judged it by. A
 * finding is about it when its k8s.kind, k8s.name, k8s.ns.name and file.path
 * equal these (absent fields count as ""). */
struct hh_junit_subject {
	char kind[64];
	char ns[128];
	char name[254];
	char file[1024];
	unsigned line;
	const char *const *controls;   /* static strings */
	size_t n_controls;
};

/* subjects may be NULL. */
void hh_junit_write(FILE *fp, const char *command, const struct hh_findings *list,
		    const struct hh_junit_subject *subjects, size_t n_subjects, double elapsed_s);

#endif
