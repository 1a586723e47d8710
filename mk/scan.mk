# SPDX-License-Identifier: ISC
# hooks/: staged-blob scanner (libgit2), rules engine, hook installers.
noinst_LTLIBRARIES += hooks/libhooks.la
hooks_libhooks_la_SOURCES = hooks/placeholder.c
hooks_libhooks_la_CFLAGS = $(AM_CFLAGS) $(GIT2_CFLAGS) $(PCRE2_CFLAGS) $(HS_CFLAGS)
tools_seal_SOURCES += tools/cmd-scan-stub.c
