/* SPDX-License-Identifier: ISC */
/*
 * hooks/source.h - inside the scanner's repository side: "where the bytes
 * come from" (hooks/repo.c lists the jobs from the fast git reader,
 * hooks/git/libgit2.c is the libgit2 fallback, hooks/worktree.c reads
 * work-tree copies) and the worker pool that scans them (hooks/pool.c).
 *
 * Invariants: a job names a blob by id; its stat data is the index
 * entry's (all zero when unknown) and a work-tree copy is used only when
 * that data still matches. r->lg is NULL until libgit2 is needed and is
 * opened once, under r->gitmu. Only hooks/git/libgit2.c includes git2.h.
 */
#ifndef SEAL_HOOKS_SOURCE_H
#define SEAL_HOOKS_SOURCE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "hooks/git/git.h"
#include "hooks/repo.h"

struct job {
	char *path;	/* shown in findings */
	uint8_t oid[GIX_OIDLEN];
	char *work;	/* read this work-tree file instead if stat-clean */
	uint64_t size;	/* the index entry's stat data, for that test */
	uint32_t mt_s, mt_ns, ino;
};

struct lg_repo; /* libgit2's repository and index (hooks/git/libgit2.c) */

struct scan_repo {
	struct lg_repo *lg; /* NULL until libgit2 is needed */
	char *gitdir;
	struct job *jobs;
	size_t njobs, capjobs;
	struct timespec index_mtime;
	bool fast;		/* hooks/git/ read the index */
	struct gix_repo gr;
	struct gix_index *ix;
	unsigned char *ixbuf;
	size_t ixlen;
	pthread_mutex_t gitmu;	/* lazy libgit2 opening */
};

/* ---- hooks/repo.c -------------------------------------------------------- */

/* Gitlinks, trees and unknown modes hold nothing to scan. */
bool repo_skip_mode(uint32_t mode);
/* Append a job (path and work copied); st: the stat data, or NULL. 0 or
 * -1 (out of memory). */
int repo_add_job(struct scan_repo *r, const char *path,
    const uint8_t oid[GIX_OIDLEN], const char *work, const struct job *st);
void repo_drop_jobs(struct scan_repo *r);
/* The jobs of o->src. 0, or -1 with err. */
int repo_list_jobs(struct scan_repo *r, const struct scan_run_opts *o,
    char *err, size_t errlen);

/* ---- hooks/git/libgit2.c: the fallback ----------------------------------- */

/* Open libgit2 on the repository (the environment's, as git does), once. */
int lg_open(struct scan_repo *r, char *err, size_t errlen);
void lg_free(struct lg_repo *lg);
const char *lg_workdir(const struct lg_repo *lg);
/* A blob, up to max bytes: 0 read (malloc'd, NUL-terminated), 1 larger
 * than max, -1 error. */
int lg_read_blob(struct scan_repo *r, const uint8_t oid[GIX_OIDLEN],
    size_t max, char **buf, size_t *len);
/* path as the index (src STAGED/INDEX) or rev's tree (TREE) holds it:
 * 0 read, 2 absent, 1 too large or not a blob, -1 error. */
int lg_read_path(struct scan_repo *r, enum scan_source src, const char *rev,
    const char *path, size_t max, char **buf, size_t *len);
/* The job lists: 0, or -1 with err. */
int lg_jobs_staged(struct scan_repo *r, const struct scan_ignore *ig,
    char *err, size_t errlen);
int lg_jobs_index(struct scan_repo *r, const struct scan_ignore *ig,
    char *err, size_t errlen);
int lg_jobs_tree(struct scan_repo *r, const char *rev,
    const struct scan_ignore *ig, char *err, size_t errlen);
int lg_jobs_history(struct scan_repo *r, const char *range,
    const struct scan_ignore *ig, char *err, size_t errlen);

/* One thread's own object database (libgit2 objects are not shared). */
struct lg_odb;
struct lg_odb *lg_odb_open(struct scan_repo *r);
void lg_odb_free(struct lg_odb *o);
/* The blob itself: 0 with *obj holding it (*buf, *len point into it; free
 * with lg_object_free), 1 too large (*size says how large), -1 unreadable.
 * hint: the index's size, to skip reading the header of a small blob. */
int lg_odb_read(struct lg_odb *o, const uint8_t oid[GIX_OIDLEN],
    uint64_t hint, size_t max, void **obj, const char **buf, size_t *len,
    uint64_t *size);
void lg_object_free(void *obj);

/* ---- hooks/worktree.c: work-tree copies of index entries ----------------- */

struct work_reader;
struct work_reader *work_reader_new(void);
void work_reader_free(struct work_reader *w);
/* Read the stat-clean work-tree files of jobs [i0, i0 + nb) at once
 * (io_uring where the kernel allows it); nb <= WORK_BATCH. */
#define WORK_BATCH 16
void work_prefetch(struct work_reader *w, const struct scan_repo *r,
    size_t i0, size_t nb, size_t max);
/*
 * The work-tree bytes of job i0 + k (the batch last prefetched from i0)
 * if the copy is what the index holds: 0 with *buf (the reader's, valid
 * until its next call), 1 larger than max, -1 "read the blob instead".
 */
int work_get(struct work_reader *w, const struct scan_repo *r, size_t i0,
    size_t k, size_t max, const char **buf, size_t *len, uint64_t *size);

#endif
