/* Ring-buffer record -> struct hh_event (user-space side of sensor_events.h).
 * Pure: no I/O, no clocks; the loader adds wall time and procfs details.
 * The record comes from the kernel but is still checked like hostile input:
 * size against the type's struct, strings bounded by their fields, payload
 * lengths against the payload array. */
#ifndef HH_SENSOR_DECODE_H
#define HH_SENSOR_DECODE_H

#include <stddef.h>

#include "core/event.h"

/* Returns 0 and fills ev (zeroed first), or -1 with a reason in err. */
int hh_sensor_decode(const void *data, size_t size, struct hh_event *ev, char *err, size_t errlen);

/* Formats an IPv4 (family 4) or IPv6 (family 6) address from 16 bytes. */
void hh_sensor_format_ip(int family, const unsigned char addr[16], char *out, size_t outlen);

#endif
