#!/usr/bin/python3
# SPDX-License-Identifier: ISC
# sops-config-check.py FILE [--anchor NAME]... [--alias NAME]...
#     [--no-anchor NAME]... [--comment TEXT]...
#
# An independent check (PyYAML, not seal's parser) that a .sops.yaml is
# what sops 3.x reads (docs/sops-format.md section 9): a mapping whose
# creation_rules is a list of maps with known keys; path_regex compiles;
# age is a comma string or a list of strings; key_groups is a list of
# groups whose age is a list of age1 recipients; at most one selection
# rule per rule. Top-level keys other than creation_rules,
# destination_rules and stores are ignored by sops (yaml.v3 Unmarshal is
# not strict), which is what the keys: registry relies on: it must be a
# list of strings. Then, from the event stream, that the anchors and
# aliases named on the command line are there (and --no-anchor ones are
# not), and that each --comment text is still in the file.
# Prints one line per problem; exit 1 if any.
import re
import sys

import yaml

RULE_KEYS = {
    "path_regex", "age", "pgp", "kms", "aws_profile", "gcp_kms",
    "azure_keyvault", "hc_vault_transit_uri", "hckms", "key_groups",
    "shamir_threshold", "mac_only_encrypted", "encrypted_regex",
    "unencrypted_regex", "encrypted_suffix", "unencrypted_suffix",
    "encrypted_comment_regex", "unencrypted_comment_regex",
}
SELECTION = {"encrypted_regex", "unencrypted_regex", "encrypted_suffix",
             "unencrypted_suffix", "encrypted_comment_regex",
             "unencrypted_comment_regex"}
GROUP_KEYS = {"age", "pgp", "kms", "gcp_kms", "azure_keyvault", "hc_vault",
              "hckms", "merge"}
AGE = re.compile(r"^age1[02-9ac-hj-np-z]{58}$")

problems = []


def bad(msg):
    problems.append(msg)


def check_age(where, v, as_list_only):
    if isinstance(v, str) and not as_list_only:
        items = [s.strip() for s in v.split(",") if s.strip()]
    elif isinstance(v, list):
        items = v
    else:
        bad("%s: age must be %s" % (where, "a list of strings"
                                    if as_list_only else
                                    "a string or a list of strings"))
        return
    for i, r in enumerate(items):
        if not isinstance(r, str) or not AGE.match(r):
            bad("%s: age[%d] is not an age recipient: %r" % (where, i, r))


def main():
    args = sys.argv[1:]
    if not args:
        sys.stderr.write(__doc__ or "usage: sops-config-check.py FILE\n")
        return 2
    path = args.pop(0)
    want = {"--anchor": [], "--alias": [], "--no-anchor": [],
            "--comment": []}
    while args:
        opt = args.pop(0)
        if opt not in want or not args:
            sys.stderr.write("sops-config-check: bad option %s\n" % opt)
            return 2
        want[opt].append(args.pop(0))
    text = open(path, encoding="utf-8").read()
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict):
        bad("top level is not a mapping")
        doc = {}
    keys = doc.get("keys")
    if keys is not None and not (isinstance(keys, list) and
                                 all(isinstance(k, str) for k in keys)):
        bad("keys: is not a list of strings")
    rules = doc.get("creation_rules")
    if rules is not None and not isinstance(rules, list):
        bad("creation_rules is not a list")
        rules = []
    for i, r in enumerate(rules or []):
        w = "creation_rules[%d]" % i
        if not isinstance(r, dict):
            bad("%s: not a map" % w)
            continue
        for k in r:
            if k not in RULE_KEYS:
                bad("%s: unknown key %r" % (w, k))
        if "path_regex" in r:
            try:
                re.compile(r["path_regex"])
            except (re.error, TypeError) as e:
                bad("%s: path_regex does not compile: %s" % (w, e))
        if len(SELECTION & set(r)) > 1:
            bad("%s: more than one selection rule" % w)
        if "age" in r:
            check_age(w, r["age"], False)
        groups = r.get("key_groups")
        if groups is not None:
            if not isinstance(groups, list):
                bad("%s: key_groups is not a list" % w)
                groups = []
            for j, g in enumerate(groups):
                gw = "%s.key_groups[%d]" % (w, j)
                if not isinstance(g, dict):
                    bad("%s: not a map" % gw)
                    continue
                for k in g:
                    if k not in GROUP_KEYS:
                        bad("%s: unknown key %r" % (gw, k))
                if "age" in g:
                    check_age(gw, g["age"], True)
    anchors, aliases = set(), set()
    for ev in yaml.parse(text):
        if isinstance(ev, yaml.AliasEvent):
            aliases.add(ev.anchor)
        elif getattr(ev, "anchor", None):
            anchors.add(ev.anchor)
    for a in want["--anchor"]:
        if a not in anchors:
            bad("anchor &%s is missing" % a)
    for a in want["--alias"]:
        if a not in aliases:
            bad("alias *%s is missing" % a)
    for a in want["--no-anchor"]:
        if a in anchors or a in aliases:
            bad("anchor %s is still there" % a)
    for c in want["--comment"]:
        if c not in text:
            bad("comment %r was lost" % c)
    for p in problems:
        print("%s: %s" % (path, p))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
