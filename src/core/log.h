/* Logging to stderr. stdout belongs to findings (output contract), so every
 * diagnostic goes through here. */
#ifndef HH_LOG_H
#define HH_LOG_H

enum hh_log_level { HH_LOG_ERROR, HH_LOG_WARN, HH_LOG_INFO, HH_LOG_DEBUG };

/* Messages above this level are dropped. Default HH_LOG_INFO. */
void hh_log_set_level(enum hh_log_level level);
enum hh_log_level hh_log_get_level(void);

void hh_log(enum hh_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define hh_err(...)   hh_log(HH_LOG_ERROR, __VA_ARGS__)
#define hh_warn(...)  hh_log(HH_LOG_WARN, __VA_ARGS__)
#define hh_info(...)  hh_log(HH_LOG_INFO, __VA_ARGS__)
#define hh_debug(...) hh_log(HH_LOG_DEBUG, __VA_ARGS__)

#endif
