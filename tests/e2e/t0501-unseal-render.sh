#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0501-unseal-render: the Argo CD contract, run exactly as
# argocd-cmp-server runs a plugin's generate: a fresh 0700 copy of the
# repository, the app directory as working directory, a clean environment
# holding only the sidecar's variables and the ARGOCD_APP_* ones, under
# timeout. The output must be accepted by `kubectl kustomize` as
# resources with no ENC[ or sops: left; every refusal leaves stdout empty.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog kubectl
U="$SEAL_BUILDDIR/unseal"

mkdir -m 700 keys
"$SEAL" keygen -o keys/team-a.agekey >/dev/null 2>&1
RA=$("$SEAL" keygen -y keys/team-a.agekey)
"$SEAL" keygen -o keys/team-b.agekey >/dev/null 2>&1
RB=$("$SEAL" keygen -y keys/team-b.agekey)
"$SEAL" keygen -o stranger.agekey >/dev/null 2>&1
RS=$("$SEAL" keygen -y stranger.agekey)

secret() { # name namespace value [extra metadata line]
	printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n' "$1"
	[ -n "$2" ] && printf '  namespace: %s\n' "$2"
	printf 'type: Opaque\nstringData:\n  password: %s\n  note: "two\\nlines"\n' "$3"
}
seal() { # recipient < clear > sealed
	"$SEAL" encrypt --age "$1" --input-type yaml --output-type yaml /dev/stdin
}

# a repository: a plain app, and a kustomize app with a base
mkdir -p src/apps/plain src/apps/kust/overlay src/apps/kust/base
secret db team-a canary-render-1 | seal "$RA" >src/apps/plain/db.yaml
cat >src/apps/plain/cm.yaml <<'Y'
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: team-a
data:
  mode: fast
Y
secret api team-a canary-render-2 | seal "$RA" >src/apps/kust/base/api.yaml
cat >src/apps/kust/base/kustomization.yaml <<'Y'
resources:
- api.yaml
Y
cat >src/apps/kust/overlay/kustomization.yaml <<'Y'
namespace: team-a
namePrefix: prod-
commonLabels:
  app: api
resources:
- ../base
- cm.yaml
Y
cp src/apps/plain/cm.yaml src/apps/kust/overlay/cm.yaml

# generate APP [extra env...]: as argocd-cmp-server does
generate() {
	local app=$1; shift
	rm -rf work; mkdir -m 700 work; cp -r src work/repo
	(cd "work/repo/apps/$app" && env -i PATH=/usr/local/bin:/usr/bin:/bin \
		UNSEAL_KEYS="$T_TMP/keys" \
		ARGOCD_APP_NAME="$app" ARGOCD_APP_NAMESPACE=team-a \
		ARGOCD_APP_PROJECT_NAME=team-a ARGOCD_APP_REVISION=0123456789abcdef \
		ARGOCD_APP_REVISION_SHORT=0123456 ARGOCD_APP_REVISION_SHORT_8=01234567 \
		ARGOCD_APP_SOURCE_PATH="apps/$app" \
		ARGOCD_APP_SOURCE_REPO_URL=https://git.example.org/repo.git \
		ARGOCD_APP_SOURCE_TARGET_REVISION=HEAD KUBE_VERSION=1.32.0 \
		KUBE_API_VERSIONS=v1,apps/v1 ARGOCD_APP_PARAMETERS='[]' \
		ARGOCD_ENV_SOPS_AGE_KEY_FILE=/nonexistent PARAM_MODE=plain \
		"$@" timeout -s TERM 60 "$U" render)
}
# accepted APPNAME: the output is a valid resource list without ciphertext
accepted() {
	rm -rf chk; mkdir chk; cp "$T_TMP/out" chk/out.yaml
	printf 'resources:\n- out.yaml\n' >chk/kustomization.yaml
	kubectl kustomize chk >chk/built.yaml 2>chk/err &&
		! grep -q 'ENC\[' chk/out.yaml && ! grep -q '^sops:' chk/out.yaml
}
# refused NAME APP: exit 1, nothing on stdout
refused() {
	local name=$1 app=$2 rc; shift 2
	generate "$app" "$@" >"$T_TMP/out" 2>"$T_TMP/err"; rc=$?
	if [ $rc -eq 1 ] && [ ! -s "$T_TMP/out" ] && [ -s "$T_TMP/err" ]; then
		t_pass "$name"
	else
		t_flunk "$name" "exit $rc (wanted 1), stdout $(wc -c <"$T_TMP/out") bytes" "$(head -c 600 "$T_TMP/err")"
	fi
}

generate plain >"$T_TMP/out" 2>"$T_TMP/err"
t_check "a plain app renders" test $? -eq 0
t_check "kubectl kustomize accepts it, no ENC[ or sops: left" accepted
t_check "the Secret is decrypted" grep -q 'canary-render-1' "$T_TMP/out"
t_check "the ConfigMap is there" grep -q 'name: settings' chk/built.yaml

generate kust/overlay >"$T_TMP/out" 2>"$T_TMP/err"
t_check "a kustomization with namespace: and namePrefix: renders" test $? -eq 0
t_check "its output is accepted, no ENC[ or sops: left" accepted
t_check "the prefixed Secret is decrypted" bash -c "grep -q 'name: prod-api' chk/built.yaml && grep -q canary-render-2 chk/built.yaml"
t_check "the common label is applied" grep -q 'app: api' chk/built.yaml
t_check "a multi-line value survives" python3 -c "
import sys, re
s = open('chk/out.yaml').read()
assert 'note: \"two\\\\nlines\"' in s, s
"

# tampering a value in the base makes the whole build fail
python3 - <<'P'
import re
p = "src/apps/kust/base/api.yaml"
s = open(p).read()
m = re.search(r"password: ENC\[AES256_GCM,data:([A-Za-z0-9+/]+)", s)
d = m.group(1)
open(p + ".bad", "w").write(s.replace(d, ("A" if d[0] != "A" else "B") + d[1:], 1))
P
cp src/apps/kust/base/api.yaml api.good
mv src/apps/kust/base/api.yaml.bad src/apps/kust/base/api.yaml
refused "a tampered value in a base fails the render" kust/overlay
cp api.good src/apps/kust/base/api.yaml

# the plain app, spoiled one way at a time
spoil() { # name file content-from-stdin
	mkdir -p "src/apps/$1"; cp src/apps/plain/cm.yaml "src/apps/$1/"
	cat >"src/apps/$1/$2"
}
secret db team-b canary-render-3 | seal "$RB" | spoil other-ns db.yaml
refused "a Secret sealed for another namespace" other-ns
t_check "the message names file, document and reason" grep -q "db.yaml: document 1 (Secret/db): refused: sealed for namespace 'team-b'" "$T_TMP/err"
secret db "" canary-render-4 | seal "$RA" | spoil no-ns db.yaml
refused "a Secret without namespace" no-ns
secret db team-a canary-render-5 | seal "$RA" |
	sed 's/^  namespace: team-a$/  labels:\n    namespace: team-a/' | spoil renamed db.yaml
t_check "the renamed file still has a valid MAC (seal decrypt)" \
	bash -c "SOPS_AGE_KEY_FILE=keys/team-a.agekey '$SEAL' decrypt src/apps/renamed/db.yaml >/dev/null"
refused "a namespace key renamed into a label" renamed
secret db team-a canary-render-6 | seal "$RS" | spoil nokey db.yaml
refused "a missing key" nokey
python3 - <<'P'
import re
s = open("src/apps/plain/db.yaml").read()
m = re.search(r"password: ENC\[AES256_GCM,data:([A-Za-z0-9+/]+)", s)
d = m.group(1)
open("tampered.yaml", "w").write(s.replace(d, ("A" if d[0] != "A" else "B") + d[1:], 1))
P
spoil tampered db.yaml <tampered.yaml
refused "a tampered value" tampered
sed '/^sops:/,$d' src/apps/plain/db.yaml | spoil half db.yaml
refused "a half-sealed document" half
mkdir -p src/apps/big
head -c $((6 << 20)) /dev/zero | tr '\0' 'a' | sed 's/^/x: /' >src/apps/big/big.yaml
refused "an oversize file" big
python3 -c "
d = 12
s = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: deep\n  namespace: team-a\nstringData:\n'
for i in range(d): s += '  ' * (i + 1) + 'k%d:\n' % i
s += '  ' * (d + 1) + 'v: canary-render-7\n'
open('deep.yaml', 'w').write(s)"
"$SEAL" encrypt --age "$RA" --encrypted-regex '^(data|stringData)$' deep.yaml | spoil deep deep.yaml
rm -rf work; mkdir -m 700 work; cp -r src work/repo
(cd work/repo/apps/deep && env -i PATH=/usr/bin:/bin UNSEAL_KEYS="$T_TMP/keys" \
	ARGOCD_APP_NAMESPACE=team-a timeout 60 "$U" render --max-depth 8) >"$T_TMP/out" 2>"$T_TMP/err"
t_check "a too-deep document is refused (--max-depth 8)" test $? -eq 1 -a ! -s "$T_TMP/out"
t_check "it names the limit" grep -Eq 'depth|deeper than 8' "$T_TMP/err"
mkdir -p outside src/apps/link; cp src/apps/plain/cm.yaml src/apps/link/
cp src/apps/plain/db.yaml outside/db.yaml
ln -s "$T_TMP/outside/db.yaml" src/apps/link/db.yaml
refused "a symlink out of the checkout" link
mkdir -p src/apps/klink; ln -s "$T_TMP/outside" src/apps/klink/ext
printf 'resources:\n- ext/db.yaml\n' >src/apps/klink/kustomization.yaml
refused "a kustomization through a symlink out of the checkout" klink
# render -r: each entry opened relative to its directory, without
# following a symlink; a symlink is resolved and may stay inside the
# checkout, never leave it; a FIFO named like a manifest is refused (and
# does not hang the render)
mkdir -p src/apps/tree/sub/deeper src/apps/shared src/apps/tree2 src/apps/fifo
cp src/apps/plain/cm.yaml src/apps/tree/
secret sub team-a canary-render-8 | seal "$RA" >src/apps/tree/sub/deeper/sub.yaml
secret shared team-a canary-render-9 | seal "$RA" >src/apps/shared/shared.yaml
ln -s ../../shared src/apps/tree/sub/linked
ln -s ../../plain/db.yaml src/apps/tree/sub/db.yaml
cp src/apps/plain/cm.yaml src/apps/tree2/; ln -s "$T_TMP/outside" src/apps/tree2/ext
cp src/apps/plain/cm.yaml src/apps/fifo/; mkfifo src/apps/fifo/x.yaml
render_r() { # APP [options]: render -r in a fresh copy, as generate does
	local app=$1; shift
	rm -rf work; mkdir -m 700 work; cp -r src work/repo
	(cd "work/repo/apps/$app" && env -i PATH=/usr/bin:/bin \
		UNSEAL_KEYS="$T_TMP/keys" ARGOCD_APP_NAMESPACE=team-a \
		ARGOCD_APP_SOURCE_PATH="apps/$app" timeout 20 "$U" render "$@") \
		>"$T_TMP/out" 2>"$T_TMP/err"
}
render_r tree -r
t_check "render -r enters subdirectories and symlinks inside the checkout" test $? -eq 0
t_check "all four documents, each decrypted once" python3 -c "
s = open('$T_TMP/out').read()
for c in ('canary-render-1', 'canary-render-8', 'canary-render-9'):
    assert s.count(c) == 1, c
assert s.count('name: settings') == 1 and 'ENC[' not in s, s"
render_r tree
t_check "without -r only the top directory" bash -c "grep -q 'name: settings' '$T_TMP/out' && ! grep -q canary-render '$T_TMP/out'"
render_r tree2 -r
t_check "render -r refuses a symlinked directory out of the checkout" test $? -eq 1 -a ! -s "$T_TMP/out"
t_check "it says where it leads" grep -q "ext: refused: it leads out of the checkout" "$T_TMP/err"
render_r fifo
t_check "a FIFO named x.yaml is refused, not waited on" test $? -eq 1 -a ! -s "$T_TMP/out"
t_check "it says why" grep -q "x.yaml: not a regular file" "$T_TMP/err"
mkdir -p src/apps/kup; printf 'resources:\n- ../../../outside\n' >src/apps/kup/kustomization.yaml
printf 'resources:\n- db.yaml\n' >outside/kustomization.yaml
refused "a base outside the checkout" kup
mkdir -p src/apps/remote
printf 'resources:\n- https://github.com/example/repo//base?ref=v1\n' >src/apps/remote/kustomization.yaml
refused "a remote base" remote
mkdir -p src/apps/helm
printf 'helmCharts:\n- name: x\n  repo: oci://example.org/x\n' >src/apps/helm/kustomization.yaml
refused "Helm inflation" helm
mkdir -p src/apps/fn
cat >src/apps/fn/gen.yaml <<'Y'
apiVersion: example.org/v1
kind: Gen
metadata:
  name: g
  annotations:
    config.kubernetes.io/function: |
      exec:
        path: /bin/sh
Y
printf 'generators:\n- gen.yaml\n' >src/apps/fn/kustomization.yaml
refused "an exec KRM function" fn

# a ciphertext moved by a kustomize patch: it must sit at the path it was
# sealed at, in the document it was sealed in, or nothing renders (the
# value it carries would otherwise come out under another name)
mkdir -p src/apps/moved src/apps/moved2
cp src/apps/kust/base/api.yaml src/apps/moved/api.yaml
pw=$(sed -n 's/^  password: \(ENC\[[^]]*\]\)$/\1/p' src/apps/moved/api.yaml)
t_check "the test has the sealed password's ciphertext" test -n "$pw"
cat >src/apps/moved/kustomization.yaml <<Y
resources:
  - api.yaml
patches:
  - patch: |-
      apiVersion: v1
      kind: Secret
      metadata:
        name: api
        namespace: team-a
      stringData:
        note: $pw
Y
refused "a ciphertext moved to another field of its document" moved
t_check "the message says why" grep -q 'at the path it was sealed at' "$T_TMP/err"
t_check "the moved value's plaintext is nowhere" bash -c "! grep -q canary-render-2 '$T_TMP/out' '$T_TMP/err'"
cp src/apps/kust/base/api.yaml src/apps/moved2/api.yaml
secret other team-a canary-render-12 | seal "$RA" >src/apps/moved2/other.yaml
cat >src/apps/moved2/kustomization.yaml <<Y
resources:
  - api.yaml
  - other.yaml
patches:
  - patch: |-
      apiVersion: v1
      kind: Secret
      metadata:
        name: other
        namespace: team-a
      stringData:
        password: $pw
Y
refused "a ciphertext moved to the same field of another document" moved2
sed -i '/^patches:/,$d' src/apps/moved2/kustomization.yaml
generate moved2 >"$T_TMP/out" 2>"$T_TMP/err"
t_check "without the patch the two render" test $? -eq 0
t_check "each with its own values" bash -c "grep -q canary-render-2 '$T_TMP/out' && grep -q canary-render-12 '$T_TMP/out'"

# the unseal generator inside the app's kustomization (KSOPS's route):
# render turns kustomize's plugins on with a plugin home holding only
# unseal, which passes the sealed files through still sealed; each comes
# back matched to its verified source, after namespace: and namePrefix:
mkdir -p src/apps/gen src/apps/gks/base src/apps/gks/overlay "$T_TMP/tmpd"
secret db team-a canary-render-10 | seal "$RA" >src/apps/gen/db.sealed.yaml
cp src/apps/plain/cm.yaml src/apps/gen/
printf 'apiVersion: unseal.seal.dev/v1\nkind: Unseal\nmetadata:\n  name: s\nfiles:\n  - db.sealed.yaml\n' >src/apps/gen/unseal.yaml
printf 'namespace: team-a\nnamePrefix: prod-\ngenerators:\n  - unseal.yaml\nresources:\n  - cm.yaml\n' >src/apps/gen/kustomization.yaml
generate gen TMPDIR="$T_TMP/tmpd" >"$T_TMP/out" 2>"$T_TMP/err"
t_check "render of a kustomization using the unseal generator works" test $? -eq 0
t_check "its output is accepted, no ENC[ or sops: left (generator)" accepted
t_check "the generated Secret is prefixed, in its namespace, decrypted" python3 -c "
import yaml
docs = [d for d in yaml.safe_load_all(open('chk/built.yaml')) if d]
s = [d for d in docs if d['kind'] == 'Secret']
assert len(s) == 1, docs
m = s[0]['metadata']
assert m['name'] == 'prod-db' and m['namespace'] == 'team-a', m
assert s[0]['stringData']['password'] == 'canary-render-10', s[0]
assert any(d['kind'] == 'ConfigMap' and d['metadata']['name'] == 'prod-settings' for d in docs)"
t_check "the plugin home is gone afterwards" test -z "$(ls -A "$T_TMP/tmpd")"
# KSOPS's own apiVersion and kind, in a base under an overlay
secret api team-a canary-render-11 | seal "$RA" >src/apps/gks/base/api.sealed.yaml
printf 'apiVersion: viaduct.ai/v1\nkind: ksops\nmetadata:\n  name: s\nfiles:\n  - api.sealed.yaml\n' >src/apps/gks/base/ksops.yaml
printf 'generators:\n  - ksops.yaml\n' >src/apps/gks/base/kustomization.yaml
printf 'namespace: team-a\nnamePrefix: dev-\nresources:\n  - ../base\n' >src/apps/gks/overlay/kustomization.yaml
generate gks/overlay >"$T_TMP/out" 2>"$T_TMP/err"
t_check "KSOPS's apiVersion/kind in a base works too" test $? -eq 0
t_check "the base's Secret is prefixed and decrypted" bash -c "grep -q 'name: dev-api' '$T_TMP/out' && grep -q 'canary-render-11' '$T_TMP/out'"
# spoilt one way at a time
spoil_gen() { # app: a copy of gen to spoil
	rm -rf "src/apps/$1"; cp -r src/apps/gen "src/apps/$1"
}
spoil_gen gen-tampered
python3 - <<'P'
import re
p = "src/apps/gen-tampered/db.sealed.yaml"
s = open(p).read()
m = re.search(r"password: ENC\[AES256_GCM,data:([A-Za-z0-9+/]+)", s)
d = m.group(1)
open(p, "w").write(s.replace(d, ("A" if d[0] != "A" else "B") + d[1:], 1))
P
refused "a tampered file under the generator fails the render" gen-tampered
t_check "the message names the file" grep -q 'db.sealed.yaml' "$T_TMP/err"
spoil_gen gen-other
printf 'apiVersion: example.org/v1\nkind: Other\nmetadata:\n  name: o\nargs: [x]\n' >src/apps/gen-other/other.yaml
printf 'generators:\n  - unseal.yaml\n  - other.yaml\n' >src/apps/gen-other/kustomization.yaml
refused "another plugin beside the generator is refused" gen-other
t_check "it says so" grep -q 'other.yaml: refused: a plugin other than the unseal generator' "$T_TMP/err"
spoil_gen gen-tfm
printf 'apiVersion: example.org/v1\nkind: Tfm\nmetadata:\n  name: o\n' >src/apps/gen-tfm/tfm.yaml
printf 'generators:\n  - unseal.yaml\ntransformers:\n  - tfm.yaml\n' >src/apps/gen-tfm/kustomization.yaml
refused "another plugin as a transformer is refused" gen-tfm
spoil_gen gen-ns
sed -i 's/^namespace: team-a$/namespace: team-b/' src/apps/gen-ns/kustomization.yaml
refused "kustomize moving a generated Secret to another namespace is refused" gen-ns
t_check "it names the namespace it was sealed for" grep -q "out of namespace 'team-a'" "$T_TMP/err"
spoil_gen gen-up
printf 'apiVersion: unseal.seal.dev/v1\nkind: Unseal\nmetadata:\n  name: s\nfiles:\n  - ../plain/db.yaml\n' >src/apps/gen-up/unseal.yaml
refused "a generator file above the kustomization is refused" gen-up
spoil_gen gen-from
printf 'apiVersion: unseal.seal.dev/v1\nkind: Unseal\nmetadata:\n  name: s\nsecretFrom:\n  - metadata:\n      name: x\n      namespace: team-a\n    files:\n      - db.sealed.yaml\n' >src/apps/gen-from/unseal.yaml
refused "secretFrom (a Secret built from plaintext) is refused in render" gen-from
spoil_gen gen-fn
cat >src/apps/gen-fn/fn.txt <<'Y'
apiVersion: example.org/v1
kind: Gen
metadata:
  name: g
  annotations:
    config.kubernetes.io/function: |
      exec:
        path: /bin/sh
files:
  - db.sealed.yaml
Y
printf 'generators:\n  - unseal.yaml\n  - fn.txt\n' >src/apps/gen-fn/kustomization.yaml
refused "a KRM function in a config not named .yaml is refused" gen-fn
t_check "as a function" grep -q 'fn.txt: refused: KRM functions do not run' "$T_TMP/err"
mkdir -p src/apps/empty
refused "an empty app (Argo CD would prune everything)" empty

# the policy: per key, projects and namespaces
pol() { printf 'keys:\n  - recipient: %s\n    projects: [%s]\n    namespaces: [%s]\n' "$RA" "$1" "$2" >"$3"; }
pol team-a team-a keys/policy.yaml
generate plain >"$T_TMP/out" 2>"$T_TMP/err"
t_check "a policy that allows the key serves" test $? -eq 0 -a -s "$T_TMP/out"
pol team-b team-a keys/policy.yaml
refused "a key the policy gives to another project" plain
pol team-a team-b keys/policy.yaml
refused "a key the policy gives to another namespace" plain
printf 'keys:\n  - recipient: %s\n    projects: ["*"]\n    namespaces: ["*"]\n' "$RB" >keys/policy.yaml
refused "a key the policy does not list" plain
t_check "the reason is given" grep -q 'does not list this key' "$T_TMP/err"
pol team-a team-a keys/policy.yaml
refused "ARGOCD_ENV_ and PARAM_ variables change nothing" plain \
	ARGOCD_ENV_UNSEAL_POLICY=/dev/null PARAM_POLICY=/dev/null ARGOCD_APP_PROJECT_NAME=team-b
rm -f keys/policy.yaml
mkdir -p src/apps/inrepo; cp src/apps/plain/*.yaml src/apps/inrepo/
pol team-a team-a src/apps/inrepo/policy.yaml
rm -rf work; mkdir -m 700 work; cp -r src work/repo
(cd work/repo/apps/inrepo && env -i PATH=/usr/bin:/bin UNSEAL_KEYS="$T_TMP/keys" \
	ARGOCD_APP_SOURCE_PATH=apps/inrepo UNSEAL_POLICY="$PWD/policy.yaml" \
	timeout 60 "$U" render) >"$T_TMP/out" 2>"$T_TMP/err"
t_check "a policy inside the checkout is refused" test $? -eq 2 -a ! -s "$T_TMP/out"

# SIGTERM and the time limit stop it cleanly, with nothing written
mkdir slowbin
printf '#!/bin/sh\nexec /bin/sleep 30\n' >slowbin/kustomize; chmod +x slowbin/kustomize
rm -rf work; mkdir -m 700 work; cp -r src work/repo
start=$(date +%s)
(cd work/repo/apps/kust/overlay && env -i PATH="$T_TMP/slowbin:/usr/bin:/bin" \
	UNSEAL_KEYS="$T_TMP/keys" ARGOCD_APP_SOURCE_PATH=apps/kust/overlay \
	timeout -s TERM 2 "$U" render) >"$T_TMP/out" 2>"$T_TMP/err"
rc=$?
t_check "SIGTERM stops render (timeout's 124), quickly" test $rc -eq 124 -a $(( $(date +%s) - start )) -lt 10
t_check "nothing was written on SIGTERM" test ! -s "$T_TMP/out"
sleep 0.5
t_check "the kustomize child is gone" bash -c "! pgrep -f '^/bin/sleep 30' >/dev/null"
(cd work/repo/apps/kust/overlay && env -i PATH="$T_TMP/slowbin:/usr/bin:/bin" \
	UNSEAL_KEYS="$T_TMP/keys" ARGOCD_APP_SOURCE_PATH=apps/kust/overlay \
	"$U" render --timeout 1) >"$T_TMP/out" 2>"$T_TMP/err"
t_check "--timeout stops it with exit 2" test $? -eq 2 -a ! -s "$T_TMP/out"
t_check "it says why" grep -q 'time limit' "$T_TMP/err"

# discover: a sealed file whatever its name
t_ok "discover finds a sealed file" "$U" discover src/apps/plain
t_check "discover prints its name" grep -q 'db.yaml' "$T_TMP/out"
mkdir -p src/apps/clear; cp src/apps/plain/cm.yaml src/apps/clear/
t_exit 1 "discover: none in a clear app" "$U" discover src/apps/clear
t_check "discover prints nothing then" test ! -s "$T_TMP/out"
t_ok "render --help" "$U" render --help
t_done
