# Builds every libFuzzer target and runs each over its seed corpus: a parser
# that crashes on its seeds or on the first mutations fails here. The archive
# and packet parsers (issue 17: a pax crash that 60 s of fuzzing from a plain
# tar missed) get a longer run over seeds of every flavour; the rest a short one.
#   HH_FUZZ_SECONDS      seconds per target (default 6)
#   HH_FUZZ_RUNS         runs per target (default 8000; seeds first, then mutations)
#   HH_FUZZ_LONG_SECONDS seconds for the long targets (default 45; at most 60 in CI)
#   HH_FUZZ_ONLY         space-separated target names to run (default: all)
. "$(dirname "$0")/../lib.sh"
need_cmd clang
cd "$HH_ROOT"
make -s fuzz >/dev/null 2>&1 || { make fuzz 2>&1 | tail -30; fail "fuzz targets did not build"; }
LONG_TARGETS=" scan_layer pcap "
for bin in build-fuzz/fuzz_*; do
	name=${bin#build-fuzz/fuzz_}
	[ -n "${HH_FUZZ_ONLY:-}" ] && case " $HH_FUZZ_ONLY " in *" $name "*) ;; *) continue ;; esac
	corpus=fuzz/corpus/$name
	rm -rf "tests/out/fuzz-$name"
	mkdir -p "tests/out/fuzz-$name"
	args=("tests/out/fuzz-$name")
	[ -d "$corpus" ] && args+=("$corpus")
	secs=${HH_FUZZ_SECONDS:-6} runs=${HH_FUZZ_RUNS:-8000}
	case $LONG_TARGETS in *" $name "*) secs=${HH_FUZZ_LONG_SECONDS:-45} runs=-1 ;; esac
	"$bin" -runs="$runs" -max_total_time="$secs" -max_len=65536 \
		-rss_limit_mb=1024 -artifact_prefix="tests/out/fuzz-$name/" "${args[@]}" >"tests/out/fuzz-$name.log" 2>&1 ||
		{ tail -40 "tests/out/fuzz-$name.log"; fail "fuzz_$name crashed"; }
	ok "fuzz_$name: $(grep -o 'Done [0-9]* runs' "tests/out/fuzz-$name.log" || echo ran) in ${secs}s at most"
done
