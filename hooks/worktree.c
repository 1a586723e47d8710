/* SPDX-License-Identifier: ISC */
/*
 * worktree.c - where the bytes come from when the work tree already holds
 * them: an index entry's file, read instead of inflating its blob, but
 * only while its stat data is the index's (as git trusts it, racily-clean
 * entries excepted). Batches go through io_uring (wtread.c) where the
 * kernel allows it, single files through openat() below a cached
 * directory. Anything doubtful answers "read the blob".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hooks/source.h"
#include "hooks/wtread.h"

_Static_assert(WORK_BATCH <= WT_BATCH, "a batch fits one ring submission");

struct work_reader {
	/* one file at a time */
	char *p;
	size_t cap;
	int dfd;      /* the directory of the last file read */
	size_t dlen;  /* length of its path in dir[] */
	char dir[4096];
	/* a batch through io_uring */
	struct wt_ring *ring;
	bool tried;
	struct wt_req q[WORK_BATCH];
	char *buf[WORK_BATCH];
	size_t bcap[WORK_BATCH];
	int slot[WORK_BATCH]; /* job k of the batch: its request, or -1 */
	bool ok[WORK_BATCH];  /* job k's bytes are in its slot */
};

struct work_reader *
work_reader_new(void)
{
	struct work_reader *w = calloc(1, sizeof(*w));

	if (w != NULL)
		w->dfd = -1;
	return w;
}

void
work_reader_free(struct work_reader *w)
{
	size_t k;

	if (w == NULL)
		return;
	wt_ring_free(w->ring); /* before the buffers it reads into */
	for (k = 0; k < WORK_BATCH; k++)
		free(w->buf[k]);
	free(w->p);
	if (w->dfd >= 0)
		close(w->dfd);
	free(w);
}

/* Is the work-tree file byte-for-byte what the index entry holds? Trust
 * the stat data as git does, except for racily-clean entries. */
static bool
stat_clean(const struct scan_repo *r, const struct job *j,
    const struct stat *st)
{
	if (!S_ISREG(st->st_mode) || (uint64_t)st->st_size != j->size ||
	    (uint32_t)st->st_mtim.tv_sec != j->mt_s ||
	    (uint32_t)st->st_mtim.tv_nsec != j->mt_ns ||
	    (uint32_t)st->st_ino != j->ino)
		return false;
	if (st->st_mtim.tv_sec > r->index_mtime.tv_sec ||
	    (st->st_mtim.tv_sec == r->index_mtime.tv_sec &&
		st->st_mtim.tv_nsec >= r->index_mtime.tv_nsec))
		return false; /* racy: modified in the index's second */
	return true;
}

/* stat_clean() for what io_uring's STATX saw */
static bool
statx_clean(const struct scan_repo *r, const struct job *j,
    const struct statx *x)
{
	if (!S_ISREG(x->stx_mode) || x->stx_size != j->size ||
	    (uint32_t)x->stx_mtime.tv_sec != j->mt_s ||
	    x->stx_mtime.tv_nsec != j->mt_ns || (uint32_t)x->stx_ino != j->ino)
		return false;
	if (x->stx_mtime.tv_sec > r->index_mtime.tv_sec ||
	    (x->stx_mtime.tv_sec == r->index_mtime.tv_sec &&
		x->stx_mtime.tv_nsec >= (uint32_t)r->index_mtime.tv_nsec))
		return false; /* racy: modified in the index's second */
	return true;
}

/* Open path relative to a cached directory fd: the kernel walks one
 * component instead of the whole path (jobs come sorted by path, so a
 * thread stays in one directory for many files). */
static int
open_work(struct work_reader *w, const char *path, int flags)
{
	const char *slash = strrchr(path, '/');
	size_t dl;

	if (slash == NULL || (dl = (size_t)(slash - path)) == 0 ||
	    dl >= sizeof(w->dir))
		return open(path, flags);
	if (w->dfd < 0 || dl != w->dlen || memcmp(w->dir, path, dl) != 0) {
		if (w->dfd >= 0)
			close(w->dfd);
		memcpy(w->dir, path, dl);
		w->dir[dl] = '\0';
		w->dlen = dl;
		w->dfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (w->dfd < 0)
			return open(path, flags);
	}
	return openat(w->dfd, slash + 1, flags);
}

/* Grow *p to hold need bytes (work-tree bytes are what is tracked, not
 * secrets we own, so growing by realloc is fine here). */
static int
grow(char **p, size_t *cap, size_t need)
{
	char *np;

	if (*cap >= need)
		return 0;
	need += 64u << 10; /* reused: fresh pages cost more than the scan */
	if ((np = realloc(*p, need)) == NULL)
		return -1;
	*p = np;
	*cap = need;
	return 0;
}

/* Read the work-tree copy if it is stat-clean; -1 means "use the blob". */
static int
read_work(struct work_reader *w, const struct scan_repo *r,
    const struct job *j, size_t max, size_t *len, uint64_t *size)
{
	int fd = open_work(w, j->work, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
		O_NOATIME);
	struct stat st;
	size_t got = 0;
	ssize_t k;

	if (fd < 0 && errno == EPERM) /* O_NOATIME on another's file */
		fd = open_work(w, j->work, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !stat_clean(r, j, &st)) {
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return 1;
	}
	if (grow(&w->p, &w->cap, (size_t)st.st_size + 1) < 0) {
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		k = read(fd, w->p + got, (size_t)st.st_size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	if (got != (size_t)st.st_size)
		return -1;
	*len = got;
	return 0;
}

/* Queue job j's file in the next free request; false if it cannot be. */
static bool
queue(struct work_reader *w, const struct job *j, int n)
{
	/* size + 1: a file that grew is caught, not cut */
	if (grow(&w->buf[n], &w->bcap[n], (size_t)j->size + 1) < 0)
		return false;
	w->q[n].path = j->path;
	w->q[n].buf = w->buf[n];
	w->q[n].cap = (size_t)j->size + 1;
	return true;
}

void
work_prefetch(struct work_reader *w, const struct scan_repo *r, size_t i0,
    size_t nb, size_t max)
{
	size_t k;
	int n = 0;

	for (k = 0; k < nb; k++) {
		w->ok[k] = false;
		w->slot[k] = -1;
	}
	if (!r->fast)
		return;
	for (k = 0; k < nb; k++) {
		const struct job *j = &r->jobs[i0 + k];
		if (j->work == NULL || j->size > max)
			continue;
		if (!w->tried) {
			w->tried = true;
			w->ring = wt_ring_new(r->gr.workdir);
		}
		if (w->ring == NULL)
			return;
		if (queue(w, j, n))
			w->slot[k] = n++;
	}
	if (n == 0)
		return;
	if (wt_ring_read(w->ring, w->q, n) < 0) {
		wt_ring_free(w->ring); /* broken: the plain path from now */
		w->ring = NULL;
		return;
	}
	for (k = 0; k < nb; k++) {
		const struct job *j = &r->jobs[i0 + k];
		const struct wt_req *q;
		if (w->slot[k] < 0)
			continue;
		q = &w->q[w->slot[k]];
		w->ok[k] = q->sres == 0 && q->rres >= 0 &&
		    (uint64_t)q->rres == j->size && statx_clean(r, j, &q->stx);
	}
}

int
work_get(struct work_reader *w, const struct scan_repo *r, size_t i0,
    size_t k, size_t max, const char **buf, size_t *len, uint64_t *size)
{
	const struct job *j = &r->jobs[i0 + k];
	int rc;

	if (w->ok[k]) {
		*buf = w->buf[w->slot[k]];
		*len = (size_t)j->size;
		return 0;
	}
	if (j->work == NULL)
		return -1;
	if ((rc = read_work(w, r, j, max, len, size)) == 0)
		*buf = w->p;
	return rc;
}
