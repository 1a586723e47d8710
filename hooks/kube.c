/* SPDX-License-Identifier: ISC */
/*
 * kube.c - structure checks on YAML-shaped files. The SOPS judgement
 * (is it sealed, sealed whole, which values the file's own rule or the
 * Kubernetes default says must be encrypted, whose keys, a Secret's
 * namespace, mac_only_encrypted) is libseal's seal_sops_lint(), the same
 * answer `seal status` gives; this file turns its report into findings
 * and checks the recipients against the repository's .sops.yaml with
 * libseal's creation-rule lookup. What the line reader (yamlish.c) still
 * judges: files the real stores cannot parse (Helm or Jinja templates,
 * broken YAML) as possible plaintext, never waved through; kustomize
 * secretGenerator literals; the files a secretGenerator names.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <seal.h>

#include "hooks/checks.h"
#include "hooks/values.h"
#include "hooks/yamlish.h"

struct kctx {
	struct scan_text *t;
	struct scan_results *out;
	struct yl_doc *y;
	const seal_sops_config *sc;
	seal_ctx *ctx;
};

static bool
is_enc(const struct yl_ent *e)
{
	return e->vallen >= 4 && memcmp(e->val, "ENC[", 4) == 0;
}

static bool
is_empty_value(const struct yl_ent *e)
{
	const char *v = e->val;
	size_t n = e->vallen;

	if (n == 0)
		return true;
	if (e->quoted)
		return false;
	return (n == 1 && v[0] == '~') ||
	    (n == 4 && strncasecmp(v, "null", 4) == 0) ||
	    (n == 2 && (memcmp(v, "{}", 2) == 0 || memcmp(v, "[]", 2) == 0));
}

/* Is a Secret's value plaintext? libseal's answer, the one seal status
 * gives (references, placeholders and templates that render no literal
 * are not). */
static bool
is_plaintext(const char *v, size_t n)
{
	return seal_value_is_plaintext(v, n);
}

static int
report(struct kctx *k, const struct yl_ent *e, const char *rule,
    const char *what, bool with_value)
{
	/* sealing fixes plaintext; a damaged sealed file needs a re-seal
	 * from its plaintext, which the message says */
	bool sealable = with_value;
	char path[160], text[256];
	size_t pl, vl = 0, off;

	if (e->line && k->t->lines == NULL)
		(void)scan_line_of(k->t, 0);
	off = e->val ? (size_t)(e->val - k->t->buf) : 0;
	if (e->val && off <= k->t->len && scan_line_allowed(k->t, off))
		return 0;
	pl = yl_path(k->y, e, path, sizeof(path));
	if (with_value && e->vallen) {
		vl = e->vallen > 64 ? 64 : e->vallen;
		snprintf(text, sizeof(text), "%s: %.*s", path, (int)vl, e->val);
	} else
		snprintf(text, sizeof(text), "%s", path);
	{
		char ex[SCAN_EXCERPT_MAX + 1];
		scan_redact(ex, sizeof(ex), text, strlen(text),
		    with_value ? pl + 2 : strlen(text),
		    with_value ? e->vallen > 64 ? 64 : e->vallen : 0);
		return scan_results_add(k->out, k->t->path, e->line, rule,
		    what, ex, (const unsigned char *)(with_value ? e->val : path),
		    with_value ? e->vallen : pl, sealable);
	}
}

/* "[key=]path" relative to the kustomization's directory. */
static int
add_ref(struct kctx *k, const struct yl_ent *e)
{
	char out[4096], *seg[256];
	const char *v = e->val, *eq, *slash = strrchr(k->t->path, '/');
	size_t n = e->vallen, dl = slash ? (size_t)(slash - k->t->path) : 0;
	int nseg = 0, i;
	char *p, *save = NULL;

	if ((eq = memchr(v, '=', n)) != NULL) {
		n -= (size_t)(eq + 1 - v);
		v = eq + 1;
	}
	if (n == 0 || v[0] == '/' || dl + n + 2 >= sizeof(out))
		return 0; /* absolute paths are outside the repository */
	snprintf(out, sizeof(out), "%.*s%s%.*s", (int)dl, k->t->path,
	    dl ? "/" : "", (int)n, v);
	for (p = strtok_r(out, "/", &save); p && nseg < 256;
	     p = strtok_r(NULL, "/", &save)) {
		if (strcmp(p, ".") == 0)
			continue;
		if (strcmp(p, "..") == 0) {
			if (nseg == 0)
				return 0; /* above the top */
			nseg--;
			continue;
		}
		seg[nseg++] = p;
	}
	{
		char norm[4096];
		size_t o = 0;
		for (i = 0; i < nseg; i++)
			o += (size_t)snprintf(norm + o, sizeof(norm) - o,
			    "%s%s", i ? "/" : "", seg[i]);
		if (nseg == 0)
			return 0;
		return scan_results_add_ref(k->out, k->t->path, e->line, norm);
	}
}

/* ---- the lint's verdict --------------------------------------------------- */

static const char *
rule_of(int code)
{
	switch (code) {
	case SEAL_SOPS_LINT_NO_SOPS:
		return "sops-metadata-missing";
	case SEAL_SOPS_LINT_NO_MAC:
	case SEAL_SOPS_LINT_MAC_NOT_ENC:
		return "sops-mac-missing";
	case SEAL_SOPS_LINT_NO_KEYS:
		return "sops-no-recipients";
	case SEAL_SOPS_LINT_BAD_ENC:
		return "sops-enc-malformed";
	case SEAL_SOPS_LINT_PLAINTEXT:
		return "sops-plaintext";
	case SEAL_SOPS_LINT_CLEAR_SECRET:
		return "k8s-secret";
	}
	return "sops-bad-metadata";
}

static const char *
what_of(int code)
{
	switch (code) {
	case SEAL_SOPS_LINT_NO_SOPS:
		return "document without sops metadata in a sealed file";
	case SEAL_SOPS_LINT_BAD_META:
		return "malformed sops: block; restore the file or re-seal it";
	case SEAL_SOPS_LINT_NO_LASTMODIFIED:
		return "sops: block without a valid lastmodified";
	case SEAL_SOPS_LINT_NO_MAC:
	case SEAL_SOPS_LINT_MAC_NOT_ENC:
		return "sops: block without a mac: integrity cannot be checked; "
		       "restore the file or re-seal its plaintext";
	case SEAL_SOPS_LINT_NO_KEYS:
		return "sops: block with no recipient: no one can decrypt it";
	case SEAL_SOPS_LINT_BAD_ENC:
		return "malformed ENC[] value";
	case SEAL_SOPS_LINT_PLAINTEXT:
		return "value in the clear in a sealed file";
	case SEAL_SOPS_LINT_CLEAR_SECRET:
		return "Kubernetes Secret value in the clear";
	}
	return "sops problem";
}

/*
 * The line reader's entry for a value the lint names (key path and
 * line), so the finding's excerpt and fingerprint are the value's, as
 * for any other secret. NULL when the reader saw it differently.
 */
static const struct yl_ent *
entry_for(const struct kctx *k, const char *path, unsigned line)
{
	const struct yl_ent *best = NULL;
	char p[160];
	size_t i;

	for (i = 0; path != NULL && i < k->y->n; i++) {
		const struct yl_ent *e = &k->y->v[i];
		if (e->vallen == 0 || e->line < line ||
		    (best != NULL && e->line >= best->line))
			continue;
		yl_path(k->y, e, p, sizeof(p));
		if (strcmp(p, path) == 0)
			best = e;
	}
	return best;
}

/* A finding about structure: the excerpt is the key path, hashed too. */
static int
report_path(struct kctx *k, unsigned line, const char *rule,
    const char *what, const char *path, bool sealable)
{
	char ex[SCAN_EXCERPT_MAX + 1];
	const char *key = path ? path : "sops";

	snprintf(ex, sizeof(ex), "%s", key);
	return scan_results_add(k->out, k->t->path, line, rule, what, ex,
	    (const unsigned char *)key, strlen(key), sealable);
}

/* Same strings both ways (case aside)? */
typedef const char *(*nth_fn)(const void *o, size_t d, size_t i);

static bool
same_set(const void *a, size_t da, size_t na, nth_fn fa, const void *b,
    size_t nb, nth_fn fb)
{
	size_t i, j;

	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && strcasecmp(fa(a, da, i), fb(b, 0, j)); j++)
			;
		if (j == nb)
			return false;
	}
	for (j = 0; j < nb; j++) {
		for (i = 0; i < na && strcasecmp(fa(a, da, i), fb(b, 0, j)); i++)
			;
		if (i == na)
			return false;
	}
	return true;
}

static const char *
rep_age(const void *o, size_t d, size_t i)
{
	return seal_sops_report_recipient(o, d, i);
}

static const char *
rep_pgp(const void *o, size_t d, size_t i)
{
	return seal_sops_report_pgp(o, d, i);
}

static const char *
rule_age(const void *o, size_t d, size_t i)
{
	(void)d;
	return seal_sops_rule_age(o, i);
}

static const char *
rule_pgp(const void *o, size_t d, size_t i)
{
	(void)d;
	return seal_sops_rule_pgp(o, i);
}

/* The document's age and pgp keys are the rule's, no more, no less? */
static bool
same_recipients(const seal_sops_report *r, size_t d, const seal_sops_rule *ru)
{
	return same_set(r, d, seal_sops_report_recipient_count(r, d), rep_age,
		   ru, seal_sops_rule_age_count(ru), rule_age) &&
	    same_set(r, d, seal_sops_report_pgp_count(r, d), rep_pgp, ru,
		seal_sops_rule_pgp_count(ru), rule_pgp);
}

/* The line of the first top-level sops: key, as the reader saw it. */
static unsigned
sops_line(const struct kctx *k)
{
	size_t i;

	for (i = 0; i < k->y->n; i++)
		if (k->y->v[i].parent < 0 && yl_key_is(&k->y->v[i], "sops"))
			return k->y->v[i].line;
	return 0;
}

/* libseal could not give a verdict (a regex that could not decide, out
 * of memory): the scan of this file fails with its reason, never "fine". */
static int
ctx_failed(struct kctx *k)
{
	if (k->out->err[0] == '\0')
		snprintf(k->out->err, sizeof(k->out->err), "%s: %s",
		    k->t->path, seal_ctx_errmsg(k->ctx));
	return -1;
}

static int
recipients_check(struct kctx *k, const seal_sops_report *r)
{
	const seal_sops_rule *ru = NULL;
	size_t d;
	seal_rc rc;

	if (k->sc == NULL)
		return 0;
	rc = seal_sops_config_match(k->ctx, k->sc, k->t->path, &ru);
	if (rc == SEAL_EREFUSED)
		return 0; /* no rule for this path */
	if (rc != SEAL_OK)
		return ctx_failed(k); /* cannot tell: never "fine" */
	if (seal_sops_rule_age_count(ru) == 0 &&
	    seal_sops_rule_pgp_count(ru) == 0)
		return 0; /* no keys to compare with (kms...) */
	for (d = 0; d < seal_sops_report_doc_count(r); d++) {
		if (!(seal_sops_report_doc_flags(r, d) & SEAL_SOPS_DOC_SEALED))
			continue;
		if (!same_recipients(r, d, ru))
			return report_path(k, sops_line(k),
			    "sops-wrong-recipients",
			    "sealed for other recipients than .sops.yaml "
			    "requires for this path; run seal updatekeys",
			    "sops", false);
	}
	return 0;
}

/* Policy on sealed Secrets (what decryptors rely on), issue 8. */
static int
secret_policy(struct kctx *k, const seal_sops_report *r)
{
	size_t d;
	int rc = 0;

	for (d = 0; d < seal_sops_report_doc_count(r) && rc == 0; d++) {
		unsigned f = seal_sops_report_doc_flags(r, d);
		unsigned line = seal_sops_report_doc_line(r, d);
		if (!(f & SEAL_SOPS_DOC_SEALED) || !(f & SEAL_SOPS_DOC_SECRET))
			continue;
		/* a warning: sops and Flux accept it, and a Secret applied
		 * with kubectl -n or a kustomization namespace is fine */
		if (!(f & SEAL_SOPS_DOC_NAMESPACE) &&
		    (rc = report_path(k, line, "sops-secret-no-namespace",
			    "sealed Secret without metadata.namespace: it "
			    "lands in whatever namespace it is applied to; "
			    "add one: seal set FILE "
			    "'[\"metadata\"][\"namespace\"]' '\"NAME\"'",
			    "metadata.namespace", false)) == 0)
			scan_results_warn_last(k->out);
		if (rc == 0 && (f & SEAL_SOPS_DOC_MAC_ONLY))
			rc = report_path(k, line, "sops-mac-only-encrypted",
			    "sealed Secret with mac_only_encrypted: its "
			    "metadata (namespace, name) is outside the MAC; "
			    "drop mac_only_encrypted from .sops.yaml, then: "
			    "seal decrypt -i FILE && seal encrypt -i FILE",
			    "sops.mac_only_encrypted", false);
	}
	return rc;
}

/* The report of a file the real stores parsed, as findings. */
static int
lint_findings(struct kctx *k, const seal_sops_report *r)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < seal_sops_report_problem_count(r) && rc == 0; i++) {
		int code = seal_sops_report_problem_code(r, i);
		unsigned line = seal_sops_report_problem_line(r, i);
		const char *path = seal_sops_report_problem_path(r, i);
		const struct yl_ent *e;

		if (code == SEAL_SOPS_LINT_CLEAR_SECRET &&
		    (e = entry_for(k, path, line)) != NULL) {
			/* references (op://, vault:, secretKeyRef...) and
			 * template literals are the scanner's to judge */
			if (is_plaintext(e->val, e->vallen))
				rc = report(k, e, rule_of(code), what_of(code),
				    true);
			continue;
		}
		/* the lint hands out no values: the excerpt is the key path
		 * and the fingerprint hashes it */
		rc = report_path(k, line, rule_of(code), what_of(code), path,
		    code == SEAL_SOPS_LINT_PLAINTEXT ||
			code == SEAL_SOPS_LINT_CLEAR_SECRET);
	}
	if (rc == 0 && (seal_sops_report_flags(r) & SEAL_SOPS_FILE_SEALED))
		rc = recipients_check(k, r);
	if (rc == 0)
		rc = secret_policy(k, r);
	return rc < 0 ? -1 : 0;
}

/*
 * Run the lint on t. YAML, JSON and dotenv by their names; any other
 * name is tried as YAML (a Secret in "secret.yaml.tpl" is still one).
 * *r is NULL when the lint does not apply (an unknown format).
 */
static int
lint(struct kctx *k, seal_sops_report **r)
{
	int fmt = seal_sops_format_from_path(k->t->path);

	*r = NULL;
	if (fmt != SEAL_SOPS_YAML && fmt != SEAL_SOPS_JSON &&
	    fmt != SEAL_SOPS_DOTENV)
		fmt = SEAL_SOPS_YAML;
	if (seal_sops_lint(k->ctx, k->t->buf, k->t->len, fmt, k->t->path, r) !=
	    SEAL_OK)
		return ctx_failed(k); /* out of memory, or no decision */
	return 0;
}

/* ---- the line reader: what the real stores cannot parse ----------------- */

/*
 * A document the stores could not parse, judged as possible plaintext:
 * if it carries SOPS traces nothing can tell what is sealed, so it is a
 * finding; a Secret's data values that are not ENC (and not templates)
 * are findings too.
 */
static int
unparsed_doc(struct kctx *k, size_t from, size_t to)
{
	struct yl_doc *y = k->y;
	const struct yl_ent *kind = NULL, *trace = NULL;
	bool secret;
	size_t i;
	int rc = 0;

	for (i = from; i < to; i++) {
		const struct yl_ent *e = &y->v[i];
		if (e->parent < 0 && yl_key_is(e, "kind"))
			kind = e;
		if (trace == NULL && ((e->parent < 0 && yl_key_is(e, "sops")) ||
					 is_enc(e)))
			trace = e;
	}
	secret = kind && kind->vallen == 6 &&
	    strncasecmp(kind->val, "Secret", 6) == 0;
	if (trace != NULL)
		rc = report(k, trace, "sops-unparsable",
		    "sealed file that does not parse: nothing can tell which "
		    "values are sealed; fix it ('seal status' says where) or "
		    "restore it from git history",
		    false);
	for (i = from; i < to && rc == 0; i++) {
		const struct yl_ent *e = &y->v[i];
		const struct yl_ent *top = yl_root(y, e);
		if (!secret || e == top || is_empty_value(e) || is_enc(e) ||
		    !(yl_key_is(top, "data") || yl_key_is(top, "stringData")) ||
		    !is_plaintext(e->val, e->vallen))
			continue;
		rc = report(k, e, "k8s-secret",
		    "Kubernetes Secret value in the clear", true);
	}
	return rc < 0 ? -1 : 0;
}

/* kustomize: secretGenerator literals, and the files it names. */
static int
kustomize_doc(struct kctx *k, size_t from, size_t to)
{
	struct yl_doc *y = k->y;
	size_t i;
	int rc = 0;

	for (i = from; i < to && rc == 0; i++) {
		const struct yl_ent *e = &y->v[i];
		const struct yl_ent *top = yl_root(y, e);
		const char *eq;
		if (!yl_key_is(top, "secretGenerator") || e->key != NULL ||
		    e->parent < 0 || e->vallen == 0)
			continue;
		if (yl_key_is(&y->v[e->parent], "literals")) {
			eq = memchr(e->val, '=', e->vallen);
			if (eq && (size_t)(eq - e->val) + 1 < e->vallen &&
			    is_plaintext(eq + 1,
				e->vallen - (size_t)(eq + 1 - e->val)))
				rc = report(k, e, "kustomize-literal",
				    "secretGenerator literal in the clear",
				    true);
		} else if (yl_key_is(&y->v[e->parent], "files") ||
		    yl_key_is(&y->v[e->parent], "envs")) {
			rc = add_ref(k, e);
		}
	}
	return rc < 0 ? -1 : 0;
}

bool
kube_prefilter(const struct scan_text *t)
{
	return t->hints;
}

int
kube_scan(const seal_sops_config *sc, struct scan_text *t,
    struct scan_results *out)
{
	struct yl_doc y;
	struct kctx k = { .t = t, .out = out, .y = &y, .sc = sc };
	seal_sops_report *r = NULL;
	size_t i, start = 0;
	bool parsed;
	int rc = 0;

	if (seal_ctx_new(&k.ctx) != SEAL_OK)
		return -1;
	if (lint(&k, &r) < 0) {
		seal_ctx_free(k.ctx);
		return -1;
	}
	parsed = seal_sops_report_flags(r) & SEAL_SOPS_FILE_PARSED;
	if (yl_parse(t->buf, t->len, &y) < 0) {
		yl_free(&y);
		seal_sops_report_free(r);
		seal_ctx_free(k.ctx);
		/* too big to judge: refuse rather than pass */
		return scan_results_add(out, t->path, 0, "unreadable",
		    "structure too large to check", "", NULL, 0, false);
	}
	if (parsed)
		rc = lint_findings(&k, r);
	for (i = 0; i <= y.n && rc == 0; i++) {
		if (i == y.n || (i > start && y.v[i].doc != y.v[start].doc)) {
			if (i > start && !parsed)
				rc = unparsed_doc(&k, start, i);
			if (i > start && rc == 0)
				rc = kustomize_doc(&k, start, i);
			start = i;
		}
	}
	yl_free(&y);
	seal_sops_report_free(r);
	seal_ctx_free(k.ctx);
	return rc;
}
