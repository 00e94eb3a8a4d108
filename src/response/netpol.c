/* Kubernetes quarantine for a pod: a NetworkPolicy that denies all egress and
 * ingress to pods labelled hashhound.io/quarantine=true in its namespace, and
 * the JSON merge patch that adds the label to the pod. Written as files for a
 * person or a SOAR playbook to apply (kubectl apply / kubectl patch): the
 * agent holds no cluster credentials. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "response/response_internal.h"

int hh_netpol_write(const struct hh_workload *w, const char *dir, char *path_out, size_t n, char *err,
		    size_t errlen)
{
	if (!w || !w->pod_name[0] || !w->pod_namespace[0]) {
		snprintf(err, errlen, "no Kubernetes pod known for this container (not a pod, or no CRI metadata)");
		return -1;
	}
	/* Names come from runtime annotations: accept only what Kubernetes allows. */
	const char *names[] = { w->pod_name, w->pod_namespace };
	for (size_t i = 0; i < 2; i++)
		if (strspn(names[i], "abcdefghijklmnopqrstuvwxyz0123456789-.") != strlen(names[i])) {
			snprintf(err, errlen, "pod name or namespace '%s' is not a valid Kubernetes name", names[i]);
			return -1;
		}
	char path[HH_PATH_LEN + 64];
	snprintf(path, sizeof(path), "%s/quarantine-networkpolicy.yaml", dir);
	FILE *fp = fopen(path, "wx");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(fp,
		"# Apply: kubectl apply -f quarantine-networkpolicy.yaml && "
		"kubectl -n %s patch pod %s --type merge -p \"$(cat quarantine-pod-patch.json)\"\n"
		"apiVersion: networking.k8s.io/v1\n"
		"kind: NetworkPolicy\n"
		"metadata:\n"
		"  name: hashhound-quarantine\n"
		"  namespace: %s\n"
		"spec:\n"
		"  podSelector:\n"
		"    matchLabels:\n"
		"      hashhound.io/quarantine: \"true\"\n"
		"  policyTypes: [Ingress, Egress]\n"
		"  ingress: []\n"
		"  egress: []\n",
		w->pod_namespace, w->pod_name, w->pod_namespace);
	fclose(fp);
	char patch[HH_PATH_LEN + 64];
	snprintf(patch, sizeof(patch), "%s/quarantine-pod-patch.json", dir);
	fp = fopen(patch, "wx");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", patch, strerror(errno));
		return -1;
	}
	fprintf(fp, "{\"metadata\":{\"labels\":{\"hashhound.io/quarantine\":\"true\"}}}\n");
	fclose(fp);
	snprintf(path_out, n, "%s", path);
	return 0;
}
