/* SPDX-License-Identifier: ISC */
/*
 * cmd-decrypt.c - seal decrypt: print a sealed file in the clear (or one
 * value with --extract), after the MAC verified. Nothing reaches stdout
 * unless every value decrypted and the MAC matched.
 */
#include "config.h"

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
	const struct opt_cmd cmd = SOPS_CMD("seal decrypt", usage, desc, opts,
	    footer);
	seal_ctx *ctx = NULL;
	seal_sops_file *f = NULL;
	seal_identity *id = NULL;
	const char *path;
	int ec;

	if ((ec = sops_begin_file(&cmd, argc, argv, &o, &ctx, &path)) >= 0)
		goto out;
	ec = sops_open(ctx, &o, path,
	    SEAL_SOPS_READ_ONLY | (o.ignore_mac ? SEAL_SOPS_IGNORE_MAC : 0), &f,
	    &id);
	if (ec != 0)
		goto out;
	ec = sops_emit(ctx, &o, path, f, o.in_place, o.extract);
out:
	sops_end(ctx, f, id, &o);
	return ec;
}
