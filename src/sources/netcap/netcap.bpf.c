// SPDX-License-Identifier: GPL-2.0
/* hashhound network capture (CO-RE): cgroup_skb ingress and egress programs
 * attached to the root of the cgroup v2 hierarchy see every socket's packets
 * whatever its network namespace (a container's own netns, a pod's, the
 * host's), after the kernel has matched the packet to its socket. For each
 * TCP socket they copy the first snap_bytes of payload each way, then only
 * headers (at most profile_pps a second per socket) so user space keeps the
 * size/direction/timing profile of the flow; pure ACKs are not recorded.
 * UDP port 53 is copied whole (DNS). A sock_ops program marks accepted
 * (server) sockets, skipped unless server_side. Every program returns 1:
 * packets are observed, never dropped. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "netcap_events.h"

char LICENSE[] SEC("license") = "GPL";

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define TCP_SYN_SENT_ 2
#define TCP_LISTEN_ 10

const volatile struct hh_nc_config ncfg = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} nc_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct hh_nc_sock);
} nc_socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HH_NC_ST_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} nc_stats SEC(".maps");

/* A power of two above HH_NC_MAX_SNAP: lengths are masked with it so the
 * verifier sees the bound whatever the compiler did with the checks. */
#define NC_BUF 8192

struct nc_scratch {
	struct hh_nc_rec rec;
	__u8 data[NC_BUF];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nc_scratch);
} nc_scratch SEC(".maps");

/* Waking the reader per record costs more than the program: records are
 * submitted quietly unless a backlog builds up; the reader polls. */
#define NC_WAKEUP_BACKLOG (256 << 10)

static __always_inline void count(__u32 i, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&nc_stats, &i);
	if (v)
		*v += n;
}

static __always_inline void emit(struct __sk_buff *skb, __u8 egress, __u64 cookie, struct hh_nc_sock *s,
				 __u32 snap)
{
	__u32 zero = 0;
	struct nc_scratch *b = bpf_map_lookup_elem(&nc_scratch, &zero);
	if (!b)
		return;
	if (snap > skb->len)
		snap = skb->len;
	if (snap > HH_NC_MAX_SNAP)
		snap = HH_NC_MAX_SNAP;
	if (snap < 20)
		return;
	/* 1..NC_BUF as the verifier sees it; snap itself here */
	snap = ((snap - 1) & (NC_BUF - 1)) + 1;
	if (bpf_skb_load_bytes(skb, 0, b->data, snap) < 0)
		return;
	b->rec.ktime_ns = bpf_ktime_get_ns();
	b->rec.cookie = cookie;
	b->rec.wire_len = skb->len;
	b->rec.cap_len = (__u16)snap;
	b->rec.flags = egress ? HH_NC_F_EGRESS : 0;
	if (s) {
		b->rec.cgroup_id = s->cgroup_id;
		b->rec.tgid = s->tgid;
		b->rec.role = s->role;
		b->rec.skipped = s->skipped;
		s->skipped = 0;
		__builtin_memcpy(b->rec.comm, s->comm, HH_NC_COMM_LEN);
	} else {
		b->rec.cgroup_id = bpf_skb_cgroup_id(skb);
		b->rec.tgid = 0;
		b->rec.role = HH_NC_ROLE_UNKNOWN;
		b->rec.skipped = 0;
		__builtin_memset(b->rec.comm, 0, HH_NC_COMM_LEN);
	}
	__u64 size = sizeof(struct hh_nc_rec) + snap;
	if (size > sizeof(*b))
		return;
	__u64 avail = bpf_ringbuf_query(&nc_events, BPF_RB_AVAIL_DATA);
	if (bpf_ringbuf_output(&nc_events, b, size, avail >= NC_WAKEUP_BACKLOG ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP) < 0) {
		count(HH_NC_ST_LOST, 1);
		return;
	}
	count(HH_NC_ST_RECORDS, 1);
	count(HH_NC_ST_BYTES, snap);
}

/* The process in whose context the packet is handled owns the socket when it
 * is in the socket's cgroup (a send or connect; not a softirq that happens to
 * interrupt another task). */
static __always_inline void own(struct hh_nc_sock *s)
{
	__u64 pt = bpf_get_current_pid_tgid();
	__u32 tgid = pt >> 32;
	if (!tgid || bpf_get_current_cgroup_id() != s->cgroup_id)
		return;
	s->tgid = tgid;
	bpf_get_current_comm(s->comm, sizeof(s->comm));
}

static __always_inline struct hh_nc_sock *sock_state(struct __sk_buff *skb, __u64 cookie, __u8 egress, __u8 udp)
{
	struct hh_nc_sock *s = bpf_map_lookup_elem(&nc_socks, &cookie);
	if (s)
		return s;
	struct bpf_sock *sk = skb->sk;
	if (!sk)
		return 0;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 0;
	if (!udp && sk->state == TCP_LISTEN_)
		return 0;
	struct hh_nc_sock init = {};
	init.cgroup_id = bpf_skb_cgroup_id(skb);
	init.role = udp ? HH_NC_ROLE_UDP : (egress && sk->state == TCP_SYN_SENT_) ? HH_NC_ROLE_CLIENT : HH_NC_ROLE_UNKNOWN;
	if (egress)
		own(&init);
	bpf_map_update_elem(&nc_socks, &cookie, &init, BPF_NOEXIST);
	return bpf_map_lookup_elem(&nc_socks, &cookie);
}

static __always_inline int handle(struct __sk_buff *skb, __u8 egress)
{
	__u32 l4off;
	__u8 proto;
	count(HH_NC_ST_PACKETS, 1);
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr iph;
		if (bpf_skb_load_bytes(skb, 0, &iph, sizeof(iph)) < 0)
			return 1;
		if (iph.frag_off & bpf_htons(0x3fff)) /* a fragment */
			return 1;
		proto = iph.protocol;
		l4off = (__u32)iph.ihl * 4;
		if (l4off < 20)
			return 1;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;
		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)) < 0)
			return 1;
		proto = ip6.nexthdr; /* extension headers: not followed */
		l4off = 40;
	} else {
		return 1;
	}
	if (ncfg.self_tgid && (bpf_get_current_pid_tgid() >> 32) == ncfg.self_tgid)
		return 1;
	if (proto == IPPROTO_UDP_) {
		struct udphdr uh;
		if (bpf_skb_load_bytes(skb, l4off, &uh, sizeof(uh)) < 0)
			return 1;
		if (uh.source != bpf_htons(53) && uh.dest != bpf_htons(53))
			return 1;
		__u64 cookie = bpf_get_socket_cookie(skb);
		struct hh_nc_sock *s = cookie ? sock_state(skb, cookie, egress, 1) : 0;
		if (s && !s->tgid && egress)
			own(s);
		emit(skb, egress, cookie, s, HH_NC_DNS_SNAP);
		return 1;
	}
	if (proto != IPPROTO_TCP_)
		return 1;
	struct tcphdr th;
	if (bpf_skb_load_bytes(skb, l4off, &th, sizeof(th)) < 0)
		return 1;
	__u32 hdr = l4off + (__u32)th.doff * 4;
	__u32 len = skb->len;
	__u32 payload = len > hdr ? len - hdr : 0;
	__u8 ctrl = th.syn | th.fin | th.rst;
	if (!payload && !ctrl)
		return 1; /* pure ACK */
	__u64 cookie = bpf_get_socket_cookie(skb);
	if (!cookie)
		return 1;
	struct hh_nc_sock *s = sock_state(skb, cookie, egress, 0);
	if (!s)
		return 1;
	if (s->role == HH_NC_ROLE_SERVER && !ncfg.server_side)
		return 1;
	if (!s->cgroup_id) /* marked by sock_ops, first packet here */
		s->cgroup_id = bpf_skb_cgroup_id(skb);
	if (!s->tgid && egress && payload)
		own(s);
	__u32 used = egress ? s->cap_out : s->cap_in;
	__u32 snap = hdr;
	if (payload && used < ncfg.snap_bytes) {
		__u32 take = ncfg.snap_bytes - used;
		if (take > payload)
			take = payload;
		snap = hdr + take;
		if (egress)
			s->cap_out = used + take;
		else
			s->cap_in = used + take;
	} else if (!ctrl) {
		__u64 now = bpf_ktime_get_ns();
		if (now - s->win_start_ns > 1000000000ull) {
			s->win_start_ns = now;
			s->win_recs = 0;
		}
		if (s->win_recs >= ncfg.profile_pps) {
			s->skipped++;
			count(HH_NC_ST_SKIPPED, 1);
			return 1;
		}
		s->win_recs++;
	}
	emit(skb, egress, cookie, s, snap);
	return 1;
}

SEC("cgroup_skb/egress")
int nc_egress(struct __sk_buff *skb)
{
	return handle(skb, 1);
}

SEC("cgroup_skb/ingress")
int nc_ingress(struct __sk_buff *skb)
{
	return handle(skb, 0);
}

/* Accepted sockets are the server side of their flow. */
SEC("sockops")
int nc_sockops(struct bpf_sock_ops *ops)
{
	if (ops->op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB) {
		__u64 cookie = bpf_get_socket_cookie(ops);
		struct hh_nc_sock init = {};
		init.role = HH_NC_ROLE_SERVER;
		bpf_map_update_elem(&nc_socks, &cookie, &init, BPF_ANY);
	}
	return 1;
}
