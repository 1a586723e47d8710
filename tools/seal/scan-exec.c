/* SPDX-License-Identifier: ISC */
/*
 * scan-exec.c - `seal scan` and `seal hook` as seal(1) sees them: each
 * execs the seal-scan program (tools/scan/seal-scan.c) with the same
 * arguments, so seal itself links neither libgit2 nor Hyperscan and
 * every sealing command starts faster. seal-scan is looked for next to
 * the running executable (build tree, relocatable installs), then in
 * $SEAL_EXEC_PATH, then in the configured $(pkglibexecdir). No scanning
 * here; seal-scan links the real cmd_scan/cmd_hook (cmd-scan.c,
 * cmd-hook.c) instead of this file.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/common/cmd.h"
#include "tools/common/util.h"

#ifndef SEAL_PKGLIBEXECDIR
#error "SEAL_PKGLIBEXECDIR must be defined (mk/scan.mk)"
#endif

#define SCAN_PROG "seal-scan"

/* Try DIR/seal-scan; returns only if it could not be run. */
static int
try_exec(const char *dir, size_t dirlen, char **argv, int *err)
{
	char path[PATH_MAX];
	int n;

	if (dirlen == 0)
		return -1;
	n = snprintf(path, sizeof(path), "%.*s/%s", (int)dirlen, dir,
	    SCAN_PROG);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	argv[0] = path;
	execv(path, argv);
	/* ENOENT means "look further"; anything else is worth telling */
	if (errno != ENOENT && errno != ENOTDIR && *err == 0)
		*err = errno;
	return -1;
}

/* argv[0] is "scan" or "hook": run `seal-scan scan|hook ARGS...` */
static int
run_seal_scan(int argc, char **argv)
{
	char self[PATH_MAX], **args;
	const char *env, *slash;
	ssize_t n;
	int i, err = 0;

	args = calloc((size_t)argc + 2, sizeof(*args));
	if (args == NULL)
		die(EXIT_TROUBLE, "out of memory");
	for (i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	fflush(NULL);

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash)
			try_exec(self, (size_t)(slash - self), args, &err);
	}
	env = getenv("SEAL_EXEC_PATH");
	if (env && *env)
		try_exec(env, strlen(env), args, &err);
	try_exec(SEAL_PKGLIBEXECDIR, strlen(SEAL_PKGLIBEXECDIR), args, &err);
	free(args);
	if (err)
		error("cannot run %s: %s", SCAN_PROG, strerror(err));
	else
		error("cannot find %s next to seal, in $SEAL_EXEC_PATH or in "
		      "'%s'; reinstall seal or set SEAL_EXEC_PATH to its "
		      "directory", SCAN_PROG, SEAL_PKGLIBEXECDIR);
	return EXIT_TROUBLE;
}

int
cmd_scan(int argc, char **argv)
{
	return run_seal_scan(argc, argv);
}

int
cmd_hook(int argc, char **argv)
{
	return run_seal_scan(argc, argv);
}
