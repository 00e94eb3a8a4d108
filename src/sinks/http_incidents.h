/* The incident pages of the HTTP endpoint (sinks/http_server.h):
 *   /incidents                    the list: ?min_severity=&namespace=&rule=&since=&from=&to=
 *   /incidents/ID                 the incident page
 *   /incidents/ID/report.html     the post-incident report (standalone HTML)
 *   /incidents/ID/report.md       the same in Markdown
 * Answers 400 for a bad parameter or id, 404 for an unknown incident. */
#ifndef HH_HTTP_INCIDENTS_H
#define HH_HTTP_INCIDENTS_H

#include <microhttpd.h>
#include <stdbool.h>

#include "core/config.h"
#include "sinks/store.h"

/* True when url is one of the paths above. */
bool hh_http_incidents_path(const char *url);
enum MHD_Result hh_http_incidents(struct MHD_Connection *conn, const char *url, struct hh_store *store,
				  const struct hh_config *cfg);

/* Queues body (malloc'd, taken over, freed also on failure) as a page with
 * no cache and a content policy that forbids scripts; the dashboard's
 * server-drawn pages (incidents, fleet) all go out through it. */
enum MHD_Result hh_http_send_page(struct MHD_Connection *conn, unsigned status, const char *type, char *body,
				  size_t len);

#endif
