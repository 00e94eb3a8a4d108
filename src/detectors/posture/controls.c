/* The control table: one row per control, ids of kubescape, Trivy and the
 * CIS Kubernetes Benchmark where a counterpart exists ("" where none).
 * kubescape ids were checked against its control list, Trivy ids against the
 * trivy-checks metadata (KSV010 hostPID, KSV009 hostNetwork, KSV048 pod
 * create, KSV053 exec, KSV036 token, KSV0125 registries, KSV111 cluster-admin). */
#include "detectors/posture/controls.h"

#include <string.h>

static const struct hh_control controls[] = {
	{ "posture.privileged", "Privileged container", HH_SEV_HIGH, "C-0057", "KSV017", "5.2.2", "T1611",
	  "a privileged container owns the node: devices, kernel modules, MSRs for RandomX tuning" },
	{ "posture.host-pid", "Pod shares the host PID namespace", HH_SEV_HIGH, "C-0038", "KSV010", "5.2.3", "T1611",
	  "with hostPID a container sees and can enter every process on the node (nsenter -t 1)" },
	{ "posture.host-ipc", "Pod shares the host IPC namespace", HH_SEV_MEDIUM, "C-0038", "KSV008", "5.2.4", "T1611",
	  "host IPC exposes shared memory of other workloads" },
	{ "posture.host-network", "Pod uses the host network", HH_SEV_MEDIUM, "C-0041", "KSV009", "5.2.5", "T1611",
	  "host network bypasses NetworkPolicy egress controls that would block pool connections" },
	{ "posture.hostpath-sensitive", "hostPath volume exposes a sensitive host path", HH_SEV_HIGH, "C-0048", "KSV023", "5.2.12", "T1611",
	  "a host path that is, or contains, /proc, /etc, kubelet or runtime state gives the node away (ancestors count: / and /var expose everything below)" },
	{ "posture.hostpath-writable", "hostPath volume mounted writable", HH_SEV_MEDIUM, "C-0045", "KSV023", "5.2.12", "T1611",
	  "a writable host path lets a container plant binaries or cron jobs on the node" },
	{ "posture.runtime-socket", "Container runtime socket mounted", HH_SEV_CRITICAL, "C-0074", "KSV006", "5.2.12", "T1610",
	  "the runtime socket starts privileged containers on the node: the classic miner deployment path" },
	{ "posture.dangerous-capabilities", "Dangerous Linux capabilities added", HH_SEV_HIGH, "C-0046", "KSV005", "5.2.9", "T1611",
	  "SYS_ADMIN, SYS_MODULE, BPF ... allow escape, kernel modules (msr) and hiding" },
	{ "posture.unmasked-proc-mount", "Unmasked /proc mount", HH_SEV_MEDIUM, "", "KSV027", "", "T1611",
	  "procMount: Unmasked exposes /proc paths the runtime hides (sysrq-trigger, kcore) that help an escape" },
	{ "posture.privilege-escalation", "Privilege escalation allowed", HH_SEV_MEDIUM, "C-0016", "KSV001", "5.2.6", "T1611",
	  "allowPrivilegeEscalation unset or true: setuid binaries gain privileges" },
	{ "posture.run-as-root", "Container may run as root", HH_SEV_MEDIUM, "C-0013", "KSV012", "5.2.7", "T1611",
	  "root in the container is one kernel bug away from root on the node" },
	{ "posture.no-cpu-limit", "No CPU limit", HH_SEV_MEDIUM, "C-0050", "KSV011", "", "T1496",
	  "without a CPU limit a miner in this container can take every core of the node" },
	{ "posture.no-memory-limit", "No memory limit", HH_SEV_LOW, "C-0004", "KSV018", "", "T1496",
	  "RandomX needs 2+ GiB; without a limit nothing bounds it" },
	{ "posture.sa-token-automount", "Service account token automounted", HH_SEV_LOW, "C-0034", "KSV036", "5.1.6", "T1528",
	  "a stolen token lets an intruder create more mining pods" },
	{ "posture.image-untrusted-registry", "Image from a registry outside the allowlist", HH_SEV_MEDIUM, "C-0078", "KSV0125", "", "T1610",
	  "unvetted public images are how most miners arrive" },
	{ "posture.image-not-pinned", "Image not pinned by digest", HH_SEV_LOW, "C-0075", "", "", "T1610",
	  "a tag can be repointed to a miner-laden image after review" },
	{ "posture.image-latest", "Image uses :latest or no tag", HH_SEV_MEDIUM, "C-0075", "KSV013", "", "T1610",
	  ":latest changes under you; what was reviewed is not what runs" },
	{ "posture.miner-indicator", "Workload spec names a cryptominer", HH_SEV_CRITICAL, "", "", "", "T1496",
	  "a stratum URL, a known miner binary or a wallet address in image, command, args or env" },
	{ "posture.unbounded-untrusted-batch", "Batch workload from an untrusted, unpinned image with no CPU limit", HH_SEV_HIGH, "", "", "", "T1496",
	  "the shape of a cryptomining Job: run-to-completion, unbounded CPU, image nobody vetted" },
	{ "posture.rbac-cluster-admin-binding", "Binding to cluster-admin", HH_SEV_HIGH, "C-0185", "KSV111", "5.1.1", "T1078",
	  "cluster-admin can schedule miners on every node" },
	{ "posture.rbac-wildcard", "Wildcard in RBAC rules", HH_SEV_HIGH, "C-0187", "KSV044", "5.1.3", "T1078",
	  "'*' verbs or resources grant workload creation among everything else" },
	{ "posture.rbac-pod-exec", "RBAC allows exec into pods", HH_SEV_MEDIUM, "C-0002", "KSV053", "", "T1609",
	  "pods/exec lets a holder run a miner inside an existing workload" },
	{ "posture.rbac-pod-create", "RBAC allows creating pods or workloads", HH_SEV_MEDIUM, "C-0188", "KSV048", "5.1.4", "T1610",
	  "create on pods (or controllers) is all a miner needs" },
	{ "posture.exposed-dashboard", "Kubernetes dashboard exposed or without login", HH_SEV_HIGH, "C-0014", "", "", "T1133",
	  "open dashboards (Tesla, 2018) were the first Kubernetes cryptojacking entry point" },
	{ "posture.kubelet-anonymous-auth", "Kubelet allows anonymous requests", HH_SEV_CRITICAL, "C-0069", "", "4.2.1", "T1133",
	  "anonymous kubelet access runs commands in any pod of the node (/run, /exec)" },
	{ "posture.kubelet-always-allow", "Kubelet authorization is AlwaysAllow", HH_SEV_CRITICAL, "C-0173", "", "4.2.2", "T1133",
	  "every authenticated (or anonymous) caller may exec into pods of the node" },
	{ "posture.kubelet-readonly-port", "Kubelet read-only port open", HH_SEV_MEDIUM, "C-0175", "", "4.2.4", "T1613",
	  "port 10255 lists pods and specs without authentication" },
	{ "posture.docker-tcp-no-tls", "Docker API on TCP without TLS client verification", HH_SEV_CRITICAL, "", "", "", "T1133",
	  "an open Docker API on 2375 is the most scanned miner entry point on the Internet" },
	{ "posture.docker-insecure-registry", "Docker trusts an insecure registry", HH_SEV_LOW, "", "", "", "T1610",
	  "plain-HTTP registries allow image substitution in transit" },
	{ "posture.containerd-tcp-api", "containerd API on TCP", HH_SEV_CRITICAL, "", "", "", "T1133",
	  "containerd's gRPC API has no authentication of its own" },
	{ "posture.containerd-insecure-registry", "containerd pulls from an insecure registry", HH_SEV_LOW, "", "", "", "T1610",
	  "http:// mirrors or insecure_skip_verify allow image substitution" },
	{ "posture.containerd-lsm-disabled", "containerd disables AppArmor or seccomp defaults", HH_SEV_MEDIUM, "", "", "", "T1611",
	  "without the default profiles escapes get easier for every container on the node" },
};

const struct hh_control *hh_control_find(const char *id)
{
	for (size_t i = 0; i < sizeof(controls) / sizeof(controls[0]); i++)
		if (strcmp(controls[i].id, id) == 0)
			return &controls[i];
	return NULL;
}

const struct hh_control *hh_controls(size_t *n)
{
	*n = sizeof(controls) / sizeof(controls[0]);
	return controls;
}

struct hh_finding *hh_control_finding(const struct hh_control *c, enum hh_severity sev)
{
	struct hh_finding *f = hh_finding_new("check", c->id, c->title, sev, 0.9);
	if (!f)
		return NULL;
	hh_finding_add_mitre(f, c->mitre);
	if (c->kubescape[0])
		hh_finding_set_str(f, "control.kubescape", c->kubescape);
	if (c->trivy[0])
		hh_finding_set_str(f, "control.trivy", c->trivy);
	if (c->cis[0])
		hh_finding_set_str(f, "control.cis", c->cis);
	hh_finding_set_str(f, "control.why", c->why);
	return f;
}
