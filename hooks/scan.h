/* SPDX-License-Identifier: ISC */
/*
 * scan.h - the scanner's internal interface (hooks/ only; tools/cmd-scan.c
 * and tools/cmd-hook.c are its callers). A scan turns named byte buffers
 * into findings: rules.c matches credential patterns (Hyperscan prefilter,
 * PCRE2 confirmation), kube.c checks Kubernetes and SOPS structure,
 * engine.c runs both on one buffer, pool.c feeds buffers from git.
 * Headers go one way: scan.h (the engine, config) -> checks.h (rules.c,
 * kube.c) -> findings.h, text.h (what they share).
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
#include <stdio.h>

#include "hooks/checks.h"

#define SCAN_MAX_SIZE_DEFAULT (32u << 20) /* bigger blobs: "too-large" */
#define SCAN_BINARY_PROBE     8000u	   /* NUL in here: binary, as git */

/* Path filters and baseline (config.c) ---------------------------------- */

struct scan_ignore;
/* .sealignore: one glob per line, '#' comments, '!' re-includes. */
struct scan_ignore *scan_ignore_parse(const char *buf, size_t len, char *err,
    size_t errlen);
bool scan_ignore_match(const struct scan_ignore *ig, const char *path);
void scan_ignore_free(struct scan_ignore *ig);

/* Baselines (baseline.c) ------------------------------------------------ */

/* Argon2id cost of a new baseline's key, and the ceiling a file may ask
 * for (a baseline below the floor or above the ceiling is refused). */
#define SCAN_BASELINE_OPS     3u
#define SCAN_BASELINE_MEM     (32u << 20)
#define SCAN_BASELINE_OPS_MAX 10u
#define SCAN_BASELINE_MEM_MAX (256u << 20)

struct scan_baseline;
/* A new, empty baseline with a fresh random salt (NULL: out of memory). */
struct scan_baseline *scan_baseline_new(void);
/* The file (format in baseline.c); NULL with "line N: what" in err. */
struct scan_baseline *scan_baseline_parse(const char *buf, size_t len,
    char *err, size_t errlen);
void scan_baseline_free(struct scan_baseline *b);
/* Mark the entries r's findings match as live; with drop, remove the
 * findings the baseline accepts. *accepted: how many it accepts. The
 * key is derived here, once, when there is a finding. 0, or -1 (out of
 * memory: the caller refuses). */
int scan_baseline_apply(struct scan_baseline *b, struct scan_results *r,
    bool drop, size_t *accepted);
struct scan_baseline_entry {
	const char *path, *rule;
	unsigned line; /* in the file */
	bool live;     /* a finding matched it (after scan_baseline_apply) */
};
size_t scan_baseline_count(const struct scan_baseline *b);
bool scan_baseline_entry(const struct scan_baseline *b, size_t i,
    struct scan_baseline_entry *out);
bool scan_baseline_has_finding(struct scan_baseline *b,
    const struct scan_finding *f);
/* The file: header (b's cost and salt), then one line per distinct
 * finding of r, fingerprinted with b's key. 0 or -1. */
int scan_baseline_write(FILE *f, struct scan_baseline *b,
    const struct scan_results *r);

/* The engine (engine.c) ------------------------------------------------- */

/* The repository's rules: .seal-scan.toml (userrules.c) ----------------- */

struct scan_config;
/* NULL with "line N: what" in err on anything invalid. */
struct scan_config *scan_config_parse(const char *buf, size_t len, char *err,
    size_t errlen);
void scan_config_free(struct scan_config *c);
/* The i-th rule the config adds (false for a tuning entry or past the
 * end): its id and, where given, description, help and help_uri (NULL
 * otherwise); the strings belong to the config. */
struct scan_user_rule {
	const char *id, *description, *help, *help_uri;
};
size_t scan_config_rule_count(const struct scan_config *c);
bool scan_config_rule(const struct scan_config *c, size_t i,
    struct scan_user_rule *out);
/* Rules the repository may not disable, tune or allowlist. */
bool scan_rule_protected(const char *id);
/* Drop the findings [first, n) of one buffer that the config disables
 * or allows, then add the config's own rules' findings. 0 or -1 (OOM). */
int scan_config_apply(const struct scan_config *c, const char *path,
    const char *buf, size_t len, bool binary, struct scan_results *out,
    size_t first);

struct scan_engine;
struct scan_worker;

struct scan_opts {
	size_t max_size;	/* 0: SCAN_MAX_SIZE_DEFAULT */
	const seal_sops_config *sops; /* the repo's .sops.yaml, or NULL */
	const struct scan_config *config; /* .seal-scan.toml, or NULL */
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
size_t scan_engine_max_size(const struct scan_engine *e);

/* Files on disk (walk.c) ------------------------------------------------ */

struct scan_walk_opts {
	int threads;			/* 0: one */
	const struct scan_ignore *ignore; /* or NULL */
};
/* Scan the named files and, recursively, directories (.git skipped,
 * symbolic links not followed) with o->threads threads. 0, or -1 with
 * err set when a file or directory could not be read. */
int scan_walk_run(const struct scan_engine *e, char *const *paths,
    int npaths, const struct scan_walk_opts *o, struct scan_results *out,
    char *err, size_t errlen);

#endif
