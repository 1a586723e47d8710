#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0307-scan-reports: the reports' rule help. Every rule in SARIF's
# tool.driver.rules (built-in and the repository's own) has a short and
# full description, text and markdown help and a helpUri into
# doc/seal-scan-rules.md, whose sections are exactly the built-in rules;
# a repository rule's description, help and help_uri reach the reports;
# JSON findings carry the rule's description and fix.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"

DOC=$SEAL_SRCDIR/doc/seal-scan-rules.md
mkdir w && cd w || exit 2
echo 'stripe = "sk_live_aPOGjCe1BU8pW7r6mxlxKZnu"' >pay.py
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: 9oBdiLp4JCR0thPH\n' >db.yaml
echo 'acme = acme_k3j5h6g7f8d9s0a1q2w3' >acme.txt
cat >.seal-scan.toml <<'TOML'
[[rules]]
id = "acme-token"
description = "ACME API token"
help = "Revoke it with `acme tokens revoke ID`."
help_uri = "https://wiki.example.org/acme#tokens"
regex = '''acme_[a-z0-9]{20}'''

[[rules]]
id = "acme-plain"
regex = '''acmeplain_[a-z0-9]{20}'''
TOML

t_exit 1 "--format sarif with a repository rule" "$SEAL" scan -f sarif .
cp "$T_TMP/out" "$T_TMP/r.sarif"
t_json "... valid against the SARIF 2.1.0 schema, every rule with help" \
	"$T_TMP/r.sarif" sarif
t_check "every built-in rule is listed, and has its section in seal-scan-rules.md" \
	python3 - "$T_TMP/r.sarif" "$DOC" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
rules = d["runs"][0]["tool"]["driver"]["rules"]
builtin = [r["id"] for r in rules if "repository-rule" not in r["properties"]["tags"]]
anchors = re.findall(r'<a id="([^"]+)"></a>', open(sys.argv[2]).read())
heads = re.findall(r'^## (\S+)$', open(sys.argv[2]).read(), re.M)
assert set(builtin) == set(anchors) - {"user-rules", "baselines"}, \
    set(builtin) ^ (set(anchors) - {"user-rules", "baselines"})
assert set(builtin) <= set(heads), set(builtin) - set(heads)
for want in ("k8s-secret", "stripe-key", "generic-secret", "sops-plaintext"):
    assert want in builtin, want
base = d["runs"][0]["tool"]["driver"]["informationUri"]
assert base.endswith("/seal-scan-rules.md") and "example.invalid" not in base, base
for r in rules:
    if r["id"] in builtin:
        assert r["helpUri"] == base + "#" + r["id"], r["helpUri"]
PY
t_check "the fix is in the help: seal encrypt for a plaintext Secret, rotation for a leak" \
	python3 - "$T_TMP/r.sarif" <<'PY'
import json, sys
rules = {r["id"]: r for r in json.load(open(sys.argv[1]))["runs"][0]["tool"]["driver"]["rules"]}
assert "`seal encrypt -i FILE`" in rules["k8s-secret"]["help"]["markdown"]
assert "seal encrypt -i FILE" in rules["k8s-secret"]["help"]["text"]
assert "`" not in rules["k8s-secret"]["help"]["text"]
assert "rotate" in rules["stripe-key"]["help"]["text"]
PY
t_check "a repository rule's description, help and help_uri reach SARIF" \
	python3 - "$T_TMP/r.sarif" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
rules = run["tool"]["driver"]["rules"]
a = [r for r in rules if r["id"] == "acme-token"][0]
assert a["shortDescription"]["text"] == "ACME API token", a
assert a["helpUri"] == "https://wiki.example.org/acme#tokens", a
assert "`acme tokens revoke ID`" in a["help"]["markdown"], a
p = [r for r in rules if r["id"] == "acme-plain"][0]
assert p["helpUri"].endswith("seal-scan-rules.md#user-rules"), p
res = [x for x in run["results"] if x["ruleId"] == "acme-token"]
assert len(res) == 1 and rules[res[0]["ruleIndex"]]["id"] == "acme-token"
PY
t_exit 1 "--format json" "$SEAL" scan -f json .
cp "$T_TMP/out" "$T_TMP/r.json"
t_json "... valid against doc/seal-scan-report.schema.json" "$T_TMP/r.json"
t_check "JSON findings carry the rule's description, fix and help_uri" \
	python3 - "$T_TMP/r.json" <<'PY'
import json, sys
f = {x["rule"]: x for x in json.load(open(sys.argv[1]))["findings"]}
assert "seal encrypt -i FILE" in f["k8s-secret"]["remediation"], f["k8s-secret"]
assert f["k8s-secret"]["help_uri"].endswith("seal-scan-rules.md#k8s-secret")
assert f["acme-token"]["remediation"] == "Revoke it with acme tokens revoke ID."
assert f["acme-token"]["rule_name"] == "ACME API token"
assert f["acme-token"]["help_uri"] == "https://wiki.example.org/acme#tokens"
PY

# the validator itself: a report that breaks the schema is caught
python3 - "$T_TMP/r.sarif" "$T_TMP/bad.sarif" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["runs"][0]["results"][0]["level"] = "fatal"
json.dump(d, open(sys.argv[2], "w"))
PY
py=python3
python3 -c 'import jsonschema' 2>/dev/null || py=/usr/bin/python3
schema=${SEAL_PEERS:-$SEAL_SRCDIR/tests/peers}/schemas/sarif-schema-2.1.0.json
if [ -f "$schema" ]; then
	t_exit 1 "(self-check) the validator fails a SARIF level outside the schema" \
		"$py" "$SEAL_SRCDIR/tests/e2e/report-check.py" "$T_TMP/bad.sarif" \
		sarif "$schema" "$SEAL_SRCDIR/doc/seal-scan-report.schema.json"
	t_check "... saying where" grep -q '^schema: runs/0/results/0/level' "$T_TMP/err"
elif [ "${CI:-}" = true ]; then
	t_flunk "(self-check) the SARIF schema is installed (scripts/peers.sh)" "$schema"
else
	t_skip "(self-check) no SARIF schema: run scripts/peers.sh"
	t_skip "... saying where"
fi

for bad in 'help_uri = "not a uri"' 'help_uri = "https://x.org/a b"' 'help = ""' \
	'help_uri = 7'; do
	printf '[[rules]]\nid = "x-tok"\nregex = '"'"'xtok_[0-9]{9}'"'"'\n%s\n' "$bad" >.seal-scan.toml
	t_exit 2 "a bad rule help is refused: $bad" "$SEAL" scan .
	t_check "... naming the file and line" grep -q '^seal scan: .seal-scan.toml:4: ' "$T_TMP/err"
done
t_done
