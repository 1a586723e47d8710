#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0590-deploy-kit.sh - the kit in deploy/ is made of valid objects that
# say what they promise: the Argo CD component built by real kustomize
# over a stand-in of Argo CD's repo-server Deployment, the same sidecar
# rendered from the Helm values, the plugin file, the Flux manifests, the
# Containerfile and the kustomize examples (run with this build's unseal).
# Objects are checked offline against the Kubernetes
# API's models (tests/e2e/k8s-validate.py, python3-kubernetes): kubectl
# apply --dry-run=client needs an API server for discovery, and this
# machine has none.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog kubectl
PY=
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import kubernetes, yaml' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - python3-kubernetes not installed in CI"; echo "1..1"; exit 1
	fi
	echo "1..0 # SKIP python3-kubernetes not installed"; exit 0
fi
D=$SEAL_SRCDIR/deploy
V="$PY $SEAL_SRCDIR/tests/e2e/k8s-validate.py"
C="$PY $SEAL_SRCDIR/tests/e2e/deploy-check.py"

# ---- the validator itself can fail ---------------------------------------
cat >bad.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: x
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers:
        - name: c
          image: i
          securityContext: {readOnlyRootFilesytem: true}
        - image: no-name
      volumes:
        - name: k
          secret: {secretNam: k}
YAML
t_exit 1 "k8s-validate rejects misspelt fields and a missing required name" $V bad.yaml
t_check "... and names each problem" sh -c \
	'grep -q readOnlyRootFilesytem "$0" && grep -q secretNam "$0" && grep -q "name.*None" "$0"' "$T_TMP/out"

# ---- Argo CD: the component over the install manifests ------------------
mkdir argocd
cp "$SEAL_SRCDIR/tests/fixtures/deploy/argocd-repo-server.yaml" argocd/
cat >argocd/kustomization.yaml <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: argocd
resources: [argocd-repo-server.yaml]
components: [$(realpath --relative-to="$T_TMP/argocd" "$D/argocd")]
YAML
t_ok "kubectl kustomize builds deploy/argocd over the repo-server" \
	kubectl kustomize --load-restrictor LoadRestrictionsNone argocd
cp "$T_TMP/out" argocd.yaml
t_ok "every object it builds is valid" $V argocd.yaml
t_ok "the sidecar: uid 999, read-only root, own /tmp, plugin config, keys read-only and its own" \
	$C sidecar argocd.yaml
t_check "the plugin ConfigMap is in the argocd namespace" \
	grep -q 'namespace: argocd' argocd.yaml
sed 's/runAsUser: 999/runAsUser: 0/' argocd.yaml >argocd-root.yaml
t_exit 1 "the sidecar check fails for a sidecar running as root" $C sidecar argocd-root.yaml
"$PY" - argocd.yaml >argocd-shared.yaml <<'PY'
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
for d in docs:
    if d["kind"] == "Deployment":
        c = d["spec"]["template"]["spec"]["containers"]
        repo = [x for x in c if x["name"] == "argocd-repo-server"][0]
        repo["volumeMounts"].append({"name": "unseal-keys", "mountPath": "/keys"})
yaml.safe_dump_all(docs, sys.stdout)
PY
t_exit 1 "... and when the repo-server mounts the keys too" $C sidecar argocd-shared.yaml

# ---- Argo CD: the Helm values --------------------------------------------
t_ok "the Helm values give the same sidecar and plugin as the component" \
	$C helm "$D/argocd/helm-values.yaml" "$D/argocd/repo-server-patch.yaml" \
	"$D/argocd/plugin.yaml" "$SEAL_SRCDIR/tests/fixtures/deploy/argocd-repo-server.yaml" helm.yaml
t_ok "what the chart makes of them is valid" $V helm.yaml
t_ok "... and has the same sidecar guarantees" $C sidecar helm.yaml

# ---- the plugin file -----------------------------------------------------
t_ok "plugin.yaml is a valid ConfigManagementPlugin" $V "$D/argocd/plugin.yaml"
t_ok "its discover runs 'unseal discover' and its generate 'unseal render'" "$PY" -c '
import sys, yaml
s = yaml.safe_load(open(sys.argv[1]))["spec"]
assert s["discover"]["find"]["command"] == ["unseal", "discover"], s["discover"]
assert s["generate"]["command"] == ["unseal", "render"], s["generate"]
assert not s.get("generate", {}).get("args"), "generate takes the app dir as cwd"
assert not s.get("provideGitCreds"), "the plugin needs no git credentials"
' "$D/argocd/plugin.yaml"
t_ok "the key Secret example is valid" $V "$D/argocd/key-secret.example.yaml"
t_ok "... with *.agekey entries and the policy beside them" "$PY" -c '
import sys, yaml
s = yaml.safe_load(open(sys.argv[1]))
keys = list(s.get("stringData", {})) + list(s.get("data", {}))
assert any(k.endswith(".agekey") for k in keys), keys
assert "policy.yaml" in keys, keys
assert s["metadata"]["name"] == "unseal-keys"
p = yaml.safe_load(s["stringData"]["policy.yaml"])
for e in p["keys"]:
    assert e["recipient"].startswith("age1") and e["projects"] and e["namespaces"], e
' "$D/argocd/key-secret.example.yaml"

# ---- Flux ----------------------------------------------------------------
t_ok "the Flux Kustomization and key Secret are valid" \
	$V "$D/flux/flux-kustomization.yaml" "$D/flux/key-secret.example.yaml"
t_ok "the Kustomization decrypts with sops from the .agekey Secret of its namespace" "$PY" -c '
import sys, yaml
k = yaml.safe_load(open(sys.argv[1])); s = yaml.safe_load(open(sys.argv[2]))
d = k["spec"]["decryption"]
assert d["provider"] == "sops" and d["secretRef"]["name"] == s["metadata"]["name"]
assert k["metadata"]["namespace"] == s["metadata"]["namespace"]
assert all(x.endswith(".agekey") for x in s["stringData"]), s["stringData"]
' "$D/flux/flux-kustomization.yaml" "$D/flux/key-secret.example.yaml"
t_check "the Flux guide says Flux skips the MAC and what seal scan catches" sh -c \
	'grep -q "does not verify the SOPS MAC" "$0" && grep -q "seal scan" "$0"' "$D/flux/README.md"

# ---- the Containerfile ---------------------------------------------------
t_ok "Containerfile: multi-stage, final stage from scratch with unseal, kustomize and plugin.yaml only, non-root" \
	"$PY" - "$D/image/Containerfile" "$SEAL_SRCDIR" <<'PY'
import os, re, sys
lines, cur = [], ""
for l in open(sys.argv[1]):
    l = l.rstrip("\n")
    if l.lstrip().startswith("#"):
        continue
    cur += l[:-1] + " " if l.endswith("\\") else l
    if not l.endswith("\\"):
        if cur.strip():
            lines.append(cur.strip())
        cur = ""
stages = [i for i, l in enumerate(lines) if l.upper().startswith("FROM ")]
assert len(stages) >= 2, "not multi-stage"
final = lines[stages[-1]:]
assert final[0].split()[1] == "scratch", final[0]
copies = [l for l in final if l.upper().startswith("COPY ")]
dests = sorted(l.split()[-1] for l in copies)
assert dests == ["/home/argocd/cmp-server/config/plugin.yaml",
                 "/usr/local/bin/kustomize", "/usr/local/bin/unseal"], dests
for l in copies:
    if "--from=" not in l:
        src = l.split()[1]
        assert os.path.exists(os.path.join(sys.argv[2], src)), src
assert not any(l.upper().startswith(("RUN ", "ADD ")) for l in final), "RUN/ADD in the final stage"
user = [l.split()[1] for l in final if l.upper().startswith("USER ")]
assert user and user[-1].split(":")[0].isdigit() and user[-1].split(":")[0] != "0", user
entry = [l for l in final if l.upper().startswith("ENTRYPOINT ")]
assert entry and '"krm"' in entry[-1], "the container route runs unseal krm"
# the configure options the build stage uses exist, and it links unseal
# static-PIE without the functions it does not call
conf = open(os.path.join(sys.argv[2], "configure.ac")).read()
for opt in re.findall(r"--(?:enable|disable)-([a-z-]+)", " ".join(lines)):
    assert "[" + opt + "]" in conf, "configure has no --enable-/--disable-" + opt
build = " ".join(lines[stages[0]:stages[1]])
assert "-static-pie" in build and "--gc-sections" in build, "unseal not linked static-PIE"
PY

# ---- the kustomize examples, run with this build's unseal -----------------
U=$SEAL_BUILDDIR/unseal
t_check "this build has unseal" test -x "$U"
"$SEAL" keygen -o k.agekey 2>/dev/null
R=$("$SEAL" keygen -y k.agekey)
mkdir keys && cp k.agekey keys/
export UNSEAL_KEYS=$T_TMP/keys
example() { # NAME: deploy/kustomize/NAME with its sealed file, in ./NAME
	rm -rf "$1"
	cp -R "$D/kustomize/$1" "$1"
	cat >"$1/db-credentials.sealed.yaml" <<'YAML'
apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
  namespace: shop
stringData:
  password: canary-kit-5a1c
YAML
	"$SEAL" encrypt -i -r "$R" "$1/db-credentials.sealed.yaml"
}
tamper() { # FILE: flip one character of the sealed password
	"$PY" - "$1" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
m = re.search(r"password: ENC\[AES256_GCM,data:(.)", s)
c = "A" if m.group(1) != "A" else "B"
open(sys.argv[1], "w").write(s[:m.start(1)] + c + s[m.end(1):])
PY
}
rendered() { # FILE: the kit's Deployment and its Secret, renamed and decrypted
	"$PY" - "$1" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
s = [d for d in docs if d["kind"] == "Secret"]
dep = [d for d in docs if d["kind"] == "Deployment"]
assert len(s) == 1 and len(dep) == 1, [d["kind"] for d in docs]
s, dep = s[0], dep[0]
assert (s["metadata"]["name"], s["metadata"]["namespace"]) == \
    ("prod-db-credentials", "shop"), s["metadata"]
assert s["stringData"]["password"] == "canary-kit-5a1c", "not decrypted"
assert "sops" not in s
ref = dep["spec"]["template"]["spec"]["containers"][0]["envFrom"][0]["secretRef"]["name"]
assert ref == "prod-db-credentials", ref
assert dep["metadata"]["namespace"] == "shop"
PY
}

# legacy exec plugin: kubectl kustomize finds it under KUSTOMIZE_PLUGIN_HOME
kind=$("$PY" -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1]))
g, v = d["apiVersion"].split("/"); print("%s/%s/%s/%s" % (g, v, d["kind"].lower(), d["kind"]))' \
	"$D/kustomize/exec-plugin/unseal.yaml")
mkdir -p "plugins/$(dirname "$kind")"
printf '#!/bin/sh\nexec "%s" krm "$@"\n' "$U" >"plugins/$kind"
chmod +x "plugins/$kind"
export KUSTOMIZE_PLUGIN_HOME=$T_TMP/plugins
example exec-plugin
t_ok "exec-plugin/: kubectl kustomize --enable-alpha-plugins runs unseal as the generator" \
	kubectl kustomize --enable-alpha-plugins exec-plugin
cp "$T_TMP/out" exec-plugin.out
t_ok "... namespace: and namePrefix: apply to the decrypted Secret, references follow" \
	rendered exec-plugin.out
t_check "... no ENC[ or sops: left" bash -c '! grep -q -e "ENC\[" -e "sops:" exec-plugin.out'
t_ok "... and the output is valid objects" $V exec-plugin.out
tamper exec-plugin/db-credentials.sealed.yaml
t_fail "a tampered file fails the build" kubectl kustomize --enable-alpha-plugins exec-plugin
t_check "... with nothing rendered" test ! -s "$T_TMP/out"
t_check "... and no plaintext in the message" bash -c '! grep -q canary-kit "$0"' "$T_TMP/err"
example exec-plugin
"$SEAL" keygen -o other.agekey 2>/dev/null
RO=$("$SEAL" keygen -y other.agekey)
cat >exec-plugin/db-credentials.sealed.yaml <<'YAML'
apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
  namespace: shop
stringData:
  password: canary-kit-5a1c
YAML
"$SEAL" encrypt -i -r "$RO" exec-plugin/db-credentials.sealed.yaml
t_fail "a file sealed for a key that is not there fails the build" \
	kubectl kustomize --enable-alpha-plugins exec-plugin
t_check "... with nothing rendered" test ! -s "$T_TMP/out"
unset KUSTOMIZE_PLUGIN_HOME

# KRM exec function: kubectl kustomize cannot run exec functions, kpt can
example krm-exec
t_check "krm-exec/: the function runs the installed unseal in KRM mode" "$PY" -c '
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
fn = yaml.safe_load(d["metadata"]["annotations"]["config.kubernetes.io/function"])
assert fn["exec"]["path"].startswith("/") and fn["exec"]["path"].endswith("/unseal"), fn
assert fn["exec"]["args"] == ["krm"], fn' "$D/kustomize/krm-exec/unseal.yaml"
mkdir krm-exec/pkg && mv krm-exec/deployment.yaml krm-exec/pkg/
t_ok "krm-exec/: kpt fn eval --exec runs its generator config" \
	sh -c 'cd krm-exec && exec kpt fn eval pkg --exec "$0 krm" --fn-config unseal.yaml -o stdout' "$U"
t_check "... the Secret comes out decrypted" grep -q canary-kit-5a1c "$T_TMP/out"
t_check "... with no ENC[ or sops: left" bash -c '! grep -q -e "ENC\[" -e "sops:" "$0"' "$T_TMP/out"
tamper krm-exec/db-credentials.sealed.yaml
t_fail "... and a tampered file fails the function" \
	sh -c 'cd krm-exec && exec kpt fn eval pkg --exec "$0 krm" --fn-config unseal.yaml -o stdout' "$U"
# an exec function run without "krm" (an exec spec without args: [krm])
# gets the ResourceList on the filter: it must fail, not echo it back (which
# kustomize would turn into an empty, successful generation)
cat >rl.yaml <<'YAML'
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
  - apiVersion: unseal.seal.dev/v1
    kind: Unseal
    metadata:
      name: shop-secrets
      annotations:
        config.kubernetes.io/local-config: "true"
    files: [db-credentials.sealed.yaml]
functionConfig:
  apiVersion: unseal.seal.dev/v1
  kind: Unseal
  metadata:
    name: shop-secrets
  files: [db-credentials.sealed.yaml]
YAML
t_exit 1 "the filter refuses a ResourceList (an exec function without args: [krm])" \
	sh -c 'exec "$0" <rl.yaml' "$U"
t_check "... with nothing on stdout, and the message names unseal krm" \
	sh -c 'test ! -s "$0/out" && grep -q "unseal krm" "$0/err"' "$T_TMP"
"$PY" -c 'import json, sys, yaml; json.dump(yaml.safe_load(open("rl.yaml")), open("rl.json", "w"))'
t_exit 1 "... in JSON too" "$U" rl.json
unset UNSEAL_KEYS

# ---- every file the docs name exists -------------------------------------
missing=
for f in argocd/plugin.yaml argocd/kustomization.yaml argocd/repo-server-patch.yaml \
	argocd/helm-values.yaml argocd/key-secret.example.yaml \
	flux/README.md flux/key-secret.example.yaml flux/flux-kustomization.yaml \
	README.md image/Containerfile kustomize/README.md \
	kustomize/exec-plugin/kustomization.yaml kustomize/krm-exec/kustomization.yaml \
	kustomize/krm-container/kustomization.yaml; do
	[ -f "$D/$f" ] || missing="$missing $f"
done
t_check "deploy/ holds every file README and SECURITY.md name${missing:+ (missing:$missing)}" \
	test -z "$missing"
t_done
