/* SPDX-License-Identifier: ISC */
/*
 * engine.c - scan one named buffer: binary and UTF-16 detection, the
 * credential rules, then the Kubernetes/SOPS structure checks when the
 * cheap prefilter says the bytes may hold such a document. Also the
 * shared helpers (lines, redaction, entropy, placeholders, findings).
 * It does not read files or git objects: pool.c and the tools do.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hooks/scan.h"

struct scan_engine {
	struct rules *rules;
	struct scan_opts opts;
};

struct scan_worker {
	const struct scan_engine *e;
	struct rules_scratch *rs;
};

/* findings --------------------------------------------------------------- */

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

int
scan_results_add(struct scan_results *r, const char *path, unsigned line,
    const char *rule, const char *what, const char *excerpt,
    const unsigned char *secret, size_t secretlen, bool sealable)
{
	struct scan_finding *f;
	crypto_generichash_state st;
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
	/* Line numbers stay out of the fingerprint: a baseline must survive
	 * edits above the finding (detect-secrets and gitleaks users' main
	 * complaint). The secret is hashed, never stored. */
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)rule,
	    strlen(rule) + 1);
	crypto_generichash_update(&st, (const unsigned char *)path,
	    strlen(path) + 1);
	if (secret != NULL)
		crypto_generichash_update(&st, secret, secretlen);
	else
		crypto_generichash_update(&st, (const unsigned char *)&line,
		    sizeof(line));
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(f->fp, sizeof(f->fp), h, sizeof(h));
	sodium_memzero(&st, sizeof(st));
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

/* text helpers ----------------------------------------------------------- */

static int
build_lines(struct scan_text *t)
{
	size_t i, n = 1, k = 0;
	const char *p = t->buf, *end = t->buf + t->len;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	if ((t->lines = malloc(n * sizeof(size_t))) == NULL)
		return -1;
	t->lines[k++] = 0;
	for (i = 0; i < t->len && k < n; i++)
		if (t->buf[i] == '\n')
			t->lines[k++] = i + 1;
	t->nlines = k;
	return 0;
}

unsigned
scan_line_of(struct scan_text *t, size_t off)
{
	size_t lo = 0, hi;

	if (t->lines == NULL && build_lines(t) < 0)
		return 0;
	hi = t->nlines;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return (unsigned)(lo + 1);
}

void
scan_line_bounds(const struct scan_text *t, size_t off, size_t *start,
    size_t *end)
{
	size_t s = off > t->len ? t->len : off, e = s;

	while (s > 0 && t->buf[s - 1] != '\n')
		s--;
	while (e < t->len && t->buf[e] != '\n')
		e++;
	*start = s;
	*end = e;
}

static bool
has_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, needle, k) == 0)
			return true;
	return false;
}

bool
scan_line_allowed(const struct scan_text *t, size_t off)
{
	size_t s, e;

	scan_line_bounds(t, off, &s, &e);
	return has_ci(t->buf + s, e - s, "seal:allow") ||
	    has_ci(t->buf + s, e - s, "gitleaks:allow") ||
	    has_ci(t->buf + s, e - s, "pragma: allowlist secret");
}

void
scan_redact(char *out, size_t outlen, const char *text, size_t textlen,
    size_t sec, size_t seclen)
{
	size_t i, o = 0, keep, stars = 0;

	if (outlen == 0)
		return;
	/* keep a few leading characters of the secret so the user can tell
	 * which value it is; never more than a quarter of it */
	keep = seclen / 4;
	if (keep > 4)
		keep = 4;
	for (i = 0; i < textlen && o + 1 < outlen; i++) {
		unsigned char c = (unsigned char)text[i];
		if (i >= sec + keep && i < sec + seclen) {
			if (stars++ < 8)
				out[o++] = '*';
			continue;
		}
		if (o + 4 >= outlen && i + 1 < textlen) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		out[o++] = (c < 0x20 || c == 0x7f || c >= 0x80) ? '?' :
								   (char)c;
	}
	out[o] = '\0';
}

double
scan_entropy(const char *s, size_t n)
{
	unsigned cnt[256] = { 0 };
	double h = 0;
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		cnt[(unsigned char)s[i]]++;
	for (i = 0; i < 256; i++) {
		if (cnt[i]) {
			double p = (double)cnt[i] / (double)n;
			h -= p * log2(p);
		}
	}
	return h;
}

bool
scan_is_placeholder(const char *s, size_t n)
{
	static const char *const words[] = { "${", "{{", "$(", "%(",
		"your-", "your_", "xxxx", "****", "....", "example",
		"placeholder", "changeme", "redacted", "dummy", "replace_me",
		"replace-me", "set-me", "secrets.", "vault:", "ref+", NULL };
	size_t i;

	if (n == 0)
		return true;
	if (s[0] == '$' || s[0] == '%' || s[0] == '@')
		return true; /* $VAR, %VAR%, @Variable */
	if ((s[0] == '<' && memchr(s, '>', n)) ||
	    (s[0] == '[' && memchr(s, ']', n)))
		return true; /* <set-me>, [PASSWORD] */
	for (i = 0; words[i]; i++)
		if (has_ci(s, n, words[i]))
			return true;
	return false;
}

/* the engine ------------------------------------------------------------- */

struct scan_engine *
scan_engine_new(const struct scan_opts *opts, char *err, size_t errlen)
{
	struct scan_engine *e = calloc(1, sizeof(*e));

	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (opts)
		e->opts = *opts;
	if (e->opts.max_size == 0)
		e->opts.max_size = SCAN_MAX_SIZE_DEFAULT;
	if ((e->rules = rules_new(e->opts.cache_dir, err, errlen)) == NULL) {
		free(e);
		return NULL;
	}
	return e;
}

void
scan_engine_free(struct scan_engine *e)
{
	if (e == NULL)
		return;
	rules_free(e->rules);
	free(e);
}

size_t
scan_engine_max_size(const struct scan_engine *e)
{
	return e->opts.max_size;
}

struct scan_worker *
scan_worker_new(const struct scan_engine *e)
{
	struct scan_worker *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->e = e;
	if ((w->rs = rules_scratch_new(e->rules)) == NULL) {
		free(w);
		return NULL;
	}
	return w;
}

void
scan_worker_free(struct scan_worker *w)
{
	if (w == NULL)
		return;
	rules_scratch_free(w->rs);
	free(w);
}

int
scan_too_large(struct scan_results *out, const char *path, uint64_t size,
    size_t max)
{
	char ex[SCAN_EXCERPT_MAX + 1];

	snprintf(ex, sizeof(ex), "%llu bytes, limit %zu",
	    (unsigned long long)size, max);
	return scan_results_add(out, path, 0, "too-large",
	    "file too large to scan; raise --max-size or list it in "
	    ".sealignore", ex, NULL, 0, false);
}

/*
 * UTF-16 text (a BOM, or a zero in every other byte of the probe) is
 * "binary" to git and silently skipped by most scanners. Narrow it to
 * its low bytes so the rules see the ASCII in it.
 */
static char *
narrow_utf16(const char *buf, size_t len, size_t *outlen)
{
	size_t i, o = 0, probe = len < 512 ? len : 512, zodd = 0, zeven = 0;
	int lo; /* index of the byte carrying ASCII in each pair */
	char *out;

	if (len < 4)
		return NULL;
	if ((unsigned char)buf[0] == 0xff && (unsigned char)buf[1] == 0xfe)
		lo = 0;
	else if ((unsigned char)buf[0] == 0xfe && (unsigned char)buf[1] == 0xff)
		lo = 1;
	else {
		for (i = 0; i + 1 < probe; i += 2) {
			zeven += buf[i] == 0;
			zodd += buf[i + 1] == 0;
		}
		if (zodd * 10 >= probe / 2 * 9 && zeven == 0)
			lo = 0;
		else if (zeven * 10 >= probe / 2 * 9 && zodd == 0)
			lo = 1;
		else
			return NULL;
	}
	if ((out = malloc(len / 2 + 2)) == NULL) /* odd lengths round up */
		return NULL;
	for (i = (size_t)lo; i < len; i += 2)
		if (buf[i] != 0)
			out[o++] = buf[i];
	out[o] = '\0';
	*outlen = o;
	return out;
}

int
scan_buffer(struct scan_worker *w, const char *path, const char *buf,
    size_t len, struct scan_results *out)
{
	struct scan_text t = { .path = path, .buf = buf, .len = len };
	char *narrow = NULL;
	size_t nlen = 0;
	int rc = 0;

	out->files++;
	out->bytes += len;
	if (len > w->e->opts.max_size)
		return scan_too_large(out, path, len, w->e->opts.max_size);
	if (memchr(buf, '\0', len < SCAN_BINARY_PROBE ? len :
							SCAN_BINARY_PROBE)) {
		narrow = narrow_utf16(buf, len, &nlen);
		if (narrow) {
			t.buf = narrow;
			t.len = nlen;
		} else
			t.binary = true;
	}
	if (rules_scan(w->e->rules, w->rs, &t, out) < 0)
		rc = -1;
	/* a NUL does not make a manifest harmless: structure is checked
	 * whenever the prefilter saw the words for it */
	if (rc == 0 && kube_prefilter(&t) &&
	    kube_scan(w->e->opts.sops, &t, out) < 0)
		rc = -1;
	free(t.lines);
	free(narrow);
	return rc;
}
