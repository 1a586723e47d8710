#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0301-scan-git: the pre-commit hook in real git repositories: commits
# refused and accepted, first commit, `commit -a`, `commit PATH` (git's
# temporary GIT_INDEX_FILE), `add -p` partial staging, rename, deletion,
# a conflicted merge, core.hooksPath, foreign hooks, a broken index.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog git

AWS='aws_access_key_id = "AKIA4HKQ2Z7XWJ3PLM5N"'
secret_yaml() {
	printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2-%s\n' "$1"
}
R=$T_TMP/repo
git init -q "$R"
cd "$R" || exit 2

# --- installation ---------------------------------------------------------
t_ok "hook install" "$SEAL" hook install
t_check "the hook is executable" test -x .git/hooks/pre-commit
t_check "the hook runs seal hook pre-commit" \
	grep -q "hook pre-commit" .git/hooks/pre-commit
t_ok "install again is fine (our own hook)" "$SEAL" hook install

# --- first commit -----------------------------------------------------------
secret_yaml one >db.yaml
git add db.yaml
t_fail "first commit with a plaintext Secret is refused" \
	git commit -qm first
t_check "the refusal names file, line and rule" \
	grep -q '^db.yaml:6: k8s-secret: stringData.password: ' "$T_TMP/err"
t_check "the refusal says how to fix it" \
	grep -q "seal encrypt -i 'db.yaml'" "$T_TMP/err"
if grep -q 'hunter2-one' "$T_TMP/err"; then t_flunk "the value is redacted"
else t_pass "the value is redacted"; fi
git rm -q --cached db.yaml && rm db.yaml
echo 'hello' >README
git add README
t_ok "a clean first commit goes through" git commit -qm first

# --- commit -a and commit PATH (temporary index) ---------------------------
echo "$AWS" >>README
t_fail "commit -a with a new secret is refused" git commit -aqm two
t_check "commit -a names the file" grep -q '^README:2: aws-access-key' "$T_TMP/err"
t_fail "commit PATH with the secret is refused" git commit -qm two README
git checkout -q README
echo "$AWS" >staged.txt
git add staged.txt
echo 'clean change' >>README
t_ok "commit PATH leaves the staged secret out, and passes" \
	git commit -qm three README
t_check "the staged secret is still staged, not committed" \
	sh -c 'git diff --cached --name-only | grep -qx staged.txt'
git rm -q --cached staged.txt && rm staged.txt

# --- add -p: the staged side counts ----------------------------------------
{ for i in $(seq 1 30); do echo "line $i"; done; } >notes.txt
git add notes.txt && git commit -qm notes
{ echo "$AWS"; for i in $(seq 1 30); do echo "line $i"; done; echo "tail"; } >notes.txt
printf 'n\ny\n' | git add -p notes.txt >/dev/null 2>&1
t_check "add -p staged only the second hunk" \
	sh -c '! git diff --cached | grep -q AKIA && git diff | grep -q AKIA'
t_ok "secret only in the unstaged hunk: commit passes" git commit -qm tail
git checkout -q notes.txt
{ echo "$AWS"; for i in $(seq 1 30); do echo "line $i"; done; echo "tail"; } >notes.txt
printf 'y\nn\n' | git add -p notes.txt >/dev/null 2>&1
git checkout -q notes.txt # the work tree no longer has the secret
t_fail "secret staged with add -p, gone from the work tree: refused" \
	git commit -qm head
t_check "the staged line is reported" grep -q '^notes.txt:1: aws-access-key' "$T_TMP/err"
git reset -q notes.txt

# --- rename and deletion ----------------------------------------------------
echo "$AWS # seal:allow" >legacy.txt
git add legacy.txt
t_ok "an inline seal:allow marker lets the line through" git commit -qm legacy
git mv legacy.txt moved.txt
t_ok "a pure rename of an allowed file passes" git commit -qm rename
secret_yaml del >old.yaml
git add old.yaml && git commit -qn -m "old secret (bypassing the hook)"
git rm -q old.yaml
t_ok "deleting a file that held a secret passes" git commit -qm delete
git mv moved.txt renamed.txt
echo "$AWS" >>renamed.txt
git add renamed.txt
t_fail "rename plus a new secret is refused under the new name" git commit -qm r2
t_check "the new path is named" grep -q '^renamed.txt:2: aws-access-key' "$T_TMP/err"
git reset -q --hard

# --- a conflicted merge: the resolution is scanned --------------------------
git checkout -q -b side
echo 'side version' >conf.txt && git add conf.txt && git commit -qm side
git checkout -q -
echo 'main version' >conf.txt && git add conf.txt && git commit -qm main
git merge -q side >/dev/null 2>&1
echo "$AWS" >conf.txt
git add conf.txt
t_fail "a merge resolution with a secret is refused" git commit -qm merge
t_check "the merge refusal names the file" grep -q '^conf.txt:1: aws-access-key' "$T_TMP/err"
echo 'resolved' >conf.txt && git add conf.txt
t_ok "a clean merge resolution is accepted" git commit -qm merge
t_check "the merge commit has two parents" \
	sh -c '[ "$(git rev-list --parents -n1 HEAD | wc -w)" -eq 3 ]'
t_check "install wrote a pre-merge-commit hook too" test -x .git/hooks/pre-merge-commit
git checkout -q -b side2
echo "$AWS" >side2.txt && git add side2.txt && git commit -qn -m "secret past the hook"
git checkout -q -
t_fail "a clean merge bringing in a secret is refused (pre-merge-commit)" \
	git merge -q --no-ff --no-edit side2
t_check "the merge refusal names the merged file" \
	grep -q '^side2.txt:1: aws-access-key' "$T_TMP/err"
git merge --abort 2>/dev/null; git reset -q --hard

# --- bad input: NUL bytes, invalid UTF-8, huge files, broken index ---------
printf 'bin\0ary\377\376 %s\n' "$AWS" >blob.bin
git add blob.bin
t_exit 1 "a secret in a binary file is still found" "$SEAL" hook pre-commit
git rm -q --cached blob.bin
printf '\377\376caf\351 \300\200 %s\n' "$AWS" >latin1.txt
git add latin1.txt
t_exit 1 "a secret on an invalid UTF-8 line is found" "$SEAL" hook pre-commit
git rm -q --cached latin1.txt
printf '%s\n' "$AWS" | iconv -f UTF-8 -t UTF-16 >u16.txt
git add u16.txt
t_exit 1 "UTF-16 text is read, not skipped as binary" "$SEAL" hook pre-commit
git rm -q --cached u16.txt
truncate -s 40M sparse.dat
git add sparse.dat
t_exit 1 "a file over the size limit is refused, not passed" "$SEAL" hook pre-commit
t_check "the refusal says too large" grep -q '^sparse.dat: too-large: ' "$T_TMP/err"
echo 'sparse.dat' >.sealignore
git add .sealignore
t_ok "listed in .sealignore, it passes" "$SEAL" hook pre-commit
git rm -q --cached sparse.dat .sealignore && rm -f .sealignore
if [ "${SEAL_TEST_LARGE:-1}" = 1 ]; then
	truncate -s 1G huge.dat
	git -c core.compression=1 add huge.dat
	t_exit 1 "a 1 GB sparse file: refused without reading it" "$SEAL" hook pre-commit
	git rm -q --cached huge.dat
	rm -f huge.dat
fi
echo "$AWS" >deep.yaml
for i in $(seq 1 3000); do printf '%*s- a:\n' $((i % 200)) ''; done >>deep.yaml
git add deep.yaml
t_exit 1 "deeply nested YAML does not hide a secret" "$SEAL" hook pre-commit
git rm -q --cached deep.yaml
echo "$AWS" >x.txt && git add x.txt
cp .git/index "$T_TMP/index.good"
printf 'DIRC\0\0\0\2garbage' >.git/index
t_exit 2 "a broken index: the hook refuses (exit 2)" "$SEAL" hook pre-commit
t_check "and says why" grep -q 'index' "$T_TMP/err"
t_fail "git commit is refused with a broken index" git commit -qm broken
cp "$T_TMP/index.good" .git/index
git rm -q --cached x.txt && rm -f x.txt

# --- history and whole-tree scans -------------------------------------------
t_exit 1 "--history finds the secret committed past the hook" "$SEAL" scan --history
t_check "history findings name the commit" grep -q ':old.yaml:6: k8s-secret' "$T_TMP/out"
t_exit 0 "--all at HEAD: the allowed line only" "$SEAL" scan --all

# --- core.hooksPath and foreign hooks ---------------------------------------
t_ok "uninstall" "$SEAL" hook uninstall
t_check "the hook is gone" test ! -e .git/hooks/pre-commit
git config core.hooksPath .githooks
t_ok "install respects core.hooksPath" "$SEAL" hook install
t_check "the hook is in .githooks" test -x .githooks/pre-commit
printf '#!/bin/sh\necho foreign\n' >.githooks/pre-commit
t_exit 1 "a foreign hook is not overwritten" "$SEAL" hook install
t_check "the refusal suggests --force" grep -q -- '--force' "$T_TMP/err"
t_check "the foreign hook is intact" grep -q foreign .githooks/pre-commit
t_ok "--force keeps a backup" "$SEAL" hook install --force
t_check "the backup is the foreign hook" grep -q foreign .githooks/pre-commit.seal-backup
t_ok "uninstall restores the foreign hook" "$SEAL" hook uninstall
t_check "restored" grep -q foreign .githooks/pre-commit
t_exit 1 "uninstall leaves a foreign hook alone" "$SEAL" hook uninstall
t_exit 2 "hook with no action is a usage error" "$SEAL" hook
t_exit 2 "hook with a bad action is a usage error" "$SEAL" hook frob
cd "$T_TMP" && mkdir -p nogit && cd nogit
export GIT_CEILING_DIRECTORIES=$T_TMP
t_exit 2 "--staged outside a repository is trouble" "$SEAL" scan --staged
t_done
