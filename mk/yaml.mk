# SPDX-License-Identifier: ISC
# YAML store: comment-, order- and style-preserving, multi-document.
libseal_libseal_core_la_SOURCES += \
	libseal/yaml-internal.h \
	libseal/yaml-resolve.c \
	libseal/yaml-read.c \
	libseal/yaml-write.c \
	libseal/yaml-equal.c

# ---- tests --------------------------------------------------------------
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-yaml
endif
tests_unit_test_yaml_SOURCES = tests/unit/test-yaml.c tests/unit/harness.h
tests_unit_test_yaml_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_yaml_LDADD = $(UNIT_LDADD)
