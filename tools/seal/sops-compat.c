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

#include "sops/sops.h"
#include "tools/common/cmd.h"
#include "tools/seal/sops-common.h"
#include "tools/common/util.h"

static const char usage[] =
    "usage: sops [global flags] <command> [flags] file\n"
    "       sops [-d | -e | -r] [-i] [flags] file\n"
    "\n"
    "This is seal(1) speaking sops's command line for age keys.\n"
    "Commands: decrypt, encrypt, edit (default), rotate, updatekeys, set,\n"
    "unset, filestatus. Flags: -i/--in-place, --input-type, --output-type,\n"
    "-a/--age, --config, --indent, --extract, --output, --ignore-mac,\n"
    "--encrypted-regex and the other selection rules, --mac-only-encrypted,\n"
    "--filename-override, --add-age, --rm-age, -y, --set.\n";

/* flags passed through unchanged: name and whether it takes a value */
static const struct {
	const char *name;
	bool arg;
} pass[] = {
    {"--in-place", false},
    {"--input-type", true},
    {"--output-type", true},
    {"--age", true},
    {"--config", true},
    {"--indent", true},
    {"--extract", true},
    {"--output", true},
    {"--ignore-mac", false},
    {"--encrypted-regex", true},
    {"--unencrypted-regex", true},
    {"--encrypted-suffix", true},
    {"--unencrypted-suffix", true},
    {"--encrypted-comment-regex", true},
    {"--unencrypted-comment-regex", true},
    {"--mac-only-encrypted", false},
    {"--filename-override", true},
    {"--add-age", true},
    {"--rm-age", true},
    {"--yes", false},
    {"--idempotent", false},
    {"--value-file", true},
    {"--value-stdin", false},
};

/* flags accepted and ignored (verbosity, version check, local keys) */
static const struct {
	const char *name;
	bool arg;
} ignored[] = {
    {"--verbose", false},
    {"--disable-version-check", false},
    {"--enable-local-keyservice", false},
    {"--decryption-order", true},
    {"--show-master-keys", false},
    {"-s", false},
    {"--check-for-updates", false},
};

static const char *const subcommands[] = {"decrypt", "encrypt", "edit",
    "rotate", "updatekeys", "set", "unset", "filestatus"};

static int
filestatus(int nfiles, char **files)
{
	char *buf = NULL;
	size_t len;
	struct seal__tree *t = NULL;
	struct seal__lint *l = NULL;
	seal_ctx *ctx = NULL;
	enum seal__format fmt;
	bool enc = false;

	if (nfiles != 1) {
		error("filestatus takes one file");
		return 100;
	}
	if (read_file(files[0], 64u << 20, &buf, &len) != 0)
		return 2;
	fmt = seal__format_from_path(files[0]);
	if (fmt == SEAL_FMT_BINARY && len && buf[0] == '{')
		fmt = SEAL_FMT_JSON;
	if (seal_ctx_new(&ctx) == SEAL_OK && seal__store_parser(fmt) &&
	    seal__store_parser(fmt)(ctx, buf, len, NULL, &t) == SEAL_OK &&
	    seal__sops_lint(ctx, t, fmt, files[0], &l) == SEAL_OK)
		enc = l->sealed && l->ndocs > 0 && l->docs[0].mac_present;
	printf("{\"encrypted\":%s}\n", enc ? "true" : "false");
	seal__lint_free(l);
	seal__tree_free(t);
	seal_ctx_free(ctx);
	free(buf);
	return 0;
}

int
cmd_sops_compat(int argc, char **argv)
{
	char **nv, *set_arg = NULL, *spare[2] = {NULL, NULL};
	const char *cmd = NULL;
	int nn = 1, i, npos = 0, ec;
	char **pos;
	size_t k;

	sops_compat = 1;
	nv = calloc((size_t)argc + 4, sizeof(*nv));
	pos = calloc((size_t)argc + 2, sizeof(*pos));
	if (nv == NULL || pos == NULL)
		return 1;
	for (i = 1; i < argc; i++) {
		char *a = argv[i], *eq = NULL;
		bool done = false;

		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++)
				pos[npos++] = argv[i];
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			for (k = 0; cmd == NULL && npos == 0 &&
			     k < SEAL__ARRAY_LEN(subcommands);
			     k++)
				if (strcmp(a, subcommands[k]) == 0) {
					cmd = subcommands[k];
					done = true;
				}
			if (!done)
				pos[npos++] = a;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			ec = 0;
			goto out;
		}
		if (strcmp(a, "-v") == 0 || strcmp(a, "--version") == 0) {
			printf("sops %s (seal %s)\n", SEAL_SOPS_WRITES_VERSION,
			    seal_version());
			ec = 0;
			goto out;
		}
		if (strcmp(a, "-e") == 0 || strcmp(a, "--encrypt") == 0) {
			cmd = "encrypt";
			continue;
		}
		if (strcmp(a, "-d") == 0 || strcmp(a, "--decrypt") == 0) {
			cmd = "decrypt";
			continue;
		}
		if (strcmp(a, "-r") == 0 || strcmp(a, "--rotate") == 0) {
			cmd = "rotate";
			continue;
		}
		if (strcmp(a, "-i") == 0) {
			nv[nn++] = (char *)"--in-place";
			continue;
		}
		if (strcmp(a, "-y") == 0) {
			nv[nn++] = (char *)"--yes";
			continue;
		}
		if (strcmp(a, "-a") == 0) {
			a = (char *)"--age";
		}
		if (strncmp(a, "--", 2) == 0 && (eq = strchr(a, '=')) != NULL)
			*eq = '\0';
		if (strcmp(a, "--set") == 0) {
			set_arg =
			    eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
			cmd = "set";
			continue;
		}
		for (k = 0; k < SEAL__ARRAY_LEN(ignored); k++)
			if (strcmp(a, ignored[k].name) == 0) {
				if (ignored[k].arg && eq == NULL)
					i++;
				done = true;
			}
		for (k = 0; !done && k < SEAL__ARRAY_LEN(pass); k++) {
			if (strcmp(a, pass[k].name) != 0)
				continue;
			nv[nn++] = (char *)pass[k].name;
			if (pass[k].arg) {
				if (eq != NULL)
					nv[nn++] = eq + 1;
				else if (i + 1 < argc)
					nv[nn++] = argv[++i];
			}
			done = true;
		}
		if (!done) {
			if (eq)
				*eq = '=';
			error("unsupported sops option '%s' (seal speaks the "
			      "age subset of sops)",
			    argv[i]);
			fputs(usage, stderr);
			ec = 1;
			goto out;
		}
	}
	if (cmd == NULL)
		cmd = "edit";
	if (npos == 0 && strcmp(cmd, "encrypt") != 0 &&
	    strcmp(cmd, "decrypt") != 0) {
		error("no file specified");
		fputs(usage, stderr);
		ec = 100;
		goto out;
	}
	if (strcmp(cmd, "filestatus") == 0) {
		ec = filestatus(npos, pos);
		goto out;
	}
	if (set_arg != NULL) {
		/* --set '["a"]["b"] "value"': the path ends at "] " */
		char *sp = strstr(set_arg, "] ");
		if (sp == NULL) {
			error("invalid --set: want '[\"key\"] value'");
			ec = 7;
			goto out;
		}
		spare[0] = strndup(set_arg, (size_t)(sp - set_arg + 1));
		spare[1] = strdup(sp + 2);
		if (spare[0] == NULL || spare[1] == NULL) {
			ec = 1;
			goto out;
		}
		pos[npos++] = spare[0];
		pos[npos++] = spare[1];
	}
	nv[0] = (char *)cmd;
	for (i = 0; i < npos; i++)
		nv[nn++] = pos[i];
	nv[nn] = NULL;
	progname = "sops";
	if (strcmp(cmd, "encrypt") == 0)
		ec = cmd_encrypt(nn, nv);
	else if (strcmp(cmd, "decrypt") == 0)
		ec = cmd_decrypt(nn, nv);
	else if (strcmp(cmd, "rotate") == 0)
		ec = cmd_rotate(nn, nv);
	else if (strcmp(cmd, "updatekeys") == 0)
		ec = cmd_updatekeys(nn, nv);
	else if (strcmp(cmd, "set") == 0)
		ec = cmd_set(nn, nv);
	else if (strcmp(cmd, "unset") == 0)
		ec = cmd_unset(nn, nv);
	else
		ec = cmd_edit(nn, nv);
out:
	free(spare[0]);
	free(spare[1]);
	free(nv);
	free(pos);
	return ec;
}
