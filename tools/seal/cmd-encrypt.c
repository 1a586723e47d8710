/* SPDX-License-Identifier: ISC */
/*
 * cmd-encrypt.c - seal encrypt: seal a clear file for the age recipients
 * of the command line or of the matching .sops.yaml creation rule, under
 * a new data key. Refuses a file that is already sealed.
 */
#include "config.h"

#include <string.h>

#include "tools/common/cmd.h"
#include "tools/seal/sops-common.h"
#include "tools/common/util.h"

static const char usage[] =
    "usage: seal encrypt [-i | --output FILE] [-r RECIPIENT]... [--config F]\n"
    "                    [--encrypted-regex R | --unencrypted-regex R |\n"
    "                     --encrypted-suffix S | --unencrypted-suffix S |\n"
    "                     --encrypted-comment-regex R |\n"
    "                     --unencrypted-comment-regex R]\n"
    "                    [--mac-only-encrypted] [--input-type T]\n"
    "                    [--output-type T] [--indent N]\n"
    "                    [--filename-override NAME] [file]\n"
    "\n"
    "Seal a file's values (SOPS v3 with age). Recipients come from -r/--age\n"
    "or SOPS_AGE_RECIPIENTS, else from the first .sops.yaml creation rule\n"
    "matching the file. Without a selection rule every value is sealed\n"
    "(sops's unencrypted_suffix _unencrypted), except Kubernetes Secrets,\n"
    "where only data and stringData are (encrypted_regex\n"
    "^(data|stringData)$).\n"
    "\n"
    "  -i, --in-place       replace the file (atomically)\n"
    "      --output FILE    write to FILE instead of stdout\n"
    "  -r, --age R[,R...]   age recipient(s); repeatable\n"
    "      --config FILE    use this .sops.yaml\n"
    "      --mac-only-encrypted  the MAC covers sealed values only\n"
    "      --indent N       indentation of the output\n"
    "\n"
    "Exit status: 0 ok, 1 refused (already sealed), 2 trouble.\n";

int
cmd_encrypt(int argc, char **argv)
{
	struct sops_opts o;
	seal_ctx *ctx = NULL;
	seal_sops_file *f = NULL;
	seal_sops_params *p = NULL;
	const char *path;
	int ec, indent = -1;
	seal_rc rc;

	harden_process();
	ec = sops_parse(argc, argv, &o,
	    SO_INPLACE | SO_TYPES | SO_KEYS | SO_RULES | SO_OUTPUT | SO_FNAME,
	    usage);
	if (ec >= 0)
		goto out;
	if (o.nfiles > 1) {
		error("encrypt takes one file");
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
	if ((ec = sops_load(ctx, &o, path, &f)) != 0) {
		ec = sops_compat ? ec : EXIT_TROUBLE;
		goto out;
	}
	if (seal_sops_is_encrypted(f)) {
		error("%s: already sealed (it has sops metadata); use 'seal "
		      "edit', 'seal rotate' or 'seal updatekeys'",
		    path);
		ec = sops_compat ? 203 : EXIT_NEGATIVE;
		goto out;
	}
	if ((ec = sops_params(ctx, &o, path, sops_is_kube_secret(f), true, &p,
	         &indent)) != 0)
		goto out;
	if ((rc = seal_sops_encrypt(ctx, f, p)) != SEAL_OK) {
		ec = sops_fail(ctx, rc, false);
		goto out;
	}
	if (o.indent < 0 && indent >= 0)
		o.indent = indent;
	ec = sops_emit(ctx, &o, path, f, o.in_place, NULL);
out:
	seal_sops_params_free(p);
	seal_sops_free(f);
	seal_ctx_free(ctx);
	sops_opts_free(&o);
	return ec;
}
