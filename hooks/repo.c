/* SPDX-License-Identifier: ISC */
/*
 * repo.c - where the bytes come from: the staged blobs of the next commit
 * (the index git hands the hook, GIT_INDEX_FILE honoured, never written;
 * an unborn HEAD compares with the empty tree), every tracked file of the
 * index or of a revision, or every blob a range of history introduced,
 * as a list of jobs. The index and objects are read by hooks/git/ when
 * the repository is plain (libgit2's start-up costs more than the hook's
 * budget); libgit2 (hooks/git/libgit2.c) is opened only when that reader
 * steps aside, and always for revisions and history. Scanning the jobs
 * is hooks/pool.c's; judging the bytes is engine.c's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hooks/source.h"

#define MODE_TREE   0040000u
#define MODE_LINK   0120000u
#define MODE_COMMIT 0160000u /* a gitlink (submodule) */

bool
repo_skip_mode(uint32_t mode)
{
	return mode == MODE_COMMIT || mode == MODE_TREE || mode == 0;
}

int
scan_repo_open(struct scan_repo **out, char *err, size_t errlen)
{
	struct scan_repo *r;
	struct stat st;
	char ferr[128];

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&r->gitmu, NULL);
	/* the index's time first: a file changed after it is racy */
	if (getenv("SEAL_SCAN_NO_FAST") == NULL &&
	    gix_repo_discover(&r->gr) == GIX_OK &&
	    gix_repo_packs(&r->gr) == GIX_OK &&
	    stat(r->gr.indexpath, &st) == 0 &&
	    gix_repo_index(&r->gr, &r->ix, &r->ixbuf, &r->ixlen, ferr,
		sizeof(ferr)) == GIX_OK) {
		r->fast = true;
		r->index_mtime = st.st_mtim;
		r->gitdir = strdup(r->gr.gitdir);
		if (r->gitdir == NULL) {
			snprintf(err, errlen, "out of memory");
			scan_repo_free(r);
			return -1;
		}
	} else if (lg_open(r, err, errlen) < 0) {
		scan_repo_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

void
repo_drop_jobs(struct scan_repo *r)
{
	size_t i;

	for (i = 0; i < r->njobs; i++) {
		free(r->jobs[i].path);
		free(r->jobs[i].work);
	}
	r->njobs = 0;
}

void
scan_repo_free(struct scan_repo *r)
{
	if (r == NULL)
		return;
	repo_drop_jobs(r);
	free(r->jobs);
	lg_free(r->lg);
	gix_index_free(r->ix);
	gix_unmap(r->ixbuf, r->ixlen);
	gix_repo_close(&r->gr);
	free(r->gitdir);
	pthread_mutex_destroy(&r->gitmu);
	free(r);
}

const char *
scan_repo_workdir(const struct scan_repo *r)
{
	return r->fast ? r->gr.workdir : lg_workdir(r->lg);
}

size_t
scan_repo_njobs(const struct scan_repo *r)
{
	return r->njobs;
}

int
scan_repo_read_file(struct scan_repo *r, enum scan_source src,
    const char *rev, const char *path, char **buf, size_t *len, char *err,
    size_t errlen)
{
	const size_t max = 1u << 20;
	uint64_t size;
	int rc;

	*buf = NULL;
	*len = 0;
	if (src != SCAN_SRC_TREE && r->fast) {
		const struct gix_entry *e = gix_index_find(r->ix, path);
		if (e == NULL)
			return 0;
		rc = gix_read_object(&r->gr, e->oid, "blob", max, buf, len,
		    &size);
		if (rc == GIX_OK)
			return 1;
		if (rc != 1 && lg_open(r, err, errlen) == 0)
			rc = lg_read_blob(r, e->oid, max, buf, len);
	} else if (lg_open(r, err, errlen) < 0) {
		return -1;
	} else if ((rc = lg_read_path(r, src, rev, path, max, buf, len)) ==
	    2) {
		return 0;
	} else if (rc == 3) {
		snprintf(err, errlen, "unknown revision '%s'",
		    rev ? rev : "HEAD");
		return -1;
	}
	if (rc != 0) {
		snprintf(err, errlen, "cannot read '%s' from git", path);
		free(*buf);
		*buf = NULL;
		return -1;
	}
	return 1;
}

int
repo_add_job(struct scan_repo *r, const char *path,
    const uint8_t oid[GIX_OIDLEN], const char *work, const struct job *st)
{
	struct job *j;

	if (r->njobs == r->capjobs) {
		size_t ncap = r->capjobs ? r->capjobs * 2 : 256;
		struct job *nv = realloc(r->jobs, ncap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		r->jobs = nv;
		r->capjobs = ncap;
	}
	j = &r->jobs[r->njobs];
	memset(j, 0, sizeof(*j));
	if ((j->path = strdup(path)) == NULL)
		return -1;
	if (work && (j->work = strdup(work)) == NULL) {
		free(j->path);
		return -1;
	}
	memcpy(j->oid, oid, GIX_OIDLEN);
	if (st) {
		j->size = st->size;
		j->mt_s = st->mt_s;
		j->mt_ns = st->mt_ns;
		j->ino = st->ino;
	}
	r->njobs++;
	return 0;
}

struct fast_ctx {
	struct scan_repo *r;
	const struct scan_ignore *ig;
};

/*
 * The work-tree file that may stand in for entry e's blob (pool.c reads
 * it only while its stat data is the entry's and not racy, as git trusts
 * it): none for symbolic links (the blob is the link's target), for
 * skip-worktree entries (git does not look at the file) or without a
 * work tree: then work is empty.
 */
static void
work_path(const struct scan_repo *r, const struct gix_entry *e, char *work,
    size_t len)
{
	work[0] = '\0';
	if (e->mode == MODE_LINK || (e->xflags & 0x4000) != 0 ||
	    r->gr.workdir[0] == '\0')
		return;
	if ((size_t)snprintf(work, len, "%s%s", r->gr.workdir, e->path) >=
	    len)
		work[0] = '\0';
}

static int
fast_staged_cb(void *arg, const struct gix_entry *e)
{
	static const uint8_t zero[GIX_OIDLEN];
	struct fast_ctx *c = arg;
	struct job st = { .size = e->size, .mt_s = e->mtime_s,
		.mt_ns = e->mtime_ns, .ino = e->ino };
	char work[2 * GIX_MAX_PATH];

	if (repo_skip_mode(e->mode) || memcmp(e->oid, zero, GIX_OIDLEN) == 0 ||
	    scan_ignore_match(c->ig, e->path))
		return 0;
	/* what the commit adds is mostly what `git add` just read from
	 * the work tree: read that copy while it is stat-clean, in io_uring
	 * batches, instead of inflating each new loose object */
	work_path(c->r, e, work, sizeof(work));
	return repo_add_job(c->r, e->path, e->oid, work[0] ? work : NULL,
		   &st) < 0 ?
	    GIX_NOMEM :
	    0;
}

/*
 * The staged side without libgit2: HEAD's tree id from the refs, then
 * the index against it, directory by directory, skipping those whose
 * cache-tree id is HEAD's. 0 done, 1 "ask libgit2", -1 error.
 */
static int
jobs_staged_fast(struct scan_repo *r, const struct scan_ignore *ig,
    char *err, size_t errlen)
{
	uint8_t head[GIX_OIDLEN];
	struct fast_ctx c = { r, ig };
	int rc = gix_head_tree(&r->gr, head);

	if (rc != GIX_OK && rc != 1)
		return 1;
	rc = gix_staged(&r->gr, r->ix, rc == 1 ? NULL : head, fast_staged_cb,
	    &c);
	if (rc == GIX_OK)
		return 0;
	repo_drop_jobs(r);
	if (rc == GIX_NOMEM) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 1;
}

static int
jobs_index_fast(struct scan_repo *r, const struct scan_ignore *ig,
    char *err, size_t errlen)
{
	char work[2 * GIX_MAX_PATH];
	size_t i;

	for (i = 0; i < r->ix->n; i++) {
		const struct gix_entry *e = &r->ix->e[i];
		struct job st = { .size = e->size, .mt_s = e->mtime_s,
			.mt_ns = e->mtime_ns, .ino = e->ino };
		if (((e->flags >> 12) & 3) != 0 || repo_skip_mode(e->mode) ||
		    scan_ignore_match(ig, e->path))
			continue;
		work_path(r, e, work, sizeof(work));
		if (repo_add_job(r, e->path, e->oid, work[0] ? work : NULL,
			&st) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

int
repo_list_jobs(struct scan_repo *r, const struct scan_run_opts *o,
    char *err, size_t errlen)
{
	int rc;

	/* revisions and history always take libgit2 */
	if ((o->src == SCAN_SRC_TREE || o->src == SCAN_SRC_HISTORY) &&
	    lg_open(r, err, errlen) < 0)
		return -1;
	switch (o->src) {
	case SCAN_SRC_STAGED:
		rc = r->fast ? jobs_staged_fast(r, o->ignore, err, errlen) : 1;
		if (rc == 1) {
			rc = lg_open(r, err, errlen);
			if (rc == 0)
				rc = lg_jobs_staged(r, o->ignore, err, errlen);
		}
		return rc;
	case SCAN_SRC_INDEX:
		return r->fast ? jobs_index_fast(r, o->ignore, err, errlen) :
				 lg_jobs_index(r, o->ignore, err, errlen);
	case SCAN_SRC_TREE:
		return lg_jobs_tree(r, o->rev ? o->rev : "HEAD", o->ignore, err,
		    errlen);
	case SCAN_SRC_HISTORY:
		return lg_jobs_history(r, o->rev, o->ignore, err, errlen);
	}
	snprintf(err, errlen, "unknown source");
	return -1;
}
