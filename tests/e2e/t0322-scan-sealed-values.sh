#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0322-scan-sealed-values: ciphertext is never a finding. An ENC[...]
# value's base64 (data, iv, tag) is random text; a run of it just before
# ':' once looked like "key: value" to the generic rule and failed about
# one sealed file in ten. Seal many Secrets with fresh random data keys
# and IVs and scan each: none may be flagged.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"

"$SEAL" keygen -o k.agekey >/dev/null 2>&1 || exit 2
r=$("$SEAL" keygen -y k.agekey) || exit 2
cat >s.yaml <<'Y'
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: prod
type: Opaque
stringData:
  username: admin
  password: hunter2-very-secret-pass
  api_key: AKIAEXAMPLE1234567890
  token: ghp_notarealtokenbutlongenough1234567
Y
mkdir sealed
n=300
for i in $(seq 1 $n); do
	"$SEAL" encrypt --age "$r" s.yaml >"sealed/s$i.yaml" 2>/dev/null || exit 2
done
t_exit 0 "$n freshly sealed Secrets: no finding" "$SEAL" scan sealed
t_check "... all $n were scanned" grep -q "^seal scan: $n file(s)" "$T_TMP/err"

# the line that was flagged: an ENC value whose iv ends next to ',tag:'
# (alone it is a sops value without its sops: block, a finding of its own,
# but never a secret assignment)
cat >one.txt <<'Y'
  mac: ENC[AES256_GCM,data:0ST0JN5IQIDNB9l2YQo2y+JjsZsbRqrG1anHbLwQ62lqa0UeuF+Dd24sM9qHpn+XAXKG+qdrgB71IBCNVGLLZf138ECElRqeNWeeL5rkxiNTF9lRUSwJzbR1g4m7K4peg3H2ELoYGVJh8QqjzzTRPPGd7HkL+sVMqUhMa6rdlxI=,iv:iI5Bf11mz7StX7ry31c93VTWjwiSWmh3FEKa8xE1sCg=,tag:LozdOTTFSEjkPHuS2uSpPw==,type:str]
Y
"$SEAL" scan one.txt >"$T_TMP/one" 2>&1
t_check "a MAC's ENC value is not a secret assignment" \
	sh -c "grep -q sops-metadata-missing '$T_TMP/one' && ! grep -q generic-secret '$T_TMP/one'"
# ...while a real assignment after a closed ENC value on the line is
printf 'x: ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:str] password: "9oBdiLp4JCR0thPH"\n' >two.yaml
t_exit 1 "a secret after a closed ENC value is still found" "$SEAL" scan two.yaml
t_done
