#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0005-hardening: the INSTALLED programs are what a distribution can
# ship. make install DESTDIR=... into the scratch directory, then readelf
# on each program: position-independent (ELF type DYN), BIND_NOW, a
# GNU_RELRO segment, a non-executable GNU_STACK, the stack protector and
# _FORTIFY_SOURCE checks linked in. The default build is dynamically
# linked (so a security update of OpenSSL or glibc reaches it);
# --enable-static-pie builds are static-PIE: DYN, no interpreter.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"
t_need_prog readelf

dest=$T_TMP/inst
mk() { make -s --no-print-directory -C "$SEAL_BUILDDIR" "$@"; }
ldflags=$(mk print-prog-ldflags 2>/dev/null | grep -v '^make')
case " $ldflags " in
*" -static-pie "*) kind=static-pie ;;
*) kind=dynamic ;;
esac
echo "# build: $kind (PROG_LDFLAGS: $ldflags)"
t_ok "make install DESTDIR=... succeeds" mk install DESTDIR="$dest"

progs=$(find "$dest" -type f \( -path '*/bin/*' -o -path '*/libexec/*' \) \
	\( -name seal -o -name seal-scan -o -name unseal \) | sort)
t_check "seal is installed" bash -c "grep -q '/bin/seal\$' <<<'$progs'"
t_check "seal-scan is installed" bash -c "grep -q '/seal-scan\$' <<<'$progs'"

for p in $progs; do
	n=${p#"$dest"}
	readelf -hW "$p" >h 2>&1
	readelf -lW "$p" >l 2>&1
	readelf -dW "$p" >d 2>&1
	readelf -sW "$p" >s 2>&1
	t_check "$n: ELF type DYN (position-independent)" \
		grep -Eq '^ *Type: +DYN' h
	t_check "$n: BIND_NOW (full RELRO)" \
		grep -Eq '\(BIND_NOW\)|\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*NOW' d
	t_check "$n: a GNU_RELRO segment" grep -q 'GNU_RELRO' l
	t_check "$n: GNU_STACK present and not executable" \
		bash -c "awk '\$1 == \"GNU_STACK\" { print \$(NF-1) }' l | grep -qx 'RW'"
	t_check "$n: stack protector linked in" grep -q '__stack_chk_fail' s
	t_check "$n: _FORTIFY_SOURCE checks linked in" grep -Eq '__[a-z_]+_chk' s
	if [ "$kind" = dynamic ]; then
		t_check "$n: dynamically linked (has an interpreter)" \
			grep -q 'Requesting program interpreter' l
		t_check "$n: uses the system's libcrypto" \
			grep -Eq '\(NEEDED\).*libcrypto\.so' d
	else
		t_check "$n: static-PIE (no interpreter, no NEEDED)" \
			bash -c "! grep -q 'program interpreter' l && ! grep -q '(NEEDED)' d"
	fi
done
lib=$(find "$dest" -name 'libseal.so.*.*' -type f | head -1)
t_check "libseal.so is installed" test -n "$lib"
[ -n "$lib" ] && readelf -lW "$lib" >l 2>&1
t_check "libseal.so: GNU_STACK not executable" \
	bash -c "awk '\$1 == \"GNU_STACK\" { print \$(NF-1) }' l | grep -qx 'RW'"
t_check "libseal.so: a GNU_RELRO segment" grep -q 'GNU_RELRO' l
t_done
