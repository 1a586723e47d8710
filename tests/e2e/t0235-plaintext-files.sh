#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0235-plaintext-files.sh - where plaintext lands on disk: decrypt -i,
# --output and age -d -o leave a 0600 file whatever the target's mode;
# the temporary file of every in-place write is 0600 and named
# .NAME.seal-tmp.PID.XXXXXX; the next run in that directory removes the
# ones of dead processes (not of live ones); the pre-commit check flags a
# staged one; SIGKILL at random points of encrypt -i / decrypt -i /
# updatekeys never leaves a torn file or a temporary file wider than 0600.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog age-keygen
t_need_prog age
t_need_prog git
age-keygen -o key.txt 2>/dev/null
age-keygen -o key2.txt 2>/dev/null
chmod 600 key.txt key2.txt
export SOPS_AGE_KEY_FILE=$PWD/key.txt
R=$(sed -n 's/^# public key: //p' key.txt)
R2=$(sed -n 's/^# public key: //p' key2.txt)
mode() { stat -c %a "$1"; }
secret() {
	printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n' "$1"
	printf '  namespace: prod\ntype: Opaque\nstringData:\n'
	for i in $(seq 1 "${2:-3}"); do printf '  key%d: value%d\n' "$i" "$i"; done
}

# ---- modes of plaintext outputs --------------------------------------------
secret a >plain.yaml
cp plain.yaml s.yaml
chmod 644 s.yaml
t_ok "encrypt -i" "$SEAL" encrypt -i -r "$R" s.yaml
t_check "a sealed file keeps its mode (644)" test "$(mode s.yaml)" = 644
cp s.yaml sealed.yaml
t_ok "decrypt -i of a 0644 file" "$SEAL" decrypt -i s.yaml
t_cmp "... gives the plaintext" plain.yaml s.yaml
t_check "... and leaves it 0600 ($(mode s.yaml))" test "$(mode s.yaml)" = 600
echo old >out.yaml
chmod 644 out.yaml
t_ok "decrypt --output over a 0644 file" "$SEAL" decrypt --output out.yaml sealed.yaml
t_cmp "... writes the plaintext" plain.yaml out.yaml
t_check "... and makes it 0600 ($(mode out.yaml))" test "$(mode out.yaml)" = 600
(umask 022 && "$SEAL" decrypt --output new.yaml sealed.yaml)
t_check "decrypt --output creates a 0600 file under umask 022 ($(mode new.yaml))" \
	test "$(mode new.yaml)" = 600
t_ok "decrypt --extract --output" "$SEAL" decrypt --extract '["stringData"]["key1"]' \
	--output v.txt sealed.yaml
t_check "... 0600 as well" test "$(mode v.txt)" = 600
printf 'hello\n' >msg
age -r "$R" -o msg.age msg
echo old >msg.out
chmod 644 msg.out
t_ok "age -d -o over a 0644 file" "$SEAL" age -d -i key.txt -o msg.out msg.age
t_check "... leaves it 0600 ($(mode msg.out))" test "$(mode msg.out)" = 600
t_cmp "... with the plaintext" msg msg.out
t_ok "decrypt to stdout" "$SEAL" decrypt sealed.yaml
t_cmp "... writes the plaintext whole" plain.yaml "$T_TMP/out"

# ---- leftovers of a killed seal ------------------------------------------
mkdir d && cd d || exit 2
sh -c 'exit 0' & dead=$!
wait $dead
secret b >x.yaml
printf 'plaintext left behind\n' >".x.yaml.seal-tmp.$dead.Ab12Cd"
sleep 30 & live=$!
printf 'being written\n' >".y.yaml.seal-tmp.$live.Ef34Gh"
printf 'not ours\n' >".z.yaml.seal-tmp.notapid"
t_ok "encrypt -i in a directory with leftovers" "$SEAL" encrypt -i -r "$R" x.yaml
t_check "the leftover of a dead seal is removed" test ! -e ".x.yaml.seal-tmp.$dead.Ab12Cd"
t_check "... and the removal is reported" grep -q "seal-tmp.$dead.Ab12Cd.*interrupted" "$T_TMP/err"
t_check "the temporary file of a live process stays" test -e ".y.yaml.seal-tmp.$live.Ef34Gh"
t_check "a name without a pid is left alone" test -e ".z.yaml.seal-tmp.notapid"
t_check "no temporary file of this run is left" \
	test "$(ls -A | grep -c "seal-tmp.[0-9]*\.......$")" -eq 1
kill $live 2>/dev/null
wait $live 2>/dev/null
cd .. || exit 2

# ---- the pre-commit check flags a staged temporary file ------------------
git init -q repo && cd repo || exit 2
printf 'user: admin\n' >".app.yaml.seal-tmp.4242.Xy12Zw"
git add -A
t_exit 1 "a staged seal temporary file is refused" "$SEAL" scan --staged
t_check "... by the rule seal-temp-file" grep -q '\.seal-tmp\.4242\.Xy12Zw: seal-temp-file' "$T_TMP/out"
t_exit 1 "... also by a scan of the directory" "$SEAL" scan .
t_check "... which names it" grep -q 'seal-temp-file' "$T_TMP/out"
cd .. || exit 2

# ---- SIGKILL at random points ------------------------------------------------
mkdir k && cd k || exit 2
secret big 3000 >plain.yaml
cp plain.yaml f.yaml
printf 'creation_rules:\n  - age: %s\n' "$R" >.sops.yaml
torn=0 wide=0 killed=0 temps=0 n=0
ops=(encrypt decrypt updatekeys)
for i in $(seq 1 50); do
	if grep -q '^sops:' f.yaml; then
		if [ $((i % 3)) -eq 0 ]; then
			# alternate the recipients so updatekeys rewrites the file
			if grep -q "$R2" .sops.yaml; then
				printf 'creation_rules:\n  - age: %s\n' "$R" >.sops.yaml
			else
				printf 'creation_rules:\n  - age: %s,%s\n' "$R" "$R2" >.sops.yaml
			fi
			op=(updatekeys -y f.yaml)
		else
			op=(decrypt -i f.yaml)
		fi
	else
		op=(encrypt -i f.yaml)
	fi
	chmod 644 f.yaml
	"$SEAL" "${op[@]}" >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$((RANDOM % 10))$((RANDOM % 10))"
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	[ $? -eq 137 ] && killed=$((killed + 1))
	for t in .f.yaml.*; do # any temporary file, whatever its name
		[ -e "$t" ] || continue
		temps=$((temps + 1))
		[ "$(mode "$t")" = 600 ] || { wide=$((wide + 1)); echo "# $t: $(mode "$t")"; }
	done
	if grep -q '^sops:' f.yaml; then
		"$SEAL" decrypt f.yaml >dec.yaml 2>/dev/null && cmp -s dec.yaml plain.yaml ||
			{ torn=$((torn + 1)); echo "# torn after ${op[0]} (sealed)"; }
	else
		cmp -s f.yaml plain.yaml || { torn=$((torn + 1)); echo "# torn after ${op[0]}"; }
	fi
	n=$((n + 1))
done
t_check "$n SIGKILLs ($killed mid-run, $temps temporary files seen): no torn file" test "$torn" -eq 0
t_check "... no temporary file wider than 0600" test "$wide" -eq 0
"$SEAL" encrypt -i f.yaml 2>/dev/null || "$SEAL" decrypt -i f.yaml
t_check "the next run removes every leftover" \
	test "$(ls -A | grep -c '^\.f\.yaml\.')" -eq 0
cd .. || exit 2
t_done
