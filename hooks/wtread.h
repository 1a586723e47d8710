/* SPDX-License-Identifier: ISC */
/*
 * wtread.h - batched reads of work-tree files through io_uring
 * (wtread.c), for `seal scan --all` and the hook (worktree.c) and for
 * `seal scan PATH` (walk.c): statx, open, read and close of up to
 * WT_BATCH files in one system call instead of four per file. Only an
 * accelerator: any failure and the caller reads the file as before.
 */
#ifndef SEAL_HOOKS_WTREAD_H
#define SEAL_HOOKS_WTREAD_H

#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>

#define WT_BATCH 16

struct wt_req {
	const char *path; /* relative to the work tree */
	char *buf;	  /* cap bytes */
	size_t cap;
	struct statx stx; /* out: the file's stat data (AT_SYMLINK_NOFOLLOW) */
	int sres, rres;	  /* out: statx result, bytes read or -errno */
};

struct wt_ring;

/* NULL if io_uring is unavailable (old kernel, seccomp, sysctl). */
struct wt_ring *wt_ring_new(const char *workdir);
/* 0 with each request's results, -1 if the ring itself failed. */
int wt_ring_read(struct wt_ring *r, struct wt_req *q, int n);
void wt_ring_free(struct wt_ring *r);

#endif
