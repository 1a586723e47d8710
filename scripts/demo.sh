#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# demo.sh - install what is missing, build, and walk through the main job
# on a throwaway git repository: register a cluster key, try to commit a
# plaintext Secret (the hook refuses), seal it, commit, decrypt it the way
# the cluster would, show what the MAC catches (a changed value) and what
# it does not (a renamed key), and that only the cluster's key opens it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/deps.sh"
bash "$top/scripts/build.sh" "$top/build"
seal=$top/build/seal
demo=$(mktemp -d /tmp/seal-demo.XXXXXX)
trap 'rm -rf "$demo"' EXIT
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

cd "$demo"
mkdir -p keys repo/clusters/prod-eu
export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.org
export GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.org

say "1. a keypair for the cluster prod-eu (the private key never enters the repo)"
run "$seal" keygen -o keys/prod-eu.agekey
recipient=$("$seal" keygen -y keys/prod-eu.agekey)
ls -l keys/prod-eu.agekey

say "2. the GitOps repo: creation rules name the cluster's public key"
cd repo
git init -q -b main
cat >.sops.yaml <<YAML
creation_rules:
  - path_regex: clusters/prod-eu/.*\.yaml\$
    encrypted_regex: ^(data|stringData)\$
    age: $recipient
YAML
cat .sops.yaml
run "$seal" hook install

say "3. a developer writes a plain Secret"
cat >clusters/prod-eu/db.yaml <<'YAML'
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: payments
type: Opaque
stringData:
  username: app # the service account
  password: s3cr3t-Pa55w0rd-9f8e7d
YAML
cat clusters/prod-eu/db.yaml
git add .sops.yaml clusters/prod-eu/db.yaml

say "4. committing it in the clear is refused by the pre-commit hook"
if git commit -q -m "add db secret" 2>&1; then
	echo "demo: the hook let a plaintext Secret through" >&2; exit 1
fi

say "5. seal it in place: values encrypted, keys and structure readable"
run "$seal" encrypt -i clusters/prod-eu/db.yaml
cat clusters/prod-eu/db.yaml
run "$seal" status clusters/prod-eu/db.yaml

say "6. now the commit goes through"
git add clusters/prod-eu/db.yaml
run git commit -q -m "add db secret (sealed)"
git log --oneline

say "7. in the cluster, with only its own key: decrypt, MAC verified"
SOPS_AGE_KEY_FILE=$demo/keys/prod-eu.agekey run "$seal" decrypt clusters/prod-eu/db.yaml

say "8. what the MAC covers: every value, in order (a changed value is caught)"
moved=$demo/moved.yaml
sed 's/namespace: payments/namespace: attacker/' clusters/prod-eu/db.yaml >"$moved"
if SOPS_AGE_KEY_FILE=$demo/keys/prod-eu.agekey "$seal" decrypt "$moved"; then
	echo "demo: a changed value went unnoticed" >&2; exit 1
fi

say "9. what it does not cover: key names (namespace: renamed into a label)"
# The SOPS MAC hashes the values in document order, not the keys: moving
# 'namespace: payments' under labels keeps every value and its order, so
# the MAC still verifies and the Secret has no namespace any more. The
# MAC does not bind a Secret to its namespace.
awk '/^  namespace: payments$/ { print "  labels:"; print "    namespace: payments"; next } { print }' \
	clusters/prod-eu/db.yaml >"$moved"
diff clusters/prod-eu/db.yaml "$moved" || true
if ! SOPS_AGE_KEY_FILE=$demo/keys/prod-eu.agekey run "$seal" decrypt "$moved"; then
	echo "demo: expected the renamed key to keep the MAC valid" >&2; exit 1
fi
echo "(decrypts: the MAC verified, and metadata.namespace is gone)"

say "10. what protects a tenant: its own key, and the decryptor's namespace policy"
# Only the key a file is sealed for opens it: another cluster's (or
# tenant's) key cannot, wherever the file is copied.
run "$seal" keygen -o "$demo/keys/staging.agekey"
if SOPS_AGE_KEY_FILE=$demo/keys/staging.agekey "$seal" decrypt clusters/prod-eu/db.yaml; then
	echo "demo: another cluster's key opened the file" >&2; exit 1
fi
cat <<'TXT'
(refused: sealed for prod-eu only.) In the cluster, the decryptor (unseal)
refuses a Secret without metadata.namespace, or outside the namespaces its
key is allowed, before anything is applied: that policy, with per-tenant
keys, is what keeps a Secret in its namespace, not the MAC.
TXT
say "done: the throwaway repo $demo is removed"
