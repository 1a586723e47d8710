/* SPDX-License-Identifier: ISC */
/*
 * cmd-rotate.c - seal rotate: re-seal a file under a new data key (after
 * a leak), optionally adding or removing age recipients. Every value's
 * ciphertext changes. Writes to stdout unless -i; with -i, files and
 * directories in one process on every core (bulk.c).
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include "tools/common/cmd.h"
#include "tools/seal/bulk.h"
#include "tools/seal/sops-common.h"
#include "tools/common/util.h"

static const char *const usage[] = {
	"[-i | --output FILE] [--add-age R]... [--rm-age R]... file",
	"-i [--add-age R]... [--rm-age R]... (file|dir)...",
	NULL,
};

static const char desc[] =
    "Decrypt the file and seal it again under a new random data key, for\n"
    "the same age recipients plus --add-age, minus --rm-age. With -i,\n"
    "several files and directories (sealed .yaml, .yml, .json and .env\n"
    "files in them) are rotated in one process on every core, each\n"
    "replaced atomically, with one report line per file.\n";

static const char footer[] =
    "Exit status: 0 ok, 1 bad MAC or no matching key, 2 trouble.\n";

/* The recipients after --add-age and --rm-age, or NULL for the same. */
static seal_rc
rotate_params(seal_ctx *ctx, const struct sops_opts *o,
    const seal_sops_file *f, seal_sops_params **out)
{
	seal_sops_params *p = NULL;
	size_t i, j;
	seal_rc rc;

	*out = NULL;
	if (o->nadd == 0 && o->nrm == 0)
		return SEAL_OK;
	if ((rc = seal_sops_params_new(ctx, &p)) != SEAL_OK)
		return rc;
	for (i = 0; i < seal_sops_recipient_count(f); i++) {
		const char *r = seal_sops_recipient(f, i);

		for (j = 0; j < o->nrm; j++)
			if (strcmp(o->rm_age[j], r) == 0)
				break;
		if (j == o->nrm &&
		    (rc = seal_sops_params_add_age(ctx, p, r)) != SEAL_OK)
			goto fail;
	}
	for (i = 0; i < o->nadd; i++)
		if ((rc = seal_sops_params_add_age(ctx, p, o->add_age[i])) !=
		    SEAL_OK)
			goto fail;
	if (seal_sops_params_age_count(p) == 0) {
		rc = seal_ctx_error(ctx, SEAL_EINVAL,
		    "--rm-age would leave no recipient");
		goto fail;
	}
	*out = p;
	return SEAL_OK;
fail:
	seal_sops_params_free(p);
	return rc;
}

/* The bulk job: decrypt, new data key, write in place. */
static int
job_rotate(struct bulk *b, struct bulk_thread *th, struct bulk_file *f,
    void *arg)
{
	seal_sops_file *sf = NULL;
	seal_sops_params *p = NULL;
	int ec;
	seal_rc rc;

	(void)arg;
	if ((ec = bulk_load_sealed(b, th, f, &sf)) != 0 || f->state == -1)
		goto out;
	if ((rc = seal_sops_decrypt(th->ctx, sf, th->id, 0)) != SEAL_OK ||
	    (rc = rotate_params(th->ctx, b->o, sf, &p)) != SEAL_OK ||
	    (rc = seal_sops_rotate(th->ctx, sf, p)) != SEAL_OK) {
		bulk_say(f, "%s: %s", f->path, seal_ctx_errmsg(th->ctx));
		ec = sops_exit(rc, true);
		goto out;
	}
	if ((ec = bulk_write(th, f, sf)) != 0)
		goto out;
	f->state = 1;
	bulk_say(f, "%s: rotated: new data key, %zu recipient(s)", f->path,
	    seal_sops_recipient_count(sf));
out:
	seal_sops_params_free(p);
	seal_sops_free(sf);
	return ec;
}

static bool
is_dir(const char *p)
{
	struct stat st;

	return strcmp(p, "-") != 0 && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
rotate_bulk(seal_ctx *ctx, struct sops_opts *o)
{
	struct bulk b;
	size_t k, n = 0;
	int ec;

	memset(&b, 0, sizeof(b));
	b.o = o;
	b.need_ids = true;
	if ((ec = bulk_collect(&b, o->files, (size_t)o->nfiles)) == 0 &&
	    (ec = bulk_config(ctx, &b)) == 0)
		ec = bulk_run(&b, "seal rotate: files", job_rotate, NULL);
	bulk_report(&b, false);
	for (k = 0; k < b.n; k++)
		n += b.f[k].state == 1;
	sops_note("%zu file(s) rotated, %zu looked at", n, b.n);
	bulk_free(&b);
	return ec;
}

int
cmd_rotate(int argc, char **argv)
{
	struct sops_opts o;
	const struct opt opts[] = {
		SOPS_OPT_IN_PLACE(&o, "replace the file (atomically)"),
		SOPS_OPT_OUTPUT(&o),
		SOPS_OPT_ADD_AGE(&o),
		SOPS_OPT_RM_AGE(&o),
		SOPS_OPT_REWRITE(&o),
		OPT_END(),
	};
	const struct opt_cmd cmd = SOPS_CMD("seal rotate", usage, desc, opts,
	    footer);
	seal_ctx *ctx = NULL;
	seal_sops_file *f = NULL;
	seal_identity *id = NULL;
	seal_sops_params *p = NULL;
	int ec;
	seal_rc rc;

	harden_process();
	ec = sops_begin(&cmd, argc, argv, &o, 1, -1,
	    "a file (or, with -i, files and directories)", &ctx);
	if (ec >= 0)
		goto out;
	if (o.nfiles > 1 || is_dir(o.files[0])) {
		if (!o.in_place) {
			ec = opt_misuse(&cmd, "several files or a directory "
			    "are rotated in place: add -i");
			goto out;
		}
		ec = rotate_bulk(ctx, &o);
		goto out;
	}
	if ((ec = sops_open(ctx, &o, o.files[0], 0, &f, &id)) != 0)
		goto out;
	if ((rc = rotate_params(ctx, &o, f, &p)) != SEAL_OK) {
		error("%s: %s", o.files[0], seal_ctx_errmsg(ctx));
		ec = EXIT_TROUBLE;
		goto out;
	}
	if ((rc = seal_sops_rotate(ctx, f, p)) != SEAL_OK)
		goto fail;
	ec = sops_emit(ctx, &o, o.files[0], f, o.in_place, NULL);
	goto out;
fail:
	ec = sops_fail(ctx, rc, false);
out:
	seal_sops_params_free(p);
	sops_end(ctx, f, id, &o);
	return ec;
}
