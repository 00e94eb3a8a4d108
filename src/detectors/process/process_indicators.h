/* Findings from one process snapshot (HH_EV_PROC, procfs inventory):
 *   miner.process-indicators  stratum URLs, validated wallets, miner flags,
 *                             names and algorithms in cmdline and environment
 *   miner.exe-traits          the exe's content carries miner code (a renamed
 *                             miner when its name does not say so); critical
 *                             when the exe is deleted or a memfd
 *   proc.exe-upper-layer      exe written into the container after it started (medium)
 *   proc.exe-memfd            exe runs from a memfd, fileless (medium)
 *   proc.exe-deleted          exe unlinked while running (low)
 * Each (rule, container, pid, exe) reports once; the set that remembers is
 * bounded (two generations of cap keys). */
#ifndef HH_PROCESS_INDICATORS_H
#define HH_PROCESS_INDICATORS_H

#include <stddef.h>

#include "core/event.h"
#include "core/finding.h"

struct hh_procind;

/* cap: keys remembered per generation (default 16384 when 0). */
struct hh_procind *hh_procind_new(size_t cap);
void hh_procind_free(struct hh_procind *d);

/* Evaluates ev; appends new findings (source "agent") to out, which owns
 * them. Returns the number appended. Events of other types give none. */
size_t hh_procind_eval(struct hh_procind *d, const struct hh_event *ev, struct hh_findings *out);

#endif
