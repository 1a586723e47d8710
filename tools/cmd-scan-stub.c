/* SPDX-License-Identifier: ISC */
/* cmd-scan-stub.c: placeholder until this command lands. */
#include "config.h"

#include "tools/cmd.h"
#include "tools/util.h"

int
cmd_scan(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("not implemented yet");
	return EXIT_TROUBLE;
}

int
cmd_hook(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("not implemented yet");
	return EXIT_TROUBLE;
}
