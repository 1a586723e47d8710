#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0261-sops-binding.sh - what the SOPS MAC binds, told truthfully: every
# value in document order (a changed or swapped value fails), not key
# names (namespace: renamed into a label still verifies, so the MAC
# cannot keep a Secret in its namespace); and seal encrypt refuses
# mac_only_encrypted for a Kubernetes Secret, whose metadata it would
# take out of the MAC.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"

"$SEAL" keygen -o k.txt >/dev/null 2>&1 || exit 2
R=$(sed -n 's/^# public key: //p' k.txt)
export SOPS_AGE_KEY_FILE=$PWD/k.txt

cat >s.yaml <<'YAML'
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: payments
stringData:
  password: hunter2-hunter2
YAML
cp s.yaml s.orig

# ---- mac_only_encrypted is refused for a Secret --------------------------
t_exit 2 "encrypt --mac-only-encrypted of a Secret: refused (exit 2)" \
	"$SEAL" encrypt --age "$R" --mac-only-encrypted s.yaml
t_check "... says why" grep -q "mac_only_encrypted would take a Kubernetes Secret's metadata" "$T_TMP/err"
t_check "... names the file" grep -q "s.yaml" "$T_TMP/err"
t_check "... writes nothing" test ! -s "$T_TMP/out"
t_exit 2 "encrypt -i --mac-only-encrypted: refused" \
	"$SEAL" encrypt -i --age "$R" --mac-only-encrypted s.yaml
t_cmp "... the file is unchanged" s.orig s.yaml

mkdir -p repo
cp s.yaml repo/s.yaml
cat >repo/.sops.yaml <<YAML
creation_rules:
  - age: $R
    mac_only_encrypted: true
YAML
(cd repo && "$SEAL" encrypt -i s.yaml >/dev/null 2>"$T_TMP/cfgerr"; echo $? >"$T_TMP/cfgrc")
t_check "mac_only_encrypted from .sops.yaml: refused too (exit 2)" \
	test "$(cat "$T_TMP/cfgrc")" = 2
t_cmp "... the file is unchanged" s.orig repo/s.yaml

{ printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n---\n'; cat s.yaml; } >multi.yaml
t_exit 2 "a multi-document file with one Secret: refused" \
	"$SEAL" encrypt --age "$R" --mac-only-encrypted multi.yaml
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  token: x\n' >cm.yaml
t_ok "not a Secret: mac_only_encrypted is allowed" \
	"$SEAL" encrypt --age "$R" --mac-only-encrypted cm.yaml
t_check "... and recorded" grep -q "mac_only_encrypted: true" "$T_TMP/out"

# ---- what the MAC covers -------------------------------------------------
"$SEAL" encrypt --age "$R" s.yaml >sealed.yaml || exit 2
t_ok "the sealed Secret decrypts" "$SEAL" decrypt sealed.yaml
sed 's/namespace: payments/namespace: attacker/' sealed.yaml >changed.yaml
t_exit 1 "a changed clear value fails the MAC" "$SEAL" decrypt changed.yaml
t_check "... saying MAC" grep -q "MAC" "$T_TMP/err"
awk '/^  namespace: payments$/ { print "  labels:"; print "    namespace: payments"; next } { print }' \
	sealed.yaml >renamed.yaml
t_check "the renamed copy has no metadata.namespace" \
	bash -c "! grep -q '^  namespace:' renamed.yaml"
t_ok "namespace: renamed into a label still verifies (the MAC covers values, not keys)" \
	"$SEAL" decrypt renamed.yaml
t_check "... and comes out without a namespace" \
	bash -c "grep -q '^    namespace: payments' '$T_TMP/out' && ! grep -q '^  namespace:' '$T_TMP/out'"

# ---- the documents say so ------------------------------------------------
t_check "README no longer says a moved copy does not decrypt" \
	bash -c "! grep -qi 'moved to another namespace does not decrypt' '$SEAL_SRCDIR/README.md'"
t_check "the demo no longer says so" \
	bash -c "! grep -qi 'moved to another namespace does not decrypt' '$SEAL_SRCDIR/scripts/demo.sh'"
t_check "README says the MAC does not bind a Secret to its namespace" \
	grep -q "does not bind a Secret to its namespace" "$SEAL_SRCDIR/README.md"
t_check "seal-encrypt(1) says so" grep -q "does not bind a Secret to its" "$SEAL_SRCDIR/doc/seal-encrypt.1"
t_check "SECURITY.md says so" grep -q "does not bind a Secret to its namespace" "$SEAL_SRCDIR/SECURITY.md"
t_done
