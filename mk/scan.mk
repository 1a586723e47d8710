# SPDX-License-Identifier: ISC
# hooks/: staged-blob scanner (libgit2), rules engine, hook installers;
# tools/scan/cmd-scan.c and tools/scan/cmd-hook.c; their tests, fuzzers, man pages.
noinst_LTLIBRARIES += hooks/libhooks.la
hooks_libhooks_la_SOURCES = hooks/scan.h hooks/engine.c hooks/rules.c \
	hooks/findings.h hooks/findings.c hooks/text.h hooks/text.c hooks/checks.h \
	hooks/yamlish.h hooks/yamlish.c hooks/kube.c hooks/config.c \
	hooks/repo.h hooks/source.h hooks/repo.c hooks/pool.c hooks/worktree.c \
	hooks/install.c hooks/report.h hooks/git/libgit2.c \
	hooks/report.c hooks/git/git.h hooks/git/index.c \
	hooks/git/objects.c hooks/git/pack.c hooks/git/diff.c \
	hooks/wtread.h hooks/wtread.c hooks/values.h hooks/values.c hooks/walk.c \
	hooks/userrules.c hooks/rulehelp.c hooks/baseline.c
# the rule help's URL (configure --with-docs-url), docdir expanded by make
hooks_libhooks_la_CPPFLAGS = $(AM_CPPFLAGS) -DSEAL_DOCS_URL='"$(SEAL_DOCS_URL)"'
dist_doc_DATA = doc/seal-scan-rules.md doc/seal-scan-report.schema.json \
	doc/seal-scan-config.schema.json
hooks_libhooks_la_CFLAGS = $(AM_CFLAGS) $(GIT2_CFLAGS) $(PCRE2_CFLAGS) \
	$(HS_CFLAGS) $(DEFLATE_CFLAGS) $(URING_CFLAGS) $(ZLIB_CFLAGS)
hooks_libhooks_la_LIBADD = $(GIT2_LIBS) $(PCRE2_LIBS) $(HS_LIBS) \
	$(CRYPTO_LIBS) $(DEFLATE_LIBS) $(URING_LIBS) $(ZLIB_LIBS) -lpthread -lm

# `seal scan` and `seal hook` exec seal-scan (tools/seal/scan-exec.c), which
# alone links libgit2 and Hyperscan: the sealing commands start faster.
seal_SOURCES += tools/seal/scan-exec.c
AM_CPPFLAGS += -DSEAL_PKGLIBEXECDIR='"$(pkglibexecdir)"'
pkglibexec_PROGRAMS = seal-scan
seal_scan_SOURCES = tools/scan/seal-scan.c tools/scan/cmd-scan.c \
	tools/scan/cmd-hook.c tools/common/cmd.h tools/common/util.c tools/common/util.h \
	tools/common/progress.c tools/common/progress.h \
	tools/common/options.c tools/common/options.h
seal_scan_CFLAGS = $(AM_CFLAGS) $(GIT2_CFLAGS) $(HS_CFLAGS)
seal_scan_LDFLAGS = $(AM_LDFLAGS) $(PROG_LDFLAGS)
if STATIC_PIE
# --enable-static-pie (configure checked it links): libgit2's GSSAPI
# references are stubbed, in this build only (no libgssapi.a)
seal_scan_SOURCES += tools/scan/gss-stubs.c
seal_scan_LDADD = hooks/libhooks.la libseal/libseal-api.a \
	$(SCAN_STATIC_LIBS)
else
EXTRA_DIST += tools/scan/gss-stubs.c
seal_scan_LDADD = hooks/libhooks.la $(API_LIBS) $(GIT2_LIBS) $(HS_LIBS) \
	$(URING_LIBS) -lpthread -lm
endif

HOOKS_LIBS = hooks/libhooks.la $(CORE_LIBS) $(GIT2_LIBS) $(HS_LIBS) -lpthread -lm

dist_man_MANS += doc/seal-scan.1 doc/seal-hook.1
EXTRA_DIST += hooks/pre-commit.in .pre-commit-hooks.yaml \
	bench/bench-scan.sh bench/results-scan.md

dist_check_SCRIPTS += tests/e2e/t0300-scan-leaks.sh
dist_check_SCRIPTS += tests/e2e/t0301-scan-git.sh
dist_check_SCRIPTS += tests/e2e/t0302-scan-precommit.sh
dist_check_SCRIPTS += tests/e2e/t0303-scan-output.sh
EXTRA_DIST += tests/fixtures/bad/sealignore tests/fixtures/bad/baseline \
	tests/fixtures/bad/sops-yaml tests/fixtures/bad/yamlish

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-scan
endif
tests_unit_test_scan_SOURCES = tests/unit/test-scan.c tests/unit/harness.h
tests_unit_test_scan_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_scan_LDADD = hooks/libhooks.la $(UNIT_LDADD) $(GIT2_LIBS) \
	$(HS_LIBS) -lpthread -lm

fuzz_programs += tests/fuzz/fuzz-scan tests/fuzz/fuzz-scan-config
tests_fuzz_fuzz_scan_SOURCES = tests/fuzz/fuzz-scan.c
tests_fuzz_fuzz_scan_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_scan_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_scan_LDADD = hooks/libhooks.la libseal/libseal-core.la \
	$(CORE_LIBS) $(GIT2_LIBS) $(HS_LIBS) -lpthread -lm
tests_fuzz_fuzz_scan_config_SOURCES = tests/fuzz/fuzz-scan-config.c
tests_fuzz_fuzz_scan_config_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_scan_config_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_scan_config_LDADD = hooks/libhooks.la libseal/libseal-core.la \
	$(CORE_LIBS) $(GIT2_LIBS) $(HS_LIBS) -lpthread -lm
EXTRA_DIST += tests/fuzz/corpus/scan tests/fuzz/corpus/scan-config
dist_check_SCRIPTS += tests/e2e/t0304-scan-exec.sh
.PHONY: print-pkglibexecdir
print-pkglibexecdir:
	@echo $(pkglibexecdir)
dist_check_SCRIPTS += tests/e2e/t0305-scan-fastpath.sh tests/e2e/t0306-scan-uring.sh
dist_check_SCRIPTS += tests/e2e/t0307-scan-reports.sh
dist_check_SCRIPTS += tests/e2e/t0308-scan-baseline.sh
dist_check_SCRIPTS += tests/e2e/t0320-scan-families.sh
dist_check_SCRIPTS += tests/e2e/t0321-scan-config.sh
dist_check_SCRIPTS += tests/e2e/t0322-scan-sealed-values.sh
EXTRA_DIST += tests/fixtures/bad/scan-config
EXTRA_DIST += tests/fixtures/scan

# the scanner's own git readers (index, objects, deltas)
fuzz_programs += tests/fuzz/fuzz-index
tests_fuzz_fuzz_index_SOURCES = tests/fuzz/fuzz-index.c
tests_fuzz_fuzz_index_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_index_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_index_LDADD = hooks/libhooks.la libseal/libseal-core.la \
	$(CORE_LIBS) $(GIT2_LIBS) $(HS_LIBS) -lpthread -lm
EXTRA_DIST += tests/fuzz/corpus/index tests/fixtures/bad/index
# loose objects, pack entries (deltas resolved), deltas, trees
fuzz_programs += tests/fuzz/fuzz-loose tests/fuzz/fuzz-pack \
	tests/fuzz/fuzz-delta tests/fuzz/fuzz-tree
tests_fuzz_fuzz_loose_SOURCES = tests/fuzz/fuzz-loose.c
tests_fuzz_fuzz_loose_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_loose_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_loose_LDADD = $(tests_fuzz_fuzz_index_LDADD)
tests_fuzz_fuzz_pack_SOURCES = tests/fuzz/fuzz-pack.c
tests_fuzz_fuzz_pack_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_pack_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_pack_LDADD = $(tests_fuzz_fuzz_index_LDADD)
tests_fuzz_fuzz_delta_SOURCES = tests/fuzz/fuzz-delta.c
tests_fuzz_fuzz_delta_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_delta_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_delta_LDADD = $(tests_fuzz_fuzz_index_LDADD)
tests_fuzz_fuzz_tree_SOURCES = tests/fuzz/fuzz-tree.c
tests_fuzz_fuzz_tree_CFLAGS = $(AM_CFLAGS) $(FUZZ_CFLAGS)
tests_fuzz_fuzz_tree_LDFLAGS = $(FUZZ_CFLAGS)
tests_fuzz_fuzz_tree_LDADD = $(tests_fuzz_fuzz_index_LDADD)
EXTRA_DIST += tests/fuzz/corpus/loose tests/fixtures/bad/loose \
	tests/fuzz/corpus/pack tests/fixtures/bad/pack \
	tests/fuzz/corpus/delta tests/fixtures/bad/delta \
	tests/fuzz/corpus/tree tests/fixtures/bad/tree

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-scan-index
endif
tests_unit_test_scan_index_SOURCES = tests/unit/test-scan-index.c \
	tests/unit/harness.h
tests_unit_test_scan_index_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_scan_index_LDADD = hooks/libhooks.la $(UNIT_LDADD) \
	$(GIT2_LIBS) $(HS_LIBS) -lpthread -lm

# malloc wrapped: a delta over the limit is refused before it is built
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-scan-pack
endif
tests_unit_test_scan_pack_SOURCES = tests/unit/test-scan-pack.c \
	tests/unit/harness.h
tests_unit_test_scan_pack_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_scan_pack_LDFLAGS = -Wl,--wrap=malloc
tests_unit_test_scan_pack_LDADD = hooks/libhooks.la $(UNIT_LDADD) \
	$(GIT2_LIBS) $(HS_LIBS) -lpthread -lm

# a regex that cannot decide fails the scan (hooks/rules.c, kube.c)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test-scan-regex
endif
tests_unit_test_scan_regex_SOURCES = tests/unit/test-scan-regex.c \
	tests/unit/harness.h
tests_unit_test_scan_regex_CFLAGS = $(UNIT_CFLAGS) $(PCRE2_CFLAGS)
tests_unit_test_scan_regex_LDADD = hooks/libhooks.la $(UNIT_LDADD) \
	$(GIT2_LIBS) $(HS_LIBS) $(PCRE2_LIBS) -lpthread -lm

# one SOPS judgement: seal status and the hook on the same 50 files
dist_check_SCRIPTS += tests/e2e/t0310-sops-judgement.sh
