/* SPDX-License-Identifier: ISC */
/*
 * cmd-hook.c - `seal hook install|uninstall|pre-commit`: put the
 * pre-commit shim where git runs it (core.hooksPath respected, a foreign
 * hook never replaced silently) and run the staged scan as the hook. The
 * scanning itself is `seal scan --staged` (cmd-scan.c).
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hooks/repo.h"
#include "tools/common/cmd.h"
#include "tools/common/util.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: seal hook install [--force]\n"
	    "       seal hook uninstall\n"
	    "       seal hook pre-commit\n\n"
	    "  install      write the pre-commit hook (core.hooksPath "
	    "respected);\n"
	    "               an existing foreign hook is refused unless "
	    "--force,\n"
	    "               which keeps it as pre-commit.seal-backup\n"
	    "  uninstall    remove seal's hook (restoring any backup)\n"
	    "  pre-commit   what the hook runs: seal scan --staged, "
	    "report on stderr\n\n"
	    "Exit status: 0 ok, 1 commit refused (or install refused), "
	    "2 trouble.\nSee seal-hook(1).\n");
}

int
cmd_hook(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool force = false;
	const char *act;
	char msg[8192], self[PATH_MAX];
	ssize_t n;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "+fh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			force = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_TROUBLE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	act = argv[optind++];
	/* options after the action word too: `seal hook install --force` */
	while ((ch = getopt_long(argc, argv, "fh", longopts, NULL)) != -1) {
		if (ch == 'f')
			force = true;
		else if (ch == 'h') {
			usage(stdout);
			return EXIT_OK;
		} else {
			usage(stderr);
			return EXIT_TROUBLE;
		}
	}
	if (strcmp(act, "pre-commit") == 0) {
		static char a0[] = "scan", a1[] = "--staged",
			    a2[] = "--hook-mode";
		char *args[] = { a0, a1, a2, NULL };
		if (optind < argc) {
			usage(stderr);
			return EXIT_TROUBLE;
		}
		optind = 0; /* cmd_scan parses afresh */
		return cmd_scan(3, args);
	}
	if (strcmp(act, "install") != 0 && strcmp(act, "uninstall") != 0) {
		error("unknown action '%s'", act);
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (optind < argc) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	/* the hook runs this very binary, by absolute path */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || memchr(self, '\'', (size_t)n))
		snprintf(self, sizeof(self), "seal");
	else
		self[n] = '\0';
	rc = hook_install(strcmp(act, "install") == 0 ? HOOK_INSTALL :
							HOOK_UNINSTALL,
	    force, self, msg, sizeof(msg));
	if (rc == 0) {
		if (verbosity >= 0)
			printf("seal hook: %s\n", msg);
		return EXIT_OK;
	}
	error("%s", msg);
	return rc > 0 ? EXIT_NEGATIVE : EXIT_TROUBLE;
}
