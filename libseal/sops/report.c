/* SPDX-License-Identifier: ISC */
/*
 * sops/report.c - seal_sops_lint(), the public face of the structural
 * lint (sops/lint.c): parse with the file's store, lint, and hand the
 * verdict out through accessors so the layout can grow without breaking
 * the ABI. A file that does not parse is a verdict too, never "not
 * applicable": the report says so and whether the text looks like a
 * Secret or a sealed file.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sops/sops.h"

_Static_assert(SEAL_SOPS_LINT_NO_SOPS == SEAL_LINT_NO_SOPS &&
        SEAL_SOPS_LINT_BAD_META == SEAL_LINT_BAD_META &&
        SEAL_SOPS_LINT_NO_MAC == SEAL_LINT_NO_MAC &&
        SEAL_SOPS_LINT_MAC_NOT_ENC == SEAL_LINT_MAC_NOT_ENC &&
        SEAL_SOPS_LINT_NO_LASTMODIFIED == SEAL_LINT_NO_LASTMODIFIED &&
        SEAL_SOPS_LINT_NO_KEYS == SEAL_LINT_NO_KEYS &&
        SEAL_SOPS_LINT_BAD_ENC == SEAL_LINT_BAD_ENC &&
        SEAL_SOPS_LINT_PLAINTEXT == SEAL_LINT_PLAINTEXT &&
        SEAL_SOPS_LINT_CLEAR_SECRET == SEAL_LINT_CLEAR_SECRET,
    "public lint codes are the internal ones");

struct seal_sops_report {
	struct seal__lint *l; /* NULL when the file did not parse */
	unsigned flags;
	char *error;
};

/* A JSON object naming "sops": the envelope of a sealed binary file. */
static bool
json_envelope(const char *buf, size_t len)
{
	return len > 0 && buf[0] == '{' &&
	    memmem(buf, len, "\"sops\"", 6) != NULL;
}

/* Does line (up to n bytes) read "kind: Secret" in any spacing/quoting? */
static bool
kind_secret_line(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '"' ||
	                    s[i] == '{' || s[i] == ','))
		i++;
	if (n - i < 4 || strncasecmp(s + i, "kind", 4) != 0)
		return false;
	i += 4;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '"' ||
	                    s[i] == '\''))
		i++;
	if (i >= n || s[i] != ':')
		return false;
	i++;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '"' ||
	                    s[i] == '\''))
		i++;
	return n - i >= 6 && strncasecmp(s + i, "Secret", 6) == 0 &&
	    (n - i == 6 || strchr(" \t\"',}\r#", s[i + 6]) != NULL);
}

/* Text that a forgiving reader must look at: a Secret or sops traces. */
static bool
suspect(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	if (memmem(buf, len, "ENC[", 4) != NULL)
		return true;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if ((n >= 5 && memcmp(p, "sops:", 5) == 0) ||
		    (n >= 9 && memcmp(p, "sops_mac=", 9) == 0) ||
		    memmem(p, n, "\"sops\"", 6) != NULL ||
		    kind_secret_line(p, n))
			return true;
		p = nl ? nl + 1 : end;
	}
	return false;
}

seal_rc
seal_sops_lint(seal_ctx *ctx, const void *buf, size_t len, int format,
    const char *name, seal_sops_report **out)
{
	enum seal__format fmt;
	seal__parse_fn parse;
	struct seal__tree *t = NULL;
	seal_sops_report *r;
	seal_rc rc;

	*out = NULL;
	if (name == NULL)
		name = "-";
	fmt = format ? (enum seal__format)format : seal__format_from_path(name);
	if (fmt == SEAL_FMT_BINARY && json_envelope(buf, len))
		fmt = SEAL_FMT_JSON;
	if ((parse = seal__store_parser(fmt)) == NULL)
		return seal__err(ctx, SEAL_EUNSUPPORTED, "%s: unsupported format",
		    name);
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	rc = parse(ctx, buf, len, NULL, &t);
	if (rc == SEAL_ENOMEM)
		goto fail;
	if (rc != SEAL_OK) {
		if ((r->error = strdup(seal_ctx_errmsg(ctx))) == NULL) {
			rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
			goto fail;
		}
		if (suspect(buf, len))
			r->flags |= SEAL_SOPS_FILE_SUSPECT;
		*out = r;
		return SEAL_OK;
	}
	r->flags |= SEAL_SOPS_FILE_PARSED;
	rc = seal__sops_lint(ctx, t, fmt, name, &r->l);
	seal__tree_free(t);
	if (rc != SEAL_OK)
		goto fail;
	if (r->l->sealed)
		r->flags |= SEAL_SOPS_FILE_SEALED;
	if (r->l->whole)
		r->flags |= SEAL_SOPS_FILE_WHOLE;
	*out = r;
	return SEAL_OK;
fail:
	seal_sops_report_free(r);
	return rc;
}

void
seal_sops_report_free(seal_sops_report *r)
{
	if (r == NULL)
		return;
	seal__lint_free(r->l);
	free(r->error);
	free(r);
}

unsigned
seal_sops_report_flags(const seal_sops_report *r)
{
	return r ? r->flags : 0;
}

const char *
seal_sops_report_error(const seal_sops_report *r)
{
	return r ? r->error : NULL;
}

size_t
seal_sops_report_doc_count(const seal_sops_report *r)
{
	return r && r->l ? r->l->ndocs : 0;
}

static const struct seal__lint_doc *
doc_at(const seal_sops_report *r, size_t doc)
{
	return r && r->l && doc < r->l->ndocs ? &r->l->docs[doc] : NULL;
}

unsigned
seal_sops_report_doc_flags(const seal_sops_report *r, size_t doc)
{
	const struct seal__lint_doc *d = doc_at(r, doc);
	unsigned f = 0;

	if (d == NULL)
		return 0;
	if (d->has_sops)
		f |= SEAL_SOPS_DOC_SEALED;
	if (d->mac_present)
		f |= SEAL_SOPS_DOC_MAC;
	if (d->k8s_secret)
		f |= SEAL_SOPS_DOC_SECRET;
	if (d->k8s_namespace)
		f |= SEAL_SOPS_DOC_NAMESPACE;
	if (d->has_sops && d->mac_only_encrypted)
		f |= SEAL_SOPS_DOC_MAC_ONLY;
	if (d->nclear_secret > 0)
		f |= SEAL_SOPS_DOC_CLEAR;
	else if (d->k8s_secret && !d->has_sops && d->nreference > 0)
		f |= SEAL_SOPS_DOC_REFERENCES;
	if (d->empty)
		f |= SEAL_SOPS_DOC_EMPTY;
	return f;
}

unsigned
seal_sops_report_doc_line(const seal_sops_report *r, size_t doc)
{
	const struct seal__lint_doc *d = doc_at(r, doc);

	return d ? (unsigned)d->line : 0;
}

size_t
seal_sops_report_doc_encrypted(const seal_sops_report *r, size_t doc)
{
	const struct seal__lint_doc *d = doc_at(r, doc);

	return d ? d->nenc : 0;
}

/* A document's age recipients or pgp fingerprints: how many, *v them. */
static size_t
doc_list(const seal_sops_report *r, size_t doc, bool pgp, char *const **v)
{
	const struct seal__lint_doc *d = doc_at(r, doc);

	*v = NULL;
	if (d == NULL)
		return 0;
	*v = pgp ? d->pgp : d->recipients;
	return pgp ? d->npgp : d->nrecipients;
}

static const char *
doc_item(const seal_sops_report *r, size_t doc, bool pgp, size_t i)
{
	char *const *v;

	return i < doc_list(r, doc, pgp, &v) ? v[i] : NULL;
}

size_t
seal_sops_report_recipient_count(const seal_sops_report *r, size_t doc)
{
	char *const *v;

	return doc_list(r, doc, false, &v);
}

const char *
seal_sops_report_recipient(const seal_sops_report *r, size_t doc, size_t i)
{
	return doc_item(r, doc, false, i);
}

size_t
seal_sops_report_pgp_count(const seal_sops_report *r, size_t doc)
{
	char *const *v;

	return doc_list(r, doc, true, &v);
}

const char *
seal_sops_report_pgp(const seal_sops_report *r, size_t doc, size_t i)
{
	return doc_item(r, doc, true, i);
}

size_t
seal_sops_report_other_keys(const seal_sops_report *r, size_t doc)
{
	const struct seal__lint_doc *d = doc_at(r, doc);

	return d ? d->nother_keys : 0;
}

const char *
seal_sops_report_rule(const seal_sops_report *r, size_t doc, const char **arg)
{
	const struct seal__lint_doc *d = doc_at(r, doc);

	if (arg != NULL)
		*arg = NULL;
	if (d == NULL || d->rule == SEAL_RULE_NONE)
		return NULL;
	if (arg != NULL)
		*arg = d->rule_arg;
	return seal__rule_name(d->rule);
}

static const struct seal__lint_problem *
problem_at(const seal_sops_report *r, size_t i)
{
	return r && r->l && i < r->l->nproblems ? &r->l->problems[i] : NULL;
}

size_t
seal_sops_report_problem_count(const seal_sops_report *r)
{
	return r && r->l ? r->l->nproblems : 0;
}

int
seal_sops_report_problem_code(const seal_sops_report *r, size_t i)
{
	const struct seal__lint_problem *p = problem_at(r, i);

	return p ? (int)p->code : 0;
}

size_t
seal_sops_report_problem_doc(const seal_sops_report *r, size_t i)
{
	const struct seal__lint_problem *p = problem_at(r, i);

	return p ? p->doc : 0;
}

unsigned
seal_sops_report_problem_line(const seal_sops_report *r, size_t i)
{
	const struct seal__lint_problem *p = problem_at(r, i);

	return p ? (unsigned)p->line : 0;
}

const char *
seal_sops_report_problem_path(const seal_sops_report *r, size_t i)
{
	const struct seal__lint_problem *p = problem_at(r, i);

	return p ? p->path : NULL;
}

const char *
seal_sops_report_problem_text(const seal_sops_report *r, size_t i)
{
	const struct seal__lint_problem *p = problem_at(r, i);

	return p ? p->text : NULL;
}

const char *
seal_sops_lint_code_name(int code)
{
	return seal__lint_code_name((enum seal__lint_code)code);
}
