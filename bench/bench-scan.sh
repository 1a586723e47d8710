#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# bench-scan.sh - seal scan against Debian's git-secrets, side by side in
# the same run, on the synthetic repository (20,000 files, 200 MB, 5
# planted secrets) that ../shared/bench/gen_synthetic_repo.py makes:
#   1. whole tree: `seal scan --all` (the index) and `seal scan .` (what a
#      user types: walking the work tree) vs `git secrets --scan`
#   2. a commit staging 1,000 files: what `seal hook install` puts in
#      the hook (`seal-scan hook pre-commit`, run directly; SEAL_SCAN,
#      default next to SEAL) vs `git secrets --pre_commit_hook`
# Prints medians, the ratio, and how many planted secrets each found.
#
#   SEAL=build/seal RUNS=7 bash bench/bench-scan.sh [REPO_DIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
SEAL=$(cd "$(dirname "${SEAL:-$top/build/seal}")" && pwd)/$(basename "${SEAL:-seal}")
RUNS=${RUNS:-7}
SEAL_SCAN=${SEAL_SCAN:-$(dirname "$SEAL")/seal-scan}
[ -x "$SEAL_SCAN" ] || SEAL_SCAN=
GEN=${GEN:-$top/../shared/bench/gen_synthetic_repo.py}
[ -f "$GEN" ] || GEN=/work/shared/bench/gen_synthetic_repo.py
REPO=${1:-${TMPDIR:-/tmp}/seal-bench-synth}
command -v git-secrets >/dev/null || { echo "git-secrets is not installed" >&2; exit 2; }
[ -x "$SEAL" ] || { echo "no seal binary at $SEAL" >&2; exit 2; }

if [ ! -d "$REPO/.git" ]; then
	echo "# generating $REPO (once)"
	rm -rf "$REPO"
	python3 "$GEN" "$REPO" 20000 200000000
	git -C "$REPO" init -q
	git -C "$REPO" add -A
	git -C "$REPO" -c user.name=b -c user.email=b@example.org commit -qm synthetic
fi
cd "$REPO"
git reset -q --hard
git secrets --register-aws >/dev/null 2>&1 || true

# median of N runs: "wall_ms cpu_ms" (cpu = user + sys, which shared
# machines disturb less than wall time); output of the last run in $out
median_ms() {
	local i ws=() cs=() tf
	tf=$(mktemp)
	for i in $(seq 1 "$RUNS"); do
		/usr/bin/time -f '%e %U %S' -o "$tf" "$@" >"$out" 2>&1 || true
		ws+=($(tail -n 1 "$tf" | awk '{printf "%d", $1 * 1000}'))
		cs+=($(tail -n 1 "$tf" | awk '{printf "%d", ($2 + $3) * 1000}'))
	done
	rm -f "$tf"
	echo "$(printf '%s\n' "${ws[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
		"$(printf '%s\n' "${cs[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
}
wall() { echo "${1% *}"; }
cpu() { echo "${1#* }"; }
planted() { # how many of the 5 planted files a report names
	local n=0 f
	for f in dir001/file00123 dir045/file04567 dir098/file09876 \
		dir150/file15000 dir199/file19999; do
		grep -q "$f" "$1" && n=$((n + 1))
	done
	echo $n
}
out=$(mktemp)
trap 'rm -f "$out"; git -C "$REPO" reset -q --hard' EXIT
echo "# machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); runs: $RUNS (median)"
echo "# repo: $(git ls-files | wc -l) files, $(du -sb --exclude=.git . | cut -f1) bytes"

# warm the page cache for both
cat $(git ls-files | head -20000) >/dev/null

gs_all=$(median_ms git secrets --scan); gs_found=$(planted "$out")
seal_all=$(median_ms "$SEAL" scan --all -q); seal_found=$(planted "$out")
seal_path=$(median_ms "$SEAL" scan -q .); path_found=$(planted "$out")

# stage 1,000 changed files (about 9.4 MB)
git ls-files | head -1000 | while read -r f; do echo "# bench edit" >>"$f"; done
git ls-files | head -1000 | xargs git add
staged_bytes=$(git diff --cached --name-only | xargs cat | wc -c)
gs_pc=$(median_ms git secrets --pre_commit_hook)
if [ -n "$SEAL_SCAN" ]; then
	seal_pc=$(median_ms "$SEAL_SCAN" hook pre-commit)
else
	seal_pc=$(median_ms "$SEAL" hook pre-commit)
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
row() {
	printf '%-32s %-5s %8s ms %7s ms %7sx\n' "$1" "$2" "$3" "$4" "$(ratio "$3" "$4")"
}
printf '\n%-32s %-5s %11s %10s %8s\n' "case" "" "git-secrets" "seal" "speedup"
row "whole tree, --all (20,000 files)" wall "$(wall "$gs_all")" "$(wall "$seal_all")"
row "" cpu "$(cpu "$gs_all")" "$(cpu "$seal_all")"
row "whole tree, scan . (walk)" wall "$(wall "$gs_all")" "$(wall "$seal_path")"
row "" cpu "$(cpu "$gs_all")" "$(cpu "$seal_path")"
row "pre-commit, 1,000 staged files" wall "$(wall "$gs_pc")" "$(wall "$seal_pc")"
row "" cpu "$(cpu "$gs_pc")" "$(cpu "$seal_pc")"
printf '%-38s %11s %10s\n' "planted secrets found (of 5)" "$gs_found" "$seal_found"
printf '%-38s %11s %10s\n' "... by scan . (of 5)" "" "$path_found"
echo "# staged: 1000 files, $staged_bytes bytes; hook: ${SEAL_SCAN:-$SEAL} hook pre-commit"
