#!/usr/bin/env bash
# Identity, telemetry and process inventory against real podman containers,
# through `hashhound ps`:
#   busy:  --rootfs /:O, --cpus 0.3, a shell busy loop: runtime podman, its name,
#          quota 0.30 CPU, usage near it, throttling counted
#   named: an image built here (buildah from scratch + busybox): name and image;
#          then a binary carrying miner strings is copied in after start and run
#          under an innocent name with miner arguments: exe flagged "upper",
#          traits found, stratum URL and XMRig flag found in its cmdline
# and the same from inside a container with the host mounted under /host
# (--pid host, --proc-root/--cgroup-root/--host-root), as a DaemonSet runs.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd podman buildah python3 gcc
[ -x /bin/busybox ] || skip "needs /bin/busybox (busybox-static)"
[ -x "$HH_BIN" ] || fail "$HH_BIN not built"

tag=$$
busy=hh-ident-busy-$tag
named=hh-ident-named-$tag
image=localhost/hh-ident-bb:test
work=$(mktemp -d /tmp/hh-ident-it.XXXXXX)
cleanup() {
	podman_rm "$busy" "$named" "hh-ident-view-$tag"
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

if ! podman image exists "$image"; then
	ctr=$(buildah from scratch) || fail "buildah from scratch"
	buildah copy "$ctr" /bin/busybox /bin/busybox >/dev/null || fail "buildah copy"
	buildah run "$ctr" -- /bin/busybox --install -s /bin >/dev/null 2>&1 || true
	buildah config --cmd '["/bin/busybox","sleep","600"]' "$ctr" >/dev/null
	buildah commit -q "$ctr" "$image" >/dev/null || fail "buildah commit"
	buildah rm "$ctr" >/dev/null
fi

"${PODMAN_RUN[@]}" -d --name "$busy" --cpus 0.3 --rootfs /:O sh -c 'while :; do :; done' >/dev/null \
	|| fail "podman run $busy"
"${PODMAN_RUN[@]}" -d --name "$named" "$image" >/dev/null || fail "podman run $named"
busy_id=$(podman inspect -f '{{.Id}}' "$busy")
named_id=$(podman inspect -f '{{.Id}}' "$named")

# A static binary with XMRig/RandomX/Stratum strings, named like a kernel thread.
cat > "$work/k.c" <<'EOF'
#include <unistd.h>
const char *traits[] = { "XMRig", "donate.v2.xmrig.com", "--donate-level", "RandomX",
			 "randomx_create_vm", "mining.subscribe", "mining.submit" };
int main(void) { volatile const char *keep = traits[0]; (void)keep; for (;;) sleep(1); }
EOF
gcc -static -O1 -o "$work/kworker" "$work/k.c" || fail "gcc -static"
podman cp "$work/kworker" "$named:/kworker" || fail "podman cp"
podman exec -d "$named" /kworker -o stratum+tcp://127.0.0.1:3333 --donate-level=1 || fail "podman exec"
sleep 3 # let the busy loop accumulate throttled periods

"$HH_BIN" ps --processes --format json --interval 2 > "$work/ps.json" 2> "$work/ps.err" \
	|| { cat "$work/ps.err"; fail "hashhound ps exited $?"; }

python3 - "$work/ps.json" "$busy_id" "$named_id" "$busy" "$named" "$image" <<'EOF' || fail "ps output checks (above)"
import json, sys
path, busy_id, named_id, busy, named, image = sys.argv[1:]
objs = [json.loads(l) for l in open(path)]
cont = {o["id"]: o for o in objs if o["type"] == "container"}
procs = [o for o in objs if o["type"] == "process"]
errors = []
def check(cond, msg):
    print(("ok: " if cond else "FAIL: ") + msg)
    if not cond: errors.append(msg)

b = cont.get(busy_id)
check(b is not None, "busy container listed")
if b:
    check(b["runtime"] == "podman", "busy runtime podman (%s)" % b["runtime"])
    check(b["name"] == busy, "busy name (%s)" % b["name"])
    check(b["cpu_quota_cpus"] is not None and abs(b["cpu_quota_cpus"] - 0.3) < 1e-6, "quota 0.3 cpu (%s)" % b["cpu_quota_cpus"])
    check(0.5 < b["cpu_usage_percent"] < 36.0, "usage above zero and under the quota (%.1f%%)" % b["cpu_usage_percent"])
    check(b["nr_periods"] > 0, "CFS periods counted (%d)" % b["nr_periods"])
    # On a loaded machine the loop may never reach its quota; when it does, throttling shows.
    if b["cpu_usage_percent"] > 25.0:
        check(b["nr_throttled"] > 0 and b["throttled_seconds"] > 0, "throttling counted (%d periods, %.2fs)" % (b["nr_throttled"], b["throttled_seconds"]))
    else:
        print("note: host busy (%.1f%% for a 30%% quota); throttled %d of %d periods" % (b["cpu_usage_percent"], b["nr_throttled"], b["nr_periods"]))
    check(b["pids"] >= 1, "pids (%d)" % b["pids"])
n = cont.get(named_id)
check(n is not None, "named container listed")
if n:
    check(n["name"] == named, "named name (%s)" % n["name"])
    check(n["image"] == image, "image (%s)" % n["image"])
    check(n["cpu_quota_cpus"] is None, "no quota on the named container")
k = [p for p in procs if p["container_id"] == named_id and p["exe"] == "/kworker"]
check(len(k) == 1, "renamed miner process listed")
if k:
    p = k[0]
    check(p["upper_layer"] and not p["memfd"] and not p["deleted"], "exe flagged as written after start")
    check("xmrig" in p["traits"], "traits found (%s)" % p["traits"])
    check(len(p["sha256"]) == 64, "exe hashed")
    kinds = {i["kind"] for i in p["indicators"]}
    check(len(kinds) >= 2, "cmdline indicators (%s)" % sorted(kinds))
sh = [p for p in procs if p["container_id"] == busy_id]
check(any(p["comm"] == "sh" and not p["upper_layer"] and p["traits"] == "" for p in sh), "busy loop: plain shell, not upper, no traits")
sys.exit(1 if errors else 0)
EOF

# The same view from inside a container (how a DaemonSet runs): host roots
# mounted under /host, host PID namespace, hashhound from the build tree.
view=hh-ident-view-$tag
timeout 120 "${PODMAN_RUN[@]}" --rm --name "$view" --pid host \
	-v /proc:/host/proc:ro -v /sys/fs/cgroup:/host/sys/fs/cgroup:ro \
	-v /var/lib/containers:/host/var/lib/containers:ro -v /run/containers:/host/run/containers:ro \
	-v "$(dirname "$HH_BIN")":/hh:ro --rootfs /:O \
	"/hh/$(basename "$HH_BIN")" ps --processes --format json --interval 1 \
	--proc-root /host/proc --cgroup-root /host/sys/fs/cgroup --host-root /host \
	> "$work/view.json" 2> "$work/view.err" || { cat "$work/view.err"; fail "ps inside a container"; }
python3 - "$work/view.json" "$busy_id" "$named_id" "$busy" "$image" <<'EOF' || fail "in-container view checks (above)"
import json, sys
path, busy_id, named_id, busy, image = sys.argv[1:]
objs = [json.loads(l) for l in open(path)]
cont = {o["id"]: o for o in objs if o["type"] == "container"}
ok = True
def check(cond, msg):
    global ok
    print(("ok: " if cond else "FAIL: ") + "in-container view: " + msg)
    ok = ok and cond
b = cont.get(busy_id, {})
check(b.get("name") == busy and b.get("cpu_quota_cpus") is not None, "busy container with name and quota")
check(cont.get(named_id, {}).get("image") == image, "named container's image from /host state")
k = [o for o in objs if o["type"] == "process" and o["container_id"] == named_id and o["exe"] == "/kworker"]
check(len(k) == 1 and k[0]["upper_layer"] and "xmrig" in k[0]["traits"], "renamed miner: upper layer through /host, traits")
sys.exit(0 if ok else 1)
EOF

# The table form names the same containers.
"$HH_BIN" ps --format table --interval 0 > "$work/ps.txt" 2>/dev/null || fail "ps table"
grep -q "${busy_id:0:12} podman" "$work/ps.txt" || { cat "$work/ps.txt"; fail "table lacks $busy"; }
grep -q "$image" "$work/ps.txt" || fail "table lacks the image"
# Usage errors exit 2.
"$HH_BIN" ps --format xml >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --format not exit 2"
"$HH_BIN" ps --cgroup-root /nonexistent >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad root not exit 2"
ok "identity, telemetry and process inventory"
