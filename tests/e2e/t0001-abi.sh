#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0001-abi: libseal.so exports exactly the seal_* symbols listed in
# tests/abi/symbols.txt (libsodium's habit): an API change is deliberate,
# and internal seal__* names never leak.
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
t_done
