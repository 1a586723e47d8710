#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0101-age-cli: seal keygen and seal age behave like age-keygen and age
# at the edges: file modes, refusing to overwrite, private-key file
# checks, usage errors and exit codes, output left untouched on failure,
# no binary on a terminal.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog script

t_exit 0 "keygen -o writes a key" "$SEAL" keygen -o k
t_check "key file mode is 0600" test "$(stat -c %a k)" = 600
t_check "stderr shows the public key" grep -q '^Public key: age1' "$T_TMP/err"
t_check "first line is '# created: <RFC 3339>'" \
	grep -Eq '^# created: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(Z|[+-][0-9]{2}:[0-9]{2})$' k
t_check "second line is '# public key: age1...'" \
	sh -c 'sed -n 2p k | grep -Eq "^# public key: age1[a-z0-9]{58}$"'
t_check "third line is the identity" \
	sh -c 'sed -n 3p k | grep -Eq "^AGE-SECRET-KEY-1[A-Z0-9]{58}$"'
cp k k.orig
t_exit 2 "keygen refuses to overwrite" "$SEAL" keygen -o k
t_check "the refusal says so" grep -q "refusing to overwrite" "$T_TMP/err"
t_cmp "the existing key is untouched" k.orig k
t_exit 0 "keygen to stdout" "$SEAL" keygen
t_check "stdout holds an identity" grep -q '^AGE-SECRET-KEY-1' "$T_TMP/out"
R=$("$SEAL" keygen -y k)
t_check "keygen -y prints the public key of the file" \
	test "$R" = "$(sed -n 2p k | cut -d' ' -f4)"
t_exit 0 "keygen -y reads stdin" sh -c "\"$SEAL\" keygen -y <k"
t_check "keygen -y from stdin" test "$(cat "$T_TMP/out")" = "$R"
t_exit 2 "keygen with a stray argument" "$SEAL" keygen extra
t_exit 2 "keygen with an unknown option" "$SEAL" keygen --frob

echo "attack at dawn" >plain
t_exit 0 "encrypt with -r" "$SEAL" age -r "$R" -o c.age plain
t_exit 0 "decrypt with -i" "$SEAL" age -d -i k c.age
t_check "round trip" cmp -s "$T_TMP/out" plain
t_exit 0 "encrypt with -e -i (to the identity's recipient)" \
	"$SEAL" age -e -i k -o c2.age plain
t_exit 0 "... and decrypt it" "$SEAL" age --decrypt --identity k c2.age
t_check "round trip with long options" cmp -s "$T_TMP/out" plain
t_exit 0 "identity from a pipe (-i -)" sh -c "cat k | \"$SEAL\" age -d -i - c.age"
t_check "pipe identity decrypts" cmp -s "$T_TMP/out" plain

chmod 644 k
t_exit 2 "a world-readable identity file is refused" "$SEAL" age -d -i k c.age
t_check "the refusal says what to run" grep -q "chmod 600" "$T_TMP/err"
chmod 640 k
t_exit 2 "a group-readable identity file is refused" "$SEAL" age -d -i k c.age
chmod 600 k

t_exit 2 "-d without -i says what to do" "$SEAL" age -d c.age
t_check "... naming -i" grep -q -- "-i FILE" "$T_TMP/err"
t_exit 2 "-e and -d together" "$SEAL" age -e -d -i k c.age
t_exit 2 "-d with -r" "$SEAL" age -d -r "$R" c.age
t_exit 2 "-d with -a" "$SEAL" age -d -a -i k c.age
t_exit 2 "-p with -r" "$SEAL" age -p -r "$R" plain
t_exit 2 "two inputs" "$SEAL" age -r "$R" plain plain
t_exit 2 "an unknown option" "$SEAL" age --frobnicate
t_check "usage goes to stderr" grep -q '^usage: seal age' "$T_TMP/err"
t_exit 2 "no recipients" "$SEAL" age plain
t_exit 2 "a missing input file" "$SEAL" age -r "$R" nosuchfile
t_check "the error names the file" grep -q "nosuchfile" "$T_TMP/err"
t_exit 2 "an identity given as recipient" "$SEAL" age -r "$(sed -n 3p k)" plain
t_check "the error does not echo the secret key" \
	sh -c "! grep -q \"$(sed -n 3p k | cut -c17-40)\" \"$T_TMP/err\""

"$SEAL" keygen -o other 2>/dev/null
echo "precious" >out.txt
t_exit 1 "a non-matching identity exits 1" "$SEAL" age -d -i other -o out.txt c.age
t_check "the existing output file is untouched" grep -q precious out.txt
t_exit 1 "a corrupt file exits 1" sh -c \
	"head -c -1 c.age >cut.age; \"$SEAL\" age -d -i k -o new.txt cut.age"
t_check "no output file is left behind" test ! -e new.txt
t_check "no temporary file is left behind" \
	sh -c '! ls -a | grep -q "new.txt."'

t_exit 2 "binary ciphertext is not written to a terminal" \
		script -qec "\"$SEAL\" age -r $R plain" /dev/null
t_check "... and says to use -a" grep -q -- "-a/--armor" "$T_TMP/out"
t_exit 0 "armored output to a terminal is fine" \
	script -qec "\"$SEAL\" age -a -r $R plain" /dev/null

# Plaintext held back for stdout sits in locked, guarded memory (a
# sodium_malloc block, then a secret big buffer) and leaves with write(2)
# in one piece, not through stdio: strace shows the mlock of the hold
# buffer and a single write of the whole plaintext to fd 1.
if command -v strace >/dev/null 2>&1; then
	for n in 20000 1048576; do
		head -c $n /dev/urandom >hold.$n
		"$SEAL" age -r "$R" -o hold.$n.age hold.$n
		strace -f -o trace.$n -e trace=mlock,write \
			"$SEAL" age -d -i k hold.$n.age >hold.$n.out 2>/dev/null
		t_cmp "decrypt of $n bytes to stdout under strace" hold.$n hold.$n.out
		if t_asan; then
			t_skip "ASan makes mlock a no-op: checked in the plain build"
		else
			t_check "... the held plaintext is in locked memory (mlock >= $n bytes)" \
				sh -c "sed -n 's/.* mlock(0x[0-9a-f]*, \\([0-9]*\\)).*/\\1/p' trace.$n |
					awk -v n=$n '\$1 >= n { f = 1 } END { exit !f }'"
		fi
		t_check "... and goes out in one write(2) of $n bytes to fd 1" \
			sh -c "grep -c 'write(1, .*) = $n\$' trace.$n | grep -qx 1"
	done
elif [ "${CI:-}" = true ]; then
	t_flunk "strace is not installed in CI"
else
	t_skip "strace not installed"
fi
t_done
