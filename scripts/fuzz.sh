#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# fuzz.sh [smoke|run SECONDS [TARGET...]] - build the libFuzzer targets
# with clang (--enable-fuzzing, ASan+UBSan) into build-fuzz/ and run each
# over its seed corpus (tests/fuzz/corpus/NAME) and malformed-input
# corpus (tests/fixtures/bad/*). `smoke` (CI) gives each target a short
# budget; `run 600` fuzzes for real. Each target's verdict is recorded as
# an automake-style .trs line so CI counts it with the other tests.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-smoke}
secs=${2:-15}
seed=()
# smoke (CI): a short, reproducible run (fixed seed) over the corpora, so
# a verdict can be replayed; `run` fuzzes with fresh randomness
limit=(-max_total_time="$secs")
[ "$mode" = smoke ] && seed=(-seed="${SEAL_FUZZ_SEED:-1}") &&
	limit=(-runs="${SEAL_FUZZ_RUNS:-20000}")
shift $(( $# > 2 ? 2 : $# ))
build=$top/build-fuzz
bash "$top/scripts/build.sh" "$build" --enable-fuzzing CC=clang >/dev/null || exit 2
targets=$(make -C "$build" -s print-fuzz-programs)
[ $# -gt 0 ] && targets="$*"
[ -n "$targets" ] || { echo "fuzz: no targets"; exit 0; }
make -C "$build" -s -j"$(nproc)" $targets || exit 2
rc=0
for t in $targets; do
	name=$(basename "$t"); short=${name#fuzz-}
	corpus=$build/corpus/$short
	mkdir -p "$corpus"
	seeds=()
	[ -d "$top/tests/fuzz/corpus/$short" ] && seeds+=("$top/tests/fuzz/corpus/$short")
	[ -d "$top/tests/fixtures/bad/$short" ] && seeds+=("$top/tests/fixtures/bad/$short")
	log=$build/$name.log
	if "$build/$t" "${seed[@]}" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "$corpus" "${seeds[@]}" >"$log" 2>&1; then
		res=PASS
	else
		res=FAIL; rc=1; tail -30 "$log"
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	echo "$res: $name (${runs:-?} runs in ${secs}s)"
	printf ':test-result: %s\n' "$res" >"$build/$name.trs"
done
exit $rc
