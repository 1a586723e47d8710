#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0000-cli: the dispatcher, --help, --version and exit codes.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"

t_exit 0 "--help exits 0" "$SEAL" --help
t_check "--help lists the commands" grep -q '^  encrypt ' "$T_TMP/out"
t_exit 0 "--version exits 0" "$SEAL" --version
t_check "--version prints the version" grep -q '^seal [0-9]' "$T_TMP/out"
t_exit 2 "no arguments is a usage error" "$SEAL"
t_check "usage goes to stderr" grep -q '^usage: seal' "$T_TMP/err"
t_exit 2 "an unknown command exits 2" "$SEAL" frobnicate
t_check "the error names the command, git style" \
	grep -q "^seal: 'frobnicate' is not a seal command" "$T_TMP/err"
for c in encrypt decrypt edit set unset status updatekeys rotate scan hook keygen age; do
	t_exit 0 "seal $c --help exits 0" "$SEAL" "$c" --help
	t_check "seal $c --help prints a usage line" grep -qi "usage" "$T_TMP/out"
done
t_done
