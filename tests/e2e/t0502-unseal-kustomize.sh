#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0502-unseal-kustomize: real kustomize (kubectl kustomize
# --enable-alpha-plugins) runs unseal as a legacy exec plugin generator
# found under KUSTOMIZE_PLUGIN_HOME. The generator's files: are read as
# sealed, their MACs verified, and kustomize's namespace: and namePrefix:
# apply afterwards. A tampered or foreign file fails the build with
# nothing rendered.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog kubectl
U="$SEAL_BUILDDIR/unseal"

mkdir keys
"$SEAL" keygen -o keys/a.agekey >/dev/null 2>&1
RA=$("$SEAL" keygen -y keys/a.agekey)
"$SEAL" keygen -o foreign.agekey >/dev/null 2>&1
RF=$("$SEAL" keygen -y foreign.agekey)

# the plugin: apiVersion unseal.seal.dev/v1, kind Unseal; installed, the
# executable is unseal itself under the name of its Kind (a symlink); the
# build tree's unseal is a libtool wrapper, so a two-line script here
export KUSTOMIZE_PLUGIN_HOME="$T_TMP/plugins"
mkdir -p "$KUSTOMIZE_PLUGIN_HOME/unseal.seal.dev/v1/unseal"
printf '#!/bin/sh\nexec "%s" krm "$@"\n' "$U" >"$KUSTOMIZE_PLUGIN_HOME/unseal.seal.dev/v1/unseal/Unseal"
chmod +x "$KUSTOMIZE_PLUGIN_HOME/unseal.seal.dev/v1/unseal/Unseal"
export UNSEAL_KEYS="$T_TMP/keys"

mkdir app
for n in db api; do
	printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: team-a\ntype: Opaque\nstringData:\n  password: canary-kust-%s\ndata:\n  blob: aGVsbG8=\n' "$n" "$n" >clear-$n.yaml
	"$SEAL" encrypt --age "$RA" clear-$n.yaml >app/$n.sealed.yaml
done
cat >app/unseal.yaml <<'Y'
apiVersion: unseal.seal.dev/v1
kind: Unseal
metadata:
  name: secrets
files:
  - db.sealed.yaml
  - api.sealed.yaml
Y
cat >app/kustomization.yaml <<'Y'
namespace: team-a
namePrefix: prod-
generators:
  - unseal.yaml
Y

t_ok "kubectl kustomize --enable-alpha-plugins builds" kubectl kustomize --enable-alpha-plugins app
cp "$T_TMP/out" built.yaml
t_check "both Secrets are rendered with the prefix" bash -c "grep -q 'name: prod-db' built.yaml && grep -q 'name: prod-api' built.yaml"
t_check "in the namespace" test "$(grep -c 'namespace: team-a' built.yaml)" -eq 2
t_check "decrypted" bash -c "grep -q 'password: canary-kust-db' built.yaml && grep -q 'password: canary-kust-api' built.yaml"
t_check "data values are kept" test "$(grep -c 'blob: aGVsbG8=' built.yaml)" -eq 2
t_check "no ENC[ or sops: left" bash -c "! grep -q 'ENC\[' built.yaml && ! grep -q '^sops:' built.yaml"

# a tampered file fails the whole build, nothing rendered
cp app/db.sealed.yaml db.good
python3 - <<'P'
import re
p = "app/db.sealed.yaml"
s = open(p).read()
m = re.search(r"password: ENC\[AES256_GCM,data:([A-Za-z0-9+/]+)", s)
d = m.group(1)
open(p, "w").write(s.replace(d, ("A" if d[0] != "A" else "B") + d[1:], 1))
P
t_fail "a tampered file fails the build" kubectl kustomize --enable-alpha-plugins app
t_check "nothing rendered (tampered)" test ! -s "$T_TMP/out"
t_check "the error names the file" grep -q 'db.sealed.yaml' "$T_TMP/err"
cp db.good app/db.sealed.yaml

# a foreign file (sealed for a key we do not hold)
"$SEAL" encrypt --age "$RF" clear-api.yaml >app/api.sealed.yaml
t_fail "a foreign file fails the build" kubectl kustomize --enable-alpha-plugins app
t_check "nothing rendered (foreign)" test ! -s "$T_TMP/out"
"$SEAL" encrypt --age "$RA" clear-api.yaml >app/api.sealed.yaml

# a file sealed for another namespace, with the destination known
sed 's/namespace: team-a/namespace: team-b/' clear-api.yaml >clear-b.yaml
"$SEAL" encrypt --age "$RA" clear-b.yaml >app/api.sealed.yaml
t_fail "another namespace fails the build (ARGOCD_APP_NAMESPACE)" \
	env ARGOCD_APP_NAMESPACE=team-a kubectl kustomize --enable-alpha-plugins app
t_check "nothing rendered (namespace)" test ! -s "$T_TMP/out"
"$SEAL" encrypt --age "$RA" clear-api.yaml >app/api.sealed.yaml

# paths: nothing outside the kustomization
printf 'apiVersion: unseal.seal.dev/v1\nkind: Unseal\nmetadata:\n  name: s\nfiles:\n  - ../outside.yaml\n' >app/unseal.yaml
cp app/db.sealed.yaml outside.yaml
t_fail "a file above the kustomization is refused" kubectl kustomize --enable-alpha-plugins app
t_check "nothing rendered (path)" test ! -s "$T_TMP/out"

# the plugin contract directly: unseal krm CONFIG in the directory
printf 'apiVersion: unseal.seal.dev/v1\nkind: Unseal\nmetadata:\n  name: s\nfiles:\n  - db.sealed.yaml\n' >app/unseal.yaml
t_ok "unseal krm CONFIG prints the documents" bash -c "cd app && '$U' krm unseal.yaml"
t_check "decrypted by krm CONFIG" grep -q 'canary-kust-db' "$T_TMP/out"
printf 'apiVersion: x/v1\nkind: X\nmetadata:\n  name: s\n' >app/empty.yaml
t_exit 1 "a config without files: fails" bash -c "cd app && '$U' krm empty.yaml"
# secretFrom (KSOPS's field): a Secret from sealed dotenv, JSON and
# binary files
mkdir sf
printf 'DB_USER=admin\nDB_PASS=canary-kust-env\n' >app.env
"$SEAL" encrypt --age "$RA" app.env >sf/app.env
printf '\000\001bin\377' >tls.bin
"$SEAL" encrypt --age "$RA" --input-type binary tls.bin >sf/tls.bin
printf '{"a": "canary-kust-json"}\n' >c.json
"$SEAL" encrypt --age "$RA" c.json >sf/c.json
cat >sf/unseal.yaml <<'Y'
apiVersion: unseal.seal.dev/v1
kind: Unseal
metadata:
  name: s
secretFrom:
  - metadata:
      name: app
      namespace: team-a
    type: Opaque
    envs: [app.env]
    files: [c.json, tls.key=tls.bin]
Y
printf 'namespace: team-a\nnamePrefix: p-\ngenerators:\n- unseal.yaml\n' >sf/kustomization.yaml
t_ok "secretFrom builds" kubectl kustomize --enable-alpha-plugins sf
cp "$T_TMP/out" sf.out
t_check "the Secret from files has every key" python3 - <<'P'
import base64, re
s = open("sf.out").read()
d = dict(re.findall(r"^  ([A-Za-z_.]+): (\S+)$", s, re.M))
assert base64.b64decode(d["DB_PASS"]) == b"canary-kust-env", d
assert base64.b64decode(d["DB_USER"]) == b"admin", d
assert b"canary-kust-json" in base64.b64decode(d["c.json"]), d
assert base64.b64decode(d["tls.key"]) == b"\x00\x01bin\xff", d
assert "name: p-app" in s and "namespace: team-a" in s, s
P
sed -i 's/      namespace: team-a/      labels: {}/' sf/unseal.yaml
t_fail "secretFrom without a namespace is refused" kubectl kustomize --enable-alpha-plugins sf
t_check "nothing rendered (secretFrom)" test ! -s "$T_TMP/out"
cp app.env sf/app.env
sed -i 's/      labels: {}/      namespace: team-a/' sf/unseal.yaml
t_fail "secretFrom of a clear file is refused" kubectl kustomize --enable-alpha-plugins sf
t_check "the plaintext is not shown" bash -c "! grep -q canary-kust-env '$T_TMP/err'"
t_done
