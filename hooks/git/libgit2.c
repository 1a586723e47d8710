/* SPDX-License-Identifier: ISC */
/*
 * libgit2.c - the scanner's libgit2 fallback, the only file of the scan
 * that includes git2.h: the repository opened from the environment as
 * git does (GIT_DIR, GIT_INDEX_FILE...), blobs, and the job lists the
 * fast reader (index.c, objects.c, pack.c) leaves to it: the staged
 * diff when the index is unusual, revisions and history always. It lists
 * and reads; hooks/pool.c scans.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <git2.h>

#include "hooks/source.h"

struct lg_repo {
	git_repository *repo;
	git_index *index;
};

struct lg_odb {
	git_repository *repo;
	git_odb *odb;
};

static void
git_err(char *err, size_t errlen, const char *what)
{
	const git_error *e = git_error_last();

	snprintf(err, errlen, "%s: %s", what, e && e->message ? e->message :
								"unknown error");
}

static void
oid_from(git_oid *id, const uint8_t oid[GIX_OIDLEN])
{
	memcpy(id->id, oid, GIX_OIDLEN);
}

/* libgit2, the first time it is needed; the same repository and index
 * as the fast reader's (which only takes the plain layouts). */
int
lg_open(struct scan_repo *r, char *err, size_t errlen)
{
	struct lg_repo *lg;
	struct stat st;
	int rc = 0;

	pthread_mutex_lock(&r->gitmu);
	if (r->lg)
		goto out;
	rc = -1;
	if ((lg = calloc(1, sizeof(*lg))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	git_libgit2_init();
	/* As git does: GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE,
	 * GIT_OBJECT_DIRECTORY... During `commit -a` / `commit PATH` the
	 * index is a temporary file named by GIT_INDEX_FILE. */
	if (git_repository_open_ext(&lg->repo, NULL,
		GIT_REPOSITORY_OPEN_FROM_ENV, NULL) < 0) {
		git_err(err, errlen, "not in a git repository");
		free(lg);
		goto out;
	}
	if (git_repository_index(&lg->index, lg->repo) < 0) {
		git_err(err, errlen, "cannot read the index");
		git_repository_free(lg->repo);
		free(lg);
		goto out;
	}
	free(r->gitdir);
	r->gitdir = strdup(git_repository_path(lg->repo));
	if (!r->fast && git_index_path(lg->index) &&
	    stat(git_index_path(lg->index), &st) == 0)
		r->index_mtime = st.st_mtim;
	r->lg = lg;
	rc = 0;
out:
	pthread_mutex_unlock(&r->gitmu);
	return rc;
}

void
lg_free(struct lg_repo *lg)
{
	if (lg == NULL)
		return;
	git_index_free(lg->index);
	git_repository_free(lg->repo);
	free(lg);
}

const char *
lg_workdir(const struct lg_repo *lg)
{
	return git_repository_workdir(lg->repo);
}

static int
read_blob(git_repository *repo, const git_oid *oid, size_t max, char **buf,
    size_t *len)
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
lg_read_blob(struct scan_repo *r, const uint8_t oid[GIX_OIDLEN], size_t max,
    char **buf, size_t *len)
{
	git_oid id;

	oid_from(&id, oid);
	return read_blob(r->lg->repo, &id, max, buf, len);
}

int
lg_read_path(struct scan_repo *r, enum scan_source src, const char *rev,
    const char *path, size_t max, char **buf, size_t *len)
{
	git_repository *repo = r->lg->repo;
	const git_index_entry *e;
	git_object *o = NULL;
	char spec[1024];
	int rc;

	if (src != SCAN_SRC_TREE) {
		e = git_index_get_bypath(r->lg->index, path, 0);
		return e == NULL ? 2 : read_blob(repo, &e->id, max, buf, len);
	}
	/* an unknown revision is not an absent file */
	if (git_revparse_single(&o, repo, rev ? rev : "HEAD") < 0)
		return 3;
	git_object_free(o);
	o = NULL;
	snprintf(spec, sizeof(spec), "%s:%s", rev ? rev : "HEAD", path);
	if (git_revparse_single(&o, repo, spec) < 0)
		return 2;
	rc = git_object_type(o) == GIT_OBJECT_BLOB ?
	    read_blob(repo, git_object_id(o), max, buf, len) :
	    1;
	git_object_free(o);
	return rc;
}

static int
add_job(struct scan_repo *r, const char *path, const git_oid *oid,
    const char *work, const git_index_entry *ie)
{
	struct job st = { 0 };

	if (ie) {
		st.size = ie->file_size;
		st.mt_s = (uint32_t)ie->mtime.seconds;
		st.mt_ns = ie->mtime.nanoseconds;
		st.ino = ie->ino;
	}
	return repo_add_job(r, path, oid->id, work, ie ? &st : NULL);
}

/* The staged side of the next commit: HEAD's tree against the index. */
int
lg_jobs_staged(struct scan_repo *r, const struct scan_ignore *ig, char *err,
    size_t errlen)
{
	git_repository *repo = r->lg->repo;
	git_object *head = NULL;
	git_tree *tree = NULL;
	git_diff *diff = NULL;
	git_diff_options o = GIT_DIFF_OPTIONS_INIT;
	size_t i, n;
	int rc = -1;

	if (git_revparse_single(&head, repo, "HEAD^{tree}") == 0)
		tree = (git_tree *)head;
	else if (!git_repository_head_unborn(repo)) {
		git_err(err, errlen, "cannot read HEAD");
		return -1;
	} /* first commit: compare with the empty tree */
	o.flags = GIT_DIFF_IGNORE_SUBMODULES;
	if (git_diff_tree_to_index(&diff, repo, tree, r->lg->index, &o) < 0) {
		git_err(err, errlen, "cannot compare HEAD with the index");
		goto out;
	}
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		/* deletions add nothing; renames scan the new path */
		if (d->status == GIT_DELTA_DELETED ||
		    repo_skip_mode(d->new_file.mode) ||
		    git_oid_is_zero(&d->new_file.id))
			continue;
		if (scan_ignore_match(ig, d->new_file.path))
			continue;
		if (add_job(r, d->new_file.path, &d->new_file.id, NULL,
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

int
lg_jobs_index(struct scan_repo *r, const struct scan_ignore *ig, char *err,
    size_t errlen)
{
	const char *wd = git_repository_workdir(r->lg->repo);
	size_t i, n = git_index_entrycount(r->lg->index);
	char work[4096];

	for (i = 0; i < n; i++) {
		const git_index_entry *e = git_index_get_byindex(r->lg->index,
		    i);
		const char *wp = NULL;
		if (e == NULL || git_index_entry_stage(e) != 0 ||
		    repo_skip_mode(e->mode) || scan_ignore_match(ig, e->path))
			continue;
		if (wd && e->mode != GIT_FILEMODE_LINK &&
		    (size_t)snprintf(work, sizeof(work), "%s%s", wd, e->path) <
			sizeof(work))
			wp = work;
		if (add_job(r, e->path, &e->id, wp, e) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

struct walk_ctx {
	struct scan_repo *r;
	const struct scan_ignore *ig;
	int rc;
};

static int
tree_cb(const char *root, const git_tree_entry *te, void *arg)
{
	struct walk_ctx *w = arg;
	char path[4096];
	const char *wd = git_repository_workdir(w->r->lg->repo);
	const git_index_entry *ie;
	char work[4096];
	const char *wp = NULL;

	if (git_tree_entry_type(te) != GIT_OBJECT_BLOB ||
	    repo_skip_mode(git_tree_entry_filemode(te)))
		return 0;
	snprintf(path, sizeof(path), "%s%s", root, git_tree_entry_name(te));
	if (scan_ignore_match(w->ig, path))
		return 0;
	ie = git_index_get_bypath(w->r->lg->index, path, 0);
	if (ie && wd && git_oid_equal(&ie->id, git_tree_entry_id(te)) &&
	    git_tree_entry_filemode(te) != GIT_FILEMODE_LINK &&
	    (size_t)snprintf(work, sizeof(work), "%s%s", wd, path) <
		sizeof(work))
		wp = work;
	if (add_job(w->r, path, git_tree_entry_id(te), wp, wp ? ie : NULL) <
	    0) {
		w->rc = -1;
		return -1;
	}
	return 0;
}

int
lg_jobs_tree(struct scan_repo *r, const char *rev,
    const struct scan_ignore *ig, char *err, size_t errlen)
{
	git_object *o = NULL;
	char spec[512];
	struct walk_ctx w = { r, ig, 0 };
	int rc;

	snprintf(spec, sizeof(spec), "%s^{tree}", rev);
	if (git_revparse_single(&o, r->lg->repo, spec) < 0) {
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

/* Start the walk at range ("A..B"), a ref, any revision, or HEAD. */
static int
push_range(git_repository *repo, git_revwalk *walk, const char *range)
{
	git_object *o = NULL;
	int rc;

	if ((range && strstr(range, "..") ?
		git_revwalk_push_range(walk, range) :
		range ? git_revwalk_push_ref(walk, range) :
			git_revwalk_push_head(walk)) == 0)
		return 0;
	if (range == NULL || strstr(range, "..") ||
	    git_revparse_single(&o, repo, range) < 0)
		return -1;
	rc = git_revwalk_push(walk, git_object_id(o));
	git_object_free(o);
	return rc;
}

/* The blobs commit id introduced (against its first parent: what a merge
 * brought in, and its resolution), each once over the whole walk. */
static int
commit_jobs(struct scan_repo *r, const git_oid *id, struct oidset *seen,
    const struct scan_ignore *ig)
{
	git_repository *repo = r->lg->repo;
	git_commit *c = NULL, *p = NULL;
	git_tree *t = NULL, *pt = NULL;
	git_diff *d = NULL;
	char sh[GIT_OID_HEXSZ + 1], path[4200];
	size_t i, n;
	int rc = -1, a;

	if (git_commit_lookup(&c, repo, id) < 0 || git_commit_tree(&t, c) < 0)
		goto out;
	if (git_commit_parentcount(c) > 0 &&
	    (git_commit_parent(&p, c, 0) < 0 || git_commit_tree(&pt, p) < 0))
		goto out;
	if (git_diff_tree_to_tree(&d, repo, pt, t, NULL) < 0)
		goto out;
	git_oid_tostr(sh, 13, id);
	n = git_diff_num_deltas(d);
	for (i = 0; i < n; i++) {
		const git_diff_delta *dd = git_diff_get_delta(d, i);
		if (dd->status == GIT_DELTA_DELETED ||
		    repo_skip_mode(dd->new_file.mode) ||
		    scan_ignore_match(ig, dd->new_file.path))
			continue;
		if ((a = oidset_add(seen, &dd->new_file.id)) < 0)
			goto out;
		if (a == 0)
			continue;
		snprintf(path, sizeof(path), "%s:%s", sh, dd->new_file.path);
		if (add_job(r, path, &dd->new_file.id, NULL, NULL) < 0)
			goto out;
	}
	rc = 0;
out:
	git_diff_free(d);
	git_tree_free(pt);
	git_commit_free(p);
	git_tree_free(t);
	git_commit_free(c);
	return rc;
}

int
lg_jobs_history(struct scan_repo *r, const char *range,
    const struct scan_ignore *ig, char *err, size_t errlen)
{
	git_revwalk *walk = NULL;
	git_oid id;
	struct oidset seen = { 0 };
	int rc = -1;

	if (git_revwalk_new(&walk, r->lg->repo) < 0)
		goto out;
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	if (push_range(r->lg->repo, walk, range) < 0)
		goto out;
	while (git_revwalk_next(&id, walk) == 0)
		if (commit_jobs(r, &id, &seen, ig) < 0)
			goto out;
	rc = 0;
out:
	if (rc < 0)
		git_err(err, errlen, "cannot walk history");
	free(seen.v);
	git_revwalk_free(walk);
	return rc;
}

struct lg_odb *
lg_odb_open(struct scan_repo *r)
{
	struct lg_odb *o;
	char err[256];

	if (lg_open(r, err, sizeof(err)) < 0 ||
	    (o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	if (git_repository_open(&o->repo, r->gitdir) < 0 ||
	    git_repository_odb(&o->odb, o->repo) < 0) {
		lg_odb_free(o);
		return NULL;
	}
	return o;
}

void
lg_odb_free(struct lg_odb *o)
{
	if (o == NULL)
		return;
	git_odb_free(o->odb);
	git_repository_free(o->repo);
	free(o);
}

int
lg_odb_read(struct lg_odb *o, const uint8_t oid[GIX_OIDLEN], uint64_t hint,
    size_t max, void **objp, const char **buf, size_t *len, uint64_t *size)
{
	git_odb_object *obj = NULL;
	git_object_t type;
	git_oid id;
	size_t n;

	*objp = NULL;
	oid_from(&id, oid);
	/* the header first, unless the index says the file is small: a
	 * 1 GB blob is refused without inflating it. A lying hint costs
	 * memory, never a skipped check: the size is tested again below. */
	if (hint == 0 || hint > max / 2) {
		if (git_odb_read_header(&n, &type, o->odb, &id) < 0)
			return -1;
		*size = n;
		if (n > max)
			return 1;
	}
	if (git_odb_read(&obj, o->odb, &id) < 0)
		return -1;
	*size = git_odb_object_size(obj);
	if (*size > max || git_odb_object_type(obj) != GIT_OBJECT_BLOB) {
		n = *size > max;
		git_odb_object_free(obj);
		return n ? 1 : -1;
	}
	*objp = obj;
	*buf = git_odb_object_data(obj);
	*len = git_odb_object_size(obj);
	return 0;
}

void
lg_object_free(void *obj)
{
	git_odb_object_free(obj);
}
