#!/usr/bin/env bash
# hashhound audit-log on Falco's k8s_audit trace files: each file gets exactly
# the findings its name says; the benign ones (and Falco's crash test
# fal_01_003.json, a JSON value that is not an event) get none.
. "$(dirname "$0")/../lib.sh"
need_fixtures k8s-audit
need_cmd python3
D=$HH_FIXTURES/k8s-audit
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# file -> the exact set of rules (empty: nothing may fire)
expect="
anonymous_creates_namespace_foo audit.anonymous-allowed
attach_cluster_admin_role audit.cluster-admin-binding
attach_pod audit.attach-to-pod
exec_pod audit.exec-into-pod
create_cluster_role_pod_exec audit.pod-exec-role
create_cluster_role_wildcard_resources audit.pod-exec-role,audit.wildcard-role
create_cluster_role_wildcard_verbs audit.wildcard-role
create_cluster_role_write_privileges audit.write-role
create_nginx_pod_hostnetwork audit.create-host-namespace-pod
create_nginx_pod_privileged audit.create-privileged-pod
create_nginx_pod_privileged_2nd_container audit.create-privileged-pod
create_nginx_pod_no_secctx_1st_container_privileged_2nd_container audit.create-privileged-pod
create_nginx_pod_sensitive_mount audit.create-sensitive-mount-pod
create_nginx_pod_sensitive_mount_2nd_container audit.create-sensitive-mount-pod
create_nginx_service_nodeport audit.nodeport-service
create_pod_kube_public_namespace audit.kube-namespace-pod
create_pod_kube_system_namespace audit.kube-namespace-pod
create_serviceaccount_kube_public_namespace audit.kube-namespace-serviceaccount
create_serviceaccount_kube_system_namespace audit.kube-namespace-serviceaccount
delete_cluster_role_kube_aggregator audit.system-clusterrole-modified
modify_cluster_role_node_problem_detector audit.system-clusterrole-modified
"
# Benign for this threat (Falco informational rules or plain operations): nothing fires.
benign="create_clusterrole create_clusterrolebinding create_configmap create_configmap_no_sensitive_values
create_configmap_sensitive_values create_deployment create_kube_system_secret create_nginx_pod_nohostnetwork
create_nginx_pod_unprivileged create_nginx_pod_unsensitive_mount create_nginx_service_nonodeport create_secret
create_service create_service_account_token_secret create_serviceaccount delete_clusterrole
delete_clusterrolebinding delete_configmap delete_deployment delete_namespace_foo delete_secret delete_service
delete_serviceaccount minikube_creates_namespace_foo some-user_creates_namespace_foo fal_01_003"

rules_of() { python3 -c 'import json,sys; print(",".join(sorted({json.loads(l)["rule"] for l in sys.stdin})))' <"$1"; }
seen=0
while read -r name want; do
	[ -z "$name" ] && continue
	f=$D/$name.json
	[ -f "$f" ] || fail "missing fixture $f"
	"$HH_BIN" audit-log -q -f json "$f" >"$out/$name.jsonl"
	rc=$?
	[ $rc -le 1 ] || fail "$name: exit $rc"
	got=$(rules_of "$out/$name.jsonl")
	[ "$got" = "$want" ] || fail "$name: want {$want}, got {$got}"
	seen=$((seen + 1))
done <<<"$expect"
for name in $benign; do
	f=$D/$name.json
	[ -f "$f" ] || fail "missing fixture $f"
	"$HH_BIN" audit-log -q -f json --fail-on info "$f" >"$out/$name.jsonl"
	rc=$?
	[ $rc -eq 0 ] || fail "$name: benign, exit $rc: $(rules_of "$out/$name.jsonl")"
	seen=$((seen + 1))
done
total=$(ls "$D"/*.json | wc -l)
[ "$seen" -eq "$total" ] || fail "asserted $seen of $total fixture files: a new file needs an expectation"
ok "k8s-audit: $seen files, each with the findings its name says"

# Whole directory as one log, from stdin. Two fixture files reuse auditIDs of others
# (Falco copied events), so stage dedup may judge fewer events than file by file.
cat "$D"/*.json | "$HH_BIN" audit-log -q -f json - >"$out/all.jsonl"
[ $? -le 1 ] || fail "stdin run failed"
n_all=$(wc -l <"$out/all.jsonl")
n_sum=$(cat "$out"/[a-z]*_*.jsonl | wc -l)
[ "$n_all" -ge 20 ] || fail "stdin: only $n_all findings"
ok "k8s-audit from stdin: $n_all findings (file by file: $n_sum)"

# Exit codes: a high finding fails at the default --fail-on high.
"$HH_BIN" audit-log -q -f json "$D/attach_cluster_admin_role.json" >/dev/null
[ $? -eq 1 ] || fail "cluster-admin binding should exit 1 at --fail-on high"
"$HH_BIN" audit-log -q -f json --fail-on critical "$D/attach_cluster_admin_role.json" >/dev/null
[ $? -eq 0 ] || fail "--fail-on critical should exit 0 for a high finding"
ok "exit codes"
