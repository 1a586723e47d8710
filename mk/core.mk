# SPDX-License-Identifier: ISC
# core: contexts, secure memory, crypto boundary, the document tree, the
# seal(1) dispatcher and shared tool helpers.

noinst_LTLIBRARIES += libseal/libseal-core.la
libseal_libseal_core_la_SOURCES += \
	libseal/core/core.h \
	libseal/core/ctx.c \
	libseal/core/secmem.c \
	libseal/core/bigmem.c \
	libseal/core/crypto.c \
	libseal/core/mem-api.c \
	libseal/stores/tree.h \
	libseal/stores/tree.c
libseal_libseal_core_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden \
	-ffunction-sections -fdata-sections
libseal_libseal_core_la_LIBADD = $(SODIUM_LIBS) $(CRYPTO_LIBS) $(YAML_LIBS) \
	$(PCRE2_LIBS) $(ZLIB_LIBS)

# The installed shared library: the same objects, only seal_* exported.
lib_LTLIBRARIES += libseal/libseal.la
libseal_libseal_la_SOURCES =
libseal_libseal_la_LIBADD = libseal/libseal-core.la
libseal_libseal_la_LDFLAGS = $(AM_LDFLAGS) -version-info $(LIBSEAL_LT_VERSION) \
	-export-symbols-regex '^seal_[a-z]'
include_HEADERS += libseal/include/seal.h
sealincludedir = $(includedir)/seal
sealinclude_HEADERS = libseal/include/seal/common.h \
	libseal/include/seal/age.h libseal/include/seal/sops.h \
	libseal/include/seal/doc.h

# What seal and seal-scan link: libseal in its installed shape.
# libseal-core's objects are prelinked into one relocatable object in
# which every name but the public seal_* API is made local (they are
# compiled with -fvisibility=hidden, so only SEAL_API names stay global):
# a program reaching for an internal seal__ name does not link, as against
# the installed libseal.so, and the program stays one PIE executable
# without a libtool wrapper script (which would hide argv[0], e.g. seal
# invoked as sops, and cost a shell start). unseal links libseal.so itself
# (its decrypt-only check reads its undefined symbols, t0503). Unit tests,
# fuzz targets and benchmarks link libseal-core.la and may reach inside.
libseal/libseal-api.a: libseal/libseal-core.la
	$(AM_V_GEN)rm -f $@ libseal/libseal-api.o && \
	$(CC) -r -nostdlib -o libseal/libseal-api.o \
	    -Wl,--whole-archive libseal/.libs/libseal-core.a \
	    -Wl,--no-whole-archive && \
	$(OBJCOPY) --localize-hidden libseal/libseal-api.o && \
	$(AR) rc $@ libseal/libseal-api.o && $(RANLIB) $@
CLEANFILES += libseal/libseal-api.o libseal/libseal-api.a
API_LIBS = libseal/libseal-api.a $(SODIUM_LIBS) $(CRYPTO_LIBS) \
	$(YAML_LIBS) $(PCRE2_LIBS) $(ZLIB_LIBS)

bin_PROGRAMS += seal
dist_man_MANS += doc/seal.1
bashcompdir = $(datadir)/bash-completion/completions
dist_bashcomp_DATA = contrib/completion/seal
zshcompdir = $(datadir)/zsh/site-functions
dist_zshcomp_DATA = contrib/completion/_seal
seal_SOURCES += tools/seal/main.c tools/common/cmd.h tools/common/util.c tools/common/util.h \
	tools/common/options.c tools/common/options.h
# the installed shape (above): t0011 checks the sources, the link the
# objects
seal_LDADD = $(API_LIBS)

# PROG_LDFLAGS (configure.ac): -pie, or -static-pie with
# --enable-static-pie; libseal.la and the tests stay shared either way.
seal_LDFLAGS = $(AM_LDFLAGS) $(PROG_LDFLAGS)

# `sops` symlink, kept out of bindir so it never shadows a real sops:
# put $(pkglibexecdir) first on PATH (or point HELM_SECRETS_SOPS_PATH at
# it) to have tools that call `sops` use seal.
install-exec-hook:
	$(MKDIR_P) $(DESTDIR)$(pkglibexecdir)
	rm -f $(DESTDIR)$(pkglibexecdir)/sops
	$(LN_S) $(bindir)/seal $(DESTDIR)$(pkglibexecdir)/sops
uninstall-hook:
	rm -f $(DESTDIR)$(pkglibexecdir)/sops

# for t0005-hardening: how the programs were linked
.PHONY: print-prog-ldflags
print-prog-ldflags:
	@echo $(PROG_LDFLAGS)

# ---- tests --------------------------------------------------------------
UNIT_LDADD = libseal/libseal-core.la $(CORE_LIBS) $(CMOCKA_LIBS)
UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-core
endif
tests_unit_test_core_SOURCES = tests/unit/test-core.c tests/unit/harness.h
tests_unit_test_core_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_core_LDADD = $(UNIT_LDADD)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-options
endif
tests_unit_test_options_SOURCES = tests/unit/test-options.c \
	tests/unit/harness.h tools/common/options.c tools/common/options.h \
	tools/common/util.c tools/common/util.h
tests_unit_test_options_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_options_LDADD = $(UNIT_LDADD)

dist_check_SCRIPTS += tests/e2e/t0000-cli.sh tests/e2e/t0001-abi.sh \
	tests/e2e/t0002-exit-codes.sh tests/e2e/t0003-vectors-skip.sh \
	tests/e2e/t0005-hardening.sh \
	tests/e2e/t0004-no-handmade-crypto.sh
# the layers of DESIGN.md on the sources (includes, seal__ names)
dist_check_SCRIPTS += tests/e2e/t0011-layers.sh
EXTRA_DIST += tests/abi/symbols.txt
TESTS += $(dist_check_SCRIPTS) $(check_PROGRAMS)
