/* SPDX-License-Identifier: ISC */
/*
 * config.c - .sealignore, the path globs a repository uses to quiet the
 * scanner (gitignore-like: "vendor/", "*.lock", "/fixtures/",
 * "!keep.yaml"). The parser rejects malformed lines with the line
 * number and reads no file itself. The baseline is baseline.c.
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
