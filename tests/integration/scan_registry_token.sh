#!/usr/bin/env bash
# hashhound scan REGISTRY/NAME:TAG against Debian's docker-registry with
# Bearer-token auth (`auth: token:` in its config), as Docker Hub, GHCR,
# Harbor and Quay do it: the registry answers 401 with
# `WWW-Authenticate: Bearer realm=...,service=...,scope=...`, the client asks
# the realm for a token with its Basic credentials and retries with it. The
# realm is a small token issuer of this test (scan/token_issuer.py, RS256 JWT
# signed with a key whose certificate the registry trusts), on loopback.
# Checked: without credentials and with a wrong password the scan fails with
# exit 2 naming the token request; with credentials from REGISTRY_AUTH_FILE
# the miner in the image is found, and the issuer saw the pull scope for the
# repository with the user's credentials. The image is pushed while the
# registry runs without auth, then the registry is restarted with token auth
# on the same storage.
. "$(dirname "$0")/../lib.sh"
need_root
need_cmd buildah podman python3 curl openssl
command -v docker-registry >/dev/null || skip "needs docker-registry (scripts/deps.sh)"
python3 -c 'import cryptography' 2>/dev/null || skip "needs python3-cryptography (scripts/deps.sh)"
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$HH_BIN" ] || fail "$HH_BIN not built"
rxsim=$HH_ROOT/build/hh-rxsim
[ -x "$rxsim" ] || rxsim=$HH_BUILD/hh-rxsim
[ -x "$rxsim" ] || fail "hh-rxsim not built (make tools)"

img=localhost/hhscan-token-$$:test
work=$(mktemp -d /tmp/hhscan-token.XXXXXX)
reg_pid="" iss_pid=""
stop_registry() { [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null && wait "$reg_pid" 2>/dev/null; reg_pid=""; }
cleanup() {
	stop_registry
	[ -n "$iss_pid" ] && kill "$iss_pid" 2>/dev/null && wait "$iss_pid" 2>/dev/null
	podman rmi -f "$img" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

free_port() { # a free loopback port in 38000-38999
	python3 - <<'PY'
import random, socket
for _ in range(200):
    p = random.randint(38000, 38999)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
PY
}
wait_code() { # URL CODE: waits until URL answers CODE
	local code=""
	for _ in $(seq 50); do
		code=$(curl -s -o /dev/null -w '%{http_code}' "$1" 2>/dev/null)
		[ "$code" = "$2" ] && return 0
		sleep 0.2
	done
	return 1
}

# ---- the image: a RandomX-shaped kernel without miner strings
mkdir -p "$work/root/usr/bin"
cp "$rxsim" "$work/root/usr/bin/kswapd" && strip --strip-all "$work/root/usr/bin/kswapd"
c=$(buildah from scratch) || fail "buildah from"
buildah copy --quiet "$c" "$work/root" / >/dev/null || { buildah rm "$c" >/dev/null 2>&1; fail "buildah copy"; }
buildah commit --quiet --rm "$c" "$img" >/dev/null || fail "buildah commit"

# ---- push while the registry runs without auth
rport=$(free_port) iport=$(free_port)
[ -n "$rport" ] && [ -n "$iport" ] && [ "$rport" != "$iport" ] || skip "no free port in 38000-38999"
R=127.0.0.1:$rport
base_cfg() {
	cat <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/reg
http:
  addr: $R
YML
}
base_cfg >"$work/open.yml"
docker-registry serve "$work/open.yml" >"$work/registry.log" 2>&1 &
reg_pid=$!
wait_code "http://$R/v2/" 200 || { cat "$work/registry.log"; fail "registry did not start on $R"; }
podman push --quiet --tls-verify=false "$img" "docker://$R/hhscan/miner:1" >/dev/null 2>&1 || fail "podman push"
stop_registry

# ---- token issuer and the registry with token auth
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
	-subj "/CN=hhscan-issuer" >/dev/null 2>&1 || fail "openssl req"
python3 "$here/scan/token_issuer.py" "$iport" "$work/key.pem" hhscan-issuer hhscan-registry hh hhpass \
	"$work/issuer.log" >"$work/issuer.out" 2>&1 &
iss_pid=$!
wait_code "http://127.0.0.1:$iport/token" 401 || { cat "$work/issuer.out"; fail "token issuer did not start"; }
{
	base_cfg
	cat <<YML
auth:
  token:
    realm: http://127.0.0.1:$iport/token
    service: hhscan-registry
    issuer: hhscan-issuer
    rootcertbundle: $work/cert.pem
YML
} >"$work/token.yml"
docker-registry serve "$work/token.yml" >"$work/registry.log" 2>&1 &
reg_pid=$!
wait_code "http://$R/v2/" 401 || { cat "$work/registry.log"; fail "registry with token auth did not start"; }
curl -s -D - -o /dev/null "http://$R/v2/hhscan/miner/manifests/1" | grep -qi '^www-authenticate: Bearer realm=' ||
	fail "registry does not challenge with Bearer"
ok "registry on $R challenges with Bearer, realm on port $iport"

# ---- no credentials, wrong password: refused by the issuer, exit 2
export REGISTRY_AUTH_FILE=$work/none.json
"$HH_BIN" scan -q --format json --image-src remote "$R/hhscan/miner:1" >/dev/null 2>"$work/noauth.err"
rc=$?
[ "$rc" = 2 ] || { cat "$work/noauth.err"; fail "no credentials: exit $rc (want 2)"; }
grep -q "token request" "$work/noauth.err" || { cat "$work/noauth.err"; fail "no credentials: no message about the token"; }
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$R" "$(printf 'hh:wrong' | base64 -w0)" >"$work/bad.json"
REGISTRY_AUTH_FILE=$work/bad.json "$HH_BIN" scan -q --format json --image-src remote "$R/hhscan/miner:1" \
	>/dev/null 2>"$work/bad.err"
rc=$?
[ "$rc" = 2 ] || { cat "$work/bad.err"; fail "wrong password: exit $rc (want 2)"; }
ok "without credentials and with a wrong password: exit 2 ($(head -c 120 "$work/bad.err"))"

# ---- with credentials: token, pull, miner found
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$R" "$(printf 'hh:hhpass' | base64 -w0)" >"$work/auth.json"
export REGISTRY_AUTH_FILE=$work/auth.json
"$HH_BIN" scan -q --format json --image-src remote "$R/hhscan/miner:1" >"$work/remote.jsonl" 2>"$work/remote.err"
rc=$?
[ "$rc" = 1 ] || { cat "$work/remote.err" "$work/registry.log"; fail "token scan: exit $rc (want 1)"; }
grep '"rule":"miner.algo.randomx"' "$work/remote.jsonl" | grep -q 'usr/bin/kswapd' ||
	fail "token scan: miner not reported"
grep -q "user=hh scope=repository:hhscan/miner:pull status=200" "$work/issuer.log" ||
	{ cat "$work/issuer.log"; fail "issuer did not grant the pull scope to hh"; }
grep -q "status=401" "$work/issuer.log" || fail "issuer log lacks the refused requests"
ok "token scan: miner found; issuer log: $(paste -sd';' "$work/issuer.log")"
exit 0
