# SPDX-License-Identifier: ISC
# YAML store: comment-, order- and style-preserving, multi-document.
libseal_libseal_core_la_SOURCES += \
	libseal/stores/yaml.h \
	libseal/stores/yaml-resolve.c \
	libseal/stores/yaml-reader.h \
	libseal/stores/yaml-read.c \
	libseal/stores/yaml-build.c \
	libseal/stores/yaml-comments.c \
	libseal/stores/yaml-index.c \
	libseal/stores/yaml-writer.h \
	libseal/stores/yaml-write.c \
	libseal/stores/yaml-scalar.c \
	libseal/stores/doc-api.c

# ---- tests --------------------------------------------------------------
# seal/doc.h, the public YAML document
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-doc
endif
tests_unit_test_doc_SOURCES = tests/unit/test-doc.c tests/unit/harness.h
tests_unit_test_doc_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_doc_LDADD = $(UNIT_LDADD)

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-yaml
endif
tests_unit_test_yaml_SOURCES = tests/unit/test-yaml.c tests/unit/harness.h \
	tests/unit/yaml-equal.c tests/unit/yaml-equal.h
tests_unit_test_yaml_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_yaml_LDADD = $(UNIT_LDADD)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-yaml-prop
endif
tests_unit_test_yaml_prop_SOURCES = tests/unit/test-yaml-prop.c \
	tests/unit/harness.h tests/unit/yaml-equal.c tests/unit/yaml-equal.h
tests_unit_test_yaml_prop_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_yaml_prop_LDADD = $(UNIT_LDADD)
# its case over the sops vectors alone: skipped when they are missing
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-yaml-vectors
endif
tests_unit_test_yaml_vectors_SOURCES = $(tests_unit_test_yaml_prop_SOURCES)
tests_unit_test_yaml_vectors_CFLAGS = $(UNIT_CFLAGS) -DSEAL_YAML_VECTORS
tests_unit_test_yaml_vectors_LDADD = $(UNIT_LDADD)
EXTRA_DIST += tests/fixtures/yaml tests/fixtures/bad/yaml

# ---- fuzz target (--enable-fuzzing CC=clang) ----------------------------
fuzz_programs += tests/fuzz/fuzz-yaml
tests_fuzz_fuzz_yaml_SOURCES = tests/fuzz/fuzz-yaml.c tests/unit/yaml-equal.c tests/unit/yaml-equal.h
tests_fuzz_fuzz_yaml_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_yaml_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_yaml_LDADD = libseal/libseal-core.la $(CORE_LIBS)
EXTRA_DIST += tests/fuzz/corpus/yaml

# ---- benchmark (make bench; never run by make check) --------------------
bench_programs += bench/bench-yaml
bench_bench_yaml_SOURCES = bench/bench-yaml.c
bench_bench_yaml_LDADD = libseal/libseal-core.la $(CORE_LIBS)
EXTRA_DIST += bench/bench-yaml.sh bench/results-yaml.md
