/* Parsers of procfs text (internal to sources/procfs; exposed for tests and
 * fuzzing). Inputs come from the kernel but describe hostile processes:
 * a comm may hold spaces and parentheses, mount paths any bytes. */
#ifndef HH_PROCFS_PARSE_H
#define HH_PROCFS_PARSE_H

#include <stddef.h>

#include "core/event.h"

struct hh_proc_stat {
	char comm[HH_EV_COMM_LEN];
	int ppid;
	unsigned long long starttime;   /* clock ticks after boot (field 22) */
};

/* Parses the text of /proc/PID/stat ("pid (comm) state ppid ..."; comm ends
 * at the last ')'). Returns 0, or -1 when it is not that shape. */
int hh_proc_stat_parse(const char *text, struct hh_proc_stat *st);

/* Finds the overlay mounted at "/" in the text of /proc/PID/mountinfo (the
 * last one: it is on top) and copies its upperdir= (octal escapes decoded)
 * into out. text is modified (split in place). Returns 0, or -1 when there
 * is none or it does not fit. */
int hh_mountinfo_root_upperdir(char *text, char *out, size_t n);

#endif
