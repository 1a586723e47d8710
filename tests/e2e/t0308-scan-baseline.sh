#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0308-scan-baseline: the committed baseline. Its fingerprints are salted
# (a random salt per file, an Argon2id key, keyed BLAKE2b): the secret's
# plain hashes are not in it, and two baselines of the same findings
# differ. --audit-baseline lists each entry live or stale and the new
# findings; --update-baseline rewrites the file atomically, stale entries
# out, new findings in, the salt and the other lines kept. Old, tampered
# or malformed baselines are errors (exit 2), never "accept all".
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog git

S1=sk_live_aPOGjCe1BU8pW7r6mxlxKZnu
S2=9oBdiLp4JCR0thPH
S3=sk_live_Zq8Lw2Vb9XnT4sKd8Rj3HfP6
git init -q r && cd r || exit 2
echo "stripe = \"$S1\"" >pay.py
printf 'password: "%s"\n' "$S2" >values.yaml
echo 'nothing here' >clean.txt
git add -A && git commit -qm one

t_exit 0 "--write-baseline" "$SEAL" scan --all --write-baseline .seal-baseline
cp .seal-baseline ../first
t_check "a header with the Argon2id cost and a 128-bit random salt" grep -qE \
	'^seal-baseline 2 argon2id ops=[0-9]+ mem=[0-9]+ random=[0-9a-f]{32}$' .seal-baseline
t_check "two entries: 128-bit fingerprint, path, rule" sh -c \
	"[ \$(grep -cE '^[0-9a-f]{32}	(pay.py	stripe-key|values.yaml	generic-secret)\$' .seal-baseline) -eq 2 ]"
t_check "no secret in it" sh -c "! grep -qe '$S1' -e '$S2' -e aPOGjCe1 .seal-baseline"
mv .seal-baseline ../bl
t_exit 1 "(the report's unsalted fingerprints)" "$SEAL" scan --all --format json
mv ../bl .seal-baseline
t_json "... a valid report" "$T_TMP/out"
t_check "the secret's plain hashes are not in the baseline (no dictionary test)" \
	python3 - .seal-baseline "$T_TMP/out" "$S1" "$S2" <<'PY'
import hashlib, json, sys
text = open(sys.argv[1]).read().lower()
report = json.load(open(sys.argv[2]))
cands = set(f["fingerprint"] for f in report["findings"])
for secret, rule, path in ((sys.argv[3], "stripe-key", "pay.py"),
                           (sys.argv[4], "generic-secret", "values.yaml")):
    s = secret.encode()
    for h in ("sha1", "sha256", "md5", "sha512"):
        cands.add(hashlib.new(h, s).hexdigest())
    for data in (s, rule.encode() + b"\0" + path.encode() + b"\0" + s,
                 b"seal-id\0" + rule.encode() + b"\0" + path.encode() + b"\0" + s):
        for n in (8, 16, 32, 64):
            cands.add(hashlib.blake2b(data, digest_size=n).hexdigest())
        cands.add(hashlib.sha1(data).hexdigest())
        cands.add(hashlib.sha256(data).hexdigest())
for c in cands:
    for k in (16, 32):  # any 64- or 128-bit prefix
        assert c[:k] not in text, ("found", c[:k])
print(len(cands), "candidates absent")
PY
t_exit 0 "the baseline accepts both findings" "$SEAL" scan --all
t_exit 0 "a second baseline of the same findings" \
	"$SEAL" scan --all --write-baseline ../second
t_check "... has another salt and other fingerprints" python3 - ../first ../second <<'PY'
import sys
a, b = (set(l.split("\t")[0] for l in open(p) if not l.startswith("#")) for p in sys.argv[1:])
assert len(a) == 3 and len(b) == 3 and not (a & b), (a, b)
PY
t_exit 0 "... and accepts them too" "$SEAL" scan --all -b ../second
t_exit 0 "the hook's check (--staged) uses .seal-baseline" sh -c \
	"echo '# touch' >>pay.py && git add pay.py && '$SEAL' scan --staged"

# --- audit ----------------------------------------------------------------
git commit -qm baseline-and-touch
t_exit 0 "--audit-baseline: every entry live, nothing new: exit 0" \
	"$SEAL" scan --all --audit-baseline
t_check "... lists each entry live, with its line in the file" sh -c \
	"grep -q '^live	pay.py	stripe-key	(.seal-baseline:[0-9]*)\$' '$T_TMP/out' &&
	 grep -q '^live	values.yaml	generic-secret	' '$T_TMP/out' &&
	 [ \$(wc -l <'$T_TMP/out') -eq 2 ]"
echo "stripe = \"$S3\"" >pay.py
git add pay.py && git commit -qm rotated
t_exit 1 "a rotated secret: exit 1" "$SEAL" scan --all --audit-baseline
t_check "... its old entry is stale" grep -q '^stale	pay.py	stripe-key	' "$T_TMP/out"
t_check "... the other still live" grep -q '^live	values.yaml	generic-secret	' "$T_TMP/out"
t_check "... the new secret is listed as new" grep -q '^new	pay.py:1	stripe-key$' "$T_TMP/out"
t_check "... the summary counts them" grep -q "1 live, 1 stale, 1 new" "$T_TMP/err"
t_exit 2 "--audit-baseline judges a whole tree, not --staged" \
	"$SEAL" scan --staged --audit-baseline
t_exit 2 "--audit-baseline and --update-baseline are exclusive" \
	"$SEAL" scan --all --audit-baseline --update-baseline

# --- update ---------------------------------------------------------------
cp .seal-baseline ../before
t_exit 0 "--update-baseline" "$SEAL" scan --all --update-baseline
t_check "... says what it did" grep -q "1 entry kept, 1 stale removed, 1 new" "$T_TMP/err"
t_check "... the salt is kept" sh -c \
	"[ \"\$(grep ^seal-baseline ../before)\" = \"\$(grep ^seal-baseline .seal-baseline)\" ]"
t_check "... the live entry's line is unchanged" sh -c \
	"grep 'values.yaml	generic-secret' ../before >../a; grep -qxFf ../a .seal-baseline"
t_check "... the stale entry is gone, the new one in" sh -c \
	"! grep -qxF \"\$(grep pay.py ../before)\" .seal-baseline && grep -q 'pay.py	stripe-key' .seal-baseline"
t_check "... no temporary file left" sh -c "[ -z \"\$(ls -A | grep seal-tmp)\" ]"
t_exit 0 "after the update the audit is clean" "$SEAL" scan --all --audit-baseline
t_exit 2 "--update-baseline without a baseline is trouble" \
	"$SEAL" scan --all --update-baseline -b ../nope
t_check "... naming it" grep -q "cannot read baseline '../nope'" "$T_TMP/err"

# --- old, tampered, malformed: fail closed ----------------------------------
printf '# seal scan baseline\n0123456789abcdef\tpay.py\tstripe-key\n' >../old
t_exit 2 "an unsalted baseline of an older seal is refused" "$SEAL" scan --all -b ../old
t_check "... saying to regenerate it" grep -q "../old:2: an unsalted baseline.*regenerate it with 'seal scan --write-baseline FILE'" "$T_TMP/err"
sed 's/ ops=[0-9]*/ ops=1/' .seal-baseline >../weak
t_exit 2 "a baseline whose Argon2id cost was lowered is refused" "$SEAL" scan --all -b ../weak
t_check "... naming the header line" grep -q "../weak:5: Argon2id cost" "$T_TMP/err"
sed 's/ mem=[0-9]*/ mem=999999999999/' .seal-baseline >../huge
t_exit 2 "... and one that asks for too much memory" "$SEAL" scan --all -b ../huge
sed -E 's/random=[0-9a-f]{4}/random=ffff/' .seal-baseline >../salt
t_exit 1 "a changed salt accepts nothing (findings come back)" "$SEAL" scan --all -b ../salt
t_check "... both of them" sh -c "[ \$(grep -c 'stripe-key\|generic-secret' '$T_TMP/out') -eq 2 ]"
sed -E '/pay.py/s/^[0-9a-f]{4}/0000/' .seal-baseline >../fp
t_exit 1 "an edited fingerprint accepts nothing" "$SEAL" scan --all -b ../fp
t_check "... the finding comes back" grep -q 'pay.py:1: stripe-key' "$T_TMP/out"
sed 's/	stripe-key$/	stripe key/' .seal-baseline >../rule
t_exit 2 "a malformed entry is refused, not skipped" "$SEAL" scan --all -b ../rule
: >../empty
t_exit 2 "an empty baseline file is refused" "$SEAL" scan --all -b ../empty
t_check "... saying it has no header" grep -q "no 'seal-baseline' header" "$T_TMP/err"

# --- completion offers the new options (read from --help) -----------------
mkdir -p ../bin && ln -sf "$SEAL" ../bin/seal
t_check "bash completion offers --audit-baseline and --update-baseline" bash -c '
PATH=$1:$PATH; . "$2"
COMP_WORDS=(seal scan --a); COMP_CWORD=2; _seal; a=" ${COMPREPLY[*]} "
COMP_WORDS=(seal scan --up); COMP_CWORD=2; _seal; u=" ${COMPREPLY[*]} "
[[ $a == *" --audit-baseline "* && $u == *" --update-baseline "* ]]' _ \
	"$(cd ../bin && pwd)" "$SEAL_SRCDIR/contrib/completion/seal"
t_done
