#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0303-scan-output: seal scan on files and directories: text, JSON and
# SARIF output, exit codes, inline allow markers, .sealignore, baselines,
# .sops.yaml recipient rules, and the malformed-config corpora.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"

mkdir -p w/sub && cd w || exit 2
echo 'stripe = "sk_live_aPOGjCe1BU8pW7r6mxlxKZnu"' >sub/pay.py
printf 'password: "9oBdiLp4JCR0thPH"\n' >values.yaml
echo 'nothing here' >clean.txt

t_exit 0 "a clean file exits 0" "$SEAL" scan clean.txt
t_exit 1 "findings exit 1" "$SEAL" scan .
t_check "text: file:line: rule: excerpt" \
	grep -q '^sub/pay.py:1: stripe-key: sk_l\*\*\*\*\*\*\*\*' "$T_TMP/out"
t_check "text: the second file too" grep -q '^values.yaml:1: generic-secret' "$T_TMP/out"
t_check "no secret on stdout" sh -c "! grep -q aPOGjCe1 '$T_TMP/out'"
t_check "the summary goes to stderr" grep -q '^seal scan: 3 file(s)' "$T_TMP/err"

if true; then # python3 comes with pre-commit (scripts/deps.sh)
	t_exit 1 "--format json" "$SEAL" scan --format json .
	t_json "... is valid JSON" "$T_TMP/out"
	t_check "json parses and has both findings" python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
r=sorted(f["rule"] for f in d["findings"])
assert r==["generic-secret","stripe-key"], r
assert all(len(f["fingerprint"])==16 for f in d["findings"])
assert d["files_scanned"]==3' "$T_TMP/out"
	t_exit 1 "--format sarif" "$SEAL" scan -f sarif .
	t_json "... is valid SARIF" "$T_TMP/out" sarif
	t_check "sarif 2.1.0 with results, rules and locations" python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
assert d["version"]=="2.1.0"
run=d["runs"][0]
ids={r["id"] for r in run["tool"]["driver"]["rules"]}
res=run["results"]
assert len(res)==2 and {r["ruleId"] for r in res}<=ids
loc=res[0]["locations"][0]["physicalLocation"]
assert loc["region"]["startLine"]>=1 and loc["artifactLocation"]["uri"]' "$T_TMP/out"
fi

# --- every finding type makes valid JSON and SARIF -------------------------
mkdir -p types && cd types || exit 2
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: b\nstringData:\n  password: 9oBdiLp4JCR0thPH\n' \
	>"plain \"q\" it's.yaml"
enc='ENC[AES256_GCM,data:eA==,iv:eQ==,tag:eg==,type:str]'
meta="sops:\n  mac: $enc\n  lastmodified: \"2024-01-01T00:00:00Z\"\n  age:\n  - recipient: age1x\n    enc: x\n"
printf "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: b\ndata:\n  a: $enc\n  b: aHVudGVyMnBsYWlu\n$meta" \
	>'half \ sealed.yaml'
printf "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\ndata:\n  a: $enc\n" >nometa.yaml
printf "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\ndata:\n  a: ENC[AES256_GCM,data:!!]\n$meta" >malformed.yaml
printf 'secretGenerator:\n- name: db\n  literals:\n  - password=9oBdiLp4JCR0thPH\n' >kustomization.yaml
printf 'leftover\n' >.x.yaml.seal-tmp.77.AbCdEf
printf '\tstripe = "sk_live_aPOGjCe1BU8pW7r6mxlxKZnu"\n' >"tab\tname.py"
t_exit 1 "--format json over every finding type" "$SEAL" scan --format json .
cp "$T_TMP/out" "$T_TMP/types.json"
t_json "... is valid JSON, fix a string or null" "$T_TMP/types.json"
t_check "... with the rules expected" python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
rules={f["rule"] for f in d["findings"]}
want={"k8s-secret","sops-plaintext","sops-metadata-missing","sops-enc-malformed",
      "kustomize-literal","seal-temp-file","stripe-key"}
assert want<=rules, want-rules
fix={f["rule"]:f["fix"] for f in d["findings"]}
assert fix["k8s-secret"].startswith("seal encrypt -i "), fix
assert fix["sops-plaintext"].startswith("seal set "), fix' "$T_TMP/types.json"
t_exit 1 "--format sarif over every finding type" "$SEAL" scan --format sarif .
t_json "... is valid SARIF" "$T_TMP/out" sarif
cd .. && rm -r types

t_exit 2 "an unknown format is trouble" "$SEAL" scan --format xml .
t_exit 2 "--staged with paths is a usage error" "$SEAL" scan --staged x
t_exit 2 "a bad --max-size" "$SEAL" scan --max-size 0 .
t_exit 0 "--help" "$SEAL" scan --help
t_check "--help mentions the allow markers" grep -q 'seal:allow' "$T_TMP/out"

# --- allow markers -------------------------------------------------------
printf 'k = "sk_live_aPOGjCe1BU8pW7r6mxlxKZnu"  # seal:allow\n' >a1.py
printf 'k = "sk_live_aPOGjCe1BU8pW7r6mxlxKZnu"  # gitleaks:allow\n' >a2.py
printf 'k = "sk_live_aPOGjCe1BU8pW7r6mxlxKZnu"  # pragma: allowlist secret\n' >a3.py
t_exit 0 "seal:allow, gitleaks:allow and pragma: allowlist secret" \
	"$SEAL" scan a1.py a2.py a3.py
rm a1.py a2.py a3.py

# --- baseline -------------------------------------------------------------
t_exit 0 "--write-baseline records today's findings" \
	"$SEAL" scan --write-baseline base.txt .
t_check "the baseline has two salted fingerprints" \
	sh -c "[ \$(grep -c '^[0-9a-f]\{32\}	' base.txt) -eq 2 ]"
t_check "the baseline holds no secret" sh -c "! grep -q aPOGjCe1 base.txt"
t_exit 0 "with the baseline the scan is clean" "$SEAL" scan --baseline base.txt .
echo 'blank = 1' >>sub/pay.py
sed -i '1i # a new first line' sub/pay.py
t_exit 0 "fingerprints survive lines moving" "$SEAL" scan --baseline base.txt .
echo 'other = "sk_live_Zq8Lw2Vb9XnT4sKd8Rj3HfP6"' >>sub/pay.py
t_exit 1 "a new secret is still reported" "$SEAL" scan --baseline base.txt .
t_check "only the new one" sh -c "[ \$(grep -c stripe-key '$T_TMP/out') -eq 1 ]"
t_exit 2 "a missing --baseline file is trouble" "$SEAL" scan --baseline nope .

# --- .sealignore ----------------------------------------------------------
printf '# generated\nsub/\n' >.sealignore
t_exit 1 ".sealignore drops a directory" "$SEAL" scan .
t_check "sub/ is not reported" sh -c "! grep -q '^sub/' '$T_TMP/out'"
printf '*.yaml\nsub/\n' >.sealignore
t_exit 0 "globs drop files" "$SEAL" scan .
rm .sealignore

# --- .sops.yaml recipients --------------------------------------------------
if t_have_vectors leaks; then
	mkdir -p clusters/prod/app clusters/staging/app
	cp "$SEAL_VECTORS/leaks/context/sops.yaml" .sops.yaml
	cp "$SEAL_VECTORS/leaks/A066-sops-staging-recipient.yaml" clusters/staging/app/s.yaml
	cp "$SEAL_VECTORS/leaks/A066-sops-staging-recipient.yaml" clusters/prod/app/s.yaml
	t_exit 1 "a file sealed for staging under prod/ is refused" \
		"$SEAL" scan clusters
	t_check "the rule is sops-wrong-recipients, for prod only" sh -c \
		"grep -q '^clusters/prod/app/s.yaml:8: sops-wrong-recipients' '$T_TMP/out' &&
		 ! grep -q '^clusters/staging.*wrong-recipients' '$T_TMP/out'"
	# both lack metadata.namespace: a warning with its fix, not a refusal
	t_check "a sealed Secret without a namespace is a warning" \
		grep -q "^clusters/staging/app/s.yaml:2: warning: sops-secret-no-namespace" "$T_TMP/out"
	t_check "... that says how to fix it" \
		grep -q "seal set FILE '\[\"metadata\"\]\[\"namespace\"\]'" "$T_TMP/out"
	rm -r clusters .sops.yaml
fi

# --- kustomize secretGenerator files/envs ----------------------------------
mkdir -p kz/overlays/prod kz/secrets
printf 'secretGenerator:\n- name: db\n  envs:\n  - ../../secrets/db.env\n  files:\n  - tls.key=./tls.key\n  - not-there.txt\n' \
	>kz/overlays/prod/kustomization.yaml
printf 'PASSWORD=hunter2\n' >kz/secrets/db.env
printf 'k: ENC[AES256_GCM,data:eA==,iv:eQ==,tag:eg==,type:str]\nsops:\n  mac: ENC[AES256_GCM,data:eA==,iv:eQ==,tag:eg==,type:str]\n  lastmodified: "2024-01-01T00:00:00Z"\n  age:\n  - recipient: age1x\n    enc: x\n' \
	>kz/overlays/prod/tls.key
t_exit 1 "a secretGenerator naming a clear env file is refused" "$SEAL" scan kz
t_check "the finding is on the kustomization line naming the file" grep -q \
	"^kz/overlays/prod/kustomization.yaml:4: kustomize-secret-file: names 'kz/secrets/db.env'" "$T_TMP/out"
t_check "the sealed file and the missing one are not reported" sh -c \
	"[ \$(grep -c kustomize-secret-file '$T_TMP/out') -eq 1 ]"
rm -r kz

# --- malformed manifests: each hides a plaintext value; never a crash,
# never a pass (the forgiving reader judges what the real parser rejects)
for f in "$SEAL_SRCDIR/tests/fixtures/bad/yamlish"/*; do
	b=$(basename "$f")
	t_exit 1 "bad manifest $b: refused" "$SEAL" scan -q "$f"
	t_check "bad manifest $b: a finding names it" \
		grep -q "^$SEAL_SRCDIR/tests/fixtures/bad/yamlish/$b:[0-9]*: " "$T_TMP/out"
done

# --- malformed config files: one-line errors, exit 2, no crash ------------
for d in sealignore baseline sops-yaml; do
	for f in "$SEAL_SRCDIR/tests/fixtures/bad/$d"/*; do
		[ -f "$f" ] || continue
		case $d in
		sealignore) args=(--ignore-file "$f" .) ;;
		baseline) args=(--baseline "$f" .) ;;
		sops-yaml) cp "$f" .sops.yaml; args=(clean.txt) ;;
		esac
		t_exit 2 "bad $d $(basename "$f"): exit 2" "$SEAL" scan "${args[@]}"
		t_check "bad $d $(basename "$f"): one line naming the file" sh -c \
			"[ \$(wc -l <'$T_TMP/err') -eq 1 ] && grep -q '^seal scan: .*\(sealignore\|baseline\|sops\.yaml\|$(basename "$f")\)' '$T_TMP/err'"
		rm -f .sops.yaml
	done
done
t_done
