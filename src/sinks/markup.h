/* Escaping text for XML and HTML outputs (JUnit, the HTML report). */
#ifndef HH_MARKUP_H
#define HH_MARKUP_H

#include <stdio.h>

/* Writes s with < > & " ' escaped; control characters XML 1.0 forbids
 * (all below 0x20 but tab and newline) become '?'. NULL writes nothing. */
void hh_markup_escaped(FILE *fp, const char *s);

#endif
