#!/usr/bin/env bash
# hashhound scan IMAGE_REF from containerd's and Docker's stores, read in
# place (no ctr export, no docker save, no daemon running at scan time):
#  - a miner and a clean image built with buildah, `podman save`d to
#    docker-archive tars only to feed the daemons;
#  - a private containerd (own root, state and socket; CRI off) imports both
#    into namespace k8s.io and stops; the scan reads meta.db and the content
#    store under scan.containerd_root: miner high (exit 1), clean below
#    (exit 0); a short name; scan.containerd_namespace; a two-platform index
#    (OCI archive from buildah, imported with --all-platforms) followed to
#    this host's platform or --platform; one byte of a layer blob changed:
#    digest mismatch, exit 2; a layer blob removed: an error naming it;
#    a two-layer image unpacked into overlayfs snapshots whose layer blobs
#    are all removed (discard_unpacked_layers): read from the snapshots,
#    miner high; a snapshot directory removed too: an error naming it;
#  - a private dockerd (no networking), with the overlay2, fuse-overlayfs and
#    vfs drivers in turn, loads both and stops; the scan reads repositories.json,
#    imagedb, layerdb and overlay2/ID/diff, fuse-overlayfs/ID/diff or vfs/dir/ID under
#    scan.docker_root: the same three assertions.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd buildah podman containerd ctr dockerd fuse-overlayfs python3 timeout
[ -x /bin/busybox ] || skip "needs busybox-static (/bin/busybox)"
[ -x "$HH_BIN" ] || fail "$HH_BIN not built"
rxsim=$HH_ROOT/build/hh-rxsim
[ -x "$rxsim" ] || rxsim=$HH_BUILD/hh-rxsim
[ -x "$rxsim" ] || fail "hh-rxsim not built (make tools)"
# the Debian docker.io client: a newer one on PATH may refuse an older daemon's API
docker=/usr/bin/docker
[ -x "$docker" ] || docker=$(command -v docker) || skip "needs docker (docker.io)"

tag=hh-stores-$$
miner=localhost/$tag-miner:test clean=localhost/$tag-clean:test multi=localhost/$tag-multi:test
snap=localhost/$tag-snap:test
list=$tag-list
work=$(mktemp -d /tmp/hh-stores.XXXXXX)
cd_pid="" dk_pid=""
stop_daemon() { # PID: TERM, then KILL after 20 s
	local pid=$1 t=0
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null && [ $t -lt 200 ]; do sleep 0.1; t=$((t + 1)); done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}
cleanup() {
	stop_daemon "$cd_pid"
	stop_daemon "$dk_pid"
	# dockerd's own containerd, should it outlive dockerd (by its pid file)
	[ -f "$work/dkx/containerd/containerd.pid" ] && kill -9 "$(cat "$work/dkx/containerd/containerd.pid")" 2>/dev/null
	# anything dockerd or containerd mounted under the work directory
	grep -o " ${work}[^ ]*" /proc/self/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	buildah manifest rm "$list" >/dev/null 2>&1
	podman rmi -f "$snap" "$miner" "$clean" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
[ -n "${HH_SCAN_KEEP:-}" ] && trap "" EXIT

mkdir -p "$work/clean/bin" "$work/miner/usr/bin" "$work/miner/bin"
cp /bin/busybox "$work/clean/bin/busybox"
cp /bin/busybox "$work/miner/bin/busybox"
cp "$rxsim" "$work/miner/usr/bin/kswapd" && strip --strip-all "$work/miner/usr/bin/kswapd"
mk_image "$clean" "$work/clean"
mk_image "$miner" "$work/miner"
# two layers: the clean image, then the miner added on top
c=$(buildah from "$clean") || fail "buildah from $clean"
buildah copy --quiet "$c" "$work/miner/usr/bin/kswapd" /usr/bin/kswapd >/dev/null || fail "buildah copy"
buildah commit --quiet --rm "$c" "$snap" >/dev/null || fail "buildah commit $snap"
podman save --quiet --format docker-archive -o "$work/snap.tar" "$snap" || fail "podman save $snap"
podman save --quiet --format docker-archive -o "$work/miner.tar" "$miner" || fail "podman save $miner"
podman save --quiet --format docker-archive -o "$work/clean.tar" "$clean" || fail "podman save $clean"
# a two-platform index (miner as linux/amd64, clean as linux/arm64) in an OCI archive
buildah manifest create "$list" >/dev/null || fail "manifest create"
buildah manifest add --os linux --arch amd64 "$list" "containers-storage:$miner" >/dev/null || fail "manifest add amd64"
buildah manifest add --os linux --arch arm64 "$list" "containers-storage:$clean" >/dev/null || fail "manifest add arm64"
buildah manifest push --quiet --all "$list" "oci-archive:$work/multi.tar:$multi" >"$work/mpush.log" 2>&1 ||
	{ cat "$work/mpush.log"; fail "manifest push to oci-archive"; }
buildah manifest rm "$list" >/dev/null 2>&1
podman rmi -f "$snap" "$miner" "$clean" >/dev/null 2>&1  # from here on only the daemons' stores hold them

cfg() { # FILE KEY VALUE: a hashhound config naming one store root
	printf 'scan:\n  %s: "%s"\n' "$2" "$3" >"$1"
}
scan() { # CONFIG IMAGE OUT: exit status of hashhound scan --image-src local
	"$HH_BIN" scan -c "$1" --format json --image-src local "$2" >"$3.jsonl" 2>"$3.err"
}
check_store() { # LABEL CONFIG
	local label=$1 c=$2 rc
	scan "$c" "$miner" "$work/$label-miner"; rc=$?
	[ "$rc" = 1 ] || { cat "$work/$label-miner.err"; fail "$label: scan of $miner: exit $rc (want 1)"; }
	grep '"rule":"miner.algo.randomx"' "$work/$label-miner.jsonl" | grep -q '"severity":"\(high\|critical\)"' ||
		{ cat "$work/$label-miner.err"; fail "$label: RandomX kernel not reported high"; }
	grep -q "found in $label" "$work/$label-miner.err" || { cat "$work/$label-miner.err"; fail "$label: no info line naming the store"; }
	scan "$c" "$clean" "$work/$label-clean"; rc=$?
	[ "$rc" = 0 ] || { cat "$work/$label-clean.err"; fail "$label: scan of $clean: exit $rc (want 0)"; }
	! grep -q '"severity":"\(high\|critical\)"' "$work/$label-clean.jsonl" || fail "$label: clean image reported high"
	ok "$label: miner high, clean image below high"
}

# ---- containerd: a private daemon fills the store, then stops
mkdir -p "$work/cd"
cat >"$work/cd/config.toml" <<TOML
version = 2
root = "$work/cd/root"
state = "$work/cd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$work/cd/sock"
TOML
containerd --config "$work/cd/config.toml" >"$work/cd/log" 2>&1 &
cd_pid=$!
wait_for "[ -S '$work/cd/sock' ] && timeout 5 ctr -a '$work/cd/sock' version" 30 ||
	{ tail -20 "$work/cd/log"; fail "containerd did not start"; }
for t in miner clean; do
	timeout 120 ctr -a "$work/cd/sock" -n k8s.io images import --no-unpack "$work/$t.tar" >"$work/cd/import-$t" 2>&1 ||
		timeout 120 ctr -a "$work/cd/sock" -n k8s.io images import "$work/$t.tar" >"$work/cd/import-$t" 2>&1 ||
		{ cat "$work/cd/import-$t"; fail "ctr images import $t"; }
done
# unpacked into overlayfs snapshots, as on a Kubernetes node
timeout 120 ctr -a "$work/cd/sock" -n k8s.io images import "$work/snap.tar" >"$work/cd/import-snap" 2>&1 ||
	{ cat "$work/cd/import-snap"; fail "ctr images import (unpacked) $snap"; }
timeout 120 ctr -a "$work/cd/sock" -n k8s.io images import --all-platforms --no-unpack "$work/multi.tar" \
	>"$work/cd/import-multi" 2>&1 || { cat "$work/cd/import-multi"; fail "ctr images import (index)"; }
ctr -a "$work/cd/sock" -n k8s.io images ls >"$work/cd/images" 2>&1
grep -q "^$miner " "$work/cd/images" || { cat "$work/cd/images"; fail "containerd: $miner not imported"; }
stop_daemon "$cd_pid"; cd_pid=""
[ -n "${HH_RECORD_METADB:-}" ] && cp "$work/cd/root/io.containerd.metadata.v1.bolt/meta.db" "$HH_RECORD_METADB"
cfg "$work/cd.yaml" containerd_root "$work/cd/root"
"$HH_BIN" config --check "$work/cd.yaml" >/dev/null || fail "config --check refuses scan.containerd_root"
check_store containerd "$work/cd.yaml"
# a short name finds localhost/NAME:TAG; another namespace does not have it
scan "$work/cd.yaml" "$tag-miner:test" "$work/cd-short"; rc=$?
[ "$rc" = 1 ] || { cat "$work/cd-short.err"; fail "containerd: short name $tag-miner:test: exit $rc (want 1)"; }
printf 'scan:\n  containerd_root: "%s"\n  containerd_namespace: default\n' "$work/cd/root" >"$work/cd-default.yaml"
"$HH_BIN" config --check "$work/cd-default.yaml" >/dev/null || fail "config --check refuses scan.containerd_namespace"
scan "$work/cd-default.yaml" "$miner" "$work/cd-ns"; rc=$?
[ "$rc" = 2 ] && grep -q "not in .*containerd $work/cd/root" "$work/cd-ns.err" ||
	{ cat "$work/cd-ns.err"; fail "containerd: namespace default: exit $rc (want 2, not found)"; }
ok "containerd: short name found, scan.containerd_namespace honoured"
# the index: this host's platform (amd64: the miner), or --platform
[ "$(uname -m)" = x86_64 ] || fail "the index check assumes an x86_64 host (miner as linux/amd64)"
scan "$work/cd.yaml" "$multi" "$work/cd-multi"; rc=$?
[ "$rc" = 1 ] || { cat "$work/cd-multi.err"; fail "containerd: index $multi: exit $rc (want 1, the amd64 miner)"; }
"$HH_BIN" scan -c "$work/cd.yaml" --format json --image-src local --platform linux/arm64 "$multi" \
	>"$work/cd-arm.jsonl" 2>"$work/cd-arm.err"; rc=$?
[ "$rc" = 0 ] || { cat "$work/cd-arm.err"; fail "containerd: index $multi --platform linux/arm64: exit $rc (want 0)"; }
"$HH_BIN" scan -c "$work/cd.yaml" --format json --image-src local --platform linux/s390x "$multi" \
	>/dev/null 2>"$work/cd-s390x.err"; rc=$?
[ "$rc" = 2 ] && grep -q "has no manifest for linux/s390x" "$work/cd-s390x.err" ||
	{ cat "$work/cd-s390x.err"; fail "containerd: index without the platform asked: exit $rc (want 2)"; }
ok "containerd: index followed to this host's platform or --platform"
tamper() { # LABEL CONFIG FILE: one byte of FILE changed, the clean image is an input error
	local label=$1 c=$2 f=$3 rc
	[ -f "$f" ] || fail "$label: $f missing"
	printf 'X' | dd of="$f" bs=1 seek=$(($(stat -c %s "$f") / 2)) conv=notrunc status=none
	scan "$c" "$clean" "$work/$label-tamper"; rc=$?
	[ "$rc" = 2 ] || { cat "$work/$label-tamper.err"; fail "$label: changed layer: exit $rc (want 2)"; }
	grep -q "digest mismatch" "$work/$label-tamper.err" || { cat "$work/$label-tamper.err"; fail "$label: no digest mismatch message"; }
	ok "$label: layer changed on disk: digest mismatch, exit 2"
}
# the clean image's layer blob: its manifest (the image's target) names it
blobs=$work/cd/root/io.containerd.content.v1.content/blobs/sha256
mdg=$(awk -v n="$clean" '$1 == n { print $3 }' "$work/cd/images")
layer=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][-1]["digest"].split(":")[1])' "$blobs/${mdg#sha256:}") ||
	fail "containerd: manifest $mdg of $clean not readable"
tamper containerd "$work/cd.yaml" "$blobs/$layer"
# the clean layer is also the first of the unpacked two-layer image: with its
# blob gone, its snapshot is read (the tampered bytes went with the blob)
rm -f "$blobs/$layer"
scan "$work/cd.yaml" "$clean" "$work/containerd-clean-snap"; rc=$?
[ "$rc" = 0 ] && grep -q "layer 1/1 sha256:$layer: blob discarded .* reading its unpacked snapshot" "$work/containerd-clean-snap.err" ||
	{ cat "$work/containerd-clean-snap.err"; fail "containerd: clean layer from its snapshot: exit $rc, want 0 and the snapshot named"; }
ok "containerd: a layer blob gone, its unpacked snapshot read instead"
# the miner was imported without unpacking: no blob, no snapshot
mmdg=$(awk -v n="$miner" '$1 == n { print $3 }' "$work/cd/images")
mlayer=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][-1]["digest"].split(":")[1])' "$blobs/${mmdg#sha256:}") ||
	fail "containerd: manifest $mmdg of $miner not readable"
rm -f "$blobs/$mlayer"
scan "$work/cd.yaml" "$miner" "$work/containerd-gone"; rc=$?
[ "$rc" = 2 ] && grep -q "layer 1/1 sha256:$mlayer: its blob is not in the content store and no snapshot" "$work/containerd-gone.err" ||
	{ cat "$work/containerd-gone.err"; fail "containerd: missing layer blob: exit $rc, want 2 naming the layer"; }
ok "containerd: a missing layer blob without a snapshot is an error naming the layer"
# discard_unpacked_layers: every layer blob of the unpacked image is gone,
# its snapshots stay (its first layer is the clean image's, removed above)
sdg=$(awk -v n="$snap" '$1 == n { print $3 }' "$work/cd/images")
python3 -c 'import json,sys; [print(l["digest"].split(":")[1]) for l in json.load(open(sys.argv[1]))["layers"]]' \
	"$blobs/${sdg#sha256:}" >"$work/snap-layers" || fail "containerd: manifest $sdg of $snap not readable"
[ "$(wc -l <"$work/snap-layers")" = 2 ] || fail "containerd: $snap has $(wc -l <"$work/snap-layers") layers, want 2"
while read -r l; do rm -f "$blobs/$l"; done <"$work/snap-layers"
scan "$work/cd.yaml" "$snap" "$work/cd-snap"; rc=$?
[ "$rc" = 1 ] || { cat "$work/cd-snap.err"; fail "containerd: $snap from its snapshots: exit $rc (want 1)"; }
grep '"rule":"miner.algo.randomx"' "$work/cd-snap.jsonl" | grep -q '"severity":"\(high\|critical\)"' ||
	{ cat "$work/cd-snap.err"; fail "containerd: RandomX kernel in the snapshot not reported high"; }
[ "$(grep -c 'blob discarded (discard_unpacked_layers); reading its unpacked snapshot .*/io.containerd.snapshotter.v1.overlayfs/snapshots/[0-9]*/fs' "$work/cd-snap.err")" = 2 ] ||
	{ cat "$work/cd-snap.err"; fail "containerd: not both layers read from their snapshots"; }
ok "containerd: layer blobs discarded, both layers read from their overlayfs snapshots, miner high"
# a snapshot directory gone too: an error naming the layer and the directory
sdir=$(grep -o '/[^ ]*/io.containerd.snapshotter.v1.overlayfs/snapshots/[0-9]*/fs' "$work/cd-snap.err" | tail -1)
rm -rf "$sdir"
scan "$work/cd.yaml" "$snap" "$work/cd-snap-gone"; rc=$?
[ "$rc" = 2 ] && grep -q "layer 2/2 .*$sdir: No such file" "$work/cd-snap-gone.err" ||
	{ cat "$work/cd-snap-gone.err"; fail "containerd: snapshot directory gone: exit $rc, want 2 naming layer and directory"; }
ok "containerd: a snapshot directory gone is an error naming the layer and the directory"

# ---- Docker: a private dockerd (no networking) fills the store, then stops;
# overlay2 (Docker's default), fuse-overlayfs (rootless and nested setups) and
# vfs, each in its own data root
echo '{}' >"$work/daemon.json"
D() { timeout 120 "$docker" -H "unix://$work/dk.sock" "$@"; }
docker_store() { # DRIVER
	local drv=$1 dk=$work/dk-$1 rc
	dockerd --config-file "$work/daemon.json" --data-root "$dk" --exec-root "$work/dkx" \
		--pidfile "$work/dk.pid" -H "unix://$work/dk.sock" --storage-driver "$drv" \
		--iptables=false --ip6tables=false --bridge=none --ip-forward=false --ip-masq=false \
		>"$work/dk-$drv.log" 2>&1 &
	dk_pid=$!
	wait_for "timeout 5 $docker -H unix://$work/dk.sock version" 60 || { tail -20 "$work/dk-$drv.log"; fail "dockerd ($drv) did not start"; }
	for t in miner clean; do
		D load -q -i "$work/$t.tar" >"$work/dk-load-$t" 2>&1 || { cat "$work/dk-load-$t"; fail "docker load $t ($drv)"; }
	done
	D image inspect "$miner" >/dev/null 2>&1 || { D images; fail "docker ($drv): $miner not loaded"; }
	clean_id=$(D image inspect -f '{{.Id}}' "$clean") || fail "docker ($drv): $clean not loaded"
	stop_daemon "$dk_pid"; dk_pid=""
	cfg "$work/dk.yaml" docker_root "$dk"
	"$HH_BIN" config --check "$work/dk.yaml" >/dev/null || fail "config --check refuses scan.docker_root"
	check_store Docker "$work/dk.yaml"
	grep -q "found in Docker $dk as $drv " "$work/Docker-miner.err" || fail "Docker: not read through the $drv store"
	# the clean image's only layer, by its chain id (= its diff_id) and cache-id
	diff=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rootfs"]["diff_ids"][0].split(":")[1])' \
		"$dk/image/$drv/imagedb/content/sha256/${clean_id#sha256:}") || fail "docker: config of $clean not readable"
	cache=$(cat "$dk/image/$drv/layerdb/sha256/$diff/cache-id") || fail "docker: cache-id of layer $diff missing"
	case $drv in
	overlay2 | fuse-overlayfs) files=$dk/$drv/$cache/diff ;;
	vfs) files=$dk/vfs/dir/$cache ;;
	esac
	tamper Docker "$work/dk.yaml" "$files/bin/busybox"
	ok "Docker: $drv store"
}
docker_store overlay2
# fuse-overlayfs needs /dev/fuse (fuse is built into Debian's kernel; a
# minimal /dev may lack the node)
[ -e /dev/fuse ] || { grep -qw fuse /proc/filesystems && mknod -m 666 /dev/fuse c 10 229; } ||
	fail "no /dev/fuse and no fuse in this kernel: the fuse-overlayfs driver cannot run"
docker_store fuse-overlayfs
docker_store vfs
