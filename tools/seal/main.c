/* SPDX-License-Identifier: ISC */
/*
 * main.c - seal(1): the dispatch table. One line per subcommand; the
 * code of each lives in tools/cmd-<name>.c. Invoked as `sops` (through
 * a symlink), seal speaks sops's command line for the age subset.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <seal.h>

#include "tools/common/cmd.h"
#include "tools/common/options.h"
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
	{ "cluster", cmd_cluster,
	    "Register clusters and tenants, rotate and retire their keys" },
	{ "scan", cmd_scan, "Find plaintext secrets and leaked credentials" },
	{ "hook", cmd_hook, "Install or run the git pre-commit hook" },
	{ "keygen", cmd_keygen, "Make an age identity (like age-keygen)" },
	{ "age", cmd_age, "Encrypt or decrypt age files (like age)" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char *const usage[] = {
	"<command> [options] [file ...]",
	NULL,
};

static const char footer[] =
    "Run 'seal <command> --help' for a command's options, or 'man seal'.\n"
    "Exit status: 0 ok, 1 a negative answer (plaintext found, bad MAC,\n"
    "no key, refused), 2 usage or environment trouble.\n";

/* "Commands:" and one line per command, from the table */
static const char *
command_list(void)
{
	static char buf[2048];
	size_t i, n;

	n = (size_t)snprintf(buf, sizeof(buf), "Commands:\n");
	for (i = 0; i < NCOMMANDS && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "  %-11s %s\n",
		    commands[i].name, commands[i].summary);
	return buf;
}

static int
find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
run(int i, int argc, char **argv)
{
	static char name[64];

	/* keygen never uses OpenSSL; age only for big payloads and
	 * ssh-rsa keys (cmd-age.c) */
	if (commands[i].fn != cmd_keygen && commands[i].fn != cmd_age)
		crypto_init_noconfig();
	snprintf(name, sizeof(name), "seal %s", commands[i].name);
	progname = name;
	return commands[i].fn(argc, argv);
}

int
main(int argc, char **argv)
{
	bool version = false;
	const struct opt opts[] = {
		OPT_BOOL(0, "version", &version, "print the version"),
		OPT_END(),
	};
	struct opt_cmd cmd = { .name = "seal", .usage = usage, .opts = opts,
		.footer = footer, .flags = OPT_CMD_STOP_AT_OPERAND };
	const char *base;
	int i, n;

	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	if (strcmp(base, "sops") == 0) {
		progname = "sops";
		crypto_init_noconfig();
		return cmd_sops_compat(argc, argv);
	}
	cmd.desc = command_list();
	if ((n = opt_parse(&cmd, argc, argv)) < 0)
		return opt_exit(n);
	if (version || (n > 0 && strcmp(argv[0], "version") == 0)) {
		printf("seal %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	if (n == 0)
		return opt_misuse(&cmd, "which command? see 'seal --help'");
	if (strcmp(argv[0], "help") == 0) {
		static char help[] = "--help";
		char *args[] = { NULL, help, NULL };

		if (n > 1 && (i = find(argv[1])) >= 0) {
			args[0] = argv[1];
			return run(i, 2, args);
		}
		opt_help(&cmd, stdout);
		return EXIT_OK;
	}
	if ((i = find(argv[0])) >= 0)
		return run(i, n, argv);
	error("'%s' is not a seal command; see 'seal --help'", argv[0]);
	return EXIT_TROUBLE;
}
