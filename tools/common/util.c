/* SPDX-License-Identifier: ISC */
/*
 * util.c - diagnostics, hardening and file helpers shared by the tools.
 * Messages never contain key material or plaintext; untrusted text is
 * escaped (control characters become '?') before it reaches a terminal.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <sodium.h>

#include "tools/common/util.h"

const char *progname = "seal";
int verbosity;

static void __attribute__((format(printf, 2, 0)))
vreport(const char *prefix, const char *fmt, va_list ap)
{
	char msg[4096];
	char *p;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (p = msg; *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			*p = '?';
	fprintf(stderr, "%s: %s%s\n", progname, prefix, msg);
}

void
error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
}

void
warn(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 0)
		return;
	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

void
info(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 1)
		return;
	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
}

void
die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	exit(code);
}

int
exit_code_for(seal_rc rc)
{
	switch (rc) {
	case SEAL_OK:
		return 0;
	case SEAL_EAUTH:
	case SEAL_ENOKEY:
	case SEAL_EREFUSED:
	case SEAL_EPAYLOAD:
		return 1;
	default:
		return 2;
	}
}

void
harden_process(void)
{
	struct rlimit rl = { 0, 0 };

	umask(077);
	setrlimit(RLIMIT_CORE, &rl);
#ifdef PR_SET_DUMPABLE
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
	if (sodium_init() < 0)
		die(2, "cannot initialise libsodium");
}

void
crypto_init_noconfig(void)
{
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
}

static int
read_fd(int fd, const char *name, size_t max, bool secure, unsigned char **out,
    size_t *len)
{
	unsigned char *buf = NULL, *nb;
	size_t cap = 0, n = 0;
	struct stat st;
	ssize_t r;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	if (cap == 0)
		cap = 65536;
	for (;;) {
		if (buf == NULL || n == cap) {
			size_t ncap = buf == NULL ? cap : cap * 2;
			if (max && ncap > max + 1)
				ncap = max + 1;
			if (buf != NULL && ncap <= cap) {
				error("'%s' is larger than the limit of %zu "
				      "bytes",
				    name, max);
				goto fail;
			}
			nb = secure ? sodium_malloc(ncap + 1) : malloc(ncap + 1);
			if (nb == NULL) {
				error("cannot read '%s': out of memory", name);
				goto fail;
			}
			if (buf != NULL) {
				memcpy(nb, buf, n);
				if (secure)
					sodium_free(buf);
				else
					free(buf);
			}
			buf = nb;
			cap = ncap;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			error("cannot read '%s': %s", name, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (max && n > max) {
			error("'%s' is larger than the limit of %zu bytes",
			    name, max);
			goto fail;
		}
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
fail:
	if (secure)
		sodium_free(buf);
	else
		free(buf);
	return -1;
}

static int
read_path(const char *path, size_t max, bool secure, unsigned char **out,
    size_t *len)
{
	int fd, rc;

	if (strcmp(path, "-") == 0)
		return read_fd(0, "<stdin>", max, secure, out, len);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		error("cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	rc = read_fd(fd, path, max, secure, out, len);
	close(fd);
	return rc;
}

int
read_file(const char *path, size_t max, char **out, size_t *len)
{
	return read_path(path, max, false, (unsigned char **)out, len);
}

int
read_file_secure(const char *path, size_t max, unsigned char **out,
    size_t *len)
{
	return read_path(path, max, true, out, len);
}

void
free_secure(void *p)
{
	if (p != NULL)
		sodium_free(p);
}

/*
 * Is name ".NAME.seal-tmp.PID.XXXXXX"? Sets *pid.
 */
static bool
tmp_name_pid(const char *name, long *pid)
{
	const char *m, *p;
	char *end;
	long v;

	if (name[0] != '.' || (m = strstr(name + 1, ATOMIC_TMP_MARK)) == NULL)
		return false;
	/* the last marker: NAME may contain one itself */
	while ((p = strstr(m + 1, ATOMIC_TMP_MARK)) != NULL)
		m = p;
	p = m + strlen(ATOMIC_TMP_MARK);
	if (*p < '0' || *p > '9')
		return false;
	errno = 0;
	v = strtol(p, &end, 10);
	if (errno != 0 || v <= 0 || *end != '.' || strlen(end + 1) != 6)
		return false;
	*pid = v;
	return true;
}

int
atomic_sweep(const char *dir)
{
	struct dirent *de;
	struct stat st;
	int dfd, fd, n = 0;
	DIR *d;
	long pid;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (!tmp_name_pid(de->d_name, &pid) || pid == (long)getpid())
			continue;
		/* a live process (or a pid reused since) keeps its file */
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		fd = openat(dfd, de->d_name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* and a writer in another pid namespace still holds its lock */
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid == geteuid() && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    unlinkat(dfd, de->d_name, 0) == 0) {
			warn("removed '%s/%s', left by an interrupted seal "
			     "(pid %ld)",
			    dir, de->d_name, pid);
			n++;
		}
		close(fd);
	}
	closedir(d);
	return n;
}

/* Sweep each directory once per process. */
static void
sweep_once(const char *dir)
{
	static char *done[8];
	static size_t ndone;
	size_t i;

	for (i = 0; i < ndone; i++)
		if (strcmp(done[i], dir) == 0)
			return;
	atomic_sweep(dir);
	if (ndone < sizeof(done) / sizeof(done[0]))
		done[ndone++] = strdup(dir);
}

static int
atomic_open_mode(struct atomic_file *af, const char *path, bool private)
{
	char *dcopy = NULL, *bcopy = NULL, *dir, *base;
	struct stat st;
	size_t n;

	memset(af, 0, sizeof(*af));
	af->fd = -1;
	af->path = strdup(path);
	dcopy = strdup(path);
	bcopy = strdup(path);
	if (af->path == NULL || dcopy == NULL || bcopy == NULL)
		goto oom;
	dir = dirname(dcopy);
	base = basename(bcopy);
	n = strlen(path) + sizeof(ATOMIC_TMP_MARK) + 40;
	af->tmp = malloc(n);
	if (af->tmp == NULL)
		goto oom;
	sweep_once(dir);
	snprintf(af->tmp, n, "%s/.%s" ATOMIC_TMP_MARK "%ld.XXXXXX", dir, base,
	    (long)getpid());
	/* mkostemp makes it 0600 (and umask can only take bits away) */
	af->fd = mkostemp(af->tmp, O_CLOEXEC);
	if (af->fd < 0) {
		error("cannot create a temporary file next to '%s': %s", path,
		    strerror(errno));
		free(af->tmp);
		af->tmp = NULL;
		goto fail;
	}
	(void)flock(af->fd, LOCK_EX);
	/* the result keeps the mode of the file it replaces, unless it
	 * holds plaintext: set after the rename, so the temporary file is
	 * never more open than 0600 */
	if (private) {
		af->keep_mode = 1;
		af->mode = 0600;
	} else if (stat(path, &st) == 0) {
		af->keep_mode = 1;
		af->mode = st.st_mode & 07777;
	}
	free(dcopy);
	free(bcopy);
	return 0;
oom:
	error("out of memory");
fail:
	free(dcopy);
	free(bcopy);
	free(af->path);
	af->path = NULL;
	return -1;
}

int
atomic_open(struct atomic_file *af, const char *path)
{
	return atomic_open_mode(af, path, false);
}

int
atomic_open_private(struct atomic_file *af, const char *path)
{
	return atomic_open_mode(af, path, true);
}

int
atomic_write_fn(void *arg, const void *buf, size_t len)
{
	struct atomic_file *af = arg;
	const unsigned char *p = buf;
	ssize_t w;

	while (len > 0 && !af->failed) {
		w = write(af->fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			error("cannot write '%s': %s", af->tmp,
			    strerror(errno));
			af->failed = 1;
			break;
		}
		p += w;
		len -= (size_t)w;
	}
	return af->failed ? -1 : 0;
}

int
atomic_commit(struct atomic_file *af)
{
	char *dcopy;
	int dfd, rc = -1;

	if (af->failed)
		goto out;
	if (fsync(af->fd) != 0) {
		error("cannot sync '%s': %s", af->tmp, strerror(errno));
		goto out;
	}
	if (rename(af->tmp, af->path) != 0) {
		error("cannot replace '%s': %s", af->path, strerror(errno));
		goto out;
	}
	free(af->tmp);
	af->tmp = NULL;
	if (af->keep_mode && fchmod(af->fd, (mode_t)af->mode) != 0) {
		error("cannot set the mode of '%s': %s", af->path,
		    strerror(errno));
		goto out;
	}
	if (close(af->fd) != 0) {
		af->fd = -1;
		error("cannot close '%s': %s", af->path, strerror(errno));
		goto out;
	}
	af->fd = -1;
	dcopy = strdup(af->path);
	if (dcopy != NULL) {
		dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
		free(dcopy);
	}
	rc = 0;
out:
	atomic_abort(af);
	return rc;
}

void
atomic_abort(struct atomic_file *af)
{
	if (af->fd >= 0)
		close(af->fd);
	af->fd = -1;
	if (af->tmp != NULL) {
		unlink(af->tmp);
		free(af->tmp);
		af->tmp = NULL;
	}
	free(af->path);
	af->path = NULL;
}

int
fd_write_fn(void *arg, const void *buf, size_t len)
{
	int fd = *(int *)arg;
	const char *p = buf;
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
stdio_write_fn(void *arg, const void *buf, size_t len)
{
	FILE *f = arg;

	if (len > 0 && fwrite(buf, 1, len, f) != len)
		return -1;
	return 0;
}
