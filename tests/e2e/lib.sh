# SPDX-License-Identifier: ISC
# lib.sh - sourced by every tests/e2e/t*.sh: TAP output, a private
# scratch directory under the build tree, and helpers in git's test-lib
# spirit. Each test prints "ok N - name" / "not ok N - name" and the plan
# at the end; the exit status is non-zero if any case failed.
#
#   . "$SEAL_SRCDIR/tests/e2e/lib.sh"
#   t_ok "name" command args...        # passes if the command exits 0
#   t_fail "name" command args...      # passes if it exits non-zero
#   t_exit 1 "name" command args...    # passes if it exits with 1
#   t_cmp "name" expected-file actual-file
#   t_done

set -u
: "${SEAL:?SEAL must point at the seal binary (run through make check)}"
: "${SEAL_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${SEAL_BUILDDIR:=$SEAL_SRCDIR}"
: "${SEAL_VECTORS:=$SEAL_SRCDIR/../shared/vectors}"
export LC_ALL=C
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org \
	GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.org
unset SOPS_AGE_KEY SOPS_AGE_KEY_FILE SOPS_AGE_KEY_CMD SOPS_AGE_RECIPIENTS \
	SOPS_AGE_SSH_PRIVATE_KEY_FILE XDG_CONFIG_HOME EDITOR SOPS_EDITOR

T_N=0
T_FAILED=0
T_TMP=$(mktemp -d "${SEAL_BUILDDIR}/tests/e2e/tmp.$(basename "$0" .sh).XXXXXX" 2>/dev/null ||
	mktemp -d)
export HOME="$T_TMP/home"
mkdir -p "$HOME"
trap 'rm -rf "$T_TMP"' EXIT
cd "$T_TMP" || exit 2

t_pass() { T_N=$((T_N + 1)); echo "ok $T_N - $1"; }
t_flunk() {
	T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_N - $1"
	shift
	[ $# -gt 0 ] && printf '# %s\n' "$@"
	return 0
}
# Run a command, keeping its stdout/stderr in $T_TMP/out and $T_TMP/err.
t_run() { "$@" >"$T_TMP/out" 2>"$T_TMP/err"; }
t_ok() {
	local name=$1; shift
	if t_run "$@"; then t_pass "$name"; else
		t_flunk "$name" "exit $? from: $*" "$(head -c 2000 "$T_TMP/err")"; fi
}
t_fail() {
	local name=$1; shift
	if t_run "$@"; then t_flunk "$name" "unexpected success: $*"; else t_pass "$name"; fi
}
t_exit() {
	local want=$1 name=$2 rc; shift 2
	t_run "$@"; rc=$?
	if [ "$rc" -eq "$want" ]; then t_pass "$name"; else
		t_flunk "$name" "exit $rc, wanted $want: $*" "$(head -c 2000 "$T_TMP/err")"; fi
}
t_cmp() {
	if cmp -s "$2" "$3"; then t_pass "$1"; else
		t_flunk "$1" "$(diff -u "$2" "$3" | head -40)"; fi
}
# t_check name condition-command...: like t_ok without capturing output
t_check() {
	local name=$1; shift
	if "$@"; then t_pass "$name"; else t_flunk "$name" "failed: $*"; fi
}
# t_json name file [sarif]: the file holds one valid JSON document (a
# --format json or sarif report), valid against its schema: the OASIS
# SARIF 2.1.0 schema (scripts/peers.sh installs it) or ours,
# doc/seal-scan-report.schema.json; every SARIF rule carries its help.
# Without the validator (python3-jsonschema) or the schema: a skip
# locally, a failure in CI.
t_json() {
	local py rc schema=${SEAL_PEERS:-$SEAL_SRCDIR/tests/peers}/schemas/sarif-schema-2.1.0.json
	for py in python3 /usr/bin/python3; do
		"$py" -c 'import jsonschema' 2>/dev/null && break
		py=
	done
	if [ -z "$py" ] || [ ! -f "$schema" ]; then
		if [ "${CI:-}" = true ]; then
			t_flunk "$1" "no report validator: python3-jsonschema (scripts/deps.sh) or $schema (scripts/peers.sh)"
		else
			t_skip "$1: no validator (python3-jsonschema, scripts/peers.sh)"
		fi
		return 0
	fi
	"$py" "$SEAL_SRCDIR/tests/e2e/report-check.py" "$2" "${3:-json}" "$schema" \
		"$SEAL_SRCDIR/doc/seal-scan-report.schema.json" 2>"$T_TMP/json.err"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		t_pass "$1"
	else
		t_flunk "$1" "$(tail -5 "$T_TMP/json.err")" "$(head -c 600 "$2")"
	fi
}
# t_skip reason: one TAP skip ("ok N # SKIP reason": automake counts it
# as SKIP; "not ok N # SKIP" would count as a failure).
# ASan intercepts mlock(2) and makes it a no-op: a sanitizer build
# cannot show locked memory to strace (SEAL_CC carries the build's flags)
t_asan() { case ${SEAL_CC:-} in *-fsanitize=*address*) return 0 ;; esac; return 1; }
t_skip() { T_N=$((T_N + 1)); echo "ok $T_N # SKIP $1"; }
# t_have_vectors DIR: true when $SEAL_VECTORS/DIR exists; otherwise false,
# after a skip locally or a failure in CI (for the cases of a test that
# need the vectors; t_need_vectors skips a whole test).
t_have_vectors() {
	[ -d "$SEAL_VECTORS/$1" ] && return 0
	if [ "${CI:-}" = true ]; then
		t_flunk "vectors folder $SEAL_VECTORS/$1 missing in CI"
	else
		t_skip "vectors folder $SEAL_VECTORS/$1 missing"
	fi
	return 1
}
# Vectors are external test data: a skip locally, a failure in CI.
t_need_vectors() {
	if [ ! -d "$SEAL_VECTORS/$1" ]; then
		if [ "${CI:-}" = true ]; then
			echo "not ok 1 - vectors folder $SEAL_VECTORS/$1 missing in CI"
			echo "1..1"; exit 1
		fi
		echo "1..0 # SKIP vectors folder $SEAL_VECTORS/$1 missing"; exit 0
	fi
}
# A peer program the test needs (age, git, node...): same policy.
t_need_prog() {
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - $1 not installed in CI"; echo "1..1"; exit 1
	fi
	echo "1..0 # SKIP $1 not installed"; exit 0
}
t_done() {
	echo "1..$T_N"
	echo "# $((T_N - T_FAILED)) passed, $T_FAILED failed"
	[ "$T_FAILED" -eq 0 ]
}
