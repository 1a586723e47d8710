#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0003-vectors-skip.sh - a release tarball's `make check` passes on a
# machine without ../shared: the tests that read the shared vectors are
# skips there (as automake's own TAP driver counts them: SKIP, never
# FAIL), and failures in CI (CI=true). Each kind of test is run through
# build-aux/tap-driver.sh with SEAL_VECTORS pointing at an empty folder.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
DRIVER=$SEAL_SRCDIR/build-aux/tap-driver.sh
mkdir empty

# run_driver name ci command...: the .trs of one run under the TAP driver
run_driver() {
	local name=$1 ci=$2; shift 2
	env -u CI ${ci:+CI=$ci} SEAL_VECTORS="$T_TMP/empty" AM_TAP_AWK=awk \
		bash "$DRIVER" --test-name "$name" --log-file "$T_TMP/$name.log" \
		--trs-file "$T_TMP/$name.trs" --color-tests no --enable-hard-errors yes \
		--expect-failure no -- "$@" >/dev/null 2>&1
}
results() { grep '^:test-result:' "$T_TMP/$1.trs" | sort | uniq -c | tr -s ' ' | tr '\n' ';'; }
skips_only() { # at least one SKIP, no FAIL, no ERROR, no PASS
	grep -q '^:test-result: SKIP' "$T_TMP/$1.trs" &&
		! grep -q '^:test-result: \(FAIL\|ERROR\|XPASS\|PASS\)' "$T_TMP/$1.trs" &&
		grep -q '^:global-test-result: SKIP' "$T_TMP/$1.trs"
}
fails() { grep -q '^:test-result: \(FAIL\|ERROR\)' "$T_TMP/$1.trs"; }

check() { # name, then the command of one test that reads the vectors
	local name=$1; shift
	run_driver "$name" "" "$@"
	t_check "$name without vectors, outside CI: skipped ($(results "$name"))" skips_only "$name"
	t_check "... its TAP has no 'not ok'" sh -c "! grep -q '^not ok' '$T_TMP/$name.log'"
	run_driver "$name-ci" true "$@"
	t_check "$name without vectors, in CI: a failure ($(results "$name-ci"))" fails "$name-ci"
}

U=$SEAL_BUILDDIR/tests/unit
for u in test-age-vectors test-yaml-vectors; do
	if [ -x "$U/$u" ]; then
		check "$u" "$U/$u"
	else
		t_skip "$u not built (no cmocka)"
	fi
done
check t0200 bash "$SEAL_SRCDIR/tests/e2e/t0200-sops-vectors.sh"

# a test with only some cases on the vectors: those are "ok # SKIP"
cat >part.sh <<'EOF'
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
if t_have_vectors leaks; then t_ok "reads the vectors" test -d "$SEAL_VECTORS/leaks"; fi
t_done
EOF
run_driver part "" bash part.sh
t_check "a case that needs the vectors, outside CI: skipped ($(results part))" skips_only part
t_check "... as an ok line with the SKIP directive" grep -q '^ok 1 # SKIP' "$T_TMP/part.log"
run_driver part-ci true bash part.sh
t_check "... in CI: a failure ($(results part-ci))" fails part-ci
t_done
