/* An incident as people read it (dashboard and post-incident report),
 * assembled from the finding store: the newest incident.cryptomining
 * finding of a container, every finding that names that container (its
 * signals, posture context and responses), its CPU samples, its baseline
 * and its bill (correlation/bill.h), and the manifests of the evidence
 * snapshots its responses took.
 *
 * An incident's id is the first 12 characters of its container id (all of
 * it when shorter); ids hold only [0-9A-Za-z_.-]. Bounded: at most
 * HH_INCIDENT_MAX_SIGNALS findings (the newest) and HH_INCIDENT_MAX_POINTS
 * samples (the newest) per incident, HH_INCIDENT_MAX_LIST incidents listed. */
#ifndef HH_INCIDENT_H
#define HH_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/cpu_point.h"
#include "core/finding.h"
#include "correlation/bill.h"
#include "sinks/store.h"

#define HH_INCIDENT_RULE "incident.cryptomining"
#define HH_INCIDENT_ID_LEN 13
#define HH_INCIDENT_MAX_SIGNALS 2000
#define HH_INCIDENT_MAX_POINTS 3600
#define HH_INCIDENT_MAX_LIST 200
#define HH_INCIDENT_MAX_MANIFESTS 8

struct hh_incident {
	char id[HH_INCIDENT_ID_LEN];
	char container_id[HH_ID_LEN];
	struct hh_finding *latest;        /* the newest incident finding (owned) */
	enum hh_severity severity;        /* its severity */
	double score;                     /* its incident.score */
	char workload[HH_NAME_LEN * 2];   /* namespace/pod, else the container's name, else its id */
	char ns[HH_NAME_LEN];             /* k8s.ns.name, "" when none */
	char node[256];                   /* k8s.node.name, else hostname, "" when unknown */
	double first_seen, last_seen;     /* first and last finding naming the container */
	double flagged_at;                /* first finding at medium or above: the bill starts here */
	struct hh_findings signals;       /* findings naming the container, oldest first */
	size_t signals_total;             /* in the store (signals holds the newest, capped) */
	struct hh_cpu_point *points;      /* CPU samples, oldest first (owned) */
	size_t n_points;
	double baseline;                  /* median CPU before flagged_at (>= 3 samples), else NAN */
	struct hh_bill bill;
	json_t *manifests;                /* [{dir, created?, files: [{file, bytes, sha256}], error?}] */
};

/* Loads the incident id (see above). The evidence manifests read are those
 * under response.evidence_dir only. Returns 0, or -1 with err (no such
 * incident, a bad id, a database error). */
int hh_incident_load(struct hh_store *s, const struct hh_config *cfg, const char *id, struct hh_incident *out,
		     char *err, size_t errlen);
void hh_incident_free(struct hh_incident *inc);

struct hh_incident_filter {
	enum hh_severity min_severity;    /* of the incident */
	const char *ns;                   /* exact namespace; NULL any ("" : none) */
	const char *rule;                 /* has a finding of this rule; NULL any */
	double from, to;                  /* seen (first..last) overlaps [from, to]; 0: open */
	size_t limit;                     /* 0: HH_INCIDENT_MAX_LIST */
};

/* Calls fn for each matching incident, the one whose newest incident
 * finding is newest first.
 * Returns the count, or -1 on a database error. */
int hh_incident_list(struct hh_store *s, const struct hh_config *cfg, const struct hh_incident_filter *f,
		     void (*fn)(const struct hh_incident *inc, void *ctx), void *ctx);

/* Evidence of f by what (its first), or NULL. */
const json_t *hh_incident_evidence(const struct hh_finding *f, const char *what);
/* True when id is a well-formed incident id. */
bool hh_incident_id_ok(const char *id);

/* The ATT&CK name of a technique id we emit, or NULL. */
const char *hh_mitre_name(const char *technique);
/* What to change for a posture finding's rule (posture.*, context.*), or NULL. */
const char *hh_posture_fix(const char *rule);

#endif
