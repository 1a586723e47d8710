#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0302-scan-precommit: seal as a hook source for the real pre-commit
# framework: a local repository carrying our .pre-commit-hooks.yaml (no
# network), `pre-commit install`, then commits refused and accepted.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog git
t_need_prog pre-commit

export PATH="$(dirname "$SEAL"):$PATH" # language: system runs `seal`
export PRE_COMMIT_HOME="$T_TMP/pc-cache"

SRC=$T_TMP/hooksrc
git init -q "$SRC"
cp "$SEAL_SRCDIR/.pre-commit-hooks.yaml" "$SRC/"
git -C "$SRC" add .pre-commit-hooks.yaml
git -C "$SRC" commit -qm hooks
REV=$(git -C "$SRC" rev-parse HEAD)

R=$T_TMP/app
git init -q "$R"
cd "$R" || exit 2
cat >.pre-commit-config.yaml <<EOF
repos:
  - repo: $SRC
    rev: $REV
    hooks:
      - id: seal-scan
EOF
git add .pre-commit-config.yaml
t_ok "pre-commit install" pre-commit install
git commit -qm config >/dev/null 2>&1
t_check "the config commit went through" sh -c "git rev-parse -q --verify HEAD >/dev/null"

printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\ndata:\n  token: c2VjcmV0LXRva2VuLXZhbHVl\n' >s.yaml
git add s.yaml
t_fail "pre-commit refuses a plaintext Secret" git commit -qm secret
t_check "the framework shows seal's finding" \
	grep -q 's.yaml:6: k8s-secret' "$T_TMP/out" "$T_TMP/err"
git rm -q --cached s.yaml && rm s.yaml
echo 'just text' >notes.md
git add notes.md
t_ok "pre-commit accepts a clean commit" git commit -qm notes
t_check "the framework ran the seal hook and it passed" \
	sh -c "cat '$T_TMP/out' '$T_TMP/err' | grep -q 'seal scan.*Passed'"
printf 'token = "ghp_%s"\n' 0123456789abcdefghijklmnopqrstuvwxyzAB >gh.py
git add gh.py
t_fail "pre-commit refuses a GitHub token" git commit -qm gh
t_check "the finding is the GitHub token" \
	grep -q 'gh.py:1: github-token' "$T_TMP/out" "$T_TMP/err"

# pre-commit run --all-files (what CI runs) scans every tracked file: a
# plaintext Secret committed past the hook is caught, and passes once sealed
t_need_prog age-keygen
R2=$T_TMP/app2
git init -q "$R2"
cd "$R2" || exit 2
cp "$R/.pre-commit-config.yaml" .
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: Pl4in-Committed-Pw\n' >db.yaml
mkdir -p docs && echo 'nothing secret' >docs/readme.md
git add -A && git commit -qm "committed before the hook" --no-verify
t_fail "run --all-files fails on a committed plaintext Secret" \
	pre-commit run --all-files
t_check "... naming the Secret's file and line" \
	grep -q 'db.yaml:6: k8s-secret' "$T_TMP/out" "$T_TMP/err"
t_check "... and not showing the value" \
	sh -c "! grep -q 'Pl4in-Committed-Pw' '$T_TMP/out' '$T_TMP/err'"
age-keygen -o "$T_TMP/k.txt" 2>/dev/null
t_ok "seal encrypt -i seals it" "$SEAL" encrypt \
	-r "$(age-keygen -y "$T_TMP/k.txt")" -i db.yaml
git add db.yaml && git commit -qm sealed --no-verify
t_ok "run --all-files passes once it is sealed" pre-commit run --all-files
t_check "... and the seal hook ran" \
	sh -c "cat '$T_TMP/out' '$T_TMP/err' | grep -q 'seal scan.*Passed'"
t_done
