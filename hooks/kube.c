/* SPDX-License-Identifier: ISC */
/*
 * kube.c - structure checks on YAML-shaped files: Kubernetes Secrets with
 * plaintext data/stringData (YAML, multi-document, pretty JSON), kustomize
 * secretGenerator literals, SOPS files that are not whole (plaintext where
 * the file's own rules say encrypted, sops: block or mac missing, malformed
 * ENC[] values), and SOPS files whose recipients differ from what the
 * repository's .sops.yaml requires for their path. It cannot decrypt and
 * does not verify MACs (that needs the key); it reads through yamlish.c so
 * broken YAML is still judged, never waved through.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "hooks/checks.h"
#include "hooks/values.h"
#include "hooks/yamlish.h"

/* .sops.yaml ------------------------------------------------------------- */

struct sops_rule {
	pcre2_code *path_re;	/* NULL: matches every path */
	char **recips;		/* normalised pgp fingerprints / age keys */
	size_t nrecips;
};

struct sops_rules {
	char *dir;
	struct sops_rule *v;
	size_t n;
};

void
sops_rules_free(struct sops_rules *r)
{
	size_t i, j;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		pcre2_code_free(r->v[i].path_re);
		for (j = 0; j < r->v[i].nrecips; j++)
			free(r->v[i].recips[j]);
		free(r->v[i].recips);
	}
	free(r->v);
	free(r->dir);
	free(r);
}

/* Upper-case pgp fingerprints, drop spaces; age keys are lower-case. */
static char *
norm_recip(const char *s, size_t n)
{
	char *o = malloc(n + 1);
	size_t i, k = 0;
	bool age = n > 4 && strncasecmp(s, "age1", 4) == 0;

	if (o == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (isspace((unsigned char)s[i]))
			continue;
		o[k++] = (char)(age ? tolower((unsigned char)s[i]) :
				      toupper((unsigned char)s[i]));
	}
	o[k] = '\0';
	return o;
}

/* Add the comma-separated recipients in (s, n) to *list. */
static int
add_recips(char ***list, size_t *cnt, const char *s, size_t n)
{
	while (n > 0) {
		const char *c = memchr(s, ',', n);
		size_t l = c ? (size_t)(c - s) : n;
		while (l && isspace((unsigned char)*s)) {
			s++;
			l--;
			n--;
		}
		if (l && *s == '&') { /* an anchor: "&prod age1..." */
			while (l && !isspace((unsigned char)*s)) {
				s++;
				l--;
				n--;
			}
			continue;
		}
		if (l > 0 && *s != '*') {
			char **nl = realloc(*list, (*cnt + 1) * sizeof(char *));
			if (nl == NULL)
				return -1;
			*list = nl;
			if ((nl[*cnt] = norm_recip(s, l)) == NULL)
				return -1;
			if (nl[*cnt][0])
				(*cnt)++;
			else
				free(nl[*cnt]);
		}
		if (c == NULL)
			break;
		n -= l + 1;
		s = c + 1;
	}
	return 0;
}

static bool
recip_key(const struct yl_ent *e)
{
	return yl_key_is(e, "pgp") || yl_key_is(e, "age") ||
	    yl_key_is(e, "fp") || yl_key_is(e, "recipient");
}

struct sops_rules *
sops_rules_parse(const char *buf, size_t len, const char *dir, char *err,
    size_t errlen)
{
	struct yl_doc y;
	struct sops_rules *r = calloc(1, sizeof(*r));
	struct sops_rule *cur = NULL;
	size_t i;

	if (r == NULL || (r->dir = strdup(dir ? dir : "")) == NULL ||
	    yl_parse(buf, len, &y) < 0) {
		snprintf(err, errlen, "out of memory");
		free(r ? r->dir : NULL);
		free(r);
		return NULL;
	}
	for (i = 0; i < y.n; i++) {
		const struct yl_ent *e = &y.v[i];
		const struct yl_ent *top = yl_root(&y, e);
		if (!yl_key_is(top, "creation_rules") || e == top)
			continue;
		/* a new "- " item directly under creation_rules */
		if (e->seq && e->parent >= 0 && &y.v[e->parent] == top) {
			struct sops_rule *nv = realloc(r->v,
			    (r->n + 1) * sizeof(*nv));
			if (nv == NULL)
				goto oom;
			r->v = nv;
			cur = &r->v[r->n++];
			memset(cur, 0, sizeof(*cur));
		}
		if (cur == NULL)
			continue;
		if (yl_key_is(e, "path_regex") && e->vallen) {
			int ec;
			PCRE2_SIZE eo;
			char *pat = strndup(e->val, e->vallen);
			if (pat == NULL)
				goto oom;
			/* a repeated key replaces the earlier one, as in YAML
			 * readers that keep the last value */
			pcre2_code_free(cur->path_re);
			cur->path_re = pcre2_compile((PCRE2_SPTR)pat,
			    PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
			free(pat);
			if (cur->path_re == NULL) {
				snprintf(err, errlen,
				    "line %u: path_regex does not compile",
				    e->line);
				goto bad;
			}
		} else if (e->vallen && (recip_key(e) ||
		    (e->key == NULL && e->parent >= 0 &&
			recip_key(&y.v[e->parent])))) {
			if (add_recips(&cur->recips, &cur->nrecips, e->val,
				e->vallen) < 0)
				goto oom;
		}
	}
	yl_free(&y);
	return r;
oom:
	snprintf(err, errlen, "out of memory");
bad:
	yl_free(&y);
	sops_rules_free(r);
	return NULL;
}

/* The creation rule for path in *hit (NULL: none). 0, or -1 when a
 * path_regex could not decide (out->err says so) or out of memory. */
static int
sops_rule_for(const struct sops_rules *r, const char *path,
    struct scan_results *out, const struct sops_rule **hit)
{
	size_t i, dl = strlen(r->dir);
	pcre2_match_data *md;
	const char *full = path;
	int rc = 0;

	*hit = NULL;
	if (dl && (strncmp(path, r->dir, dl) != 0 || path[dl] != '/'))
		return 0;
	if (dl)
		path += dl + 1;
	if ((md = pcre2_match_data_create(1, NULL)) == NULL)
		return -1;
	for (i = 0; i < r->n && *hit == NULL; i++) {
		int m = r->v[i].path_re == NULL ? 1
		    : scan_re_match(r->v[i].path_re, path, strlen(path), 0, md);
		if (m >= 0) {
			*hit = &r->v[i];
		} else if (m != PCRE2_ERROR_NOMATCH) {
			rc = scan_re_failed(out, full,
			    ".sops.yaml path_regex", m);
			break;
		}
	}
	pcre2_match_data_free(md);
	return rc;
}

/* checks ------------------------------------------------------------------ */

struct kctx {
	bool lint_done;	/* sopslint.c judged the SOPS structure */
	struct scan_text *t;
	struct scan_results *out;
	struct yl_doc *y;
	const struct sops_rules *sr;
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

/*
 * Is a Secret's value plaintext? A reference to a secret manager is not
 * (op://, vault:, ref+..., ${VAR}, ARNs); a template is not, unless a
 * literal survives its rendering (default "x", "x" | b64enc, ${X:-x}),
 * which is plaintext however short; a <set-me> placeholder is not.
 */
static bool
is_plaintext(const char *v, size_t n)
{
	struct scan_span lits[8];
	bool templated;
	size_t k, nl;

	if (scan_is_reference(v, n) ||
	    (n >= 2 && v[0] == '<' && v[n - 1] == '>'))
		return false;
	nl = scan_template_literals(v, n, lits, 8, &templated);
	if (!templated)
		return true;
	for (k = 0; k < nl; k++)
		if (lits[k].len > 0)
			return true;
	return false;
}

/* ENC[AES256_GCM,data:B64,iv:B64,tag:B64,type:T] */
static bool
enc_well_formed(const char *v, size_t n)
{
	static const char *const parts[] = { "ENC[AES256_GCM,data:", ",iv:",
		",tag:", ",type:" };
	size_t i, o = 0;

	for (i = 0; i < 4; i++) {
		size_t pl = strlen(parts[i]), b = 0;
		if (n - o < pl || memcmp(v + o, parts[i], pl) != 0)
			return false;
		o += pl;
		if (i == 3)
			break;
		while (o < n && (isalnum((unsigned char)v[o]) || v[o] == '+' ||
				    v[o] == '/' || v[o] == '=')) {
			o++;
			b++;
		}
		if (i > 0 && b == 0)
			return false; /* iv and tag are never empty */
	}
	while (o < n && islower((unsigned char)v[o]))
		o++;
	return o + 1 == n && v[o] == ']';
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

struct sops_meta {
	const struct yl_ent *sops, *mac;
	const char *encre, *unencre, *encsuf, *unencsuf;
	size_t encre_n, unencre_n, encsuf_n, unencsuf_n;
	char **recips;
	size_t nrecips;
};

static bool
suffix_is(const struct yl_ent *e, const char *s, size_t n)
{
	return e->key && n && e->keylen >= n &&
	    memcmp(e->key + e->keylen - n, s, n) == 0;
}

/* Does the file's own rule regex match a key on e's path? 1 yes, 0 no,
 * -1 it could not decide (out->err set): never read as "no". An invalid
 * regex is a "yes" for encrypted_regex (expect encryption). */
static int
regex_hits(const char *re, size_t ren, const struct yl_doc *y,
    const struct yl_ent *e, struct scan_results *out, const char *path)
{
	pcre2_code *c;
	pcre2_match_data *md;
	int ec, hit = 0;
	PCRE2_SIZE eo;

	c = pcre2_compile((PCRE2_SPTR)re, ren,
	    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY, &ec,
	    &eo, NULL);
	if (c == NULL)
		return 1; /* unknown rule: expect encryption */
	md = pcre2_match_data_create(1, NULL);
	if (md == NULL)
		hit = -1;
	for (; e && md && hit == 0;
	     e = e->parent >= 0 ? &y->v[e->parent] : NULL) {
		int m;
		if (e->key == NULL)
			continue;
		m = scan_re_match(c, e->key, e->keylen, 0, md);
		if (m >= 0)
			hit = 1;
		else if (m != PCRE2_ERROR_NOMATCH)
			hit = scan_re_failed(out, path,
			    "the file's own selection regex", m);
	}
	pcre2_match_data_free(md);
	pcre2_code_free(c);
	return hit;
}

/* Would sops have encrypted this value, by the file's own metadata?
 * 1 yes, 0 no, -1 cannot tell (out->err set). */
static int
should_encrypt(const struct sops_meta *m, const struct yl_doc *y,
    const struct yl_ent *e, struct scan_results *out, const char *path)
{
	const struct yl_ent *a;
	int h;

	if (m->encre)
		return regex_hits(m->encre, m->encre_n, y, e, out, path);
	if (m->unencre) {
		h = regex_hits(m->unencre, m->unencre_n, y, e, out, path);
		return h < 0 ? -1 : !h;
	}
	for (a = e; a; a = a->parent >= 0 ? &y->v[a->parent] : NULL) {
		if (m->encsuf && suffix_is(a, m->encsuf, m->encsuf_n))
			return true;
		if (!m->encsuf && suffix_is(a, m->unencsuf, m->unencsuf_n))
			return false;
	}
	return m->encsuf == NULL;
}

static int
recip_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
same_recips(char **a, size_t na, char **b, size_t nb)
{
	size_t i, j;

	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && strcmp(a[i], b[j]) != 0; j++)
			;
		if (j == nb)
			return false;
	}
	for (j = 0; j < nb; j++) {
		for (i = 0; i < na && strcmp(a[i], b[j]) != 0; i++)
			;
		if (i == na)
			return false;
	}
	return true;
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

static int
check_doc(struct kctx *k, size_t from, size_t to)
{
	struct yl_doc *y = k->y;
	struct sops_meta m = { .unencsuf = "_unencrypted", .unencsuf_n = 12 };
	const struct yl_ent *kind = NULL, *first_enc = NULL;
	bool secret, sopsy;
	size_t i;
	int rc = 0, se;

	for (i = from; i < to; i++) {
		const struct yl_ent *e = &y->v[i];
		const struct yl_ent *top = yl_root(y, e);
		if (e->parent < 0 && yl_key_is(e, "kind"))
			kind = e;
		if (e->parent < 0 && yl_key_is(e, "sops"))
			m.sops = e;
		if (yl_key_is(top, "sops") && e != top) {
			const struct yl_ent *p = &y->v[e->parent];
			if (p == top && yl_key_is(e, "mac"))
				m.mac = e;
#define META(name, f, fn)                                    \
	if (p == top && yl_key_is(e, name) && e->vallen) { \
		m.f = e->val;                                \
		m.fn = e->vallen;                            \
	}
			META("encrypted_regex", encre, encre_n)
			META("unencrypted_regex", unencre, unencre_n)
			META("encrypted_suffix", encsuf, encsuf_n)
			META("unencrypted_suffix", unencsuf, unencsuf_n)
#undef META
			if ((yl_key_is(e, "fp") && yl_under(y, e, "pgp")) ||
			    (yl_key_is(e, "recipient") && yl_under(y, e, "age")))
				if (add_recips(&m.recips, &m.nrecips, e->val,
					e->vallen) < 0)
					rc = -1;
		} else if (first_enc == NULL && is_enc(e))
			first_enc = e;
	}
	secret = kind && kind->vallen == 6 &&
	    strncasecmp(kind->val, "Secret", 6) == 0;
	sopsy = m.sops != NULL || first_enc != NULL;

	if (k->lint_done)
		sopsy = false; /* the real parser and lint spoke */
	if (sopsy && m.sops == NULL)
		rc |= report(k, first_enc, "sops-metadata-missing",
		    "ENC[] values without a sops: block: no one can decrypt "
		    "or verify it; restore the file from git history or "
		    "re-seal its plaintext", false);
	else if (sopsy && (m.mac == NULL || !is_enc(m.mac)))
		rc |= report(k, m.sops, "sops-mac-missing",
		    "sops: block without a mac: integrity cannot be checked; "
		    "restore the file or re-seal its plaintext", false);

	for (i = from; i < to && rc == 0; i++) {
		const struct yl_ent *e = &y->v[i];
		const struct yl_ent *top = yl_root(y, e);
		if (yl_key_is(top, "sops") || is_empty_value(e))
			continue;
		if (is_enc(e)) {
			if (!k->lint_done && !enc_well_formed(e->val, e->vallen))
				rc |= report(k, e, "sops-enc-malformed",
				    "malformed ENC[] value", false);
			continue;
		}
		if (m.sops != NULL && k->lint_done)
			continue;
		if (m.sops != NULL &&
		    (se = should_encrypt(&m, y, e, k->out, k->t->path)) != 0) {
			if (se < 0) {
				rc = -1;
				break;
			}
			rc |= report(k, e, "sops-plaintext",
			    "value in the clear in a sealed file", true);
			continue;
		}
		if (secret && m.sops == NULL && e != top &&
		    (yl_key_is(top, "data") || yl_key_is(top, "stringData")) &&
		    is_plaintext(e->val, e->vallen))
			rc |= report(k, e, "k8s-secret",
			    "Kubernetes Secret value in the clear", true);
		if (yl_key_is(top, "secretGenerator") && e->key == NULL &&
		    e->parent >= 0 && yl_key_is(&y->v[e->parent], "literals")) {
			const char *eq = memchr(e->val, '=', e->vallen);
			if (eq && (size_t)(eq - e->val) + 1 < e->vallen &&
			    is_plaintext(eq + 1,
				e->vallen - (size_t)(eq + 1 - e->val)))
				rc |= report(k, e, "kustomize-literal",
				    "secretGenerator literal in the clear",
				    true);
		}
	}

	for (i = from; i < to && rc == 0; i++) {
		const struct yl_ent *e = &y->v[i];
		if (e->key == NULL && e->vallen && e->parent >= 0 &&
		    yl_key_is(yl_root(y, e), "secretGenerator") &&
		    (yl_key_is(&y->v[e->parent], "files") ||
			yl_key_is(&y->v[e->parent], "envs")))
			rc = add_ref(k, e);
	}

	if (rc == 0 && m.sops && k->sr) {
		const struct sops_rule *r = NULL;
		if (sops_rule_for(k->sr, k->t->path, k->out, &r) < 0)
			rc = -1;
		else if (r && r->nrecips && !same_recips(r->recips, r->nrecips,
		    m.recips, m.nrecips))
			rc |= report(k, m.sops, "sops-wrong-recipients",
			    "sealed for other recipients than .sops.yaml "
			    "requires for this path; run seal updatekeys",
			    false);
	}
	for (i = 0; i < m.nrecips; i++)
		free(m.recips[i]);
	free(m.recips);
	(void)recip_cmp;
	return rc < 0 ? -1 : 0;
}

bool
kube_prefilter(const struct scan_text *t)
{
	return t->hints;
}

int
kube_scan(const struct sops_rules *sr, struct scan_text *t,
    struct scan_results *out)
{
	struct yl_doc y;
	struct kctx k = { .t = t, .out = out, .y = &y, .sr = sr };
	size_t i, start = 0;
	int rc = 0;

	if (sops_lint_scan(t, out, &k.lint_done) < 0)
		return -1;
	if (yl_parse(t->buf, t->len, &y) < 0) {
		yl_free(&y);
		/* too big to judge: refuse rather than pass */
		return scan_results_add(out, t->path, 0, "unreadable",
		    "structure too large to check", "", NULL, 0, false);
	}
	for (i = 0; i <= y.n && rc == 0; i++) {
		if (i == y.n || (i > start && y.v[i].doc != y.v[start].doc)) {
			if (i > start)
				rc = check_doc(&k, start, i);
			start = i;
		}
	}
	yl_free(&y);
	return rc;
}
