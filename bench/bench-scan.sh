#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# bench-scan.sh - every entry point of seal scan against Debian's
# git-secrets (and gitleaks when installed), side by side in one run, on
# the synthetic repository (20,000 files, 200 MB, 5 planted secrets) that
# ../shared/bench/gen_synthetic_repo.py makes:
#   1. whole tree: `seal scan .` (what a user types: walking the work
#      tree) and `seal scan --all` (the index) vs `git secrets --scan`
#      (and `gitleaks detect --no-git`); the goal is >= 5x git-secrets for both
#   2. a commit staging 1,000 files: what `seal hook install` puts in the
#      hook (`seal-scan hook pre-commit`, run directly; SEAL_SCAN, default
#      next to SEAL) vs `git secrets --pre_commit_hook`; goal < 50 ms wall
# The commands of each part run in turn, RUNS rounds (so a change of load
# hits all of them alike); it prints the medians of wall and CPU time
# (user + sys, which a shared machine disturbs less), the ratios, and how
# many planted secrets each found.
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
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 2; }
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
outdir=$(mktemp -d)
trap 'rm -rf "$outdir"; git -C "$REPO" reset -q --hard' EXIT

# bench NAME CMD... [-- NAME CMD...]: RUNS rounds, the commands in turn;
# prints "NAME wall_ms cpu_ms" (medians, 0.1 ms: /usr/bin/time's 10 ms
# steps are too coarse for the hook); each one's last output in
# $outdir/NAME
bench() {
	python3 - "$RUNS" "$outdir" "$@" <<'PY'
import os, subprocess, sys, time
runs, outdir, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
cmds, cur = [], []
for a in args + ["--"]:
    if a == "--":
        cmds.append(cur)
        cur = []
    else:
        cur.append(a)
res = {c[0]: ([], []) for c in cmds}
for _ in range(runs):
    for c in cmds:
        with open(os.path.join(outdir, c[0]), "wb") as f:
            t0 = time.perf_counter()
            p = subprocess.Popen(c[1:], stdout=f, stderr=subprocess.STDOUT)
            _, _, ru = os.wait4(p.pid, 0)
            res[c[0]][0].append((time.perf_counter() - t0) * 1000)
            res[c[0]][1].append((ru.ru_utime + ru.ru_stime) * 1000)
med = lambda v: sorted(v)[(len(v) - 1) // 2]
for c in cmds:
    print("%s %.1f %.1f" % (c[0], med(res[c[0]][0]), med(res[c[0]][1])))
PY
}
planted() { # how many of the 5 planted files a report names
	local n=0 f
	for f in dir001/file00123 dir045/file04567 dir098/file09876 \
		dir150/file15000 dir199/file19999; do
		grep -q "$f" "$outdir/$1" && n=$((n + 1))
	done
	echo $n
}
val() { awk -v n="$1" -v k="$2" '$1 == n { print $k }' "$outdir/times"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
row() { # LABEL NAME PEER
	printf '%-34s %9s %9s %7sx %9s %9s %7sx %6s\n' "$1" \
		"$(val "$2" 2)" "$(val "$3" 2)" "$(ratio "$(val "$3" 2)" "$(val "$2" 2)")" \
		"$(val "$2" 3)" "$(val "$3" 3)" "$(ratio "$(val "$3" 3)" "$(val "$2" 3)")" \
		"$(planted "$2")"
}
hdr() {
	printf '\n%-34s %9s %9s %8s %9s %9s %8s %6s\n' "$1" "wall ms" "$2" "ratio" \
		"cpu ms" "$2" "ratio" "found"
}

echo "# machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); runs: $RUNS (median)"
echo "# repo: $(git ls-files | wc -l) files, $(du -sb --exclude=.git . | cut -f1) bytes"
echo "# seal: $SEAL; hook: ${SEAL_SCAN:-$SEAL} hook pre-commit"

# warm the page cache for all
cat $(git ls-files) >/dev/null

set -- gs git secrets --scan -- path "$SEAL" scan -q . -- all "$SEAL" scan --all -q
have_gl=
if command -v gitleaks >/dev/null; then
	have_gl=1
	set -- "$@" -- gl gitleaks detect --no-git --source . --no-banner -v --redact
fi
bench "$@" >"$outdir/times"

# stage 1,000 changed files (about 9.9 MB)
git ls-files | head -1000 | while read -r f; do echo "# bench edit" >>"$f"; done
git ls-files | head -1000 | xargs git add
staged_bytes=$(git diff --cached --name-only | xargs cat | wc -c)
bench gspc git secrets --pre_commit_hook -- \
	pc ${SEAL_SCAN:-"$SEAL"} hook pre-commit >>"$outdir/times"

hdr "whole tree (20,000 files), seal vs" "git-secr"
row "seal scan . (walks the work tree)" path gs
row "seal scan --all (the index)" all gs
printf '%-34s %9s %9s %8s %9s %9s %8s %6s\n' "git secrets --scan" "" "$(val gs 2)" \
	"" "" "$(val gs 3)" "" "$(planted gs)"
if [ -n "$have_gl" ]; then
	hdr "whole tree, seal vs" "gitleaks"
	row "seal scan . (walks the work tree)" path gl
	row "seal scan --all (the index)" all gl
	printf '%-34s %9s %9s %8s %9s %9s %8s %6s\n' "gitleaks detect --no-git" "" \
		"$(val gl 2)" "" "" "$(val gl 3)" "" "$(planted gl)"
fi
hdr "pre-commit, 1,000 staged files" "git-secr"
row "seal-scan hook pre-commit" pc gspc
echo
echo "# staged: 1000 files, $staged_bytes bytes"
echo "# goals: scan . $(ratio "$(val gs 2)" "$(val path 2)")x and --all" \
	"$(ratio "$(val gs 2)" "$(val all 2)")x git-secrets' wall time (>= 5x);" \
	"hook $(val pc 2) ms wall (< 50 ms)"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
