#!/usr/bin/env bash
# hashhound check on real-world manifests:
#  - kube-linter's check fixtures: objects named dont-fire raise nothing for the
#    matching control, the others do (posture_expect.py says how objects are matched);
#  - every kubernetes-goat scenario manifest gets the findings its scenario is about.
. "$(dirname "$0")/../lib.sh"
need_fixtures manifests/kube-linter
need_fixtures manifests/kubernetes-goat
need_cmd python3
KL=$HH_FIXTURES/manifests/kube-linter
GOAT=$HH_FIXTURES/manifests/kubernetes-goat
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
expect=$(dirname "$0")/posture_expect.py

# kube-linter check -> our control, mode. Checks with no counterpart (not asserted):
#   drop-net-raw-capability  (we flag dangerous capabilities added, not NET_RAW left undropped)
#   default-service-account  (we flag token automount, not the use of the default account)
map="
docker-sock posture.runtime-socket each
sensitive-host-mounts posture.hostpath-sensitive each
privileged-container posture.privileged each
privilege-escalation-container posture.privilege-escalation each
writable-host-mount posture.hostpath-writable each
unset-cpu-requirements posture.no-cpu-limit each
unset-memory-requirements posture.no-memory-limit each
latest-tag posture.image-latest each
host-pid posture.host-pid each
host-ipc posture.host-ipc each
host-network posture.host-network each
cluster-admin-role-binding posture.rbac-cluster-admin-binding each
run-as-non-root posture.run-as-root each
unsafe-proc-mount posture.unmasked-proc-mount each
access-to-create-pods posture.rbac-pod-create any
wildcard-in-rules posture.rbac-wildcard any
"
n=0
while read -r check control mode; do
	[ -z "$check" ] && continue
	f=$KL/$check.yml
	[ -f "$f" ] || fail "missing fixture $f"
	"$HH_BIN" check -q -f json "$f" >"$out/$check.json"
	rc=$?
	[ $rc -le 1 ] || fail "check $f exited $rc"
	python3 "$expect" "$f" "$control" "$mode" <"$out/$check.json" || fail "kube-linter $check vs $control"
	n=$((n + 1))
done <<<"$map"
ok "kube-linter: $n checks mapped and asserted"

# kubernetes-goat: scenario -> findings (rule[:min severity]) it must raise.
has() { # FILE RULE [SEVERITY]
	python3 - "$@" <<'PY' || fail "$(basename "$1"): expected $2 ${3:-}"
import json, sys
order = ['info', 'low', 'medium', 'high', 'critical']
path, rule = sys.argv[1], sys.argv[2]
sev = sys.argv[3] if len(sys.argv) > 3 else 'info'
for l in open(path):
    f = json.loads(l)
    if f['rule'] == rule and order.index(f['severity']) >= order.index(sev):
        sys.exit(0)
sys.exit(1)
PY
}
hasnt() { ! grep -q "\"rule\":\"$2\"" "$1" || fail "$(basename "$1"): unexpected $2"; }
for f in "$GOAT"/*.yaml; do
	"$HH_BIN" check -q -f json "$f" >"$out/$(basename "$f").json"
	rc=$?
	[ $rc -le 1 ] || fail "check $f exited $rc"
done
g() { echo "$out/$1.yaml.json"; }
# crypto-miner scenario: an unvetted image run as a Job with no CPU ceiling
has "$(g batch-check-job)" posture.unbounded-untrusted-batch high
has "$(g batch-check-job)" posture.no-cpu-limit
has "$(g batch-check-job)" posture.image-untrusted-registry
has "$(g batch-check-job)" posture.image-latest
# docker-bench: node takeover: privileged + hostPID, docker.sock, host namespaces, /var/lib and /etc
has "$(g docker-bench-security-deployment)" posture.privileged critical
has "$(g docker-bench-security-deployment)" posture.runtime-socket critical
has "$(g docker-bench-security-deployment)" posture.host-pid high
has "$(g docker-bench-security-deployment)" posture.host-ipc
has "$(g docker-bench-security-deployment)" posture.host-network
has "$(g docker-bench-security-deployment)" posture.hostpath-sensitive high
has "$(g docker-bench-security-deployment)" posture.run-as-root
# health-check (DIND exploitation): privileged with the containerd socket
has "$(g health-check-deployment)" posture.privileged high
has "$(g health-check-deployment)" posture.runtime-socket critical
# system-monitor (host escape): hostPID + privileged + / mounted
has "$(g system-monitor-deployment)" posture.privileged critical
has "$(g system-monitor-deployment)" posture.hostpath-sensitive critical
has "$(g system-monitor-deployment)" posture.runtime-socket critical
has "$(g system-monitor-deployment)" posture.host-pid
has "$(g system-monitor-deployment)" posture.host-ipc
has "$(g system-monitor-deployment)" posture.privilege-escalation
# insecure RBAC: cluster-admin to a kube-system service account
has "$(g insecure-rbac-setup)" posture.rbac-cluster-admin-binding high
# hunger-check (resource exhaustion) with a wildcard Role
has "$(g hunger-check-deployment)" posture.no-cpu-limit
has "$(g hunger-check-deployment)" posture.no-memory-limit
has "$(g hunger-check-deployment)" posture.rbac-wildcard
# registries and images of the remaining scenarios; none of them is privileged
for s in build-code-deployment hidden-in-layers-deployment kubernetes-goat-home-deployment poor-registry-deployment; do
	has "$(g $s)" posture.image-untrusted-registry
	has "$(g $s)" posture.image-latest
	hasnt "$(g $s)" posture.privileged
	hasnt "$(g $s)" posture.runtime-socket
done
hasnt "$(g build-code-deployment)" posture.no-cpu-limit
ok "kubernetes-goat: every scenario raised its findings"

# A whole directory at once, SARIF: valid JSON with one result per JSON-lines finding.
"$HH_BIN" check -q -f json "$HH_FIXTURES/manifests" >"$out/all.json"
"$HH_BIN" check -q -f sarif "$HH_FIXTURES/manifests" >"$out/all.sarif"
python3 - "$out/all.json" "$out/all.sarif" <<'PY' || fail "SARIF does not match JSON lines"
import json, sys
n = sum(1 for _ in open(sys.argv[1]))
s = json.load(open(sys.argv[2]))
assert s['version'] == '2.1.0', s['version']
res = s['runs'][0]['results']
assert len(res) == n, (len(res), n)
loc = res[0]['locations'][0]['physicalLocation']
assert loc['artifactLocation']['uri'] and loc['region']['startLine'] > 0, loc
PY
ok "directory walk: JSON lines and SARIF agree"
