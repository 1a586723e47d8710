#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0250-sops-bad-input.sh - seal decrypt and seal status on every file
# of the malformed corpora: a clean refusal (exit 1), exactly one line
# on stderr naming the file, nothing on stdout, no crash.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
export SOPS_AGE_KEY="AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
for f in "$SEAL_SRCDIR"/tests/fixtures/bad/json/* "$SEAL_SRCDIR"/tests/fixtures/bad/dotenv/*; do
	name=${f#"$SEAL_SRCDIR"/tests/fixtures/bad/}
	"$SEAL" decrypt "$f" >out 2>err
	rc=$?
	if [ "$rc" -eq 1 ] && [ ! -s out ] && [ "$(wc -l <err)" -eq 1 ] &&
	    grep -q "$(basename "$f")" err; then
		t_pass "decrypt $name: refused in one line"
	else
		t_flunk "decrypt $name: refused in one line" "rc=$rc" "$(cat err)"
	fi
	"$SEAL" status "$f" >out 2>err
	rc=$?
	if [ "$rc" -eq 1 ] && [ "$(wc -l <err)" -eq 1 ]; then
		t_pass "status $name: refused in one line"
	else
		t_flunk "status $name: refused in one line" "rc=$rc" "$(cat err)"
	fi
done
t_done
