#!/usr/bin/python3
# SPDX-License-Identifier: ISC
# k8s-validate.py FILE... - check that every document in the YAML files is a
# valid Kubernetes object, offline (kubectl apply --dry-run=client needs an
# API server for discovery; there is none here).
#
# Built-in kinds are checked against the models of the Kubernetes Python
# client (python3-kubernetes, generated from the API's OpenAPI schema):
# every field must exist in the model at that place (a misspelt or
# misplaced field is an error, as `kubectl apply --validate=strict` would
# say), have the model's type, and every field the model requires must be
# there. The custom resources the kit uses (Flux's Kustomization, Argo CD's
# ConfigManagementPlugin file) are checked against the fields their
# documentation lists. kustomize's own files (Kustomization, Component) are
# left to `kubectl kustomize`, which the tests run on them.
#
# Prints one line per problem ("FILE: doc N (Kind/name): path: what") and
# exits 1 if there was any, 0 otherwise; 2 on usage or unreadable input.
import re
import sys

import yaml

try:
    import kubernetes.client as kc
except ImportError:
    sys.stderr.write("k8s-validate: python3-kubernetes is needed "
                     "(apt-get install python3-kubernetes)\n")
    sys.exit(2)

problems = []


def err(where, path, what):
    problems.append("%s: %s: %s" % (where, ".".join(path) or "(top)", what))


PRIM = {"str": str, "int": int, "bool": bool, "float": float}


def check_value(where, path, value, typ):
    if value is None:
        return
    m = re.fullmatch(r"list\[(.*)\]", typ)
    if m:
        if not isinstance(value, list):
            err(where, path, "is not a list (%s)" % typ)
            return
        for i, v in enumerate(value):
            check_value(where, path + ["[%d]" % i], v, m.group(1))
        return
    m = re.fullmatch(r"dict\(str, (.*)\)", typ)
    if m:
        if not isinstance(value, dict):
            err(where, path, "is not a map (%s)" % typ)
            return
        inner = m.group(1)
        for k, v in value.items():
            # resource quantities are int-or-string in the API
            if inner == "str" and path and path[-1] in ("limits", "requests") \
                    and isinstance(v, (int, float)) and not isinstance(v, bool):
                continue
            check_value(where, path + [str(k)], v, inner)
        return
    if typ == "object":
        return
    if typ in PRIM:
        ok = isinstance(value, PRIM[typ])
        if typ in ("int", "float") and isinstance(value, bool):
            ok = False
        if typ == "float" and isinstance(value, int):
            ok = True
        if not ok:
            err(where, path, "is %s, wanted %s" % (type(value).__name__, typ))
        return
    if typ == "datetime":
        return
    cls = getattr(kc, typ, None)
    if cls is None:
        err(where, path, "no model for %s" % typ)
        return
    check_model(where, path, value, cls)


def check_model(where, path, obj, cls):
    if not isinstance(obj, dict):
        err(where, path, "is not a map (%s)" % cls.__name__)
        return
    by_json = {v: k for k, v in cls.attribute_map.items()}
    kwargs = {}
    for key, value in obj.items():
        if key not in by_json:
            err(where, path + [str(key)], "unknown field in %s" % cls.__name__)
            continue
        py = by_json[key]
        check_value(where, path + [key], value, cls.openapi_types[py])
        kwargs[py] = value
    try:
        cls(**kwargs)  # the model's setters reject missing required fields
    except ValueError as e:
        err(where, path, "%s: %s" % (cls.__name__, e))


def require(where, obj, fields, path=()):
    for f in fields:
        if not isinstance(obj, dict) or obj.get(f) in (None, "", [], {}):
            err(where, list(path) + [f], "required")


def allow(where, obj, fields, path=()):
    if isinstance(obj, dict):
        for k in obj:
            if k not in fields:
                err(where, list(path) + [k], "unknown field")


def check_cmp(where, doc):
    # argocd cmpserver/plugin/config.go: kind must be exactly this, a
    # name, and a generate command; discover has fileName, find.glob or
    # find.command.
    allow(where, doc, ["apiVersion", "kind", "metadata", "spec"])
    spec = doc.get("spec") or {}
    allow(where, spec, ["version", "init", "generate", "discover", "parameters",
                        "preserveFileMode", "provideGitCreds", "allowConcurrency",
                        "lockRepo"], ["spec"])
    require(where, spec, ["generate"], ["spec"])
    for c in ("init", "generate"):
        if c in spec:
            allow(where, spec[c], ["command", "args"], ["spec", c])
            require(where, spec[c], ["command"], ["spec", c])
    d = spec.get("discover")
    if d is not None:
        allow(where, d, ["fileName", "find"], ["spec", "discover"])
        find = d.get("find") or {}
        # Find embeds Command: command and args are lists beside glob
        allow(where, find, ["glob", "command", "args"], ["spec", "discover", "find"])
        for k in ("command", "args"):
            if k in find and not (isinstance(find[k], list) and
                                  all(isinstance(x, str) for x in find[k])):
                err(where, ["spec", "discover", "find", k], "must be a list of strings")
        if not (d.get("fileName") or find.get("glob") or find.get("command")):
            err(where, ["spec", "discover"], "needs fileName, find.glob or find.command")
    for c in ("init", "generate"):
        for k in ("command", "args"):
            v = (spec.get(c) or {}).get(k)
            if v is not None and not (isinstance(v, list) and
                                      all(isinstance(x, str) for x in v)):
                err(where, ["spec", c, k], "must be a list of strings")
    if doc.get("kind") != "ConfigManagementPlugin":
        err(where, ["kind"], "must be ConfigManagementPlugin")


FLUX_KS_SPEC = ["interval", "path", "prune", "sourceRef", "decryption",
                "targetNamespace", "serviceAccountName", "dependsOn", "timeout",
                "retryInterval", "wait", "force", "postBuild", "healthChecks",
                "patches", "images", "components", "commonMetadata",
                "kubeConfig", "suspend", "namePrefix", "nameSuffix",
                "deletionPolicy", "healthCheckExprs", "ignoreMissingComponents"]


def check_flux_ks(where, doc):
    # kustomize-controller docs/spec/v1/kustomizations.md
    allow(where, doc, ["apiVersion", "kind", "metadata", "spec"])
    spec = doc.get("spec") or {}
    allow(where, spec, FLUX_KS_SPEC, ["spec"])
    require(where, spec, ["interval", "sourceRef"], ["spec"])
    if "prune" not in spec or not isinstance(spec["prune"], bool):
        err(where, ["spec", "prune"], "required (true or false)")
    allow(where, spec.get("sourceRef"), ["apiVersion", "kind", "name", "namespace"],
          ["spec", "sourceRef"])
    require(where, spec.get("sourceRef"), ["kind", "name"], ["spec", "sourceRef"])
    dec = spec.get("decryption")
    if dec is not None:
        allow(where, dec, ["provider", "secretRef", "serviceAccountName"],
              ["spec", "decryption"])
        if dec.get("provider") != "sops":
            err(where, ["spec", "decryption", "provider"], "must be sops")
        if "secretRef" in dec:
            allow(where, dec["secretRef"], ["name"], ["spec", "decryption", "secretRef"])
            require(where, dec["secretRef"], ["name"], ["spec", "decryption", "secretRef"])
    check_model(where, ["metadata"], doc.get("metadata"), kc.V1ObjectMeta)


CUSTOM = {
    ("argoproj.io/v1alpha1", "ConfigManagementPlugin"): check_cmp,
    ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"): check_flux_ks,
}
SKIP = {"kustomize.config.k8s.io"}  # kubectl kustomize checks these


def model_for(api_version, kind):
    group, _, version = api_version.rpartition("/")
    if not version:
        return None
    name = version[0].upper() + version[1:] + kind
    return getattr(kc, name, None)


def check_doc(where, doc):
    if not isinstance(doc, dict):
        err(where, [], "not a map")
        return
    require(where, doc, ["apiVersion", "kind", "metadata"])
    av, kind = doc.get("apiVersion", ""), doc.get("kind", "")
    if not isinstance(doc.get("metadata"), dict) or not doc["metadata"].get("name"):
        err(where, ["metadata", "name"], "required")
    if not isinstance(av, str) or not isinstance(kind, str):
        return
    if av.split("/")[0] in SKIP:
        return
    if (av, kind) in CUSTOM:
        CUSTOM[(av, kind)](where, doc)
        return
    cls = model_for(av, kind)
    if cls is None:
        err(where, ["kind"], "unknown apiVersion/kind %s %s" % (av, kind))
        return
    check_model(where, [], doc, cls)


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: k8s-validate.py FILE...\n")
        return 2
    n = 0
    for path in argv[1:]:
        try:
            with open(path) as f:
                docs = list(yaml.safe_load_all(f))
        except (OSError, yaml.YAMLError) as e:
            sys.stderr.write("k8s-validate: %s: %s\n" % (path, e))
            return 2
        for i, doc in enumerate(docs):
            if doc is None:
                continue
            n += 1
            name = (doc.get("metadata") or {}).get("name") if isinstance(doc, dict) else None
            check_doc("%s: doc %d (%s/%s)" % (path, i + 1,
                      doc.get("kind") if isinstance(doc, dict) else "?", name), doc)
    for p in problems:
        print(p)
    if n == 0:
        print("k8s-validate: no documents")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
