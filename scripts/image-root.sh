#!/bin/sh
# Collects the agent image's root file system into a directory, for
# deploy/Containerfile (FROM scratch): the built binary, every shared library
# it loads (its ldd closure, at the same paths, with the dynamic loader), the
# CA bundle (the webhook's HTTPS), the agent configuration and the state
# directory. No base image is pulled: nothing else is in the image.
#   usage: scripts/image-root.sh [BINARY [ROOT]]   (default build/hashhound build/image-root)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/build/hashhound}
root=${2:-$here/build/image-root}
[ -x "$bin" ] || { echo "image-root: $bin is not built (make)" >&2; exit 2; }
command -v ldd >/dev/null || { echo "image-root: ldd not found" >&2; exit 2; }
case "$root" in /|"") echo "image-root: refusing root '$root'" >&2; exit 2 ;; esac
rm -rf "$root"
mkdir -p "$root/usr/bin" "$root/etc/hashhound" "$root/etc/ssl/certs" "$root/var/lib/hashhound" "$root/tmp" \
	"$root/host"
chmod 1777 "$root/tmp"
chmod 0750 "$root/var/lib/hashhound"
install -m 0755 "$bin" "$root/usr/bin/hashhound"

# ldd prints "name => /path (addr)" and "/lib64/ld-linux... (addr)"; a library
# that is not found stops the build (the image would not start).
libs=$(ldd "$bin") || { echo "image-root: ldd $bin failed" >&2; exit 2; }
if printf '%s\n' "$libs" | grep -q "not found"; then
	printf '%s\n' "$libs" | grep "not found" >&2
	exit 2
fi
printf '%s\n' "$libs" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' | sort -u |
while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
# /lib64 and /lib are links to usr/ on merged-/usr hosts: the loader path the
# binary names must exist as written.
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || [ ! -e /lib64/ld-linux-x86-64.so.2 ] || {
	mkdir -p "$root/lib64"; cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"; }

ca=/etc/ssl/certs/ca-certificates.crt
[ -r "$ca" ] && cp -L "$ca" "$root$ca"
install -m 0644 "$here/deploy/config/agent.yaml" "$root/etc/hashhound/hashhound.yaml"
# root only: the agent runs as root with a few capabilities (docs/deploy.md)
printf 'root:x:0:0:root:/:/usr/bin/hashhound\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
echo "image-root: $root ($(du -sh "$root" | cut -f1))"
