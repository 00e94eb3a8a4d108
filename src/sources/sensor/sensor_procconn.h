/* Fallback event source: the netlink proc connector (exec, exit; fork is
 * read but not reported) plus procfs for the details. It cannot see
 * connects, DNS, opens, module loads, ptrace, namespaces, mounts, memfds or
 * the FPU state: only eBPF can. Lost messages are counted exactly from the
 * per-CPU sequence numbers the connector stamps on each message, and from
 * ENOBUFS overruns. */
#ifndef HH_SENSOR_PROCCONN_H
#define HH_SENSOR_PROCCONN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/event.h"

struct hh_procconn;
typedef void (*hh_procconn_cb)(struct hh_event *ev, void *ctx);

/* Returns NULL with err set (e.g. no CAP_NET_ADMIN, no connector). */
struct hh_procconn *hh_procconn_open(const char *proc_root, bool containers_only, char *err, size_t errlen);
int hh_procconn_fd(const struct hh_procconn *pc);
/* Reads what is pending (non-blocking), calls cb per event; returns events or -1. */
int hh_procconn_read(struct hh_procconn *pc, hh_procconn_cb cb, void *ctx);
void hh_procconn_counts(const struct hh_procconn *pc, uint64_t *lost_exec, uint64_t *lost_exit);
void hh_procconn_close(struct hh_procconn *pc);

#endif
