/* SPDX-License-Identifier: ISC */
/*
 * hooks/git/objects.c - the staged check's fast path, without libgit2 (whose
 * start-up alone costs more than the check's budget): find the
 * repository as git does for the plain layouts, map and parse its index,
 * resolve HEAD through loose or packed refs and read loose objects
 * (packs: hooks/git/pack.c; the HEAD-to-index comparison: hooks/git/diff.c). Anything
 * unusual answers GIX_UNSUPPORTED and the caller (repo.c) asks libgit2
 * instead; never a guess.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "hooks/git/git.h"

#define SMALL_MAX (1u << 20) /* HEAD, refs, config, packed-refs cap */

/* Read a whole (small) file: 0, or -1 with errno. */
static int
slurp(const char *path, size_t max, char **out, size_t *outlen)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > max) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		free(buf);
		errno = EIO;
		return -1;
	}
	buf[got] = '\0';
	*out = buf;
	*outlen = got;
	return 0;
}

static int
join(char *out, size_t outlen, const char *a, const char *b)
{
	int n = snprintf(out, outlen, "%s%s", a, b);

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* dir with exactly one trailing '/' */
static int
set_dir(char *out, const char *base, const char *rel, size_t rellen)
{
	int n;

	if (rellen && rel[0] == '/')
		n = snprintf(out, GIX_MAX_PATH, "%.*s", (int)rellen, rel);
	else
		n = snprintf(out, GIX_MAX_PATH, "%s%.*s", base, (int)rellen,
		    rel);
	if (n <= 0 || n >= GIX_MAX_PATH - 1)
		return -1;
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	out[n] = '/';
	out[n + 1] = '\0';
	return 0;
}

static bool
is_gitdir(const char *dir)
{
	char p[GIX_MAX_PATH + 16];
	struct stat st;

	return join(p, sizeof(p), dir, "HEAD") == 0 && stat(p, &st) == 0 &&
	    S_ISREG(st.st_mode) && join(p, sizeof(p), dir, "objects") == 0 &&
	    stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The config may move things (core.worktree, extensions, includes):
 * any of those words, anywhere, and the fast path steps aside. */
static int
config_plain(const char *dir)
{
	static const char *const words[] = { "worktree", "extensions",
		"include", "objectformat", "bare = true", "bare=true",
		"precious" };
	char p[GIX_MAX_PATH + 16], *buf;
	size_t len, i, k;

	if (join(p, sizeof(p), dir, "config") < 0)
		return GIX_UNSUPPORTED;
	if (slurp(p, SMALL_MAX, &buf, &len) < 0)
		return errno == ENOENT ? GIX_OK : GIX_UNSUPPORTED;
	for (i = 0; i < len; i++)
		buf[i] = (char)(buf[i] >= 'A' && buf[i] <= 'Z' ? buf[i] + 32 :
								 buf[i]);
	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++)
		if (memmem(buf, len, words[k], strlen(words[k]))) {
			free(buf);
			return GIX_UNSUPPORTED;
		}
	free(buf);
	return GIX_OK;
}

int
gix_repo_discover(struct gix_repo *r)
{
	static const char *const moving[] = { "GIT_WORK_TREE",
		"GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY",
		"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CEILING_DIRECTORIES",
		"GIT_NAMESPACE", "GIT_REPLACE_REF_BASE" };
	char cwd[GIX_MAX_PATH], probe[GIX_MAX_PATH + 16], *buf = NULL;
	const char *gd = getenv("GIT_DIR"), *ixf = getenv("GIT_INDEX_FILE");
	struct stat st, cst;
	size_t i, len;
	int rc = GIX_UNSUPPORTED;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < sizeof(moving) / sizeof(moving[0]); i++)
		if (getenv(moving[i]))
			return GIX_UNSUPPORTED;
	if (getcwd(cwd, sizeof(cwd) - 2) == NULL || stat(cwd, &cst) < 0)
		return GIX_UNSUPPORTED;
	len = strlen(cwd);
	if (len > 1) {
		cwd[len++] = '/';
		cwd[len] = '\0';
	}
	if (gd) {
		/* as git: GIT_DIR given, the work tree is cwd */
		if (*gd == '\0' || set_dir(r->gitdir, cwd, gd, strlen(gd)) < 0)
			return GIX_UNSUPPORTED;
		memcpy(r->workdir, cwd, len + 1);
	} else {
		/* walk up from cwd to the first ".git", on one file system */
		for (;;) {
			if (join(probe, sizeof(probe), cwd, ".git") < 0 ||
			    lstat(probe, &st) < 0) {
				if (errno != ENOENT)
					return GIX_UNSUPPORTED;
			} else
				break;
			if (len <= 1)
				return GIX_UNSUPPORTED;
			do
				cwd[--len] = '\0';
			while (len > 1 && cwd[len - 1] != '/');
			if (stat(cwd, &st) < 0 || st.st_dev != cst.st_dev)
				return GIX_UNSUPPORTED;
		}
		memcpy(r->workdir, cwd, len + 1);
		if (S_ISDIR(st.st_mode)) {
			if (set_dir(r->gitdir, cwd, ".git", 4) < 0)
				return GIX_UNSUPPORTED;
		} else if (S_ISREG(st.st_mode)) {
			/* a gitfile: "gitdir: PATH" (worktrees, submodules) */
			size_t n;
			if (slurp(probe, 4096, &buf, &n) < 0 ||
			    strncmp(buf, "gitdir: ", 8) != 0)
				goto out;
			while (n > 8 && (buf[n - 1] == '\n' ||
					    buf[n - 1] == '\r'))
				buf[--n] = '\0';
			if (n <= 8 || memchr(buf, '\n', n) ||
			    set_dir(r->gitdir, cwd, buf + 8, n - 8) < 0)
				goto out;
			free(buf);
			buf = NULL;
		} else
			return GIX_UNSUPPORTED;
	}
	if (!is_gitdir(r->gitdir))
		goto out;
	/* a linked worktree shares refs and objects with its commondir */
	if (join(probe, sizeof(probe), r->gitdir, "commondir") == 0 &&
	    slurp(probe, 4096, &buf, &len) == 0) {
		while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		if (len == 0 || memchr(buf, '\n', len) ||
		    set_dir(r->commondir, r->gitdir, buf, len) < 0 ||
		    !is_gitdir(r->commondir))
			goto out;
		free(buf);
		buf = NULL;
	} else if (errno != ENOENT)
		goto out;
	else
		memcpy(r->commondir, r->gitdir, sizeof(r->gitdir));
	if (config_plain(r->commondir) != GIX_OK ||
	    (strcmp(r->commondir, r->gitdir) != 0 &&
		config_plain(r->gitdir) != GIX_OK))
		goto out;
	/* objects/info/alternates: more object stores, not handled */
	if (join(probe, sizeof(probe), r->commondir,
		"objects/info/alternates") < 0 ||
	    access(probe, F_OK) == 0)
		goto out;
	if (ixf && *ixf) {
		/* relative to cwd, as git reads it */
		if (ixf[0] == '/')
			rc = snprintf(r->indexpath, sizeof(r->indexpath), "%s",
			    ixf);
		else {
			if (getcwd(probe, sizeof(probe)) == NULL)
				goto out;
			rc = snprintf(r->indexpath, sizeof(r->indexpath),
			    "%s/%s", probe, ixf);
		}
		if (rc < 0 || (size_t)rc >= sizeof(r->indexpath)) {
			rc = GIX_UNSUPPORTED;
			goto out;
		}
	} else if (join(r->indexpath, sizeof(r->indexpath), r->gitdir,
		       "index") < 0)
		goto out;
	rc = GIX_OK;
out:
	free(buf);
	return rc;
}

int
gix_repo_index(const struct gix_repo *r, struct gix_index **out,
    unsigned char **map, size_t *maplen, char *err, size_t errlen)
{
	struct stat st;
	void *p;
	int rc, fd;

	*out = NULL;
	*map = NULL;
	/* no index at all (a fresh repository) is libgit2's case */
	if ((fd = open(r->indexpath, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot read the index: %s",
		    strerror(errno));
		return GIX_UNSUPPORTED;
	}
	/* git replaces the index by rename, never in place: a mapping of
	 * this inode stays what it was; pre-faulted in one call */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 32 ||
	    (uint64_t)st.st_size > GIX_MAX_INDEX ||
	    (p = mmap(NULL, (size_t)st.st_size, PROT_READ,
		 MAP_PRIVATE | MAP_POPULATE, fd, 0)) == MAP_FAILED) {
		close(fd);
		snprintf(err, errlen, "cannot map the index");
		return GIX_UNSUPPORTED;
	}
	close(fd);
	rc = gix_index_parse(p, (size_t)st.st_size, out, err, errlen);
	if (rc != GIX_OK) {
		munmap(p, (size_t)st.st_size);
		return rc;
	}
	*map = p;
	*maplen = (size_t)st.st_size;
	return GIX_OK;
}

void
gix_unmap(unsigned char *map, size_t len)
{
	if (map)
		munmap(map, len);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int
parse_hex(const char *s, uint8_t oid[GIX_OIDLEN])
{
	size_t i;

	for (i = 0; i < GIX_OIDLEN; i++) {
		int a = hexval((unsigned char)s[2 * i]),
		    b = a < 0 ? -1 : hexval((unsigned char)s[2 * i + 1]);
		if (a < 0 || b < 0)
			return -1;
		oid[i] = (uint8_t)(a << 4 | b);
	}
	return 0;
}

static bool
ref_name_ok(const char *name, size_t len)
{
	/* refs/...; no "..", no control bytes, nothing that leaves .git */
	if (len < 6 || len > 1024 || strncmp(name, "refs/", 5) != 0 ||
	    memmem(name, len, "..", 2) || memmem(name, len, "//", 2) ||
	    name[len - 1] == '/')
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x21 || name[i] == '\\' ||
		    name[i] == ':' || name[i] == 0x7f)
			return false;
	return true;
}

/* 0 found, 1 absent, GIX_UNSUPPORTED otherwise */
static int
packed_ref(const struct gix_repo *r, const char *name, uint8_t oid[])
{
	char p[GIX_MAX_PATH + 16], *buf, *line, *nl;
	size_t len, nlen = strlen(name);
	int rc = 1;

	if (join(p, sizeof(p), r->commondir, "packed-refs") < 0)
		return GIX_UNSUPPORTED;
	if (slurp(p, 256u << 20, &buf, &len) < 0)
		return errno == ENOENT ? 1 : GIX_UNSUPPORTED;
	for (line = buf; line < buf + len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(buf + len - line));
		if (nl == NULL)
			nl = buf + len;
		if ((size_t)(nl - line) == 41 + nlen && line[40] == ' ' &&
		    memcmp(line + 41, name, nlen) == 0) {
			rc = parse_hex(line, oid) < 0 ? GIX_UNSUPPORTED : 0;
			break;
		}
	}
	free(buf);
	return rc;
}

int
gix_head_tree(const struct gix_repo *r, uint8_t tree[GIX_OIDLEN])
{
	char p[GIX_MAX_PATH + 1100], *buf = NULL, name[1100];
	const char *dir = r->gitdir;
	uint8_t oid[GIX_OIDLEN];
	size_t len, hops;
	uint64_t size;
	int rc;

	snprintf(name, sizeof(name), "HEAD");
	for (hops = 0;; hops++) {
		if (hops > 5 || join(p, sizeof(p), dir, name) < 0)
			return GIX_UNSUPPORTED;
		if (slurp(p, 4096, &buf, &len) < 0) {
			if (errno != ENOENT || hops == 0)
				return GIX_UNSUPPORTED;
			rc = packed_ref(r, name, oid);
			if (rc == 1)
				return 1; /* unborn branch */
			if (rc < 0)
				return rc;
			break;
		}
		while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		if (len >= 5 && strncmp(buf, "ref: ", 5) == 0) {
			if (!ref_name_ok(buf + 5, len - 5) ||
			    len - 5 >= sizeof(name)) {
				free(buf);
				return GIX_UNSUPPORTED;
			}
			memcpy(name, buf + 5, len - 4);
			free(buf);
			buf = NULL;
			/* refs other than HEAD live in the common dir */
			dir = r->commondir;
			continue;
		}
		if (len != 40 || parse_hex(buf, oid) < 0) {
			free(buf);
			return GIX_UNSUPPORTED;
		}
		free(buf);
		buf = NULL;
		break;
	}
	/* the commit: "tree <hex>\n" first */
	if ((rc = gix_read_object(r, oid, "commit", SMALL_MAX, &buf, &len,
		 &size)) != GIX_OK)
		return rc == 1 ? GIX_UNSUPPORTED : rc;
	rc = len >= 46 && strncmp(buf, "tree ", 5) == 0 && buf[45] == '\n' &&
		parse_hex(buf + 5, tree) == 0 ?
	    GIX_OK :
	    GIX_CORRUPT;
	free(buf);
	return rc;
}


int
gix_read_object(const struct gix_repo *r, const uint8_t oid[GIX_OIDLEN],
    const char *type, size_t max, char **out, size_t *outlen,
    uint64_t *size)
{
	static const char hex[] = "0123456789abcdef";
	char p[GIX_MAX_PATH + 64], hdr[64], *obj = NULL;
	unsigned char *in = NULL;
	size_t inlen, i, tl = strlen(type), hl;
	unsigned long long n;
	char *ep;
	z_stream z;
	int zr, rc = GIX_CORRUPT;
	bool whole = true;

	*out = NULL;
	*outlen = 0;
	i = (size_t)snprintf(p, sizeof(p), "%sobjects/", r->commondir);
	if (i + 42 >= sizeof(p))
		return GIX_UNSUPPORTED;
	for (size_t k = 0; k < GIX_OIDLEN; k++) {
		p[i++] = hex[oid[k] >> 4];
		p[i++] = hex[oid[k] & 15];
		if (k == 0)
			p[i++] = '/';
	}
	p[i] = '\0';
	/* compressed objects are at most a little bigger than max */
	if (slurp(p, max + (max >> 4) + 4096, (char **)&in, &inlen) < 0) {
		if (errno == ENOENT)
			return gix_pack_read(r, oid, type, max, out, outlen, size);
		if (errno != EFBIG)
			return GIX_UNSUPPORTED;
		in = NULL; /* too big to be under max: read the header */
		whole = false;
		{
			int fd = open(p, O_RDONLY | O_CLOEXEC);
			ssize_t k;
			if (fd < 0)
				return GIX_UNSUPPORTED;
			in = malloc(4096);
			k = in ? read(fd, in, 4096) : -1;
			close(fd);
			if (k <= 0) {
				free(in);
				return GIX_UNSUPPORTED;
			}
			inlen = (size_t)k;
		}
	}
#ifndef HAVE_LIBDEFLATE
	(void)whole;
#else
	if (whole && (rc = gix_loose_guess(in, inlen, type, max, out, outlen,
			  size)) != 2) {
		free(in);
		return rc;
	}
#endif
	if ((rc = gix_zstart(&z, in, inlen)) != GIX_OK) {
		free(in);
		return rc;
	}
	rc = GIX_CORRUPT;
	/* the header: "<type> <size>\0" */
	z.next_out = (unsigned char *)hdr;
	z.avail_out = sizeof(hdr);
	while (z.avail_out && (zr = inflate(&z, Z_SYNC_FLUSH)) == Z_OK &&
	    !memchr(hdr, '\0', sizeof(hdr) - z.avail_out))
		;
	hl = sizeof(hdr) - z.avail_out;
	ep = memchr(hdr, '\0', hl);
	if (ep == NULL || (size_t)(ep - hdr) <= tl + 1 ||
	    memcmp(hdr, type, tl) != 0 || hdr[tl] != ' ' ||
	    hdr[tl + 1] < '0' || hdr[tl + 1] > '9' ||
	    (hdr[tl + 1] == '0' && ep - hdr > (ptrdiff_t)tl + 2))
		goto out;
	n = strtoull(hdr + tl + 1, &ep, 10);
	if (*ep != '\0' || n > (1ull << 40))
		goto out;
	*size = n;
	if (n > max) {
		rc = 1;
		goto out;
	}
	if (n >= UINT32_MAX) {
		rc = GIX_UNSUPPORTED;
		goto out;
	}
#ifdef HAVE_LIBDEFLATE
	{
		/* the whole stream again, header and all, in one call */
		size_t hs = (size_t)(ep - hdr) + 1;
		if ((obj = malloc(hs + (size_t)n + 1)) == NULL) {
			rc = GIX_NOMEM;
			goto out;
		}
		if ((rc = gix_inflate(in, inlen, obj, hs + (size_t)n)) !=
		    GIX_OK)
			goto out;
		rc = GIX_CORRUPT;
		if (memcmp(obj, hdr, hs) != 0)
			goto out;
		memmove(obj, obj + hs, (size_t)n);
		goto done;
	}
#endif
	if ((obj = malloc((size_t)n + 1)) == NULL) {
		rc = GIX_NOMEM;
		goto out;
	}
	/* what followed the header in the first inflate */
	hl -= (size_t)(ep - hdr) + 1;
	if (hl > n)
		goto out;
	memcpy(obj, ep + 1, hl);
	z.next_out = (unsigned char *)obj + hl;
	z.avail_out = (uInt)(n - hl);
	zr = Z_OK;
	while (zr == Z_OK && z.avail_out)
		zr = inflate(&z, Z_FINISH);
	if (z.avail_out != 0)
		goto out;
	if (zr != Z_STREAM_END) {
		/* exactly n bytes out; the stream must end right here */
		unsigned char extra;
		z.next_out = &extra;
		z.avail_out = 1;
		zr = inflate(&z, Z_FINISH);
		if (zr != Z_STREAM_END || z.avail_out != 1)
			goto out;
	}
#ifdef HAVE_LIBDEFLATE
done:
#endif
	obj[n] = '\0';
	*out = obj;
	*outlen = (size_t)n;
	obj = NULL;
	rc = GIX_OK;
out:
	inflateEnd(&z);
	free(obj);
	free(in);
	return rc;
}
