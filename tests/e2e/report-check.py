# SPDX-License-Identifier: ISC
# report-check.py FILE sarif|json SARIF_SCHEMA REPORT_SCHEMA - validate one
# `seal scan --format` report: a SARIF log against the OASIS SARIF 2.1.0
# JSON schema (installed by scripts/peers.sh), a JSON report against
# doc/seal-scan-report.schema.json; then what the schemas cannot say:
# every result's rule is in tool.driver.rules at its ruleIndex, and every
# rule carries its help (short and full description, text and markdown
# help, a helpUri with the rule's fragment or a repository rule's own).
# Exit 0 valid, 1 invalid (the reason on stderr), 3 no validator.
import json
import sys

try:
    import jsonschema
except ImportError:
    print("python3 jsonschema module missing", file=sys.stderr)
    sys.exit(3)

path, kind, sarif_schema, report_schema = sys.argv[1:5]
try:
    schema = json.load(open(sarif_schema if kind == "sarif" else report_schema,
                            encoding="utf-8"))
except OSError as e:
    print("no schema: %s" % e, file=sys.stderr)
    sys.exit(3)
doc = json.load(open(path, encoding="utf-8"))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:5]:
    print("schema: %s: %s" % ("/".join(map(str, e.path)), e.message[:300]),
          file=sys.stderr)
if errors:
    sys.exit(1)

if kind == "sarif":
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)), "duplicate rule ids"
    for r in rules:
        for k in ("shortDescription", "fullDescription"):
            assert r[k]["text"].strip(), (r["id"], k)
        assert r["help"]["text"].strip() and r["help"]["markdown"].strip(), r["id"]
        uri = r["helpUri"]
        assert ":" in uri and "example.invalid" not in uri, (r["id"], uri)
        if "repository-rule" not in r["properties"]["tags"]:
            assert uri.endswith("#" + r["id"]), (r["id"], uri)
    for res in run["results"]:
        assert res["ruleId"] and isinstance(res["message"]["text"], str)
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"], res["ruleId"]
        assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
else:
    for f in doc["findings"]:
        assert f["fix"] is None or isinstance(f["fix"], str), f
        assert f["remediation"].strip() and f["rule_description"].strip(), f
