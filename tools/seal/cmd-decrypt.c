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

static const char usage[] =
    "usage: seal decrypt [-i | --output FILE] [--extract PATH] "
    "[--ignore-mac]\n"
    "                    [--input-type T] [--output-type T] [--indent N]\n"
    "                    [--filename-override NAME] [file]\n"
    "\n"
    "Decrypt a sealed (SOPS) file with the age identities found in\n"
    "SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, SOPS_AGE_KEY_CMD,\n"
    "SOPS_AGE_SSH_PRIVATE_KEY_FILE or ~/.config/sops/age/keys.txt.\n"
    "\n"
    "  -i, --in-place           replace the file with its plaintext\n"
    "      --output FILE        write to FILE instead of stdout\n"
    "      --extract PATH       print one value: '[\"data\"][\"key\"]'\n"
    "      --ignore-mac         do not fail on a MAC mismatch\n"
    "      --input-type T       yaml, json, dotenv or binary\n"
    "      --output-type T      format of the output\n"
    "      --indent N           indentation of the output\n"
    "      --filename-override NAME  name for format detection (stdin)\n"
    "\n"
    "Exit status: 0 ok, 1 bad MAC, no matching key or a damaged file,\n"
    "2 usage or environment trouble.\n";

int
cmd_decrypt(int argc, char **argv)
{
	struct sops_opts o;
	seal_ctx *ctx = NULL;
	seal_sops_file *f = NULL;
	seal_identity *id = NULL;
	const char *path;
	int ec;
	seal_rc rc;

	harden_process();
	ec = sops_parse(argc, argv, &o,
	    SO_INPLACE | SO_TYPES | SO_EXTRACT | SO_IGNOREMAC | SO_OUTPUT |
	        SO_FNAME,
	    usage);
	if (ec >= 0)
		goto out;
	if (o.nfiles > 1) {
		error("decrypt takes one file");
		fputs(usage, stderr);
		ec = EXIT_TROUBLE;
		goto out;
	}
	path = o.nfiles == 1 ? o.files[0] : "-";
	if (o.in_place && strcmp(path, "-") == 0) {
		error("--in-place needs a file");
		ec = EXIT_TROUBLE;
		goto out;
	}
	if (seal_ctx_new(&ctx) != SEAL_OK) {
		error("out of memory");
		ec = EXIT_TROUBLE;
		goto out;
	}
	if ((ec = sops_load(ctx, &o, path, &f)) != 0)
		goto out;
	if (!seal_sops_is_encrypted(f)) {
		error("%s: not sealed (no sops metadata); nothing to decrypt",
		    path);
		ec = sops_compat ? 1 : EXIT_NEGATIVE;
		goto out;
	}
	if ((ec = sops_identities(ctx, &id)) != 0)
		goto out;
	rc = seal_sops_decrypt(ctx, f, id,
	    SEAL_SOPS_READ_ONLY | (o.ignore_mac ? SEAL_SOPS_IGNORE_MAC : 0));
	if (rc != SEAL_OK) {
		ec = sops_fail(ctx, rc, true);
		goto out;
	}
	ec = sops_emit(ctx, &o, path, f, o.in_place, o.extract);
out:
	seal_identity_free(id);
	seal_sops_free(f);
	seal_ctx_free(ctx);
	sops_opts_free(&o);
	return ec;
}
