#!/usr/bin/env bash
# hashhound scan IMAGE_REF, as Trivy users run it:
#  - localhost/NAME:TAG straight from podman's containers-storage (built with
#    buildah in the test, no podman save), and a layer changed on disk behind
#    podman's back: a digest mismatch (input error, exit 2);
#  - the same image pushed to a real registry (Debian's docker-registry) on a
#    loopback port with htpasswd (Basic) auth: refused without credentials,
#    pulled with them from REGISTRY_AUTH_FILE;
#  - a two-platform index (miner as linux/amd64, clean as linux/arm64): every
#    platform by default, one with --platform; --severity filters;
#  - a registry blob changed on disk: digest mismatch, exit 2.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd buildah podman python3 curl
command -v docker-registry >/dev/null || skip "needs docker-registry (scripts/deps.sh)"
[ -x /bin/busybox ] || skip "needs busybox-static (/bin/busybox)"
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$HH_BIN" ] || fail "$HH_BIN not built"
rxsim=$HH_ROOT/build/hh-rxsim
[ -x "$rxsim" ] || rxsim=$HH_BUILD/hh-rxsim
[ -x "$rxsim" ] || fail "hh-rxsim not built (make tools)"

tag=hh-scanner-ref-$$
miner=localhost/$tag-miner:test clean=localhost/$tag-clean:test tampered=localhost/$tag-tamper:test
list=$tag-list
work=$(mktemp -d /tmp/hh-scanner-ref.XXXXXX)
reg_pid=""
cleanup() {
	[ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null && wait "$reg_pid" 2>/dev/null
	buildah manifest rm "$list" >/dev/null 2>&1
	podman rmi -f "$miner" "$clean" "$tampered" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
[ -n "${HH_SCAN_KEEP:-}" ] && trap "" EXIT

mkdir -p "$work/clean/bin" "$work/miner/usr/bin"
cp /bin/busybox "$work/clean/bin/busybox"
cp "$rxsim" "$work/miner/usr/bin/kswapd" && strip --strip-all "$work/miner/usr/bin/kswapd"
mk_image "$clean" "$work/clean"
mk_image "$miner" "$work/miner"
mkdir -p "$work/tamper/bin" && cp /bin/busybox "$work/tamper/bin/busybox" && echo "$tag" >"$work/tamper/marker"
mk_image "$tampered" "$work/tamper"   # its own layer: the clean one stays intact

# ---- local containers-storage
"$HH_BIN" scan -q --format json "$miner" >"$work/local.jsonl" 2>"$work/local.err"
rc=$?
[ "$rc" = 1 ] || { cat "$work/local.err"; fail "local scan of $miner: exit $rc (want 1)"; }
grep '"rule":"miner.algo.randomx"' "$work/local.jsonl" | grep -q '"file.path":"layer-[0-9a-f]*/usr/bin/kswapd"' ||
	fail "local scan: RandomX kernel not reported"
grep -q "\"container.image.repository\":\"$miner\"" "$work/local.jsonl" || fail "local scan: image name not in findings"
"$HH_BIN" scan -q --format json "$clean" >"$work/clean.jsonl" 2>"$work/clean.err"
rc=$?
[ "$rc" = 0 ] || { cat "$work/clean.err"; fail "local scan of $clean: exit $rc (want 0)"; }
"$HH_BIN" scan -q --format json --image-src local localhost/$tag-nosuch:test >/dev/null 2>"$work/nosuch.err"
[ $? = 2 ] || fail "unknown local image: want exit 2"
grep -q "not in containers-storage" "$work/nosuch.err" || fail "unknown local image: no message"
ok "localhost/NAME:TAG scanned from containers-storage"

# change a file of the tampered image's layer on disk
store=$(podman info --format '{{.Store.GraphRoot}}')
top=$(python3 -c 'import json,sys
for im in json.load(open(sys.argv[1] + "/overlay-images/images.json")):
    if sys.argv[2] in im.get("names", []): print(im["layer"])' "$store" "$tampered")
[ -n "$top" ] || fail "top layer of $tampered not found in $store"
f=$store/overlay/$top/diff/bin/busybox
[ -f "$f" ] || fail "$f missing (storage driver is not overlay?)"
printf 'X' | dd of="$f" bs=1 seek=1000 conv=notrunc status=none
"$HH_BIN" scan -q --format json "$tampered" >/dev/null 2>"$work/tamper.err"
rc=$?
[ "$rc" = 2 ] || { cat "$work/tamper.err"; fail "tampered layer: exit $rc (want 2)"; }
grep -q "digest mismatch" "$work/tamper.err" || fail "tampered layer: no digest mismatch message"
ok "layer changed on disk: digest mismatch, exit 2"

# ---- registry on loopback with htpasswd auth
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -W ignore -c 'import crypt; print("hh:" + crypt.crypt("hhpass", crypt.mksalt(crypt.METHOD_BLOWFISH)))' >"$work/htpasswd"
cat >"$work/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/reg
http:
  addr: 127.0.0.1:$port
auth:
  htpasswd:
    realm: hh-test
    path: $work/htpasswd
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 50); do
	code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" 2>/dev/null)
	[ "$code" = 401 ] && break
	sleep 0.2
done
[ "$code" = 401 ] || { cat "$work/registry.log"; fail "registry did not start on 127.0.0.1:$port"; }
R=127.0.0.1:$port
podman push --quiet --tls-verify=false --creds hh:hhpass "$miner" "docker://$R/hh/miner:1" >/dev/null 2>&1 ||
	fail "podman push to the local registry"
export REGISTRY_AUTH_FILE=$work/none.json
"$HH_BIN" scan -q --format json --image-src remote "$R/hh/miner:1" >/dev/null 2>"$work/noauth.err"
[ $? = 2 ] || fail "registry without credentials: want exit 2"
grep -q "no credentials" "$work/noauth.err" || { cat "$work/noauth.err"; fail "registry without credentials: no message"; }
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$R" "$(printf 'hh:hhpass' | base64 -w0)" >"$work/auth.json"
export REGISTRY_AUTH_FILE=$work/auth.json
"$HH_BIN" scan -q --format json --image-src remote "$R/hh/miner:1" >"$work/remote.jsonl" 2>"$work/remote.err"
rc=$?
[ "$rc" = 1 ] || { cat "$work/remote.err"; fail "registry scan: exit $rc (want 1)"; }
grep '"rule":"miner.algo.randomx"' "$work/remote.jsonl" | grep -q 'usr/bin/kswapd' || fail "registry scan: miner not reported"
ok "registry scan with Basic credentials from REGISTRY_AUTH_FILE"

# ---- two-platform index
buildah manifest create "$list" >/dev/null || fail "manifest create"
buildah manifest add --os linux --arch amd64 "$list" "containers-storage:$miner" >/dev/null || fail "manifest add amd64"
buildah manifest add --os linux --arch arm64 "$list" "containers-storage:$clean" >/dev/null || fail "manifest add arm64"
buildah manifest push --quiet --all --tls-verify=false --creds hh:hhpass "$list" "docker://$R/hh/multi:1" >"$work/mpush.log" 2>&1 || { cat "$work/mpush.log"; false; } ||
	fail "manifest push"
"$HH_BIN" scan -q --format json --image-src remote "$R/hh/multi:1" >"$work/multi.jsonl" 2>"$work/multi.err"
rc=$?
[ "$rc" = 1 ] || { cat "$work/multi.err"; fail "index scan: exit $rc (want 1)"; }
grep '"rule":"miner.algo.randomx"' "$work/multi.jsonl" | grep -q '"image.platform":"linux/amd64"' ||
	fail "index scan: amd64 miner not reported with its platform"
grep -q '"image.platform":"linux/arm64"' "$work/multi.jsonl" || fail "index scan: arm64 platform not scanned"
"$HH_BIN" scan -q --format json --image-src remote --platform linux/arm64 "$R/hh/multi:1" >"$work/arm.jsonl" 2>&1
rc=$?
[ "$rc" = 0 ] || fail "--platform linux/arm64 (the clean image): exit $rc (want 0)"
grep -q 'amd64' "$work/arm.jsonl" && fail "--platform linux/arm64 scanned amd64"
"$HH_BIN" scan -q --format json --image-src remote --severity LOW,MEDIUM "$R/hh/multi:1" >"$work/sev.jsonl" 2>/dev/null
rc=$?
grep -q '"severity":"high"' "$work/sev.jsonl" && fail "--severity LOW,MEDIUM printed a high finding"
[ "$rc" != 1 ] || fail "--severity LOW,MEDIUM: high findings filtered out still set exit 1"
ok "multi-platform index: every platform, --platform, --severity"

# ---- a registry blob changed on disk
cfgless=$(python3 - "$work/reg" <<'PY'
import json, os, sys
root = sys.argv[1] + "/docker/registry/v2/blobs/sha256"
best = None
for d, _, files in os.walk(root):
    if "data" in files:
        p = os.path.join(d, "data")
        sz = os.path.getsize(p)
        if sz > 100000 and (best is None or sz > best[0]):  # the busybox layer (arm64 image)
            best = (sz, p)
print(best[1] if best else "")
PY
)
[ -n "$cfgless" ] || fail "no layer blob found in the registry storage"
printf 'X' | dd of="$cfgless" bs=1 seek=5000 conv=notrunc status=none
"$HH_BIN" scan -q --format json --image-src remote --platform linux/arm64 "$R/hh/multi:1" >/dev/null 2>"$work/bad.err"
rc=$?
[ "$rc" = 2 ] || { cat "$work/bad.err"; fail "changed registry blob: exit $rc (want 2)"; }
grep -q "digest mismatch" "$work/bad.err" || fail "changed registry blob: no digest mismatch message"
ok "registry blob changed: digest mismatch, exit 2"
