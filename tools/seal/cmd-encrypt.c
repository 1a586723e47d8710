/* SPDX-License-Identifier: ISC */
/*
 * cmd-encrypt.c - seal encrypt: seal a clear file for the age recipients
 * of the command line or of the matching .sops.yaml creation rule, under
 * a new data key. Refuses a file that is already sealed.
 */
#include "config.h"

#include "tools/common/cmd.h"
#include "tools/seal/sops-common.h"
#include "tools/common/util.h"

static const char *const usage[] = {
	"[-i | --output FILE] [-r RECIPIENT]... [--config F]\n"
	"                    [--encrypted-regex R | ...] [file]",
	NULL,
};

static const char desc[] =
    "Seal a file's values (SOPS v3 with age). Recipients come from -r/--age\n"
    "or SOPS_AGE_RECIPIENTS, else from the first .sops.yaml creation rule\n"
    "matching the file. Without a selection rule every value is sealed\n"
    "(sops's unencrypted_suffix _unencrypted), except Kubernetes Secrets,\n"
    "where only data and stringData are (encrypted_regex\n"
    "^(data|stringData)$).\n";

static const char footer[] =
    "Exit status: 0 ok, 1 refused (already sealed, no recipients), 2 "
    "trouble.\n";

int
cmd_encrypt(int argc, char **argv)
{
	struct sops_opts o;
	const struct opt opts[] = {
		OPT_GROUP("Output:"),
		SOPS_OPT_IN_PLACE(&o, "replace the file (atomically)"),
		SOPS_OPT_OUTPUT(&o),
		SOPS_OPT_TYPES(&o),
		SOPS_OPT_INDENT(&o),
		SOPS_OPT_FNAME(&o),
		SOPS_OPT_QUIET(),
		OPT_GROUP("Recipients:"),
		SOPS_OPT_AGE(&o),
		SOPS_OPT_CONFIG(&o),
		SOPS_OPT_RULES(&o),
		OPT_END(),
	};
	const struct opt_cmd cmd = SOPS_CMD("seal encrypt", usage, desc, opts,
	    footer);
	seal_ctx *ctx = NULL;
	seal_sops_file *f = NULL;
	seal_sops_params *p = NULL;
	const char *path;
	int ec, indent = -1;
	seal_rc rc;

	if ((ec = sops_begin_file(&cmd, argc, argv, &o, &ctx, &path)) >= 0)
		goto out;
	if ((ec = sops_open(ctx, &o, path, SOPS_OPEN_CLEAR, &f, NULL)) != 0)
		goto out;
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
	sops_end(ctx, f, NULL, &o);
	return ec;
}
