/* The network layer of the agent: the eBPF socket capture
 * (sources/netcap/netcap.h) feeds the packet engine of `hashhound pcap`
 * (sources/pcap/engine.h, one flow per socket: the socket cookie scopes the
 * flow) and through it the same network detectors (Stratum and its
 * dialects, TLS ClientHello with pool intel, DNS answers naming later flows,
 * encrypted-mining flow behavior). A new flow gets its owner from the
 * capture: the process seen connecting or sending, and the container from
 * the socket's cgroup v2 id. Findings (net.*) go through the agent's emit
 * path (sinks, correlator) like every other finding.
 * Configuration: agent.network.* (config/hashhound.yaml says what each does). */
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent_internal.h"
#include "core/log.h"
#include "enrich/container_id.h"
#include "sources/netcap/netcap.h"
#include "sources/pcap/engine.h"

#define CG_SLOTS 1024

struct cg_slot {
	uint64_t cgroup_id;       /* 0: empty */
	struct hh_cgroup_identity id;
};

struct hh_agent_net {
	struct hh_agent *a;
	struct hh_netcap *cap;
	struct hh_intel *intel;
	struct hh_netdetect *det;
	struct hh_engine *eng;
	const struct hh_netcap_pkt *cur;  /* the packet being handled */
	bool host_processes;              /* report processes outside containers */
	unsigned long flows, owned, findings, dropped_host;
	struct hh_workload scratch;       /* a new flow's owner (copied by the detectors) */
	struct cg_slot cg[CG_SLOTS];
};

static void net_free(struct hh_agent_net *n)
{
	if (!n)
		return;
	hh_netcap_close(n->cap);  /* no more packets */
	hh_engine_free(n->eng);   /* ends every flow: the last findings go out */
	hh_netdetect_free(n->det);
	hh_intel_free(n->intel);
	free(n);
}

/* Container identity of a socket's cgroup (cached). */
static const struct hh_cgroup_identity *cgroup_identity(struct hh_agent_net *n, uint64_t cgid)
{
	if (!cgid)
		return NULL;
	struct cg_slot *s = &n->cg[cgid % CG_SLOTS];
	if (s->cgroup_id == cgid)
		return &s->id;
	char path[HH_PATH_LEN];
	if (hh_netcap_cgroup_path(n->cap, cgid, path, sizeof(path)) < 0)
		return NULL; /* gone: unknown, not "host" */
	memset(&s->id, 0, sizeof(s->id));
	hh_cgroup_path_identity(path, strlen(path), &s->id);
	s->cgroup_id = cgid;
	return &s->id;
}

/* The workload of a container id: the agent's when it follows it, else
 * named now (started since the last sweep). */
static void workload_of(struct hh_agent *a, const struct hh_cgroup_identity *id, struct hh_workload *w)
{
	memset(w, 0, sizeof(*w));
	const struct agent_container *c = hh_agent_container(a, id->container_id);
	if (c) {
		*w = c->w;
		return;
	}
	hh_identity_of_container(a->identity, id->container_id, id->runtime, w);
	hh_strlcpy(w->container_id, id->container_id, sizeof(w->container_id));
	if (!w->runtime[0])
		hh_strlcpy(w->runtime, id->runtime, sizeof(w->runtime));
	if (!w->pod_uid[0])
		hh_strlcpy(w->pod_uid, id->pod_uid, sizeof(w->pod_uid));
}

static void on_flow(void *arg, struct hh_net_flow *f)
{
	struct hh_agent_net *n = arg;
	const struct hh_netcap_pkt *p = n->cur;
	n->flows++;
	if (!p)
		return;
	const struct hh_cgroup_identity *id = cgroup_identity(n, p->cgroup_id);
	struct hh_workload *w = NULL;
	if (id && id->container_id[0]) {
		w = &n->scratch;
		workload_of(n->a, id, w);
	}
	if (p->pid <= 0 && !w)
		return;
	hh_netdetect_flow_set_owner(f, p->pid > 0 ? p->pid : -1, p->comm, w);
	n->owned++;
}

static void on_finding(void *arg, struct hh_finding *f)
{
	struct hh_agent_net *n = arg;
	struct hh_agent *a = n->a;
	const char *cid = json_string_value(json_object_get(f->fields, "container.id"));
	struct hh_workload w;
	memset(&w, 0, sizeof(w));
	if (!cid && n->cur) {
		/* DNS findings have no flow: the datagram's socket owns them */
		const struct hh_cgroup_identity *id = cgroup_identity(n, n->cur->cgroup_id);
		if (id && id->container_id[0]) {
			workload_of(a, id, &w);
			hh_finding_set_workload(f, &w);
			cid = w.container_id;
		}
		if (n->cur->pid > 0 && !json_object_get(f->fields, "proc.pid")) {
			hh_finding_set_int(f, "proc.pid", n->cur->pid);
			if (n->cur->comm[0])
				hh_finding_set_str(f, "proc.name", n->cur->comm);
		}
	} else if (cid && *cid) {
		struct hh_cgroup_identity id;
		memset(&id, 0, sizeof(id));
		hh_strlcpy(id.container_id, cid, sizeof(id.container_id));
		workload_of(a, &id, &w);
	}
	if (!cid || !*cid) {
		if (!n->host_processes) {
			n->dropped_host++;
			hh_finding_free(f);
			return;
		}
	} else if (!hh_agent_follows(a, cid)) {
		hh_finding_free(f);
		return;
	}
	n->findings++;
	a->now = hh_now();
	hh_agent_emit(a, &w, f);
}

static void on_packet(void *arg, const struct hh_netcap_pkt *p)
{
	struct hh_agent_net *n = arg;
	const char *why = NULL;
	n->cur = p;
	hh_engine_packet_scoped(n->eng, p->cookie, DLT_RAW, p->data, p->cap_len, p->wire_len, p->ts, &why);
	n->cur = NULL;
}

void hh_agent_net_open(struct hh_agent *a)
{
	const struct hh_config *cfg = a->cfg;
	/* Beside the runtime sensor: not with --no-sensor, --once, another proc
	 * root or agent.sensor: false; eBPF only (agent.ebpf). */
	if (!a->opts.sensor || !hh_config_bool(cfg, NULL, "agent.network.enabled", true) ||
	    !hh_config_bool(cfg, NULL, "agent.ebpf", true))
		return;
	struct hh_agent_net *n = calloc(1, sizeof(*n));
	if (!n) {
		hh_warn("agent: network layer: out of memory");
		return;
	}
	n->a = a;
	n->host_processes = hh_config_bool(cfg, NULL, "agent.network.host_processes", false);
	char err[512];
	n->intel = hh_intel_from_config(cfg, -1, NULL, 0, err, sizeof(err));
	if (!n->intel) {
		hh_warn("agent: network layer off: pool intel: %s", err);
		free(n);
		return;
	}
	struct hh_netdetect_opts dopts;
	hh_netdetect_opts_load(&dopts, cfg);
	dopts.report_early = true; /* alert while the session runs */
	n->det = hh_netdetect_new(&dopts, n->intel, "agent", on_finding, n);
	struct hh_engine_opts eopts;
	hh_engine_opts_load(&eopts, cfg);
	long long mf = hh_config_int(cfg, NULL, "agent.network.max_flows", 4096);
	eopts.max_flows = mf < 16 ? 16 : mf > 1000000 ? 1000000 : (size_t)mf;
	n->eng = n->det ? hh_engine_new(&eopts, n->det, n->intel) : NULL;
	if (!n->eng) {
		hh_warn("agent: network layer: out of memory");
		net_free(n);
		return;
	}
	hh_engine_set_flow_hook(n->eng, on_flow, n);
	long long snap = hh_config_int(cfg, NULL, "agent.network.snap_bytes", 4096);
	long long pps = hh_config_int(cfg, NULL, "agent.network.profile_pps", 32);
	long long socks = hh_config_int(cfg, NULL, "agent.network.max_sockets", 65536);
	long long ring = hh_config_int(cfg, NULL, "agent.network.ring_kb", 4096);
	struct hh_netcap_opts co = {
		.snap_bytes = snap < 0 ? 0 : snap > 4096 ? 4096 : (unsigned)snap,
		.profile_pps = pps < 0 ? 0 : pps > 100000 ? 100000 : (unsigned)pps,
		.server_side = hh_config_bool(cfg, NULL, "agent.network.server_side", false),
		.max_sockets = socks < 256 ? 256 : socks > 4000000 ? 4000000 : (unsigned)socks,
		.ring_kb = ring < 64 ? 64 : ring > 1048576 ? 1048576 : (unsigned)ring,
	};
	n->cap = hh_netcap_open(&co, on_packet, n, err, sizeof(err));
	if (!n->cap) {
		hh_warn("agent: network layer off: %s", err);
		net_free(n);
		return;
	}
	a->net = n;
}

void hh_agent_net_close(struct hh_agent *a)
{
	struct hh_agent_net *n = a->net;
	if (!n)
		return;
	struct hh_netcap_stats cs;
	hh_netcap_get_stats(n->cap, &cs);
	hh_netcap_poll(n->cap, 0); /* what is still in the ring */
	hh_info("network: %llu packets seen, %llu recorded (%llu bytes), %llu lost, %llu rate-limited; "
		"%lu flows (%lu with an owner), %lu findings, %lu about host processes not reported",
		(unsigned long long)cs.packets, (unsigned long long)cs.records, (unsigned long long)cs.bytes,
		(unsigned long long)cs.lost, (unsigned long long)cs.skipped, n->flows, n->owned, n->findings,
		n->dropped_host);
	if (cs.lost)
		hh_warn("network: %llu packet records lost (ring buffer full: raise agent.network.ring_kb)",
			(unsigned long long)cs.lost);
	a->net = NULL;
	net_free(n);
}

int hh_agent_net_fd(const struct hh_agent *a)
{
	return a->net ? hh_netcap_fd(a->net->cap) : -1;
}

void hh_agent_net_poll(struct hh_agent *a)
{
	if (a->net)
		hh_netcap_poll(a->net->cap, 0);
}

void hh_agent_net_sweep(struct hh_agent *a)
{
	struct hh_agent_net *n = a->net;
	if (!n)
		return;
	hh_netcap_poll(n->cap, 0);
	hh_engine_expire(n->eng, hh_now());
}

void hh_agent_net_banner(const struct hh_agent *a, FILE *fp)
{
	if (a->net)
		fprintf(fp, "  network:   ebpf socket capture (cgroup_skb on %s): stratum, TLS, DNS, flow behavior\n",
			hh_netcap_cgroup2(a->net->cap));
	else
		fprintf(fp, "  network:   off\n");
}
