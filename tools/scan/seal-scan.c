/* SPDX-License-Identifier: ISC */
/*
 * seal-scan.c - the scanner's own program, installed in
 * $(pkglibexecdir) and run by `seal scan` and `seal hook` (scan-exec.c)
 * or directly by the installed git hook. It alone links libgit2 and
 * Hyperscan. Only the dispatch lives here: `seal-scan scan ARGS` is
 * `seal scan ARGS`, `seal-scan hook ARGS` is `seal hook ARGS`, with the
 * same messages and exit codes.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tools/common/cmd.h"
#include "tools/common/util.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: seal-scan scan [options] [path ...]\n"
		   "       seal-scan hook install|uninstall|pre-commit\n\n"
		   "The scanner behind 'seal scan' and 'seal hook'; run those "
		   "instead.\nSee seal-scan(1) and seal-hook(1).\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (is_help(argv[1])) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("seal-scan %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	/* messages read `seal scan: ...` / `seal hook: ...`, as before */
	if (strcmp(argv[1], "scan") == 0) {
		progname = "seal scan";
		return cmd_scan(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "hook") == 0) {
		progname = "seal hook";
		return cmd_hook(argc - 1, argv + 1);
	}
	error("'%s' is not a seal-scan command; see 'seal --help'", argv[1]);
	return EXIT_TROUBLE;
}
