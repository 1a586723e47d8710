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
#include "tools/common/options.h"
#include "tools/common/util.h"

static const char *const usage[] = {
	"scan [options] [path ...]",
	"hook install|uninstall|pre-commit",
	NULL,
};

static const char desc[] =
    "The scanner behind 'seal scan' and 'seal hook'; run those instead.\n"
    "See seal-scan(1) and seal-hook(1).\n";

int
main(int argc, char **argv)
{
	bool version = false;
	const struct opt opts[] = {
		OPT_BOOL(0, "version", &version, "print the version"),
		OPT_END(),
	};
	const struct opt_cmd cmd = { .name = "seal-scan", .usage = usage,
		.desc = desc, .opts = opts, .flags = OPT_CMD_STOP_AT_OPERAND };
	int n;

	if ((n = opt_parse(&cmd, argc, argv)) < 0)
		return opt_exit(n);
	if (version) {
		printf("seal-scan %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	if (n == 0)
		return opt_misuse(&cmd, "which command: scan or hook?");
	/* messages read `seal scan: ...` / `seal hook: ...`, as before */
	if (strcmp(argv[0], "scan") == 0) {
		progname = "seal scan";
		return cmd_scan(n, argv);
	}
	if (strcmp(argv[0], "hook") == 0) {
		progname = "seal hook";
		return cmd_hook(n, argv);
	}
	error("'%s' is not a seal-scan command; see 'seal --help'", argv[0]);
	return EXIT_TROUBLE;
}
