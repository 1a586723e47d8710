/* SPDX-License-Identifier: ISC */
/*
 * walk.c - `seal scan PATH...` and the hook with file names (the
 * pre-commit framework's list): files on disk, not git objects. The
 * directories are walked once (readdir's d_type, no stat per entry; .git
 * skipped, symbolic links not followed), then threads take files from the
 * list in turn, each with its own worker, read buffers and findings,
 * which are merged at the end (the report sorts them). Files are read in
 * batches through io_uring where the kernel allows it (wtread.c: one
 * system call for the statx, open, read and close of 16 files instead of
 * five calls per file, which made `seal scan .` three times slower than
 * `--all`); any doubt about a batch's bytes, and every file where there
 * is no ring, is read the plain way. A file that cannot be read stops
 * the scan: an unread file is not a clean one.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hooks/scan.h"
#include "hooks/wtread.h"

#define WALK_MAX_THREADS 16
#define WALK_BATCH	 WT_BATCH  /* files per io_uring submission */
#define WALK_RING_MIN	 (64u << 10) /* a ring buffer's first size */
#define WALK_RING_MAX	 (1u << 20)  /* bigger files: the plain way */

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

/* a check that could not decide says why */
static void
scan_failed(struct thr *t, const char *path)
{
	if (t->res.err[0] != '\0')
		fail_msg(t->sh, t->res.err);
	else
		fail(t->sh, path, 0);
}

/* The plain way, one file at a time: open, fstat, read to EOF. 0 scanned
 * (or skipped: not a regular file any more), -1 failed (sh says why). */
static int
read_plain(struct thr *t, struct scan_worker *w, const char *path,
    char **bufp, size_t *capp, size_t max)
{
	struct shared *sh = t->sh;
	char *buf = *bufp;
	size_t cap = *capp, got = 0;
	struct stat st;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		if (e == ELOOP)
			return 0; /* became a symlink: not followed */
		fail(sh, path, e);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		if (scan_too_large(&t->res, path, (uint64_t)st.st_size, max) <
		    0) {
			fail(sh, path, 0);
			return -1;
		}
		return 0;
	}
	if ((size_t)st.st_size + 1 > cap) {
		size_t ncap = (size_t)st.st_size + 1 < 65536 ? 65536 :
		    (size_t)st.st_size + 1;
		char *nb = realloc(buf, ncap);
		if (nb == NULL) {
			close(fd);
			fail(sh, path, 0);
			return -1;
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
	*bufp = buf;
	*capp = cap;
	if (got == (size_t)-2) {
		if (scan_too_large(&t->res, path, (uint64_t)cap, max) < 0) {
			fail(sh, path, 0);
			return -1;
		}
		return 0;
	}
	if (got == (size_t)-1 || got == (size_t)-3) {
		fail(sh, path, got == (size_t)-1 ? EIO : 0);
		return -1;
	}
	if ((rc = scan_buffer(w, path, buf, got, &t->res)) < 0)
		scan_failed(t, path);
	return rc;
}

/*
 * One batch through io_uring (wtread.c): each file's statx, open, read
 * and close in one system call for the whole batch. The ring's bytes are
 * used only when they are clearly the whole regular file (statx says a
 * regular file of exactly the bytes read, and the read did not fill the
 * buffer); anything else, and every file of a batch the ring could not
 * run, is read the plain way, which decides as before.
 */
struct ring_io {
	struct wt_ring *ring;
	bool tried;
	struct wt_req q[WALK_BATCH];
	char *buf[WALK_BATCH];
	size_t cap[WALK_BATCH];
};

static void
ring_io_free(struct ring_io *io)
{
	size_t k;

	wt_ring_free(io->ring); /* before the buffers it reads into */
	for (k = 0; k < WALK_BATCH; k++)
		free(io->buf[k]);
}

/* Scan files [i, i + n): 0, or -1 (sh says why). */
static int
scan_batch(struct thr *t, struct scan_worker *w, struct ring_io *io,
    size_t i, size_t n, char **pbuf, size_t *pcap, size_t max)
{
	struct shared *sh = t->sh;
	size_t idx[WALK_BATCH], k;
	int nq = 0;

	if (!io->tried) { /* a few files: the ring's set-up costs more */
		io->tried = true;
		if (sh->files->n >= WALK_BATCH)
			io->ring = wt_ring_new(".");
	}
	for (k = 0; k < n; k++) {
		const char *path = sh->files->v[i + k];
		size_t want = io->cap[nq] ? io->cap[nq] : WALK_RING_MIN;
		if (scan_ignore_match(sh->ig, path))
			continue;
		if (io->ring != NULL && io->buf[nq] == NULL &&
		    (io->buf[nq] = malloc(want)) != NULL)
			io->cap[nq] = want;
		if (io->ring == NULL || io->buf[nq] == NULL) {
			if (read_plain(t, w, path, pbuf, pcap, max) < 0)
				return -1;
			continue;
		}
		io->q[nq].path = path;
		io->q[nq].buf = io->buf[nq];
		io->q[nq].cap = io->cap[nq];
		idx[nq++] = i + k;
	}
	if (nq == 0)
		return 0;
	if (wt_ring_read(io->ring, io->q, nq) < 0) {
		wt_ring_free(io->ring); /* broken: the plain way from now */
		io->ring = NULL;
		for (k = 0; k < (size_t)nq; k++)
			if (read_plain(t, w, sh->files->v[idx[k]], pbuf, pcap,
				max) < 0)
				return -1;
		return 0;
	}
	for (k = 0; k < (size_t)nq; k++) {
		const struct wt_req *q = &io->q[k];
		const char *path = sh->files->v[idx[k]];
		bool whole = q->sres == 0 && S_ISREG(q->stx.stx_mode) &&
		    q->rres >= 0 && (size_t)q->rres < q->cap &&
		    (uint64_t)q->rres == q->stx.stx_size &&
		    (size_t)q->rres <= max;
		if (whole) {
			if (scan_buffer(w, path, q->buf, (size_t)q->rres,
				&t->res) < 0) {
				scan_failed(t, path);
				return -1;
			}
			continue;
		}
		/* a bigger file next time fits, up to WALK_RING_MAX */
		if (q->sres == 0 && S_ISREG(q->stx.stx_mode) &&
		    q->stx.stx_size >= q->cap &&
		    q->stx.stx_size < WALK_RING_MAX) {
			char *nb = realloc(io->buf[k], q->stx.stx_size + 1);
			if (nb != NULL) {
				io->buf[k] = nb;
				io->cap[k] = q->stx.stx_size + 1;
			}
		}
		if (read_plain(t, w, path, pbuf, pcap, max) < 0)
			return -1;
	}
	return 0;
}

static void *
run(void *arg)
{
	struct thr *t = arg;
	struct shared *sh = t->sh;
	struct scan_worker *w = scan_worker_new(sh->e);
	struct ring_io *io = calloc(1, sizeof(*io));
	size_t max = scan_engine_max_size(sh->e), cap = 0;
	char *buf = NULL;

	if (w == NULL || io == NULL) {
		fail(sh, "(worker)", 0);
		t->rc = -1;
		goto out;
	}
	while (!__atomic_load_n(&sh->failed, __ATOMIC_RELAXED)) {
		size_t i = __atomic_fetch_add(&sh->next, WALK_BATCH,
		    __ATOMIC_RELAXED);
		size_t n;

		if (i >= sh->files->n)
			break;
		n = sh->files->n - i < WALK_BATCH ? sh->files->n - i :
						   WALK_BATCH;
		if (scan_batch(t, w, io, i, n, &buf, &cap, max) < 0)
			break;
	}
out:
	if (io != NULL) {
		ring_io_free(io);
		free(io);
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
