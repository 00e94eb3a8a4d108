/* Small helpers shared by hh-minersim and hh-poolsim: clocks and logging. */
#ifndef MS_COMMON_H
#define MS_COMMON_H
#include <stdint.h>

/* Monotonic nanoseconds. */
uint64_t ms_now_ns(void);
/* Sleeps ns nanoseconds (returns early on a signal). */
void ms_sleep_ns(uint64_t ns);
/* "[HH:MM:SS.mmm] prog: message\n" on stderr, one write so threads do not interleave. */
void ms_log(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Strict number parsing for options; -1 when s is not an integer in [lo, hi]. */
int ms_parse_long(const char *s, long lo, long hi, long *out);

#endif
