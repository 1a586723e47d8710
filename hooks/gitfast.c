/* SPDX-License-Identifier: ISC */
/*
 * gitfast.c - the staged check's fast path, without libgit2 (whose
 * start-up alone costs more than the check's budget): find the
 * repository as git does for the plain layouts, resolve HEAD through
 * loose or packed refs, read loose objects (zlib), and list the index
 * entries that differ from HEAD's tree, skipping every directory whose
 * cache-tree id equals HEAD's. Anything unusual answers GIX_UNSUPPORTED
 * and the caller (staged.c) asks libgit2 instead; never a guess.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "hooks/gitindex.h"

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
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	*map = NULL;
	if (slurp(r->indexpath, GIX_MAX_INDEX, &buf, &len) < 0) {
		snprintf(err, errlen, "cannot read the index: %s",
		    strerror(errno));
		/* no index at all (a fresh repository) is libgit2's case */
		return GIX_UNSUPPORTED;
	}
	rc = gix_index_parse((unsigned char *)buf, len, out, err, errlen);
	if (rc != GIX_OK) {
		free(buf);
		return rc;
	}
	*map = (unsigned char *)buf;
	*maplen = len;
	return GIX_OK;
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

static int pack_read(const struct gix_repo *r,
    const uint8_t oid[GIX_OIDLEN], const char *type, size_t max, char **out,
    size_t *outlen, uint64_t *size);

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
			return pack_read(r, oid, type, max, out, outlen, size);
		if (errno != EFBIG)
			return GIX_UNSUPPORTED;
		in = NULL; /* too big to be under max: read the header */
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
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK) {
		free(in);
		return GIX_NOMEM;
	}
	z.next_in = in;
	z.avail_in = (uInt)inlen;
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

/* packs ------------------------------------------------------------------ */

#define PACK_MAX_DEPTH 1000 /* delta chain */
#define PACK_MAX_OBJ (256u << 20) /* bases and deltas held in memory */

static const void *
map_file(const char *path, size_t *len)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 32) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	*len = (size_t)st.st_size;
	return p;
}

int
gix_repo_packs(struct gix_repo *r)
{
	char dir[GIX_MAX_PATH + 16], path[GIX_MAX_PATH + 300];
	struct dirent *de;
	DIR *d;
	int rc = GIX_OK;

	if (join(dir, sizeof(dir), r->commondir, "objects/pack/") < 0)
		return GIX_UNSUPPORTED;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? GIX_OK : GIX_UNSUPPORTED;
	while ((de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);
		struct gix_pack pk = { 0 }, *nv;
		const unsigned char *ix;
		if (nl < 5 || strcmp(de->d_name + nl - 4, ".idx") != 0)
			continue;
		snprintf(path, sizeof(path), "%s%s", dir, de->d_name);
		if ((pk.idx = map_file(path, &pk.idxlen)) == NULL) {
			rc = GIX_UNSUPPORTED;
			break;
		}
		snprintf(path, sizeof(path), "%s%.*s.pack", dir, (int)(nl - 4),
		    de->d_name);
		ix = pk.idx;
		/* version 2: magic, version, fan-out, ids, crcs, offsets */
		if (pk.idxlen < 8 + 1024 + 40 ||
		    memcmp(ix, "\377tOc\0\0\0\2", 8) != 0 ||
		    (pk.n = (uint32_t)ix[8 + 1020] << 24 |
			 (uint32_t)ix[8 + 1021] << 16 |
			 (uint32_t)ix[8 + 1022] << 8 | ix[8 + 1023]) >
			(pk.idxlen - 1072) / 28 ||
		    (pk.pack = map_file(path, &pk.packlen)) == NULL ||
		    memcmp(pk.pack, "PACK", 4) != 0) {
			munmap((void *)pk.idx, pk.idxlen);
			rc = GIX_UNSUPPORTED;
			break;
		}
		nv = realloc(r->packs, (r->npacks + 1) * sizeof(*nv));
		if (nv == NULL) {
			munmap((void *)pk.idx, pk.idxlen);
			munmap((void *)pk.pack, pk.packlen);
			rc = GIX_NOMEM;
			break;
		}
		r->packs = nv;
		r->packs[r->npacks++] = pk;
	}
	closedir(d);
	return rc;
}

void
gix_repo_close(struct gix_repo *r)
{
	size_t i;

	for (i = 0; i < r->npacks; i++) {
		munmap((void *)r->packs[i].idx, r->packs[i].idxlen);
		munmap((void *)r->packs[i].pack, r->packs[i].packlen);
	}
	free(r->packs);
	r->packs = NULL;
	r->npacks = 0;
}

static uint32_t
rd32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* the object's offset in pk, or 0 if absent / unusable */
static uint64_t
pack_find(const struct gix_pack *pk, const uint8_t oid[GIX_OIDLEN])
{
	const unsigned char *fan = pk->idx + 8, *ids = fan + 1024;
	uint32_t lo = oid[0] ? rd32(fan + 4 * (oid[0] - 1)) : 0,
		 hi = rd32(fan + 4 * oid[0]);
	const unsigned char *o32 = ids + (size_t)pk->n * 24;

	if (hi > pk->n || lo > hi)
		return 0;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = memcmp(ids + (size_t)mid * 20, oid, GIX_OIDLEN);
		if (c == 0) {
			uint32_t v = rd32(o32 + (size_t)mid * 4);
			uint64_t off = v;
			if (v & 0x80000000u) {
				const unsigned char *o64 = o32 +
				    (size_t)pk->n * 4 +
				    (size_t)(v & 0x7fffffffu) * 8;
				if (o64 + 8 > pk->idx + pk->idxlen)
					return 0;
				off = (uint64_t)rd32(o64) << 32 | rd32(o64 + 4);
			}
			return off >= 12 && off < pk->packlen - 20 ? off : 0;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* inflate exactly n bytes from the pack at p */
static int
pack_inflate(const struct gix_pack *pk, uint64_t at, size_t n, char **out)
{
	z_stream z;
	char *buf;
	int zr;

	if ((buf = malloc(n + 1)) == NULL)
		return GIX_NOMEM;
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK) {
		free(buf);
		return GIX_NOMEM;
	}
	z.next_in = (unsigned char *)pk->pack + at;
	z.avail_in = (uInt)(pk->packlen - at > UINT32_MAX ? UINT32_MAX :
							 pk->packlen - at);
	z.next_out = (unsigned char *)buf;
	z.avail_out = (uInt)n + 1; /* room to see a stream that runs over */
	zr = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	if (zr != Z_STREAM_END || z.total_out != n) {
		free(buf);
		return GIX_CORRUPT;
	}
	buf[n] = '\0';
	*out = buf;
	return GIX_OK;
}

static int
delta_size(const unsigned char **pp, const unsigned char *end, size_t *out)
{
	const unsigned char *p = *pp;
	uint64_t v = 0;
	int shift = 0;

	do {
		if (p >= end || shift > 56)
			return -1;
		v |= (uint64_t)(*p & 127) << shift;
		shift += 7;
	} while (*p++ & 128);
	if (v > PACK_MAX_OBJ)
		return -1;
	*pp = p;
	*out = (size_t)v;
	return 0;
}

int
gix_delta_apply(const char *base, size_t blen, const char *delta,
    size_t dlen, char **out, size_t *olen)
{
	const unsigned char *p = (const unsigned char *)delta,
			    *end = p + dlen;
	size_t src, dst, w = 0;
	char *o;

	if (delta_size(&p, end, &src) < 0 || src != blen ||
	    delta_size(&p, end, &dst) < 0)
		return GIX_CORRUPT;
	if ((o = malloc(dst + 1)) == NULL)
		return GIX_NOMEM;
	while (p < end) {
		unsigned c = *p++;
		if (c & 0x80) {
			size_t off = 0, n = 0;
			int k;
			for (k = 0; k < 4; k++)
				if (c & (1u << k)) {
					if (p >= end)
						goto bad;
					off |= (size_t)*p++ << (8 * k);
				}
			for (k = 0; k < 3; k++)
				if (c & (0x10u << k)) {
					if (p >= end)
						goto bad;
					n |= (size_t)*p++ << (8 * k);
				}
			if (n == 0)
				n = 0x10000;
			if (off > blen || n > blen - off || n > dst - w)
				goto bad;
			memcpy(o + w, base + off, n);
			w += n;
		} else if (c) {
			if (c > (size_t)(end - p) || c > dst - w)
				goto bad;
			memcpy(o + w, p, c);
			p += c;
			w += c;
		} else
			goto bad;
	}
	if (w != dst)
		goto bad;
	o[dst] = '\0';
	*out = o;
	*olen = dst;
	return GIX_OK;
bad:
	free(o);
	return GIX_CORRUPT;
}

static int pack_object(const struct gix_repo *r, const struct gix_pack *pk,
    uint64_t at, int depth, int *type, char **out, size_t *len);

static int
pack_base_by_id(const struct gix_repo *r, const uint8_t *oid, int depth,
    int *type, char **out, size_t *len)
{
	size_t i;

	for (i = 0; i < r->npacks; i++) {
		uint64_t at = pack_find(&r->packs[i], oid);
		if (at)
			return pack_object(r, &r->packs[i], at, depth, type, out,
			    len);
	}
	return GIX_UNSUPPORTED; /* a thin base elsewhere: libgit2's job */
}

/* the object at offset `at`, deltas resolved */
static int
pack_object(const struct gix_repo *r, const struct gix_pack *pk,
    uint64_t at, int depth, int *type, char **out, size_t *len)
{
	const unsigned char *p = pk->pack + at, *end = pk->pack + pk->packlen;
	uint64_t sz;
	unsigned c, shift = 4;
	int t, rc;
	char *base = NULL, *delta = NULL;
	size_t blen;

	if (depth > PACK_MAX_DEPTH)
		return GIX_UNSUPPORTED;
	c = *p++;
	t = (c >> 4) & 7;
	sz = c & 15;
	while (c & 128) {
		if (p >= end || shift > 60)
			return GIX_CORRUPT;
		c = *p++;
		sz |= (uint64_t)(c & 127) << shift;
		shift += 7;
	}
	if (sz > PACK_MAX_OBJ)
		return GIX_UNSUPPORTED;
	if (t >= 1 && t <= 4) {
		*type = t;
		*len = (size_t)sz;
		return pack_inflate(pk, (uint64_t)(p - pk->pack), (size_t)sz,
		    out);
	}
	if (t == 6) { /* OFS_DELTA: base at a smaller offset */
		uint64_t off;
		if (p >= end)
			return GIX_CORRUPT;
		c = *p++;
		off = c & 127;
		while (c & 128) {
			if (p >= end || off > (UINT64_MAX >> 8))
				return GIX_CORRUPT;
			c = *p++;
			off = ((off + 1) << 7) | (c & 127);
		}
		if (off == 0 || off >= at || at - off < 12)
			return GIX_CORRUPT;
		rc = pack_object(r, pk, at - off, depth + 1, type, &base,
		    &blen);
	} else if (t == 7) { /* REF_DELTA: base by id */
		if ((size_t)(end - p) < GIX_OIDLEN + 20)
			return GIX_CORRUPT;
		rc = pack_base_by_id(r, p, depth + 1, type, &base, &blen);
		p += GIX_OIDLEN;
	} else
		return GIX_CORRUPT;
	if (rc != GIX_OK)
		return rc;
	rc = pack_inflate(pk, (uint64_t)(p - pk->pack), (size_t)sz, &delta);
	if (rc == GIX_OK)
		rc = gix_delta_apply(base, blen, delta, (size_t)sz, out, len);
	free(base);
	free(delta);
	return rc;
}

static int
pack_read(const struct gix_repo *r, const uint8_t oid[GIX_OIDLEN],
    const char *type, size_t max, char **out, size_t *outlen, uint64_t *size)
{
	static const char *const names[] = { "", "commit", "tree", "blob",
		"tag" };
	size_t i, len;
	char *buf;
	int t = 0, rc;

	for (i = 0; i < r->npacks; i++) {
		uint64_t at = pack_find(&r->packs[i], oid);
		if (at == 0)
			continue;
		rc = pack_object(r, &r->packs[i], at, 0, &t, &buf, &len);
		if (rc != GIX_OK)
			return rc;
		if (t < 1 || t > 4 || strcmp(names[t], type) != 0) {
			free(buf);
			return GIX_CORRUPT;
		}
		*size = len;
		if (len > max) {
			free(buf);
			return 1;
		}
		*out = buf;
		*outlen = len;
		return GIX_OK;
	}
	return GIX_UNSUPPORTED;
}

/* tree objects and the comparison ---------------------------------------- */

struct tent {
	const char *name;
	size_t namelen;
	uint32_t mode;
	const uint8_t *oid;
};

struct tree {
	char *buf;
	struct tent *v;
	size_t n;
};

static int
tent_cmp(const void *a, const void *b)
{
	const struct tent *x = a, *y = b;
	size_t n = x->namelen < y->namelen ? x->namelen : y->namelen;
	int c = memcmp(x->name, y->name, n);

	if (c)
		return c;
	return x->namelen < y->namelen ? -1 : x->namelen > y->namelen;
}

/* "<octal mode> <name>\0<20-byte id>"..., sorted by name for lookups */
static int
tree_load(const struct gix_repo *r, const uint8_t oid[GIX_OIDLEN],
    struct tree *t)
{
	size_t len, cap = 0, off = 0;
	uint64_t size;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = gix_read_object(r, oid, "tree", 64u << 20, &t->buf, &len,
		 &size)) != GIX_OK)
		return rc == 1 ? GIX_UNSUPPORTED : rc;
	while (off < len) {
		struct tent *e;
		char *sp = memchr(t->buf + off, ' ', len - off), *nul;
		uint32_t mode = 0;
		const char *q;
		if (sp == NULL || sp == t->buf + off || sp - (t->buf + off) > 7)
			return GIX_CORRUPT;
		for (q = t->buf + off; q < sp; q++) {
			if (*q < '0' || *q > '7')
				return GIX_CORRUPT;
			mode = mode << 3 | (uint32_t)(*q - '0');
		}
		nul = memchr(sp + 1, '\0', (size_t)(t->buf + len - sp - 1));
		if (nul == NULL || nul == sp + 1 ||
		    (size_t)(t->buf + len - nul - 1) < GIX_OIDLEN)
			return GIX_CORRUPT;
		if (t->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct tent *nv = realloc(t->v, ncap * sizeof(*nv));
			if (nv == NULL)
				return GIX_NOMEM;
			t->v = nv;
			cap = ncap;
		}
		e = &t->v[t->n++];
		e->name = sp + 1;
		e->namelen = (size_t)(nul - sp - 1);
		e->mode = mode;
		e->oid = (const uint8_t *)nul + 1;
		if (memchr(e->name, '/', e->namelen))
			return GIX_CORRUPT;
		off = (size_t)(nul + 1 + GIX_OIDLEN - t->buf);
	}
	qsort(t->v, t->n, sizeof(*t->v), tent_cmp);
	return GIX_OK;
}

static void
tree_free(struct tree *t)
{
	free(t->v);
	free(t->buf);
}

static const struct tent *
tree_find(const struct tree *t, const char *name, size_t len)
{
	struct tent key = { name, len, 0, NULL };

	return t->n ? bsearch(&key, t->v, t->n, sizeof(*t->v), tent_cmp) :
			NULL;
}

static const struct gix_tree *
ct_child(const struct gix_tree *ct, const char *name, size_t len)
{
	const struct gix_tree *c;

	for (c = ct ? ct->child : NULL; c; c = c->next)
		if (c->namelen == len && memcmp(c->name, name, len) == 0)
			return c;
	return NULL;
}

struct cmp {
	const struct gix_repo *r;
	const struct gix_index *ix;
	gix_staged_fn fn;
	void *arg;
};

#define S_GITLINK 0160000u
#define S_TREE 0040000u

/* entries [lo, hi) all start with the prefix of length plen */
static int
cmp_dir(struct cmp *c, size_t plen, size_t lo, size_t hi,
    const uint8_t *head, const struct gix_tree *ct, int depth)
{
	struct tree t = { 0 };
	size_t i;
	int rc = GIX_OK;

	if (depth > GIX_MAX_DEPTH)
		return GIX_UNSUPPORTED;
	/* git commit writes this directory's tree from the cache-tree: if
	 * that id is HEAD's, nothing below it changes */
	if (head && ct && ct->entries >= 0 &&
	    (size_t)ct->entries == hi - lo &&
	    memcmp(ct->oid, head, GIX_OIDLEN) == 0)
		return GIX_OK;
	if (head && (rc = tree_load(c->r, head, &t)) != GIX_OK)
		goto out;
	for (i = lo; i < hi;) {
		const struct gix_entry *e = &c->ix->e[i];
		const char *name = e->path + plen;
		size_t rest = e->pathlen - plen;
		const char *slash = memchr(name, '/', rest);
		const struct tent *te;

		if (slash) {
			/* a subdirectory: its entries are contiguous */
			size_t dl = (size_t)(slash - name), j = i + 1;
			const uint8_t *sub = NULL;
			while (j < hi && c->ix->e[j].pathlen > plen + dl &&
			    memcmp(c->ix->e[j].path + plen, name, dl + 1) == 0)
				j++;
			te = head ? tree_find(&t, name, dl) : NULL;
			if (te && te->mode == S_TREE)
				sub = te->oid;
			rc = cmp_dir(c, plen + dl + 1, i, j, sub,
			    ct_child(ct, name, dl), depth + 1);
			if (rc != GIX_OK)
				goto out;
			i = j;
			continue;
		}
		te = head ? tree_find(&t, name, rest) : NULL;
		if ((e->mode & 0170000) != S_GITLINK &&
		    (te == NULL || te->mode != e->mode ||
			memcmp(te->oid, e->oid, GIX_OIDLEN) != 0) &&
		    (rc = c->fn(c->arg, e)) != 0)
			goto out;
		i++;
	}
out:
	tree_free(&t);
	return rc;
}

int
gix_staged(const struct gix_repo *r, const struct gix_index *ix,
    const uint8_t *head, gix_staged_fn fn, void *arg)
{
	struct cmp c = { r, ix, fn, arg };

	/* conflicts and intent-to-add entries: libgit2's diff decides */
	if (ix->has_unmerged || ix->has_ita)
		return GIX_UNSUPPORTED;
	return cmp_dir(&c, 0, 0, ix->n, head, ix->tree, 0);
}
