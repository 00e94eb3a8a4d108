/* Text forms of flags and results, as Falco prints them (fields_flags.c). */
#ifndef HH_RULES_FIELDS_FLAGS_H
#define HH_RULES_FIELDS_FLAGS_H

#include <stddef.h>
#include <stdint.h>

#include "core/event.h"

/* evt.arg.flags: open flags ("O_WRONLY|O_CREAT|O_TRUNC"), namespace flags
 * ("CLONE_NEWNS"), mount flags ("MS_BIND|MS_REC"), else the number. */
void hh_flags_text(enum hh_event_type type, uint32_t flags, int32_t open_flags, char *out, size_t n);
/* evt.res: "SUCCESS" for a result >= 0, else the errno name ("ENOENT"). */
void hh_res_text(int64_t ret, char *out, size_t n);

#endif
