/* Incidents for people (sinks/incident.h for what one holds):
 *   hh_incident_html       the incident page: summary, bill, reasons, the
 *                          timeline and CPU plots (inline SVG), every signal,
 *                          the response taken, the evidence manifests with
 *                          their SHA-256, the ATT&CK mapping and the posture
 *                          to fix. standalone: the post-incident report (no
 *                          links back to a server); else the dashboard page.
 *   hh_incident_markdown   the same facts in Markdown (plots as tables of
 *                          numbers), for a ticket.
 *   hh_incident_list_html  the dashboard's incident list with its filter
 *                          form and the running cost of what it shows.
 * No scripts, no external resources; every value from the store escaped. */
#ifndef HH_INCIDENT_VIEW_H
#define HH_INCIDENT_VIEW_H

#include <stdbool.h>
#include <stdio.h>

#include "sinks/incident.h"

void hh_incident_html(FILE *fp, const struct hh_incident *inc, bool standalone);
void hh_incident_markdown(FILE *fp, const struct hh_incident *inc);

/* The filter as the page shows it back (strings as given; NULL: unset). */
struct hh_incident_list_form {
	const char *min_severity, *ns, *rule, *from, *to;
	const char *error;    /* a bad parameter, shown above the list; NULL none */
};
/* One query parameter of the list: min_severity, namespace, rule, since
 * (seconds back from now), from and to (UTC, "YYYY-MM-DDTHH:MM[:SS][Z]").
 * Strings point into value. Returns 0, or -1 with a message in err naming
 * the parameter. An empty value leaves the filter unset. */
int hh_incident_filter_arg(struct hh_incident_filter *f, struct hh_incident_list_form *form, const char *key,
			   const char *value, double now, char *err, size_t errlen);
void hh_incident_list_html(FILE *fp, struct hh_store *s, const struct hh_config *cfg,
			   const struct hh_incident_filter *f, const struct hh_incident_list_form *form);

/* Shared by the views: "2026-12-05 12:00:01Z" (seconds, UTC). */
void hh_incident_time(double t, char *buf, size_t n);
/* The reasons of the incident finding (its reason.* evidence): calls fn with
 * the class name and the words. Returns how many. */
size_t hh_incident_reasons(const struct hh_incident *inc, void (*fn)(const char *cls, const char *text, void *ctx),
			   void *ctx);

#endif
