/* SPDX-License-Identifier: ISC */
/*
 * scan.h - the scanner's internal interface (hooks/ only; tools/cmd-scan.c
 * and tools/cmd-hook.c are its callers). A scan turns named byte buffers
 * into findings: rules.c matches credential patterns (Hyperscan prefilter,
 * PCRE2 confirmation), kube.c checks Kubernetes and SOPS structure,
 * engine.c runs both on one buffer, pool.c feeds buffers from git.
 *
 * Invariants: a finding never holds a secret in the clear (excerpt is
 * redacted when made; the fingerprint is a hash); the engine is read-only
 * once built and shared by threads; each thread has its own worker.
 */
#ifndef SEAL_HOOKS_SCAN_H
#define SEAL_HOOKS_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCAN_MAX_SIZE_DEFAULT (32u << 20) /* bigger blobs: "too-large" */
#define SCAN_BINARY_PROBE     8000u	   /* NUL in here: binary, as git */
#define SCAN_EXCERPT_MAX      72u
#define SCAN_FP_HEX	      16u

struct scan_finding {
	char *path;
	unsigned line;
	const char *rule;	/* static rule id */
	const char *what;	/* static one-line description */
	char excerpt[SCAN_EXCERPT_MAX + 1]; /* redacted */
	char fp[SCAN_FP_HEX + 1];	     /* hex fingerprint */
	bool sealable;		/* `seal encrypt -i` fixes it */
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
};

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

/* .sops.yaml creation rules (kube.c) ----------------------------------- */

struct sops_rules;
/* Parse a .sops.yaml; dir is its directory relative to the repo ("" for
 * the top). NULL with *err set on a malformed file. */
struct sops_rules *sops_rules_parse(const char *buf, size_t len,
    const char *dir, char *err, size_t errlen);
void sops_rules_free(struct sops_rules *r);

/* Path filters and baseline (config.c) ---------------------------------- */

struct scan_ignore;
/* .sealignore: one glob per line, '#' comments, '!' re-includes. */
struct scan_ignore *scan_ignore_parse(const char *buf, size_t len, char *err,
    size_t errlen);
bool scan_ignore_match(const struct scan_ignore *ig, const char *path);
void scan_ignore_free(struct scan_ignore *ig);

struct scan_baseline;
/* Baseline: "FINGERPRINT<tab>path<tab>rule" lines, '#' comments. */
struct scan_baseline *scan_baseline_parse(const char *buf, size_t len,
    char *err, size_t errlen);
bool scan_baseline_has(const struct scan_baseline *b, const char *fp);
void scan_baseline_free(struct scan_baseline *b);

/* The engine (engine.c) ------------------------------------------------- */

struct scan_engine;
struct scan_worker;

struct scan_opts {
	size_t max_size;	/* 0: SCAN_MAX_SIZE_DEFAULT */
	const struct sops_rules *sops; /* the repo's creation rules, or NULL */
	const char *cache_dir;	/* e.g. ~/.cache; NULL: compile every time */
};

struct scan_engine *scan_engine_new(const struct scan_opts *opts, char *err,
    size_t errlen);
void scan_engine_free(struct scan_engine *e);
struct scan_worker *scan_worker_new(const struct scan_engine *e);
void scan_worker_free(struct scan_worker *w);

/*
 * Scan one file's bytes (buf need not be NUL-terminated). Findings are
 * appended to out. Returns 0, or -1 on out-of-memory (the caller refuses).
 */
int scan_buffer(struct scan_worker *w, const char *path, const char *buf,
    size_t len, struct scan_results *out);
/* A file the engine will not read: record a "too-large" refusal. */
int scan_too_large(struct scan_results *out, const char *path, uint64_t size,
    size_t max);
size_t scan_engine_max_size(const struct scan_engine *e);

/* Internals shared by engine.c, rules.c and kube.c --------------------- */

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
/* ${X}, {{ x }}, <set-me>, xxxx, your-..., changeme-ish placeholders */
bool scan_is_placeholder(const char *s, size_t n);

struct rules;
struct rules_scratch;
/* cache_dir: where to keep the compiled prefilter (NULL: no cache) */
struct rules *rules_new(const char *cache_dir, char *err, size_t errlen);
void rules_free(struct rules *r);
struct rules_scratch *rules_scratch_new(const struct rules *r);
void rules_scratch_free(struct rules_scratch *s);
int rules_scan(const struct rules *r, struct rules_scratch *s,
    struct scan_text *t, struct scan_results *out);

/* The Kubernetes / SOPS / kustomize structural checks. */
bool kube_prefilter(const struct scan_text *t);
/* libseal's SOPS lint on a file the real stores parse; *handled says
 * whether its verdict replaces kube.c's own SOPS checks (sopslint.c). */
int sops_lint_scan(struct scan_text *t, struct scan_results *out,
    bool *handled);
int kube_scan(const struct sops_rules *sr, struct scan_text *t,
    struct scan_results *out);

#endif
