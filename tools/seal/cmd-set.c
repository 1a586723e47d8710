/* SPDX-License-Identifier: ISC */
/*
 * cmd-set.c - seal set: change one value of a sealed file in place
 * (first document), re-sealing with the same data key so every other
 * value keeps its ciphertext.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "tools/common/cmd.h"
#include "tools/seal/sops-common.h"
#include "tools/common/util.h"

static const char *const usage[] = {
	"[--value-file F | --value-stdin] [--idempotent] file PATH [VALUE]",
	NULL,
};

static const char desc[] =
    "Set the value at PATH ('[\"data\"][\"password\"]') to VALUE, a JSON\n"
    "value (a string needs quotes: '\"s3cret\"'), and re-seal the file in\n"
    "place. Unchanged values keep their exact ciphertext.\n";

static const char footer[] =
    "Exit status: 0 ok, 1 bad MAC or no matching key, 2 trouble.\n";

int
cmd_set(int argc, char **argv)
{
	struct sops_opts o;
	const struct opt opts[] = {
		OPT_STRING(0, "value-file", &o.value_file, "F",
		    "read the JSON value from F"),
		OPT_BOOL(0, "value-stdin", &o.value_stdin,
		    "read the JSON value from stdin"),
		OPT_BOOL(0, "idempotent", &o.idempotent,
		    "exit 0 without writing if the value is unchanged"),
		SOPS_OPT_REWRITE(&o),
		OPT_END(),
	};
	const struct opt_cmd cmd = SOPS_CMD("seal set", usage, desc, opts,
	    footer);
	seal_ctx *ctx = NULL;
	seal_sops_file *f = NULL;
	seal_identity *id = NULL;
	unsigned char *val = NULL;
	size_t vlen = 0;
	int ec, want;
	seal_rc rc;

	harden_process();
	ec = sops_begin(&cmd, argc, argv, &o, 2, 3,
	    "a file, a path and a value (or --value-file/--value-stdin)", &ctx);
	if (ec >= 0)
		goto out;
	want = o.value_file || o.value_stdin ? 2 : 3;
	if (o.nfiles != want) {
		ec = opt_misuse(&cmd, "%s",
		    want == 3 ? "expected a file, a path and a value" :
				"expected a file and a path (the value comes "
				"from --value-file/--value-stdin)");
		goto out;
	}
	if (want == 2) {
		if (read_file_secure(o.value_stdin ? "-" : o.value_file,
		        64u << 20, &val, &vlen) != 0) {
			ec = EXIT_TROUBLE;
			goto out;
		}
	}
	if ((ec = sops_open(ctx, &o, o.files[0], 0, &f, &id)) != 0)
		goto out;
	rc = want == 2
	    ? seal_sops_set(ctx, f, o.files[1], (char *)val, vlen)
	    : seal_sops_set(ctx, f, o.files[1], o.files[2], strlen(o.files[2]));
	ec = sops_reseal(ctx, &o, f, rc);
out:
	if (val != NULL) {
		sodium_memzero(val, vlen);
		free_secure(val);
	}
	sops_end(ctx, f, id, &o);
	return ec;
}
