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
#include <sys/stat.h>

#include <sodium.h>

#include "tools/common/cmd.h"
#include "tools/seal/bulk.h"
#include "tools/seal/sops-common.h"
#include "tools/common/util.h"

static const char *const usage[] = {
	"[--json] [--input-type T] file...",
	"[--json] dir...",
	NULL,
};

static const char desc[] =
    "Tell whether each file is sealed (has sops metadata), whether it is\n"
    "sealed whole (MAC and lastmodified present, every ENC value well\n"
    "formed, every value its own selection rule selects encrypted), and\n"
    "for which age recipients. No key is needed. A Kubernetes Secret in\n"
    "the clear is named as such; a sealed Secret without\n"
    "metadata.namespace or with mac_only_encrypted gets a warning. This\n"
    "is the judgement the pre-commit hook makes. A directory is\n"
    "summarised instead (every .yaml, .yml, .json and .env file in it):\n"
    "sealed, partly sealed, clear Kubernetes Secrets, and sealed files\n"
    "whose recipients differ from their .sops.yaml creation rule.\n";

static const char footer[] =
    "--json verdicts: sealed, partly-sealed, no-metadata, clear-secret,\n"
    "references-only (a Secret whose values are all references to secrets\n"
    "kept elsewhere, such as op://, vault: or ${VAR}: nothing to seal),\n"
    "not-sealed, unparsable.\n"
    "\n"
    "Exit status: 0 every file fully sealed (for a directory: nothing\n"
    "partly sealed, no clear Secret, no recipient mismatch), 1 otherwise\n"
    "(or a file does not parse), 2 trouble.\n";

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

/* The file's verdict in one word: the field the hook is compared on. */
static const char *
verdict(const seal_sops_report *r)
{
	unsigned f = seal_sops_report_flags(r);
	size_t d;

	if (!(f & SEAL_SOPS_FILE_PARSED))
		return "unparsable";
	if (f & SEAL_SOPS_FILE_WHOLE)
		return "sealed";
	if (f & SEAL_SOPS_FILE_SEALED)
		return "partly-sealed";
	for (d = 0; d < seal_sops_report_problem_count(r); d++)
		if (seal_sops_report_problem_code(r, d) ==
		    SEAL_SOPS_LINT_NO_SOPS)
			return "no-metadata";
	for (d = 0; d < seal_sops_report_doc_count(r); d++)
		if (seal_sops_report_doc_flags(r, d) & SEAL_SOPS_DOC_CLEAR)
			return "clear-secret";
	for (d = 0; d < seal_sops_report_doc_count(r); d++)
		if (seal_sops_report_doc_flags(r, d) &
		    SEAL_SOPS_DOC_REFERENCES)
			return "references-only";
	return "not-sealed";
}

/* Policy warnings on a sealed Secret (what the pre-commit check flags). */
static bool
no_namespace(unsigned df)
{
	return (df & SEAL_SOPS_DOC_SEALED) && (df & SEAL_SOPS_DOC_SECRET) &&
	    !(df & SEAL_SOPS_DOC_NAMESPACE);
}

static bool
mac_only(unsigned df)
{
	return (df & SEAL_SOPS_DOC_SECRET) && (df & SEAL_SOPS_DOC_MAC_ONLY);
}

static void
report_json(const char *path, const seal_sops_report *r)
{
	unsigned f = seal_sops_report_flags(r);
	size_t i, d, nenc = 0, ndocs = seal_sops_report_doc_count(r);
	const char *sep = "";

	for (d = 0; d < ndocs; d++)
		nenc += seal_sops_report_doc_encrypted(r, d);
	printf("{\"file\": ");
	json_str(path);
	printf(", \"parses\": %s, \"verdict\": \"%s\"",
	    f & SEAL_SOPS_FILE_PARSED ? "true" : "false", verdict(r));
	if (!(f & SEAL_SOPS_FILE_PARSED)) {
		printf(", \"error\": ");
		json_str(seal_sops_report_error(r));
	}
	printf(", \"sealed\": %s, \"whole\": %s, \"encrypted_values\": "
	       "%zu, \"recipients\": [",
	    f & SEAL_SOPS_FILE_SEALED ? "true" : "false",
	    f & SEAL_SOPS_FILE_WHOLE ? "true" : "false", nenc);
	for (i = 0; ndocs && i < seal_sops_report_recipient_count(r, 0); i++) {
		if (i)
			printf(", ");
		json_str(seal_sops_report_recipient(r, 0, i));
	}
	printf("], \"warnings\": [");
	for (d = 0; d < ndocs; d++) {
		unsigned df = seal_sops_report_doc_flags(r, d);
		if (no_namespace(df)) {
			printf("%s{\"document\": %zu, \"code\": "
			       "\"secret-without-namespace\"}",
			    sep, d + 1);
			sep = ", ";
		}
		if (mac_only(df)) {
			printf("%s{\"document\": %zu, \"code\": "
			       "\"secret-mac-only-encrypted\"}",
			    sep, d + 1);
			sep = ", ";
		}
	}
	printf("], \"documents\": [");
	for (d = 0; d < ndocs; d++) {
		unsigned df = seal_sops_report_doc_flags(r, d);
		const char *arg, *rule = seal_sops_report_rule(r, d, &arg);
		printf("%s{\"sealed\": %s, \"kubernetes_secret\": %s, "
		       "\"namespace\": %s, \"mac_only_encrypted\": %s, "
		       "\"clear_secret\": %s, \"references_only\": %s, "
		       "\"rule\": ",
		    d ? ", " : "", df & SEAL_SOPS_DOC_SEALED ? "true" : "false",
		    df & SEAL_SOPS_DOC_SECRET ? "true" : "false",
		    df & SEAL_SOPS_DOC_NAMESPACE ? "true" : "false",
		    df & SEAL_SOPS_DOC_MAC_ONLY ? "true" : "false",
		    df & SEAL_SOPS_DOC_CLEAR ? "true" : "false",
		    df & SEAL_SOPS_DOC_REFERENCES ? "true" : "false");
		if (rule != NULL) {
			json_str(rule);
			printf(", \"rule_arg\": ");
			json_str(arg);
		} else
			printf("null");
		printf(", \"recipients\": [");
		for (i = 0; i < seal_sops_report_recipient_count(r, d); i++) {
			if (i)
				printf(", ");
			json_str(seal_sops_report_recipient(r, d, i));
		}
		printf("]}");
	}
	printf("], \"problems\": [");
	for (i = 0; i < seal_sops_report_problem_count(r); i++) {
		const char *p = seal_sops_report_problem_path(r, i);
		printf("%s{\"line\": %u, \"document\": %zu, \"code\": ",
		    i ? ", " : "", seal_sops_report_problem_line(r, i),
		    seal_sops_report_problem_doc(r, i) + 1);
		json_str(seal_sops_lint_code_name(
		    seal_sops_report_problem_code(r, i)));
		printf(", \"path\": ");
		json_str(p ? p : "");
		printf(", \"message\": ");
		json_str(seal_sops_report_problem_text(r, i));
		putchar('}');
	}
	printf("]}\n");
}

static void
report_text(const char *path, const seal_sops_report *r)
{
	unsigned f = seal_sops_report_flags(r);
	size_t i, d, nenc = 0, nrec, nclear = 0;
	size_t ndocs = seal_sops_report_doc_count(r);

	for (d = 0; d < ndocs; d++)
		nenc += seal_sops_report_doc_encrypted(r, d);
	if (!(f & SEAL_SOPS_FILE_SEALED)) {
		for (i = 0; i < seal_sops_report_problem_count(r); i++)
			if (seal_sops_report_problem_code(r, i) ==
			    SEAL_SOPS_LINT_CLEAR_SECRET)
				nclear++;
		for (i = 0; i < seal_sops_report_problem_count(r); i++)
			if (seal_sops_report_problem_code(r, i) ==
			    SEAL_SOPS_LINT_NO_SOPS) {
				printf("%s:%u: not sealed, yet holds ENC values "
				       "(%s): its sops metadata was stripped; "
				       "restore it from git history\n",
				    path, seal_sops_report_problem_line(r, i),
				    seal_sops_report_problem_path(r, i));
				return;
			}
		if (nclear == 0) {
			for (d = 0; d < ndocs; d++)
				if (seal_sops_report_doc_flags(r, d) &
				    SEAL_SOPS_DOC_REFERENCES)
					break;
			if (d < ndocs)
				printf("%s: not sealed: a Kubernetes Secret with "
				       "references only (secrets kept elsewhere, "
				       "placeholders or templates): nothing to "
				       "seal\n", path);
			else
				printf("%s: not sealed\n", path);
			return;
		}
		printf("%s: not sealed: a Kubernetes Secret with %zu value%s "
		       "in the clear; seal it with 'seal encrypt -i %s'\n",
		    path, nclear, nclear == 1 ? "" : "s", path);
		return;
	}
	nrec = ndocs ? seal_sops_report_recipient_count(r, 0) : 0;
	printf("%s: %s, %zu encrypted value%s, for %zu age recipient%s%s", path,
	    f & SEAL_SOPS_FILE_WHOLE ? "sealed" : "PARTLY sealed", nenc,
	    nenc == 1 ? "" : "s", nrec, nrec == 1 ? "" : "s", nrec ? ":" : "");
	for (i = 0; i < nrec; i++)
		printf(" %s", seal_sops_report_recipient(r, 0, i));
	if (ndocs && seal_sops_report_other_keys(r, 0))
		printf(" (+%zu non-age keys)", seal_sops_report_other_keys(r, 0));
	putchar('\n');
	for (i = 0; i < seal_sops_report_problem_count(r); i++)
		printf("%s:%u: %s: %s\n", path,
		    seal_sops_report_problem_line(r, i),
		    seal_sops_lint_code_name(
			seal_sops_report_problem_code(r, i)),
		    seal_sops_report_problem_text(r, i));
	for (d = 0; d < ndocs; d++) {
		unsigned df = seal_sops_report_doc_flags(r, d);
		if (no_namespace(df))
			printf("%s:%u: warning: a sealed Secret without "
			       "metadata.namespace lands in whatever namespace "
			       "it is applied to; add one: seal set %s "
			       "'[\"metadata\"][\"namespace\"]' '\"NAME\"'\n",
			    path, seal_sops_report_doc_line(r, d), path);
		if (mac_only(df))
			printf("%s:%u: warning: mac_only_encrypted leaves "
			       "metadata out of the MAC; re-seal without it "
			       "('seal decrypt -i %s && seal encrypt -i %s')\n",
			    path, seal_sops_report_doc_line(r, d), path, path);
	}
	if (!(f & SEAL_SOPS_FILE_WHOLE))
		printf("%s: fix with 'seal edit %s' (or decrypt and 'seal "
		       "encrypt -i')\n",
		    path, path);
}

static int
one(seal_ctx *ctx, const struct sops_opts *o, const char *path)
{
	char *buf = NULL;
	size_t len;
	seal_sops_report *r = NULL;
	seal_rc rc;
	int ec;

	if (read_file(path, 64u << 20, &buf, &len) != 0)
		return EXIT_TROUBLE;
	rc = seal_sops_lint(ctx, buf, len, sops_input_format(o, path), path,
	    &r);
	free(buf);
	if (rc != SEAL_OK) {
		error("%s", seal_ctx_errmsg(ctx));
		return sops_exit(rc, false);
	}
	if (!(seal_sops_report_flags(r) & SEAL_SOPS_FILE_PARSED)) {
		/* does not parse: a negative answer, never "not applicable" */
		error("%s: %s", path, seal_sops_report_error(r));
		if (o->json)
			report_json(path, r);
		seal_sops_report_free(r);
		return EXIT_NEGATIVE;
	}
	if (o->json)
		report_json(path, r);
	else
		report_text(path, r);
	ec = seal_sops_report_flags(r) & SEAL_SOPS_FILE_WHOLE ? EXIT_OK
							    : EXIT_NEGATIVE;
	seal_sops_report_free(r);
	return ec;
}

/* -- a repository summary (directories) ---------------------------------- */

enum { ST_SKIP = -1, ST_CLEAR = 0, ST_SEALED, ST_PARTLY, ST_SECRET,
	ST_DIFFER };

/* The rule's age recipients are the document's, no more, no less? */
static bool
same_recipients(const seal_sops_report *l, const seal_sops_rule *r)
{
	size_t i, j, na = seal_sops_report_recipient_count(l, 0);
	size_t nb = seal_sops_rule_age_count(r);

	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && strcmp(seal_sops_report_recipient(l, 0, i),
		                          seal_sops_rule_age(r, j)) != 0;
		     j++)
			;
		if (j == nb)
			return false;
	}
	for (j = 0; j < nb; j++) {
		for (i = 0; i < na && strcmp(seal_sops_report_recipient(l, 0, i),
		                          seal_sops_rule_age(r, j)) != 0;
		     i++)
			;
		if (i == na)
			return false;
	}
	return true;
}

static int
job_status(struct bulk *b, struct bulk_thread *th, struct bulk_file *f,
    void *arg)
{
	unsigned char *buf = NULL;
	size_t len = 0, d;
	seal_sops_report *l = NULL;
	const seal_sops_rule *r = NULL;
	unsigned fl;
	bool secret = false;
	int ec = 0;

	(void)arg;
	f->state = ST_SKIP;
	if (read_file_secure(f->path, 64u << 20, &buf, &len) != 0)
		return EXIT_TROUBLE;
	if (seal_sops_lint(th->ctx, buf, len, sops_input_format(b->o, f->path),
	        f->path, &l) != SEAL_OK) {
		bulk_say(f, "%s: %s", f->path, seal_ctx_errmsg(th->ctx));
		ec = EXIT_TROUBLE;
		goto out;
	}
	fl = seal_sops_report_flags(l);
	/* what does not parse is not a file sops reads: not counted */
	if (!(fl & SEAL_SOPS_FILE_PARSED))
		goto out;
	if (!(fl & SEAL_SOPS_FILE_SEALED)) {
		for (d = 0; d < seal_sops_report_doc_count(l); d++)
			if (seal_sops_report_doc_flags(l, d) & SEAL_SOPS_DOC_CLEAR)
				secret = true;
		f->state = secret ? ST_SECRET : ST_CLEAR;
		if (f->state == ST_SECRET)
			bulk_say(f, "%s: a clear Secret: seal it with 'seal "
			    "encrypt -i %s'", f->path, f->path);
		goto out;
	}
	if (!(fl & SEAL_SOPS_FILE_WHOLE)) {
		f->state = ST_PARTLY;
		bulk_say(f, "%s: partly sealed: fix with 'seal edit %s'",
		    f->path, f->path);
		goto out;
	}
	f->state = ST_SEALED;
	if ((ec = bulk_rule(b, th, f, &r)) != 0)
		goto out;
	if (r != NULL && seal_sops_rule_age_count(r) > 0 &&
	    !same_recipients(l, r)) {
		f->state = ST_DIFFER;
		bulk_say(f, "%s: sealed for other recipients than its rule "
		    "names: run 'seal updatekeys %s'", f->path, f->path);
	}
out:
	seal_sops_report_free(l);
	sodium_memzero(buf, len);
	free_secure(buf);
	return ec;
}

static int
summary(seal_ctx *ctx, struct sops_opts *o)
{
	static const char *const what[] = { "clear", "sealed",
	    "partly_sealed", "clear_secret", "recipients_differ" };
	struct bulk b;
	size_t n[5] = { 0 }, k;
	bool first = true;
	int ec;

	memset(&b, 0, sizeof(b));
	b.o = o;
	if ((ec = bulk_collect(&b, o->files, (size_t)o->nfiles)) == 0 &&
	    (ec = bulk_config(ctx, &b)) == 0)
		ec = bulk_run(&b, "seal status: files", job_status, NULL);
	for (k = 0; k < b.n; k++)
		if (b.f[k].state >= 0)
			n[b.f[k].state]++;
	if (o->json) {
		printf("{\"files\": %zu, \"sealed\": %zu, \"partly_sealed\": "
		    "%zu, \"clear_secrets\": %zu, \"recipients_differ\": %zu, "
		    "\"clear_other\": %zu, \"problems\": [", b.n,
		    n[ST_SEALED] + n[ST_DIFFER], n[ST_PARTLY], n[ST_SECRET],
		    n[ST_DIFFER], n[ST_CLEAR]);
		for (k = 0; k < b.n; k++) {
			if (b.f[k].state <= ST_SEALED)
				continue;
			printf("%s{\"file\": ", first ? "" : ", ");
			first = false;
			json_str(b.f[k].path);
			printf(", \"problem\": \"%s\"}", what[b.f[k].state]);
		}
		printf("]}\n");
	} else {
		bulk_report(&b, true);
		printf("%zu file(s): %zu sealed, %zu partly sealed, %zu clear "
		    "Secret(s), %zu sealed for other recipients than their "
		    "rule, %zu other clear file(s)\n", b.n,
		    n[ST_SEALED] + n[ST_DIFFER], n[ST_PARTLY], n[ST_SECRET],
		    n[ST_DIFFER], n[ST_CLEAR]);
	}
	if (ec == 0 && (n[ST_PARTLY] || n[ST_SECRET] || n[ST_DIFFER]))
		ec = EXIT_NEGATIVE;
	bulk_free(&b);
	return ec;
}

int
cmd_status(int argc, char **argv)
{
	struct sops_opts o;
	const struct opt opts[] = {
		OPT_BOOL(0, "json", &o.json, "one JSON object per file, one per line"),
		SOPS_OPT_REWRITE(&o),
		OPT_END(),
	};
	const struct opt_cmd cmd = SOPS_CMD("seal status", usage, desc, opts,
	    footer);
	seal_ctx *ctx = NULL;
	int ec, i, r;

	ec = sops_begin(&cmd, argc, argv, &o, 1, -1, "at least one file",
	    &ctx);
	if (ec >= 0)
		goto out;
	for (i = 0; i < o.nfiles; i++) {
		struct stat st;

		if (strcmp(o.files[i], "-") != 0 &&
		    stat(o.files[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			ec = summary(ctx, &o);
			goto out;
		}
	}
	ec = 0;
	for (i = 0; i < o.nfiles; i++)
		if ((r = one(ctx, &o, o.files[i])) > ec)
			ec = r;
out:
	seal_ctx_free(ctx);
	sops_opts_free(&o);
	return ec;
}
