/* SPDX-License-Identifier: ISC */
/*
 * sops-open.c - the opening steps every file command shares: parse the
 * command line and check the operand count ("expected ..."), then load
 * the file and either refuse it unless clear (encrypt) or refuse it unless
 * sealed and decrypt it with the identities of the environment; and the
 * closing steps of the commands that change a value in place.
 * Output and creation rules live in sops-common.c.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tools/common/cmd.h"
#include "tools/seal/sops-common.h"
#include "tools/common/util.h"

int
sops_begin(const struct opt_cmd *cmd, int argc, char **argv,
    struct sops_opts *o, int min, int max, const char *operands,
    seal_ctx **ctx)
{
	int ec;

	*ctx = NULL;
	if ((ec = sops_parse(cmd, argc, argv, o)) >= 0)
		return ec;
	if (o->nfiles < min || (max >= 0 && o->nfiles > max))
		return opt_misuse(cmd, "expected %s", operands);
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

	if (flags & SOPS_OPEN_CLEAR) {
		/* a clear file that does not parse is trouble, not a
		 * negative answer about a sealed file */
		if ((ec = sops_load(ctx, o, path, f)) != 0)
			return sops_compat ? ec : EXIT_TROUBLE;
		if (seal_sops_is_encrypted(*f)) {
			error("%s: already sealed (it has sops metadata); use "
			      "'seal edit', 'seal rotate' or 'seal updatekeys'",
			    path);
			return sops_compat ? 203 : EXIT_NEGATIVE;
		}
		return 0;
	}
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

int
sops_begin_file(const struct opt_cmd *cmd, int argc, char **argv,
    struct sops_opts *o, seal_ctx **ctx, const char **path)
{
	int ec;

	harden_process();
	*path = "-";
	ec = sops_begin(cmd, argc, argv, o, 0, 1, "one file (or stdin)", ctx);
	if (ec >= 0)
		return ec;
	if (o->nfiles == 1)
		*path = o->files[0];
	if (o->in_place && strcmp(*path, "-") == 0)
		return opt_misuse(cmd, "--in-place needs a file");
	return -1;
}

int
sops_reseal(seal_ctx *ctx, const struct sops_opts *o, seal_sops_file *f,
    seal_rc rc)
{
	if (rc == SEAL_OK)
		rc = seal_sops_reencrypt(ctx, f);
	if (rc != SEAL_OK)
		return sops_fail(ctx, rc, false);
	return sops_emit(ctx, o, o->files[0], f, true, NULL);
}

void
sops_end(seal_ctx *ctx, seal_sops_file *f, seal_identity *id,
    struct sops_opts *o)
{
	seal_identity_free(id);
	seal_sops_free(f);
	seal_ctx_free(ctx);
	sops_opts_free(o);
}
