/* The fleet view of the HTTP endpoint (sinks/http_server.h), from the
 * campaign findings `hashhound fleet run` writes into the store it shares
 * with the plain finding store (`hashhound serve --store fleet.db`):
 *   /fleet                  the campaigns: kind, key, nodes, and per node its
 *                           workload, rule and severity (HTML, no script)
 *   /api/fleet/campaigns    the same as a JSON array of fleet.campaign findings
 * Each campaign once (its latest report: the most nodes), most nodes first,
 * at most HH_FLEET_VIEW_MAX. A store without campaigns gives an empty list. */
#ifndef HH_SINKS_FLEET_VIEW_H
#define HH_SINKS_FLEET_VIEW_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>

#include "sinks/store.h"

#define HH_FLEET_VIEW_MAX 500

/* True when url is one of the paths above. */
bool hh_fleet_view_path(const char *url);
enum MHD_Result hh_fleet_view(struct MHD_Connection *conn, const char *url, struct hh_store *store);

/* The page and the array, for the handler and the tests. Return the number
 * of campaigns, or -1 on a store error (the page then says so). */
int hh_fleet_view_html(FILE *fp, struct hh_store *store);
int hh_fleet_view_json(FILE *fp, struct hh_store *store);

#endif
