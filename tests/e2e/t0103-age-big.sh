#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0103-age-big: files past the sizes where seal age changes gear: chunks
# after the first 64 (4 MiB) go through OpenSSL instead of libsodium, big
# batches live on huge pages, and output to stdout stops being held back
# past 16 MiB. Byte for byte against Debian's age both ways, and a
# corrupted late chunk fails closed.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog age
t_need_prog age-keygen
t_need_prog python3

age-keygen -o k 2>/dev/null
R=$(age-keygen -y k)
# flip one byte at offset $2 of file $1
flip() {
	python3 -c 'import sys
p, off = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read()); b[off] ^= 1
open(p, "wb").write(b)' "$1" "$2"
}

# 64 chunks exactly, 64 chunks and a bit, past two 2 MiB batches
for n in 4194304 $((4194304 + 65536 * 3 + 777)) 17825792; do
	head -c "$n" /dev/urandom >p
	"$SEAL" age -r "$R" -o s.age p && age -d -i k s.age >s.out
	t_cmp "size $n: seal -> age" p s.out
	age -r "$R" -o a.age p
	"$SEAL" age -d -i k a.age >a.out
	t_cmp "size $n: age -> seal (stdout)" p a.out
	"$SEAL" age -d -i k -o f.out a.age
	t_cmp "size $n: age -> seal (-o)" p f.out
	"$SEAL" age -a -r "$R" <p >sa.age && age -d -i k sa.age >sa.out
	t_cmp "size $n: seal -a from stdin -> age" p sa.out
	rm -f s.age s.out a.out f.out sa.age sa.out
done

# corrupt chunk 70 (an OpenSSL one) of a 5 MiB file
head -c $((5 << 20)) /dev/urandom >p
age -r "$R" -o a.age p
hdr=$(python3 -c 'import sys
d = open("a.age", "rb").read(); print(d.index(b"\n---") + 1 + d[d.index(b"\n---") + 1:].index(b"\n") + 1 + 16)')
flip a.age $((hdr + 70 * 65552 + 100))
t_exit 1 "corrupt chunk 70: exit 1" "$SEAL" age -d -i k a.age
t_check "corrupt chunk 70: nothing on stdout" test ! -s "$T_TMP/out"
t_check "corrupt chunk 70: names the chunk" grep -q "chunk 70" "$T_TMP/err"
t_exit 1 "corrupt chunk 70 with -o: exit 1" "$SEAL" age -d -i k -o f.out a.age
t_check "corrupt chunk 70 with -o: no output file" test ! -e f.out
# the last chunk cut short
head -c -1 a.age >cut.age 2>/dev/null ||
	python3 -c 'import sys; d = open("a.age","rb").read(); open("cut.age","wb").write(d[:-1])'
t_exit 1 "truncated 5 MiB file: exit 1" "$SEAL" age -d -i k cut.age
t_check "truncated 5 MiB file: nothing on stdout" test ! -s "$T_TMP/out"
# a file of many chunks written with -o: the library's plaintext batches
# are secret memory (guard pages, locked: strace sees a 2 MiB mlock)
if t_asan; then
	t_skip "ASan makes mlock a no-op: checked in the plain build"
elif command -v strace >/dev/null 2>&1; then
	head -c 3000000 /dev/urandom >lk
	age -r "$R" -o lk.age lk
	strace -f -o lk.trace -e trace=mlock "$SEAL" age -d -i k -o lk.out lk.age
	t_cmp "3 MB decrypt under strace" lk lk.out
	t_check "... its plaintext batch is locked (mlock of 2 MiB)" \
		grep -Eq 'mlock\(0x[0-9a-f]+, 2097152\) += 0' lk.trace
	strace -f -o lke.trace -e trace=mlock "$SEAL" age -r "$R" -o lke.age lk
	t_check "... and so is the batch of an encrypt" \
		grep -Eq 'mlock\(0x[0-9a-f]+, 2097152\) += 0' lke.trace
elif [ "${CI:-}" = true ]; then
	t_flunk "strace is not installed in CI"
else
	t_skip "strace not installed"
fi
t_done
