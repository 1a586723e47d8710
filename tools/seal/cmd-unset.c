/* SPDX-License-Identifier: ISC */
/*
 * cmd-unset.c - seal unset: remove one value of a sealed file in place
 * (first document), re-sealing with the same data key.
 */
#include "config.h"

#include "tools/common/cmd.h"
#include "tools/seal/sops-common.h"
#include "tools/common/util.h"

static const char *const usage[] = {
	"[--idempotent] [--input-type T] [--indent N] file PATH",
	NULL,
};

static const char desc[] =
    "Remove the value at PATH ('[\"data\"][\"password\"]') and re-seal the\n"
    "file in place.\n";

static const char footer[] =
    "Exit status: 0 ok, 1 bad MAC or no matching key, 2 trouble.\n";

int
cmd_unset(int argc, char **argv)
{
	struct sops_opts o;
	const struct opt opts[] = {
		OPT_BOOL(0, "idempotent", &o.idempotent,
		    "a missing PATH is not an error"),
		{ .type = OPT_T_STRING, .long_name = "value-file",
		    .value = &o.value_file, .flags = OPT_HIDDEN },
		{ .type = OPT_T_BOOL, .long_name = "value-stdin",
		    .value = &o.value_stdin, .flags = OPT_HIDDEN },
		SOPS_OPT_REWRITE(&o),
		OPT_END(),
	};
	const struct opt_cmd cmd = SOPS_CMD("seal unset", usage, desc, opts,
	    footer);
	seal_ctx *ctx = NULL;
	seal_sops_file *f = NULL;
	seal_identity *id = NULL;
	int ec;
	seal_rc rc;

	harden_process();
	ec = sops_begin(&cmd, argc, argv, &o, 2, 2, "a file and a path", &ctx);
	if (ec >= 0)
		goto out;
	if ((ec = sops_open(ctx, &o, o.files[0], 0, &f, &id)) != 0)
		goto out;
	rc = seal_sops_unset(ctx, f, o.files[1]);
	if (rc == SEAL_EINVAL && o.idempotent) {
		ec = 0;
		goto out;
	}
	ec = sops_reseal(ctx, &o, f, rc);
out:
	sops_end(ctx, f, id, &o);
	return ec;
}
