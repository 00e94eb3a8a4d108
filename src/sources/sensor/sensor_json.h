/* One sensor event as a JSON object with Falco-style field names (the
 * `hashhound sensor` output; docs/sensor.md lists every field). */
#ifndef HH_SENSOR_JSON_H
#define HH_SENSOR_JSON_H

#include <jansson.h>

#include "core/event.h"

/* New reference; NULL only when out of memory. */
json_t *hh_event_to_json(const struct hh_event *ev);

#endif
