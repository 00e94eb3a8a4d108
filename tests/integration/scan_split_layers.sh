#!/usr/bin/env bash
# Payloads split across layers, in a real image built with buildah: the
# simulator miner (every miner string replaced) base64-encoded and cut in
# two, the halves added in layers 1 and 2 under innocent names, and a
# dropper script in layer 3 that joins and decodes them
# (cat A B | base64 -d > /tmp/.k; exec /tmp/.k). A second miner, gzipped,
# sits in layer 1 and a cron file in layer 3 unpacks it (zcat). The image's
# Cmd rebuilds a third payload through a symlinked directory. The scanner
# must replay each plan on the merged filesystem and report the rebuilt
# miner high, naming the parts and their layers. Benign look-alikes: a
# script joining two text files, and a plan whose part a later layer deleted
# (whiteout): neither gets a finding.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd buildah podman python3 base64 gzip
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$HH_BIN" ] || fail "$HH_BIN not built"
minersim=$HH_ROOT/build/hh-minersim
[ -x "$minersim" ] || minersim=$HH_BUILD/hh-minersim
[ -x "$minersim" ] || fail "hh-minersim not built (make tools)"

img=localhost/hhscan-split:test
work=$(mktemp -d /tmp/hhscan-split.XXXXXX)
ctrs=()
cleanup() {
	for c in "${ctrs[@]}"; do buildah rm "$c" >/dev/null 2>&1; done
	for t in l1 l2 l3 test; do podman rmi -f "localhost/hhscan-split:$t" >/dev/null 2>&1; done
	rm -rf "$work"
}
trap cleanup EXIT
[ -n "${HH_SCAN_KEEP:-}" ] && trap "" EXIT

n=$(python3 "$here/scan/replace_miner_strings.py" "$minersim" "$work/miner") || fail "replace_miner_strings"
[ "$n" -gt 100 ] || fail "only $n miner strings replaced"
strip --strip-all "$work/miner" 2>/dev/null || true
base64 -w 76 "$work/miner" >"$work/miner.b64"
lines=$(wc -l <"$work/miner.b64")
mkdir -p "$work/l1/opt/.cache" "$work/l1/srv" "$work/l1/etc" "$work/l1/usr/share/.d" \
	"$work/l2/var/lib" "$work/l3/usr/local/bin" "$work/l3/etc/cron.d"
head -n $((lines / 2)) "$work/miner.b64" >"$work/l1/opt/.cache/fonts.dat"
tail -n +$((lines / 2 + 1)) "$work/miner.b64" >"$work/l2/var/lib/.journal"
gzip -9 -n -c "$work/miner" >"$work/l1/srv/.blob"
base64 "$work/miner" >"$work/l1/usr/share/.d/p"
cp "$work/l1/usr/share/.d/p" "$work/l1/opt/.cache/gone.dat"
printf 'NAME=demo\n' >"$work/l1/etc/os-release"
printf 'demo-host\n' >"$work/l1/etc/hostname"
cat >"$work/l3/usr/local/bin/start.sh" <<'EOF'
#!/bin/sh
# warm the font cache
cat /opt/.cache/fonts.dat /var/lib/.journal | base64 -d > /tmp/.k && chmod +x /tmp/.k
exec /tmp/.k
EOF
cat >"$work/l3/etc/cron.d/update" <<'EOF'
*/5 * * * * root zcat /srv/.blob > /dev/shm/.u; chmod +x /dev/shm/.u; /dev/shm/.u
EOF
cat >"$work/l3/usr/local/bin/info.sh" <<'EOF'
#!/bin/sh
cat /etc/os-release /etc/hostname > /tmp/info.txt
EOF
cat >"$work/l3/usr/local/bin/old.sh" <<'EOF'
#!/bin/sh
base64 -d /opt/.cache/gone.dat > /tmp/.o; /tmp/.o
EOF
chmod +x "$work/l3/usr/local/bin/"*.sh

c=$(buildah from scratch) && ctrs+=("$c") || fail "buildah from"
buildah copy --quiet "$c" "$work/l1" / >/dev/null || fail "copy l1"
buildah commit --quiet "$c" localhost/hhscan-split:l1 >/dev/null || fail "commit l1"
c=$(buildah from localhost/hhscan-split:l1) && ctrs+=("$c") || fail "buildah from l1"
buildah copy --quiet "$c" "$work/l2" / >/dev/null || fail "copy l2"
buildah commit --quiet "$c" localhost/hhscan-split:l2 >/dev/null || fail "commit l2"
c=$(buildah from localhost/hhscan-split:l2) && ctrs+=("$c") || fail "buildah from l2"
buildah copy --quiet "$c" "$work/l3" / >/dev/null || fail "copy l3"
mnt=$(buildah mount "$c") || fail "buildah mount"
rm -f "$mnt/opt/.cache/gone.dat"    # whiteout in layer 3: old.sh's part is gone from the merged view
ln -s usr/share/.d "$mnt/data"      # the Cmd reaches its part through this symlink
buildah umount "$c" >/dev/null
buildah config --cmd 'base64 -d /data/p > /tmp/.c; /tmp/.c' "$c"
buildah commit --quiet "$c" "$img" >/dev/null || fail "commit"
podman save --quiet --format oci-archive -o "$work/img.tar" "$img" || fail "podman save"

out=$work/out.jsonl
"$HH_BIN" scan -q --format json --fail-on high "$work/img.tar" >"$out" 2>"$work/err.txt"
rc=$?
[ "$rc" = 1 ] || { cat "$work/err.txt"; fail "scan exit $rc (want 1: high findings)"; }

sev_of() { # RULE PATH-SUFFIX: severity of the first such finding, "" if none
	python3 - "$out" "$1" "$2" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    f = json.loads(l)
    if f["rule"] == sys.argv[2] and f["fields"].get("file.path", "").endswith(sys.argv[3]):
        print(f["severity"]); break
PY
}
field_of() { # RULE PATH-SUFFIX JQ-ISH: evidence value by name
	python3 - "$out" "$1" "$2" "$3" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    f = json.loads(l)
    if f["rule"] == sys.argv[2] and f["fields"].get("file.path", "").endswith(sys.argv[3]):
        for e in f.get("evidence", []):
            if e["what"] == sys.argv[4]:
                print(e["value"]); sys.exit()
PY
}
high() { case "$1" in high|critical) return 0 ;; esac; return 1; }

s=$(sev_of scan.split-payload "usr/local/bin/start.sh")
high "$s" || { cat "$out"; fail "start.sh: scan.split-payload is '$s', want high"; }
parts=$(field_of scan.split-payload "usr/local/bin/start.sh" split.parts)
case "$parts" in
*"opt/.cache/fonts.dat (layer 0)"*"var/lib/.journal (layer 1)"*) ok "start.sh: $s, parts $parts" ;;
*) fail "start.sh: parts evidence '$parts'" ;;
esac
grep -q '"file.path":"layer-[0-9a-f]*/usr/local/bin/start.sh!/split-payload"' "$out" ||
	fail "no content finding on the rebuilt payload of start.sh"
python3 - "$out" <<'PY' || fail "the rebuilt payload's content findings are not high"
import json, sys
hits = [json.loads(l) for l in open(sys.argv[1])]
inner = [f for f in hits if f["fields"].get("file.path", "").endswith("start.sh!/split-payload")
         and f["rule"] != "scan.split-payload"]
assert any(f["severity"] in ("high", "critical") for f in inner), inner
PY
ok "rebuilt payload content: $(grep -o '"rule":"[^"]*","title":"[^"]*"' "$out" | grep -c .) findings in all"

s=$(sev_of scan.split-payload "etc/cron.d/update")
high "$s" || fail "cron zcat: scan.split-payload is '$s', want high"
ok "cron.d/update (zcat /srv/.blob): $s"

s=$(sev_of scan.split-payload "")
cfg=$(python3 - "$out" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    f = json.loads(l)
    if f["rule"] == "scan.split-payload" and "usr/share/.d/p" in json.dumps(f["evidence"]):
        print(f["severity"]); break
PY
)
high "$cfg" || fail "image Cmd through the /data symlink: '$cfg', want high"
ok "image Cmd (base64 -d /data/p, /data -> usr/share/.d): $cfg"

[ -z "$(sev_of scan.split-payload "usr/local/bin/info.sh")" ] || fail "benign info.sh got scan.split-payload"
[ -z "$(sev_of scan.split-payload "usr/local/bin/old.sh")" ] || fail "old.sh's part was deleted, yet it got scan.split-payload"
ok "benign join and the whited-out part: no finding"
exit 0
