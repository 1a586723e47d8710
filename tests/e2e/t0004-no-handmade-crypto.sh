#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# t0004-no-handmade-crypto: ciphers, MACs and hashes come from OpenSSL or
# libsodium only. No source file in the tree holds an AES round, GHASH
# or carry-less multiply intrinsic (or its assembly), nor the includes
# that bring them in. This file is the only one allowed to name them.
. "$SEAL_SRCDIR/tests/e2e/lib.sh"

self=tests/e2e/t0004-no-handmade-crypto.sh
pat='_mm_aes|_mm256_aes|_mm512_aes|_mm_clmul|_mm256_clmul|_mm512_clmul'
pat="$pat|aesenc|aesdec|aeskeygenassist|aesimc|pclmul|clmulepi|vpclmul"
pat="$pat|ghash|gf128|gfmul|__builtin_ia32_aes|__builtin_ia32_pclmul"
pat="$pat|vaeseq|vaesdq|vaesmcq|vmull_p64|vmull_high_p64|wmmintrin\.h"
pat="$pat|target\(\"[^\"]*(aes|pclmul)"

# the sources as shipped (a git checkout or the release tarball)
(cd "$SEAL_SRCDIR" && find . \( -name node_modules -o -name .git \
	-o -name 'build*' -o -name 'autom4te.cache' \) -prune -o -type f \
	\( -name '*.[chsS]' -o -name '*.cc' -o -name '*.cpp' -o -name '*.asm' \
	-o -name '*.inc' -o -name '*.mk' -o -name '*.am' -o -name '*.ac' \
	-o -name '*.sh' -o -name '*.py' \) -print) | sed 's|^\./||' | sort >files
t_check "the tree has C sources to look at" grep -q '^libseal/core/crypto.c$' files
grep -v "^$self\$" files >others
: >hits
while IFS= read -r f; do
	grep -HniE "$pat" "$SEAL_SRCDIR/$f" >>hits
done <others
t_check "no AES round, GHASH or carry-less multiply intrinsic in the tree" \
	test ! -s hits
[ -s hits ] && sed 's/^/# /' hits | head -20
t_check "no hand-written GCM file" \
	test ! -e "$SEAL_SRCDIR/libseal/core/gcm-ni.c" -a ! -e "$SEAL_SRCDIR/libseal/core/gcm-ni.h"
# the check itself finds what it looks for
printf 'static void f(void) { __m128i x = _mm_aesenc_si128(a, b); }\n' >probe.c
t_check "the pattern catches an AES-NI intrinsic" grep -qiE "$pat" probe.c
printf '\tpclmulqdq $0x00, %%xmm1, %%xmm0\n' >probe.S
t_check "the pattern catches carry-less multiply assembly" grep -qiE "$pat" probe.S
printf 'static void gcm_ghash(void);\n' >probe2.c
t_check "the pattern catches a GHASH routine" grep -qiE "$pat" probe2.c
t_done
