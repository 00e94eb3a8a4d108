/* procfs reads that complete a sensor event: what the kernel record cannot
 * carry (exe path resolved, parent name) and, for the proc-connector
 * fallback, everything (cmdline, cgroup id, uid). A process may be gone by
 * the time we look: fields then stay as they were, never invented. */
#ifndef HH_SENSOR_PROC_H
#define HH_SENSOR_PROC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/event.h"

/* Resolves ev->exepath from /proc/PID/exe (keeps the exec filename when the
 * process is gone), sets exe_deleted/exe_memfd and ev->pcomm. */
void hh_sensor_proc_exe(const char *proc_root, struct hh_event *ev);
/* For an exec event (ev->exepath still the exec filename): false when the
 * pid runs another program since (an exec followed by another one, as
 * `sh -c "exec ..."` does), so /proc/PID/exe, environ and the exe's content
 * describe the later program, not this event's. Compares the inode of
 * /proc/PID/exe with that of the filename under /proc/PID/root (or cwd, for
 * a relative one); true when either cannot be read. */
bool hh_sensor_proc_same_image(const char *proc_root, const struct hh_event *ev);
/* Fills ev->env from /proc/PID/environ (pairs separated by '\n', first
 * HH_EV_ENV_LEN-1 bytes) and, when empty, ev->cmdline from /proc/PID/cmdline. */
void hh_sensor_proc_env_cmdline(const char *proc_root, struct hh_event *ev);
/* Fallback: fills comm, ppid, uid, gid, cmdline, cgroup_id of ev->pid.
 * Returns 0, or -1 when the process is gone. */
int hh_sensor_proc_details(const char *proc_root, struct hh_event *ev);
/* Inode of /proc/PID/ns/pid (pid namespace), 0 when unreadable. */
uint32_t hh_sensor_pidns(const char *proc_root, int pid);
/* The host pid namespace: that of PID 1, or our own when PID 1 is not
 * readable (a sandbox hiding it); 0 if neither. */
uint32_t hh_sensor_host_pidns(const char *proc_root);
/* The cgroup v2 id of a process: the inode of its cgroup2 directory. 0 if unknown. */
uint64_t hh_sensor_cgroup_id(const char *proc_root, int pid);

#endif
