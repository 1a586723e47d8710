#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0504-unseal-krm: the KRM function contract, run by a second runner,
# `kpt fn eval --exec`: a ResourceList in, one out with the package's
# items unchanged and the generated Secrets added; a sealed item handed in
# (the transformer route, which cannot verify the MAC) and any failure
# exit non-zero.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog kpt
U="$SEAL_BUILDDIR/unseal"

mkdir keys
"$SEAL" keygen -o keys/a.agekey >/dev/null 2>&1
RA=$("$SEAL" keygen -y keys/a.agekey)
export UNSEAL_KEYS="$T_TMP/keys"

mkdir pkg sealed
cat >pkg/cm.yaml <<'Y'
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: team-a
data:
  mode: fast
Y
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: team-a\nstringData:\n  password: canary-krm-1\n' >clear.yaml
"$SEAL" encrypt --age "$RA" clear.yaml >sealed/db.yaml
cat >fn.yaml <<'Y'
apiVersion: unseal.seal.dev/v1
kind: Unseal
metadata:
  name: secrets
files:
  - sealed/db.yaml
Y
t_ok "kpt fn eval --exec runs the function" kpt fn eval pkg --exec "$U krm" --fn-config fn.yaml -o stdout
cp "$T_TMP/out" kout.yaml
t_check "the package's item is kept" grep -Eq '"?name"?: "?settings' kout.yaml
t_check "the Secret is generated and decrypted" grep -q 'canary-krm-1' kout.yaml
t_check "no ENC[ or sops: left" bash -c "! grep -q 'ENC\[' kout.yaml && ! grep -q 'sops:' kout.yaml"

# a sealed item: refused, non-zero
cp sealed/db.yaml pkg/sealed-item.yaml
t_fail "a sealed item is refused (the transformer route)" kpt fn eval pkg --exec "$U krm" --fn-config fn.yaml -o stdout
t_check "the message names the generator route" grep -q 'files:' "$T_TMP/err"
rm pkg/sealed-item.yaml

# a tampered file: non-zero
python3 - <<'P'
import re
p = "sealed/db.yaml"
s = open(p).read()
m = re.search(r"password: ENC\[AES256_GCM,data:([A-Za-z0-9+/]+)", s)
d = m.group(1)
open(p, "w").write(s.replace(d, ("A" if d[0] != "A" else "B") + d[1:], 1))
P
t_fail "a tampered file fails the function" kpt fn eval pkg --exec "$U krm" --fn-config fn.yaml -o stdout
t_check "the plaintext is not shown" bash -c "! grep -q canary-krm-1 '$T_TMP/out' '$T_TMP/err'"

# the protocol by hand: a ResourceList on stdin
"$SEAL" encrypt --age "$RA" clear.yaml >sealed/db.yaml
cat >rl.yaml <<'Y'
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items: []
functionConfig:
  apiVersion: unseal.seal.dev/v1
  kind: Unseal
  metadata:
    name: s
  files: [sealed/db.yaml]
Y
t_ok "a ResourceList on stdin" bash -c "'$U' krm <rl.yaml"
t_check "the output is a ResourceList" python3 -c "
import json; d = json.load(open('$T_TMP/out'))
assert d['kind'] == 'ResourceList' and d['items'][0]['stringData']['password'] == 'canary-krm-1', d"
printf 'kind: Other\n' >notrl.yaml
t_exit 1 "something else than a ResourceList fails" bash -c "'$U' krm <notrl.yaml"
t_done
