#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0200-sops-vectors.sh - every file in $SEAL_VECTORS/sops (written by
# the real sops 3.7-3.13) decrypts with its key to the expected plaintext
# (expected/<file>.decrypted.json, types included), with the MAC
# verified; and a flipped MAC byte in each is refused.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_vectors sops
t_need_prog python3
V=$SEAL_VECTORS/sops
jsoneq="$SEAL_SRCDIR/tests/e2e/jsoneq.py"

key_for() {
	case "$1" in
	flux-kustomize-controller/global-secret.yaml)
		echo flux-kustomize-controller/age-global.txt ;;
	flux-kustomize-controller/*) echo flux-kustomize-controller/age.txt ;;
	talhelper/*) echo talhelper/key.txt ;;
	sops-nix/*) echo sops-nix/age-keys.txt ;;
	sops-secrets-operator/*) echo sops-secrets-operator/key-file.txt ;;
	helm-secrets/*) echo helm-secrets/key.txt ;;
	esac
}

total=0 passed=0
for exp in "$V"/*/expected/*.decrypted.json; do
	rel=${exp#"$V"/}
	dir=${rel%%/*}
	base=$(basename "$exp" .decrypted.json)
	file=$dir/$base
	total=$((total + 1))
	install -m 600 "$V/$(key_for "$file")" "$T_TMP/key.txt"
	if ! SOPS_AGE_KEY_FILE="$T_TMP/key.txt" "$SEAL" decrypt \
	    --output-type json "$V/$file" >"$T_TMP/dec.json" 2>"$T_TMP/err"; then
		t_flunk "$file decrypts (MAC verified)" "$(cat "$T_TMP/err")"
		continue
	fi
	if diff=$(python3 "$jsoneq" "$exp" "$T_TMP/dec.json"); then
		t_pass "$file decrypts to the expected plaintext"
		passed=$((passed + 1))
	else
		t_flunk "$file decrypts to the expected plaintext" "$diff"
	fi
	# change one character of the MAC's ciphertext: refused, exit 1
	python3 - "$V/$file" "$T_TMP/bad" <<'PY'
import re, sys
t = open(sys.argv[1], "rb").read()
m = re.search(rb'mac["]?[:=] ?"?ENC\[AES256_GCM,data:', t)
i = m.end()
t = t[:i] + (b"B" if t[i:i+1] == b"A" else b"A") + t[i+1:]
open(sys.argv[2], "wb").write(t)
PY
	cp "$T_TMP/bad" "$T_TMP/bad.${file##*.}"
	if cmp -s "$T_TMP/bad" "$V/$file"; then
		t_flunk "$file: tampering the MAC changed nothing (test bug)"
		continue
	fi
	SOPS_AGE_KEY_FILE="$T_TMP/key.txt" "$SEAL" decrypt \
	    --input-type "$(case $file in *.env) echo dotenv;; *.json) echo json;;
	    *.txt) echo binary;; *) echo yaml;; esac)" "$T_TMP/bad" \
	    >"$T_TMP/out" 2>"$T_TMP/err"
	rc=$?
	if [ "$rc" -eq 1 ] && [ ! -s "$T_TMP/out" ] && grep -q MAC "$T_TMP/err"; then
		t_pass "$file with a damaged MAC is refused"
	else
		t_flunk "$file with a damaged MAC is refused" "rc=$rc" \
		    "$(cat "$T_TMP/err")"
	fi
done
# a rewrite keeps master keys seal cannot use (sops-nix: 2 age + 2 PGP)
cp "$V/sops-nix/secrets.yaml" nix.yaml
install -m 600 "$V/sops-nix/age-keys.txt" "$T_TMP/key.txt"
SOPS_AGE_KEY_FILE="$T_TMP/key.txt" t_ok "seal set on a file with PGP keys" \
    "$SEAL" set nix.yaml '["test_key"]' '"changed"'
t_check "both PGP entries are kept" test "$(grep -c ' fp: ' nix.yaml)" -eq 2
t_check "both age entries are kept" test "$(grep -c 'recipient: age1' nix.yaml)" -eq 2
SOPS_AGE_KEY_FILE="$T_TMP/key.txt" "$SEAL" decrypt nix.yaml >nix.out
t_check "the new value decrypts" grep -qx "test_key: changed" nix.out
SOPS_AGE_KEY_FILE="$T_TMP/key.txt" t_exit 2 "rotate refuses a file with PGP keys" \
    "$SEAL" rotate nix.yaml
t_check "... saying why" grep -q "non-age master key" "$T_TMP/err"

echo "# $passed/$total sops vectors decrypted to the expected plaintext"
t_check "all $total vectors pass ($passed/$total)" test "$passed" -eq "$total" -a "$total" -eq 17
t_done
