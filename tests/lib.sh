# Shared helpers for integration and real-world tests (bash). Source it.
# A test exits 0 to pass, 77 to skip (print a line starting "SKIP" first), else fails.
set -u
: "${HH_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${HH_BUILD:=$HH_ROOT/build-san}"
: "${HH_BIN:=$HH_BUILD/hashhound}"
: "${HH_FIXTURES:=$HH_ROOT/../shared/fixtures}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}

# Podman flags that work on these machines (see README, "Testing").
PODMAN_RUN=(podman run --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network host)

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
ok() { echo "ok: $*"; }
# A check left out (a tool or a condition missing): the test still passes
# locally, and tests/run names it in its summary as a partial pass; on CI
# (CI=true) it fails, as a skip does.
partial() {
	echo "PARTIAL: $*"
	[ "${CI:-}" = true ] && fail "partial pass on CI: $*"
	[ -n "${HH_PARTIAL_LOG:-}" ] && echo "$*" >>"$HH_PARTIAL_LOG"
	return 0
}
need_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }
need_cmd() { for c in "$@"; do command -v "$c" >/dev/null || skip "needs $c"; done; }
need_fixtures() { # need_fixtures SUBDIR
	[ -d "$HH_FIXTURES/$1" ] || skip "real-world fixtures $HH_FIXTURES/$1 not present"
}
# Waits up to $2 seconds for command $1 (a string) to succeed.
wait_for() {
	local cmd=$1 limit=$2 t=0
	while ! eval "$cmd" >/dev/null 2>&1; do
		sleep 1; t=$((t + 1))
		[ $t -ge "$limit" ] && return 1
	done
	return 0
}
# jq-free JSON checks through python3 when present, else grep.
json_lines_have() { # FILE RULE-SUBSTRING
	grep -q "\"rule\":\"[^\"]*$2" "$1"
}
# Removes containers one by one: podman 4.3's `rm -f A B` removes nothing at
# all when one of the names does not exist.
podman_rm() { local c; for c in "$@"; do podman rm -f -t 0 "$c" >/dev/null 2>&1; done; return 0; }
# An image NAME from scratch holding the files of DIR, committed to podman's
# containers-storage with buildah (no registry is reachable here).
mk_image() { # NAME DIR
	local c
	c=$(buildah from scratch) || fail "buildah from"
	buildah copy --quiet "$c" "$2" / >/dev/null || fail "buildah copy"
	buildah config --cmd /bin/sh "$c"
	buildah commit --quiet --rm "$c" "$1" >/dev/null || fail "buildah commit $1"
}
