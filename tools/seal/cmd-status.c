/* SPDX-License-Identifier: ISC */
/*
 * cmd-status.c - seal status: is each file sealed, fully, and for which
 * recipients. Structural only: it needs no key and decrypts nothing
 * (the same lint the pre-commit scanner runs).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sops/sops.h"
#include "tools/common/cmd.h"
#include "tools/seal/sops-common.h"
#include "tools/common/util.h"

static const char *const usage[] = {
	"[--json] [--input-type T] file...",
	NULL,
};

static const char desc[] =
    "Tell whether each file is sealed (has sops metadata), whether it is\n"
    "sealed whole (MAC and lastmodified present, every ENC value well\n"
    "formed, every value its own selection rule selects encrypted), and\n"
    "for which age recipients. No key is needed.\n";

static const char footer[] =
    "Exit status: 0 every file fully sealed, 1 some file is not (or only\n"
    "partly), 2 trouble.\n";

static void
json_str(const char *s)
{
	putchar('"');
	for (; s != NULL && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
report(const char *path, const struct seal__lint *l, bool json)
{
	size_t i, nenc = 0;

	for (i = 0; i < l->ndocs; i++)
		nenc += l->docs[i].nenc;
	if (json) {
		printf("{\"file\": ");
		json_str(path);
		printf(", \"sealed\": %s, \"whole\": %s, \"encrypted_values\": "
		       "%zu, \"recipients\": [",
		    l->sealed ? "true" : "false", l->whole ? "true" : "false",
		    nenc);
		for (i = 0; i < l->nrecipients; i++) {
			if (i)
				printf(", ");
			json_str(l->recipients[i]);
		}
		printf("], \"problems\": [");
		for (i = 0; i < l->nproblems; i++) {
			const struct seal__lint_problem *p = &l->problems[i];
			printf("%s{\"line\": %u, \"document\": %zu, \"code\": ",
			    i ? ", " : "", (unsigned)p->line, p->doc + 1);
			json_str(seal__lint_code_name(p->code));
			printf(", \"path\": ");
			json_str(p->path ? p->path : "");
			printf(", \"message\": ");
			json_str(p->text);
			putchar('}');
		}
		printf("]}\n");
		return;
	}
	if (!l->sealed) {
		printf("%s: not sealed\n", path);
		return;
	}
	printf("%s: %s, %zu encrypted value%s, for %zu age recipient%s%s", path,
	    l->whole ? "sealed" : "PARTLY sealed", nenc, nenc == 1 ? "" : "s",
	    l->nrecipients, l->nrecipients == 1 ? "" : "s",
	    l->nrecipients ? ":" : "");
	for (i = 0; i < l->nrecipients; i++)
		printf(" %s", l->recipients[i]);
	if (l->nother_keys)
		printf(" (+%zu non-age keys)", l->nother_keys);
	putchar('\n');
	for (i = 0; i < l->nproblems; i++) {
		const struct seal__lint_problem *p = &l->problems[i];
		printf("%s:%u: %s: %s\n", path, (unsigned)p->line,
		    seal__lint_code_name(p->code), p->text);
	}
	if (!l->whole)
		printf("%s: fix with 'seal edit %s' (or decrypt and 'seal "
		       "encrypt -i')\n",
		    path, path);
}

static int
one(seal_ctx *ctx, const struct sops_opts *o, const char *path)
{
	char *buf = NULL;
	size_t len;
	struct seal__tree *t = NULL;
	struct seal__lint *l = NULL;
	enum seal__format fmt;
	seal__parse_fn parse;
	seal_rc rc;
	int ec;

	if (read_file(path, 64u << 20, &buf, &len) != 0)
		return EXIT_TROUBLE;
	fmt = (enum seal__format)sops_input_format(o, path);
	if (fmt == SEAL_FMT_BINARY && len > 0 && buf[0] == '{' &&
	    strstr(buf, "\"sops\"") != NULL)
		fmt = SEAL_FMT_JSON;
	parse = seal__store_parser(fmt);
	if (parse == NULL) {
		error("%s: unsupported format", path);
		free(buf);
		return EXIT_TROUBLE;
	}
	rc = parse(ctx, buf, len, NULL, &t);
	if (rc == SEAL_OK)
		rc = seal__sops_lint(ctx, t, fmt, path, &l);
	if (rc != SEAL_OK) {
		error("%s: %s", path, seal_ctx_errmsg(ctx));
		ec = sops_exit(rc, true);
	} else {
		report(path, l, o->json);
		ec = l->whole ? EXIT_OK : EXIT_NEGATIVE;
	}
	seal__lint_free(l);
	seal__tree_free(t);
	free(buf);
	return ec;
}

int
cmd_status(int argc, char **argv)
{
	struct sops_opts o;
	const struct opt opts[] = {
		OPT_BOOL(0, "json", &o.json, "one JSON object per file, one per line"),
		SOPS_OPT_TYPES(&o),
		SOPS_OPT_INDENT(&o),
		SOPS_OPT_CONFIG(&o),
		SOPS_OPT_QUIET(),
		OPT_END(),
	};
	const struct opt_cmd cmd = { .name = "seal status", .usage = usage,
		.desc = desc, .opts = opts, .footer = footer,
		.flags = OPT_CMD_STOP_AT_OPERAND };
	seal_ctx *ctx = NULL;
	int ec, i, r;

	ec = sops_begin(&cmd, argc, argv, &o, 1, -1, "at least one file",
	    &ctx);
	if (ec >= 0)
		goto out;
	ec = 0;
	for (i = 0; i < o.nfiles; i++)
		if ((r = one(ctx, &o, o.files[i])) > ec)
			ec = r;
out:
	seal_ctx_free(ctx);
	sops_opts_free(&o);
	return ec;
}
