/* SPDX-License-Identifier: ISC */
/*
 * cmd-hook.c - `seal hook install|uninstall|pre-commit`: put the
 * pre-commit shim where git runs it (core.hooksPath respected, a foreign
 * hook never replaced silently) and run the staged scan as the hook. The
 * scanning itself is `seal scan --staged` (cmd-scan.c).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hooks/repo.h"
#include "tools/common/cmd.h"
#include "tools/common/options.h"
#include "tools/common/util.h"

static const char *const usage[] = {
	"install [--force]",
	"uninstall",
	"pre-commit [FILE...]",
	NULL,
};

static const char desc[] =
    "  install      write the pre-commit hook (core.hooksPath respected);\n"
    "               an existing foreign hook is refused unless --force,\n"
    "               which keeps it as pre-commit.seal-backup\n"
    "  uninstall    remove seal's hook (restoring any backup)\n"
    "  pre-commit   what the hook runs: seal scan --staged, report on "
    "stderr;\n"
    "               with FILEs (the pre-commit framework's list), those "
    "files\n"
    "               as they are on disk\n";

static const char footer[] =
    "Exit status: 0 ok, 1 commit refused (or install refused), 2 trouble.\n"
    "See seal-hook(1).\n";

int
cmd_hook(int argc, char **argv)
{
	bool force = false;
	const struct opt opts[] = {
		OPT_BOOL('f', "force", &force,
		    "install: replace a foreign hook (kept as a\nbackup)"),
		OPT_END(),
	};
	const struct opt_cmd cmd = { .name = "seal hook", .usage = usage,
		.desc = desc, .opts = opts, .footer = footer };
	const char *act;
	char msg[8192], self[PATH_MAX];
	ssize_t n;
	int rc;

	/* options before or after the action: `seal hook install --force` */
	if ((argc = opt_parse(&cmd, argc, argv)) < 0)
		return opt_exit(argc);
	if (argc == 0)
		return opt_misuse(&cmd, "which action: install, uninstall or "
					"pre-commit?");
	act = argv[0];
	if (strcmp(act, "pre-commit") != 0 && strcmp(act, "install") != 0 &&
	    strcmp(act, "uninstall") != 0)
		return opt_misuse(&cmd, "unknown action '%s'", act);
	if (argc > 1 && strcmp(act, "pre-commit") != 0)
		return opt_misuse(&cmd, "unexpected argument '%s'", argv[1]);
	if (strcmp(act, "pre-commit") == 0) {
		static char a0[] = "scan", a1[] = "--staged",
			    a2[] = "--hook-mode", a3[] = "--";
		char *args[] = { a0, a1, a2, NULL };
		char **fargs;
		int i, nf = argc - 1;

		if (nf == 0)
			return cmd_scan(3, args);
		/* the pre-commit framework names the files (staged ones
		 * during a commit, with unstaged edits stashed; every file
		 * under run --all-files): scan them as they are on disk */
		if ((fargs = calloc((size_t)nf + 4, sizeof(*fargs))) == NULL) {
			error("out of memory");
			return EXIT_TROUBLE;
		}
		fargs[0] = a0;
		fargs[1] = a2;
		fargs[2] = a3;
		for (i = 0; i < nf; i++)
			fargs[3 + i] = argv[1 + i];
		rc = cmd_scan(nf + 3, fargs);
		free(fargs);
		return rc;
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
