# Builds every libFuzzer target and runs each for a bounded number of inputs
# over its seed corpus: a parser that crashes on the first mutations fails here.
. "$(dirname "$0")/../lib.sh"
need_cmd clang
cd "$HH_ROOT"
make -s fuzz >/dev/null 2>&1 || { make fuzz 2>&1 | tail -30; fail "fuzz targets did not build"; }
for bin in build-fuzz/fuzz_*; do
	name=${bin#build-fuzz/fuzz_}
	corpus=fuzz/corpus/$name
	mkdir -p "tests/out/fuzz-$name"
	args=("tests/out/fuzz-$name")
	[ -d "$corpus" ] && args+=("$corpus")
	"$bin" -runs=${HH_FUZZ_RUNS:-20000} -max_total_time=${HH_FUZZ_SECONDS:-10} -max_len=65536 \
		-rss_limit_mb=1024 -artifact_prefix="tests/out/fuzz-$name/" "${args[@]}" >"tests/out/fuzz-$name.log" 2>&1 ||
		{ tail -40 "tests/out/fuzz-$name.log"; fail "fuzz_$name crashed"; }
	ok "fuzz_$name: $(grep -o 'Done [0-9]* runs' "tests/out/fuzz-$name.log" || echo ran)"
done
