/* SPDX-License-Identifier: ISC */
/*
 * config.c - the two files a repository uses to quiet the scanner:
 * .sealignore (path globs, gitignore-like: "vendor/", "*.lock",
 * "/fixtures/", "!keep.yaml") and the baseline (fingerprints of accepted findings, one
 * per line: "FINGERPRINT<TAB>path<TAB>rule"; only the fingerprint counts).
 * Both parsers reject malformed lines with the line number; neither
 * reads files itself.
 */
#include "config.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/scan.h"

#define CONFIG_MAX_LINE 4096

struct pat {
	char *glob;
	bool neg, anchored, dir, slash;
};

struct scan_ignore {
	struct pat *v;
	size_t n;
};

struct scan_baseline {
	char (*fp)[SCAN_FP_HEX + 1];
	size_t n;
};

/* Calls fn for each line (without newline/CR); stops on fn's non-zero. */
static int
each_line(const char *buf, size_t len, int (*fn)(void *, unsigned,
    const char *, size_t), void *arg)
{
	const char *p = buf, *end = buf + len;
	unsigned line = 0;

	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t n;
		int rc;
		if (e == NULL)
			e = end;
		n = (size_t)(e - p);
		if (n && p[n - 1] == '\r')
			n--;
		if ((rc = fn(arg, ++line, p, n)) != 0)
			return rc;
		p = e + 1;
	}
	return 0;
}

struct ig_state {
	struct scan_ignore *ig;
	char *err;
	size_t errlen;
};

static int
ig_line(void *arg, unsigned line, const char *s, size_t n)
{
	struct ig_state *st = arg;
	struct pat p = { 0 };
	struct pat *nv;

	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	if (n == 0 || *s == '#')
		return 0;
	if (n > CONFIG_MAX_LINE || memchr(s, '\0', n)) {
		snprintf(st->err, st->errlen, "line %u: not a path pattern",
		    line);
		return -1;
	}
	if (*s == '!') {
		p.neg = true;
		s++;
		n--;
	}
	if (n && *s == '/') {
		p.anchored = true;
		s++;
		n--;
	}
	if (n && s[n - 1] == '/') {
		p.dir = true;
		n--;
	}
	if (n == 0) {
		snprintf(st->err, st->errlen, "line %u: empty pattern", line);
		return -1;
	}
	p.slash = memchr(s, '/', n) != NULL;
	if ((p.glob = strndup(s, n)) == NULL) {
		snprintf(st->err, st->errlen, "out of memory");
		return -1;
	}
	nv = realloc(st->ig->v, (st->ig->n + 1) * sizeof(*nv));
	if (nv == NULL) {
		free(p.glob);
		snprintf(st->err, st->errlen, "out of memory");
		return -1;
	}
	st->ig->v = nv;
	st->ig->v[st->ig->n++] = p;
	return 0;
}

struct scan_ignore *
scan_ignore_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	struct scan_ignore *ig = calloc(1, sizeof(*ig));
	struct ig_state st = { ig, err, errlen };

	if (ig == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (each_line(buf, len, ig_line, &st) != 0) {
		scan_ignore_free(ig);
		return NULL;
	}
	return ig;
}

void
scan_ignore_free(struct scan_ignore *ig)
{
	size_t i;

	if (ig == NULL)
		return;
	for (i = 0; i < ig->n; i++)
		free(ig->v[i].glob);
	free(ig->v);
	free(ig);
}

static bool
pat_match(const struct pat *p, const char *path)
{
	char buf[4096];
	size_t len = strlen(path), i;

	if (len >= sizeof(buf))
		return false;
	/* try the whole path and each leading directory ("a", "a/b") */
	for (i = 0; i <= len; i++) {
		bool is_dir = i < len;
		const char *cand, *base;
		if (i < len && path[i] != '/')
			continue;
		if (p->dir && !is_dir)
			continue;
		memcpy(buf, path, i);
		buf[i] = '\0';
		cand = buf;
		if (!p->slash && !p->anchored) {
			base = strrchr(buf, '/');
			cand = base ? base + 1 : buf;
		}
		if (fnmatch(p->glob, cand, 0) == 0)
			return true;
	}
	return false;
}

bool
scan_ignore_match(const struct scan_ignore *ig, const char *path)
{
	bool hit = false;
	size_t i;

	if (ig == NULL)
		return false;
	for (i = 0; i < ig->n; i++)
		if (pat_match(&ig->v[i], path))
			hit = !ig->v[i].neg;
	return hit;
}

struct bl_state {
	struct scan_baseline *b;
	size_t cap;
	char *err;
	size_t errlen;
};

static int
bl_line(void *arg, unsigned line, const char *s, size_t n)
{
	struct bl_state *st = arg;
	size_t i;

	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	if (n == 0 || *s == '#')
		return 0;
	for (i = 0; i < SCAN_FP_HEX; i++) {
		if (i >= n || !isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i])) {
			snprintf(st->err, st->errlen, "line %u: expected a "
			    "%u-digit lower-case hex fingerprint", line,
			    SCAN_FP_HEX);
			return -1;
		}
	}
	if (n > SCAN_FP_HEX && !isspace((unsigned char)s[SCAN_FP_HEX])) {
		snprintf(st->err, st->errlen,
		    "line %u: fingerprint is too long", line);
		return -1;
	}
	if (st->b->n == st->cap) {
		size_t ncap = st->cap ? st->cap * 2 : 16;
		void *nv = realloc(st->b->fp, ncap * sizeof(*st->b->fp));
		if (nv == NULL) {
			snprintf(st->err, st->errlen, "out of memory");
			return -1;
		}
		st->b->fp = nv;
		st->cap = ncap;
	}
	memcpy(st->b->fp[st->b->n], s, SCAN_FP_HEX);
	st->b->fp[st->b->n][SCAN_FP_HEX] = '\0';
	st->b->n++;
	return 0;
}

static int
fp_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

struct scan_baseline *
scan_baseline_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	struct scan_baseline *b = calloc(1, sizeof(*b));
	struct bl_state st = { b, 0, err, errlen };

	if (b == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (each_line(buf, len, bl_line, &st) != 0) {
		scan_baseline_free(b);
		return NULL;
	}
	if (b->n > 1)
		qsort(b->fp, b->n, sizeof(*b->fp), fp_cmp);
	return b;
}

bool
scan_baseline_has(const struct scan_baseline *b, const char *fp)
{
	return b && b->n &&
	    bsearch(fp, b->fp, b->n, sizeof(*b->fp), fp_cmp) != NULL;
}

void
scan_baseline_free(struct scan_baseline *b)
{
	if (b == NULL)
		return;
	free(b->fp);
	free(b);
}
