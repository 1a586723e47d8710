# SPDX-License-Identifier: ISC
# age v1: bech32, keys, stanzas, header, STREAM, armor; seal keygen/age.
tools_seal_SOURCES += tools/cmd-age-stub.c
