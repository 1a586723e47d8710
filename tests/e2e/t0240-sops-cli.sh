#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0240-sops-cli.sh - the seal SOPS commands end to end: .sops.yaml
# creation rules (found walking up, path_regex, age as string or list,
# the selection rule, indent), CLI flags overriding them, key discovery
# (SOPS_AGE_KEY, SOPS_AGE_KEY_CMD, the default keys.txt, group-readable
# key files refused), updatekeys, rotate, status, --extract, formats,
# multi-document YAML, and the `sops` command line.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog age-keygen
age-keygen -o k1.txt 2>/dev/null
age-keygen -o k2.txt 2>/dev/null
chmod 600 k1.txt k2.txt
R1=$(sed -n 's/^# public key: //p' k1.txt)
R2=$(sed -n 's/^# public key: //p' k2.txt)
export SOPS_AGE_KEY_FILE=$PWD/k1.txt

secret() {
	cat <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: $1
  namespace: prod
stringData:
  password: hunter2
YAML
}

# ---- creation rules --------------------------------------------------
mkdir -p repo/clusters/prod repo/clusters/dev repo/other
cat >repo/.sops.yaml <<YAML
stores:
  yaml:
    indent: 2
creation_rules:
  - path_regex: clusters/prod/.*\.yaml\$
    encrypted_regex: ^(data|stringData)\$
    age: >-
      $R1,
      $R2
  - path_regex: clusters/dev/
    age:
      - $R2
  - path_regex: \.env\$
    age: $R1
YAML
secret prod >repo/clusters/prod/db.yaml
secret dev >repo/clusters/dev/db.yaml
cd repo/clusters/prod || exit 2
t_ok "encrypt picks the rule from ../../.sops.yaml" "$SEAL" encrypt -i db.yaml
t_check "sealed for both recipients of the rule" \
    test "$(grep -c 'recipient: age1' db.yaml)" -eq 2
t_check "the rule's encrypted_regex is recorded" \
    grep -q 'encrypted_regex: ^(data|stringData)\$' db.yaml
t_check "metadata.name stays readable" grep -q "name: prod" db.yaml
t_check "stringData.password is sealed" grep -q "password: ENC\[AES256_GCM" db.yaml
t_exit 1 "encrypt refuses a sealed file" "$SEAL" encrypt db.yaml
t_check "... saying so" grep -q "already sealed" "$T_TMP/err"
cd ../dev || exit 2
t_ok "the second rule (age list) applies under clusters/dev" \
    "$SEAL" encrypt -i db.yaml
t_check "sealed for R2 only" test "$(grep -c "recipient: $R2" db.yaml)" -eq 1
t_exit 1 "R1 cannot decrypt the dev file" "$SEAL" decrypt db.yaml
t_check "... the message names the recipient" grep -q "$R2" "$T_TMP/err"
SOPS_AGE_KEY_FILE=$T_TMP/k2.txt t_ok "R2 decrypts the dev file" \
    "$SEAL" decrypt db.yaml
cd ../../other || exit 2
secret x >nomatch.yaml
t_exit 1 "no matching rule: refused" "$SEAL" encrypt nomatch.yaml
t_check "... with a message naming the path" grep -q "no creation rule" "$T_TMP/err"
t_ok "-r overrides the rules" "$SEAL" encrypt -r "$R1" nomatch.yaml
t_ok "--config names another config" "$SEAL" encrypt \
    --config "$T_TMP/repo/.sops.yaml" --filename-override x.env - </dev/null
cd "$T_TMP" || exit 2

# ---- updatekeys: re-wrap only ----------------------------------------
cp repo/clusters/dev/db.yaml dev-before.yaml
sed -i "s|      - $R2|      - $R2\n      - $R1|" repo/.sops.yaml
cd repo/clusters/dev || exit 2
SOPS_AGE_KEY_FILE=$T_TMP/k2.txt t_ok "updatekeys adds R1" "$SEAL" updatekeys -y db.yaml
t_check "two recipients now" test "$(grep -c 'recipient: age1' db.yaml)" -eq 2
grep -v -e '^    - recipient' -e '^      enc' -e '^        ' db.yaml >after
grep -v -e '^    - recipient' -e '^      enc' -e '^        ' "$T_TMP/dev-before.yaml" >before
t_cmp "values, mac and lastmodified are untouched" before after
t_ok "R1 decrypts it now" "$SEAL" decrypt db.yaml
SOPS_AGE_KEY_FILE=$T_TMP/k2.txt t_ok "updatekeys again: nothing to do" \
    "$SEAL" updatekeys db.yaml
t_check "... says up to date" grep -q "up to date" "$T_TMP/err"
cd "$T_TMP" || exit 2

# ---- rotate ----------------------------------------------------------
cp repo/clusters/prod/db.yaml rot.yaml
t_ok "rotate -i with --rm-age" "$SEAL" rotate -i --rm-age "$R2" rot.yaml
t_check "one recipient left" test "$(grep -c 'recipient: age1' rot.yaml)" -eq 1
t_check "the value's ciphertext changed" test \
    "$(grep password: rot.yaml)" != "$(grep password: repo/clusters/prod/db.yaml)"
"$SEAL" decrypt --extract '["stringData"]["password"]' rot.yaml >v
t_check "rotated file decrypts, --extract prints the raw value" \
    test "$(cat v)" = hunter2

# ---- status ----------------------------------------------------------
secret plain >plain.yaml
t_exit 0 "status: sealed file" "$SEAL" status rot.yaml
t_check "... names the recipient" grep -q "$R1" "$T_TMP/out"
t_exit 1 "status: plain file" "$SEAL" status plain.yaml
t_check "... not sealed" grep -q "not sealed" "$T_TMP/out"
sed 's/password: ENC.*/password: leaked/' rot.yaml >half.yaml
t_exit 1 "status: half-sealed file" "$SEAL" status half.yaml
t_check "... points at the line" grep -q "half.yaml:7: plaintext-value" "$T_TMP/out"
t_exit 1 "status --json" "$SEAL" status --json half.yaml
t_check "... is JSON with whole=false" grep -q '"whole": false' "$T_TMP/out"

# ---- key discovery ---------------------------------------------------
unset SOPS_AGE_KEY_FILE
 t_exit 1 "no identity anywhere: no key, exit 1" "$SEAL" decrypt rot.yaml
 t_check "... and says where to put one" grep -q "keys.txt" "$T_TMP/err"
 SOPS_AGE_KEY=$(grep AGE-SECRET k1.txt) t_ok "SOPS_AGE_KEY" "$SEAL" decrypt rot.yaml
 SOPS_AGE_KEY_CMD="cat '$T_TMP/k1.txt'" t_ok "SOPS_AGE_KEY_CMD (argv, no shell)" \
     "$SEAL" decrypt rot.yaml
 SOPS_AGE_KEY_CMD="false" t_exit 2 "a failing SOPS_AGE_KEY_CMD" "$SEAL" decrypt rot.yaml
 mkdir -p xdg/sops/age && install -m 600 k1.txt xdg/sops/age/keys.txt
 XDG_CONFIG_HOME=$T_TMP/xdg t_ok "default keys.txt under XDG_CONFIG_HOME" \
     "$SEAL" decrypt rot.yaml
 mkdir -p "$HOME/.config/sops/age" && install -m 600 k1.txt "$HOME/.config/sops/age/keys.txt"
 t_ok "default ~/.config/sops/age/keys.txt" "$SEAL" decrypt rot.yaml
 rm "$HOME/.config/sops/age/keys.txt"
 install -m 640 k1.txt open.txt
 SOPS_AGE_KEY_FILE=$T_TMP/open.txt t_exit 2 "a group-readable key file is refused" \
     "$SEAL" decrypt rot.yaml
 t_check "... with chmod advice" grep -q "chmod 600" "$T_TMP/err"
export SOPS_AGE_KEY_FILE=$T_TMP/k1.txt

# ---- formats ---------------------------------------------------------
printf 'A=1\n# c\nB=x y\\nz\n' >a.env
t_ok "encrypt dotenv" "$SEAL" encrypt -r "$R1" --output a.sealed.env a.env
t_check "flattened metadata" grep -q '^sops_mac=ENC\[' a.sealed.env
t_ok "decrypt dotenv" "$SEAL" decrypt a.sealed.env
t_cmp "dotenv round trip" a.env "$T_TMP/out"
printf '\000\001binary\377' >blob.bin
t_ok "encrypt binary" "$SEAL" encrypt -r "$R1" -i blob.bin
t_check "binary is a JSON envelope" grep -q '"data": "ENC\[' blob.bin
t_ok "decrypt binary" "$SEAL" decrypt blob.bin
printf '\000\001binary\377' >blob.want
t_cmp "binary round trip" blob.want "$T_TMP/out"
printf '{"a": {"b": [1, 2.5, true, null, "s"]}}\n' >j.json
t_ok "encrypt json" "$SEAL" encrypt -r "$R1" j.json
cp "$T_TMP/out" j.sealed.json
t_check "json keeps the mac spacing Flux looks for" grep -q '"mac": "ENC\[' j.sealed.json
t_ok "decrypt json to yaml" "$SEAL" decrypt --output-type yaml j.sealed.json
t_check "... yaml output" grep -q "^a:" "$T_TMP/out"
printf 'a: 1\n---\nb: two\n' >multi.yaml
t_ok "encrypt multi-document yaml" "$SEAL" encrypt -r "$R1" -i multi.yaml
t_check "every document carries the sops block" test "$(grep -c '^sops:' multi.yaml)" -eq 2
t_check "one MAC for the file" test "$(grep -E '^ +mac:' multi.yaml | sort -u | wc -l)" -eq 1
t_ok "decrypt multi-document yaml" "$SEAL" decrypt multi.yaml
printf 'a: 1\n---\nb: two\n' >multi.want
t_cmp "multi-document round trip" multi.want "$T_TMP/out"

# ---- as `sops` -------------------------------------------------------
ln -s "$SEAL" sops
t_ok "sops -d FILE" ./sops -d rot.yaml
t_ok "sops decrypt FILE" ./sops decrypt rot.yaml
t_ok "sops --decrypt --output-type json FILE" ./sops --decrypt --output-type json rot.yaml
cp plain.yaml p2.yaml
t_ok "sops -e -i --age R FILE" ./sops -e -i --age "$R1" p2.yaml
t_ok "sops --indent 2 encrypt (global flag first)" ./sops --indent 2 encrypt --age "$R1" plain.yaml
t_exit 51 "sops exit 51 on MAC mismatch" ./sops -d half.yaml
SOPS_AGE_KEY_FILE=$T_TMP/k2.txt t_exit 128 "sops exit 128 when no key matches" ./sops -d rot.yaml
t_exit 203 "sops exit 203 when already encrypted" ./sops -e --age "$R1" rot.yaml
t_ok "sops filestatus" ./sops filestatus rot.yaml
t_check "... says encrypted" grep -qx '{"encrypted":true}' "$T_TMP/out"
t_ok "sops --set" ./sops --set '["stringData"]["password"] "new"' rot.yaml
t_check "... set the value" test "$(./sops -d --extract '["stringData"]["password"]' rot.yaml)" = new
EDITOR=true t_exit 200 "sops FILE edits; unchanged is exit 200" ./sops rot.yaml
t_exit 1 "unsupported sops flags are refused" ./sops --pgp FP -e plain.yaml

# ---- --help everywhere ----------------------------------------------
for c in encrypt decrypt edit set unset updatekeys rotate status; do
	t_ok "seal $c --help" "$SEAL" "$c" --help
	t_check "... prints usage" grep -q "^usage: seal $c" "$T_TMP/out"
done
t_exit 2 "an unknown flag is a usage error" "$SEAL" decrypt --bogus x
t_done
