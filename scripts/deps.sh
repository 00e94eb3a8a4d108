#!/bin/sh
# Installs what hashhound needs to build, run and test on Debian 12 (bookworm).
# One package per line so modules can add theirs without touching others.
# yara and clamav serve bench/scan.sh only: clamscan runs with our own YARA
# rules (-d rules.yar); no freshclam signature database is downloaded or used.
# containerd and docker.io serve tests/integration/scan_image_stores.sh, which
# runs private daemons of its own (own roots and sockets); the system services
# are left stopped and disabled so that Docker's iptables rules (FORWARD policy
# DROP) never get in the way of podman's networks.
set -eu
[ "$(id -u)" = 0 ] || { echo "deps.sh: run as root (apt-get)" >&2; exit 2; }
PKGS="
build-essential
pkg-config
clang
llvm
bpftool
libbpf-dev
libelf-dev
zlib1g-dev
libjansson-dev
libyaml-dev
libpcap-dev
libsqlite3-dev
libssl-dev
libarchive-dev
libisal-dev
libzstd-dev
libyara-dev
libsodium23
makeself
docker-registry
python3-cryptography
libcurl4-openssl-dev
libmicrohttpd-dev
libnats-dev
nats-server
sqlite3
libcmocka-dev
libclang-rt-14-dev
podman
buildah
containerd
docker.io
runc
conmon
fuse-overlayfs
uidmap
slirp4netns
iptables
busybox-static
yara
clamav
stress-ng
iperf3
golang-go
xz-utils
openssl
tcpdump
procps
auditd
bpftrace
gdb
python3
yamllint
jq
time
curl
prometheus
prometheus-alertmanager
chromium
libndpi-bin
tshark
libxml2-utils
"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	export DEBIAN_FRONTEND=noninteractive
	# tshark (bench/pcap.sh) asks whether to install dumpcap setuid: no.
	echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
	log=$(mktemp)
	# Two tries: a mirror hiccup should not fail a CI run.
	for try in 1 2; do
		# shellcheck disable=SC2086
		if apt-get update -qq >"$log" 2>&1 &&
			apt-get install -y -qq --no-install-recommends $missing >>"$log" 2>&1; then
			break
		fi
		if [ "$try" = 2 ]; then
			tail -30 "$log" >&2
			echo "deps.sh: apt-get could not install:$missing" >&2
			exit 1
		fi
		sleep 5
	done
	rm -f "$log"
fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	systemctl disable --now docker.socket docker.service containerd.service >/dev/null 2>&1 || true
fi
# npm (tests/realworld/fp_corpus.sh fetches real npm packages) comes with the
# machine's Node.js, not from Debian: Debian's npm conflicts with that nodejs.
command -v npm >/dev/null 2>&1 || echo "deps.sh: npm not found; the fp_corpus real-world test needs it" >&2
# tracefs for eBPF tracepoints and perf events.
mountpoint -q /sys/kernel/tracing 2>/dev/null || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
echo "deps: ok"
