# DNS rebinding guard on the HTTP endpoints (issue 17): `hashhound serve` on
# loopback answers requests whose Host names the listen address, 127.0.0.1,
# localhost or [::1] at its port, and 421 for any other Host (a rebinding
# name, the wrong port); sinks.http.allowed_hosts adds names.
. "$(dirname "$0")/../lib.sh"
need_cmd curl
work=$(mktemp -d /tmp/hh-http-host.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
start() { # CONFIG-OR-EMPTY
	local args=(serve --store "$work/f.db" --listen 127.0.0.1:0)
	[ -n "$1" ] && args+=(--config "$1")
	: >"$work/serve.out"
	"$HH_BIN" "${args[@]}" >"$work/serve.out" 2>"$work/serve.err" &
	pid=$!
	wait_for "grep -q listening '$work/serve.out'" 20 || fail "serve did not start: $(cat "$work/serve.err")"
	port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$work/serve.out")
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null; pid=; }
code() { # HOST-HEADER PATH: the status for a request to our port with that Host
	curl -s -o "$work/body" -w '%{http_code}' -H "Host: $1" "http://127.0.0.1:$port$2"
}
start ""
for h in "127.0.0.1:$port" "localhost:$port" "LOCALHOST:$port" "[::1]:$port"; do
	c=$(code "$h" /api/summary)
	[ "$c" = 200 ] || fail "Host $h: status $c, want 200"
done
ok "loopback names at the bound port: 200"
for h in "attacker.example:$port" "attacker.example" "127.0.0.1:1" "localhost" "localhost.attacker.example:$port" "10.1.2.3:$port"; do
	for path in /api/findings /api/summary /metrics /; do
		c=$(code "$h" "$path")
		[ "$c" = 421 ] || fail "Host $h $path: status $c, want 421"
	done
done
grep -q "sinks.http.allowed_hosts" "$work/body" || fail "421 body does not say how to allow a host: $(cat "$work/body")"
ok "rebinding names, wrong ports, other addresses: 421 with a clear body"
stop
printf 'sinks:\n  http:\n    allowed_hosts: ["dash.internal", "Other.Example:8080"]\n' >"$work/cfg.yaml"
start "$work/cfg.yaml"
[ "$(code "dash.internal:$port" /api/summary)" = 200 ] || fail "allowed name refused"
[ "$(code "other.example:8080" /api/summary)" = 200 ] || fail "allowed name:port refused"
[ "$(code "other.example:$port" /api/summary)" = 421 ] || fail "name:port entry matched another port"
[ "$(code "attacker.example:$port" /api/summary)" = 421 ] || fail "unlisted name accepted with allowed_hosts set"
[ "$(code "127.0.0.1:$port" /api/summary)" = 200 ] || fail "loopback refused with allowed_hosts set"
ok "sinks.http.allowed_hosts adds names"
stop
