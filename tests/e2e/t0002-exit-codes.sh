#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0002-exit-codes: one exit code per meaning, in every command (the table
# under EXIT STATUS in seal(1)): 0 ok; 1 a negative answer (plaintext
# found, bad MAC, not sealed / already sealed, no key at all or none
# matching, no recipients for a file, a commit refused); 2 usage or
# environment trouble (flags, unreadable or malformed input, unusable key
# files). Invoked as sops, seal keeps sops's own codes.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog age-keygen
age-keygen -o k1.txt 2>/dev/null
age-keygen -o k2.txt 2>/dev/null
chmod 600 k1.txt k2.txt
R1=$(sed -n 's/^# public key: //p' k1.txt)
R2=$(sed -n 's/^# public key: //p' k2.txt)
cat >plain.yaml <<'YAML'
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: prod
stringData:
  password: hunter2
YAML
"$SEAL" encrypt -r "$R1" plain.yaml >sealed.yaml || exit 2

# ---- 2: usage, on every command ------------------------------------------
for c in encrypt decrypt edit set unset status updatekeys rotate scan hook \
	keygen age; do
	t_exit 2 "seal $c: an unknown option is usage trouble" \
		"$SEAL" "$c" --no-such-flag
	t_check "... one line naming the option, then the usage" \
		sh -c "head -1 '$T_TMP/err' | grep -q \"^seal $c: unknown option '--no-such-flag'\$\" &&
		       sed -n 2p '$T_TMP/err' | grep -q '^usage: seal $c'"
done
t_exit 2 "a missing option value is usage trouble" "$SEAL" decrypt --output
t_check "... saying which" grep -q "option '--output' requires a value" \
	"$T_TMP/err"
t_exit 2 "a value given to a flag is usage trouble" "$SEAL" status --json=1 x
t_exit 2 "too many operands is usage trouble" "$SEAL" decrypt a b
t_exit 2 "no command is usage trouble" "$SEAL"

# ---- the option spellings the table accepts ------------------------------
t_ok "--output=FILE" env SOPS_AGE_KEY_FILE=k1.txt \
	"$SEAL" decrypt --output=o1.yaml sealed.yaml
t_cmp "... writes the plaintext" plain.yaml o1.yaml
t_ok "an unambiguous prefix (--ext for --extract)" env SOPS_AGE_KEY_FILE=k1.txt \
	"$SEAL" decrypt --ext '["stringData"]["password"]' sealed.yaml
t_check "... prints the value" grep -qx hunter2 "$T_TMP/out"
t_exit 2 "an ambiguous prefix is usage trouble" "$SEAL" decrypt --in x
t_check "... saying so" grep -q "ambiguous option '--in'" "$T_TMP/err"
t_ok "bundled short flags (seal age -da)" sh -c \
	"'$SEAL' age -r '$R1' -a <plain.yaml >c.age &&
	 '$SEAL' age -di k1.txt c.age >o3.yaml"
t_cmp "... round-trips" plain.yaml o3.yaml
t_ok "'--' ends the options" env SOPS_AGE_KEY_FILE=k1.txt \
	"$SEAL" status -- sealed.yaml

# ---- 2: environment trouble ----------------------------------------------
t_exit 2 "an unreadable file is trouble" "$SEAL" status missing.yaml
t_exit 2 "a clear file that does not parse is trouble" \
	"$SEAL" encrypt -r "$R1" --input-type json plain.yaml
cp k1.txt open.txt
chmod 644 open.txt
t_exit 2 "a group-readable key file is trouble" \
	env SOPS_AGE_KEY_FILE=open.txt "$SEAL" decrypt sealed.yaml
t_exit 2 "a failing SOPS_AGE_KEY_CMD is trouble" \
	env SOPS_AGE_KEY_CMD=false "$SEAL" decrypt sealed.yaml

# ---- 1: negative answers -------------------------------------------------
t_exit 1 "no identity anywhere: no key, a negative answer" \
	"$SEAL" decrypt sealed.yaml
t_check "... saying where keys are looked for" \
	grep -q "no age identity found" "$T_TMP/err"
t_exit 1 "no identity matching: the same answer" \
	env SOPS_AGE_KEY_FILE=k2.txt "$SEAL" decrypt sealed.yaml
t_exit 1 "no recipients for the file (no .sops.yaml, no -r)" \
	"$SEAL" encrypt plain.yaml
t_check "... saying how to give some" grep -q "no age recipients" \
	"$T_TMP/err"
mkdir rules
printf 'creation_rules:\n  - path_regex: ^nothing$\n    age: %s\n' "$R1" \
	>rules/.sops.yaml
cp plain.yaml rules/
t_exit 1 "no creation rule matching the file: the same answer" \
	sh -c "cd rules && '$SEAL' encrypt plain.yaml"
t_exit 1 "an already sealed file is refused" \
	"$SEAL" encrypt -r "$R1" sealed.yaml
t_exit 1 "a clear file has nothing to decrypt" \
	env SOPS_AGE_KEY_FILE=k1.txt "$SEAL" decrypt plain.yaml
# the MAC covers the clear values too: a renamed Secret no longer matches
sed 's/^  name: db$/  name: dc/' sealed.yaml >badmac.yaml
t_check "(a clear value was altered)" sh -c "! cmp -s sealed.yaml badmac.yaml"
t_exit 1 "a bad MAC" env SOPS_AGE_KEY_FILE=k1.txt "$SEAL" decrypt badmac.yaml
t_exit 1 "seal status: a clear file is not sealed" "$SEAL" status plain.yaml
t_exit 1 "seal scan: a plaintext Secret is found" "$SEAL" scan plain.yaml
t_exit 1 "seal age -d with a non-matching identity" \
	"$SEAL" age -d -i k2.txt c.age

# ---- 0 -------------------------------------------------------------------
t_exit 0 "seal status of a sealed file" "$SEAL" status sealed.yaml
t_exit 0 "seal scan of a sealed file" "$SEAL" scan sealed.yaml

# ---- sops's own codes when invoked as sops -------------------------------
ln -s "$SEAL" sops
t_exit 128 "sops: no identity anywhere is 128" ./sops -d sealed.yaml
t_exit 128 "sops: no identity matching is 128" \
	env SOPS_AGE_KEY_FILE=k2.txt ./sops -d sealed.yaml
t_exit 100 "sops: no file is 100" ./sops edit
t_exit 1 "sops: an unknown flag is 1" ./sops --pgp FP -e plain.yaml
t_exit 203 "sops: an already encrypted file is 203" \
	./sops -e --age "$R1" sealed.yaml
t_exit 51 "sops: a bad MAC is 51" env SOPS_AGE_KEY_FILE=k1.txt \
	./sops -d badmac.yaml
t_done
