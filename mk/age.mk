# SPDX-License-Identifier: ISC
# age v1: bech32, keys, stanzas, header, STREAM, armor; seal keygen/age.
libseal_libseal_core_la_SOURCES += \
	libseal/age-internal.h \
	libseal/age-b64.c \
	libseal/bech32.c \
	libseal/armor.c \
	libseal/age-header.c \
	libseal/age-keys.c \
	libseal/age-x25519.c \
	libseal/age-scrypt.c \
	libseal/age-ssh.c \
	libseal/age-stream.c \
	libseal/age.c
tools_seal_SOURCES += tools/cmd-keygen.c tools/cmd-age.c

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-age-vectors
endif
tests_unit_test_age_vectors_SOURCES = tests/unit/test-age-vectors.c \
	tests/unit/harness.h
tests_unit_test_age_vectors_CFLAGS = $(UNIT_CFLAGS) $(ZLIB_CFLAGS)
tests_unit_test_age_vectors_LDADD = $(UNIT_LDADD) $(ZLIB_LIBS)

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-age
endif
tests_unit_test_age_SOURCES = tests/unit/test-age.c tests/unit/harness.h
tests_unit_test_age_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_age_LDADD = $(UNIT_LDADD)

dist_check_SCRIPTS += tests/e2e/t0100-age-interop.sh
EXTRA_DIST += tests/e2e/pty-pass.py
dist_check_SCRIPTS += tests/e2e/t0102-age-bad.sh
EXTRA_DIST += tests/fixtures/bad/age-header tests/fixtures/bad/armor \
	tests/fixtures/bad/bech32 tests/fixtures/bad/identity
