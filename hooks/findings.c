/* SPDX-License-Identifier: ISC */
/*
 * findings.c - the list of findings every check appends to: adding one
 * (its excerpt redacted, its fingerprint a hash, never the secret),
 * merging the threads' lists, sorting, and the files a kustomize
 * secretGenerator names, judged once every file is read. It judges
 * nothing itself.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hooks/findings.h"

void
scan_results_free(struct scan_results *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i].path);
	for (i = 0; i < r->nrefs; i++) {
		free(r->refs[i].from);
		free(r->refs[i].path);
	}
	free(r->refs);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

int
scan_results_add_ref(struct scan_results *r, const char *from, unsigned line,
    const char *path)
{
	struct scan_ref *f;

	if (r->nrefs == r->caprefs) {
		size_t ncap = r->caprefs ? r->caprefs * 2 : 4;
		struct scan_ref *nv = realloc(r->refs, ncap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		r->refs = nv;
		r->caprefs = ncap;
	}
	f = &r->refs[r->nrefs];
	f->line = line;
	f->from = strdup(from);
	f->path = strdup(path);
	if (f->from == NULL || f->path == NULL) {
		free(f->from);
		free(f->path);
		return -1;
	}
	r->nrefs++;
	return 0;
}

static bool
looks_sealed(const char *b, size_t n)
{
	return memmem(b, n, "ENC[AES256_GCM", 14) &&
	    (memmem(b, n, "sops_mac=", 9) || memmem(b, n, "sops:", 5) ||
		memmem(b, n, "\"sops\"", 6));
}

int
scan_check_refs(struct scan_results *r,
    int (*read)(void *arg, const char *path, char **buf, size_t *len),
    void *arg)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->nrefs; i++) {
		const struct scan_ref *f = &r->refs[i];
		char *buf = NULL, ex[SCAN_EXCERPT_MAX + 1];
		size_t len = 0;
		int got = read(arg, f->path, &buf, &len);

		snprintf(ex, sizeof(ex), "names '%s'", f->path);
		if (got < 0) {
			if (scan_results_add(r, f->path, 0, "unreadable",
				"cannot read a file a secretGenerator names",
				ex, NULL, 0, false) < 0)
				rc = -1;
		} else if (got > 0 && len > 0 && !looks_sealed(buf, len)) {
			if (scan_results_add(r, f->from, f->line,
				"kustomize-secret-file",
				"secretGenerator names a file in the clear; "
				"seal it",
				ex, (const unsigned char *)f->path,
				strlen(f->path), false) < 0)
				rc = -1;
		}
		free(buf);
	}
	return rc;
}

void
scan_results_warn_last(struct scan_results *r)
{
	if (r->n > 0)
		r->v[r->n - 1].warning = true;
}

size_t
scan_results_blocking(const struct scan_results *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		if (!r->v[i].warning)
			n++;
	return n;
}

/*
 * BLAKE2b of a finding: the domain (NULL: none), rule, path, and the
 * secret or, without one, the line. Line numbers stay out when there is a
 * secret, so a baseline survives edits above the finding.
 */
static void
finding_hash(const char *domain, const char *rule, const char *path,
    const unsigned char *secret, size_t secretlen, unsigned line,
    unsigned char *out, size_t outlen)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, outlen);
	if (domain != NULL)
		crypto_generichash_update(&st, (const unsigned char *)domain,
		    strlen(domain) + 1);
	crypto_generichash_update(&st, (const unsigned char *)rule,
	    strlen(rule) + 1);
	crypto_generichash_update(&st, (const unsigned char *)path,
	    strlen(path) + 1);
	if (secret != NULL)
		crypto_generichash_update(&st, secret, secretlen);
	else
		crypto_generichash_update(&st, (const unsigned char *)&line,
		    sizeof(line));
	crypto_generichash_final(&st, out, outlen);
	sodium_memzero(&st, sizeof(st));
}

int
scan_results_add(struct scan_results *r, const char *path, unsigned line,
    const char *rule, const char *what, const char *excerpt,
    const unsigned char *secret, size_t secretlen, bool sealable)
{
	struct scan_finding *f;
	unsigned char h[SCAN_FP_HEX / 2];

	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 8;
		struct scan_finding *nv = realloc(r->v, ncap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		r->v = nv;
		r->cap = ncap;
	}
	f = &r->v[r->n];
	memset(f, 0, sizeof(*f));
	if ((f->path = strdup(path)) == NULL)
		return -1;
	f->line = line;
	f->rule = rule;
	f->what = what;
	snprintf(f->excerpt, sizeof(f->excerpt), "%s", excerpt ? excerpt : "");
	f->sealable = sealable;
	f->sec = (const char *)secret;
	f->seclen = secret ? secretlen : 0;
	/* Line numbers stay out of the fingerprint: a baseline must survive
	 * edits above the finding (detect-secrets and gitleaks users' main
	 * complaint). The secret is hashed, never stored. */
	finding_hash(NULL, rule, path, secret, secretlen, line, h, sizeof(h));
	sodium_bin2hex(f->fp, sizeof(f->fp), h, sizeof(h));
	finding_hash("seal-id", rule, path, secret, secretlen, line, f->id,
	    sizeof(f->id));
	sodium_memzero(h, sizeof(h));
	r->n++;
	return 0;
}

int
scan_results_merge(struct scan_results *a, struct scan_results *b)
{
	if (a->cap - a->n < b->n) {
		size_t ncap = a->n + b->n + 8;
		struct scan_finding *nv = realloc(a->v, ncap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		a->v = nv;
		a->cap = ncap;
	}
	if (b->n)
		memcpy(a->v + a->n, b->v, b->n * sizeof(*b->v));
	a->n += b->n;
	b->n = 0;
	while (b->nrefs > 0) {
		struct scan_ref *f = &b->refs[--b->nrefs];
		int rc = scan_results_add_ref(a, f->from, f->line, f->path);
		free(f->from);
		free(f->path);
		if (rc < 0)
			return -1;
	}
	free(b->refs);
	a->files += b->files;
	a->bytes += b->bytes;
	free(b->v);
	memset(b, 0, sizeof(*b));
	return 0;
}

static int
finding_cmp(const void *pa, const void *pb)
{
	const struct scan_finding *a = pa, *b = pb;
	int c = strcmp(a->path, b->path);

	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return strcmp(a->rule, b->rule);
}

void
scan_results_sort(struct scan_results *r)
{
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), finding_cmp);
}

/*
 * A temporary file of seal's in-place writes (".NAME.seal-tmp.PID.XXXXXX",
 * tools/common/util.h) holds plaintext while `seal decrypt -i` writes it,
 * and a killed seal leaves it behind: never commit one, whatever it holds.
 */
int
scan_check_name(struct scan_results *out, const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (base[0] != '.' || strstr(base + 1, ".seal-tmp.") == NULL)
		return 0;
	return scan_results_add(out, path, 0, "seal-temp-file",
	    "a temporary file left by an interrupted seal (it may hold "
	    "plaintext); delete it, do not commit it",
	    "", NULL, 0, false);
}

int
scan_too_large(struct scan_results *out, const char *path, uint64_t size,
    size_t max)
{
	char ex[SCAN_EXCERPT_MAX + 1];

	if (scan_check_name(out, path) < 0)
		return -1;
	snprintf(ex, sizeof(ex), "%llu bytes, limit %zu",
	    (unsigned long long)size, max);
	return scan_results_add(out, path, 0, "too-large",
	    "file too large to scan; raise --max-size or list it in "
	    ".sealignore", ex, NULL, 0, false);
}
