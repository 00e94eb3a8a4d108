/* Terminal-safe text: names from hostile input (archive entries, process
 * names, paths) may carry terminal escape sequences, CR or LF that would
 * rewrite or forge lines on stderr and in tables. */
#ifndef HH_ESCAPE_H
#define HH_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

/* Copies s into out[n] with every C0 control byte and DEL written as \n, \r,
 * \t or \xNN, and the UTF-8 C1 controls (U+0080..U+009F, e.g. the 8-bit CSI)
 * as \u00NN; everything else, valid UTF-8 or not, is kept. Cut to fit, never
 * inside an escape. Returns out. */
const char *hh_escape_terminal(const char *s, char *out, size_t n);
/* Whether s holds anything hh_escape_terminal would rewrite. */
bool hh_escape_needed(const char *s);

#endif
