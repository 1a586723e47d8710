# SPDX-License-Identifier: ISC
# YAML store: comment-, order- and style-preserving, multi-document.
libseal_libseal_core_la_SOURCES += \
	libseal/yaml-internal.h \
	libseal/yaml-resolve.c \
	libseal/yaml-read.c \
	libseal/yaml-write.c
