/* SPDX-License-Identifier: ISC */
/*
 * staged.c - where the bytes come from: the staged blobs of the next
 * commit (the index git hands the hook, GIT_INDEX_FILE honoured, never
 * written; an unborn HEAD compares with the empty tree), every tracked
 * file of the index or of a revision, or every blob a range of history
 * introduced. The index and loose objects are read by hooks/git/objects.c when the
 * repository is plain (libgit2's start-up costs more than the hook's
 * budget); libgit2 is opened only when that reader steps aside, and
 * always for revisions and history. Files are scanned on all cores. It
 * knows nothing of rules: engine.c judges the bytes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "hooks/repo.h"
#include "hooks/git/git.h"
#include "hooks/wtread.h"

struct job {
	char *path;	/* shown in findings */
	git_oid oid;
	char *work;	/* read this work-tree file instead if stat-clean */
	uint64_t size;	/* the index entry's stat data, for that test */
	uint32_t mt_s, mt_ns, ino;
};

struct scan_repo {
	git_repository *repo; /* NULL until libgit2 is needed */
	git_index *index;
	char *gitdir;
	struct job *jobs;
	size_t njobs, capjobs;
	struct timespec index_mtime;
	bool fast;		/* hooks/git/objects.c read the index */
	struct gix_repo gr;
	struct gix_index *ix;
	unsigned char *ixbuf;
	size_t ixlen;
	pthread_mutex_t gitmu;	/* lazy libgit2 opening */
};

static void
git_err(char *err, size_t errlen, const char *what)
{
	const git_error *e = git_error_last();

	snprintf(err, errlen, "%s: %s", what, e && e->message ? e->message :
								"unknown error");
}

/* libgit2, the first time it is needed; the same repository and index
 * as the fast reader's (which only takes the plain layouts). */
static int
open_git(struct scan_repo *r, char *err, size_t errlen)
{
	struct stat st;
	int rc = 0;

	pthread_mutex_lock(&r->gitmu);
	if (r->repo)
		goto out;
	rc = -1;
	git_libgit2_init();
	/* As git does: GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE,
	 * GIT_OBJECT_DIRECTORY... During `commit -a` / `commit PATH` the
	 * index is a temporary file named by GIT_INDEX_FILE. */
	if (git_repository_open_ext(&r->repo, NULL,
		GIT_REPOSITORY_OPEN_FROM_ENV, NULL) < 0) {
		git_err(err, errlen, "not in a git repository");
		goto out;
	}
	if (git_repository_index(&r->index, r->repo) < 0) {
		git_err(err, errlen, "cannot read the index");
		git_repository_free(r->repo);
		r->repo = NULL;
		goto out;
	}
	free(r->gitdir);
	r->gitdir = strdup(git_repository_path(r->repo));
	if (!r->fast && git_index_path(r->index) &&
	    stat(git_index_path(r->index), &st) == 0)
		r->index_mtime = st.st_mtim;
	rc = 0;
out:
	pthread_mutex_unlock(&r->gitmu);
	return rc;
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
	} else if (open_git(r, err, errlen) < 0) {
		scan_repo_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

void
scan_repo_free(struct scan_repo *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->njobs; i++) {
		free(r->jobs[i].path);
		free(r->jobs[i].work);
	}
	free(r->jobs);
	git_index_free(r->index);
	git_repository_free(r->repo);
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
	return r->fast ? r->gr.workdir : git_repository_workdir(r->repo);
}

static int
read_blob(git_repository *repo, const git_oid *oid, size_t max, char **buf,
    size_t *len, uint64_t *size)
{
	git_odb *odb = NULL;
	git_odb_object *obj = NULL;
	git_object_t type;
	size_t n;
	int rc = -1;

	*buf = NULL;
	if (git_repository_odb(&odb, repo) < 0)
		return -1;
	/* the header first: a 1 GB blob is refused without inflating it */
	if (git_odb_read_header(&n, &type, odb, oid) < 0)
		goto out;
	*size = n;
	if (n > max) {
		rc = 1;
		goto out;
	}
	if (git_odb_read(&obj, odb, oid) < 0)
		goto out;
	n = git_odb_object_size(obj);
	if ((*buf = malloc(n + 1)) == NULL)
		goto out;
	memcpy(*buf, git_odb_object_data(obj), n);
	(*buf)[n] = '\0';
	*len = n;
	rc = 0;
out:
	git_odb_object_free(obj);
	git_odb_free(odb);
	return rc;
}

int
scan_repo_read_file(struct scan_repo *r, enum scan_source src,
    const char *rev, const char *path, char **buf, size_t *len, char *err,
    size_t errlen)
{
	uint64_t size;
	int rc;

	*buf = NULL;
	*len = 0;
	if (src != SCAN_SRC_TREE && r->fast) {
		const struct gix_entry *e = gix_index_find(r->ix, path);
		git_oid id;
		if (e == NULL)
			return 0;
		rc = gix_read_object(&r->gr, e->oid, "blob", 1u << 20, buf, len,
		    &size);
		if (rc == GIX_OK)
			return 1;
		if (rc != 1 && open_git(r, err, errlen) == 0) {
			memcpy(id.id, e->oid, GIX_OIDLEN);
			rc = read_blob(r->repo, &id, 1u << 20, buf, len, &size);
		}
	} else if (open_git(r, err, errlen) < 0) {
		return -1;
	} else if (src == SCAN_SRC_TREE) {
		git_object *o = NULL;
		char spec[1024];
		snprintf(spec, sizeof(spec), "%s:%s", rev ? rev : "HEAD", path);
		if (git_revparse_single(&o, r->repo, spec) < 0)
			return 0;
		rc = git_object_type(o) == GIT_OBJECT_BLOB ?
		    read_blob(r->repo, git_object_id(o), 1u << 20, buf, len,
			&size) :
		    1;
		git_object_free(o);
	} else {
		const git_index_entry *e = git_index_get_bypath(r->index, path,
		    0);
		if (e == NULL)
			return 0;
		rc = read_blob(r->repo, &e->id, 1u << 20, buf, len, &size);
	}
	if (rc != 0) {
		snprintf(err, errlen, "cannot read '%s' from git", path);
		free(*buf);
		*buf = NULL;
		return -1;
	}
	return 1;
}

static int
add_job(struct scan_repo *r, const char *path, const git_oid *oid,
    const char *work, const git_index_entry *ie, const struct gix_entry *ge)
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
	git_oid_cpy(&j->oid, oid);
	if (ie) {
		j->size = ie->file_size;
		j->mt_s = (uint32_t)ie->mtime.seconds;
		j->mt_ns = ie->mtime.nanoseconds;
		j->ino = ie->ino;
	} else if (ge) {
		j->size = ge->size;
		j->mt_s = ge->mtime_s;
		j->mt_ns = ge->mtime_ns;
		j->ino = ge->ino;
	}
	r->njobs++;
	return 0;
}

static bool
skip_mode(uint32_t mode)
{
	return mode == GIT_FILEMODE_COMMIT || mode == GIT_FILEMODE_TREE ||
	    mode == 0;
}

/* The staged side of the next commit: HEAD's tree against the index. */
static int
jobs_staged(struct scan_repo *r, const struct scan_ignore *ig, char *err,
    size_t errlen)
{
	git_object *head = NULL;
	git_tree *tree = NULL;
	git_diff *diff = NULL;
	git_diff_options o = GIT_DIFF_OPTIONS_INIT;
	size_t i, n;
	int rc = -1;

	if (git_revparse_single(&head, r->repo, "HEAD^{tree}") == 0)
		tree = (git_tree *)head;
	else if (!git_repository_head_unborn(r->repo)) {
		git_err(err, errlen, "cannot read HEAD");
		return -1;
	} /* first commit: compare with the empty tree */
	o.flags = GIT_DIFF_IGNORE_SUBMODULES;
	if (git_diff_tree_to_index(&diff, r->repo, tree, r->index, &o) < 0) {
		git_err(err, errlen, "cannot compare HEAD with the index");
		goto out;
	}
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		/* deletions add nothing; renames scan the new path */
		if (d->status == GIT_DELTA_DELETED ||
		    skip_mode(d->new_file.mode) ||
		    git_oid_is_zero(&d->new_file.id))
			continue;
		if (scan_ignore_match(ig, d->new_file.path))
			continue;
		if (add_job(r, d->new_file.path, &d->new_file.id, NULL, NULL,
			NULL) < 0) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		r->jobs[r->njobs - 1].size = d->new_file.size; /* a hint */
	}
	rc = 0;
out:
	git_diff_free(diff);
	git_tree_free(tree);
	return rc;
}

static void
drop_jobs(struct scan_repo *r)
{
	size_t i;

	for (i = 0; i < r->njobs; i++) {
		free(r->jobs[i].path);
		free(r->jobs[i].work);
	}
	r->njobs = 0;
}

struct fast_ctx {
	struct scan_repo *r;
	const struct scan_ignore *ig;
};

static int
fast_staged_cb(void *arg, const struct gix_entry *e)
{
	static const uint8_t zero[GIX_OIDLEN];
	struct fast_ctx *c = arg;
	git_oid id;

	if (skip_mode(e->mode) || memcmp(e->oid, zero, GIX_OIDLEN) == 0 ||
	    scan_ignore_match(c->ig, e->path))
		return 0;
	memcpy(id.id, e->oid, GIX_OIDLEN);
	return add_job(c->r, e->path, &id, NULL, NULL, NULL) < 0 ? GIX_NOMEM :
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
	drop_jobs(r);
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
	const char *wd = r->gr.workdir;
	char work[2 * GIX_MAX_PATH];
	size_t i;

	for (i = 0; i < r->ix->n; i++) {
		const struct gix_entry *e = &r->ix->e[i];
		git_oid id;
		if (((e->flags >> 12) & 3) != 0 || skip_mode(e->mode) ||
		    scan_ignore_match(ig, e->path))
			continue;
		snprintf(work, sizeof(work), "%s%s", wd, e->path);
		memcpy(id.id, e->oid, GIX_OIDLEN);
		if (add_job(r, e->path, &id,
			e->mode != GIT_FILEMODE_LINK ? work : NULL, NULL,
			e) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
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

static int
jobs_index(struct scan_repo *r, const struct scan_ignore *ig, char *err,
    size_t errlen)
{
	const char *wd = git_repository_workdir(r->repo);
	size_t i, n = git_index_entrycount(r->index);
	char work[4096];

	for (i = 0; i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(r->index, i);
		const char *wp = NULL;
		if (e == NULL || git_index_entry_stage(e) != 0 ||
		    skip_mode(e->mode) || scan_ignore_match(ig, e->path))
			continue;
		if (wd && e->mode != GIT_FILEMODE_LINK &&
		    (size_t)snprintf(work, sizeof(work), "%s%s", wd, e->path) <
			sizeof(work))
			wp = work;
		if (add_job(r, e->path, &e->id, wp, e, NULL) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

struct walk_ctx {
	struct scan_repo *r;
	const struct scan_ignore *ig;
	const char *prefix; /* "commit:" for history, or NULL */
	int rc;
};

static int
tree_cb(const char *root, const git_tree_entry *te, void *arg)
{
	struct walk_ctx *w = arg;
	char path[4096];
	const char *wd = git_repository_workdir(w->r->repo);
	const git_index_entry *ie;
	char work[4096];
	const char *wp = NULL;

	if (git_tree_entry_type(te) != GIT_OBJECT_BLOB ||
	    skip_mode(git_tree_entry_filemode(te)))
		return 0;
	snprintf(path, sizeof(path), "%s%s", root, git_tree_entry_name(te));
	if (scan_ignore_match(w->ig, path))
		return 0;
	ie = git_index_get_bypath(w->r->index, path, 0);
	if (ie && wd && git_oid_equal(&ie->id, git_tree_entry_id(te)) &&
	    git_tree_entry_filemode(te) != GIT_FILEMODE_LINK &&
	    (size_t)snprintf(work, sizeof(work), "%s%s", wd, path) <
		sizeof(work))
		wp = work;
	if (add_job(w->r, path, git_tree_entry_id(te), wp, wp ? ie : NULL,
		NULL) < 0) {
		w->rc = -1;
		return -1;
	}
	return 0;
}

static int
jobs_tree(struct scan_repo *r, const char *rev, const struct scan_ignore *ig,
    char *err, size_t errlen)
{
	git_object *o = NULL;
	char spec[512];
	struct walk_ctx w = { r, ig, NULL, 0 };
	int rc;

	snprintf(spec, sizeof(spec), "%s^{tree}", rev);
	if (git_revparse_single(&o, r->repo, spec) < 0) {
		git_err(err, errlen, "bad revision");
		return -1;
	}
	rc = git_tree_walk((git_tree *)o, GIT_TREEWALK_PRE, tree_cb, &w);
	git_object_free(o);
	if (rc < 0 || w.rc < 0) {
		git_err(err, errlen, "cannot walk the tree");
		return -1;
	}
	return 0;
}

/* A small set of blob ids, so history scans read each blob once. */
struct oidset {
	git_oid *v;
	size_t cap, n;
};

static int
oidset_add(struct oidset *s, const git_oid *id)
{
	size_t i, mask;

	if (s->n * 2 >= s->cap) {
		struct oidset ns = { NULL, s->cap ? s->cap * 2 : 1024, 0 };
		if ((ns.v = calloc(ns.cap, sizeof(git_oid))) == NULL)
			return -1;
		for (i = 0; i < s->cap; i++)
			if (!git_oid_is_zero(&s->v[i]))
				(void)oidset_add(&ns, &s->v[i]);
		free(s->v);
		*s = ns;
	}
	mask = s->cap - 1;
	for (i = (size_t)id->id[0] | (size_t)id->id[1] << 8 |
		 (size_t)id->id[2] << 16;;
	     i++) {
		git_oid *slot = &s->v[i & mask];
		if (git_oid_is_zero(slot)) {
			git_oid_cpy(slot, id);
			s->n++;
			return 1;
		}
		if (git_oid_equal(slot, id))
			return 0;
	}
}

static int
jobs_history(struct scan_repo *r, const char *range,
    const struct scan_ignore *ig, char *err, size_t errlen)
{
	git_revwalk *walk = NULL;
	git_oid id;
	struct oidset seen = { 0 };
	int rc = -1;

	if (git_revwalk_new(&walk, r->repo) < 0)
		goto gerr;
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	if ((range && strstr(range, "..") ?
		git_revwalk_push_range(walk, range) :
		range ? git_revwalk_push_ref(walk, range) :
			git_revwalk_push_head(walk)) < 0) {
		git_object *o = NULL;
		if (range == NULL || strstr(range, "..") ||
		    git_revparse_single(&o, r->repo, range) < 0 ||
		    git_revwalk_push(walk, git_object_id(o)) < 0) {
			git_object_free(o);
			goto gerr;
		}
		git_object_free(o);
	}
	while (git_revwalk_next(&id, walk) == 0) {
		git_commit *c = NULL, *p = NULL;
		git_tree *t = NULL, *pt = NULL;
		git_diff *d = NULL;
		size_t i, n;
		char sh[GIT_OID_HEXSZ + 1];

		if (git_commit_lookup(&c, r->repo, &id) < 0 ||
		    git_commit_tree(&t, c) < 0)
			goto cerr;
		/* a merge: diff with the first parent, so what the merge
		 * brought in (and its resolution) is read */
		if (git_commit_parentcount(c) > 0 &&
		    (git_commit_parent(&p, c, 0) < 0 ||
			git_commit_tree(&pt, p) < 0))
			goto cerr;
		if (git_diff_tree_to_tree(&d, r->repo, pt, t, NULL) < 0)
			goto cerr;
		git_oid_tostr(sh, 13, &id);
		n = git_diff_num_deltas(d);
		for (i = 0; i < n; i++) {
			const git_diff_delta *dd = git_diff_get_delta(d, i);
			char path[4200];
			int a;
			if (dd->status == GIT_DELTA_DELETED ||
			    skip_mode(dd->new_file.mode) ||
			    scan_ignore_match(ig, dd->new_file.path))
				continue;
			if ((a = oidset_add(&seen, &dd->new_file.id)) < 0)
				goto cerr;
			if (a == 0)
				continue;
			snprintf(path, sizeof(path), "%s:%s", sh,
			    dd->new_file.path);
			if (add_job(r, path, &dd->new_file.id, NULL, NULL,
				NULL) < 0)
				goto cerr;
		}
		git_diff_free(d);
		git_tree_free(pt);
		git_commit_free(p);
		git_tree_free(t);
		git_commit_free(c);
		continue;
	cerr:
		git_diff_free(d);
		git_tree_free(pt);
		git_commit_free(p);
		git_tree_free(t);
		git_commit_free(c);
		goto gerr;
	}
	rc = 0;
	goto out;
gerr:
	git_err(err, errlen, "cannot walk history");
out:
	free(seen.v);
	git_revwalk_free(walk);
	return rc;
}

/* threads ---------------------------------------------------------------- */

struct pool {
	struct scan_repo *r;
	const struct scan_engine *e;
	size_t next;
	pthread_mutex_t mu;
	const struct scan_run_opts *o; /* progress callback */
};

struct rbuf {
	char *p;
	size_t cap;
	int dfd;		/* the directory of the last file read */
	size_t dlen;		/* length of its path in dir[] */
	char dir[4096];
};

/* Open j->work relative to a cached directory fd: the kernel walks one
 * component instead of the whole path (jobs come sorted by path, so a
 * thread stays in one directory for many files). */
static int
open_work(struct rbuf *rb, const char *path, int flags)
{
	const char *slash = strrchr(path, '/');
	size_t dl;

	if (slash == NULL || (dl = (size_t)(slash - path)) == 0 ||
	    dl >= sizeof(rb->dir))
		return open(path, flags);
	if (rb->dfd < 0 || dl != rb->dlen || memcmp(rb->dir, path, dl) != 0) {
		if (rb->dfd >= 0)
			close(rb->dfd);
		memcpy(rb->dir, path, dl);
		rb->dir[dl] = '\0';
		rb->dlen = dl;
		rb->dfd = open(rb->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rb->dfd < 0)
			return open(path, flags);
	}
	return openat(rb->dfd, slash + 1, flags);
}

struct thr {
	struct pool *pool;
	bool reports; /* the calling thread: reports progress */
	struct scan_results res;
	int rc;
	char err[256];
};

/* Read the work-tree copy if it is stat-clean; -1 means "use the blob". */
static int
read_work(const struct scan_repo *r, const struct job *j, size_t max,
    struct rbuf *rb, size_t *len, uint64_t *size)
{
	int fd = open_work(rb, j->work, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
		O_NOATIME);
	struct stat st;
	size_t got = 0;

	if (fd < 0 && errno == EPERM) /* O_NOATIME on another's file */
		fd = open_work(rb, j->work, O_RDONLY | O_CLOEXEC |
		    O_NOFOLLOW);
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
	/* one buffer per thread, reused: fresh pages cost more than the
	 * scan itself (work-tree bytes are what is tracked, not secrets
	 * we own, so growing by realloc is fine here) */
	if (rb->cap < (size_t)st.st_size + 1) {
		size_t ncap = (size_t)st.st_size + 1 + (64u << 10);
		char *np = realloc(rb->p, ncap);
		if (np == NULL) {
			close(fd);
			return -1;
		}
		rb->p = np;
		rb->cap = ncap;
	}
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, rb->p + got, (size_t)st.st_size - got);
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

struct prefetch {
	struct wt_ring *ring;
	bool tried;
	struct wt_req q[WT_BATCH];
	char *buf[WT_BATCH];
	size_t cap[WT_BATCH];
	int slot[WT_BATCH]; /* job k of the batch: its request, or -1 */
};

/*
 * Read the stat-clean work-tree files of jobs [i0, i0 + nb) in one
 * io_uring submission; ok[k] tells which job's bytes are in its slot.
 * Anything else (no io_uring, a changed file) is left to read_work().
 */
static void
prefetch_batch(struct scan_repo *r, struct prefetch *pf, size_t i0,
    size_t nb, size_t max, bool ok[])
{
	size_t k;
	int n = 0;

	for (k = 0; k < nb; k++) {
		ok[k] = false;
		pf->slot[k] = -1;
	}
	if (!r->fast)
		return;
	for (k = 0; k < nb; k++) {
		struct job *j = &r->jobs[i0 + k];
		if (j->work == NULL || j->size > max)
			continue;
		if (!pf->tried) {
			pf->tried = true;
			pf->ring = wt_ring_new(r->gr.workdir);
		}
		if (pf->ring == NULL)
			return;
		if (pf->cap[n] < (size_t)j->size + 1) {
			size_t ncap = (size_t)j->size + 1 + (64u << 10);
			char *np = realloc(pf->buf[n], ncap);
			if (np == NULL)
				continue;
			pf->buf[n] = np;
			pf->cap[n] = ncap;
		}
		/* size + 1: a file that grew is caught, not cut */
		pf->q[n].path = j->path;
		pf->q[n].buf = pf->buf[n];
		pf->q[n].cap = (size_t)j->size + 1;
		pf->slot[k] = n++;
	}
	if (n == 0)
		return;
	if (wt_ring_read(pf->ring, pf->q, n) < 0) {
		wt_ring_free(pf->ring); /* broken: the plain path from now */
		pf->ring = NULL;
		return;
	}
	for (k = 0; k < nb; k++) {
		struct job *j = &r->jobs[i0 + k];
		struct wt_req *q;
		if (pf->slot[k] < 0)
			continue;
		q = &pf->q[pf->slot[k]];
		ok[k] = q->sres == 0 && q->rres >= 0 &&
		    (uint64_t)q->rres == j->size && statx_clean(r, j, &q->stx);
	}
}

/* The blob itself: 0 with *obj holding it, 1 too large, -1 unreadable. */
static int
read_obj(git_odb *odb, const git_oid *oid, uint64_t hint, size_t max,
    git_odb_object **obj, uint64_t *size)
{
	size_t n;
	git_object_t type;

	*obj = NULL;
	/* the header first, unless the index says the file is small: a
	 * 1 GB blob is refused without inflating it. A lying hint costs
	 * memory, never a skipped check: the size is tested again below. */
	if (hint == 0 || hint > max / 2) {
		if (git_odb_read_header(&n, &type, odb, oid) < 0)
			return -1;
		*size = n;
		if (n > max)
			return 1;
	}
	if (git_odb_read(obj, odb, oid) < 0)
		return -1;
	*size = git_odb_object_size(*obj);
	if (*size > max) {
		git_odb_object_free(*obj);
		*obj = NULL;
		return 1;
	}
	return git_odb_object_type(*obj) == GIT_OBJECT_BLOB ? 0 : -1;
}

/* This thread's libgit2 object database, opened on first use. */
static git_odb *
thread_odb(struct pool *p, git_repository **repo, git_odb **odb)
{
	char err[256];

	if (*odb)
		return *odb;
	if (open_git(p->r, err, sizeof(err)) < 0 ||
	    git_repository_open(repo, p->r->gitdir) < 0 ||
	    git_repository_odb(odb, *repo) < 0)
		return NULL;
	return *odb;
}

static void *
worker(void *arg)
{
	struct thr *t = arg;
	struct pool *p = t->pool;
	git_repository *repo = NULL;
	git_odb *odb = NULL;
	struct scan_worker *w = scan_worker_new(p->e);
	size_t max = scan_engine_max_size(p->e);
	struct rbuf rb = { .p = NULL, .cap = 0, .dfd = -1 };
	struct prefetch *pf = calloc(1, sizeof(*pf));
	bool ok[WT_BATCH];
	size_t i0 = 0, nb = 0, k = 0;

	if (w == NULL || pf == NULL ||
	    (!p->r->fast && thread_odb(p, &repo, &odb) == NULL)) {
		t->rc = -1;
		snprintf(t->err, sizeof(t->err), "cannot start a scan thread");
		goto out;
	}
	for (;;) {
		size_t i;
		struct job *j;
		const char *buf = NULL;
		git_odb_object *obj = NULL;
		char *loose = NULL;
		size_t len = 0;
		uint64_t size = 0;
		int rc;

		/* jobs come in batches, their work-tree files read at once */
		if (k == nb) {
			i0 = __atomic_fetch_add(&p->next, WT_BATCH,
			    __ATOMIC_RELAXED);
			if (t->reports && p->o->progress != NULL)
				p->o->progress(p->o->progress_arg,
				    i0 < p->r->njobs ? i0 : p->r->njobs,
				    p->r->njobs);
			if (i0 >= p->r->njobs)
				break;
			nb = p->r->njobs - i0 < WT_BATCH ? p->r->njobs - i0 :
							   WT_BATCH;
			prefetch_batch(p->r, pf, i0, nb, max, ok);
			k = 0;
		}
		i = i0 + k;
		j = &p->r->jobs[i];
		rc = -1;
		if (ok[k]) {
			buf = pf->buf[pf->slot[k]];
			len = (size_t)j->size;
			rc = 0;
		} else if (j->work && (rc = read_work(p->r, j, max, &rb, &len,
					   &size)) == 0)
			buf = rb.p;
		k++;
		if (rc < 0 && p->r->fast) { /* a loose blob, without libgit2 */
			rc = gix_read_object(&p->r->gr, j->oid.id, "blob", max,
			    &loose, &len, &size);
			if (rc == GIX_OK)
				buf = loose;
			else if (rc != 1)
				rc = -1;
		}
		if (rc < 0) { /* not there or changed: the blob decides */
			if (thread_odb(p, &repo, &odb) == NULL)
				rc = -1;
			else
				rc = read_obj(odb, &j->oid, j->size, max, &obj,
				    &size);
			if (rc == 0) {
				buf = git_odb_object_data(obj);
				len = git_odb_object_size(obj);
			}
		}
		if (rc == 1)
			rc = scan_too_large(&t->res, j->path, size, max);
		else if (rc < 0) {
			/* cannot decide: refuse, and say which file */
			rc = scan_results_add(&t->res, j->path, 0, "unreadable",
			    "cannot read the staged blob; the scan cannot "
			    "vouch for it", "", NULL, 0, false);
		} else
			rc = scan_buffer(w, j->path, buf, len, &t->res);
		git_odb_object_free(obj);
		free(loose);
		if (rc < 0) {
			t->rc = -1;
			snprintf(t->err, sizeof(t->err), "out of memory");
			break;
		}
	}
out:
	if (pf) {
		wt_ring_free(pf->ring); /* before the buffers it reads into */
		for (k = 0; k < WT_BATCH; k++)
			free(pf->buf[k]);
		free(pf);
	}
	free(rb.p);
	if (rb.dfd >= 0)
		close(rb.dfd);
	git_odb_free(odb);
	git_repository_free(repo);
	scan_worker_free(w);
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

int
scan_repo_run(struct scan_repo *r, const struct scan_engine *e,
    const struct scan_run_opts *o, struct scan_results *out, char *err,
    size_t errlen)
{
	struct pool pool = { .r = r, .e = e, .o = o };
	struct thr thr[SCAN_MAX_THREADS];
	pthread_t tid[SCAN_MAX_THREADS];
	int nt = o->threads, i, rc = 0;

	/* revisions and history always take libgit2 */
	if ((o->src == SCAN_SRC_TREE || o->src == SCAN_SRC_HISTORY) &&
	    open_git(r, err, errlen) < 0)
		return -1;
	switch (o->src) {
	case SCAN_SRC_STAGED:
		rc = r->fast ? jobs_staged_fast(r, o->ignore, err, errlen) : 1;
		if (rc == 1) {
			rc = open_git(r, err, errlen);
			if (rc == 0)
				rc = jobs_staged(r, o->ignore, err, errlen);
		}
		break;
	case SCAN_SRC_INDEX:
		rc = r->fast ? jobs_index_fast(r, o->ignore, err, errlen) :
			       jobs_index(r, o->ignore, err, errlen);
		break;
	case SCAN_SRC_TREE:
		rc = jobs_tree(r, o->rev ? o->rev : "HEAD", o->ignore, err,
		    errlen);
		break;
	case SCAN_SRC_HISTORY:
		rc = jobs_history(r, o->rev, o->ignore, err, errlen);
		break;
	}
	if (rc < 0)
		return -1;
	if (nt < 1)
		nt = 1;
	if (nt > SCAN_MAX_THREADS)
		nt = SCAN_MAX_THREADS;
	if ((size_t)nt > r->njobs)
		nt = r->njobs ? (int)r->njobs : 1;
	memset(thr, 0, sizeof(thr));
	for (i = 0; i < nt; i++) {
		thr[i].pool = &pool;
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
	if (rc == 0 && pool.next < r->njobs) {
		snprintf(err, errlen, "not every file was scanned");
		rc = -1;
	}
	if (rc == 0 && out->nrefs) {
		struct ref_ctx rc2 = { r, o->src == SCAN_SRC_HISTORY ?
			    SCAN_SRC_TREE : o->src,
			o->src == SCAN_SRC_HISTORY ? "HEAD" : o->rev };
		if (scan_check_refs(out, ref_read, &rc2) < 0) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
		}
	}
	return rc;
}

size_t
scan_repo_njobs(const struct scan_repo *r)
{
	return r->njobs;
}
