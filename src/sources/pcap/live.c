/* Live capture threads: libpcap -> packet engine -> detectors -> sink. */
#include "sources/pcap/live.h"

#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/fileio.h"
#include "core/log.h"
#include "sources/pcap/engine.h"

#define MAX_LIVE_IFACES 16

/* TCP, DNS, and IP fragments (the engine reassembles them; non-first pieces carry no ports) */
#define LIVE_DEFAULT_FILTER "tcp or udp port 53 or (ip and ip[6:2] & 0x3fff != 0) or (ip6 and ip6[6] == 44)"

struct live_if {
	struct hh_live *l;
	char name[64];
	pcap_t *p;
	int linktype;
	struct hh_netdetect *det;
	struct hh_engine *eng;
	pthread_t thread;
	bool started;
	atomic_bool done;
	unsigned long long packets, dropped, attributed, flows;
};

struct hh_live {
	struct live_if ifs[MAX_LIVE_IFACES];
	size_t n;
	atomic_bool stop;
	double deadline;          /* monotonic seconds, 0 none */
	hh_finding_sink sink;
	void *sink_arg;
	pthread_mutex_t sink_lock;
	hh_live_owner_fn owner;
	void *owner_arg;
	char proc_root[256];
};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Findings from every interface thread go through one lock. */
static void locked_sink(void *arg, struct hh_finding *f)
{
	struct hh_live *l = arg;
	pthread_mutex_lock(&l->sink_lock);
	l->sink(l->sink_arg, f);
	pthread_mutex_unlock(&l->sink_lock);
}

/* New flow: find the local process and its workload. */
static void flow_hook(void *arg, struct hh_net_flow *f)
{
	struct live_if *li = arg;
	struct hh_live *l = li->l;
	li->flows++;
	const struct hh_net_flow_key *k = hh_netdetect_flow_key(f);
	/* The local side is usually the client (outbound mining); try both. */
	int pid = hh_procnet_find_pid(l->proc_root, k->family, k->cip, k->cport, k->sip, k->sport);
	if (pid < 0)
		pid = hh_procnet_find_pid(l->proc_root, k->family, k->sip, k->sport, k->cip, k->cport);
	if (pid < 0)
		return;
	char path[320], comm[64] = "";
	snprintf(path, sizeof(path), "%s/%d/comm", l->proc_root, pid);
	hh_read_small(path, comm, sizeof(comm));
	struct hh_workload w;
	memset(&w, 0, sizeof(w));
	bool have_w = l->owner && l->owner(l->owner_arg, pid, &w);
	hh_netdetect_flow_set_owner(f, pid, comm, have_w ? &w : NULL);
	li->attributed++;
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct live_if *li = (struct live_if *)user;
	li->packets++;
	const char *why;
	double ts = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;
	hh_engine_packet(li->eng, li->linktype, data, h->caplen, h->len < h->caplen ? h->caplen : h->len, ts, &why);
}

static void *capture_thread(void *arg)
{
	struct live_if *li = arg;
	struct hh_live *l = li->l;
	while (!atomic_load(&l->stop)) {
		if (l->deadline > 0 && mono() >= l->deadline)
			break;
		/* Immediate mode ignores the read timeout on Linux: wait here, bounded,
		 * so the stop flag and the deadline are seen on a quiet link. */
		int fd = pcap_get_selectable_fd(li->p);
		if (fd >= 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			if (poll(&pfd, 1, 200) == 0)
				goto quiet;
		}
		int r = pcap_dispatch(li->p, 256, on_packet, (u_char *)li);
		if (r < 0 && r != PCAP_ERROR_BREAK) {
			hh_err("live capture on %s: %s", li->name, pcap_geterr(li->p));
			break;
		}
	quiet:;
		/* Quiet links still age their flows out. */
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		hh_engine_expire(li->eng, (double)now.tv_sec + (double)now.tv_nsec / 1e9);
	}
	struct pcap_stat ps;
	if (pcap_stats(li->p, &ps) == 0)
		li->dropped = ps.ps_drop + ps.ps_ifdrop;
	atomic_store(&li->done, true);
	return NULL;
}

static void live_free(struct hh_live *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct live_if *li = &l->ifs[i];
		if (li->eng) {
			char label[96];
			snprintf(label, sizeof(label), "live capture on %s", li->name);
			hh_engine_flush(li->eng);
			hh_engine_warn_skipped(li->eng, label);
		}
		hh_engine_free(li->eng); /* ends flows: findings still reach the sink */
		hh_netdetect_free(li->det);
		if (li->p)
			pcap_close(li->p);
	}
	pthread_mutex_destroy(&l->sink_lock);
	free(l);
}

struct hh_live *hh_live_start(const struct hh_live_opts *o, const struct hh_config *cfg, const struct hh_intel *intel,
			      hh_finding_sink sink, void *sink_arg, hh_live_owner_fn owner, void *owner_arg,
			      char *err, size_t errlen)
{
	if (!o->n_ifaces || o->n_ifaces > MAX_LIVE_IFACES) {
		snprintf(err, errlen, "live capture needs 1 to %d interfaces", MAX_LIVE_IFACES);
		return NULL;
	}
	struct hh_live *l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&l->sink_lock, NULL);
	l->sink = sink;
	l->sink_arg = sink_arg;
	l->owner = owner;
	l->owner_arg = owner_arg;
	hh_strlcpy(l->proc_root, o->proc_root ? o->proc_root : "/proc", sizeof(l->proc_root));
	l->deadline = o->duration_s > 0 ? mono() + o->duration_s : 0;
	int snaplen = o->snaplen > 0 ? o->snaplen : (int)(cfg ? hh_config_int(cfg, NULL, "network.live.snaplen", 65535) : 65535);
	int buffer_mb = o->buffer_mb > 0 ? o->buffer_mb : (int)(cfg ? hh_config_int(cfg, NULL, "network.live.buffer_mb", 16) : 16);
	const char *filter = o->filter ? o->filter
				       : (cfg ? hh_config_str(cfg, NULL, "network.live.filter", LIVE_DEFAULT_FILTER)
					      : LIVE_DEFAULT_FILTER);
	struct hh_netdetect_opts dopts;
	hh_netdetect_opts_load(&dopts, cfg);
	dopts.report_early = true; /* alert while the session runs */
	struct hh_engine_opts eopts;
	hh_engine_opts_load(&eopts, cfg);
	for (size_t i = 0; i < o->n_ifaces; i++) {
		struct live_if *li = &l->ifs[l->n++];
		li->l = l;
		hh_strlcpy(li->name, o->ifaces[i], sizeof(li->name));
		char perr[PCAP_ERRBUF_SIZE] = "";
		li->p = pcap_create(li->name, perr);
		if (!li->p) {
			snprintf(err, errlen, "interface %s: %s", li->name, perr);
			goto fail;
		}
		pcap_set_snaplen(li->p, snaplen);
		pcap_set_promisc(li->p, 0);
		pcap_set_timeout(li->p, 200);
		pcap_set_immediate_mode(li->p, 1);
		pcap_set_buffer_size(li->p, buffer_mb << 20);
		int ar = pcap_activate(li->p);
		if (ar < 0) {
			snprintf(err, errlen, "interface %s: %s", li->name, pcap_geterr(li->p));
			goto fail;
		}
		li->linktype = pcap_datalink(li->p);
		if (pcap_setnonblock(li->p, 1, perr) < 0) {
			snprintf(err, errlen, "interface %s: %s", li->name, perr);
			goto fail;
		}
		struct bpf_program prog;
		if (filter[0] && (pcap_compile(li->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0 ||
				  pcap_setfilter(li->p, &prog) < 0)) {
			snprintf(err, errlen, "interface %s: filter '%s': %s", li->name, filter, pcap_geterr(li->p));
			goto fail;
		}
		if (filter[0])
			pcap_freecode(&prog);
		li->det = hh_netdetect_new(&dopts, intel, "agent", locked_sink, l);
		li->eng = li->det ? hh_engine_new(&eopts, li->det, intel) : NULL;
		if (!li->eng) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		hh_engine_set_flow_hook(li->eng, flow_hook, li);
	}
	for (size_t i = 0; i < l->n; i++) {
		if (pthread_create(&l->ifs[i].thread, NULL, capture_thread, &l->ifs[i]) != 0) {
			snprintf(err, errlen, "cannot start the capture thread for %s", l->ifs[i].name);
			atomic_store(&l->stop, true);
			for (size_t k = 0; k < i; k++)
				pthread_join(l->ifs[k].thread, NULL);
			live_free(l);
			return NULL;
		}
		l->ifs[i].started = true;
	}
	return l;
fail:
	live_free(l);
	return NULL;
}

bool hh_live_done(struct hh_live *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!atomic_load(&l->ifs[i].done))
			return false;
	return true;
}

void hh_live_get_stats(struct hh_live *l, struct hh_live_stats *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < l->n; i++) {
		s->packets += l->ifs[i].packets;
		s->dropped_kernel += l->ifs[i].dropped;
		s->flows += l->ifs[i].flows;
		s->attributed += l->ifs[i].attributed;
	}
}

void hh_live_stop(struct hh_live *l)
{
	if (!l)
		return;
	atomic_store(&l->stop, true);
	for (size_t i = 0; i < l->n; i++) {
		if (l->ifs[i].started) {
			pcap_breakloop(l->ifs[i].p);
			pthread_join(l->ifs[i].thread, NULL);
		}
	}
	live_free(l);
}
