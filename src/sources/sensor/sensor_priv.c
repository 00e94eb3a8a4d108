/* Capability drop after the eBPF programs are loaded and attached: see
 * hh_sensor_drop_privileges in sensor.h for what is kept and why. Raw
 * capset(2)/prctl(2): no libcap needed for this. */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sources/sensor/sensor.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static const int kept[] = { CAP_BPF, CAP_PERFMON, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH };

static int is_kept(int cap)
{
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (kept[i] == cap)
			return 1;
	return 0;
}

int hh_sensor_drop_privileges(char *err, size_t errlen)
{
	/* bounding set first: that needs CAP_SETPCAP, which goes next */
	for (int cap = 0; cap <= 63; cap++) {
		if (is_kept(cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
			snprintf(err, errlen, "dropping capability %d from the bounding set: %s", cap,
				 strerror(errno));
			return -1;
		}
	}
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof(data));
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		int c = kept[i];
		data[c / 32].effective |= 1u << (c % 32);
		data[c / 32].permitted |= 1u << (c % 32);
	}
	/* never ask for more than we hold (a kernel without CAP_BPF, a non-root run) */
	struct __user_cap_data_struct cur[2];
	if (syscall(SYS_capget, &hdr, cur) < 0) {
		snprintf(err, errlen, "capget: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		data[i].permitted &= cur[i].permitted;
		data[i].effective &= cur[i].permitted;
	}
	if (syscall(SYS_capset, &hdr, data) < 0) {
		snprintf(err, errlen, "capset: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}
