/* SPDX-License-Identifier: ISC */
/*
 * progress.h - a git-style progress line for long bulk operations
 * ("seal scan: files 1234/20000 (6%)"), shown on stderr only when both
 * stdout and stderr are terminals and the work has already taken more
 * than half a second, redrawn at most ten times a second, erased or
 * completed by progress_end. Not thread-safe: call from one thread.
 */
#ifndef SEAL_PROGRESS_H
#define SEAL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct progress {
	const char *title;
	size_t total;	 /* 0: unknown */
	uint64_t start;	 /* ns, CLOCK_MONOTONIC */
	uint64_t last;	 /* last redraw */
	bool enabled, shown;
};

/* Begin; title like "seal scan: files". Shown only on terminals. */
void progress_begin(struct progress *p, const char *title, size_t total);
/* done items so far; cheap when nothing is drawn. */
void progress_update(struct progress *p, size_t done);
/* Final state ("..., done.") if anything was shown. */
void progress_end(struct progress *p, size_t done);

#endif
