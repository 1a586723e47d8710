/* SPDX-License-Identifier: ISC */
/* report.h - printing findings and baselines (hooks/report.c). */
#ifndef SEAL_HOOKS_REPORT_H
#define SEAL_HOOKS_REPORT_H

#include <stdio.h>

#include "hooks/scan.h"

enum scan_format { SCAN_FMT_TEXT = 1, SCAN_FMT_JSON, SCAN_FMT_SARIF };

/* A built-in rule's help (rulehelp.c): what it detects, why it matters,
 * how to fix it (`commands` in backticks), as in doc/seal-scan-rules.md. */
struct scan_rule_help {
	const char *id, *name, *what, *why, *fix;
};
size_t scan_rule_help_count(void);
const struct scan_rule_help *scan_rule_help_at(size_t i);
/* The rule's help; for an id that is not built in, the help of
 * repository rules (id "user-rules"). */
const struct scan_rule_help *scan_rule_help_for(const char *id);
/* The rules document's URL (configure --with-docs-url); helpUri is
 * this, '#', the rule id. */
const char *scan_docs_url(void);

/* cfg: the repository's rules, for their ids and help (or NULL). */
void scan_report(FILE *f, const struct scan_results *r, enum scan_format fmt,
    const struct scan_config *cfg);
/* Sort, and drop generic-secret findings on lines another rule flagged. */
void scan_dedupe(struct scan_results *r);

#endif
