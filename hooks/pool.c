/* SPDX-License-Identifier: ISC */
/*
 * pool.c - the worker pool: the jobs repo.c listed are scanned on all
 * cores, in batches taken from one shared counter; each thread gets each
 * job's bytes from the cheapest place that is still exact (a stat-clean
 * work-tree copy, a loose or packed object through hooks/git/, else
 * libgit2) and hands them to engine.c. A file that cannot be read is a
 * finding ("unreadable"), never a silent pass.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/source.h"

struct pool {
	struct scan_repo *r;
	const struct scan_engine *e;
	size_t next;
	const struct scan_run_opts *o; /* progress callback */
};

struct thr {
	struct pool *pool;
	bool reports; /* the calling thread: reports progress */
	struct scan_results res;
	int rc;
	char err[256];
	/* what the thread reads with */
	struct lg_odb *odb;
	struct work_reader *wr;
	struct scan_worker *w;
	size_t i0, nb; /* the current batch */
};

/* The next batch of jobs, its work-tree files read at once; false when
 * every job is taken. */
static bool
next_batch(struct thr *t, size_t max)
{
	struct pool *p = t->pool;
	size_t n = p->r->njobs;

	t->i0 = __atomic_fetch_add(&p->next, WORK_BATCH, __ATOMIC_RELAXED);
	if (t->reports && p->o->progress != NULL)
		p->o->progress(p->o->progress_arg, t->i0 < n ? t->i0 : n, n);
	if (t->i0 >= n)
		return false;
	t->nb = n - t->i0 < WORK_BATCH ? n - t->i0 : WORK_BATCH;
	work_prefetch(t->wr, p->r, t->i0, t->nb, max);
	return true;
}

struct bytes {
	const char *buf;
	size_t len;
	uint64_t size; /* when too large: how large */
	void *obj;     /* libgit2's object, or NULL */
	char *loose;   /* hooks/git's copy, or NULL */
};

/* Job k of the batch: 0 with b filled, 1 too large, -1 unreadable. */
static int
read_job(struct thr *t, size_t k, size_t max, struct bytes *b)
{
	struct scan_repo *r = t->pool->r;
	const struct job *j = &r->jobs[t->i0 + k];
	int rc;

	memset(b, 0, sizeof(*b));
	rc = work_get(t->wr, r, t->i0, k, max, &b->buf, &b->len, &b->size);
	if (rc < 0 && r->fast) { /* a loose blob, without libgit2 */
		rc = gix_read_object(&r->gr, j->oid, "blob", max, &b->loose,
		    &b->len, &b->size);
		if (rc == GIX_OK)
			b->buf = b->loose;
		else if (rc != 1)
			rc = -1;
	}
	if (rc < 0) { /* not there or changed: the blob decides */
		if (t->odb == NULL)
			t->odb = lg_odb_open(r);
		rc = t->odb == NULL ? -1 :
				      lg_odb_read(t->odb, j->oid, j->size, max,
					  &b->obj, &b->buf, &b->len, &b->size);
	}
	return rc;
}

/* Scan job k of the batch into t->res; -1 when out of memory or a check
 * could not decide (t->res.err says which). */
static int
scan_job(struct thr *t, size_t k, size_t max)
{
	const struct job *j = &t->pool->r->jobs[t->i0 + k];
	struct bytes b;
	int rc = read_job(t, k, max, &b);

	if (rc == 1)
		rc = scan_too_large(&t->res, j->path, b.size, max);
	else if (rc < 0)
		/* cannot decide: refuse, and say which file */
		rc = scan_results_add(&t->res, j->path, 0, "unreadable",
		    "cannot read the staged blob; the scan cannot vouch for it",
		    "", NULL, 0, false);
	else
		rc = scan_buffer(t->w, j->path, b.buf, b.len, &t->res);
	lg_object_free(b.obj);
	free(b.loose);
	return rc;
}

static void *
worker(void *arg)
{
	struct thr *t = arg;
	struct pool *p = t->pool;
	size_t max = scan_engine_max_size(p->e), k;

	t->w = scan_worker_new(p->e);
	t->wr = work_reader_new();
	if (t->w != NULL && t->wr != NULL && !p->r->fast)
		t->odb = lg_odb_open(p->r);
	if (t->w == NULL || t->wr == NULL || (!p->r->fast && t->odb == NULL)) {
		t->rc = -1;
		snprintf(t->err, sizeof(t->err), "cannot start a scan thread");
		goto out;
	}
	while (next_batch(t, max))
		for (k = 0; k < t->nb; k++)
			if (scan_job(t, k, max) < 0) {
				/* out of memory, or a check that could not
				 * decide (a regex at its limit): it says why */
				t->rc = -1;
				snprintf(t->err, sizeof(t->err), "%.255s",
				    t->res.err[0] ? t->res.err
				                  : "out of memory");
				goto out;
			}
out:
	work_reader_free(t->wr);
	lg_odb_free(t->odb);
	scan_worker_free(t->w);
	return NULL;
}

struct ref_ctx {
	struct scan_repo *r;
	enum scan_source src;
	const char *rev;
};

/* Files a secretGenerator names, as the commit will hold them. */
static int
ref_read(void *arg, const char *path, char **buf, size_t *len)
{
	struct ref_ctx *c = arg;
	char err[256];

	return scan_repo_read_file(c->r, c->src, c->rev, path, buf, len, err,
	    sizeof(err));
}

/* Run nt threads (the calling one too) over the jobs, merging results. */
static int
run_threads(struct pool *pool, int nt, struct scan_results *out, char *err,
    size_t errlen)
{
	struct thr thr[SCAN_MAX_THREADS];
	pthread_t tid[SCAN_MAX_THREADS];
	int i, rc = 0;

	memset(thr, 0, sizeof(thr));
	for (i = 0; i < nt; i++) {
		thr[i].pool = pool;
		if (i > 0 && pthread_create(&tid[i], NULL, worker, &thr[i]))
			thr[i].rc = -2;
	}
	thr[0].reports = true;
	worker(&thr[0]); /* the calling thread works too */
	for (i = 1; i < nt; i++)
		if (thr[i].rc != -2)
			pthread_join(tid[i], NULL);
	/* a thread that never started leaves its share to the others; one
	 * that failed makes the whole run fail */
	for (i = 0; i < nt; i++) {
		if (thr[i].rc == -1 && rc == 0) {
			snprintf(err, errlen, "%s", thr[i].err);
			rc = -1;
		}
		if (scan_results_merge(out, &thr[i].res) < 0 && rc == 0) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		}
		scan_results_free(&thr[i].res);
	}
	if (rc == 0 && pool->next < pool->r->njobs) {
		snprintf(err, errlen, "not every file was scanned");
		rc = -1;
	}
	return rc;
}

int
scan_repo_run(struct scan_repo *r, const struct scan_engine *e,
    const struct scan_run_opts *o, struct scan_results *out, char *err,
    size_t errlen)
{
	struct pool pool = { .r = r, .e = e, .o = o };
	struct ref_ctx refs = { r,
		o->src == SCAN_SRC_HISTORY ? SCAN_SRC_TREE : o->src,
		o->src == SCAN_SRC_HISTORY ? "HEAD" : o->rev };
	int nt = o->threads;

	if (repo_list_jobs(r, o, err, errlen) < 0)
		return -1;
	if (nt < 1)
		nt = 1;
	if (nt > SCAN_MAX_THREADS)
		nt = SCAN_MAX_THREADS;
	if ((size_t)nt > r->njobs)
		nt = r->njobs ? (int)r->njobs : 1;
	if (run_threads(&pool, nt, out, err, errlen) < 0)
		return -1;
	if (out->nrefs && scan_check_refs(out, ref_read, &refs) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
