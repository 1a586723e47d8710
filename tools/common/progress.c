/* SPDX-License-Identifier: ISC */
/*
 * progress.c - the delayed, rate-limited progress line of progress.h.
 * Knows nothing of what is counted.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "tools/common/progress.h"

#define DELAY_NS  500000000ull /* show after 0.5 s */
#define PERIOD_NS 100000000ull /* redraw at most every 0.1 s */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
draw(struct progress *p, size_t done, const char *end)
{
	if (p->total > 0)
		fprintf(stderr, "\r%s %zu/%zu (%u%%)%s", p->title, done,
		    p->total,
		    (unsigned)(done >= p->total ? 100 : done * 100 / p->total),
		    end);
	else
		fprintf(stderr, "\r%s %zu%s", p->title, done, end);
	fflush(stderr);
	p->shown = true;
}

void
progress_begin(struct progress *p, const char *title, size_t total)
{
	p->title = title;
	p->total = total;
	p->shown = false;
	p->enabled = isatty(STDERR_FILENO) && isatty(STDOUT_FILENO);
	p->start = p->last = p->enabled ? now_ns() : 0;
}

void
progress_update(struct progress *p, size_t done)
{
	uint64_t t;

	if (!p->enabled)
		return;
	t = now_ns();
	if (t - p->start < DELAY_NS || t - p->last < PERIOD_NS)
		return;
	p->last = t;
	draw(p, done, "");
}

void
progress_end(struct progress *p, size_t done)
{
	if (p->enabled && p->shown)
		draw(p, done, ", done.\n");
	p->enabled = false;
}
