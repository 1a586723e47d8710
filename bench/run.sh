#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# bench/run.sh - run every benchmark (bench/bench-*.sh) one after another,
# each side by side with its peer. `make bench` calls this. Figures are
# printed; record them in bench/RESULTS.md with this command.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export SEAL=${SEAL:-$top/build/seal}
rc=0
for b in "$top"/bench/bench-*.sh; do
	[ -f "$b" ] || continue
	[ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$(basename "$b" .sh | sed 's/^bench-//')" && continue
	echo "## $(basename "$b")"
	bash "$b" || rc=1
done
exit $rc
