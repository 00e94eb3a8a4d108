# Response on real podman containers: evidence first, dry-run by default,
# freeze/thaw through the cgroup, isolate only in the container's own network
# namespace (refused for host-network containers), kill.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd podman iptables
work=$(mktemp -d)
names=(hh-respond-busy hh-respond-netns)
cleanup() { podman_rm "${names[@]}"; rm -rf "$work"; }
trap cleanup EXIT
cleanup; work=$(mktemp -d)

"${PODMAN_RUN[@]}" -d --name hh-respond-busy --rootfs /:O sh -c 'while :; do :; done' >/dev/null ||
	fail "cannot start a container"
podman run --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network none -d \
	--name hh-respond-netns --rootfs /:O sleep 300 >/dev/null || fail "cannot start a --network none container"
busy=$(podman inspect -f '{{.Id}}' hh-respond-busy)
netns=$(podman inspect -f '{{.Id}}' hh-respond-netns)
bpid=$(podman inspect -f '{{.State.Pid}}' hh-respond-busy)
npid=$(podman inspect -f '{{.State.Pid}}' hh-respond-netns)
cpu_ticks() { awk '{print $14 + $15}' /proc/$bpid/stat; }
frozen_state() { cat /proc/$bpid/status | awk '/^State:/{print $2}'; }

# Snapshot: evidence with a manifest, the process files and one copy of the exe.
"$HH_BIN" respond snapshot "${busy:0:12}" --evidence-dir "$work/ev" --format json >"$work/snap.json" ||
	fail "snapshot failed"
dir=$(ls -d "$work"/ev/*/ | head -1)
[ -f "$dir/manifest.json" ] || fail "no manifest in $dir"
ls "$dir"/pid-*/cmdline >/dev/null 2>&1 || fail "no process cmdline in evidence"
ls "$dir"/exe-* >/dev/null 2>&1 || fail "no executable copy in evidence"
grep -q '"sha256"' "$dir/manifest.json" || fail "manifest has no hashes"
ok "snapshot: $(grep -c '"file"' "$dir/manifest.json") files in $dir"

# Dry run changes nothing.
"$HH_BIN" respond freeze "$busy" --evidence-dir "$work/ev" --format json >"$work/dry.json" || fail "dry-run freeze failed"
grep -q '"dry run","value":"yes"' "$work/dry.json" || fail "dry run not reported"
t0=$(cpu_ticks); sleep 2; t1=$(cpu_ticks)
[ $((t1 - t0)) -gt 5 ] || fail "container stopped running after a dry run ($((t1 - t0)) ticks)"

# Freeze for real: CPU time stops; thaw: it runs again.
"$HH_BIN" respond freeze "$busy" --yes --evidence-dir "$work/ev" >/dev/null || fail "freeze failed"
sleep 1; t0=$(cpu_ticks); sleep 2; t1=$(cpu_ticks)
[ $((t1 - t0)) -le 2 ] || fail "frozen container still used $((t1 - t0)) ticks in 2 s"
"$HH_BIN" respond thaw "$busy" --yes --evidence-dir "$work/ev" >/dev/null || fail "thaw failed"
t0=$(cpu_ticks); sleep 2; t1=$(cpu_ticks)
[ $((t1 - t0)) -gt 5 ] || fail "thawed container does not run ($((t1 - t0)) ticks)"
ok "freeze and thaw through the cgroup"

# Isolation: refused for a host-network container, done inside a private netns.
"$HH_BIN" respond isolate "$busy" --yes --evidence-dir "$work/ev" 2>"$work/iso.err"
[ $? -eq 2 ] || fail "isolating a host-network container must be refused"
grep -q "host network namespace" "$work/iso.err" || fail "refusal does not say why: $(cat "$work/iso.err")"
iptables -S OUTPUT | grep -q -- '-j DROP' && fail "host got a DROP rule"
"$HH_BIN" respond isolate "$netns" --yes --evidence-dir "$work/ev" >/dev/null 2>"$work/iso2.err" ||
	fail "isolate failed: $(cat "$work/iso2.err")"
nsenter -t "$npid" -n iptables -S OUTPUT | grep -q -- '-j DROP' || fail "no DROP rule in the container netns"
nsenter -t "$npid" -n iptables -S OUTPUT | grep -q -- '-o lo -j ACCEPT' || fail "loopback not kept"
ok "isolate: egress dropped inside the container's own network namespace only"

# The netns rule does not depend on where the responder runs (dry runs: a
# wrong answer changes nothing). In a netns of its own (a DaemonSet without
# hostNetwork), a host-network target is still the HOST's netns: refused.
need_cmd unshare nsenter
unshare -n "$HH_BIN" respond isolate "$busy" --evidence-dir "$work/ev" 2>"$work/iso3.err" >/dev/null
[ $? -eq 2 ] || fail "from a private netns, a host-network target must still be refused"
grep -q "host network namespace" "$work/iso3.err" || fail "refusal does not say why: $(cat "$work/iso3.err")"
# ... while a container with a netns of its own is accepted from there;
unshare -n "$HH_BIN" respond isolate "$netns" --evidence-dir "$work/ev" --format json >"$work/iso4.json" \
	2>"$work/iso4.err" || fail "from a private netns, a private-netns target was refused: $(cat "$work/iso4.err")"
grep -q '"dry run","value":"yes"' "$work/iso4.json" || fail "dry run not reported"
# ... and a target in the responder's own netns is refused (it would cut itself off).
nsenter -t "$npid" -n "$HH_BIN" respond isolate "$netns" --evidence-dir "$work/ev" 2>"$work/iso5.err" >/dev/null
[ $? -eq 2 ] || fail "a target sharing the responder's netns must be refused"
grep -q "network namespace of hashhound itself" "$work/iso5.err" || fail "refusal does not say why: $(cat "$work/iso5.err")"
ok "isolate refuses the host's netns and its own, wherever the responder runs"

# Kill: every process of the cgroup.
"$HH_BIN" respond kill "$busy" --yes --evidence-dir "$work/ev" --format json >"$work/kill.json" || fail "kill failed"
wait_for "[ \"\$(podman inspect -f '{{.State.Running}}' hh-respond-busy)\" = false ]" 15 ||
	fail "container still running after kill"
ok "kill: container stopped"
"$HH_BIN" respond kill deadbeefdead --yes --evidence-dir "$work/ev" 2>/dev/null
[ $? -eq 2 ] || fail "unknown container must exit 2"
