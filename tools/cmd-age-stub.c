/* SPDX-License-Identifier: ISC */
/* cmd-age-stub.c: placeholder until this command lands. */
#include "config.h"

#include "tools/cmd.h"
#include "tools/util.h"

int
cmd_keygen(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("not implemented yet");
	return EXIT_TROUBLE;
}

int
cmd_age(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("not implemented yet");
	return EXIT_TROUBLE;
}
