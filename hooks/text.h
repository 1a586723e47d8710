/* SPDX-License-Identifier: ISC */
/*
 * text.h - one file's text as the credential rules (rules.c) and the
 * structure checks (kube.c) see it, and the helpers both use (text.c).
 * Below both: it includes nothing of the scanner.
 */
#ifndef SEAL_HOOKS_TEXT_H
#define SEAL_HOOKS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

struct scan_text {
	const char *path;
	const char *buf;
	size_t len;
	bool binary;
	bool hints;	/* rules.c saw kind: Secret, sops, ENC[... */
	/* line start offsets, built lazily by scan_line_of */
	size_t *lines;
	size_t nlines;
};
unsigned scan_line_of(struct scan_text *t, size_t off);
/* [*start, *end) of the line holding off (no newline). */
void scan_line_bounds(const struct scan_text *t, size_t off, size_t *start,
    size_t *end);
/* Inline markers: seal:allow, gitleaks:allow, pragma: allowlist secret. */
bool scan_line_allowed(const struct scan_text *t, size_t off);
/* Make a redacted excerpt: text with [sec, sec+seclen) masked. */
void scan_redact(char *out, size_t outlen, const char *text, size_t textlen,
    size_t sec, size_t seclen);
double scan_entropy(const char *s, size_t n);

#endif
