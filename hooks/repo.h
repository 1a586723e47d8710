/* SPDX-License-Identifier: ISC */
/*
 * hooks/repo.h - the scanner's view of a git repository (hooks/repo.c lists the
 * jobs, hooks/pool.c scans them; libgit2 only in hooks/git/libgit2.c) and
 * the hook installer (hooks/install.c).
 */
#ifndef SEAL_HOOKS_GIT_H
#define SEAL_HOOKS_GIT_H

#include <stdbool.h>
#include <stddef.h>

#include "hooks/scan.h"

#define SCAN_MAX_THREADS 16

enum scan_source {
	SCAN_SRC_STAGED = 1, /* what the next commit adds or changes */
	SCAN_SRC_INDEX,	     /* every tracked file, as staged */
	SCAN_SRC_TREE,	     /* every file of a revision */
	SCAN_SRC_HISTORY,    /* every blob a range of commits introduced */
};

struct scan_run_opts {
	enum scan_source src;
	const char *rev;	/* TREE: the revision; HISTORY: the range */
	int threads;
	const struct scan_ignore *ignore;
	/* called now and then from the calling thread while files are
	 * scanned (done of total); may be NULL */
	void (*progress)(void *arg, size_t done, size_t total);
	void *progress_arg;
};

struct scan_repo;

/* Open the repository the way git does, from the environment and cwd. */
int scan_repo_open(struct scan_repo **out, char *err, size_t errlen);
void scan_repo_free(struct scan_repo *r);
const char *scan_repo_workdir(const struct scan_repo *r);
/*
 * Read a small file (.sops.yaml, .sealignore) as the scan will see it:
 * from the index (STAGED/INDEX) or from rev (TREE/HISTORY: its tip).
 * 1 found, 0 absent, -1 error.
 */
int scan_repo_read_file(struct scan_repo *r, enum scan_source src,
    const char *rev, const char *path, char **buf, size_t *len, char *err,
    size_t errlen);
int scan_repo_run(struct scan_repo *r, const struct scan_engine *e,
    const struct scan_run_opts *o, struct scan_results *out, char *err,
    size_t errlen);
size_t scan_repo_njobs(const struct scan_repo *r);

/* install.c: the pre-commit hook in the repository's hooks directory. */
enum hook_action { HOOK_INSTALL, HOOK_UNINSTALL };
/* 0 done, 1 refused (foreign hook, no --force), -1 error; msg says why. */
int hook_install(enum hook_action act, bool force, const char *seal_path,
    char *msg, size_t msglen);

#endif
