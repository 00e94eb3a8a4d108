#!/usr/bin/env bash
# Issue 17: a command line over 256 KiB gave no finding (the procfs reader
# returned nothing, the exec event carries ~1 KiB). A real container runs
# `sh -c 'sleep 60'` with ~600 KiB of padding arguments and a stratum URL and
# wallet at the very end; the agent must report miner indicators naming the
# URL, and mark the command line as cut.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd podman python3 timeout
[ -x "$HH_BIN" ] || fail "$HH_BIN not built (make SAN=1)"
out=$HH_ROOT/tests/out/agent_long_cmdline.$$
mkdir -p "$out"
tag=hh-harden-longcmd-$$
agent_pid=""
cleanup() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null
	wait 2>/dev/null
	podman_rm "$tag"
}
trap cleanup EXIT

"$HH_BIN" agent --interval 2 --findings-file "$out/findings.jsonl" --store '' --listen '' \
	>"$out/stdout.jsonl" 2>"$out/stderr.log" &
agent_pid=$!
wait_for "grep -q 'interval:' '$out/stderr.log'" 30 || { cat "$out/stderr.log"; fail "agent did not start"; }

pad=$(python3 -c 'print("p" * 4095)')
args=()
for _ in $(seq 150); do args+=("$pad"); done
wallet=44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A
"${PODMAN_RUN[@]}" -d --name "$tag" --rootfs /:O sh -c 'sleep 60' sh "${args[@]}" \
	"--url=stratum+tcp://pool.supportxmr.com:3333" "--user=$wallet" >"$out/cid" || fail "podman run failed"
cid=$(cat "$out/cid")
echo "container ${cid:0:12}: $(( ${#pad} * 150 / 1024 )) KiB of padding, then the stratum URL"
wait_for "grep '\"rule\":\"miner.process-indicators\"' '$out/findings.jsonl' | grep -q '$cid'" 60 ||
	{ tail -20 "$out/stderr.log"; fail "no miner.process-indicators finding for the long command line"; }
f=$(grep '"rule":"miner.process-indicators"' "$out/findings.jsonl" | grep "$cid" | head -1)
echo "$f" | grep -q 'stratum+tcp://pool.supportxmr.com:3333' || fail "finding does not name the URL: ${f:0:400}"
echo "$f" | grep -q 'bytes cut\]' || fail "finding does not show the cut: ${f:0:400}"
ok "long command line: URL after $(( ${#pad} * 150 / 1024 )) KiB found, cut marked"
kill "$agent_pid"
wait "$agent_pid"
rc=$?
agent_pid=""
[ $rc -eq 0 ] || fail "agent exit $rc after SIGTERM"
