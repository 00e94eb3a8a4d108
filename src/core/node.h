/* The node a finding was observed on, for the fields every finding carries:
 *   hostname        gethostname(2) of this process's UTS namespace;
 *   k8s.node.name   the NODE_NAME environment variable (a DaemonSet sets it
 *                   from spec.nodeName through the downward API), else the
 *                   kubelet's node name from its client certificate
 *                   (CN=system:node:NAME in /var/lib/kubelet/pki/
 *                   kubelet-client-current.pem, also under /host) when
 *                   readable, else absent.
 * Read once per process (thread-safe). */
#ifndef HH_NODE_H
#define HH_NODE_H

#include <jansson.h>

struct hh_node {
	char hostname[256];
	char k8s_node_name[256];   /* "" when not on Kubernetes */
};

const struct hh_node *hh_node_get(void);

/* Sets hostname and k8s.node.name in fields (an object) where known. */
void hh_node_stamp(json_t *fields);

#endif
