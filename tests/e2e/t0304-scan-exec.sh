#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0304-scan-exec: `seal scan` and `seal hook` run the separate seal-scan
# program (found next to seal, then in $SEAL_EXEC_PATH, then in the
# configured libexec directory), with the same arguments, output and exit
# codes; seal itself links neither libgit2 nor Hyperscan.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog git

tools=$(dirname "$SEAL")
SCAN="$tools/seal-scan"
t_check "seal-scan is built next to seal" test -x "$SCAN"
t_ok "seal-scan --help" "$SCAN" --help
t_check "seal-scan --help prints usage" grep -q usage "$T_TMP/out"
t_exit 2 "seal-scan with no command is a usage error" "$SCAN"
t_exit 2 "seal-scan with an unknown command" "$SCAN" frob
t_check "... says so in one line" test "$(wc -l <"$T_TMP/err")" -eq 1

if command -v ldd >/dev/null 2>&1 && ldd "$SEAL" >"$T_TMP/ldd" 2>&1; then
	t_check "seal does not load libgit2" sh -c "! grep -q libgit2 '$T_TMP/ldd'"
	t_check "seal does not load Hyperscan" sh -c "! grep -q libhs '$T_TMP/ldd'"
fi

git init -q repo && cd repo || exit 2
printf 'aws_key = AKIAQWERTYUIOPASDFGH\n' >leak.txt
git add leak.txt
t_exit 1 "seal scan --staged finds the leak (through seal-scan)" "$SEAL" scan --staged
cp "$T_TMP/out" "$T_TMP/out.seal"; cp "$T_TMP/err" "$T_TMP/err.seal"
t_exit 1 "seal-scan scan --staged: same exit" "$SCAN" scan --staged
t_cmp "... same stdout" "$T_TMP/out.seal" "$T_TMP/out"
t_cmp "... same stderr" "$T_TMP/err.seal" "$T_TMP/err"
t_exit 2 "a bad scan option: exit 2 through seal" "$SEAL" scan --frob
t_check "... the message names 'seal scan'" grep -q "^seal scan: \|usage" "$T_TMP/err"
t_exit 1 "seal hook pre-commit refuses the commit" "$SEAL" hook pre-commit

# relocated: seal alone in a directory without seal-scan
mkdir -p "$T_TMP/bin" "$T_TMP/empty"
cp "$SEAL" "$T_TMP/bin/seal"
t_exit 1 "SEAL_EXEC_PATH finds seal-scan" \
	env SEAL_EXEC_PATH="$tools" "$T_TMP/bin/seal" scan --staged
t_check "... and it found the leak" grep -q leak.txt "$T_TMP/out"
t_ok "the sealing commands do not need seal-scan" \
	env SEAL_EXEC_PATH="$T_TMP/empty" "$T_TMP/bin/seal" --version
libexec=$(make -s -C "$SEAL_BUILDDIR" print-pkglibexecdir 2>/dev/null)
if [ -n "$libexec" ] && [ ! -e "$libexec/seal-scan" ]; then
	t_exit 2 "no seal-scan anywhere: exit 2" \
		env SEAL_EXEC_PATH="$T_TMP/empty" "$T_TMP/bin/seal" scan --staged
	t_check "... one line on stderr" test "$(wc -l <"$T_TMP/err")" -eq 1
	t_check "... saying what to do" grep -q "^seal scan: cannot find seal-scan.*SEAL_EXEC_PATH" "$T_TMP/err"
	t_check "... nothing on stdout" test ! -s "$T_TMP/out"
	t_exit 2 "seal hook, no seal-scan: exit 2" \
		env -u SEAL_EXEC_PATH "$T_TMP/bin/seal" hook pre-commit
	t_check "... names 'seal hook'" grep -q "^seal hook: cannot find seal-scan" "$T_TMP/err"
fi

# the installed hook runs seal-scan directly
t_ok "hook install" "$SEAL" hook install
t_check "the hook runs seal-scan hook pre-commit" \
	grep -q "seal-scan' hook pre-commit" .git/hooks/pre-commit
t_fail "git commit is refused by the installed hook" git commit -qm leak
printf 'nothing = here\n' >leak.txt && git add leak.txt
t_ok "a clean commit passes the hook" git commit -qm clean
t_done
