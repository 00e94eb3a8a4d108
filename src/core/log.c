#include "core/log.h"

#include "core/escape.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum hh_log_level current_level = HH_LOG_INFO;

void hh_log_set_level(enum hh_log_level level) { current_level = level; }
enum hh_log_level hh_log_get_level(void) { return current_level; }

void hh_log(enum hh_log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	if (level > current_level)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char stamp[32];
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	/* One fprintf per line so concurrent threads do not interleave mid-line. */
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* names from hostile input must not move the cursor or forge lines */
	char safe[4 * sizeof(msg)];
	fprintf(stderr, "hashhound %s %s: %s\n", stamp, names[level],
		hh_escape_needed(msg) ? hh_escape_terminal(msg, safe, sizeof(safe)) : msg);
}
