/* SPDX-License-Identifier: ISC */
/*
 * sops-open.c - the opening steps most sealed-file commands share:
 * parse the command line and check the operand count ("expected ..."), then load a
 * sealed file and decrypt it with the identities of the environment.
 * Output and creation rules live in sops-common.c.
 */
#include "config.h"

#include <stdio.h>

#include "tools/common/cmd.h"
#include "tools/seal/sops-common.h"
#include "tools/common/util.h"

int
sops_begin(int argc, char **argv, struct sops_opts *o, unsigned allow,
    const char *usage, int min, int max, const char *operands,
    seal_ctx **ctx)
{
	int ec;

	*ctx = NULL;
	if ((ec = sops_parse(argc, argv, o, allow, usage)) >= 0)
		return ec;
	if (o->nfiles < min || (max >= 0 && o->nfiles > max)) {
		error("expected %s", operands);
		fputs(usage, stderr);
		return EXIT_TROUBLE;
	}
	if (seal_ctx_new(ctx) != SEAL_OK) {
		error("out of memory");
		return EXIT_TROUBLE;
	}
	return -1;
}

int
sops_open(seal_ctx *ctx, const struct sops_opts *o, const char *path,
    unsigned flags, seal_sops_file **f, seal_identity **id)
{
	seal_rc rc;
	int ec;

	if ((ec = sops_load(ctx, o, path, f)) != 0)
		return ec;
	if (!seal_sops_is_encrypted(*f)) {
		error("%s: not sealed; seal it first with 'seal encrypt -i %s'",
		    path, path);
		return sops_compat ? 1 : EXIT_NEGATIVE;
	}
	if (id == NULL)
		return 0;
	if ((ec = sops_identities(ctx, id)) != 0)
		return ec;
	if ((rc = seal_sops_decrypt(ctx, *f, *id, flags)) != SEAL_OK)
		return sops_fail(ctx, rc, true);
	return 0;
}
