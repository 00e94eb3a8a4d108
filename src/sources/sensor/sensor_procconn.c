/* Proc connector fallback: see sensor_procconn.h. */
#include "sources/sensor/sensor_procconn.h"

#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sources/sensor/sensor_proc.h"

#define PC_MAX_CPUS 1024
#define PC_PIDS 4096  /* direct-mapped memory of exec'd processes, for their exit */

struct pc_pid {
	int32_t pid;
	bool in_container;
	uint64_t cgroup_id;
	char comm[HH_EV_COMM_LEN];
};

struct hh_procconn {
	int fd;
	char proc_root[256];
	bool containers_only;
	uint32_t host_pidns;
	uint64_t lost;           /* sequence gaps and overruns, all kinds (the connector does not say which) */
	uint64_t lost_overruns;
	uint32_t last_seq[PC_MAX_CPUS];
	bool seen_cpu[PC_MAX_CPUS];
	struct pc_pid pids[PC_PIDS];
};

static int send_listen(int fd, enum proc_cn_mcast_op op)
{
	/* nlmsghdr | cn_msg | op, laid out by hand (cn_msg ends in a flexible array) */
	char buf[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(enum proc_cn_mcast_op))] __attribute__((aligned(8)));
	memset(buf, 0, sizeof(buf));
	struct nlmsghdr *nl = (struct nlmsghdr *)buf;
	struct cn_msg *cn = NLMSG_DATA(nl);
	nl->nlmsg_len = NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof(op));
	nl->nlmsg_pid = (uint32_t)getpid();
	nl->nlmsg_type = NLMSG_DONE;
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->len = sizeof(op);
	memcpy(cn->data, &op, sizeof(op));
	return send(fd, buf, nl->nlmsg_len, 0) < 0 ? -1 : 0;
}

struct hh_procconn *hh_procconn_open(const char *proc_root, bool containers_only, char *err, size_t errlen)
{
	struct hh_procconn *pc = calloc(1, sizeof(*pc));
	if (!pc) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(pc->proc_root, sizeof(pc->proc_root), "%s", proc_root && *proc_root ? proc_root : "/proc");
	pc->containers_only = containers_only;
	pc->host_pidns = hh_sensor_host_pidns(pc->proc_root);
	pc->fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
	if (pc->fd < 0) {
		snprintf(err, errlen, "netlink connector socket: %s", strerror(errno));
		free(pc);
		return NULL;
	}
	/* a large receive buffer rides out exec storms; FORCE needs CAP_NET_ADMIN */
	int sz = 8 << 20;
	if (setsockopt(pc->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(pc->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC, .nl_pid = 0 };
	if (bind(pc->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || send_listen(pc->fd, PROC_CN_MCAST_LISTEN) < 0) {
		snprintf(err, errlen, "proc connector subscribe: %s", strerror(errno));
		close(pc->fd);
		free(pc);
		return NULL;
	}
	return pc;
}

int hh_procconn_fd(const struct hh_procconn *pc)
{
	return pc->fd;
}

static void note_seq(struct hh_procconn *pc, uint32_t cpu, uint32_t seq)
{
	if (cpu >= PC_MAX_CPUS)
		return;
	if (pc->seen_cpu[cpu] && seq > pc->last_seq[cpu] + 1)
		pc->lost += seq - pc->last_seq[cpu] - 1;
	pc->seen_cpu[cpu] = true;
	pc->last_seq[cpu] = seq;
}

static void pc_on_exec(struct hh_procconn *pc, const struct proc_event *pe, hh_procconn_cb cb, void *ctx)
{
	struct hh_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = HH_EV_EXEC;
	ev.ktime_ns = pe->timestamp_ns;
	ev.pid = pe->event_data.exec.process_tgid;
	ev.tid = pe->event_data.exec.process_pid;
	if (ev.pid != ev.tid)
		return;
	uint32_t ns = hh_sensor_pidns(pc->proc_root, ev.pid);
	bool in_container = ns != 0 && ns != pc->host_pidns;
	if (hh_sensor_proc_details(pc->proc_root, &ev) < 0)
		return; /* gone before we could look: nothing true to report */
	struct pc_pid *slot = &pc->pids[(uint32_t)ev.pid % PC_PIDS];
	slot->pid = ev.pid;
	slot->in_container = in_container;
	slot->cgroup_id = ev.cgroup_id;
	snprintf(slot->comm, sizeof(slot->comm), "%s", ev.comm);
	if (pc->containers_only && !in_container)
		return;
	cb(&ev, ctx);
}

static void pc_on_exit(struct hh_procconn *pc, const struct proc_event *pe, hh_procconn_cb cb, void *ctx)
{
	if (pe->event_data.exit.process_pid != pe->event_data.exit.process_tgid)
		return;
	struct hh_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = HH_EV_EXIT;
	ev.ktime_ns = pe->timestamp_ns;
	ev.pid = ev.tid = pe->event_data.exit.process_tgid;
	ev.exit_code = (int32_t)pe->event_data.exit.exit_code;
	struct pc_pid *slot = &pc->pids[(uint32_t)ev.pid % PC_PIDS];
	bool known = slot->pid == ev.pid;
	if (known) {
		ev.cgroup_id = slot->cgroup_id;
		snprintf(ev.comm, sizeof(ev.comm), "%s", slot->comm);
		slot->pid = 0;
	}
	if (pc->containers_only && !(known && slot->in_container))
		return;
	cb(&ev, ctx);
}

int hh_procconn_read(struct hh_procconn *pc, hh_procconn_cb cb, void *ctx)
{
	int n_events = 0;
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	for (int rounds = 0; rounds < 256; rounds++) {
		ssize_t n = recv(pc->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			if (errno == ENOBUFS) { /* overrun: the sequence gap says how many */
				pc->lost_overruns++;
				continue;
			}
			return -1;
		}
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_ERROR || nh->nlmsg_type == NLMSG_NOOP)
				continue;
			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct cn_msg)))
				continue;
			struct cn_msg *cn = NLMSG_DATA(nh);
			if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC)
				continue;
			if (cn->len < offsetof(struct proc_event, event_data) ||
			    NLMSG_LENGTH(sizeof(struct cn_msg) + cn->len) > nh->nlmsg_len)
				continue;
			struct proc_event pe;
			memset(&pe, 0, sizeof(pe));
			memcpy(&pe, cn->data, cn->len < sizeof(pe) ? cn->len : sizeof(pe));
			note_seq(pc, pe.cpu, cn->seq);
			if (pe.what == PROC_EVENT_EXEC) {
				pc_on_exec(pc, &pe, cb, ctx);
				n_events++;
			} else if (pe.what == PROC_EVENT_EXIT) {
				pc_on_exit(pc, &pe, cb, ctx);
				n_events++;
			}
		}
	}
	return n_events;
}

void hh_procconn_counts(const struct hh_procconn *pc, uint64_t *lost_exec, uint64_t *lost_exit)
{
	/* the connector numbers all its messages together: report the gaps once */
	*lost_exec = pc->lost + (pc->lost ? 0 : pc->lost_overruns);
	*lost_exit = 0;
}

void hh_procconn_close(struct hh_procconn *pc)
{
	if (!pc)
		return;
	send_listen(pc->fd, PROC_CN_MCAST_IGNORE);
	close(pc->fd);
	free(pc);
}
