/* SPDX-License-Identifier: ISC */
/* cmd-krm.c - placeholder, replaced below */
#include "config.h"
#include "tools/common/cmd.h"
#include "tools/common/util.h"
#include "tools/unseal/unseal.h"
int
cmd_krm(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("krm: not yet");
	return EXIT_TROUBLE;
}
