/* SPDX-License-Identifier: ISC */
/*
 * cmd-rotate.c - seal rotate: re-seal a file under a new data key (after
 * a leak), optionally adding or removing age recipients. Every value's
 * ciphertext changes. Writes to stdout unless -i.
 */
#include "config.h"

#include <string.h>

#include "tools/common/cmd.h"
#include "tools/seal/sops-common.h"
#include "tools/common/util.h"

static const char *const usage[] = {
	"[-i | --output FILE] [--add-age R]... [--rm-age R]... file",
	NULL,
};

static const char desc[] =
    "Decrypt the file and seal it again under a new random data key, for\n"
    "the same age recipients plus --add-age, minus --rm-age.\n";

static const char footer[] =
    "Exit status: 0 ok, 1 bad MAC or no matching key, 2 trouble.\n";

int
cmd_rotate(int argc, char **argv)
{
	struct sops_opts o;
	const struct opt opts[] = {
		SOPS_OPT_IN_PLACE(&o, "replace the file (atomically)"),
		SOPS_OPT_OUTPUT(&o),
		SOPS_OPT_ADD_AGE(&o),
		SOPS_OPT_RM_AGE(&o),
		SOPS_OPT_TYPES(&o),
		SOPS_OPT_INDENT(&o),
		SOPS_OPT_CONFIG(&o),
		SOPS_OPT_QUIET(),
		OPT_END(),
	};
	const struct opt_cmd cmd = { .name = "seal rotate", .usage = usage,
		.desc = desc, .opts = opts, .footer = footer,
		.flags = OPT_CMD_STOP_AT_OPERAND };
	seal_ctx *ctx = NULL;
	seal_sops_file *f = NULL;
	seal_identity *id = NULL;
	seal_sops_params *p = NULL;
	size_t i, j;
	int ec;
	seal_rc rc;

	harden_process();
	ec = sops_begin(&cmd, argc, argv, &o, 1, 1, "one file", &ctx);
	if (ec >= 0)
		goto out;
	if ((ec = sops_open(ctx, &o, o.files[0], 0, &f, &id)) != 0)
		goto out;
	if (o.nadd > 0 || o.nrm > 0) {
		if ((rc = seal_sops_params_new(ctx, &p)) != SEAL_OK)
			goto fail;
		for (i = 0; i < seal_sops_recipient_count(f); i++) {
			const char *r = seal_sops_recipient(f, i);
			for (j = 0; j < o.nrm; j++)
				if (strcmp(o.rm_age[j], r) == 0)
					break;
			if (j == o.nrm &&
			    (rc = seal_sops_params_add_age(ctx, p, r)) !=
			        SEAL_OK)
				goto fail;
		}
		for (i = 0; i < o.nadd; i++)
			if ((rc = seal_sops_params_add_age(
			         ctx, p, o.add_age[i])) != SEAL_OK)
				goto fail;
		if (seal_sops_params_age_count(p) == 0) {
			error("%s: --rm-age would leave no recipient",
			    o.files[0]);
			ec = EXIT_TROUBLE;
			goto out;
		}
	}
	if ((rc = seal_sops_rotate(ctx, f, p)) != SEAL_OK)
		goto fail;
	ec = sops_emit(ctx, &o, o.files[0], f, o.in_place, NULL);
	goto out;
fail:
	ec = sops_fail(ctx, rc, false);
out:
	seal_sops_params_free(p);
	seal_identity_free(id);
	seal_sops_free(f);
	seal_ctx_free(ctx);
	sops_opts_free(&o);
	return ec;
}
