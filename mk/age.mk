# SPDX-License-Identifier: ISC
# age v1: bech32, keys, stanzas, header, STREAM, armor; seal keygen/age.
libseal_libseal_core_la_SOURCES += \
	libseal/age/age.h \
	libseal/age/b64.c \
	libseal/age/bech32.c \
	libseal/age/armor.c \
	libseal/age/header.c \
	libseal/age/keys.c \
	libseal/age/x25519.c \
	libseal/age/scrypt.c \
	libseal/age/ssh.c \
	libseal/age/sshkey.c \
	libseal/age/aead.c \
	libseal/age/pool.c \
	libseal/age/stream.c \
	libseal/age/age.c
seal_SOURCES += tools/seal/cmd-keygen.c tools/seal/cmd-age.c tools/seal/cmd-age.h \
	tools/seal/cmd-age-keys.c

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
# free() wrapped: no copy of an OpenSSH key's body goes back unwiped
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-sshkey-wipe
endif
tests_unit_test_sshkey_wipe_SOURCES = tests/unit/test-sshkey-wipe.c \
	tests/unit/harness.h
tests_unit_test_sshkey_wipe_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sshkey_wipe_LDFLAGS = -Wl,--wrap=free
tests_unit_test_sshkey_wipe_LDADD = $(UNIT_LDADD)

dist_check_SCRIPTS += tests/e2e/t0100-age-interop.sh
EXTRA_DIST += tests/e2e/pty-pass.py
dist_check_SCRIPTS += tests/e2e/t0101-age-cli.sh tests/e2e/t0102-age-bad.sh \
	tests/e2e/t0103-age-big.sh
EXTRA_DIST += tests/fixtures/bad/age-header tests/fixtures/bad/armor \
	tests/fixtures/bad/bech32 tests/fixtures/bad/identity

# ---- fuzz targets (--enable-fuzzing CC=clang) ---------------------------
# The age sources are compiled into each target so libFuzzer's coverage
# instrumentation sees them (libseal-core itself is built uninstrumented);
# the rest of libseal-core links in as usual.
AGE_FUZZ_SRCS = libseal/age/b64.c libseal/age/bech32.c libseal/age/armor.c \
	libseal/age/header.c libseal/age/keys.c libseal/age/x25519.c \
	libseal/age/scrypt.c libseal/age/ssh.c libseal/age/sshkey.c \
	libseal/age/aead.c libseal/age/pool.c libseal/age/stream.c \
	libseal/age/age.c
fuzz_programs += tests/fuzz/fuzz-age-header tests/fuzz/fuzz-armor \
	tests/fuzz/fuzz-bech32 tests/fuzz/fuzz-identity
tests_fuzz_fuzz_age_header_SOURCES = tests/fuzz/fuzz-age-header.c $(AGE_FUZZ_SRCS)
tests_fuzz_fuzz_age_header_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_age_header_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_age_header_LDADD = libseal/libseal-core.la $(CORE_LIBS)
tests_fuzz_fuzz_armor_SOURCES = tests/fuzz/fuzz-armor.c $(AGE_FUZZ_SRCS)
tests_fuzz_fuzz_armor_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_armor_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_armor_LDADD = libseal/libseal-core.la $(CORE_LIBS)
tests_fuzz_fuzz_bech32_SOURCES = tests/fuzz/fuzz-bech32.c $(AGE_FUZZ_SRCS)
tests_fuzz_fuzz_bech32_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_bech32_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_bech32_LDADD = libseal/libseal-core.la $(CORE_LIBS)
tests_fuzz_fuzz_identity_SOURCES = tests/fuzz/fuzz-identity.c $(AGE_FUZZ_SRCS)
tests_fuzz_fuzz_identity_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_identity_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_identity_LDADD = libseal/libseal-core.la $(CORE_LIBS)
EXTRA_DIST += tests/fuzz/corpus/age-header tests/fuzz/corpus/armor \
	tests/fuzz/corpus/bech32 tests/fuzz/corpus/identity

# ---- benchmarks (make bench; never run by make check) --------------------
bench_programs += bench/bench-age-small
bench_bench_age_small_SOURCES = bench/bench-age-small.c
bench_bench_age_small_LDADD = libseal/libseal-core.la $(CORE_LIBS)
EXTRA_DIST += bench/bench-age.sh bench/results-age.md

dist_man_MANS += doc/seal-keygen.1 doc/seal-age.1
