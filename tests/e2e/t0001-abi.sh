#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0001-abi: libseal.so exports exactly the seal_* symbols listed in
# tests/abi/symbols.txt (libsodium's habit): an API change is deliberate,
# and internal seal__* names never leak. The programs link the same
# shape (libseal-api.a), so they cannot reach an internal name either.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"

so=$(ls "$SEAL_BUILDDIR"/libseal/.libs/libseal.so.* 2>/dev/null | head -1)
t_check "libseal.so was built" test -n "$so"
nm -D --defined-only "$so" | awk '$2 == "T" { print $3 }' | sort >exported
t_cmp "exported symbols match tests/abi/symbols.txt" \
	"$SEAL_SRCDIR/tests/abi/symbols.txt" exported
t_check "no internal seal__ symbol is exported" \
	bash -c "! grep -q '^seal__' exported"
t_check "every exported symbol is seal_*" \
	bash -c "! grep -v '^seal_' exported"

# what seal and seal-scan link (libseal-api.a): the same names, no other
api=$SEAL_BUILDDIR/libseal/libseal-api.a
t_check "libseal-api.a was built" test -f "$api"
nm "$api" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort -u >api-exported
t_cmp "the programs see exactly the public API" \
	"$SEAL_SRCDIR/tests/abi/symbols.txt" api-exported
# ... so a program calling an internal name does not link against it,
# while the public name beside it does
cc=${SEAL_CC:-cc} # the build's compiler and sanitizer flags
if command -v "${cc%% *}" >/dev/null 2>&1; then
	printf 'void seal_quote(char *, unsigned long, const char *, unsigned long);\nint main(void) { char b[8]; seal_quote(b, 8, "x", 1); return 0; }\n' >pub.c
	printf 'void seal__quote(char *, unsigned long, const char *, unsigned long);\nint main(void) { char b[8]; seal__quote(b, 8, "x", 1); return 0; }\n' >internal.c
	t_ok "a public call links against libseal-api.a" \
		$cc -o pub pub.c "$api" -lsodium -lcrypto -lyaml -lpcre2-8 -lz
	t_exit 1 "an internal call (seal__quote) does not" \
		$cc -o internal internal.c "$api" -lsodium -lcrypto -lyaml -lpcre2-8 -lz
else
	t_flunk "a C compiler to check the link boundary" "no ${cc%% *}"
fi
t_done
