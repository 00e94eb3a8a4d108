#!/usr/bin/env bash
# Miners without strings and wrapped miners in a real image (buildah, scratch):
# the simulator miner with every miner string replaced by a same-length
# stand-in (as an attacker does), a stringless RandomX-shaped kernel
# (hh-rxsim), and the stripped miner gzexe'd, makeself'd, base64-embedded in a
# shell script (heredoc and one-liner), hidden in a data file and appended to
# an ELF as a self-extracting tar.gz. Benign look-alikes in the same image:
# OpenSSL, libsodium, Python, a Go binary (prometheus), a wallet library
# (Keccak + base58 address checks) and a gzexe'd benign binary. Miners must be
# reported high, benign files below high.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd buildah podman gcc python3 gzexe base64 tar
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$HH_BIN" ] || fail "$HH_BIN not built"
minersim=$HH_ROOT/build/hh-minersim
rxsim=$HH_ROOT/build/hh-rxsim
[ -x "$minersim" ] || minersim=$HH_BUILD/hh-minersim
[ -x "$rxsim" ] || rxsim=$HH_BUILD/hh-rxsim
[ -x "$minersim" ] && [ -x "$rxsim" ] || fail "hh-minersim / hh-rxsim not built (make tools)"
python_bin=$(readlink -f /usr/bin/python3)
for f in /usr/lib/x86_64-linux-gnu/libcrypto.so.3 /usr/lib/x86_64-linux-gnu/libsodium.so.23 "$python_bin" /usr/bin/prometheus; do
	[ -r "$f" ] || skip "needs $f (scripts/deps.sh)"
done

img=localhost/hh-scanner-wrapped:test
work=$(mktemp -d /tmp/hh-scanner-wrap.XXXXXX)
ctr=""
cleanup() {
	[ -n "$ctr" ] && buildah rm "$ctr" >/dev/null 2>&1
	podman rmi -f "$img" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
[ -n "${HH_SCAN_KEEP:-}" ] && trap "" EXIT

m=$work/root/opt/m b=$work/root/opt/b
mkdir -p "$m" "$b" "$work/pl"
# ---- miners
n=$(python3 "$here/scan/replace_miner_strings.py" "$minersim" "$m/kthreadd") || fail "replace_miner_strings"
strip --strip-all "$m/kthreadd" 2>/dev/null || true
chmod +x "$m/kthreadd"
[ "$n" -gt 100 ] || fail "only $n miner strings replaced"
cp "$rxsim" "$m/rxw" && strip --strip-all "$m/rxw"
cp "$m/kthreadd" "$work/kgz" && (cd "$work" && gzexe kgz >/dev/null 2>&1) && cp "$work/kgz" "$m/kgz" || fail "gzexe"
cp "$m/kthreadd" "$work/pl/worker"
if command -v makeself >/dev/null; then
	makeself --quiet "$work/pl" "$m/setup.run" "tools" ./worker >/dev/null 2>&1 || fail "makeself"
else
	echo "note: makeself not installed (scripts/deps.sh): makeself case not run"
fi
{ echo '#!/bin/sh'; echo "base64 -d > /tmp/.w <<'EOF'"; base64 "$m/kthreadd"; echo 'EOF'; echo 'chmod +x /tmp/.w; exec /tmp/.w'; } >"$m/boot.sh"
{ echo '#!/bin/sh'; printf "echo '%s' | base64 -d > /tmp/.x && sh -c /tmp/.x\n" "$(base64 -w0 "$m/kthreadd")"; } >"$m/one.sh"
{ head -c 40000 /dev/urandom; cat "$m/kthreadd"; } >"$m/cache.dat"
cp "$m/kthreadd" "$work/sfx" && (cd "$work/pl" && tar czf - .) >>"$work/sfx" && cp "$work/sfx" "$m/update" || fail "sfx"
if command -v upx >/dev/null; then
	cp "$m/kthreadd" "$m/kupx" && upx -q "$m/kupx" >/dev/null || fail "upx"
else
	echo "note: upx not installed (not in Debian 12): UPX case not run"
fi
# ---- benign look-alikes
cp /usr/lib/x86_64-linux-gnu/libcrypto.so.3 /usr/lib/x86_64-linux-gnu/libsodium.so.23 "$b/"
cp "$python_bin" "$b/python3"
cp /usr/bin/prometheus "$b/prometheus"
gcc -shared -fPIC -O2 -std=c17 -D_GNU_SOURCE -I"$HH_ROOT/src" -o "$b/libwalletsdk.so" \
	"$HH_ROOT/src/detectors/indicators/keccak.c" "$HH_ROOT/src/detectors/indicators/wallet.c" || fail "wallet library"
cp "$b/python3" "$work/pygz" && (cd "$work" && gzexe pygz >/dev/null 2>&1) && cp "$work/pygz" "$b/pygz" || fail "gzexe benign"

ctr=$(buildah from scratch) || fail "buildah from"
buildah copy --quiet "$ctr" "$work/root" / >/dev/null || fail "buildah copy"
buildah commit --quiet "$ctr" "$img" >/dev/null || fail "buildah commit"
buildah rm "$ctr" >/dev/null 2>&1
ctr=""
podman save --quiet --format docker-archive -o "$work/img.tar" "$img" || fail "podman save"

out=$work/out.jsonl
"$HH_BIN" scan -q --format json --fail-on high "$work/img.tar" >"$out" 2>"$work/err.txt"
rc=$?
[ "$rc" = 1 ] || { cat "$work/err.txt"; fail "scan exit $rc (want 1: high findings)"; }

# Highest severity per file (the wrapper file, whatever was unwrapped from it).
python3 - "$out" "$m" <<'PY' >"$work/sev.txt" || fail "summary"
import json, sys
rank = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
best = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    p = d["fields"].get("file.path", "")
    p = p.split("/", 1)[1] if p.startswith("layer-") else p
    top = p.split("!/")[0]
    cur = best.get(top, ("info", ""))
    if rank[d["severity"]] >= rank[cur[0]]:
        best[top] = (d["severity"], d["rule"])
for k, v in sorted(best.items()):
    print(k, v[0], v[1])
PY
cat "$work/sev.txt"
sev_of() { awk -v p="$1" '$1 == p { print $2 }' "$work/sev.txt"; }
for f in kthreadd rxw kgz boot.sh one.sh cache.dat update $( [ -e "$m/setup.run" ] && echo setup.run ) $( [ -e "$m/kupx" ] && echo kupx ); do
	s=$(sev_of "opt/m/$f")
	[ "$s" = high ] || [ "$s" = critical ] || fail "miner /opt/m/$f: ${s:-no finding} (want high)"
done
ok "stringless and wrapped miners reported high"
has_rule() { grep "\"rule\":\"$1\"" "$out" | grep -q "\"file.path\":\"layer-[0-9a-f]*/$2\""; }
has_rule miner.algo.cryptonight opt/m/kthreadd || fail "stripped miner not found by its algorithm"
if grep '"file.path":"layer-[0-9a-f]*/opt/m/kthreadd"' "$out" | grep -q '"rule":"miner.exe\.'; then
	fail "string rules still match the stripped miner (replacement incomplete)"
fi
has_rule miner.algo.randomx opt/m/rxw || fail "RandomX kernel not found by its constants"
grep -q 'opt/m/kgz!/gzexe-payload' "$out" || fail "gzexe payload not unwrapped"
grep -q 'opt/m/boot.sh!/base64-payload' "$out" || fail "base64 payload not unwrapped"
grep -q 'opt/m/update!/elf-overlay-payload' "$out" || fail "self-extracting overlay not unwrapped"
ok "payloads unwrapped: gzexe, base64, overlay, carved"
for f in libcrypto.so.3 libsodium.so.23 python3 prometheus libwalletsdk.so pygz; do
	s=$(sev_of "opt/b/$f")
	case "$s" in high | critical) fail "benign /opt/b/$f reported $s";; esac
done
ok "benign look-alikes (OpenSSL, libsodium, Python, Go, wallet library, gzexe'd Python) below high"
