/* SPDX-License-Identifier: ISC */
/*
 * cmd-decrypt.c - seal decrypt: print a sealed file in the clear (or one
 * value with --extract), after the MAC verified. Nothing reaches stdout
 * unless every value decrypted and the MAC matched.
 */
#include "config.h"

#include <string.h>

#include "tools/common/cmd.h"
#include "tools/seal/sops-common.h"
#include "tools/common/util.h"

static const char *const usage[] = {
	"[-i | --output FILE] [--extract PATH] [--ignore-mac] [file]",
	NULL,
};

static const char desc[] =
    "Decrypt a sealed (SOPS) file with the age identities found in\n"
    "SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, SOPS_AGE_KEY_CMD,\n"
    "SOPS_AGE_SSH_PRIVATE_KEY_FILE or ~/.config/sops/age/keys.txt.\n";

static const char footer[] =
    "Exit status: 0 ok, 1 bad MAC, no matching key or a damaged file,\n"
    "2 usage or environment trouble.\n";

int
cmd_decrypt(int argc, char **argv)
{
	struct sops_opts o;
	const struct opt opts[] = {
		SOPS_OPT_IN_PLACE(&o, "replace the file with its plaintext"),
		SOPS_OPT_OUTPUT(&o),
		OPT_STRING(0, "extract", &o.extract, "PATH",
		    "print one value: '[\"data\"][\"key\"]'"),
		OPT_BOOL(0, "ignore-mac", &o.ignore_mac,
		    "do not fail on a MAC mismatch"),
		SOPS_OPT_TYPES(&o),
		SOPS_OPT_INDENT(&o),
		SOPS_OPT_FNAME(&o),
		SOPS_OPT_CONFIG(&o),
		SOPS_OPT_QUIET(),
		OPT_END(),
	};
	const struct opt_cmd cmd = { .name = "seal decrypt", .usage = usage,
		.desc = desc, .opts = opts, .footer = footer,
		.flags = OPT_CMD_STOP_AT_OPERAND };
	seal_ctx *ctx = NULL;
	seal_sops_file *f = NULL;
	seal_identity *id = NULL;
	const char *path;
	int ec;

	harden_process();
	ec = sops_begin(&cmd, argc, argv, &o, 0, 1, "one file (or stdin)",
	    &ctx);
	if (ec >= 0)
		goto out;
	path = o.nfiles == 1 ? o.files[0] : "-";
	if (o.in_place && strcmp(path, "-") == 0) {
		ec = opt_misuse(&cmd, "--in-place needs a file");
		goto out;
	}
	ec = sops_open(ctx, &o, path,
	    SEAL_SOPS_READ_ONLY | (o.ignore_mac ? SEAL_SOPS_IGNORE_MAC : 0), &f,
	    &id);
	if (ec != 0)
		goto out;
	ec = sops_emit(ctx, &o, path, f, o.in_place, o.extract);
out:
	seal_identity_free(id);
	seal_sops_free(f);
	seal_ctx_free(ctx);
	sops_opts_free(&o);
	return ec;
}
