/* SPDX-License-Identifier: ISC */
/*
 * cmd-unset.c - seal unset: remove one value of a sealed file in place
 * (first document), re-sealing with the same data key.
 */
#include "config.h"

#include <string.h>

#include "tools/common/cmd.h"
#include "tools/seal/sops-common.h"
#include "tools/common/util.h"

static const char usage[] =
    "usage: seal unset [--idempotent] [--input-type T] [--indent N] "
    "file PATH\n"
    "\n"
    "Remove the value at PATH ('[\"data\"][\"password\"]') and re-seal the\n"
    "file in place. --idempotent: a missing PATH is not an error.\n"
    "\n"
    "Exit status: 0 ok, 1 bad MAC or no matching key, 2 trouble.\n";

int
cmd_unset(int argc, char **argv)
{
	struct sops_opts o;
	seal_ctx *ctx = NULL;
	seal_sops_file *f = NULL;
	seal_identity *id = NULL;
	int ec;
	seal_rc rc;

	harden_process();
	ec = sops_begin(argc, argv, &o, SO_TYPES | SO_SETVAL, usage, 2, 2,
	    "a file and a path", &ctx);
	if (ec >= 0)
		goto out;
	if ((ec = sops_open(ctx, &o, o.files[0], 0, &f, &id)) != 0)
		goto out;
	rc = seal_sops_unset(ctx, f, o.files[1]);
	if (rc == SEAL_EINVAL && o.idempotent) {
		ec = 0;
		goto out;
	}
	if (rc == SEAL_OK)
		rc = seal_sops_reencrypt(ctx, f);
	if (rc != SEAL_OK) {
		ec = sops_fail(ctx, rc, false);
		goto out;
	}
	ec = sops_emit(ctx, &o, o.files[0], f, true, NULL);
out:
	seal_identity_free(id);
	seal_sops_free(f);
	seal_ctx_free(ctx);
	sops_opts_free(&o);
	return ec;
}
