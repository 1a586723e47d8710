#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0321-scan-config: the repository's own rules (.seal-scan.toml): a rule
# adding a token format is caught by the installed hook in a real commit,
# a disabled built-in rule no longer fires, protected checks cannot be
# disabled, invalid configs stop with exit 2 and the line, and
# --config-from reads the rules of another revision.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog git

R=$T_TMP/repo
git init -q "$R"
cd "$R" || exit 2
"$SEAL" hook install >/dev/null
JWT=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0LXVzZXItOTEyIn0.Xq3vN8kLm2pR7tY5wZ1aB4cD6eF9gH0jK2
TOK=acme_9f3c2b7a41d85e6f0a1b2c3d4e5f6789
printf 'Authorization: Bearer %s\n' "$JWT" >call.http
git add call.http
t_fail "without a config the built-in jwt rule refuses the JWT" git commit -qm jwt
t_check "... naming the rule" grep -q 'call.http:1: jwt' "$T_TMP/err"
git rm -q --cached call.http
printf 'key = "%s"\n' "$TOK" >client.py
git add client.py
t_ok "an ACME token is not a built-in format" git commit -qm acme-before
git rm -q client.py && git commit -qm rm >/dev/null

cat >.seal-scan.toml <<'TOML'
title = "our rules"

[extend]
disabledRules = ["jwt"]   # our test fixtures carry JWTs

[[rules]]
id = "acme-token"
description = "ACME API token"
regex = '''\bacme_([0-9a-f]{32})\b'''
secretGroup = 1
keywords = ["acme_"]
entropy = 3.0
  [[rules.allowlists]]
  paths = ['''^fixtures/''']
TOML
git add .seal-scan.toml && git commit -qm config >/dev/null 2>&1
t_check "the config is committed" git cat-file -e HEAD:.seal-scan.toml
printf 'key = "%s"\n' "$TOK" >client.py
git add client.py
t_fail "the repository rule refuses the ACME token" git commit -qm acme
t_check "... reported under its own id" grep -q 'client.py:1: acme-token' "$T_TMP/err"
t_check "... with the value redacted" sh -c "! grep -q '$TOK' '$T_TMP/err'"
git rm -q --cached client.py
mkdir -p fixtures && cp client.py fixtures/
git add fixtures
t_ok "the rule's allowlist accepts fixtures/" git commit -qm fixtures
git add call.http
t_ok "the disabled jwt rule no longer fires" git commit -qm jwt
t_exit 1 "seal scan PATH reports the ACME token on disk" \
	"$SEAL" scan client.py
t_exit 0 "seal scan --all: committed tree is clean by its rules" \
	"$SEAL" scan --all -q

# protected checks and invalid configs: exit 2, the file and line
printf '[extend]\ndisabledRules = ["k8s-secret"]\n' >p.toml
t_exit 2 "k8s-secret cannot be disabled" "$SEAL" scan -c p.toml client.py
t_check "... and the message says so" grep -q "p.toml:2: rule 'k8s-secret' cannot be disabled" "$T_TMP/err"
printf '[[rules]]\nid = "sops-plaintext"\n  [[rules.allowlists]]\n  paths = [".*"]\n' >p2.toml
t_exit 2 "sops-* rules cannot be tuned" "$SEAL" scan -c p2.toml client.py
n=0
for f in "$SEAL_SRCDIR"/tests/fixtures/bad/scan-config/*; do
	n=$((n + 1))
	t_exit 2 "invalid config $(basename "$f"): exit 2" "$SEAL" scan -c "$f" client.py
	t_check "... with file:line: what" grep -Eq "$(basename "$f"):[0-9]+: " "$T_TMP/err"
done
t_check "the malformed corpus has cases ($n)" test "$n" -ge 10
t_exit 2 "a missing --config file is trouble" "$SEAL" scan -c nope.toml client.py

# a change that loosens the rules is judged by the base branch's rules
base=$(git rev-parse --abbrev-ref HEAD)
git checkout -qb loosen
printf '[extend]\ndisabledRules = ["jwt"]\n' >.seal-scan.toml
git add .seal-scan.toml && git commit -qm loosen --no-verify
git commit -qm acme --no-verify --allow-empty
cp client.py leak.py && git add leak.py && git commit -qm leak --no-verify
t_exit 0 "--all with the branch's own (loosened) config passes" \
	"$SEAL" scan --all -q
t_exit 1 "--all --config-from the base branch applies its rules" \
	"$SEAL" scan --all --config-from "$base" -q
t_check "... and finds the token the branch's config let through" \
	grep -q 'leak.py:1: acme-token' "$T_TMP/out"
t_exit 2 "--config-from an unknown revision is trouble" \
	"$SEAL" scan --all --config-from no-such-rev -q
t_done
