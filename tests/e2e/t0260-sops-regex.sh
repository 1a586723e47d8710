#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0260-sops-regex.sh - a regex error is not "no match": a selection rule
# (from the command line, a .sops.yaml, or a file's own sops: metadata) or
# a path_regex that the regex engine cannot decide stops the command with
# exit 2, names the file and the key, and writes nothing; the pre-commit
# scan fails (exit 2) rather than passing the file; and a regex sops could
# not read back (outside Go's RE2 syntax) is refused before it is written.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"

"$SEAL" keygen -o k.txt >/dev/null 2>&1 || exit 2
R=$(sed -n 's/^# public key: //p' k.txt)
export SOPS_AGE_KEY_FILE=$PWD/k.txt

# The regex matches the key (40 'a's and a 'b'), but only after 2^40
# steps of backtracking: PCRE2 gives up.
EVIL='^(?:(a|aa)+c|a+b)$'
KEY=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab
cat >s.yaml <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: prod
data:
  $KEY: c2VjcmV0LXZhbHVl
YAML
cp s.yaml s.orig

t_exit 2 "encrypt --encrypted-regex that cannot decide: exit 2" \
	"$SEAL" encrypt --age "$R" --encrypted-regex "$EVIL" s.yaml
t_check "... prints nothing on stdout (no plaintext)" test ! -s "$T_TMP/out"
t_check "... names the file" grep -q "s.yaml" "$T_TMP/err"
t_check "... names the key" grep -q "data.$KEY" "$T_TMP/err"
t_check "... names the rule" grep -q "encrypted_regex" "$T_TMP/err"
t_check "... never prints the value" bash -c "! grep -q 'c2VjcmV0LXZhbHVl' '$T_TMP/err'"

t_exit 2 "encrypt -i: exit 2" \
	"$SEAL" encrypt -i --age "$R" --encrypted-regex "$EVIL" s.yaml
t_cmp "... the file is unchanged" s.orig s.yaml
t_check "... and no temp file is left" \
	bash -c "[ \$(ls -A | grep -c '^\.s\.yaml') -eq 0 ]"

t_exit 2 "encrypt --output: exit 2" \
	"$SEAL" encrypt --age "$R" --encrypted-regex "$EVIL" --output o.yaml s.yaml
t_check "... no output file" test ! -e o.yaml

t_exit 2 "--unencrypted-regex that cannot decide: exit 2 too" \
	"$SEAL" encrypt --age "$R" --unencrypted-regex "$EVIL" s.yaml
t_check "... nothing on stdout" test ! -s "$T_TMP/out"

# the same regex in .sops.yaml
mkdir -p repo
cp s.yaml repo/s.yaml
cat >repo/.sops.yaml <<YAML
creation_rules:
  - encrypted_regex: $EVIL
    age: $R
YAML
(
	cd repo || exit 2
	"$SEAL" encrypt -i s.yaml >/dev/null 2>"$T_TMP/cfgerr"
	echo $? >"$T_TMP/cfgrc"
)
t_check "a .sops.yaml rule that cannot decide: exit 2" \
	test "$(cat "$T_TMP/cfgrc")" = 2
t_cmp "... the file is unchanged" s.orig repo/s.yaml

# a path_regex that cannot decide does not fall through to the next
# rule, nor to the keys given on the command line
mkdir -p pr
cat >pr/.sops.yaml <<YAML
creation_rules:
  - path_regex: $EVIL
    age: $R
  - path_regex: .*
    age: $R
YAML
cp s.yaml "pr/$KEY"
(
	cd pr || exit 2
	"$SEAL" encrypt -i "$KEY" >/dev/null 2>"$T_TMP/prerr"
	echo $? >"$T_TMP/prrc"
	"$SEAL" encrypt -i --age "$R" "$KEY" >/dev/null 2>>"$T_TMP/prerr"
	echo $? >>"$T_TMP/prrc"
)
t_check "a path_regex that cannot decide: exit 2, with and without --age" \
	test "$(tr '\n' ' ' <"$T_TMP/prrc")" = "2 2 "
t_check "... says path_regex" grep -q "path_regex" "$T_TMP/prerr"
t_cmp "... the file is unchanged" s.orig "pr/$KEY"

# a sealed file whose own metadata carries the regex (written by another
# tool): decrypt and the scanner refuse to decide
"$SEAL" encrypt --age "$R" s.yaml >sealed.yaml || exit 2
sed "s/^  encrypted_regex: .*/  encrypted_regex: $EVIL/" sealed.yaml >evil.yaml
t_check "the metadata now carries the regex" grep -q "a|aa" evil.yaml
t_exit 2 "decrypt of a file whose own rule cannot decide: exit 2" \
	"$SEAL" decrypt evil.yaml
t_check "... no plaintext on stdout" test ! -s "$T_TMP/out"
t_check "... names the key" grep -q "$KEY" "$T_TMP/err"
t_exit 2 "seal scan of that file: a failed scan (exit 2), not 'no finding'" \
	"$SEAL" scan evil.yaml
t_check "... says why" grep -q "encrypted_regex" "$T_TMP/err"

# a regex sops could not read back is never written into a file
for re in '^(?=data)' '(?<!x)data' '(a)\1' '(?>data)' 'data*+' '\C' \
	'(?(1)a|b)' '(?R)' 'a{,3}'; do
	t_exit 2 "encrypt refuses non-RE2 regex $re" \
		"$SEAL" encrypt --age "$R" --encrypted-regex "$re" s.yaml
	t_check "... says sops could not read it" grep -q "RE2" "$T_TMP/err"
done
t_ok "an RE2 regex is fine" \
	"$SEAL" encrypt --age "$R" --encrypted-regex '^(?:data|stringData)$' s.yaml
t_check "... and is written" grep -q 'encrypted_regex: \^(?:data|stringData)\$' "$T_TMP/out"
cat >repo/.sops.yaml <<YAML
creation_rules:
  - encrypted_regex: ^(?!metadata)
    age: $R
YAML
(
	cd repo || exit 2
	"$SEAL" encrypt -i s.yaml >/dev/null 2>"$T_TMP/cfgerr"
	echo $? >"$T_TMP/cfgrc"
)
t_check "a lookahead in .sops.yaml is refused: exit 2" \
	test "$(cat "$T_TMP/cfgrc")" = 2
t_cmp "... the file is unchanged" s.orig repo/s.yaml

# seal cluster add writes path_regex into .sops.yaml: RE2 only
mkdir -p reg && cd reg || exit 2
git init -q
t_exit 2 "cluster add --path with a lookahead: refused" \
	"$SEAL" cluster add prod --path '^(?=clusters/prod)' --key-file "$T_TMP/prod.key"
t_check "... says sops could not read it" grep -q "RE2" "$T_TMP/err"
t_check "... no .sops.yaml written" test ! -e .sops.yaml
t_check "... no key file written" test ! -e "$T_TMP/prod.key"
t_exit 2 "cluster add --tenant with a backreference: refused" \
	"$SEAL" cluster add prod --tenant 'ns=(a)\1' --key-file "$T_TMP/prod.key"
t_check "... no .sops.yaml written" test ! -e .sops.yaml
t_ok "cluster add --path with an RE2 regex works" \
	"$SEAL" cluster add prod --path 'clusters/prod/.*' --key-file "$T_TMP/prod.key"
t_check "... and is written" grep -q 'path_regex: clusters/prod/' .sops.yaml
cd .. || exit 2
t_done
