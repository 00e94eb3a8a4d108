#!/usr/bin/env bash
# Issue 13, "Done when": the agent image (FROM scratch, scripts/image-root.sh)
# built with buildah, run under podman with the DaemonSet's host mounts,
# capabilities, seccomp choice, ConfigMap, token Secret and NODE_NAME as
# deploy/kubernetes/daemonset.yaml declares them (not --privileged); then
# `hashhound drill` runs its miner on the host: the agent in the container
# detects it (an incident) and names the host container
# (name, image, node). /healthz answers without the token, /metrics only with
# it, and shows the eBPF sensor up with events counted and the flagged
# container's CPU.
# Removes its containers and image.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd podman buildah python3 curl
REL=$HH_ROOT/build
[ -x "$REL/hashhound" ] || skip "$REL/hashhound not built (make): the image ships the release binary"
for b in hh-minersim hh-poolsim; do
	[ -x "$REL/$b" ] || skip "$REL/$b not built (make tools)"
done
out=$HH_ROOT/tests/out/agent_image.$$
mkdir -p "$out"
tag=hh-agimg-$$
image=localhost/$tag:test
agent=$tag-agent
drill=$tag-drill
drill_pid=""
cleanup() {
	[ -n "$drill_pid" ] && kill "$drill_pid" 2>/dev/null && wait "$drill_pid" 2>/dev/null
	podman_rm "$agent" "$drill"
	podman rmi -f "$image" >/dev/null 2>&1
	rm -rf "$out/root"
}
trap cleanup EXIT

# 1. The image, from scratch.
"$HH_ROOT/scripts/image-root.sh" "$REL/hashhound" "$out/root" || fail "image-root.sh"
buildah bud -q -f "$HH_ROOT/deploy/Containerfile" -t "$image" "$out/root" >"$out/buildah.log" 2>&1 ||
	{ cat "$out/buildah.log"; fail "buildah bud"; }
[ "$(podman image inspect --format '{{len .RootFS.Layers}}' "$image")" = 1 ] || fail "image has more than its one layer"

# 2. podman arguments from the DaemonSet (one document of daemonset.yaml).
port=$((30000 + $$ % 20000))
python3 - "$HH_ROOT/deploy/kubernetes/daemonset.yaml" "$out" "$port" >"$out/podman-args" <<'PY' || fail "daemonset.yaml"
import os, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
out, port = sys.argv[2], sys.argv[3]
ds = next(d for d in docs if d["kind"] == "DaemonSet")
cm = next(d for d in docs if d["kind"] == "ConfigMap")
pod = ds["spec"]["template"]["spec"]
c = pod["containers"][0]
sc = c["securityContext"]
args = []
assert pod.get("hostPID") is True
args += ["--pid", "host"]
assert not sc.get("privileged") and sc["capabilities"]["drop"] == ["ALL"]
args += ["--cap-drop", "all"] + [a for cap in sc["capabilities"]["add"] for a in ("--cap-add", cap)]
if sc.get("allowPrivilegeEscalation") is False:
    args += ["--security-opt", "no-new-privileges"]
if sc.get("readOnlyRootFilesystem"):
    args += ["--read-only"]
if sc.get("seccompProfile", {}).get("type") == "Unconfined":
    args += ["--security-opt", "seccomp=unconfined"]
if sc.get("runAsUser") is not None:
    args += ["--user", str(sc["runAsUser"])]
vols = {v["name"]: v for v in pod["volumes"]}
for m in c["volumeMounts"]:
    v = vols[m["name"]]
    ro = ":ro" if m.get("readOnly") else ""
    if "hostPath" in v:
        host = v["hostPath"]["path"]
        if m["name"] == "state":           # the node's state dir: a scratch one here
            host = os.path.join(out, "state"); os.makedirs(host, exist_ok=True)
        elif not os.path.exists(host):     # a runtime this host does not have
            continue
        args += ["-v", f"{host}:{m['mountPath']}{ro}"]
    elif "configMap" in v:
        text = cm["data"][m["subPath"]].replace("0.0.0.0:9321", f"0.0.0.0:{port}")
        path = os.path.join(out, m["subPath"]); open(path, "w").write(text)
        args += ["-v", f"{path}:{m['mountPath']}{ro}"]
    elif "secret" in v:
        d = os.path.join(out, "secret"); os.makedirs(d, exist_ok=True)
        open(os.path.join(d, "token"), "w").write("agent-image-test-token-0123456789\n")
        args += ["-v", f"{d}:{m['mountPath']}{ro}"]
for e in c["env"]:
    if e["name"] == "NODE_NAME":
        assert e["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName"
        args += ["-e", "NODE_NAME=hh-agimg-node"]
print("\n".join(args))
print("--")
print("\n".join(c["args"]))
PY
mapfile -t all <"$out/podman-args"
run_args=() agent_args=() sep=0
for a in "${all[@]}"; do
	if [ "$a" = -- ]; then sep=1; elif [ $sep = 0 ]; then run_args+=("$a"); else agent_args+=("$a"); fi
done
echo "podman run ${run_args[*]} $image ${agent_args[*]}"
printf '%s\n' "${run_args[@]}" | grep -qx -- --privileged && fail "privileged"

# 3. The agent in its container (host network here: the test's loopback port
# stands for the pod's; interval 1 s to keep the test short).
"${PODMAN_RUN[@]}" -d --name "$agent" "${run_args[@]}" "$image" "${agent_args[@]}" --interval 1 >/dev/null ||
	fail "podman run agent"
wait_for "podman logs $agent 2>&1 | grep -q 'interval:'" 30 || { podman logs "$agent" | tail; fail "agent did not start"; }
podman logs "$agent" 2>&1 | sed -n '/^hashhound agent/,/interval:/p'
podman logs "$agent" 2>&1 | grep -q "sensor:    ebpf" || fail "no eBPF sensor in the container"
podman logs "$agent" 2>&1 | grep -q "runtimes:  podman" || fail "no runtime state found under /host"
wait_for "curl -sf http://127.0.0.1:$port/healthz" 15 || fail "/healthz"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics")
[ "$code" = 401 ] || fail "/metrics without the token: $code, want 401"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer wrong-token-0123456789" "http://127.0.0.1:$port/api/findings")
[ "$code" = 401 ] || fail "/api/findings with a wrong token: $code, want 401"
ok "image from scratch runs with the DaemonSet's capabilities; /healthz open, /metrics 401 without the token"

# 4. The drill's miner on the host (the drill's own agent reports separately).
"$REL/hashhound" drill --duration 60 --name "$drill" --sim-dir "$REL" -q -f json >"$out/drill.jsonl" 2>"$out/drill.err" &
drill_pid=$!
found=""
for _ in $(seq 1 60); do
	podman logs "$agent" 2>/dev/null >"$out/agent.jsonl"
	if python3 - "$out/agent.jsonl" "$drill" >"$out/match.txt" 2>/dev/null <<'PY'
import json, sys
name = sys.argv[2]
hits = []
for l in open(sys.argv[1]):
    if not l.startswith("{"):
        continue
    f = json.loads(l)
    fl = f["fields"]
    if fl.get("container.name") == name and "T1496" in f["mitre"]:
        hits.append(f)
rules = {f["rule"] for f in hits}
if "incident.cryptomining" not in rules:
    sys.exit(1)
f = hits[0]["fields"]
assert f["container.image"].startswith("localhost/hh-minersim"), f
assert f["k8s.node.name"] == "hh-agimg-node", f
assert f["container.runtime"] == "podman", f
assert len(f["container.id"]) == 64, f
print(sorted(rules))
PY
	then found=1; break; fi
	sleep 1
done
[ -n "$found" ] || { tail -5 "$out/agent.jsonl"; cat "$out/drill.err"; fail "the agent in its container did not detect the drill's miner"; }
ok "agent in its container detected the drill's miner: $(cat "$out/match.txt") (incident, container named with its image, node from NODE_NAME)"

# Metrics are exported after each sweep; a finding from the sensor can come
# between two sweeps, so the gauge may follow a sweep (1 s here) later.
gauge="^hashhound_flagged_container_cpu_cores{container_id=\"[0-9a-f]\{12\}\",container_name=\"$drill\""
for _ in $(seq 1 10); do
	m=$(curl -sf -H "Authorization: Bearer agent-image-test-token-0123456789" "http://127.0.0.1:$port/metrics") ||
		fail "/metrics with the token"
	grep -q "$gauge" <<<"$m" && break
	sleep 1
done
grep -q '^hashhound_sensor_up{kind="ebpf"} 1$' <<<"$m" || fail "sensor_up"
grep -q "$gauge" <<<"$m" || { grep flagged <<<"$m"; fail "no CPU gauge for the flagged drill container (10 s after its incident)"; }
grep -Eq '^hashhound_events_total\{source="sensor"\} [1-9]' <<<"$m" || fail "no sensor events counted"
ok "/metrics with the token: sensor up, events counted, flagged container's CPU exported"

wait "$drill_pid"; rc=$?; drill_pid=""
[ $rc -eq 0 ] || { cat "$out/drill.err"; fail "drill exit $rc"; }
podman stop -t 10 "$agent" >/dev/null
rc=$(podman inspect --format '{{.State.ExitCode}}' "$agent")
[ "$rc" = 0 ] || { podman logs "$agent" 2>&1 | grep -v '^{' | tail -5; fail "agent exit code $rc on SIGTERM, want 0"; }
ok "agent stopped cleanly on SIGTERM"
