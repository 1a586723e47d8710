/* SPDX-License-Identifier: ISC */
/*
 * sops-compat.c - seal invoked as `sops`: sops's command line for the
 * age subset (sops -d/-e/-r/-i, sops decrypt|encrypt|edit|rotate|
 * updatekeys|set|unset|filestatus, global flags before the subcommand,
 * `sops FILE` to edit), translated into the seal subcommands, with
 * sops's exit codes. Flags for key services, PGP and KMS are refused.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/common/cmd.h"
#include "tools/seal/sops-common.h"
#include "tools/common/util.h"

static const char *const usage[] = {
	"[global flags] <command> [flags] file",
	"[-d | -e | -r] [-i] [flags] file",
	NULL,
};

static const char desc[] =
    "This is seal(1) speaking sops's command line for age keys.\n"
    "Commands: decrypt, encrypt, edit (default), rotate, updatekeys, set,\n"
    "unset, filestatus. Flags for PGP, KMS and key services are refused.\n";

static const char footer[] =
    "Exit status: sops's codes (0 ok, 1 usage, 51 bad MAC, 100 no file,\n"
    "128 no key, 203 already encrypted, ...).\n";

/* What the sops command line becomes: a seal subcommand's argv. */
struct compat {
	const char *cmd;     /* from -e/-d/-r/--set or the first operand */
	const char *set_arg; /* --set's value */
	bool version, ignored;
	const char *ignored_arg;
	char **nv;   /* "--flag" [value] ... then the operands */
	int nn;
	char **owned; /* the "--flag" strings made here */
	int nowned;
	char **pos;   /* the operands (files, set's path and value) */
	int npos;
};

static int
grow(char ***v, int n)
{
	char **nv = realloc(*v, ((size_t)n + 4) * sizeof(*nv));

	if (nv == NULL)
		return -1;
	*v = nv;
	return 0;
}

static int
to_flag(struct compat *c, const char *name, const char *arg)
{
	char *f;

	if (grow(&c->owned, c->nowned) < 0 || grow(&c->nv, c->nn) < 0 ||
	    asprintf(&f, "--%s", name) < 0) {
		error("out of memory");
		return -1;
	}
	c->owned[c->nowned++] = f;
	c->nv[c->nn++] = f;
	if (arg != NULL)
		c->nv[c->nn++] = (char *)arg;
	return 0;
}

/* a flag passed through unchanged to the seal subcommand */
static int
pass(const struct opt *opt, const char *arg)
{
	return to_flag(opt->value, opt->long_name, arg);
}

/* -a is --age, -i --in-place, -y --yes */
static int
pass_as(const struct opt *opt, const char *arg)
{
	return to_flag(opt->value, (const char *)opt->defval, arg);
}

static int
mode(const struct opt *opt, const char *arg)
{
	struct compat *c = opt->value;

	if (opt->long_name != NULL && strcmp(opt->long_name, "set") == 0)
		c->set_arg = arg;
	c->cmd = (const char *)opt->defval;
	return 0;
}

#define PASS(l, a, h) OPT_CALLBACK(0, l, c, a, h, pass)
#define PASS_NOARG(l, h) OPT_CALLBACK_NOARG(0, l, c, h, pass)
#define MODE(s, l, m, h) \
	{ .type = OPT_T_CALLBACK, .short_name = (s), .long_name = (l), \
		.value = c, .help = (h), .cb = mode, .flags = OPT_NOARG, \
		.defval = (intptr_t)(m) }
#define IGNORE(s, l) \
	{ .type = OPT_T_BOOL, .short_name = (s), .long_name = (l), \
		.value = &c->ignored, .flags = OPT_HIDDEN }

static const char *const subcommands[] = {"decrypt", "encrypt", "edit",
    "rotate", "updatekeys", "set", "unset", "filestatus"};
#define NSUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static int
filestatus(int nfiles, char **files)
{
	char *buf = NULL;
	size_t len;
	seal_sops_report *r = NULL;
	seal_ctx *ctx = NULL;
	int fmt;
	bool enc = false;

	if (nfiles != 1) {
		error("filestatus takes one file");
		return 100;
	}
	if (read_file(files[0], 64u << 20, &buf, &len) != 0)
		return 2;
	fmt = seal_sops_format_from_path(files[0]);
	if (fmt == SEAL_SOPS_BINARY && len && buf[0] == '{')
		fmt = SEAL_SOPS_JSON;
	if (seal_ctx_new(&ctx) == SEAL_OK &&
	    seal_sops_lint(ctx, buf, len, fmt, files[0], &r) == SEAL_OK)
		enc = (seal_sops_report_flags(r) & SEAL_SOPS_FILE_SEALED) &&
		    (seal_sops_report_doc_flags(r, 0) & SEAL_SOPS_DOC_MAC);
	printf("{\"encrypted\":%s}\n", enc ? "true" : "false");
	seal_sops_report_free(r);
	seal_ctx_free(ctx);
	free(buf);
	return 0;
}

/* The seal subcommand with the translated argv. */
static int
dispatch(const char *cmd, int nn, char **nv)
{
	progname = "sops";
	if (strcmp(cmd, "encrypt") == 0)
		return cmd_encrypt(nn, nv);
	if (strcmp(cmd, "decrypt") == 0)
		return cmd_decrypt(nn, nv);
	if (strcmp(cmd, "rotate") == 0)
		return cmd_rotate(nn, nv);
	if (strcmp(cmd, "updatekeys") == 0)
		return cmd_updatekeys(nn, nv);
	if (strcmp(cmd, "set") == 0)
		return cmd_set(nn, nv);
	if (strcmp(cmd, "unset") == 0)
		return cmd_unset(nn, nv);
	return cmd_edit(nn, nv);
}

/* --set '["a"]["b"] "value"': the path ends at "] ". 0 or sops's code. */
static int
split_set(const char *set_arg, char **spare)
{
	const char *sp = strstr(set_arg, "] ");

	if (sp == NULL) {
		error("invalid --set: want '[\"key\"] value'");
		return 7;
	}
	spare[0] = strndup(set_arg, (size_t)(sp - set_arg + 1));
	spare[1] = strdup(sp + 2);
	return spare[0] == NULL || spare[1] == NULL ? 1 : 0;
}

/*
 * Parse sops's flags up to each operand: the first operand names the
 * command unless a flag did (so "sops -d decrypt" decrypts a file named
 * decrypt), "--" ends the flags. The operands go to c->pos.
 */
static int
parse(const struct opt_cmd *cmd, struct compat *c, int argc, char **argv)
{
	int n;
	size_t k;

	for (;;) {
		if ((n = opt_parse(cmd, argc, argv)) < 0)
			return n == OPT_HELP ? 0 : 1;
		if (c->version || n == 0)
			return -1;
		if (strcmp(argv[0], "--") == 0) {
			for (k = 1; k < (size_t)n; k++)
				c->pos[c->npos++] = argv[k];
			return -1;
		}
		for (k = 0; k < NSUBCOMMANDS; k++)
			if (c->cmd == NULL && c->npos == 0 &&
			    strcmp(argv[0], subcommands[k]) == 0)
				break;
		if (k < NSUBCOMMANDS)
			c->cmd = subcommands[k];
		else
			c->pos[c->npos++] = argv[0];
		/* argv[0] is the name slot of the next round */
		argc = n;
	}
}

/*
 * sops's command line into c: its option table, the flags parsed, the
 * command chosen. Returns -1 to go on, or sops's exit code.
 */
static int
translate(struct compat *c, int argc, char **argv)
{
	const struct opt opts[] = {
		OPT_GROUP("Commands as flags:"),
		MODE('d', "decrypt", "decrypt", "decrypt a file"),
		MODE('e', "encrypt", "encrypt", "encrypt a file"),
		MODE('r', "rotate", "rotate", "new data key"),
		{ .type = OPT_T_CALLBACK, .long_name = "set", .value = c,
		    .argh = "'[\"k\"] VALUE'", .help = "set one value",
		    .cb = mode, .defval = (intptr_t)"set" },
		OPT_BOOL('v', "version", &c->version, "print the version"),
		OPT_GROUP("Flags (as seal's):"),
		{ .type = OPT_T_CALLBACK, .short_name = 'i', .long_name =
		    "in-place", .value = c, .help = "write the file in place",
		    .cb = pass_as, .flags = OPT_NOARG,
		    .defval = (intptr_t)"in-place" },
		PASS("input-type", "T", "yaml, json, dotenv or binary"),
		PASS("output-type", "T", "format of the output"),
		{ .type = OPT_T_CALLBACK, .short_name = 'a', .long_name = "age",
		    .value = c, .argh = "R[,R...]", .help = "age recipients",
		    .cb = pass_as, .defval = (intptr_t)"age" },
		PASS("config", "FILE", "use this .sops.yaml"),
		PASS("indent", "N", "indentation of the output"),
		PASS("extract", "PATH", "decrypt one value"),
		PASS("output", "FILE", "write to FILE"),
		PASS_NOARG("ignore-mac", "do not fail on a MAC mismatch"),
		PASS("encrypted-regex", "R", "selection rules, as sops's"),
		PASS("unencrypted-regex", "R", NULL),
		PASS("encrypted-suffix", "S", NULL),
		PASS("unencrypted-suffix", "S", NULL),
		PASS("encrypted-comment-regex", "R", NULL),
		PASS("unencrypted-comment-regex", "R", NULL),
		PASS_NOARG("mac-only-encrypted", "the MAC covers sealed values "
		    "only"),
		PASS("filename-override", "NAME", "name for format and rules"),
		PASS("add-age", "R", "rotate: add a recipient"),
		PASS("rm-age", "R", "rotate: remove a recipient"),
		{ .type = OPT_T_CALLBACK, .short_name = 'y', .long_name = "yes",
		    .value = c, .help = "updatekeys: no prompt", .cb = pass_as,
		    .flags = OPT_NOARG, .defval = (intptr_t)"yes" },
		PASS_NOARG("idempotent", "set/unset: no change is no error"),
		PASS("value-file", "F", "set: the value from F"),
		PASS_NOARG("value-stdin", "set: the value from stdin"),
		/* accepted and ignored: verbosity, version checks, local
		 * key service */
		IGNORE(0, "verbose"),
		IGNORE(0, "disable-version-check"),
		IGNORE(0, "enable-local-keyservice"),
		{ .type = OPT_T_STRING, .long_name = "decryption-order",
		    .value = &c->ignored_arg, .flags = OPT_HIDDEN },
		IGNORE('s', "show-master-keys"),
		IGNORE(0, "check-for-updates"),
		OPT_END(),
	};
	const struct opt_cmd cmd = { .name = "sops", .usage = usage,
		.desc = desc, .opts = opts, .footer = footer,
		.flags = OPT_CMD_STOP_AT_OPERAND | OPT_CMD_KEEP_DASHDASH };
	int ec;

	ec = parse(&cmd, c, argc, argv);
	if (ec >= 0 || c->version)
		return ec;
	if (c->cmd == NULL)
		c->cmd = "edit";
	if (c->npos == 0 && strcmp(c->cmd, "encrypt") != 0 &&
	    strcmp(c->cmd, "decrypt") != 0) {
		error("no file specified");
		opt_usage(&cmd, stderr);
		return 100;
	}
	return -1;
}

int
cmd_sops_compat(int argc, char **argv)
{
	struct compat c = { 0 };
	char *spare[2] = { NULL, NULL };
	int i, ec;

	sops_compat = 1;
	c.pos = calloc((size_t)argc + 2, sizeof(*c.pos));
	if (c.pos == NULL || grow(&c.nv, 0) < 0) {
		ec = 1;
		goto out;
	}
	c.nn = 1;
	if ((ec = translate(&c, argc, argv)) >= 0)
		goto out;
	if (c.version) {
		printf("sops %s (seal %s)\n", SEAL_SOPS_WRITES_VERSION,
		    seal_version());
		ec = 0;
		goto out;
	}
	if (strcmp(c.cmd, "filestatus") == 0) {
		ec = filestatus(c.npos, c.pos);
		goto out;
	}
	if (c.set_arg != NULL) {
		if ((ec = split_set(c.set_arg, spare)) != 0)
			goto out;
		c.pos[c.npos++] = spare[0];
		c.pos[c.npos++] = spare[1];
	}
	c.nv[0] = (char *)c.cmd;
	for (i = 0; i < c.npos; i++) {
		if (grow(&c.nv, c.nn) < 0) {
			ec = 1;
			goto out;
		}
		c.nv[c.nn++] = c.pos[i];
	}
	c.nv[c.nn] = NULL;
	ec = dispatch(c.cmd, c.nn, c.nv);
out:
	free(spare[0]);
	free(spare[1]);
	for (i = 0; i < c.nowned; i++)
		free(c.owned[i]);
	free(c.owned);
	free(c.nv);
	free(c.pos);
	return ec;
}
