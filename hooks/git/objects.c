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

/* "gitdir: PATH" in the gitfile probe (worktrees, submodules), as
 * r->gitdir relative to cwd. */
static int
read_gitfile(struct gix_repo *r, const char *probe, const char *cwd)
{
	char *buf = NULL;
	size_t n;
	int rc = GIX_UNSUPPORTED;

	if (slurp(probe, 4096, &buf, &n) < 0 || strncmp(buf, "gitdir: ", 8) != 0)
		goto out;
	while (n > 8 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (n <= 8 || memchr(buf, '\n', n) ||
	    set_dir(r->gitdir, cwd, buf + 8, n - 8) < 0)
		goto out;
	rc = GIX_OK;
out:
	free(buf);
	return rc;
}

/* The work tree and git directory, as git finds them: GIT_DIR (the work
 * tree is then cwd), else the first ".git" walking up from cwd on one
 * file system, a directory or a gitfile. */
static int
find_gitdir(struct gix_repo *r)
{
	char cwd[GIX_MAX_PATH], probe[GIX_MAX_PATH + 16];
	const char *gd = getenv("GIT_DIR");
	struct stat st, cst;
	size_t len;

	if (getcwd(cwd, sizeof(cwd) - 2) == NULL || stat(cwd, &cst) < 0)
		return GIX_UNSUPPORTED;
	len = strlen(cwd);
	if (len > 1) {
		cwd[len++] = '/';
		cwd[len] = '\0';
	}
	if (gd) {
		if (*gd == '\0' || set_dir(r->gitdir, cwd, gd, strlen(gd)) < 0)
			return GIX_UNSUPPORTED;
		memcpy(r->workdir, cwd, len + 1);
		return GIX_OK;
	}
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
	if (S_ISDIR(st.st_mode))
		return set_dir(r->gitdir, cwd, ".git", 4) < 0 ? GIX_UNSUPPORTED :
								GIX_OK;
	if (S_ISREG(st.st_mode))
		return read_gitfile(r, probe, cwd);
	return GIX_UNSUPPORTED;
}

/* A linked worktree shares refs and objects with its commondir. */
static int
find_commondir(struct gix_repo *r)
{
	char probe[GIX_MAX_PATH + 16], *buf = NULL;
	size_t len;
	int rc = GIX_UNSUPPORTED;

	if (join(probe, sizeof(probe), r->gitdir, "commondir") == 0 &&
	    slurp(probe, 4096, &buf, &len) == 0) {
		while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		if (len == 0 || memchr(buf, '\n', len) ||
		    set_dir(r->commondir, r->gitdir, buf, len) < 0 ||
		    !is_gitdir(r->commondir))
			goto out;
	} else if (errno != ENOENT)
		goto out;
	else
		memcpy(r->commondir, r->gitdir, sizeof(r->gitdir));
	rc = GIX_OK;
out:
	free(buf);
	return rc;
}

/* GIT_INDEX_FILE (relative to cwd, as git reads it), else gitdir/index. */
static int
find_index(struct gix_repo *r)
{
	const char *ixf = getenv("GIT_INDEX_FILE");
	char cwd[GIX_MAX_PATH];
	int n;

	if (ixf == NULL || *ixf == '\0')
		return join(r->indexpath, sizeof(r->indexpath), r->gitdir,
			   "index") < 0 ?
		    GIX_UNSUPPORTED :
		    GIX_OK;
	if (ixf[0] == '/')
		n = snprintf(r->indexpath, sizeof(r->indexpath), "%s", ixf);
	else if (getcwd(cwd, sizeof(cwd)) == NULL)
		return GIX_UNSUPPORTED;
	else
		n = snprintf(r->indexpath, sizeof(r->indexpath), "%s/%s", cwd,
		    ixf);
	return n < 0 || (size_t)n >= sizeof(r->indexpath) ? GIX_UNSUPPORTED :
							     GIX_OK;
}

int
gix_repo_discover(struct gix_repo *r)
{
	static const char *const moving[] = { "GIT_WORK_TREE",
		"GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY",
		"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CEILING_DIRECTORIES",
		"GIT_NAMESPACE", "GIT_REPLACE_REF_BASE" };
	char probe[GIX_MAX_PATH + 16];
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < sizeof(moving) / sizeof(moving[0]); i++)
		if (getenv(moving[i]))
			return GIX_UNSUPPORTED;
	if (find_gitdir(r) != GIX_OK || !is_gitdir(r->gitdir) ||
	    find_commondir(r) != GIX_OK)
		return GIX_UNSUPPORTED;
	if (config_plain(r->commondir) != GIX_OK ||
	    (strcmp(r->commondir, r->gitdir) != 0 &&
		config_plain(r->gitdir) != GIX_OK))
		return GIX_UNSUPPORTED;
	/* objects/info/alternates: more object stores, not handled */
	if (join(probe, sizeof(probe), r->commondir,
		"objects/info/alternates") < 0 ||
	    access(probe, F_OK) == 0)
		return GIX_UNSUPPORTED;
	return find_index(r);
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


/* objects/xx/yyyy... of oid in r; -1 if it does not fit. */
static int
loose_path(const struct gix_repo *r, const uint8_t oid[GIX_OIDLEN], char *p,
    size_t plen)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = (size_t)snprintf(p, plen, "%sobjects/", r->commondir), k;

	if (i + 42 >= plen)
		return -1;
	for (k = 0; k < GIX_OIDLEN; k++) {
		p[i++] = hex[oid[k] >> 4];
		p[i++] = hex[oid[k] & 15];
		if (k == 0)
			p[i++] = '/';
	}
	p[i] = '\0';
	return 0;
}

/*
 * The compressed loose object at p: all of it, or (*whole false) only
 * its first 4 KiB when it is too big to inflate under max, enough for
 * the header. GIX_OK, 2 not a loose object, or GIX_UNSUPPORTED.
 */
static int
read_loose(const char *p, size_t max, unsigned char **in, size_t *inlen,
    bool *whole)
{
	ssize_t k;
	int fd;

	*whole = true;
	/* compressed objects are at most a little bigger than max */
	if (slurp(p, max + (max >> 4) + 4096, (char **)in, inlen) == 0)
		return GIX_OK;
	if (errno == ENOENT)
		return 2;
	if (errno != EFBIG)
		return GIX_UNSUPPORTED;
	*whole = false;
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		return GIX_UNSUPPORTED;
	*in = malloc(4096);
	k = *in ? read(fd, *in, 4096) : -1;
	close(fd);
	if (k <= 0) {
		free(*in);
		*in = NULL;
		return GIX_UNSUPPORTED;
	}
	*inlen = (size_t)k;
	return GIX_OK;
}

/*
 * Inflate the header "<type> <size>\0" into hdr: *hl bytes came out,
 * *nul points at its NUL, *n is the size. GIX_OK or GIX_CORRUPT.
 */
static int
object_header(z_stream *z, const char *type, char *hdr, size_t cap,
    size_t *hl, char **nul, unsigned long long *n)
{
	size_t tl = strlen(type);
	char *ep;

	z->next_out = (unsigned char *)hdr;
	z->avail_out = (uInt)cap;
	while (z->avail_out && inflate(z, Z_SYNC_FLUSH) == Z_OK &&
	    !memchr(hdr, '\0', cap - z->avail_out))
		;
	*hl = cap - z->avail_out;
	ep = memchr(hdr, '\0', *hl);
	if (ep == NULL || (size_t)(ep - hdr) <= tl + 1 ||
	    memcmp(hdr, type, tl) != 0 || hdr[tl] != ' ' ||
	    hdr[tl + 1] < '0' || hdr[tl + 1] > '9' ||
	    (hdr[tl + 1] == '0' && ep - hdr > (ptrdiff_t)tl + 2))
		return GIX_CORRUPT;
	*nul = ep;
	*n = strtoull(hdr + tl + 1, &ep, 10);
	if (*ep != '\0' || *n > (1ull << 40))
		return GIX_CORRUPT;
	return GIX_OK;
}

#ifdef HAVE_LIBDEFLATE
/* The whole stream again, header and all, in one call; *obj gets the n
 * bytes of the body (and room for a NUL). */
static int
inflate_body(const unsigned char *in, size_t inlen, const char *hdr,
    size_t hs, size_t n, char **obj)
{
	int rc;

	if ((*obj = malloc(hs + n + 1)) == NULL)
		return GIX_NOMEM;
	if ((rc = gix_inflate(in, inlen, *obj, hs + n)) != GIX_OK)
		return rc;
	if (memcmp(*obj, hdr, hs) != 0)
		return GIX_CORRUPT;
	memmove(*obj, *obj + hs, n);
	return GIX_OK;
}
#else
/* The rest of the stream after the header into *obj: exactly n bytes,
 * and the stream must end right there. rest: what the header's inflate
 * already gave beyond the header. */
static int
inflate_body(z_stream *z, const char *rest, size_t restlen, size_t n,
    char **obj)
{
	unsigned char extra;
	int zr = Z_OK;

	if ((*obj = malloc(n + 1)) == NULL)
		return GIX_NOMEM;
	if (restlen > n)
		return GIX_CORRUPT;
	memcpy(*obj, rest, restlen);
	z->next_out = (unsigned char *)*obj + restlen;
	z->avail_out = (uInt)(n - restlen);
	while (zr == Z_OK && z->avail_out)
		zr = inflate(z, Z_FINISH);
	if (z->avail_out != 0)
		return GIX_CORRUPT;
	if (zr != Z_STREAM_END) {
		z->next_out = &extra;
		z->avail_out = 1;
		zr = inflate(z, Z_FINISH);
		if (zr != Z_STREAM_END || z->avail_out != 1)
			return GIX_CORRUPT;
	}
	return GIX_OK;
}
#endif

int
gix_read_object(const struct gix_repo *r, const uint8_t oid[GIX_OIDLEN],
    const char *type, size_t max, char **out, size_t *outlen,
    uint64_t *size)
{
	char p[GIX_MAX_PATH + 64];
	unsigned char *in = NULL;
	size_t inlen;
	int rc;
	bool whole;

	*out = NULL;
	*outlen = 0;
	if (loose_path(r, oid, p, sizeof(p)) < 0)
		return GIX_UNSUPPORTED;
	if ((rc = read_loose(p, max, &in, &inlen, &whole)) == 2)
		return gix_pack_read(r, oid, type, max, out, outlen, size);
	if (rc != GIX_OK)
		return rc;
	rc = gix_loose_decode(in, inlen, whole, type, max, out, outlen, size);
	free(in);
	return rc;
}

int
gix_loose_decode(const unsigned char *in, size_t inlen, bool whole,
    const char *type, size_t max, char **out, size_t *outlen,
    uint64_t *size)
{
	char hdr[64], *obj = NULL, *nul;
	size_t hl, hs;
	unsigned long long n;
	z_stream z;
	int rc;

	*out = NULL;
	*outlen = 0;
#ifdef HAVE_LIBDEFLATE
	if (whole && (rc = gix_loose_guess(in, inlen, type, max, out, outlen,
			  size)) != 2)
		return rc;
#else
	(void)whole;
#endif
	if ((rc = gix_zstart(&z, in, inlen)) != GIX_OK)
		return rc;
	if ((rc = object_header(&z, type, hdr, sizeof(hdr), &hl, &nul, &n)) !=
	    GIX_OK)
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
	hs = (size_t)(nul - hdr) + 1;
#ifdef HAVE_LIBDEFLATE
	rc = inflate_body(in, inlen, hdr, hs, (size_t)n, &obj);
#else
	rc = inflate_body(&z, nul + 1, hl - hs, (size_t)n, &obj);
#endif
	if (rc != GIX_OK)
		goto out;
	obj[n] = '\0';
	*out = obj;
	*outlen = (size_t)n;
	obj = NULL;
out:
	inflateEnd(&z);
	free(obj);
	return rc;
}
