/* SPDX-License-Identifier: ISC */
/*
 * keyfile.c - keys_private_file_read: open first, then check what was
 * opened (fstat, fstatvfs), then read into guarded memory. A stat() of
 * the path before open() would check one file and read another if the
 * path changed in between.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <sodium.h>

#include "keys/keyfile.h"

static seal_rc
check_fd(seal_ctx *ctx, int fd, const char *path)
{
	struct statvfs vfs;
	struct stat st;

	if (fstat(fd, &st) != 0)
		return seal_ctx_error(ctx, SEAL_EIO, "cannot check '%s': %s", path,
		    strerror(errno));
	if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) ||
	    S_ISSOCK(st.st_mode))
		return SEAL_OK; /* stdin, a pipe, /dev/fd/N: no mode to check */
	if (!S_ISREG(st.st_mode))
		return seal_ctx_error(ctx, SEAL_EINVAL,
		    "'%s' is not a regular file; give the path of a key file",
		    path);
	if ((st.st_mode & 077) == 0)
		return SEAL_OK;
	/* A Kubernetes Secret volume: read-only, 0444 or 0440 by default */
	if (fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
		return SEAL_OK;
	return seal_ctx_error(ctx, SEAL_EREFUSED,
	    "'%s' is readable by others (mode %04o); refusing to use a "
	    "private key from it; run: chmod 600 '%s'",
	    path, (unsigned)(st.st_mode & 07777), path);
}

static seal_rc
read_all(seal_ctx *ctx, int fd, const char *path, size_t max,
    unsigned char **out, size_t *len)
{
	unsigned char *buf = NULL, *nb;
	size_t cap = 4096, n = 0;
	struct stat st;
	ssize_t r;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (size_t)st.st_size < max)
		cap = (size_t)st.st_size + 1;
	for (;;) {
		if (buf == NULL || n == cap) {
			size_t ncap = buf == NULL ? cap : cap * 2;
			if (ncap > max + 1)
				ncap = max + 1;
			if (buf != NULL && ncap <= cap) {
				keys_private_file_free(buf, n);
				return seal_ctx_error(ctx, SEAL_ELIMIT,
				    "'%s' is larger than the limit of %zu "
				    "bytes for a key file",
				    path, max);
			}
			if ((nb = sodium_malloc(ncap + 1)) == NULL) {
				keys_private_file_free(buf, n);
				return seal_ctx_error(ctx, SEAL_ENOMEM,
				    "cannot read '%s': out of secure memory",
				    path);
			}
			if (buf != NULL) {
				memcpy(nb, buf, n);
				keys_private_file_free(buf, n);
			}
			buf = nb;
			cap = ncap;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			keys_private_file_free(buf, n);
			return seal_ctx_error(ctx, SEAL_EIO, "cannot read '%s': %s",
			    path, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			keys_private_file_free(buf, n);
			return seal_ctx_error(ctx, SEAL_ELIMIT,
			    "'%s' is larger than the limit of %zu bytes for a "
			    "key file",
			    path, max);
		}
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return SEAL_OK;
}

seal_rc
keys_private_file_read(seal_ctx *ctx, const char *path, size_t max,
    unsigned char **out, size_t *len)
{
	const char *name = path;
	seal_rc rc;
	int fd;

	*out = NULL;
	*len = 0;
	if (max == 0)
		max = KEYS_FILE_MAX;
	if (strcmp(path, "-") == 0) {
		fd = 0;
		name = "<stdin>";
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return seal_ctx_error(ctx, SEAL_EIO, "cannot open '%s': %s",
			    path, strerror(errno));
	}
	rc = check_fd(ctx, fd, name);
	if (rc == SEAL_OK)
		rc = read_all(ctx, fd, name, max, out, len);
	if (fd != 0)
		close(fd);
	return rc;
}

void
keys_private_file_free(unsigned char *buf, size_t len)
{
	if (buf == NULL)
		return;
	sodium_memzero(buf, len);
	sodium_free(buf);
}
