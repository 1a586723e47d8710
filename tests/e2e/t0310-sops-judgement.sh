#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0310-sops-judgement: one SOPS judgement. 56 files (sealed, partly
# sealed, metadata stripped or without a mac, clear Secrets, Secrets with
# references only (op://, vault:, ${VAR}...), ConfigMaps,
# Helm templates and broken YAML, mac_only_encrypted, no namespace,
# wrong recipients) are judged by `seal status --json` and by the hook's
# check (`seal scan --staged --format json`); per file the sealing
# verdicts, the policy warnings and the recipients must agree, and each
# must be what the file was made to be. Also the two issue-8 checks: a
# sealed Secret without metadata.namespace is a warning with the fix, one
# with mac_only_encrypted refuses the commit with the reason and the fix.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog git
t_need_prog age-keygen
t_need_prog python3

age-keygen -o k1.txt 2>/dev/null
age-keygen -o k2.txt 2>/dev/null
R1=$(grep -o 'age1[a-z0-9]*' k1.txt | head -1)
R2=$(grep -o 'age1[a-z0-9]*' k2.txt | head -1)
git init -q repo
cd repo || exit 2
mkdir -p prod
printf 'creation_rules:\n  - path_regex: ^prod/\n    age: %s\n' "$R1" >.sops.yaml

# expect FILE CLASS [WARNING]: what the file was made to be
: >../expected
expect() { printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>../expected; }

secret() { # name ns value
	printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n' "$1"
	[ -n "$2" ] && printf '  namespace: %s\n' "$2"
	printf 'type: Opaque\nstringData:\n  user: app\n  password: %s\n' "$3"
}
seal_it() { # in out recipient [flags]
	"$SEAL" encrypt -r "$3" ${4:-} "$1" >"$2" && rm -f "$1"
}

for i in 1 2 3 4 5 6 7 8; do
	secret "s$i" ns "pw-$i-Zq8Lw2Vb9XnT" >tmp.yaml
	seal_it tmp.yaml "sealed-$i.yaml" "$R1"
	expect "sealed-$i.yaml" ok
done
for i in 1 2 3 4 5 6; do
	secret "p$i" ns "pw-$i-Zq8Lw2Vb9XnT" >tmp.yaml
	seal_it tmp.yaml tmp2.yaml "$R1"
	sed "s/^  password: ENC.*/  password: leaked-$i-Zq8Lw2Vb9/" tmp2.yaml >"partly-$i.yaml"
	rm tmp2.yaml
	expect "partly-$i.yaml" plaintext
done
for i in 1 2 3; do
	secret "m$i" ns "pw-$i-Zq8Lw2Vb9XnT" >tmp.yaml
	seal_it tmp.yaml tmp2.yaml "$R1"
	sed '/^sops:/,$d' tmp2.yaml >"stripped-$i.yaml"
	rm tmp2.yaml
	expect "stripped-$i.yaml" damaged
done
for i in 1 2; do
	secret "n$i" ns "pw-$i-Zq8Lw2Vb9XnT" >tmp.yaml
	seal_it tmp.yaml tmp2.yaml "$R1"
	sed '/^ *mac: ENC/d' tmp2.yaml >"nomac-$i.yaml"
	rm tmp2.yaml
	expect "nomac-$i.yaml" damaged
done
for i in 1 2 3 4 5 6; do
	secret "c$i" ns "clear-$i-Zq8Lw2Vb9XnT" >"clear-$i.yaml"
	expect "clear-$i.yaml" plaintext
done
for i in 1 2; do
	printf '{\n  "apiVersion": "v1",\n  "kind": "Secret",\n  "metadata": {"name": "j%s", "namespace": "ns"},\n  "stringData": {\n    "token": "tok-%s-Zq8Lw2Vb9XnT"\n  }\n}\n' "$i" "$i" >"clear-$i.json"
	expect "clear-$i.json" plaintext
done
for i in 1 2 3 4 5; do
	printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%s\ndata:\n  LOG_LEVEL: info\n  MODE: "%s"\n' "$i" "$i" >"config-$i.yaml"
	expect "config-$i.yaml" ok
done
for i in 1 2 3 4 5; do
	printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-%s\ndata:\n  password: {{ .Values.password%s | b64enc }}\n' "$i" "$i" >"helm-$i.yaml"
	expect "helm-$i.yaml" unparsable:ok
done
for i in 1 2; do
	printf 'apiVersion: v1\nkind: Secret\ndata:\n\tpassword: YnJva2VuLSVzLVpxOEx3\n' >"broken-$i.yaml"
	expect "broken-$i.yaml" unparsable:plaintext
done
for i in 1 2; do
	printf 'kind: NotASecret\nmetadata:\n  name: mo%s\n  namespace: ns\nstringData:\n  password: mo-%s-Zq8Lw2Vb9XnT\n' "$i" "$i" >tmp.yaml
	seal_it tmp.yaml tmp2.yaml "$R1" \
		"--mac-only-encrypted --encrypted-regex ^(data|stringData)$"
	sed 's/^kind: NotASecret/kind: Secret/' tmp2.yaml >"maconly-$i.yaml"
	rm tmp2.yaml
	expect "maconly-$i.yaml" ok secret-mac-only-encrypted
done
for i in 1 2 3 4; do
	secret "nn$i" "" "pw-$i-Zq8Lw2Vb9XnT" >tmp.yaml
	seal_it tmp.yaml "nons-$i.yaml" "$R1"
	expect "nons-$i.yaml" ok secret-without-namespace
done
for i in 1 2; do
	secret "pr$i" ns "pw-$i-Zq8Lw2Vb9XnT" >tmp.yaml
	seal_it tmp.yaml "prod/right-$i.yaml" "$R1"
	expect "prod/right-$i.yaml" ok
done
for i in 1 2 3; do
	secret "pw$i" ns "pw-$i-Zq8Lw2Vb9XnT" >tmp.yaml
	seal_it tmp.yaml "prod/wrong-$i.yaml" "$R2"
	expect "prod/wrong-$i.yaml" ok wrong-recipients
done
# Secrets whose values are all kept elsewhere: clear, nothing to seal
i=0
for v in 'op://prod/db/password' 'vault:secret/data/db#password' \
	'${DB_PASSWORD}' 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf' \
	'ref+awssm://prod/db' '<set-me>'; do
	i=$((i + 1))
	printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: r%s\n  namespace: ns\nstringData:\n  password: "%s"\n' "$i" "$v" >"refs-$i.yaml"
	expect "refs-$i.yaml" references
done
t_check "56 files made" test "$(wc -l <../expected)" -eq 56
git add -A

ls */*.yaml *.yaml *.json | grep -v '^\.sops' >../files
"$SEAL" status --json $(cat ../files) >../status.json 2>../status.err
t_check "seal status answered for every file" test "$(wc -l <../status.json)" -eq 56
"$SEAL" scan --staged --format sarif >../hook.json 2>../hook.err
t_check "the hook's check ran (exit 1: there are findings)" test $? -eq 1
t_json "... its SARIF report is valid" ../hook.json sarif

python3 - "$R1" ../expected ../status.json ../hook.json >../verdicts <<'EOF'
import json, sys
r1, expected, status, hook = sys.argv[1:5]
want = {}
for line in open(expected):
    f, cls, warn = line.rstrip('\n').split('\t')
    want[f] = (cls, warn)
sealing = {'k8s-secret': 'plaintext', 'sops-plaintext': 'plaintext',
           'sops-metadata-missing': 'damaged', 'sops-mac-missing': 'damaged',
           'sops-bad-metadata': 'damaged', 'sops-no-recipients': 'damaged',
           'sops-enc-malformed': 'damaged', 'sops-unparsable': 'damaged'}
policy = {'sops-secret-no-namespace': 'secret-without-namespace',
          'sops-mac-only-encrypted': 'secret-mac-only-encrypted',
          'sops-wrong-recipients': 'wrong-recipients'}
hook_cls, hook_warn = {}, {}
for v in json.load(open(hook))['runs'][0]['results']:
    rule = v['ruleId']
    f = v['locations'][0]['physicalLocation']['artifactLocation']['uri']
    if rule in sealing:
        if hook_cls.get(f) != 'plaintext':
            hook_cls[f] = sealing[rule]
    if rule in policy:
        hook_warn.setdefault(f, set()).add(policy[rule])
for line in open(status):
    s = json.loads(line)
    f = s['file']
    codes = {p['code'] for p in s['problems']}
    v = s['verdict']
    if v in ('sealed', 'not-sealed'):
        st = 'ok'
    elif v == 'references-only':
        st = 'references'
    elif v == 'clear-secret' or 'plaintext-value' in codes:
        st = 'plaintext'
    elif v in ('partly-sealed', 'no-metadata'):
        st = 'damaged'
    else:
        st = 'unparsable'
    hk = hook_cls.get(f, 'ok')
    cls, warn = want.pop(f)
    sw = {w['code'] for w in s['warnings']}
    if s['sealed'] and s['recipients'] != [r1] and f.startswith('prod/'):
        sw.add('wrong-recipients')
    hw = hook_warn.get(f, set())
    if cls.startswith('unparsable:'):
        ok = st == 'unparsable' and hk == cls.split(':')[1]
    elif cls == 'references':
        ok = st == 'references' and hk == 'ok'
    else:
        ok = st == cls and hk == cls
    ok = ok and sw == hw == ({warn} if warn else set())
    print('%s\t%s\tstatus=%s hook=%s want=%s warnings status=%s hook=%s' %
          ('ok' if ok else 'DIFFER', f, st, hk, cls, sorted(sw), sorted(hw)))
for f in want:
    print('DIFFER\t%s\tmissing from seal status' % f)
EOF
t_check "56 verdicts compared" test "$(wc -l <../verdicts)" -eq 56
if grep -q DIFFER ../verdicts; then
	t_flunk "seal status and the hook agree on every file" "$(grep DIFFER ../verdicts | head -5)"
else
	t_pass "seal status and the hook agree on every file"
fi
t_check "the unparsable files are said not to parse" \
	test "$(grep -c '"verdict": "unparsable"' ../status.json)" -eq 7
t_check "... on stderr too, naming each" \
	test "$(grep -c 'helm-\|broken-' ../status.err)" -eq 7

# ---- issue 8: the hook on one file each -------------------------------
one() { # file -> a fresh repository with only that file staged
	rm -rf ../one && git init -q ../one && cp "$1" ../one/s.yaml &&
		git -C ../one add s.yaml
}
one nons-1.yaml
(cd ../one && "$SEAL" hook pre-commit) >out 2>err
t_check "a sealed Secret without metadata.namespace does not refuse the commit" test $? -eq 0
t_check "... but is flagged, with the reason" \
	grep -q "s.yaml:1: warning: sops-secret-no-namespace: .*lands in whatever namespace" err
t_check "... and the fix" grep -q "seal set FILE '\[\"metadata\"\]\[\"namespace\"\]' '\"NAME\"'" err
one maconly-1.yaml
(cd ../one && "$SEAL" hook pre-commit) >out 2>err
t_check "a Secret sealed with mac_only_encrypted refuses the commit" test $? -eq 1
t_check "... with the reason" grep -q "sops-mac-only-encrypted: .*outside the MAC" err
t_check "... and the fix" grep -q "drop mac_only_encrypted from .sops.yaml, then: seal decrypt -i FILE && seal encrypt -i FILE" err
one sealed-1.yaml
(cd ../one && "$SEAL" hook pre-commit) >out 2>err
t_check "a sealed Secret with its namespace passes" test $? -eq 0
t_check "... silently" test ! -s err
"$SEAL" status nons-1.yaml >out 2>err
t_check "seal status says the same of the namespace" \
	grep -q "nons-1.yaml:1: warning: a sealed Secret without metadata.namespace" out
# a Secret of references only: seal status says so, in words
"$SEAL" status refs-1.yaml >../refs.out 2>&1
t_check "seal status of a Secret of references: exit 1 (not sealed)" test $? -eq 1
t_check "... and says it holds references only, nothing to seal" \
	grep -q "references only.*nothing to seal" ../refs.out
t_done
