/* SPDX-License-Identifier: ISC */
/*
 * sopslint.c - the scanner's bridge to libseal's structural SOPS lint
 * (sops/sops.h): when a sealed YAML, JSON or dotenv file parses with
 * the real stores, the lint's verdict (metadata, MAC, lastmodified, ENC
 * syntax, values the file's own rule says must be encrypted) becomes
 * findings. Files the real parser rejects are left to kube.c's forgiving
 * reader, so invalid YAML is still judged. No keys, no decryption.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/checks.h"
#include "sops/sops.h"
#include "stores/tree.h"

static const char *
rule_of(enum seal__lint_code c)
{
	switch (c) {
	case SEAL_LINT_NO_SOPS:
		return "sops-metadata-missing";
	case SEAL_LINT_BAD_META:
	case SEAL_LINT_NO_LASTMODIFIED:
		return "sops-bad-metadata";
	case SEAL_LINT_NO_MAC:
	case SEAL_LINT_MAC_NOT_ENC:
		return "sops-mac-missing";
	case SEAL_LINT_NO_KEYS:
		return "sops-no-recipients";
	case SEAL_LINT_BAD_ENC:
		return "sops-enc-malformed";
	case SEAL_LINT_PLAINTEXT:
		return "sops-plaintext";
	case SEAL_LINT_CLEAR_SECRET:
		return "k8s-secret";
	}
	return "sops-bad-metadata";
}

static const char *
what_of(enum seal__lint_code c)
{
	switch (c) {
	case SEAL_LINT_NO_SOPS:
		return "document without sops metadata in a sealed file";
	case SEAL_LINT_BAD_META:
		return "malformed sops: block; restore the file or re-seal it";
	case SEAL_LINT_NO_LASTMODIFIED:
		return "sops: block without a valid lastmodified";
	case SEAL_LINT_NO_MAC:
	case SEAL_LINT_MAC_NOT_ENC:
		return "sops: block without a mac: integrity cannot be checked; "
		       "restore the file or re-seal its plaintext";
	case SEAL_LINT_NO_KEYS:
		return "sops: block with no recipient: no one can decrypt it";
	case SEAL_LINT_BAD_ENC:
		return "malformed ENC[] value";
	case SEAL_LINT_PLAINTEXT:
		return "value in the clear in a sealed file";
	case SEAL_LINT_CLEAR_SECRET:
		return "Kubernetes Secret value in the clear";
	}
	return "sops problem";
}

int
sops_lint_scan(struct scan_text *t, struct scan_results *out, bool *handled)
{
	enum seal__format fmt = seal__format_from_path(t->path);
	seal_ctx *ctx = NULL;
	struct seal__tree *tree = NULL;
	struct seal__lint *l = NULL;
	seal__parse_fn parse;
	size_t i;
	int rc = 0;

	*handled = false;
	if (fmt != SEAL_FMT_YAML && fmt != SEAL_FMT_JSON &&
	    fmt != SEAL_FMT_DOTENV)
		return 0;
	if ((parse = seal__store_parser(fmt)) == NULL)
		return 0;
	if (seal_ctx_new(&ctx) != SEAL_OK)
		return -1;
	/* a parse error is not a verdict: kube.c reads it forgivingly */
	if (parse(ctx, t->buf, t->len, NULL, &tree) != SEAL_OK)
		goto out;
	if (seal__sops_lint(ctx, tree, fmt, t->path, &l) != SEAL_OK) {
		/* no verdict (a regex that could not decide, out of
		 * memory): the scan fails, it does not pass the file */
		if (out->err[0] == '\0')
			snprintf(out->err, sizeof(out->err), "%s",
			    seal_ctx_errmsg(ctx));
		rc = -1;
		goto out;
	}
	if (!l->sealed)
		goto out;
	*handled = true;
	for (i = 0; i < l->nproblems && rc == 0; i++) {
		const struct seal__lint_problem *p = &l->problems[i];
		char ex[SCAN_EXCERPT_MAX + 1];
		if (p->code == SEAL_LINT_CLEAR_SECRET)
			continue; /* kube.c reports these with their value */
		const char *key = p->path ? p->path : "sops";
		snprintf(ex, sizeof(ex), "%s", key);
		/* the lint hands out no values: the excerpt is the key path
		 * and the fingerprint hashes it */
		rc = scan_results_add(out, t->path, p->line, rule_of(p->code),
		    what_of(p->code), ex, (const unsigned char *)key,
		    strlen(key), p->code == SEAL_LINT_PLAINTEXT);
	}
out:
	seal__lint_free(l);
	seal__tree_free(tree);
	seal_ctx_free(ctx);
	return rc;
}
