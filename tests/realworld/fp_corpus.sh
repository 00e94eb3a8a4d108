#!/usr/bin/env bash
# False-positive corpus: ordinary third-party software never raises a high or
# critical finding, and every medium is one a person reviewed
# (tests/fp_corpus_reviewed.txt: RULE PATH-GLOB REASON).
#   npm      ethers, web3, bitcoinjs-lib, bitcore-lib, wallet-address-validator,
#            three, firebase, monero-javascript (pinned versions, fetched with
#            `npm pack` into tests/cache/fp_corpus, gitignored), laid out as an
#            app's node_modules plus their dist bundles copied into public/vendor
#   Debian   the multiarch /usr/lib (shared libraries), the python3 stdlib and a
#            bounded subset of /usr/share (docs, javascript, ndpi ...): at most
#            HH_FP_MAX_MB (2048) MB in all
#   pcap     the benign captures in $HH_FIXTURES/pcap (benign-*)
# When the npm registry cannot be reached and nothing is cached the test is
# skipped with a line saying so; on CI (CI=true) that is a failure.
# Prints the findings by severity; writes them to tests/out/fp_corpus.summary.
# HH_FP_BIN judges another build (e.g. an older one, for before/after numbers).
. "$(dirname "$0")/../lib.sh"
need_cmd python3 tar
[ -x "$HH_BIN" ] || fail "$HH_BIN not built"
cache=$HH_ROOT/tests/cache/fp_corpus
reviewed=$HH_ROOT/tests/fp_corpus_reviewed.txt
out=$HH_ROOT/tests/out/fp_corpus.$$
corpus=$out/corpus
max_mb=${HH_FP_MAX_MB:-2048}
rm -rf "$out"; mkdir -p "$cache/npm" "$corpus"
trap 'rm -rf "$out"' EXIT
# The content checks are the same in both builds; the sanitized one is 5-10x
# slower, so the corpus uses the release build when it is newer than every
# source file, else the sanitized one over a smaller Debian subset.
bin=$HH_BIN
rel=$HH_ROOT/build/hashhound
if [ -n "${HH_FP_BIN:-}" ]; then # another build to judge (before/after numbers)
	bin=$HH_FP_BIN
elif [ -x "$rel" ] && [ -z "$(find "$HH_ROOT/src" "$HH_ROOT/rules" "$HH_ROOT/config" -newer "$rel" -print -quit)" ]; then
	bin=$rel
elif [ -z "${HH_FP_MAX_MB:-}" ]; then
	max_mb=256
fi
echo "fp-corpus: scanning with $bin (Debian budget $max_mb MB)"

# ---- npm packages ----
pkgs=(ethers@6.17.0 web3@4.16.0 bitcoinjs-lib@7.0.5 bitcore-lib@11.5.1 wallet-address-validator@0.2.4
	three@0.187.0 firebase@13.2.0 monero-javascript@0.8.4)
missing=()
for p in "${pkgs[@]}"; do
	name=${p%@*} ver=${p##*@}
	[ -s "$cache/npm/$name-$ver.tgz" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	reach=0
	command -v npm >/dev/null && timeout 30 npm view ethers@6.17.0 version >/dev/null 2>&1 && reach=1
	if [ $reach = 0 ]; then
		[ "${CI:-}" = true ] && fail "npm registry unreachable on CI (needed: ${missing[*]})"
		skip "npm registry unreachable (or no npm) and ${#missing[@]} package(s) not cached in $cache/npm: fp corpus not run"
	fi
	(cd "$cache/npm" && timeout 300 npm pack --silent "${missing[@]}" >/dev/null) || fail "npm pack ${missing[*]} failed"
fi
app=$corpus/app
mkdir -p "$app/public/vendor"
for p in "${pkgs[@]}"; do
	name=${p%@*} ver=${p##*@}
	mkdir -p "$app/node_modules/$name"
	tar -xzf "$cache/npm/$name-$ver.tgz" -C "$app/node_modules/$name" --strip-components=1 ||
		fail "cannot unpack $cache/npm/$name-$ver.tgz"
done
# dist bundles as an app serves them, outside node_modules
for f in web3/dist/web3.min.js ethers/dist/ethers.umd.min.js three/build/three.module.min.js \
	firebase/firebase-app.js firebase/firebase-firestore.js bitcore-lib/bitcore-lib.min.js; do
	[ -f "$app/node_modules/$f" ] && cp "$app/node_modules/$f" "$app/public/vendor/"
done
targets=("$app")

# ---- Debian: multiarch /usr/lib, python3 stdlib, a bounded /usr/share ----
budget=$max_mb
add_target() { # DIR: added when it exists and fits the budget
	[ -d "$1" ] || [ -f "$1" ] || return 0
	local mb
	mb=$(du -sm "$1" 2>/dev/null | cut -f1)
	[ -n "$mb" ] && [ "$mb" -le "$budget" ] || return 0
	budget=$((budget - mb))
	targets+=("$1")
}
[ -f /usr/share/ndpi/ndpiCustomCategory.txt ] ||
	echo "fp-corpus: /usr/share/ndpi/ndpiCustomCategory.txt absent (libndpi-bin, scripts/deps.sh): the domain-list case is not run"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
add_target "/usr/lib/$multiarch"
for py in /usr/lib/python3.[0-9]*; do add_target "$py"; done
add_target /usr/lib/python3
for d in /usr/share/ndpi /usr/share/doc /usr/share/javascript /usr/share/perl /usr/share/perl5 \
	/usr/share/man /usr/share/vim /usr/share/java /usr/share/nodejs /usr/share/wireshark /usr/share/misc \
	/usr/share/common-licenses /usr/share/zoneinfo /usr/share/i18n /usr/share/cmake-*; do
	add_target "$d"
done
echo "fp-corpus: ${#targets[@]} target(s), $((max_mb - budget)) MB of Debian files besides the npm app"

# ---- scan every target, then the benign captures ----
t0=$SECONDS
i=0
for t in "${targets[@]}"; do
	"$bin" scan -q -f json --fail-on critical "$t" >"$out/scan.$i.json" 2>"$out/scan.$i.err"
	rc=$?
	[ $rc -le 2 ] || { cat "$out/scan.$i.err"; fail "scan $t: exit $rc"; }
	[ $rc = 2 ] && echo "fp-corpus: $t: input errors (scan goes on): $(grep -c . "$out/scan.$i.err") line(s)"
	echo "$t" >"$out/scan.$i.target"
	i=$((i + 1))
done
if [ -d "$HH_FIXTURES/pcap" ]; then
	for cap in "$HH_FIXTURES"/pcap/benign-*; do
		[ -f "$cap" ] || continue
		"$HH_BIN" pcap -q -f json --fail-on critical "$cap" >"$out/scan.$i.json" 2>"$out/scan.$i.err"
		rc=$?
		[ $rc -le 1 ] || { cat "$out/scan.$i.err"; fail "pcap $cap: exit $rc"; }
		echo "$cap" >"$out/scan.$i.target"
		i=$((i + 1))
	done
else
	echo "fp-corpus: $HH_FIXTURES/pcap not present: benign captures not run"
fi
echo "fp-corpus: scanned in $((SECONDS - t0)) s"

# ---- the budget ----
python3 - "$out" "$reviewed" "$HH_ROOT/tests/out/fp_corpus.summary" "$corpus" <<'PY'
import collections, fnmatch, glob, json, os, sys
out, reviewed_path, summary_path, corpus = sys.argv[1:5]
reviewed = []
for n, line in enumerate(open(reviewed_path), 1):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    parts = line.split(None, 2)
    if len(parts) < 3:
        sys.exit("%s:%d: want 'RULE PATH-GLOB REASON'" % (reviewed_path, n))
    reviewed.append((parts[0], parts[1], parts[2], n))
sev = collections.Counter()
by_rule = collections.Counter()
bad, unreviewed, used = [], [], set()
for jf in sorted(glob.glob(os.path.join(out, "scan.*.json"))):
    target = open(jf[:-5] + ".target").read().strip()
    for line in open(jf):
        f = json.loads(line)
        p = f["fields"].get("file.path")
        path = os.path.join(target, p) if p else target
        if path.startswith(corpus + "/"):
            path = path[len(corpus) + 1:]
        s = f["severity"]
        sev[s] += 1
        by_rule[(s, f["rule"])] += 1
        ev = {e["what"]: e["value"] for e in f["evidence"]}
        why = ev.get("severity", "")
        if s in ("high", "critical"):
            bad.append("%s %s %s %s" % (s, f["rule"], path, why))
        elif s == "medium":
            hit = [r for r in reviewed if fnmatch.fnmatch(f["rule"], r[0]) and fnmatch.fnmatch(path, r[1])]
            if hit:
                used.add(hit[0][3])
            else:
                unreviewed.append("medium %s %s %s" % (f["rule"], path, why))
order = ["critical", "high", "medium", "low", "info"]
summary = "findings by severity: " + ", ".join("%s %d" % (k, sev[k]) for k in order)
lines = [summary] + ["  %-8s %-32s %d" % (s, r, c) for (s, r), c in sorted(by_rule.items(), key=lambda x: (order.index(x[0][0]), x[0][1]))]
open(summary_path, "w").write("\n".join(lines) + "\n")
print("fp-corpus: " + "\n".join(lines))
for r in reviewed:
    if r[3] not in used:
        print("fp-corpus: note: %s:%d (%s %s) matched nothing" % (reviewed_path, r[3], r[0], r[1]))
for b in bad[:40]:
    print("FAIL: " + b)
for u in unreviewed[:40]:
    print("UNREVIEWED: " + u)
if bad or unreviewed:
    print("FAIL: %d high/critical (budget 0), %d medium not in %s" % (len(bad), len(unreviewed), reviewed_path))
    sys.exit(1)
PY
[ $? = 0 ] || exit 1
ok "fp corpus: no high or critical, every medium reviewed"
