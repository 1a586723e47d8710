#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0230-sops-edit.sh - seal edit in a real git repository: changing one
# value of a 20-value Secret changes exactly three lines (that value,
# the MAC, lastmodified); an unchanged edit leaves the file untouched; a
# failing editor, an edit that does not parse, and SIGINT/SIGTERM/SIGHUP
# leave the original untouched and wipe the temporary directory. Also
# seal set / unset keep the other ciphertexts.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog git
t_need_prog age-keygen
age-keygen -o key.txt 2>/dev/null
chmod 600 key.txt
export SOPS_AGE_KEY_FILE=$PWD/key.txt
R=$(sed -n 's/^# public key: //p' key.txt)
mkdir repo && cd repo || exit 2
git init -q .
{
	printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\n'
	printf '  namespace: prod\ntype: Opaque\nstringData:\n'
	for i in $(seq 1 20); do printf '  key%d: value%d\n' "$i" "$i"; done
} >secret.yaml
t_ok "seal a 20-value Secret" "$SEAL" encrypt -i -r "$R" secret.yaml
git add secret.yaml && git commit -qm sealed
cp secret.yaml before.yaml
sleep 1 # a new second, so lastmodified changes

EDITOR="sed -i s/value7\$/changed7/" t_ok "seal edit changes one value" \
    "$SEAL" edit secret.yaml
numstat=$(git diff --numstat secret.yaml)
t_check "git diff --numstat shows 3 changed lines ($numstat)" \
    test "$numstat" = "3	3	secret.yaml"
git diff -U0 secret.yaml | grep '^+ ' >plus
t_check "... they are key7, lastmodified and mac" \
    test "$(cut -d: -f1 plus | tr -d ' +' | sort | tr '\n' ,)" = "key7,lastmodified,mac,"
"$SEAL" decrypt --extract '["stringData"]["key7"]' secret.yaml >v
t_check "the new value decrypts" test "$(cat v)" = changed7
git commit -qam edited

cp secret.yaml keep.yaml
EDITOR=true t_ok "an unchanged edit succeeds" "$SEAL" edit secret.yaml
t_cmp "an unchanged edit leaves the file byte-identical" keep.yaml secret.yaml
t_check "... and says so" grep -q unchanged "$T_TMP/err"

# ---- every way out wipes the temporary directory -------------------------
# A fake editor notes its file (and its pid) so the test knows where the
# plaintext was; its first argument names the behaviour.
cat >"$T_TMP/fake-editor" <<'EOF'
#!/bin/sh
echo "$2" >"$T_TMP/edpath"
echo $$ >"$T_TMP/edpid"
case $1 in
fail) exit 3 ;;
sleep) exec sleep 30 ;;
wait) i=0; while [ ! -e "$T_TMP/go" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done ;;
broken) printf 'a: [\n' >"$2" ;;
esac
exit 0
EOF
chmod +x "$T_TMP/fake-editor"
export T_TMP
gone() { # the temporary directory of the last edit is gone
	local p
	p=$(cat "$T_TMP/edpath" 2>/dev/null) || return 1
	[ -n "$p" ] && [ ! -e "$p" ] && [ ! -e "$(dirname "$p")" ]
}
started() { # wait (5 s at most) for the fake editor to start
	local i=0
	while [ ! -s "$T_TMP/edpid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$T_TMP/edpid" ]
}
reset_ed() { rm -f "$T_TMP/edpath" "$T_TMP/edpid" "$T_TMP/go"; }

reset_ed
EDITOR="$T_TMP/fake-editor fail" t_exit 2 "an editor exiting non-zero is an error" \
    "$SEAL" edit secret.yaml
t_cmp "... the original is untouched" keep.yaml secret.yaml
t_check "... the temporary directory is wiped" gone
t_check "... and the message says the edit is discarded" grep -q "discarded" "$T_TMP/err"

tmpdirs() { ls -d /dev/shm/seal-edit.* "${TMPDIR:-/tmp}"/seal-edit.* 2>/dev/null | sort; }
tmpdirs >"$T_TMP/before.dirs"
EDITOR="$T_TMP/no-such-editor" t_exit 2 "an editor that cannot start is an error" \
    "$SEAL" edit secret.yaml
t_check "... says it could not run it" grep -q "cannot run editor" "$T_TMP/err"
t_cmp "... the original is untouched" keep.yaml secret.yaml
tmpdirs >"$T_TMP/after.dirs"
t_check "... no new temporary directory is left" \
    sh -c "! comm -13 '$T_TMP/before.dirs' '$T_TMP/after.dirs' | grep -q ."

reset_ed
EDITOR="$T_TMP/fake-editor broken" t_exit 2 "an edit that does not parse is an error" \
    "$SEAL" edit secret.yaml </dev/null
t_cmp "... the original is untouched" keep.yaml secret.yaml
t_check "... the temporary directory is wiped" gone

# Signals while the editor runs. env --default-signal undoes the SIG_IGN
# that a background job of a script inherits for SIGINT and SIGQUIT.
for sig in TERM HUP; do
	reset_ed
	EDITOR="$T_TMP/fake-editor sleep" env --default-signal=INT,QUIT,TERM,HUP \
	    "$SEAL" edit secret.yaml 2>"$T_TMP/err" &
	pid=$!
	if started; then
		kill -$sig $pid
		wait $pid; rc=$?
		t_check "SIG$sig to seal while the editor runs: seal dies of it (exit $rc)" \
		    test $rc -eq $((128 + $(kill -l $sig)))
		t_check "... the editor got it too" sh -c "! kill -0 $(cat "$T_TMP/edpid") 2>/dev/null"
		t_check "... the temporary directory is wiped" gone
		t_cmp "... the original is untouched" keep.yaml secret.yaml
	else
		t_flunk "SIG$sig: the fake editor did not start"
	fi
	kill "$(cat "$T_TMP/edpid" 2>/dev/null)" 2>/dev/null
	wait $pid 2>/dev/null
done

reset_ed
EDITOR="$T_TMP/fake-editor wait" env --default-signal=INT,QUIT,TERM,HUP \
    "$SEAL" edit secret.yaml 2>"$T_TMP/err" &
pid=$!
if started; then
	kill -INT $pid
	sleep 0.3
	t_check "SIGINT to seal alone: seal waits for the editor (vi takes ^C)" kill -0 $pid
	touch "$T_TMP/go"
	wait $pid; rc=$?
	t_check "... which exits 0: nothing changed (exit $rc)" test $rc -eq 0
	t_check "... the temporary directory is wiped" gone
else
	t_flunk "SIGINT: the fake editor did not start"
fi
kill $pid 2>/dev/null

reset_ed
EDITOR="$T_TMP/fake-editor sleep" env --default-signal=INT,QUIT,TERM,HUP \
    "$SEAL" edit secret.yaml 2>"$T_TMP/err" &
pid=$!
if started; then
	kill -INT $pid "$(cat "$T_TMP/edpid")" # ^C: the terminal signals both
	wait $pid; rc=$?
	t_check "^C that kills the editor: seal dies of SIGINT too (exit $rc)" test $rc -eq 130
	t_check "... the temporary directory is wiped" gone
	t_cmp "... the original is untouched" keep.yaml secret.yaml
else
	t_flunk "^C: the fake editor did not start"
fi
kill "$(cat "$T_TMP/edpid" 2>/dev/null)" 2>/dev/null
wait $pid 2>/dev/null

sleep 1 # a new second, so lastmodified changes
t_ok "seal set changes one value" \
    "$SEAL" set secret.yaml '["stringData"]["key3"]' '"new3"'
t_check "set: 3 changed lines" \
    test "$(git diff --numstat secret.yaml)" = "3	3	secret.yaml"
git commit -qam set
sleep 1
t_ok "seal set adds a value" \
    "$SEAL" set secret.yaml '["stringData"]["key21"]' '"v21"'
t_check "add: 1 added line and 2 changed" \
    test "$(git diff --numstat secret.yaml)" = "3	2	secret.yaml"
git commit -qam add
sleep 1
t_ok "seal unset removes a value" "$SEAL" unset secret.yaml '["stringData"]["key21"]'
t_check "unset: 1 removed line and 2 changed" \
    test "$(git diff --numstat secret.yaml)" = "2	3	secret.yaml"
t_exit 2 "unset of a missing path fails" "$SEAL" unset secret.yaml '["nope"]'
t_ok "unset --idempotent of a missing path succeeds" \
    "$SEAL" unset --idempotent secret.yaml '["nope"]'
"$SEAL" decrypt secret.yaml >plain
t_check "all values still decrypt" grep -q "key20: value20" plain
cd .. || exit 2
t_done
