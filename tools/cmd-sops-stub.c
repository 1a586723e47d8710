/* SPDX-License-Identifier: ISC */
/* cmd-sops-stub.c: placeholder until this command lands. */
#include "config.h"

#include "tools/cmd.h"
#include "tools/util.h"

int
cmd_encrypt(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("not implemented yet");
	return EXIT_TROUBLE;
}

int
cmd_decrypt(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("not implemented yet");
	return EXIT_TROUBLE;
}

int
cmd_edit(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("not implemented yet");
	return EXIT_TROUBLE;
}

int
cmd_set(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("not implemented yet");
	return EXIT_TROUBLE;
}

int
cmd_unset(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("not implemented yet");
	return EXIT_TROUBLE;
}

int
cmd_updatekeys(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("not implemented yet");
	return EXIT_TROUBLE;
}

int
cmd_rotate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("not implemented yet");
	return EXIT_TROUBLE;
}

int
cmd_status(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("not implemented yet");
	return EXIT_TROUBLE;
}

int
cmd_sops_compat(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	error("not implemented yet");
	return EXIT_TROUBLE;
}
