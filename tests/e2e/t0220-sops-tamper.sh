#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0220-sops-tamper.sh - every kind of tampering with a sealed Secret is
# refused with exit 1, a one-line message naming the file and the
# reason, and nothing on stdout: swapped ciphertexts, a value moved to
# another key, edited metadata.namespace / metadata.name, an edited or
# removed MAC, an edited or removed lastmodified, a truncated file.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog age-keygen
t_need_prog python3
age-keygen -o key.txt 2>/dev/null
chmod 600 key.txt
export SOPS_AGE_KEY_FILE=$PWD/key.txt
R=$(sed -n 's/^# public key: //p' key.txt)
cat >secret.yaml <<'YAML'
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: prod
type: Opaque
stringData:
  user: admin
  password: hunter2
  host: db.internal
YAML
t_ok "seal the Secret" "$SEAL" encrypt -i -r "$R" secret.yaml
t_ok "the sealed Secret decrypts" "$SEAL" decrypt secret.yaml

# mutate NAME PYTHON-EXPR-ON-t: write tampered/NAME.yaml
mkdir tampered
mutate() {
	python3 - "$1" "$2" <<'PY'
import re, sys
name, expr = sys.argv[1], sys.argv[2]
t = open("secret.yaml").read()
lines = t.split("\n")
def val(k):
    return re.search(r"^  %s: (.*)$" % k, t, re.M).group(1)
def setval(t, k, v):
    return re.sub(r"^(  %s: ).*$" % k, lambda m: m.group(1) + v, t, count=1, flags=re.M)
t = eval(expr, {"t": t, "val": val, "setval": setval, "re": re})
open("tampered/%s.yaml" % name, "w").write(t)
PY
}
mutate swap 'setval(setval(t, "user", val("password")), "password", val("user"))'
mutate move 're.sub(r"^  host:", "  hostname:", t, flags=re.M)'
mutate namespace 're.sub(r"namespace: prod", "namespace: dev", t)'
mutate name 're.sub(r"name: db", "name: db2", t)'
mutate mac-edit 're.sub(r"(mac: ENC\[AES256_GCM,data:)(.)", lambda m: m.group(1) + ("B" if m.group(2) == "A" else "A"), t)'
mutate mac-removed 're.sub(r"^  mac: .*\n", "", t, flags=re.M)'
mutate mac-empty 're.sub(r"^  mac: .*$", "  mac: \"\"", t, flags=re.M)'
mutate lastmodified-edit 're.sub(r"lastmodified: \"(\d{4})", lambda m: "lastmodified: \"%d" % (int(m.group(1)) - 1), t)'
mutate lastmodified-removed 're.sub(r"^  lastmodified: .*\n", "", t, flags=re.M)'
mutate truncated 't[: len(t) // 2]'
mutate truncated-meta 't[: t.index("  lastmodified")]'
mutate value-in-clear 'setval(t, "password", "hunter3")'

for f in tampered/*.yaml; do
	case=$(basename "$f" .yaml)
	if cmp -s "$f" secret.yaml; then
		t_flunk "$case: the mutation changed nothing (test bug)"
		continue
	fi
	"$SEAL" decrypt "$f" >out 2>err
	rc=$?
	lines=$(wc -l <err)
	if [ "$rc" -eq 1 ] && [ ! -s out ] && [ "$lines" -eq 1 ] &&
	    grep -q "tampered/$case.yaml" err; then
		t_pass "$case: refused, exit 1, one line naming the file, no output"
		sed 's/^/#   /' err
	else
		t_flunk "$case: refused, exit 1, one line naming the file, no output" \
		    "rc=$rc stdout=$(wc -c <out) bytes" "$(cat err)"
	fi
done
# the reasons are the right ones
"$SEAL" decrypt tampered/namespace.yaml 2>err >/dev/null
t_check "edited namespace: reported as a MAC mismatch" grep -q "MAC mismatch" err
"$SEAL" decrypt tampered/swap.yaml 2>err >/dev/null
t_check "swapped values: reported as an authentication failure on the field" \
    grep -q "stringData.user.*authentication failed" err
"$SEAL" decrypt tampered/mac-removed.yaml 2>err >/dev/null
t_check "removed MAC: says there is no MAC" grep -q "no MAC" err
"$SEAL" decrypt tampered/lastmodified-removed.yaml 2>err >/dev/null
t_check "removed lastmodified: says lastmodified is missing" \
    grep -q "lastmodified' is missing" err
# --ignore-mac reads a file whose MAC no longer matches
t_ok "--ignore-mac reads the edited-namespace file" \
    "$SEAL" decrypt --ignore-mac tampered/namespace.yaml
t_check "... and shows the edited namespace" grep -q "namespace: dev" "$T_TMP/out"
t_done
