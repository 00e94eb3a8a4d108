# Builds every libFuzzer target and runs each over its seed corpus: a parser
# that crashes on its seeds or on the first mutations fails here. The archive
# and packet parsers (issue 17: a pax crash that 60 s of fuzzing from a plain
# tar missed) get a longer run over seeds of every flavour, as does the BoltDB
# reader (containerd's meta.db: page ids and offsets taken from the file);
# the rest a short one.
# Targets build and run one per CPU at a time (they are independent and CPU-bound).
#   HH_FUZZ_SECONDS      seconds per target (default 6)
#   HH_FUZZ_RUNS         runs per target (default 8000; seeds first, then mutations)
#   HH_FUZZ_LONG_SECONDS seconds for the long targets (default 45; at most 60 in CI)
#   HH_FUZZ_ONLY         space-separated target names to run (default: all)
. "$(dirname "$0")/../lib.sh"
need_cmd clang
cd "$HH_ROOT"
jobs=$(nproc 2>/dev/null || echo 2)
make -s -j"$jobs" fuzz >/dev/null 2>&1 || { make fuzz 2>&1 | tail -30; fail "fuzz targets did not build"; }
LONG_TARGETS=" scan_layer pcap boltdb "

# One target over its seeds and mutations; its exit status goes to its .rc file.
run_target() { # name
	local name=$1 bin=build-fuzz/fuzz_$1 corpus=fuzz/corpus/$1 secs runs
	rm -rf "tests/out/fuzz-$name"
	mkdir -p "tests/out/fuzz-$name"
	local args=("tests/out/fuzz-$name")
	[ -d "$corpus" ] && args+=("$corpus")
	secs=${HH_FUZZ_SECONDS:-6} runs=${HH_FUZZ_RUNS:-8000}
	case $LONG_TARGETS in *" $name "*) secs=${HH_FUZZ_LONG_SECONDS:-45} runs=-1 ;; esac
	echo "$secs" >"tests/out/fuzz-$name.secs"
	"$bin" -runs="$runs" -max_total_time="$secs" -max_len=65536 \
		-rss_limit_mb=1024 -artifact_prefix="tests/out/fuzz-$name/" "${args[@]}" >"tests/out/fuzz-$name.log" 2>&1
	echo $? >"tests/out/fuzz-$name.rc"
}

# The targets are independent and CPU-bound: one per CPU at a time, long ones first.
names=()
for n in $LONG_TARGETS; do [ -x "build-fuzz/fuzz_$n" ] && names+=("$n"); done
for bin in build-fuzz/fuzz_*; do
	n=${bin#build-fuzz/fuzz_}
	case $LONG_TARGETS in *" $n "*) ;; *) names+=("$n") ;; esac
done
ran=()
for name in "${names[@]}"; do
	[ -n "${HH_FUZZ_ONLY:-}" ] && case " $HH_FUZZ_ONLY " in *" $name "*) ;; *) continue ;; esac
	rm -f "tests/out/fuzz-$name.rc"
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	run_target "$name" &
	ran+=("$name")
done
wait
for name in "${ran[@]}"; do
	[ "$(cat "tests/out/fuzz-$name.rc" 2>/dev/null)" = 0 ] ||
		{ tail -40 "tests/out/fuzz-$name.log"; fail "fuzz_$name crashed"; }
	ok "fuzz_$name: $(grep -o 'Done [0-9]* runs' "tests/out/fuzz-$name.log" || echo ran) in $(cat "tests/out/fuzz-$name.secs")s at most"
done
[ ${#ran[@]} -gt 0 ] || fail "no fuzz target ran"
