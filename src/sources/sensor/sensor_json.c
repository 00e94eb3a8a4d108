/* JSON form of a sensor event: see sensor_json.h. */
#include "sources/sensor/sensor_json.h"

#include <stdio.h>

static void set_str(json_t *o, const char *k, const char *v)
{
	if (v && *v)
		json_object_set_new(o, k, json_string(v));
}

static void set_int(json_t *o, const char *k, long long v)
{
	json_object_set_new(o, k, json_integer(v));
}

json_t *hh_event_to_json(const struct hh_event *ev)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "evt.time", json_real(ev->time));
	json_object_set_new(o, "evt.type", json_string(hh_event_type_name(ev->type)));
	set_int(o, "evt.ktime_ns", (long long)ev->ktime_ns);
	set_int(o, "proc.pid", ev->pid);
	set_int(o, "proc.tid", ev->tid);
	if (ev->ppid)
		set_int(o, "proc.ppid", ev->ppid);
	set_str(o, "proc.name", ev->comm);
	set_str(o, "proc.pname", ev->pcomm);
	set_str(o, "proc.exepath", ev->exepath);
	if (ev->type == HH_EV_EXEC) {
		json_object_set_new(o, "proc.cmdline", json_string(ev->cmdline));
		if (ev->cmdline_truncated)
			json_object_set_new(o, "proc.cmdline_truncated", json_true());
		json_object_set_new(o, "proc.exe_upper_layer", json_boolean(ev->exe_upper_layer));
		json_object_set_new(o, "proc.exe_memfd", json_boolean(ev->exe_memfd));
		json_object_set_new(o, "proc.exe_deleted", json_boolean(ev->exe_deleted));
		set_str(o, "proc.exe.miner_traits", ev->exe_traits);
	} else {
		set_str(o, "proc.cmdline", ev->cmdline);
	}
	set_int(o, "user.uid", ev->uid);
	set_int(o, "user.gid", ev->gid);
	set_int(o, "container.cgroup_id", (long long)ev->cgroup_id);
	set_str(o, "container.id", ev->workload.container_id);
	switch (ev->type) {
	case HH_EV_CONNECT:
	case HH_EV_DNS:
		set_str(o, "fd.sip", ev->sip);
		set_int(o, "fd.sport", ev->sport);
		json_object_set_new(o, "fd.l4proto", json_string(ev->l4proto == 17 ? "udp" : "tcp"));
		if (ev->type == HH_EV_DNS) {
			json_object_set_new(o, "dns.query", json_string(ev->dns_query));
			set_int(o, "dns.qtype", ev->flags);
		}
		break;
	case HH_EV_OPEN:
		set_str(o, "fd.name", ev->path);
		if (ev->open_flags == -1)
			json_object_set_new(o, "fd.type", json_string("unix"));
		else
			set_int(o, "evt.arg.flags", ev->open_flags);
		break;
	case HH_EV_MODULE:
		set_str(o, "evt.arg.name", ev->path);
		set_str(o, "evt.arg.params", ev->arg_str);
		break;
	case HH_EV_PTRACE:
		set_int(o, "evt.arg.request", ev->flags);
		set_int(o, "evt.arg.pid", ev->target_pid);
		break;
	case HH_EV_SETNS:
		set_int(o, "evt.arg.fd", ev->ret);
		set_int(o, "evt.arg.nstype", ev->flags);
		break;
	case HH_EV_UNSHARE:
		set_int(o, "evt.arg.flags", ev->flags);
		break;
	case HH_EV_MOUNT:
		set_str(o, "fd.name", ev->path);
		set_str(o, "evt.arg.fstype", ev->arg_str);
		set_int(o, "evt.arg.flags", ev->flags);
		break;
	case HH_EV_MEMFD:
		json_object_set_new(o, "evt.arg.name", json_string(ev->path));
		set_int(o, "evt.arg.flags", ev->flags);
		break;
	case HH_EV_FPU: {
		char hex[16];
		snprintf(hex, sizeof(hex), "0x%04x", ev->mxcsr_last);
		set_int(o, "fpu.switches", (long long)ev->fpu_switches);
		set_int(o, "fpu.nondefault_switches", (long long)ev->fpu_nondefault_switches);
		set_int(o, "fpu.exec_protects", (long long)ev->fpu_exec_protects);
		set_int(o, "fpu.anon_exec_maps", (long long)ev->fpu_anon_exec_maps);
		set_int(o, "fpu.hugepage_reqs", (long long)ev->fpu_hugepage_reqs);
		json_object_set_new(o, "fpu.mxcsr", json_string(hex));
		break;
	}
	case HH_EV_EXIT:
		set_int(o, "evt.arg.status", ev->exit_code);
		break;
	default:
		break;
	}
	return o;
}
