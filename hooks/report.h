/* SPDX-License-Identifier: ISC */
/* report.h - printing findings and baselines (hooks/report.c). */
#ifndef SEAL_HOOKS_REPORT_H
#define SEAL_HOOKS_REPORT_H

#include <stdio.h>

#include "hooks/scan.h"

enum scan_format { SCAN_FMT_TEXT = 1, SCAN_FMT_JSON, SCAN_FMT_SARIF };

void scan_report(FILE *f, const struct scan_results *r, enum scan_format fmt);
int scan_write_baseline(FILE *f, const struct scan_results *r);
/* Drop findings the baseline accepts; returns how many. */
size_t scan_apply_baseline(struct scan_results *r,
    const struct scan_baseline *b);
/* Sort, and drop generic-secret findings on lines another rule flagged. */
void scan_dedupe(struct scan_results *r);

#endif
