/* Lazy /proc lookups behind the Falco fields that events do not carry
 * (fields_proc.c). Each returns false when the value is not available (the
 * process is gone, the file unreadable): the field is then <NA>. */
#ifndef HH_RULES_FIELDS_PROC_H
#define HH_RULES_FIELDS_PROC_H

#include <stdbool.h>
#include <stddef.h>

/* The /proc root is set with hh_rules_set_proc_root (rules.h). */
bool fproc_tty(int pid, long long *out);
/* readlink of /proc/PID/NAME ("cwd", "exe"). */
bool fproc_link(int pid, const char *name, char *out, size_t n);
bool fproc_cmdline(int pid, char *out, size_t n);
bool fproc_loginuid(int pid, long long *out);
/* "CAP_CHOWN CAP_SYS_ADMIN ..." from CapEff (effective) or CapPrm. */
bool fproc_caps(int pid, bool effective, char *out, size_t n);
/* The user (group when group is true) name of id for process pid. */
bool fproc_user_name(int pid, long long id, bool group, char *out, size_t n);

#endif
