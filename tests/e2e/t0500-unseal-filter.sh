#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0500-unseal-filter: `unseal [FILE|-]...` decrypts sealed documents,
# passes clear ones through byte for byte, and fails on anything
# half-sealed, tampered or without a key, with nothing on stdout.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
U="$SEAL_BUILDDIR/unseal"

mkdir keys
"$SEAL" keygen -o keys/a.agekey >/dev/null 2>&1
RA=$("$SEAL" keygen -y keys/a.agekey)
"$SEAL" keygen -o other.agekey >/dev/null 2>&1
RO=$("$SEAL" keygen -y other.agekey)

cat >clear.yaml <<'Y'
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: team-a
stringData:
  password: canary-filter-31337
  user: admin
Y
"$SEAL" encrypt --age "$RA" clear.yaml >sealed.yaml
t_check "the test input is sealed" grep -q 'ENC\[AES256_GCM' sealed.yaml

t_ok "a sealed file decrypts" "$U" --keys keys sealed.yaml
cp "$T_TMP/out" dec.yaml
t_check "the plaintext comes out" grep -q 'password: canary-filter-31337' dec.yaml
t_check "no sops block is left" bash -c '! grep -q "^sops:" dec.yaml'
t_check "no ENC[ is left" bash -c '! grep -q "ENC\[" dec.yaml'

# stdin, and "-"
t_ok "stdin works" bash -c "\"$U\" --keys keys <sealed.yaml >stdin.out"
t_cmp "stdin gives the same output" dec.yaml stdin.out

# a clear stream passes byte for byte (odd spacing and comments kept)
cat >plain.yaml <<'Y'
# a comment
apiVersion: v1
kind: ConfigMap
metadata: {name: cm,   namespace: team-a}
data:
  key:    "value"   # trailing
---
apiVersion: v1
kind: Service
metadata:
  name: svc
Y
t_ok "a clear stream passes" "$U" --keys keys plain.yaml
t_cmp "clear documents pass byte for byte" plain.yaml "$T_TMP/out"
t_ok "a clear stream passes without any key" "$U" plain.yaml

# mixed: clear then sealed, from two files and from one stream
t_ok "several files" "$U" --keys keys plain.yaml sealed.yaml
t_check "both are in the output" bash -c "grep -q 'kind: Service' '$T_TMP/out' && grep -q canary-filter-31337 '$T_TMP/out'"
cat plain.yaml >mixed.yaml; echo '---' >>mixed.yaml; cat sealed.yaml >>mixed.yaml
t_ok "a stream of clear and sealed documents" "$U" --keys keys mixed.yaml
t_check "three documents come out" test "$(grep -c '^kind:' "$T_TMP/out")" -eq 3

# two sealed files concatenated (two data keys, two MACs)
sed 's/name: db/name: db2/' clear.yaml >clear2.yaml
"$SEAL" encrypt --age "$RA" clear2.yaml >sealed2.yaml
{ cat sealed.yaml; echo '---'; cat sealed2.yaml; } >two.yaml
t_ok "two sealed files in one stream" "$U" --keys keys two.yaml
t_check "both decrypted" test "$(grep -c canary-filter-31337 "$T_TMP/out")" -eq 2

# half-sealed: an ENC value and no metadata
sed '/^sops:/,$d' sealed.yaml >half.yaml
t_exit 1 "an ENC[ value without sops metadata fails" "$U" --keys keys half.yaml
t_check "nothing on stdout" test ! -s "$T_TMP/out"
t_check "the message names the file and the document" grep -q 'half.yaml: document 1' "$T_TMP/err"
# metadata without a MAC
grep -v '^  mac:' sealed.yaml >nomac.yaml
t_fail "sops metadata without a MAC fails" "$U" --keys keys nomac.yaml
t_check "nothing on stdout (no MAC)" test ! -s "$T_TMP/out"
# half-sealed after a good file: nothing partial
t_fail "a bad file after a good one fails" "$U" --keys keys sealed.yaml half.yaml
t_check "nothing partial on stdout" test ! -s "$T_TMP/out"

# a tampered value
python3 - <<'P'
import re
s = open("sealed.yaml").read()
m = re.search(r"password: ENC\[AES256_GCM,data:([A-Za-z0-9+/]+)", s)
d = m.group(1)
d2 = ("A" if d[0] != "A" else "B") + d[1:]
open("tampered.yaml", "w").write(s.replace(d, d2, 1))
P
t_exit 1 "a tampered value fails" "$U" --keys keys tampered.yaml
t_check "nothing on stdout (tampered)" test ! -s "$T_TMP/out"

# no key
t_exit 1 "a file for another key fails" "$U" --keys keys <("$SEAL" encrypt --age "$RO" clear.yaml)
t_check "the message says no key" grep -q 'no key for' "$T_TMP/err"

# key directory modes: group/world readable refused on a writable fs,
# accepted in a Kubernetes Secret volume layout (..data)
mkdir k2; cp keys/a.agekey k2/; chmod 644 k2/a.agekey
t_exit 2 "a world-readable key file is refused" "$U" --keys k2 sealed.yaml
mkdir -p kv/..2026_01_01 && cp keys/a.agekey kv/..2026_01_01/id.agekey &&
	chmod 444 kv/..2026_01_01/id.agekey && ln -s ..2026_01_01 kv/..data &&
	ln -s ..data/id.agekey kv/id.agekey
t_ok "a Secret volume (..data symlinks, 0444) is accepted" "$U" --keys kv sealed.yaml
chmod 666 kv/..2026_01_01/id.agekey
t_exit 2 "a key file others may write is refused" "$U" --keys kv sealed.yaml

# sops's variables
t_ok "SOPS_AGE_KEY_FILE works" env SOPS_AGE_KEY_FILE=keys/a.agekey "$U" sealed.yaml
t_ok "SOPS_AGE_KEY works" env SOPS_AGE_KEY="$(cat keys/a.agekey)" "$U" sealed.yaml
t_ok "UNSEAL_KEYS works" env UNSEAL_KEYS=keys "$U" sealed.yaml

# old and new keys side by side
"$SEAL" keygen -o keys/b.agekey >/dev/null 2>&1
RB=$("$SEAL" keygen -y keys/b.agekey)
"$SEAL" encrypt --age "$RB" clear.yaml >sealedb.yaml
t_ok "old and new keys both serve" "$U" --keys keys sealed.yaml sealedb.yaml

t_ok "--help" "$U" --help
t_check "--help names the modes" grep -q 'unseal render' "$T_TMP/out"
t_exit 2 "an unknown option is trouble" "$U" --bogus sealed.yaml
t_done
