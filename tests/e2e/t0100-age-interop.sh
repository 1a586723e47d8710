#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0100-age-interop: seal age <-> Debian's age, both directions, byte for
# byte: sizes around the 64 KiB chunk boundary, binary and armored,
# X25519, scrypt (through a pty), ssh-ed25519, ssh-rsa, several
# recipients per file, keys from either keygen.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog age
t_need_prog age-keygen
t_need_prog ssh-keygen
t_need_prog python3
PTY="$SEAL_SRCDIR/tests/e2e/pty-pass.py"

mk() { head -c "$2" /dev/urandom >"$1"; }

"$SEAL" keygen -o seal.key 2>/dev/null
age-keygen -o age.key 2>/dev/null
ssh-keygen -q -t ed25519 -N '' -C '' -f ed
ssh-keygen -q -t rsa -b 2048 -N '' -C '' -f rsa
SR=$("$SEAL" keygen -y seal.key)
AR=$(age-keygen -y age.key)

t_check "seal keygen -y agrees with age-keygen -y (seal key)" \
	test "$SR" = "$(age-keygen -y seal.key)"
t_check "seal keygen -y agrees with age-keygen -y (age key)" \
	test "$AR" = "$("$SEAL" keygen -y age.key)"

sizes="0 1 65535 65536 65537 1048576 $((RANDOM % 65536 + 2)) $((RANDOM * 9 + 131073)) 200000"
for n in $sizes; do
	mk p.$n "$n"
	for a in "" -a; do
		tag="X25519 size $n${a:+ armored}"
		"$SEAL" age $a -r "$AR" -o s.age p.$n &&
			age -d -i age.key s.age >s.out
		t_cmp "$tag: seal -> age" p.$n s.out
		age $a -r "$SR" -o a.age p.$n &&
			"$SEAL" age -d -i seal.key -o a.out a.age
		t_cmp "$tag: age -> seal" p.$n a.out
		rm -f s.age s.out a.age a.out
	done
done

for k in ed rsa; do
	for n in 0 65536 1048576; do
		for a in "" -a; do
			tag="ssh $k size $n${a:+ armored}"
			"$SEAL" age $a -R $k.pub -o s.age p.$n &&
				age -d -i $k s.age >s.out
			t_cmp "$tag: seal -> age" p.$n s.out
			age $a -R $k.pub -o a.age p.$n &&
				"$SEAL" age -d -i $k -o a.out a.age
			t_cmp "$tag: age -> seal" p.$n a.out
			rm -f s.age s.out a.age a.out
		done
	done
done

# several recipients of every kind in one file, each identity decrypts
printf '# team\n%s\n%s\n' "$AR" "$SR" >rcpts.txt
cat ed.pub rsa.pub >>rcpts.txt
"$SEAL" age -R rcpts.txt -o multi-s.age p.65537
age -R rcpts.txt -o multi-a.age p.65537
for id in age.key seal.key ed rsa; do
	age -d -i $id -o out multi-s.age
	t_cmp "4 recipients by seal, age decrypts with $id" p.65537 out
	"$SEAL" age -d -i $id -o out multi-a.age
	t_cmp "4 recipients by age, seal decrypts with $id" p.65537 out
	rm -f out
done
"$SEAL" age -d -i seal.key -i ed -o out multi-a.age
t_cmp "several -i files" p.65537 out
rm -f out

# stdin/stdout pipelines, as scripts use age
"$SEAL" age -r "$AR" -r "$SR" <p.1048576 | age -d -i age.key >pipe.out
t_cmp "pipe: seal age | age -d" p.1048576 pipe.out
age -a -r "$SR" <p.1048576 | "$SEAL" age -d -i seal.key >pipe.out
t_cmp "pipe: age -a | seal age -d (armor detected)" p.1048576 pipe.out

# scrypt passphrases, typed at a pseudo-terminal (work factor 2^18)
for n in 0 65537; do
	python3 "$PTY" 'correct horse' "$SEAL" age -p -o s.age p.$n </dev/null &&
		python3 "$PTY" 'correct horse' age -d s.age </dev/null >s.out
	t_cmp "scrypt size $n: seal -p -> age -d" p.$n s.out
	python3 "$PTY" 'correct horse' age -p -a -o a.age p.$n </dev/null &&
		python3 "$PTY" 'correct horse' "$SEAL" age -d -o a.out a.age </dev/null
	t_cmp "scrypt size $n: age -p -a -> seal -d" p.$n a.out
	rm -f s.age s.out a.out
done
t_exit 1 "wrong passphrase: exit 1" python3 "$PTY" 'wrong horse' \
	"$SEAL" age -d -o a.out a.age
t_check "wrong passphrase: no output file" test ! -e a.out
t_done
