/* SPDX-License-Identifier: ISC */
/*
 * cmd-updatekeys.c - seal updatekeys: re-wrap each file's existing data
 * key for the age recipients its .sops.yaml creation rule names now.
 * Values, MAC and lastmodified are untouched, so the diff is the sops
 * block's age entries only. One process for all files and directories,
 * on every core (bulk.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tools/common/cmd.h"
#include "tools/seal/bulk.h"
#include "tools/seal/sops-common.h"
#include "tools/common/util.h"

static const char *const usage[] = {
	"[-y] [--config F] [-r RECIPIENT]... [--input-type T] (file|dir)...",
	NULL,
};

static const char desc[] =
    "Re-wrap each file's data key for the recipients of its .sops.yaml\n"
    "creation rule (or -r/--age). Values are not re-encrypted: only the\n"
    "sops: block changes. Directories are walked (sealed .yaml, .yml,\n"
    ".json and .env files their rules match); all cores are used\n"
    "(SEAL_THREADS to change); each file is replaced atomically.\n";

static const char footer[] =
    "Exit status: 0 ok, 1 no matching key or a damaged file, 2 trouble.\n";

static int
one(seal_ctx *ctx, const struct sops_opts *o, const char *path,
    const seal_identity *id)
{
	seal_sops_file *f = NULL;
	seal_sops_params *p = NULL;
	int ec, changed = 0;
	seal_rc rc;

	if ((ec = sops_open(ctx, o, path, 0, &f, NULL)) != 0)
		goto out;
	if ((ec = sops_params(ctx, o, path, false, true, &p, NULL)) != 0)
		goto out;
	if ((rc = seal_sops_unwrap(ctx, f, id)) != SEAL_OK ||
	    (rc = seal_sops_set_recipients(ctx, f, p, &changed)) != SEAL_OK) {
		ec = sops_fail(ctx, rc, true);
		goto out;
	}
	if (!changed) {
		sops_note("%s: already up to date", path);
		goto out;
	}
	ec = sops_emit(ctx, o, path, f, true, NULL);
	if (ec == 0)
		sops_note("%s: data key re-wrapped for %zu recipient(s)", path,
		    seal_sops_params_age_count(p));
out:
	seal_sops_params_free(p);
	seal_sops_free(f);
	return ec;
}

int
cmd_updatekeys(int argc, char **argv)
{
	struct sops_opts o;
	const struct opt opts[] = {
		OPT_BOOL('y', "yes", &o.yes,
		    "accepted for sops compatibility (seal never\nprompts)"),
		SOPS_OPT_AGE(&o),
		SOPS_OPT_REWRITE(&o),
		OPT_END(),
	};
	const struct opt_cmd cmd = SOPS_CMD("seal updatekeys", usage, desc,
	    opts, footer);
	seal_ctx *ctx = NULL;
	seal_identity *id = NULL;
	const char *env = getenv("SOPS_AGE_RECIPIENTS");
	struct bulk b;
	size_t nchanged = 0, k;
	int ec, i, r;

	harden_process();
	memset(&b, 0, sizeof(b));
	ec = sops_begin(&cmd, argc, argv, &o, 1, -1,
	    "at least one file or directory", &ctx);
	if (ec >= 0)
		goto out;
	if (o.nage > 0 || (env != NULL && *env) ||
	    (o.nfiles == 1 && strcmp(o.files[0], "-") == 0)) {
		/* recipients from the command line: file by file */
		if ((ec = sops_identities(ctx, &id)) != 0)
			goto out;
		for (i = 0; i < o.nfiles; i++)
			if ((r = one(ctx, &o, o.files[i], id)) != 0 &&
			    (ec == 0 || r > ec))
				ec = r;
		goto out;
	}
	b.o = &o;
	b.need_ids = true;
	if ((ec = bulk_collect(&b, o.files, (size_t)o.nfiles)) != 0 ||
	    (ec = bulk_config(ctx, &b)) != 0)
		goto out;
	ec = bulk_run(&b, "seal updatekeys: files", bulk_updatekeys, NULL);
	bulk_report(&b, false);
	for (k = 0; k < b.n; k++)
		nchanged += b.f[k].state == 1;
	if (b.n > 1)
		sops_note("%zu file(s) re-wrapped, %zu looked at", nchanged,
		    b.n);
out:
	bulk_free(&b);
	seal_identity_free(id);
	seal_ctx_free(ctx);
	sops_opts_free(&o);
	return ec;
}
