# SPDX-License-Identifier: ISC
# SOPS v3: JSON/dotenv/binary stores, ENC codec, walk, MAC, metadata,
# creation rules, key discovery; seal encrypt/decrypt/edit/...
libseal_libseal_core_la_SOURCES += \
	libseal/sops/sops.h \
	libseal/core/gcm.h \
	libseal/sops/enc.c \
	libseal/sops/canon.c \
	libseal/sops/rule.c \
	libseal/sops/meta.c \
	libseal/sops/flat.c \
	libseal/sops/lint.c \
	libseal/sops/report.c \
	libseal/sops/values.c \
	libseal/sops/config-api.c \
	libseal/sops/config.c \
	libseal/stores/out.h \
	libseal/stores/json.c \
	libseal/stores/dotenv.c \
	libseal/stores/binary.c \
	libseal/sops/store.c \
	libseal/sops/walk.c \
	libseal/sops/file.h \
	libseal/sops/file.c \
	libseal/sops/write.c \
	libseal/sops/path.c
libseal_libseal_core_la_CFLAGS += $(PCRE2_CFLAGS)

seal_SOURCES += \
	keys/keys.h \
	keys/discover.c \
	keys/registry.h \
	keys/registry.c \
	tools/seal/bulk.h \
	tools/seal/bulk.c \
	tools/seal/cluster.h \
	tools/seal/cmd-cluster.c \
	tools/seal/cluster-keys.c \
	tools/seal/cluster-files.c \
	tools/common/progress.c \
	keys/keyfile.h \
	keys/keyfile.c \
	tools/seal/sops-common.h \
	tools/seal/sops-common.c \
	tools/seal/sops-open.c \
	tools/seal/sops-compat.c \
	tools/seal/cmd-encrypt.c \
	tools/seal/cmd-decrypt.c \
	tools/seal/cmd-edit.c \
	tools/seal/cmd-set.c \
	tools/seal/cmd-unset.c \
	tools/seal/cmd-rotate.c \
	tools/seal/cmd-updatekeys.c \
	tools/seal/cmd-status.c

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-sops-lint
endif
tests_unit_test_sops_lint_SOURCES = tests/unit/test-sops-lint.c
tests_unit_test_sops_lint_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sops_lint_LDADD = $(UNIT_LDADD)

dist_check_SCRIPTS += tests/e2e/t0200-sops-vectors.sh
EXTRA_DIST += tests/e2e/jsoneq.py tests/e2e/report-check.py
dist_check_SCRIPTS += tests/e2e/t0210-sops-interop.sh
EXTRA_DIST += tests/interop/gen.mjs tests/interop/check.mjs tests/peers/package.json \
	scripts/peers.sh scripts/build.sh scripts/test.sh scripts/demo.sh scripts/fuzz.sh
dist_check_SCRIPTS += tests/e2e/t0220-sops-tamper.sh
dist_check_SCRIPTS += tests/e2e/t0230-sops-edit.sh
dist_check_SCRIPTS += tests/e2e/t0235-plaintext-files.sh

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-sops
endif
tests_unit_test_sops_SOURCES = tests/unit/test-sops.c tests/unit/harness.h
tests_unit_test_sops_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sops_LDADD = $(UNIT_LDADD)
dist_check_SCRIPTS += tests/e2e/t0240-sops-cli.sh
dist_check_SCRIPTS += tests/e2e/t0400-cluster.sh
EXTRA_DIST += tests/e2e/sops-config-check.py tests/interop/open-all.mjs
dist_check_SCRIPTS += tests/e2e/t0245-key-files.sh

# regexes fail closed; only RE2 syntax is written (libseal/sops/rule.c)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-sops-regex
endif
tests_unit_test_sops_regex_SOURCES = tests/unit/test-sops-regex.c \
	tests/unit/harness.h
tests_unit_test_sops_regex_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sops_regex_LDADD = $(UNIT_LDADD)
dist_check_SCRIPTS += tests/e2e/t0260-sops-regex.sh tests/e2e/t0261-sops-binding.sh

# ---- fuzzing (--enable-fuzzing CC=clang) --------------------------------
fuzz_programs += tests/fuzz/fuzz-json tests/fuzz/fuzz-dotenv tests/fuzz/fuzz-enc
tests_fuzz_fuzz_json_SOURCES = tests/fuzz/fuzz-json.c
tests_fuzz_fuzz_json_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_json_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_json_LDADD = libseal/libseal-core.la $(CORE_LIBS)
tests_fuzz_fuzz_dotenv_SOURCES = tests/fuzz/fuzz-dotenv.c
tests_fuzz_fuzz_dotenv_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_dotenv_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_dotenv_LDADD = libseal/libseal-core.la $(CORE_LIBS)
tests_fuzz_fuzz_enc_SOURCES = tests/fuzz/fuzz-enc.c
tests_fuzz_fuzz_enc_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_enc_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_enc_LDADD = libseal/libseal-core.la $(CORE_LIBS)
EXTRA_DIST += tests/fuzz/corpus/json tests/fuzz/corpus/dotenv \
	tests/fuzz/corpus/enc tests/fixtures/bad/json tests/fixtures/bad/dotenv \
	tests/fixtures/bad/enc

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-sops-bad
endif
tests_unit_test_sops_bad_SOURCES = tests/unit/test-sops-bad.c tests/unit/harness.h
tests_unit_test_sops_bad_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sops_bad_LDADD = $(UNIT_LDADD)
dist_check_SCRIPTS += tests/e2e/t0250-sops-bad-input.sh
dist_check_SCRIPTS += tests/e2e/t0255-input-limits.sh

# ---- benchmarks (bench/bench-sops.sh; not run by make check) ------------
bench_programs += bench/bench-sops-decrypt
bench_bench_sops_decrypt_SOURCES = bench/bench-sops-decrypt.c
bench_bench_sops_decrypt_LDADD = libseal/libseal-core.la $(CORE_LIBS)
EXTRA_DIST += bench/bench-sops.sh bench/results-sops.md bench/bench-updatekeys.sh
dist_man_MANS += doc/seal-encrypt.1 doc/seal-decrypt.1 doc/seal-edit.1 \
	doc/seal-set.1 doc/seal-unset.1 doc/seal-updatekeys.1 doc/seal-rotate.1 \
	doc/seal-status.1 doc/seal-cluster.1
# Coverage feedback needs the library itself instrumented, not only the
# harness (without this libFuzzer saw 6 edges).
if FUZZING
libseal_libseal_core_la_CFLAGS += -fsanitize=fuzzer-no-link
endif

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-keys-registry
endif
tests_unit_test_keys_registry_SOURCES = tests/unit/test-keys-registry.c \
	tests/unit/harness.h keys/registry.c keys/registry.h
tests_unit_test_keys_registry_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_keys_registry_LDADD = $(UNIT_LDADD)
