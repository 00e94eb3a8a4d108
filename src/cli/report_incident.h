/* hashhound report --incident ID: one incident as a standalone file
 * (sinks/incident_view.h), HTML or Markdown. */
#ifndef HH_REPORT_INCIDENT_H
#define HH_REPORT_INCIDENT_H

#include <stdbool.h>

/* Writes incident id from store_path (NULL: sinks.store.path of the
 * configuration at config_path, NULL: built-in) to out_path (NULL or "-":
 * stdout). Returns 0, or 2 after printing why (a bad id, no such incident,
 * a store or file that cannot be opened). */
int hh_report_incident(const char *store_path, const char *config_path, const char *id, bool markdown,
		       const char *out_path);

#endif
