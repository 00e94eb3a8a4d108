/* Words for the incident views: ATT&CK technique names and posture fixes. */
#include <string.h>

#include "sinks/incident.h"

const char *hh_mitre_name(const char *t)
{
	static const struct {
		const char *id, *name;
	} names[] = {
		{ "T1496", "Resource Hijacking" },
		{ "T1610", "Deploy Container" },
		{ "T1611", "Escape to Host" },
		{ "T1609", "Container Administration Command" },
		{ "T1613", "Container and Resource Discovery" },
		{ "T1133", "External Remote Services" },
		{ "T1098", "Account Manipulation" },
		{ "T1078", "Valid Accounts" },
		{ "T1105", "Ingress Tool Transfer" },
		{ "T1620", "Reflective Code Loading" },
		{ "T1543.002", "Create or Modify System Process: Systemd Service" },
		{ "T1070.004", "Indicator Removal: File Deletion" },
		{ "T1053.003", "Scheduled Task/Job: Cron" },
		{ "T1027", "Obfuscated Files or Information" },
		{ "T1027.002", "Obfuscated Files or Information: Software Packing" },
		{ "T1573", "Encrypted Channel" },
		{ "T1564", "Hide Artifacts" },
		{ "T1528", "Steal Application Access Token" },
		{ "T1140", "Deobfuscate/Decode Files or Information" },
		{ "T1136", "Create Account" },
		{ "T1059.004", "Command and Scripting Interpreter: Unix Shell" },
		{ "T1037", "Boot or Logon Initialization Scripts" },
	};
	for (size_t i = 0; t && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].id, t) == 0)
			return names[i].name;
	return NULL;
}

const char *hh_posture_fix(const char *rule)
{
	static const struct {
		const char *rule, *fix;
	} fixes[] = {
		{ "posture.privileged", "drop privileged: true (securityContext.privileged: false)" },
		{ "posture.host-pid", "remove hostPID: true" },
		{ "posture.host-network", "remove hostNetwork: true" },
		{ "posture.host-ipc", "remove hostIPC: true" },
		{ "posture.runtime-socket", "do not mount a container runtime socket into the pod" },
		{ "posture.hostpath-sensitive", "replace the hostPath volume (or mount a narrow, read-only path)" },
		{ "posture.dangerous-capabilities", "drop the added capabilities (capabilities.drop: [ALL])" },
		{ "posture.no-cpu-limit", "set resources.limits.cpu so a miner cannot take the node" },
		{ "posture.run-as-root", "set runAsNonRoot: true and a non-zero runAsUser" },
		{ "context.writable-rootfs", "set readOnlyRootFilesystem: true (dropped binaries then cannot land)" },
	};
	for (size_t i = 0; rule && i < sizeof(fixes) / sizeof(fixes[0]); i++)
		if (strcmp(fixes[i].rule, rule) == 0)
			return fixes[i].fix;
	return NULL;
}
