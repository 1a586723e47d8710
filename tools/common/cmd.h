/* SPDX-License-Identifier: ISC */
/*
 * cmd.h - every subcommand of seal(1) is `int cmd_<name>(int argc,
 * char **argv)` in tools/cmd-<name>.c, registered by one line in main.c.
 * argv[0] is the subcommand's name. The return value is the exit code.
 */
#ifndef SEAL_CMD_H
#define SEAL_CMD_H

/* Exit codes, documented under EXIT STATUS in seal(1). */
enum seal_exit {
	EXIT_OK = 0,	  /* success */
	EXIT_NEGATIVE = 1, /* a negative answer: plaintext found, bad MAC,
			      no key matched, refused */
	EXIT_TROUBLE = 2,  /* usage or environment trouble */
};

int cmd_keygen(int argc, char **argv);
int cmd_age(int argc, char **argv);
int cmd_encrypt(int argc, char **argv);
int cmd_decrypt(int argc, char **argv);
int cmd_edit(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_unset(int argc, char **argv);
int cmd_updatekeys(int argc, char **argv);
int cmd_rotate(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_cluster(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_hook(int argc, char **argv);

/* seal invoked as `sops` (a symlink): sops's command line, age subset */
int cmd_sops_compat(int argc, char **argv);

#endif
