#include "core/event.h"

const char *hh_event_type_name(enum hh_event_type t)
{
	switch (t) {
	case HH_EV_EXEC: return "execve";
	case HH_EV_EXIT: return "exit";
	case HH_EV_CONNECT: return "connect";
	case HH_EV_DNS: return "dns";
	case HH_EV_OPEN: return "open";
	case HH_EV_MODULE: return "init_module";
	case HH_EV_PTRACE: return "ptrace";
	case HH_EV_SETNS: return "setns";
	case HH_EV_UNSHARE: return "unshare";
	case HH_EV_MOUNT: return "mount";
	case HH_EV_MEMFD: return "memfd_create";
	case HH_EV_FPU: return "fpu";
	case HH_EV_PROC: return "proc";
	}
	return "unknown";
}
