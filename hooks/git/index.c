/* SPDX-License-Identifier: ISC */
/*
 * hooks/git/index.c - parse a git index file (versions 2-4) from memory for the
 * staged check: entries, and the cache-tree ("TREE") extension that lets
 * unchanged directories be skipped. The whole file is untrusted input:
 * every length is checked against the end of the buffer, the SHA-1
 * trailer is verified, entries must be sorted. No I/O and no git logic
 * beyond the file format here (hooks/git/objects.c reads files and compares).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>

#include <openssl/evp.h>

#include "hooks/git/git.h"

#define HDRLEN 12
#define ENTRY_FIXED 62 /* stat data, mode, ids, size, oid, flags */

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
be16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int
fail(char *err, size_t errlen, int rc, const char *what)
{
	snprintf(err, errlen, "%s", what);
	return rc;
}

/* git's offset varint (index v4 prefix lengths) */
static int
varint(const unsigned char **pp, const unsigned char *end, uint64_t *out)
{
	const unsigned char *p = *pp;
	uint64_t v;
	unsigned char c;

	if (p >= end)
		return -1;
	c = *p++;
	v = c & 127;
	while (c & 128) {
		if (p >= end || v > (UINT64_MAX >> 8))
			return -1;
		c = *p++;
		v = ((v + 1) << 7) | (c & 127);
	}
	*pp = p;
	*out = v;
	return 0;
}

/* index order: bytewise path, then stage */
static int
entry_cmp(const struct gix_entry *a, const struct gix_entry *b)
{
	size_t n = a->pathlen < b->pathlen ? a->pathlen : b->pathlen;
	int c = memcmp(a->path, b->path, n);

	if (c)
		return c;
	if (a->pathlen != b->pathlen)
		return a->pathlen < b->pathlen ? -1 : 1;
	return ((a->flags >> 12) & 3) - ((b->flags >> 12) & 3);
}

/* v4 paths are built into ix->paths; offsets until it stops moving */
static int
v4_path(struct gix_index *ix, size_t *cap, size_t *used, size_t prevoff,
    size_t prevlen, uint64_t strip, const unsigned char *suf, size_t suflen,
    size_t *off, size_t *len)
{
	size_t keep = prevlen - (size_t)strip, plen = keep + suflen;

	if (plen == 0 || plen >= GIX_MAX_PATH)
		return GIX_CORRUPT;
	if (*used + plen + 1 > *cap) {
		size_t ncap = *cap ? *cap * 2 : 1u << 16;
		char *np;
		while (ncap < *used + plen + 1)
			ncap *= 2;
		if ((np = realloc(ix->paths, ncap)) == NULL)
			return GIX_NOMEM;
		ix->paths = np;
		*cap = ncap;
	}
	memmove(ix->paths + *used, ix->paths + prevoff, keep);
	memcpy(ix->paths + *used + keep, suf, suflen);
	ix->paths[*used + plen] = '\0';
	*off = *used;
	*len = plen;
	*used += plen + 1;
	return GIX_OK;
}

/* The fixed part of entry e at p (and v3's extended flags): its length
 * in *fixed, or GIX_CORRUPT with *why. */
static int
entry_fixed(const struct gix_index *ix, struct gix_entry *e,
    const unsigned char *p, const unsigned char *end, size_t *fixed,
    const char **why)
{
	*fixed = ENTRY_FIXED;
	*why = "truncated index entry";
	if ((size_t)(end - p) < *fixed)
		return GIX_CORRUPT;
	e->mtime_s = be32(p + 8);
	e->mtime_ns = be32(p + 12);
	e->ino = be32(p + 20);
	e->mode = be32(p + 24);
	e->size = be32(p + 36);
	memcpy(e->oid, p + 40, GIX_OIDLEN);
	e->flags = be16(p + 60);
	if (e->flags & 0x4000) { /* extended flags */
		*why = "extended flags in a version 2 index";
		if (ix->version < 3)
			return GIX_CORRUPT;
		*why = "truncated index entry";
		if ((size_t)(end - p) < *fixed + 2)
			return GIX_CORRUPT;
		e->xflags = be16(p + 62);
		*fixed += 2;
	}
	return GIX_OK;
}

/* v2/v3: the NUL-terminated path after the fixed part, padded with 1-8
 * NULs to a multiple of 8; *total: the whole entry's length. */
static int
entry_path_v2(struct gix_entry *e, const unsigned char *p,
    const unsigned char *end, size_t fixed, size_t *total, const char **why)
{
	const unsigned char *name = p + fixed, *nul;
	size_t namelen, k;

	*why = "unterminated path in the index";
	if ((nul = memchr(name, '\0', (size_t)(end - name))) == NULL)
		return GIX_CORRUPT;
	namelen = (size_t)(nul - name);
	/* the 12-bit length must agree unless it overflowed */
	*why = "bad path length in the index";
	if ((e->flags & 0xfff) != 0xfff ? namelen != (e->flags & 0xfffu) :
					  namelen < 0xfff)
		return GIX_CORRUPT;
	if (namelen == 0 || namelen >= GIX_MAX_PATH)
		return GIX_CORRUPT;
	e->path = (const char *)name;
	e->pathlen = (uint32_t)namelen;
	*total = (fixed + namelen + 8) & ~(size_t)7;
	*why = "truncated index entry";
	if ((size_t)(end - p) < *total)
		return GIX_CORRUPT;
	*why = "bad index entry padding";
	for (k = fixed + namelen; k < *total; k++)
		if (p[k] != 0)
			return GIX_CORRUPT;
	return GIX_OK;
}

/* The prefix-compressed v4 paths: strip N bytes of the previous path,
 * append the rest, into ix->paths (offsets kept until it stops moving). */
struct v4_state {
	size_t cap, used, prevoff, prevlen;
	size_t *offs;
};

static int
entry_path_v4(struct gix_index *ix, struct v4_state *v, size_t i,
    struct gix_entry *e, const unsigned char *name, const unsigned char *end,
    const unsigned char **next, const char **why)
{
	const unsigned char *q = name, *nul;
	uint64_t strip;
	size_t off, plen;
	int rc;

	*why = "bad path prefix in the index";
	if (varint(&q, end, &strip) < 0 || strip > v->prevlen)
		return GIX_CORRUPT;
	*why = "unterminated path in the index";
	if ((nul = memchr(q, '\0', (size_t)(end - q))) == NULL)
		return GIX_CORRUPT;
	*why = "bad path length in the index";
	rc = v4_path(ix, &v->cap, &v->used, v->prevoff, v->prevlen, strip, q,
	    (size_t)(nul - q), &off, &plen);
	if (rc != GIX_OK)
		return rc;
	v->offs[i] = off;
	e->path = ix->paths + off; /* fixed up at the end */
	e->pathlen = (uint32_t)plen;
	v->prevoff = off;
	v->prevlen = plen;
	*next = nul + 1;
	return GIX_OK;
}

/* What every entry must be, whatever the version. */
static int
entry_check(struct gix_index *ix, size_t i, const char **why)
{
	const struct gix_entry *e = &ix->e[i];

	*why = "bad path in the index";
	if (memchr(e->path, '\0', e->pathlen) || e->path[0] == '/' ||
	    e->path[e->pathlen - 1] == '/')
		return GIX_CORRUPT;
	if ((e->flags >> 12) & 3)
		ix->has_unmerged = true;
	if (e->xflags & 0x2000)
		ix->has_ita = true;
	/* v2/v3 order is checked here; v4 once its paths are fixed */
	*why = "index entries out of order";
	if (ix->version < 4 && i > 0 && entry_cmp(&ix->e[i - 1], e) >= 0)
		return GIX_CORRUPT;
	return GIX_OK;
}

static int
parse_entries(struct gix_index *ix, const unsigned char **pp,
    const unsigned char *end, char *err, size_t errlen)
{
	const unsigned char *p = *pp;
	struct v4_state v = { 0 };
	size_t i, fixed, total;
	int rc = GIX_NOMEM;
	const char *why = "truncated index entry";

	if (ix->version == 4 &&
	    (v.offs = calloc(ix->n ? ix->n : 1, sizeof(*v.offs))) == NULL)
		return GIX_NOMEM;
	for (i = 0; i < ix->n; i++) {
		struct gix_entry *e = &ix->e[i];

		if ((rc = entry_fixed(ix, e, p, end, &fixed, &why)) != GIX_OK)
			goto out;
		if (ix->version < 4) {
			rc = entry_path_v2(e, p, end, fixed, &total, &why);
			p += rc == GIX_OK ? total : 0;
		} else
			rc = entry_path_v4(ix, &v, i, e, p + fixed, end, &p,
			    &why);
		if (rc != GIX_OK || (rc = entry_check(ix, i, &why)) != GIX_OK)
			goto out;
	}
	if (ix->version == 4) {
		rc = GIX_CORRUPT;
		for (i = 0; i < ix->n; i++) {
			ix->e[i].path = ix->paths + v.offs[i];
			if (i > 0 && entry_cmp(&ix->e[i - 1], &ix->e[i]) >= 0)
				goto out;
		}
	}
	*pp = p;
	rc = GIX_OK;
out:
	free(v.offs);
	if (rc == GIX_CORRUPT)
		snprintf(err, errlen, "%s", why);
	return rc;
}

/* The cache-tree extension: pre-order nodes "name\0N M\n[oid]", each
 * followed by its M children (each with its own subtree). */
static int
parse_tree(struct gix_index *ix, const unsigned char *p, size_t len,
    char *err, size_t errlen)
{
	const unsigned char *end = p + len;
	size_t cap = 0, i;
	struct {
		struct gix_tree *t, *last;
		uint32_t left;
	} st[GIX_MAX_DEPTH + 1];
	int depth = -1;

	/* every node's header ends with '\n': an upper bound on nodes */
	for (i = 0; i < len; i++)
		if (p[i] == '\n')
			cap++;
	if (cap == 0 || cap > GIX_MAX_ENTRIES * 2u)
		return fail(err, errlen, GIX_CORRUPT, "bad cache-tree");
	if ((ix->nodes = calloc(cap, sizeof(*ix->nodes))) == NULL)
		return GIX_NOMEM;
	while (p < end) {
		struct gix_tree *t;
		const unsigned char *nul = memchr(p, '\0', (size_t)(end - p));
		const unsigned char *q;
		long ents, subs;
		char num[24], *ep;
		size_t k;

		if (nul == NULL || ix->nnodes >= cap)
			return fail(err, errlen, GIX_CORRUPT, "bad cache-tree");
		t = &ix->nodes[ix->nnodes++];
		t->name = (const char *)p;
		t->namelen = (uint32_t)(nul - p);
		if (memchr(t->name, '/', t->namelen))
			return fail(err, errlen, GIX_CORRUPT, "bad cache-tree");
		/* "N M\n": N index entries below (-1: invalid), M subtrees */
		q = nul + 1;
		for (k = 0; q + k < end && q[k] != '\n' && k < sizeof(num) - 1;
		     k++)
			num[k] = (char)q[k];
		if (q + k >= end || q[k] != '\n')
			return fail(err, errlen, GIX_CORRUPT, "bad cache-tree");
		num[k] = '\0';
		ents = strtol(num, &ep, 10);
		if (ep == num || *ep != ' ' || ents < -1 ||
		    ents > GIX_MAX_ENTRIES)
			return fail(err, errlen, GIX_CORRUPT, "bad cache-tree");
		subs = strtol(ep + 1, &ep, 10);
		if (*ep != '\0' || subs < 0 || (size_t)subs >= cap)
			return fail(err, errlen, GIX_CORRUPT, "bad cache-tree");
		q += k + 1;
		t->entries = (int32_t)ents;
		t->nsub = (uint32_t)subs;
		if (ents >= 0) {
			if ((size_t)(end - q) < GIX_OIDLEN)
				return fail(err, errlen, GIX_CORRUPT,
				    "bad cache-tree");
			memcpy(t->oid, q, GIX_OIDLEN);
			q += GIX_OIDLEN;
		}
		p = q;
		if (depth < 0) {
			/* the root, nameless, exactly once */
			if (ix->tree != NULL || t->namelen != 0)
				return fail(err, errlen, GIX_CORRUPT,
				    "bad cache-tree");
			ix->tree = t;
		} else {
			if (t->namelen == 0)
				return fail(err, errlen, GIX_CORRUPT,
				    "bad cache-tree");
			if (st[depth].last)
				st[depth].last->next = t;
			else
				st[depth].t->child = t;
			st[depth].last = t;
			st[depth].left--;
		}
		if (t->nsub) {
			if (depth + 1 >= GIX_MAX_DEPTH)
				return fail(err, errlen, GIX_CORRUPT,
				    "cache-tree too deep");
			depth++;
			st[depth].t = t;
			st[depth].last = NULL;
			st[depth].left = t->nsub;
		}
		while (depth >= 0 && st[depth].left == 0)
			depth--;
		if (depth < 0 && p < end)
			return fail(err, errlen, GIX_CORRUPT, "bad cache-tree");
	}
	if (depth >= 0 || ix->tree == NULL)
		return fail(err, errlen, GIX_CORRUPT, "bad cache-tree");
	return GIX_OK;
}

int
gix_index_parse(const unsigned char *buf, size_t len,
    struct gix_index **out, char *err, size_t errlen)
{
	struct gix_index *ix;
	const unsigned char *p, *end;
	unsigned char md[EVP_MAX_MD_SIZE];
	static const unsigned char zero[GIX_OIDLEN];
	unsigned int mdlen = 0;
	uint32_t n;
	int rc;

	*out = NULL;
	if (len < HDRLEN + GIX_OIDLEN || len > GIX_MAX_INDEX)
		return fail(err, errlen, GIX_CORRUPT, "index too short");
	if (memcmp(buf, "DIRC", 4) != 0)
		return fail(err, errlen, GIX_CORRUPT, "not an index file");
	end = buf + len - GIX_OIDLEN;
	/* index.skipHash writes no checksum: leave that to libgit2 */
	if (memcmp(end, zero, GIX_OIDLEN) == 0)
		return fail(err, errlen, GIX_UNSUPPORTED,
		    "index without a checksum");
	if (!EVP_Digest(buf, len - GIX_OIDLEN, md, &mdlen, EVP_sha1(), NULL) ||
	    mdlen != GIX_OIDLEN || memcmp(md, end, GIX_OIDLEN) != 0)
		return fail(err, errlen, GIX_CORRUPT, "index checksum mismatch");
	if ((ix = calloc(1, sizeof(*ix))) == NULL)
		return GIX_NOMEM;
	ix->version = be32(buf + 4);
	n = be32(buf + 8);
	rc = GIX_UNSUPPORTED;
	if (ix->version < 2 || ix->version > 4) {
		snprintf(err, errlen, "index version %u", ix->version);
		goto out;
	}
	rc = GIX_CORRUPT;
	/* an entry takes at least 40 bytes even in v4: bound n first */
	if (n > GIX_MAX_ENTRIES || n > (len - HDRLEN) / 40) {
		snprintf(err, errlen, "bad index entry count");
		goto out;
	}
	ix->n = n;
	/* pre-faulted in one call: page faults cost more than parsing */
	ix->elen = (n ? n : 1) * sizeof(*ix->e);
	ix->e = mmap(NULL, ix->elen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (ix->e == MAP_FAILED) {
		ix->e = NULL;
		rc = GIX_NOMEM;
		goto out;
	}
	p = buf + HDRLEN;
	if ((rc = parse_entries(ix, &p, end, err, errlen)) != GIX_OK)
		goto out;
	/* extensions: 4-byte name, 32-bit size, data */
	while (p < end) {
		uint32_t sz;
		if ((size_t)(end - p) < 8 ||
		    (sz = be32(p + 4)) > (size_t)(end - p) - 8) {
			rc = fail(err, errlen, GIX_CORRUPT,
			    "truncated index extension");
			goto out;
		}
		if (memcmp(p, "TREE", 4) == 0) {
			if (ix->tree != NULL) {
				rc = fail(err, errlen, GIX_CORRUPT,
				    "two cache-trees");
				goto out;
			}
			if (sz && (rc = parse_tree(ix, p + 8, sz, err,
					errlen)) != GIX_OK)
				goto out;
		} else if (p[0] < 'A' || p[0] > 'Z') {
			/* "link" (split index), "sdir" (sparse) and any
			 * other extension git says a reader must know */
			snprintf(err, errlen, "index extension '%.4s'",
			    (const char *)p);
			rc = GIX_UNSUPPORTED;
			goto out;
		}
		p += 8 + sz;
	}
	rc = GIX_OK;
	*out = ix;
	ix = NULL;
out:
	gix_index_free(ix);
	return rc;
}

void
gix_index_free(struct gix_index *ix)
{
	if (ix == NULL)
		return;
	if (ix->e)
		munmap(ix->e, ix->elen);
	free(ix->paths);
	free(ix->nodes);
	free(ix);
}

const struct gix_entry *
gix_index_find(const struct gix_index *ix, const char *path)
{
	size_t lo = 0, hi = ix->n, len = strlen(path);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct gix_entry *e = &ix->e[mid];
		size_t m = e->pathlen < len ? e->pathlen : len;
		int c = memcmp(e->path, path, m);
		if (c == 0 && e->pathlen != len)
			c = e->pathlen < len ? -1 : 1;
		if (c == 0 && ((e->flags >> 12) & 3) != 0)
			c = 1; /* stage 0 sorts first */
		if (c == 0)
			return e;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
