#!/usr/bin/python3
# SPDX-License-Identifier: ISC
# deploy-check.py - what the kit in deploy/ promises about the Argo CD
# sidecar, checked on the manifests as built (t0490-deploy-kit.sh):
#
#   deploy-check.py sidecar BUILT.yaml
#       the argocd-repo-server Deployment that `kubectl kustomize` built
#       from deploy/argocd: the unseal sidecar runs argocd-cmp-server as
#       uid 999, non-root, read-only root, no capabilities, no privilege
#       escalation; it mounts var-files, plugins, its own /tmp, the plugin
#       config at the path argocd-cmp-server reads, and the keys read-only;
#       every mount names a volume of the pod; only the sidecar mounts the
#       keys; the key Secret is mounted group-readable with fsGroup 999;
#       the keys' directory is given by the sidecar's own environment.
#
#   deploy-check.py helm VALUES PATCH PLUGIN STANDIN OUT.yaml
#       renders what the argo-cd chart makes of VALUES (the sidecar in
#       repoServer.extraContainers, repoServer.volumes,
#       global.securityContext, and configs.cmp.plugins written into
#       argocd-cmp-cm as <name>.yaml) over the STANDIN Deployment, writes
#       it to OUT.yaml (for k8s-validate.py and the sidecar check), and
#       checks that it is the same container and plugin as PATCH and
#       PLUGIN, the kustomize form.
#
# One line per problem on stdout; exit 1 if any, 0 if none.
import copy
import sys

import yaml

problems = []


def bad(msg):
    problems.append(msg)


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def pod_of(docs):
    for d in docs:
        if d.get("kind") == "Deployment" and d["metadata"]["name"] == "argocd-repo-server":
            return d["spec"]["template"]["spec"]
    bad("no argocd-repo-server Deployment")
    return None


def check_sidecar(pod, plugin_docs=None):
    sidecars = [c for c in pod.get("containers", []) if c.get("name") == "unseal"]
    if len(sidecars) != 1:
        bad("wanted one container named unseal, found %d" % len(sidecars))
        return
    c = sidecars[0]
    if c.get("command") != ["/var/run/argocd/argocd-cmp-server"]:
        bad("sidecar command is %r, not argocd-cmp-server from var-files" % c.get("command"))
    args = c.get("args") or []
    for lvl in ("debug", "trace"):
        if lvl in args:
            bad("sidecar log level %s logs the plaintext" % lvl)
    sc = c.get("securityContext") or {}
    want = {"runAsNonRoot": True, "runAsUser": 999, "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False}
    for k, v in want.items():
        if sc.get(k) != v:
            bad("sidecar securityContext.%s is %r, wanted %r" % (k, sc.get(k), v))
    if (sc.get("capabilities") or {}).get("drop") != ["ALL"]:
        bad("sidecar does not drop all capabilities")
    mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    for m in c.get("volumeMounts", []):
        if m["name"] not in vols:
            bad("sidecar mount %s names no volume (%s)" % (m["mountPath"], m["name"]))
    for cont in pod.get("containers", []) + pod.get("initContainers", []):
        for m in cont.get("volumeMounts", []):
            if m["name"] not in vols:
                bad("%s mount %s names no volume" % (cont["name"], m["mountPath"]))
    need = {"/var/run/argocd": "var-files", "/home/argocd/cmp-server/plugins": "plugins"}
    for path, vol in need.items():
        if (mounts.get(path) or {}).get("name") != vol:
            bad("sidecar does not mount %s at %s" % (vol, path))
    cfg = mounts.get("/home/argocd/cmp-server/config/plugin.yaml")
    if not cfg or not cfg.get("subPath") or "configMap" not in vols.get(cfg["name"], {}):
        bad("sidecar does not mount plugin.yaml from a ConfigMap at "
            "/home/argocd/cmp-server/config/plugin.yaml")
    elif plugin_docs is not None:
        cmname = vols[cfg["name"]]["configMap"]["name"]
        cms = [d for d in plugin_docs if d.get("kind") == "ConfigMap"
               and d["metadata"]["name"] == cmname]
        if len(cms) != 1 or cfg["subPath"] not in (cms[0].get("data") or {}):
            bad("ConfigMap %s with key %s is not in the build" % (cmname, cfg["subPath"]))
        else:
            p = yaml.safe_load(cms[0]["data"][cfg["subPath"]])
            if p.get("kind") != "ConfigManagementPlugin":
                bad("the mounted plugin.yaml is not a ConfigManagementPlugin")
    tmp = mounts.get("/tmp")
    if not tmp:
        bad("sidecar has no /tmp (read-only root: argocd-cmp-server unpacks there)")
    else:
        users = [x["name"] for x in pod.get("containers", [])
                 if any(m["name"] == tmp["name"] for m in x.get("volumeMounts", []))]
        if users != ["unseal"]:
            bad("sidecar /tmp volume %s is shared with %r" % (tmp["name"], users))
    env = {e["name"]: e.get("value") for e in c.get("env", [])}
    keydir = env.get("UNSEAL_KEYS")
    if not keydir:
        bad("sidecar environment does not set UNSEAL_KEYS")
    km = mounts.get(keydir or "")
    if not km:
        bad("nothing is mounted at the key directory %r" % keydir)
        return
    if not km.get("readOnly"):
        bad("keys are not mounted read-only")
    kv = vols.get(km["name"], {})
    sec = kv.get("secret")
    if not sec or not sec.get("secretName"):
        bad("keys volume %s is not a Secret" % km["name"])
        return
    if sec.get("optional"):
        bad("keys Secret is optional: the pod would start without keys")
    mode = sec.get("defaultMode", 0o644)
    if mode & 0o007:
        bad("keys mode %o is world-readable" % mode)
    if mode & 0o040 and (pod.get("securityContext") or {}).get("fsGroup") != 999:
        bad("keys are mounted group-readable but fsGroup is not 999")
    for cont in pod.get("containers", []) + pod.get("initContainers", []):
        if cont["name"] != "unseal" and any(m["name"] == km["name"]
                                            for m in cont.get("volumeMounts", [])):
            bad("container %s mounts the keys too" % cont["name"])
    for ev in env:
        if ev.startswith("ARGOCD_ENV_") or ev.startswith("PARAM_"):
            bad("sidecar variable %s uses a prefix application authors set" % ev)


def cmd_sidecar(path):
    docs = load_all(path)
    pod = pod_of(docs)
    if pod is not None:
        check_sidecar(pod, docs)


def strip_cfg_mount(c):
    c = copy.deepcopy(c)
    c["volumeMounts"] = [m for m in c.get("volumeMounts", [])
                         if m["mountPath"] != "/home/argocd/cmp-server/config/plugin.yaml"]
    return c


def cmd_helm(values_p, patch_p, plugin_p, standin_p, out_p):
    values = load_all(values_p)[0]
    patch = load_all(patch_p)[0]
    plugin = load_all(plugin_p)[0]
    standin = load_all(standin_p)[0]
    plugins = values["configs"]["cmp"]["plugins"]
    if not values["configs"]["cmp"].get("create"):
        bad("configs.cmp.create is not true: the chart writes no argocd-cmp-cm")
    # the chart's argocd-cmp-cm: one key <name>.yaml per plugin
    cm = {"apiVersion": "v1", "kind": "ConfigMap",
          "metadata": {"name": "argocd-cmp-cm"}, "data": {}}
    for name, spec in plugins.items():
        cm["data"][name + ".yaml"] = yaml.safe_dump(
            {"apiVersion": "argoproj.io/v1alpha1", "kind": "ConfigManagementPlugin",
             "metadata": {"name": name}, "spec": spec})
    if plugin["metadata"]["name"] not in plugins:
        bad("configs.cmp.plugins has no %s" % plugin["metadata"]["name"])
    elif plugins[plugin["metadata"]["name"]] != plugin["spec"]:
        bad("configs.cmp.plugins.%s differs from plugin.yaml's spec" % plugin["metadata"]["name"])
    dep = copy.deepcopy(standin)
    pod = dep["spec"]["template"]["spec"]
    rs = values["repoServer"]
    pod["containers"] += copy.deepcopy(rs["extraContainers"])
    pod["volumes"] += copy.deepcopy(rs["volumes"])
    if "securityContext" in values.get("global", {}):
        pod["securityContext"] = copy.deepcopy(values["global"]["securityContext"])
    with open(out_p, "w") as f:
        yaml.safe_dump_all([cm, dep], f)
    check_sidecar(pod, [cm])
    # the same sidecar as the kustomize patch, but for where plugin.yaml
    # comes from (a generated ConfigMap there, the chart's argocd-cmp-cm here)
    pc = [c for c in patch["spec"]["template"]["spec"]["containers"] if c["name"] == "unseal"]
    hc = [c for c in rs["extraContainers"] if c["name"] == "unseal"]
    if len(pc) != 1 or len(hc) != 1:
        bad("unseal container missing from the patch or the values")
    elif strip_cfg_mount(pc[0]) != strip_cfg_mount(hc[0]):
        bad("the Helm sidecar differs from the kustomize sidecar")
    pv = {v["name"]: v for v in patch["spec"]["template"]["spec"]["volumes"]}
    hv = {v["name"]: v for v in rs["volumes"]}
    for name in ("unseal-tmp", "unseal-keys"):
        if pv.get(name) != hv.get(name):
            bad("volume %s differs between the Helm values and the patch" % name)
    if patch["spec"]["template"]["spec"].get("securityContext") != \
            values.get("global", {}).get("securityContext"):
        bad("pod securityContext differs between the Helm values and the patch")


def main(argv):
    if len(argv) >= 3 and argv[1] == "sidecar":
        cmd_sidecar(argv[2])
    elif len(argv) == 7 and argv[1] == "helm":
        cmd_helm(*argv[2:])
    else:
        sys.stderr.write("usage: deploy-check.py sidecar BUILT.yaml | "
                         "helm VALUES PATCH PLUGIN STANDIN OUT.yaml\n")
        return 2
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
