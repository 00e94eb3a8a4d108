#!/bin/sh
# build-image.sh [IMAGE]: builds (or reuses) a tiny scratch image holding
#   /bin/busybox (+ sh, sleep, ps, cat symlinks)  from busybox-static
#   /usr/local/bin/hh-minersim, /usr/local/bin/hh-poolsim  (static builds)
# and prints its name on stdout (default localhost/hh-minersim:latest).
# The sha256 of the three binaries is recorded in the label hh.minersim.sha256;
# an existing image with the same label is reused as is.
# Env: MS_BIN_DIR (default <repo>/build), MS_BUSYBOX (default /bin/busybox).
set -eu
image=${1:-localhost/hh-minersim:latest}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin_dir=${MS_BIN_DIR:-$root/build}
busybox=${MS_BUSYBOX:-/bin/busybox}
miner=$bin_dir/hh-minersim
pool=$bin_dir/hh-poolsim

die() { echo "build-image.sh: $*" >&2; exit 2; }
command -v buildah >/dev/null || die "buildah not installed (scripts/deps.sh)"
command -v podman >/dev/null || die "podman not installed (scripts/deps.sh)"
for f in "$miner" "$pool" "$busybox"; do
	[ -x "$f" ] || die "$f missing (run 'make tools'; busybox-static for busybox)"
	# A scratch image has no loader or shared libraries.
	if LC_ALL=C readelf -l "$f" 2>/dev/null | grep -q 'program interpreter'; then
		die "$f is dynamically linked; the image needs static binaries (make SAN=0 tools)"
	fi
done

# One build at a time: the drill and the tests may ask together.
lock=${TMPDIR:-/tmp}/hh-minersim-image.lock
exec 9>"$lock"
flock -w 300 9 || die "timed out waiting for $lock"

sum=$(cat "$miner" "$pool" "$busybox" | sha256sum | cut -c1-64)
have=$(podman image inspect --format '{{index .Config.Labels "hh.minersim.sha256"}}' "$image" 2>/dev/null || true)
if [ "$have" = "$sum" ]; then
	echo "build-image.sh: reusing $image (binaries unchanged)" >&2
	echo "$image"
	exit 0
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/hh-minersim-root.XXXXXX")
ctr=""
cleanup() {
	[ -n "$ctr" ] && buildah rm "$ctr" >/dev/null 2>&1
	rm -rf "$stage"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$stage/bin" "$stage/usr/local/bin" "$stage/tmp" "$stage/etc"
cp "$busybox" "$stage/bin/busybox"
for app in sh sleep ps cat ls kill; do ln -s busybox "$stage/bin/$app"; done
cp "$miner" "$pool" "$stage/usr/local/bin/"
# Debug info is most of the size; the image does not need it.
command -v strip >/dev/null && strip --strip-all "$stage/usr/local/bin/hh-minersim" "$stage/usr/local/bin/hh-poolsim"
chmod 1777 "$stage/tmp"
echo "root:x:0:0:root:/:/bin/sh" >"$stage/etc/passwd"

ctr=$(buildah from scratch)
buildah copy --quiet "$ctr" "$stage" / >/dev/null
buildah config --label "hh.minersim.sha256=$sum" --label "org.opencontainers.image.title=hh-minersim" \
	--env PATH=/usr/local/bin:/bin --workingdir / \
	--entrypoint '[]' --cmd '["/usr/local/bin/hh-minersim","--help"]' "$ctr"
buildah commit --quiet --rm "$ctr" "$image" >/dev/null
ctr=""
echo "build-image.sh: built $image" >&2
echo "$image"
