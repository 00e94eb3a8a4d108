/* Helpers shared by the response files; not a public interface. */
#ifndef HH_RESPONSE_INTERNAL_H
#define HH_RESPONSE_INTERNAL_H

#include <stdbool.h>

#include "response/response.h"

int hh_cgroup_file(const char *cgroup_root, const struct hh_container_ref *c, const char *v1_controller,
		   const char *file, char *out, size_t n);
const char *hh_cgroup_v2_prefix(const char *cgroup_root);
int hh_cgroup_freeze(const char *cgroup_root, const struct hh_container_ref *c, bool freeze, char *err,
		     size_t errlen);
int hh_cgroup_kill(const char *cgroup_root, const struct hh_container_ref *c, int *killed, char *err,
		   size_t errlen);
int hh_isolate_egress(const char *proc_root, int pid, bool dry_run, char *detail, size_t n, char *err,
		      size_t errlen);
int hh_netpol_write(const struct hh_workload *w, const char *dir, char *path_out, size_t n, char *err,
		    size_t errlen);

#endif
