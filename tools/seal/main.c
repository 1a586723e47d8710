/* SPDX-License-Identifier: ISC */
/*
 * main.c - seal(1): the dispatch table. One line per subcommand; the
 * code of each lives in tools/cmd-<name>.c. Invoked as `sops` (through
 * a symlink), seal speaks sops's command line for the age subset.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "tools/common/cmd.h"
#include "tools/common/util.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} commands[] = {
	{ "encrypt", cmd_encrypt, "Seal a file's values for its recipients" },
	{ "decrypt", cmd_decrypt, "Print a sealed file in the clear" },
	{ "edit", cmd_edit, "Edit a sealed file in $EDITOR, re-seal on save" },
	{ "set", cmd_set, "Set one value in a sealed file" },
	{ "unset", cmd_unset, "Remove one value from a sealed file" },
	{ "status", cmd_status, "Tell whether a file is sealed, and for whom" },
	{ "updatekeys", cmd_updatekeys,
	    "Re-wrap a file's data key for the recipients the rules name" },
	{ "rotate", cmd_rotate, "Re-seal a file under a new data key" },
	{ "scan", cmd_scan, "Find plaintext secrets and leaked credentials" },
	{ "hook", cmd_hook, "Install or run the git pre-commit hook" },
	{ "keygen", cmd_keygen, "Make an age identity (like age-keygen)" },
	{ "age", cmd_age, "Encrypt or decrypt age files (like age)" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: seal <command> [options] [file ...]\n\n"
		   "Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-11s %s\n", commands[i].name,
		    commands[i].summary);
	fprintf(f, "\nRun 'seal <command> --help' for a command's options, "
		   "or 'man seal'.\n"
		   "Exit status: 0 ok, 1 a negative answer (plaintext found, "
		   "bad MAC, refused), 2 trouble.\n");
}

int
main(int argc, char **argv)
{
	static char name[64];
	const char *base;
	size_t i;

	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	if (strcmp(base, "sops") == 0) {
		progname = "sops";
		crypto_init_noconfig();
		return cmd_sops_compat(argc, argv);
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			static char help[] = "--help";
			char *args[] = { argv[2], help, NULL };
			for (i = 0; i < sizeof(commands) / sizeof(commands[0]);
			    i++)
				if (strcmp(commands[i].name, argv[2]) == 0)
					return commands[i].fn(2, args);
		}
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		printf("seal %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, argv[1]) == 0) {
			/* keygen never uses OpenSSL; age only for big
			 * payloads and ssh-rsa keys (cmd-age.c) */
			if (strcmp(argv[1], "keygen") != 0 &&
			    strcmp(argv[1], "age") != 0)
				crypto_init_noconfig();
			snprintf(name, sizeof(name), "seal %s",
			    commands[i].name);
			progname = name;
			return commands[i].fn(argc - 1, argv + 1);
		}
	}
	error("'%s' is not a seal command; see 'seal --help'", argv[1]);
	return EXIT_TROUBLE;
}
