#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0102-age-bad: malformed input never crashes seal age and never leaks
# plaintext: every file under tests/fixtures/bad/{age-header,armor,
# bech32,identity}, plus truncations, bit flips and an oversized header
# made here, must end in exit 1 or 2 with exactly one "seal age: " line on
# stderr, nothing on stdout and no output file.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
BAD="$SEAL_SRCDIR/tests/fixtures/bad"
KAT=AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX
printf '%s\n' "$KAT" >key
chmod 600 key

# clean NAME WANT-CODES: the last command's outcome was a clean refusal
clean() {
	local name=$1 want=$2 rc=$3
	case " $want " in
	*" $rc "*) ;;
	*) t_flunk "$name" "exit $rc, wanted one of: $want" "$(head -c 600 err)"; return ;;
	esac
	if [ "$(wc -l <err)" -ne 1 ] || ! grep -q '^seal age: ' err; then
		t_flunk "$name" "stderr is not one 'seal age:' line" "$(head -c 600 err)"
	elif [ -s out ] || [ -e out.file ]; then
		t_flunk "$name" "output was released"
	elif grep -q GFPYYSJZ err; then
		t_flunk "$name" "the error message echoes the secret key"
	else
		t_pass "$name"
	fi
}

run() { "$@" >out 2>err </dev/null; }

for f in "$BAD"/age-header/*; do
	run "$SEAL" age -d -i key -o out.file "$f"; rc=$?
	clean "header $(basename "$f"): refused" "1 2" $rc
done
for f in "$BAD"/armor/*; do
	run "$SEAL" age -d -i key -o out.file "$f"; rc=$?
	clean "armor $(basename "$f"): refused" "2" $rc
done
for f in "$BAD"/bech32/*; do
	run "$SEAL" age -r "$(cat "$f")" -o out.file /dev/null; rc=$?
	clean "recipient $(basename "$f") in -r: refused" "2" $rc
	run "$SEAL" age -R "$f" -o out.file /dev/null; rc=$?
	clean "recipient $(basename "$f") in -R: refused" "2" $rc
done
for f in "$BAD"/identity/*; do
	cp "$f" id.bad && chmod 600 id.bad
	run "$SEAL" age -d -i id.bad -o out.file /dev/null; rc=$?
	clean "identity $(basename "$f"): refused" "2" $rc
	run "$SEAL" keygen -y id.bad
	clean_kg=$?
	if [ $clean_kg -eq 2 ] && [ ! -s out ] && [ "$(wc -l <err)" -eq 1 ]; then
		t_pass "keygen -y $(basename "$f"): refused"
	else
		t_flunk "keygen -y $(basename "$f"): refused" "exit $clean_kg" "$(cat err)"
	fi
done

# mutations of a valid two-chunk file
head -c 70000 /dev/urandom >plain
R=$("$SEAL" keygen -y key)
"$SEAL" age -r "$R" -o good.age plain
size=$(stat -c %s good.age)
hlen=$(grep -a -b -m1 '^--- ' good.age | cut -d: -f1)
hlen=$((hlen + 48))
run "$SEAL" age -d -i key good.age
t_check "the unmutated file decrypts" cmp -s out plain

for cut in 0 1 10 21 22 $((hlen - 1)) $hlen $((hlen + 15)) $((hlen + 16)) \
	$((hlen + 17)) $((hlen + 100)) $((hlen + 16 + 65552)) \
	$((hlen + 16 + 65553)) $((size - 17)) $((size - 16)) $((size - 1)); do
	head -c "$cut" good.age >cut.age
	run "$SEAL" age -d -i key cut.age; rc=$?
	clean "truncated to $cut of $size bytes: refused" "1 2" $rc
done
flip() { # flip FILE OFFSET: xor one bit at OFFSET
	python3 -c 'import sys
p, o = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read()); b[o] ^= 0x10
open(p, "wb").write(b)' "$1" "$2"
}
offsets=$(seq 0 7 $((hlen - 1)); echo $((hlen + 3)) $((hlen + 20)) \
	$((hlen + 16 + 65551)) $((hlen + 16 + 65552 + 9)) $((size - 1)))
for o in $offsets; do
	cp good.age flip.age
	flip flip.age "$o"
	run "$SEAL" age -d -i key flip.age; rc=$?
	clean "bit flipped at byte $o: refused" "1 2" $rc
done

# a header over the 1 MiB cap
python3 -c 'import sys
sys.stdout.write("age-encryption.org/v1\n-> big\n" + ("A" * 64 + "\n") * 20000 + "\n--- " + "A" * 43 + "\n")' >big.age
run "$SEAL" age -d -i key big.age; rc=$?
clean "oversized header: refused" "2" $rc
t_check "oversized header: the message says why" grep -q 'over 1048576' err

# trailing garbage after a valid armored file is an armor error
"$SEAL" age -a -r "$R" -o good.asc plain
{ cat good.asc; echo garbage; } >trail.asc
run "$SEAL" age -d -i key trail.asc; rc=$?
clean "garbage after armor: refused" "2" $rc
t_done
