/* Shared between the posture check files; not a public interface. */
#ifndef HH_POSTURE_INTERNAL_H
#define HH_POSTURE_INTERNAL_H

#include "detectors/posture/posture.h"

/* Identity of the object being judged. */
struct hh_obj {
	char kind[64];
	char name[254];
	char ns[254];
	unsigned line;                           /* line of the object in its file */
	const struct hh_posture_origin *origin;  /* may be NULL */
	const json_t *root;
};

/* New finding for control_id about o; file.line from at_node when known. */
struct hh_finding *hh_posture_new(struct hh_posture_ctx *ctx, const char *control_id,
				  enum hh_severity sev, const struct hh_obj *o, const json_t *at_node);

/* Each returns true when the object was of a kind it handles. */
bool hh_posture_check_workload(struct hh_posture_ctx *ctx, const struct hh_obj *o);
bool hh_posture_check_rbac(struct hh_posture_ctx *ctx, const struct hh_obj *o);
bool hh_posture_check_service(struct hh_posture_ctx *ctx, const struct hh_obj *o);

#endif
