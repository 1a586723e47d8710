/* SPDX-License-Identifier: ISC */
/*
 * walk.c - `seal scan PATH...` and the hook with file names (the
 * pre-commit framework's list): files on disk, not git objects. The
 * directories are walked once (readdir's d_type, no stat per entry; .git
 * skipped, symbolic links not followed), then threads take files from the
 * list in turn, each with its own worker, read buffer and findings, which
 * are merged at the end (the report sorts them). A file that cannot be
 * read stops the scan: an unread file is not a clean one.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hooks/scan.h"

#define WALK_MAX_THREADS 16

struct list {
	char **v;
	size_t n, cap;
};

static int
list_add(struct list *l, const char *a, const char *b)
{
	size_t la = strlen(a), lb = b ? strlen(b) : 0;
	char *s;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 1024;
		char **nv = realloc(l->v, ncap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		l->v = nv;
		l->cap = ncap;
	}
	if ((s = malloc(la + lb + 2)) == NULL)
		return -1;
	memcpy(s, a, la);
	if (b) {
		s[la] = '/';
		memcpy(s + la + 1, b, lb + 1);
	} else
		s[la] = '\0';
	/* "./x" is reported as "x", as git and the other modes name it */
	if (strncmp(s, "./", 2) == 0)
		memmove(s, s + 2, strlen(s + 2) + 1);
	l->v[l->n++] = s;
	return 0;
}

static int
walk_dir(const char *dir, struct list *l, char *err, size_t errlen,
    unsigned depth)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > 256) {
		snprintf(err, errlen, "'%s': directories nested too deep", dir);
		return -1;
	}
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "cannot read '%s': %s", dir,
		    strerror(errno));
		return -1;
	}
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		unsigned char type = de->d_type;
		char sub[4096];

		if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && !n[2])))
			continue;
		if (type == DT_UNKNOWN) {
			struct stat st;
			snprintf(sub, sizeof(sub), "%s/%s", dir, n);
			if (lstat(sub, &st) < 0) {
				snprintf(err, errlen, "cannot read '%s': %s", sub,
				    strerror(errno));
				rc = -1;
				break;
			}
			type = S_ISDIR(st.st_mode) ? DT_DIR :
			    S_ISREG(st.st_mode)	   ? DT_REG :
						     DT_LNK;
		}
		if (type == DT_DIR) {
			if (strcmp(n, ".git") == 0)
				continue;
			if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, n) >=
			    sizeof(sub)) {
				snprintf(err, errlen, "'%s/%s': path too long",
				    dir, n);
				rc = -1;
				break;
			}
			rc = walk_dir(sub, l, err, errlen, depth + 1);
		} else if (type == DT_REG) {
			if (list_add(l, dir, n) < 0) {
				snprintf(err, errlen, "out of memory");
				rc = -1;
			}
		}
	}
	if (rc == 0 && errno != 0) {
		snprintf(err, errlen, "cannot read '%s': %s", dir,
		    strerror(errno));
		rc = -1;
	}
	closedir(d);
	return rc;
}

struct shared {
	const struct scan_engine *e;
	const struct scan_ignore *ig;
	struct list *files;
	size_t next;
	int failed;
	char err[512];
	pthread_mutex_t mu;
};

struct thr {
	struct shared *sh;
	struct scan_results res;
	pthread_t tid;
	int rc;
};

static void
fail(struct shared *sh, const char *path, int e)
{
	pthread_mutex_lock(&sh->mu);
	if (!sh->failed)
		snprintf(sh->err, sizeof(sh->err), "cannot read '%s': %s",
		    path, e ? strerror(e) : "out of memory");
	sh->failed = 1;
	pthread_mutex_unlock(&sh->mu);
}

static void
fail_msg(struct shared *sh, const char *msg)
{
	pthread_mutex_lock(&sh->mu);
	if (!sh->failed)
		snprintf(sh->err, sizeof(sh->err), "%.255s", msg);
	sh->failed = 1;
	pthread_mutex_unlock(&sh->mu);
}

static void *
run(void *arg)
{
	struct thr *t = arg;
	struct shared *sh = t->sh;
	struct scan_worker *w = scan_worker_new(sh->e);
	size_t max = scan_engine_max_size(sh->e), cap = 0;
	char *buf = NULL;

	if (w == NULL) {
		fail(sh, "(worker)", 0);
		t->rc = -1;
		return NULL;
	}
	while (!__atomic_load_n(&sh->failed, __ATOMIC_RELAXED)) {
		size_t i = __atomic_fetch_add(&sh->next, 1, __ATOMIC_RELAXED);
		const char *path;
		struct stat st;
		size_t got = 0;
		int fd;

		if (i >= sh->files->n)
			break;
		path = sh->files->v[i];
		if (scan_ignore_match(sh->ig, path))
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 || fstat(fd, &st) < 0) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			if (e == ELOOP)
				continue; /* became a symlink: not followed */
			fail(sh, path, e);
			break;
		}
		if (!S_ISREG(st.st_mode)) {
			close(fd);
			continue;
		}
		if ((uint64_t)st.st_size > max) {
			close(fd);
			if (scan_too_large(&t->res, path, (uint64_t)st.st_size,
				max) < 0) {
				fail(sh, path, 0);
				break;
			}
			continue;
		}
		if ((size_t)st.st_size + 1 > cap) {
			size_t ncap = (size_t)st.st_size + 1 < 65536 ? 65536 :
			    (size_t)st.st_size + 1;
			char *nb = realloc(buf, ncap);
			if (nb == NULL) {
				close(fd);
				fail(sh, path, 0);
				break;
			}
			buf = nb;
			cap = ncap;
		}
		/* read to EOF: the file may have grown since fstat */
		for (;;) {
			ssize_t r = read(fd, buf + got, cap - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				got = (size_t)-1;
				break;
			}
			if (r == 0)
				break;
			got += (size_t)r;
			if (got == cap) {
				char *nb;
				if (cap > max) {
					got = (size_t)-2;
					break;
				}
				if ((nb = realloc(buf, cap * 2)) == NULL) {
					got = (size_t)-3;
					break;
				}
				buf = nb;
				cap *= 2;
			}
		}
		close(fd);
		if (got == (size_t)-2) {
			if (scan_too_large(&t->res, path, (uint64_t)cap, max) <
			    0) {
				fail(sh, path, 0);
				break;
			}
			continue;
		}
		if (got == (size_t)-1 || got == (size_t)-3) {
			fail(sh, path, got == (size_t)-1 ? EIO : 0);
			break;
		}
		if (scan_buffer(w, path, buf, got, &t->res) < 0) {
			/* a check that could not decide says why */
			if (t->res.err[0] != '\0')
				fail_msg(sh, t->res.err);
			else
				fail(sh, path, 0);
			break;
		}
	}
	free(buf);
	scan_worker_free(w);
	return NULL;
}

int
scan_walk_run(const struct scan_engine *e, char *const *paths, int npaths,
    const struct scan_walk_opts *o, struct scan_results *out, char *err,
    size_t errlen)
{
	struct list files = { 0 };
	struct shared sh = { .e = e, .ig = o ? o->ignore : NULL,
		.files = &files };
	struct thr thr[WALK_MAX_THREADS];
	int k, nt = o && o->threads > 0 ? o->threads : 1, rc = 0, started;
	size_t i;

	memset(thr, 0, sizeof(thr));
	for (k = 0; k < npaths && rc == 0; k++) {
		struct stat st;
		if (lstat(paths[k], &st) < 0) {
			snprintf(err, errlen, "cannot read '%s': %s", paths[k],
			    strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			char d[4096];
			size_t l = strlen(paths[k]);
			snprintf(d, sizeof(d), "%s", paths[k]);
			while (l > 1 && d[l - 1] == '/')
				d[--l] = '\0';
			rc = walk_dir(d, &files, err, errlen, 0);
		} else if (S_ISREG(st.st_mode)) {
			if (list_add(&files, paths[k], NULL) < 0) {
				snprintf(err, errlen, "out of memory");
				rc = -1;
			}
		}
	}
	if (rc == 0) {
		if (nt > WALK_MAX_THREADS)
			nt = WALK_MAX_THREADS;
		if ((size_t)nt > files.n / 64 + 1)
			nt = (int)(files.n / 64 + 1); /* few files: few threads */
		pthread_mutex_init(&sh.mu, NULL);
		for (k = 0; k < nt; k++)
			thr[k].sh = &sh;
		for (started = 1; started < nt; started++)
			if (pthread_create(&thr[started].tid, NULL, run,
				&thr[started]) != 0)
				break;
		run(&thr[0]);
		for (k = 1; k < started; k++)
			pthread_join(thr[k].tid, NULL);
		pthread_mutex_destroy(&sh.mu);
		for (k = 0; k < nt; k++) {
			if (rc == 0 && scan_results_merge(out, &thr[k].res) < 0) {
				snprintf(err, errlen, "out of memory");
				rc = -1;
			}
			scan_results_free(&thr[k].res);
		}
		if (sh.failed && rc == 0) {
			snprintf(err, errlen, "%s", sh.err);
			rc = -1;
		}
	}
	for (i = 0; i < files.n; i++)
		free(files.v[i]);
	free(files.v);
	return rc;
}
