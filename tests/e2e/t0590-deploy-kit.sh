#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0590-deploy-kit.sh - the kit in deploy/ is made of valid objects that
# say what they promise: the Argo CD component built by real kustomize
# over a stand-in of Argo CD's repo-server Deployment, the same sidecar
# rendered from the Helm values, the plugin file and the Flux manifests.
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

# ---- every file the docs name exists -------------------------------------
missing=
for f in argocd/plugin.yaml argocd/kustomization.yaml argocd/repo-server-patch.yaml \
	argocd/helm-values.yaml argocd/key-secret.example.yaml \
	flux/README.md flux/key-secret.example.yaml flux/flux-kustomization.yaml; do
	[ -f "$D/$f" ] || missing="$missing $f"
done
t_check "deploy/ holds every file README and SECURITY.md name${missing:+ (missing:$missing)}" \
	test -z "$missing"
t_done
