/* SPDX-License-Identifier: ISC */
/*
 * text.c - what the credential rules (rules.c) and the structure checks
 * (kube.c) share about one file's text: line numbers, line bounds, the
 * inline allow markers, redaction, entropy and placeholder tests. Below
 * both; it knows no rule.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/text.h"

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

