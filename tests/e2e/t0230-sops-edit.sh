#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0230-sops-edit.sh - seal edit in a real git repository: changing one
# value of a 20-value Secret changes exactly three lines (that value,
# the MAC, lastmodified); an unchanged edit leaves the file untouched; a
# failing editor or an edit that does not parse leaves the original
# untouched and says where the edit is. Also seal set / unset keep the
# other ciphertexts.
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

EDITOR=false t_exit 2 "a failing editor is an error" "$SEAL" edit secret.yaml
t_cmp "... the original is untouched" keep.yaml secret.yaml
tmp=$(sed -n 's/.*your edit is in \([^;]*\);.*/\1/p' "$T_TMP/err" | head -1)
t_check "... the edit is kept where the message says ($tmp)" test -f "$tmp"
t_check "... privately (mode 600)" test "$(stat -c %a "$tmp")" = 600
rm -rf "$(dirname "$tmp")"

SOPS_EDITOR="sh -c 'printf \"a: [\\n\" >\"\$1\"' editor" \
    t_exit 2 "an edit that does not parse is an error" "$SEAL" edit secret.yaml
t_cmp "... the original is untouched" keep.yaml secret.yaml
tmp=$(sed -n 's/.*your edit is in \([^;]*\);.*/\1/p' "$T_TMP/err" | head -1)
t_check "... the broken edit is kept ($tmp)" grep -q "a: \[" "$tmp"
rm -rf "$(dirname "$tmp")"

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
