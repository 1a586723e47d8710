#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0400-cluster.sh - clusters and tenants as named keys, end to end in a
# real git repository: an admin recipient, two clusters (one with two
# tenants), 500 sealed files across their paths; rotate one cluster,
# `seal updatekeys .`, and check that the new key opens every file of
# that cluster (npm sops-age, the new key alone) and so does the retired
# one until `retire`, which refuses before the re-wrap and afterwards
# leaves the old key opening nothing; the other cluster's files stay
# byte-identical; the diff of an updated file touches only sops: lines;
# a tenant's files do not open with the other tenant's key. .sops.yaml
# is checked after every command by PyYAML against sops's config grammar
# with its comments and anchors kept; the key Secret manifests are
# checked as Kubernetes objects offline.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog git
t_need_prog node
t_need_prog age-keygen
PY=
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import kubernetes, yaml' 2>/dev/null; then PY=$p; break; fi
done
peers=${SEAL_PEERS:-$SEAL_SRCDIR/tests/peers}
if [ -z "$PY" ] || [ ! -d "$peers/node_modules/sops-age" ]; then
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - python3-kubernetes or sops-age missing in CI"
		echo "1..1"; exit 1
	fi
	echo "1..0 # SKIP python3-kubernetes or sops-age (scripts/peers.sh) missing"
	exit 0
fi
CHECK="$PY $SEAL_SRCDIR/tests/e2e/sops-config-check.py"
KV="$PY $SEAL_SRCDIR/tests/e2e/k8s-validate.py"
OPEN="node $SEAL_SRCDIR/tests/interop/open-all.mjs $peers"

mkdir keys expect repo
age-keygen -o keys/admin.txt 2>/dev/null
ADMIN=$(sed -n 's/^# public key: //p' keys/admin.txt)
cd repo || exit 2
git init -q .
printf '*.agekey\n' >.gitignore
cat >.sops.yaml <<'EOF'
# platform team: cluster keys live in keys: below (seal cluster)
creation_rules:
    # the catch-all stays last
    - encrypted_regex: ^(data|stringData)$
      age: AGE_ADMIN
EOF
sed -i "s/AGE_ADMIN/$ADMIN/" .sops.yaml
C1="platform team: cluster keys"
C2="the catch-all stays last"

# ---- init, add ---------------------------------------------------------------
t_ok "cluster init --admin records the admin" \
    "$SEAL" cluster init --admin "$ADMIN"
t_ok ".sops.yaml after init: sops grammar, comments, &_admin-1" \
    $CHECK .sops.yaml --anchor _admin-1 --comment "$C1" --comment "$C2"

t_exit 2 "a cluster name that is no YAML anchor is refused" \
    "$SEAL" cluster add 'prod.eu' --key-file ../keys/x.agekey
t_check "... saying what is allowed" grep -q "letters, digits" "$T_TMP/err"
t_exit 2 "an upper-case tenant is refused" \
    "$SEAL" cluster add prod-eu --tenant 'Team=^x/' --key-file ../keys/x.agekey
t_exit 1 "a key file inside the work tree, not ignored, is refused" \
    "$SEAL" cluster add prod-eu --key-file prod-eu.key
t_check "... and not written" test ! -e prod-eu.key
t_check "... and nothing registered" sh -c '! grep -q prod-eu .sops.yaml'

t_ok "cluster add prod-eu with tenants team-a and team-b" \
    "$SEAL" cluster add prod-eu \
    --tenant 'team-a=^clusters/prod-eu/team-a/' \
    --tenant 'team-b=^clusters/prod-eu/team-b/' \
    --key-file ../keys/prod-eu.agekey
t_check "three key files, mode 0600" sh -c '
    for f in ../keys/prod-eu.agekey ../keys/prod-eu_team-a.agekey \
        ../keys/prod-eu_team-b.agekey; do
        [ "$(stat -c %a "$f")" = 600 ] || exit 1; done'
t_exit 2 "an existing key file is never overwritten" \
    "$SEAL" cluster add other --key-file ../keys/prod-eu.agekey
t_ok "a key file git ignores may be inside the work tree" \
    "$SEAL" cluster add staging --key-file staging.agekey
mv staging.agekey ../keys/staging.agekey
t_ok ".sops.yaml after add: grammar, comments, anchors and aliases" \
    $CHECK .sops.yaml --comment "$C1" --comment "$C2" \
    --anchor prod-eu --anchor prod-eu_team-a --anchor prod-eu_team-b \
    --anchor staging --alias prod-eu --alias prod-eu_team-a \
    --alias staging --alias _admin-1
t_check "tenant rules come before the cluster's, the catch-all last" \
    $PY -c '
import yaml, sys
r = yaml.safe_load(open(".sops.yaml"))["creation_rules"]
p = [x.get("path_regex") for x in r]
sys.exit(0 if p == ["^clusters/prod-eu/team-a/", "^clusters/prod-eu/team-b/",
    "^clusters/prod-eu/", "^clusters/staging/", None] else 1)'
key_of() { sed -n 's/^# public key: //p' "../keys/$1.agekey"; }
PROD=$(key_of prod-eu) TA=$(key_of prod-eu_team-a) TB=$(key_of prod-eu_team-b)
t_check "a tenant's rule has its key and the admin's, not the cluster's" \
    $PY -c '
import yaml, sys
r = yaml.safe_load(open(".sops.yaml"))["creation_rules"][0]
sys.exit(0 if r["key_groups"] == [{"age": [sys.argv[1], sys.argv[2]]}]
    else 1)' "$TA" "$ADMIN"

# ---- key Secrets --------------------------------------------------------------
"$SEAL" cluster add dev --tenant 'web=^clusters/dev/web/' --secret \
    >../flux.yaml 2>err
t_check "cluster add --secret (flux) writes manifests" test -s ../flux.yaml
t_ok "the Flux Secrets are valid Kubernetes objects" $KV ../flux.yaml
t_check "Flux layout: *.agekey entries, the tenant's in its namespace" \
    $PY -c '
import yaml, sys
d = [x for x in yaml.safe_load_all(open("../flux.yaml")) if x]
m = {(x["metadata"]["namespace"], k) for x in d for k in x["stringData"]}
ok = m == {("flux-system", "dev.agekey"), ("web", "dev_web.agekey")}
ok = ok and all(v.splitlines()[-1].startswith("AGE-SECRET-KEY-1")
    for x in d for v in x["stringData"].values())
sys.exit(0 if ok else 1)'
"$SEAL" cluster rotate dev --secret --for unseal >../unseal.yaml 2>err
t_ok "the unseal Secret is a valid Kubernetes object" $KV ../unseal.yaml
t_check "unseal layout: key entry and policy (keys by recipient)" \
    $PY -c '
import yaml, sys
d = yaml.safe_load(open("../unseal.yaml"))
p = yaml.safe_load(d["stringData"]["policy.yaml"])
ns = sorted(tuple(k["namespaces"]) for k in p["keys"])
ok = "dev.agekey" in d["stringData"] and ns == [("*",), ("*",), ("web",)]
ok = ok and all(k["recipient"].startswith("age1") and k["projects"] == ["*"]
    for k in p["keys"])
sys.exit(0 if ok else 1)'
t_ok ".sops.yaml after rotate dev: grammar, comments, anchors" \
    $CHECK .sops.yaml --comment "$C1" --anchor dev --anchor dev__retired-1 \
    --alias dev__retired-1
if command -v script >/dev/null 2>&1; then
	script -qec "$SEAL cluster add tty --secret" /dev/null >../tty.out 2>&1
	rc=$?
	t_check "--secret refuses a terminal (and registers nothing)" sh -c \
	    "[ $rc -eq 2 ] && ! grep -q AGE-SECRET ../tty.out && ! grep -q tty .sops.yaml"
fi

# ---- 500 files ----------------------------------------------------------------
$PY - <<'EOF'
import json, os, secrets
plan = [("clusters/prod-eu/team-a", 125), ("clusters/prod-eu/team-b", 125),
        ("clusters/prod-eu/apps", 100), ("clusters/staging", 150)]
for d, n in plan:
    os.makedirs(d, exist_ok=True)
    os.makedirs("../expect/" + d, exist_ok=True)
    for i in range(n):
        v = {"password": secrets.token_hex(12), "user": "u%d" % i}
        p = "%s/s%03d.yaml" % (d, i)
        with open(p, "w") as f:
            f.write("apiVersion: v1\nkind: Secret\nmetadata:\n"
                    "  name: s%d\n  namespace: %s\nstringData:\n"
                    "  password: %s\n  user: %s\n"
                    % (i, d.split("/")[-1], v["password"], v["user"]))
        json.dump(v, open("../expect/" + p + ".json", "w"))
EOF
find clusters -name '*.yaml' | sort >../all
t_check "500 Secrets written" test "$(wc -l <../all)" -eq 500
xargs -P 4 -n 1 "$SEAL" encrypt -i <../all 2>../enc.err
t_check "all 500 sealed by their rules" sh -c \
    "test \$(grep -l '^sops:' \$(cat ../all) | wc -l) -eq 500"
git add -A && git commit -qm sealed
t_check "committed (no key file in git)" sh -c \
    '! git ls-files | grep -q agekey'
ls clusters/prod-eu/apps/*.yaml >../apps
ls clusters/staging/*.yaml >../staging
sha256sum $(cat ../staging) >../staging.sum

t_ok "cluster list --json" "$SEAL" cluster list --json
cp "$T_TMP/out" ../list.json
t_check "list counts the files sealed for each key" $PY -c '
import json, sys
k = {x["anchor"]: x for x in json.load(open("../list.json"))["keys"]}
ok = (k["prod-eu"]["files"], k["prod-eu_team-a"]["files"],
      k["prod-eu_team-b"]["files"], k["staging"]["files"],
      k["_admin-1"]["files"]) == (100, 125, 125, 150, 500)
ok = ok and k["prod-eu"]["paths"] == ["^clusters/prod-eu/"]
sys.exit(0 if ok else 1)'

# ---- tenants ------------------------------------------------------------------
$OPEN ../keys/prod-eu_team-b.agekey ../expect clusters/prod-eu/team-a/*.yaml \
    >../o 2>&1
t_check "team-a's files do not open with team-b's key" \
    grep -q "^opened 0/125" ../o
$OPEN ../keys/prod-eu.agekey ../expect clusters/prod-eu/team-a/*.yaml \
    >../o 2>&1
t_check "... nor with the cluster's key" grep -q "^opened 0/125" ../o
$OPEN ../keys/prod-eu_team-a.agekey ../expect clusters/prod-eu/team-a/*.yaml \
    >../o 2>&1
t_check "... and do with team-a's" grep -q "^opened 125/125, values ok 125" ../o

# ---- rotate, updatekeys ----------------------------------------------------------
t_ok "cluster rotate prod-eu" \
    "$SEAL" cluster rotate prod-eu --key-file ../keys/prod-eu-2.agekey
t_ok ".sops.yaml after rotate: grammar, comments, anchors" \
    $CHECK .sops.yaml --comment "$C1" --comment "$C2" --anchor prod-eu \
    --anchor prod-eu__retired-1 --alias prod-eu --alias prod-eu__retired-1
t_exit 1 "retire refuses before the re-wrap" \
    "$SEAL" cluster retire prod-eu retired-1
t_check "... listing the files" grep -q "clusters/prod-eu/apps/s000.yaml" \
    "$T_TMP/err"
t_check "... and changing no file" git diff --quiet -- clusters

start=$(date +%s)
t_ok "seal updatekeys . (admin key only)" \
    env SOPS_AGE_KEY_FILE=../keys/admin.txt "$SEAL" updatekeys .
t_check "it reports each re-wrapped file" sh -c "
    test \$(grep -c 're-wrapped: +$(key_of prod-eu-2)' $T_TMP/err) -eq 100"
t_check "exactly the 100 files of prod-eu's own rule changed" sh -c \
    'test "$(git diff --name-only -- clusters | sort)" = "$(sort ../apps)"'
t_check "the other cluster's files are byte-identical" sha256sum -c --quiet \
    ../staging.sum
git diff -U0 -- clusters >../diff
t_check "git diff touches only sops: lines (values, MAC untouched)" $PY -c '
import re, sys
ok, n, f, sops = True, 0, None, 0
for l in open("../diff"):
    if l.startswith("+++ b/"):
        f = l[6:].strip()
        sops = [i for i, x in enumerate(open(f), 1) if x == "sops:\n"][0]
        n += 1
    m = re.match(r"@@ -(\d+)", l)
    if m and int(m.group(1)) <= sops:
        ok = False
    if l[:1] in "+-" and not l.startswith(("+++", "---")) and \
            re.match(r"[+-]    (mac|lastmodified):", l):
        ok = False
sys.exit(0 if ok and n == 100 else 1)'
$OPEN ../keys/prod-eu-2.agekey ../expect $(cat ../apps) >../o 2>&1
t_check "sops-age opens every re-wrapped file with the new key alone" \
    grep -q "^opened 100/100, values ok 100" ../o
$OPEN ../keys/prod-eu.agekey ../expect $(cat ../apps) >../o 2>&1
t_check "... and with the retired key too" \
    grep -q "^opened 100/100, values ok 100" ../o
t_ok "a second updatekeys changes nothing" \
    env SOPS_AGE_KEY_FILE=../keys/admin.txt "$SEAL" updatekeys .
git commit -qam rewrapped

# ---- retire ---------------------------------------------------------------------
t_exit 1 "the current key cannot be retired" \
    env SOPS_AGE_KEY_FILE=../keys/admin.txt \
    "$SEAL" cluster retire prod-eu "$(key_of prod-eu-2)"
t_ok "cluster retire prod-eu retired-1" \
    env SOPS_AGE_KEY_FILE=../keys/admin.txt \
    "$SEAL" cluster retire prod-eu retired-1
t_ok ".sops.yaml after retire: grammar, comments, the key gone" \
    $CHECK .sops.yaml --comment "$C1" --comment "$C2" --anchor prod-eu \
    --no-anchor prod-eu__retired-1 --alias _admin-1
$OPEN ../keys/prod-eu.agekey ../expect $(cat ../apps) >../o 2>&1
t_check "the retired key now opens none of them" grep -q "^opened 0/100" ../o
$OPEN ../keys/prod-eu-2.agekey ../expect $(cat ../apps) >../o 2>&1
t_check "the new key still opens all" \
    grep -q "^opened 100/100, values ok 100" ../o
t_check "the other cluster's files are still byte-identical" \
    sha256sum -c --quiet ../staging.sum
t_ok "cluster list (table)" "$SEAL" cluster list
t_check "... shows the tenants and no retired key" sh -c "
    grep -q 'team-b' $T_TMP/out && ! grep -q retired-1.*prod-eu $T_TMP/out &&
    ! grep -q '$(key_of prod-eu)' $T_TMP/out"

# ---- status DIR, rotate DIR ----------------------------------------------------
t_ok "status . : every file sealed for its rule" "$SEAL" status --json .
t_check "... 500 sealed, nothing else" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if (d["sealed"], d["partly_sealed"], d["clear_secrets"],
    d["recipients_differ"]) == (500, 0, 0, 0) else 1)' "$T_TMP/out"
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: c\nstringData:\n  k: v\n' \
    >clusters/staging/clear.yaml
t_exit 1 "status . finds a clear Secret" "$SEAL" status --json .
t_check "... and names it" grep -q '"clear_secrets": 1.*clusters/staging/clear.yaml' \
    "$T_TMP/out"
rm clusters/staging/clear.yaml
t_ok "cluster rotate staging" \
    "$SEAL" cluster rotate staging --key-file ../keys/staging-2.agekey
t_exit 1 "status . finds files sealed for other recipients than their rule" \
    "$SEAL" status .
t_check "... all 150 of staging" grep -q "150 sealed for other recipients" \
    "$T_TMP/out"
t_exit 2 "rotate of a directory wants -i" "$SEAL" rotate clusters/staging
t_ok "seal rotate -i of a directory (admin key)" \
    env SOPS_AGE_KEY_FILE=../keys/admin.txt "$SEAL" rotate -i clusters/staging
t_check "... reports each file" sh -c \
    "test \$(grep -c ': rotated: new data key' $T_TMP/err) -eq 150"
t_check "... every file's ciphertexts changed" sh -c '
    test "$(git diff --numstat -- clusters/staging | wc -l)" -eq 150 &&
    for f in $(cat ../staging); do
        [ "$(git show HEAD:$f | grep password:)" != "$(grep password: $f)" ] ||
            exit 1
    done'
$OPEN ../keys/staging.agekey ../expect $(cat ../staging) >../o 2>&1
t_check "... and the values are the same (sops-age, staging key)" \
    grep -q "^opened 150/150, values ok 150" ../o
echo "# $(($(date +%s) - start)) s from updatekeys to the end"
t_done
