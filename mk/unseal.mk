# SPDX-License-Identifier: ISC
# unseal: the decrypt-only program beside a sync agent (tools/unseal/).
# It links the shared libseal (public API only) so that t0503 can check
# its undefined symbols against a deny-list of sealing and key-making
# calls.
bin_PROGRAMS += unseal
unseal_SOURCES = \
	tools/unseal/unseal.h \
	tools/unseal/main.c \
	tools/unseal/output.c \
	tools/unseal/keyring.c \
	tools/unseal/policy.c \
	tools/unseal/unseal-file.c \
	tools/unseal/cmd-filter.c \
	tools/unseal/cmd-render.c \
	tools/unseal/kustomize.c \
	tools/unseal/cmd-krm.c \
	tools/unseal/cmd-discover.c \
	tools/common/util.c \
	tools/common/util.h \
	tools/common/options.c \
	tools/common/options.h \
	tools/common/cmd.h
# PROG_LDFLAGS: -pie by default; -static-pie with --enable-static-pie
# (configure.ac), where there is no shared libseal to link: the same
# objects come from the convenience library instead. --gc-sections then
# drops every libseal function unseal does not call (libseal is compiled
# one section per function), so the static-PIE unseal defines no sealing
# or key-making call (t0591); with the shared libseal it changes nothing.
unseal_LDFLAGS = $(AM_LDFLAGS) $(PROG_LDFLAGS) -Wl,--gc-sections
if STATIC_PIE
unseal_LDADD = libseal/libseal-core.la $(CORE_LIBS)
else
unseal_LDADD = libseal/libseal.la $(SODIUM_LIBS) $(CRYPTO_LIBS)
endif

dist_man_MANS += doc/unseal.1 doc/unseal-render.1 doc/unseal-krm.1 \
	doc/unseal-discover.1
dist_check_SCRIPTS += tests/e2e/t0500-unseal-filter.sh
dist_check_SCRIPTS += tests/e2e/t0501-unseal-render.sh \
	tests/e2e/t0502-unseal-kustomize.sh tests/e2e/t0503-unseal-symbols.sh \
	tests/e2e/t0504-unseal-krm.sh tests/e2e/t0505-unseal-canary.sh
dist_bashcomp_DATA += contrib/completion/unseal
dist_zshcomp_DATA += contrib/completion/_unseal

# ---- fuzzing (--enable-fuzzing CC=clang): unseal's own stream handling
fuzz_programs += tests/fuzz/fuzz-unseal
tests_fuzz_fuzz_unseal_SOURCES = tests/fuzz/fuzz-unseal.c \
	tools/unseal/output.c tools/unseal/keyring.c tools/unseal/policy.c \
	tools/unseal/unseal-file.c tools/unseal/kustomize.c \
	tools/unseal/cmd-render.c \
	tools/common/util.c
tests_fuzz_fuzz_unseal_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_unseal_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_unseal_LDADD = libseal/libseal-core.la $(CORE_LIBS)
EXTRA_DIST += tests/fuzz/corpus/unseal tests/fixtures/bad/unseal
