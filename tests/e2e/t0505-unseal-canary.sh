#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0505-unseal-canary: a plaintext value never appears on stderr, whatever
# fails (tenancy, policy, tampering, limits, kustomize, the KRM route),
# and never on stdout when something failed.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
U="$SEAL_BUILDDIR/unseal"
C=canary-7f3a9c-never-print

mkdir keys
"$SEAL" keygen -o keys/a.agekey >/dev/null 2>&1
RA=$("$SEAL" keygen -y keys/a.agekey)
export UNSEAL_KEYS="$T_TMP/keys"
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: team-a\nstringData:\n  password: %s\n  user: %s-user\n' "$C" "$C" >clear.yaml
"$SEAL" encrypt --age "$RA" clear.yaml >s.yaml
t_check "the canary is sealed" bash -c "! grep -q $C s.yaml"

clean() { # name command...: fails, and the canary is nowhere it should not be
	local name=$1; shift
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"; local rc=$?
	if [ $rc -ne 0 ] && ! grep -q "$C" "$T_TMP/err" && ! grep -q "$C" "$T_TMP/out"; then
		t_pass "$name"
	else
		t_flunk "$name" "exit $rc" "$(head -c 400 "$T_TMP/err")"
	fi
}
python3 - <<'P'
import re
s = open("s.yaml").read()
# a value whose tag fails, and a MAC that does not match
m = re.search(r"user: ENC\[AES256_GCM,data:([A-Za-z0-9+/]+)", s)
d = m.group(1)
open("tag.yaml", "w").write(s.replace(d, ("A" if d[0] != "A" else "B") + d[1:], 1))
m = re.search(r"mac: ENC\[AES256_GCM,data:([A-Za-z0-9+/]+)", s)
d = m.group(1)
open("mac.yaml", "w").write(s.replace(d, ("A" if d[0] != "A" else "B") + d[1:], 1))
# values swapped: each decrypts under its own path? no: path AAD fails
a = re.search(r"password: (ENC\[[^\]]+\])", s).group(1)
b = re.search(r"user: (ENC\[[^\]]+\])", s).group(1)
open("swap.yaml", "w").write(s.replace(a, "X").replace(b, a).replace("X", b))
P
clean "a bad tag" "$U" tag.yaml
clean "a bad MAC" "$U" mac.yaml
clean "swapped values" "$U" swap.yaml
clean "another namespace" "$U" --namespace team-b s.yaml
printf 'keys:\n  - recipient: %s\n    projects: [x]\n    namespaces: [team-a]\n' "$RA" >pol.yaml
clean "a policy refusal" "$U" --policy pol.yaml --project y s.yaml
clean "the output limit" "$U" --max-output 64 s.yaml
clean "a good file then a bad one" "$U" s.yaml mac.yaml
mkdir k; cp s.yaml k/; printf 'resources:\n- s.yaml\nnamespace: team-b\n' >k/kustomization.yaml
if command -v kubectl >/dev/null; then
	clean "kustomize moves it to another namespace" "$U" render k
	printf 'resources:\n- s.yaml\npatches:\n- patch: "not yaml: ["\n' >k/kustomization.yaml
	clean "kustomize fails" "$U" render k
fi
printf 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n' >rl.yaml
sed 's/^/- /;2,$s/^- /  /' s.yaml >>rl.yaml
clean "a sealed KRM item" bash -c "'$U' krm <rl.yaml"
printf 'apiVersion: x/v1\nkind: X\nmetadata:\n  name: s\nfiles: [mac.yaml]\n' >cfg.yaml
clean "krm CONFIG with a bad MAC" "$U" krm cfg.yaml
t_done
