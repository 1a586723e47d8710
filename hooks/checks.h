/* SPDX-License-Identifier: ISC */
/*
 * checks.h - the checks engine.c runs on one file's text: the credential
 * rules (rules.c), the Kubernetes / SOPS / kustomize structure checks
 * (kube.c, on libseal's public SOPS lint). They sit above
 * findings.h and text.h and below the engine (scan.h); none of them
 * includes the engine.
 */
#ifndef SEAL_HOOKS_CHECKS_H
#define SEAL_HOOKS_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

#include <seal.h>

#include "hooks/findings.h"
#include "hooks/text.h"

/*
 * Every PCRE2 match of the scanner runs under explicit limits (steps,
 * depth, heap). Returns pcre2_match's value; any negative value but
 * PCRE2_ERROR_NOMATCH means "could not decide": a failed scan, never "no
 * finding" (scan_re_failed records why).
 */
#define SCAN_RE_MATCH_LIMIT    10000000u
#define SCAN_RE_DEPTH_LIMIT    10000u
#define SCAN_RE_HEAP_LIMIT_KIB 65536u
int scan_re_match(const void *code, const char *subject, size_t len,
    size_t start, void *md);
/* Record a regex failure (rc from scan_re_match) for path in out->err;
 * returns -1. */
int scan_re_failed(struct scan_results *out, const char *path,
    const char *what, int rc);

struct rules;
struct rules_scratch;
/* id names a built-in rule (rules.c or kube.c) */
bool rules_builtin_id(const char *id);
/* cache_dir: where to keep the compiled prefilter (NULL: no cache) */
struct rules *rules_new(const char *cache_dir, char *err, size_t errlen);
void rules_free(struct rules *r);
struct rules_scratch *rules_scratch_new(const struct rules *r);
void rules_scratch_free(struct rules_scratch *s);
int rules_scan(const struct rules *r, struct rules_scratch *s,
    struct scan_text *t, struct scan_results *out);

/*
 * The Kubernetes / SOPS / kustomize structural checks (kube.c): libseal's
 * seal_sops_lint() verdict as findings, recipients against sc (the
 * repository's .sops.yaml, or NULL), and the line reader for what the
 * real stores cannot parse.
 */
bool kube_prefilter(const struct scan_text *t);
int kube_scan(const seal_sops_config *sc, struct scan_text *t,
    struct scan_results *out);

#endif
