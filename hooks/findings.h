/* SPDX-License-Identifier: ISC */
/*
 * findings.h - the bottom of the scanner: the findings every check
 * appends to (findings.c). Invariants: a finding never holds a secret in
 * the clear (its excerpt is redacted when made, its fingerprint is a
 * hash); a list belongs to one thread until merged.
 */
#ifndef SEAL_HOOKS_FINDINGS_H
#define SEAL_HOOKS_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCAN_EXCERPT_MAX 72u
#define SCAN_FP_HEX	 16u

struct scan_finding {
	char *path;
	unsigned line;
	const char *rule;	/* static rule id */
	const char *what;	/* static one-line description */
	char excerpt[SCAN_EXCERPT_MAX + 1]; /* redacted */
	char fp[SCAN_FP_HEX + 1];	     /* hex fingerprint */
	/* the finding's identity for baselines: BLAKE2b-256 of the rule,
	 * path and secret (or line), in memory only; baseline.c keys it
	 * with the baseline's salted key before anything is written */
	unsigned char id[32];
	bool sealable;		/* `seal encrypt -i` fixes it */
	/* the secret's bytes in the buffer being scanned, only while
	 * scan_buffer() runs (the repository's allowlists look at it) */
	const char *sec;
	size_t seclen;
	bool warning;		/* reported, but does not refuse the commit */
};

/* A file a kustomize secretGenerator names (files:/envs:): it must be
 * sealed, which is checked once every file has been scanned. */
struct scan_ref {
	char *from;		/* the kustomization */
	unsigned line;
	char *path;		/* resolved, repository-relative */
};

struct scan_results {
	struct scan_finding *v;
	size_t n, cap;
	size_t files, bytes;	/* scanned */
	struct scan_ref *refs;
	size_t nrefs, caprefs;
	/* why a scan of a file failed (-1) when it is not out of memory:
	 * "path: ..." one line; the caller prints it and exits 2 */
	char err[512];
};

/* The last finding added becomes a warning: shown, not refusing. */
void scan_results_warn_last(struct scan_results *r);
/* Findings that refuse the commit (warnings aside). */
size_t scan_results_blocking(const struct scan_results *r);

int scan_results_add_ref(struct scan_results *r, const char *from,
    unsigned line, const char *path);
/*
 * Judge the recorded references: read(arg, path, &buf, &len) returns 1
 * with a malloc'd copy, 0 if the path is not there, -1 on error. A named
 * file that exists and is not sealed is a "kustomize-secret-file"
 * finding. Returns 0, or -1 if a read failed (recorded as "unreadable").
 */
int scan_check_refs(struct scan_results *r,
    int (*read)(void *arg, const char *path, char **buf, size_t *len),
    void *arg);

void scan_results_free(struct scan_results *r);
int scan_results_add(struct scan_results *r, const char *path, unsigned line,
    const char *rule, const char *what, const char *excerpt,
    const unsigned char *secret, size_t secretlen, bool sealable);
/* Move b's findings to the end of a (b is left empty). */
int scan_results_merge(struct scan_results *a, struct scan_results *b);
/* Sort by path, then line, then rule. */
void scan_results_sort(struct scan_results *r);
/* A file named as seal's temporary files are: record "seal-temp-file". */
int scan_check_name(struct scan_results *out, const char *path);
/* A file the engine will not read: record a "too-large" refusal. */
int scan_too_large(struct scan_results *out, const char *path, uint64_t size,
    size_t max);

#endif
