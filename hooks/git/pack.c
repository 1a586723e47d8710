/* SPDX-License-Identifier: ISC */
/*
 * hooks/git/pack.c - objects from git's pack files for the fast reader
 * (hooks/git/objects.c), and the inflating both packed and loose objects need:
 * pack index v2 lookup, the object header, zlib or libdeflate, and
 * offset/ref deltas applied with every copy and insert bounds-checked.
 * Packs are mapped read-only; anything unusual (a thin base, a chain
 * deeper than PACK_MAX_DEPTH, an object over PACK_MAX_OBJ) answers
 * GIX_UNSUPPORTED so libgit2 decides. No refs, no index, no trees here.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#ifdef HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

#include "hooks/git/git.h"

/*
 * Start inflating a zlib stream as raw deflate: the 2-byte header is
 * checked here and the Adler-32 trailer is not (git objects are named
 * by their SHA-1; the checksum costs 5% of the hook for nothing).
 */
int
gix_zstart(z_stream *z, const unsigned char *in, size_t inlen)
{
	memset(z, 0, sizeof(*z));
	if (inlen < 2 || (in[0] & 0x0f) != 8 || (in[0] >> 4) > 7 ||
	    ((unsigned)in[0] << 8 | in[1]) % 31 != 0 || (in[1] & 0x20))
		return GIX_CORRUPT;
	if (inflateInit2(z, -15) != Z_OK)
		return GIX_NOMEM;
	z->next_in = (unsigned char *)in + 2;
	z->avail_in = (uInt)(inlen - 2 > UINT32_MAX ? UINT32_MAX : inlen - 2);
	return GIX_OK;
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
	int rc = GIX_OK, n;

	n = snprintf(dir, sizeof(dir), "%sobjects/pack/", r->commondir);
	if (n < 0 || (size_t)n >= sizeof(dir))
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

/*
 * Inflate the zlib stream at in (inlen bytes available, the stream may
 * end before) into exactly n bytes at out (n + 1 bytes of room): libdeflate
 * when built with it (2-3x zlib's speed: inflating is most of the hook's
 * time), else zlib. GIX_CORRUPT unless the stream yields exactly n bytes.
 */
int
gix_inflate(const unsigned char *in, size_t inlen, char *out, size_t n)
{
#ifdef HAVE_LIBDEFLATE
	struct libdeflate_decompressor *d;
	enum libdeflate_result lr;

	if (inlen < 2 || (in[0] & 0x0f) != 8 || (in[0] >> 4) > 7 ||
	    ((unsigned)in[0] << 8 | in[1]) % 31 != 0 || (in[1] & 0x20))
		return GIX_CORRUPT;
	if ((d = libdeflate_alloc_decompressor()) == NULL)
		return GIX_NOMEM;
	/* NULL actual size: anything but exactly n bytes fails */
	lr = libdeflate_deflate_decompress(d, in + 2, inlen - 2, out, n, NULL);
	libdeflate_free_decompressor(d);
	return lr == LIBDEFLATE_SUCCESS ? GIX_OK : GIX_CORRUPT;
#else
	z_stream z;
	int zr;

	if ((zr = gix_zstart(&z, in, inlen)) != GIX_OK)
		return zr;
	z.next_out = (unsigned char *)out;
	z.avail_out = (uInt)n + 1; /* room to see a stream that runs over */
	zr = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	return zr == Z_STREAM_END && z.total_out == n ? GIX_OK : GIX_CORRUPT;
#endif
}

#ifdef HAVE_LIBDEFLATE
/* Inflate into at most cap bytes: GIX_OK with *got, 2 if cap was too
 * small (nothing decided), GIX_CORRUPT. */
int
gix_inflate_some(const unsigned char *in, size_t inlen, char *out,
    size_t cap, size_t *got)
{
	struct libdeflate_decompressor *d;
	enum libdeflate_result lr;

	if (inlen < 2 || (in[0] & 0x0f) != 8 || (in[0] >> 4) > 7 ||
	    ((unsigned)in[0] << 8 | in[1]) % 31 != 0 || (in[1] & 0x20))
		return GIX_CORRUPT;
	if ((d = libdeflate_alloc_decompressor()) == NULL)
		return GIX_NOMEM;
	lr = libdeflate_deflate_decompress(d, in + 2, inlen - 2, out, cap, got);
	libdeflate_free_decompressor(d);
	if (lr == LIBDEFLATE_INSUFFICIENT_SPACE)
		return 2;
	return lr == LIBDEFLATE_SUCCESS ? GIX_OK : GIX_CORRUPT;
}
#endif

#ifdef HAVE_LIBDEFLATE
/*
 * A whole loose object in one libdeflate call into a buffer guessed from
 * the compressed size, header parsed from the output: as
 * gix_read_object, or 2 when the guess was too small (the caller then
 * reads the header first).
 */
int
gix_loose_guess(const unsigned char *in, size_t inlen, const char *type,
    size_t max, char **out, size_t *outlen, uint64_t *size)
{
	size_t cap = inlen * 8 + 1024, got = 0, tl = strlen(type), hs;
	unsigned long long n;
	char *obj, *nul, *ep;
	int rc;

	if (cap > max + 64)
		cap = max + 64;
	if ((obj = malloc(cap + 1)) == NULL)
		return GIX_NOMEM;
	rc = gix_inflate_some(in, inlen, obj, cap, &got);
	if (rc != GIX_OK)
		goto out;
	rc = GIX_CORRUPT;
	/* "<type> <size>\0", the size in decimal without leading zeros */
	nul = memchr(obj, '\0', got < 64 ? got : 64);
	if (nul == NULL || (size_t)(nul - obj) <= tl + 1 ||
	    memcmp(obj, type, tl) != 0 || obj[tl] != ' ' ||
	    obj[tl + 1] < '0' || obj[tl + 1] > '9' ||
	    (obj[tl + 1] == '0' && nul - obj > (ptrdiff_t)tl + 2))
		goto out;
	n = strtoull(obj + tl + 1, &ep, 10);
	hs = (size_t)(nul - obj) + 1;
	if (ep != nul || n != got - hs)
		goto out;
	*size = n;
	if (n > max) {
		rc = 1;
		goto out;
	}
	memmove(obj, obj + hs, (size_t)n);
	obj[n] = '\0';
	*out = obj;
	*outlen = (size_t)n;
	return GIX_OK;
out:
	free(obj);
	return rc;
}
#endif

/* inflate exactly n bytes from the pack at `at` */
static int
pack_inflate(const struct gix_pack *pk, uint64_t at, size_t n, char **out)
{
	char *buf;
	int rc;

	if ((buf = malloc(n + 1)) == NULL)
		return GIX_NOMEM;
	rc = gix_inflate(pk->pack + at, pk->packlen - at, buf, n);
	if (rc != GIX_OK) {
		free(buf);
		return rc;
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

/*
 * The sizes a delta declares (its base's, its result's) from the first
 * bytes of its zlib stream at `at`, without inflating the rest.
 */
static int
delta_header(const struct gix_pack *pk, uint64_t at, size_t *src, size_t *dst)
{
	unsigned char head[32];
	const unsigned char *p = head, *end;
	z_stream z;
	int rc, zr;

	if (at >= pk->packlen)
		return GIX_CORRUPT;
	if ((rc = gix_zstart(&z, pk->pack + at, pk->packlen - at)) != GIX_OK)
		return rc;
	z.next_out = head;
	z.avail_out = sizeof(head);
	while (z.avail_out > 0 && (zr = inflate(&z, Z_SYNC_FLUSH)) == Z_OK)
		;
	end = head + (sizeof(head) - z.avail_out);
	inflateEnd(&z);
	if (delta_size(&p, end, src) < 0 || delta_size(&p, end, dst) < 0)
		return GIX_CORRUPT;
	return GIX_OK;
}

/* a chain being resolved: the result's limit, and the size that broke it */
struct chain {
	const struct gix_repo *r;
	size_t max;
	uint64_t big;
};

static int pack_object(struct chain *ch, const struct gix_pack *pk,
    uint64_t at, int depth, int *type, char **out, size_t *len);

static int
pack_base_by_id(struct chain *ch, const uint8_t *oid, int depth, int *type,
    char **out, size_t *len)
{
	size_t i;

	for (i = 0; i < ch->r->npacks; i++) {
		uint64_t at = pack_find(&ch->r->packs[i], oid);
		if (at)
			return pack_object(ch, &ch->r->packs[i], at, depth, type,
			    out, len);
	}
	return GIX_UNSUPPORTED; /* a thin base elsewhere: libgit2's job */
}

/*
 * The object at offset `at`, deltas resolved. Every object of the chain
 * is checked against the limit before it is inflated or built: a base
 * by its header, a delta by the result size it declares (and its own
 * length: a delta spends at most 8 bytes per byte it yields). Over the
 * limit: 1, with ch->big the size that broke it.
 */
static int
pack_object(struct chain *ch, const struct gix_pack *pk, uint64_t at,
    int depth, int *type, char **out, size_t *len)
{
	const unsigned char *p = pk->pack + at, *end = pk->pack + pk->packlen;
	uint64_t sz;
	unsigned c, shift = 4;
	int t, rc;
	char *base = NULL, *delta = NULL;
	size_t blen, dsrc, ddst;
	uint64_t base_at = 0;

	if (depth > PACK_MAX_DEPTH)
		return GIX_UNSUPPORTED;
	if (at >= pk->packlen)
		return GIX_CORRUPT;
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
	if (t >= 1 && t <= 4) {
		if (sz > ch->max) {
			ch->big = sz;
			return 1;
		}
		if (sz > PACK_MAX_OBJ)
			return GIX_UNSUPPORTED;
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
		base_at = at - off;
	} else if (t == 7) { /* REF_DELTA: base by id */
		if ((size_t)(end - p) < GIX_OIDLEN + 20)
			return GIX_CORRUPT;
		p += GIX_OIDLEN;
	} else
		return GIX_CORRUPT;
	/* this delta's result, before its base is even read */
	if ((rc = delta_header(pk, (uint64_t)(p - pk->pack), &dsrc, &ddst)) !=
	    GIX_OK)
		return rc;
	if (ddst > ch->max) {
		ch->big = ddst;
		return 1;
	}
	if (sz > PACK_MAX_OBJ || sz > (uint64_t)ddst * 8 + 64)
		return GIX_CORRUPT;
	if (t == 6) {
		rc = pack_object(ch, pk, base_at, depth + 1, type, &base,
		    &blen);
	} else {
		rc = pack_base_by_id(
		    ch, p - GIX_OIDLEN, depth + 1, type, &base, &blen);
	}
	if (rc != GIX_OK)
		return rc;
	rc = pack_inflate(pk, (uint64_t)(p - pk->pack), (size_t)sz, &delta);
	if (rc == GIX_OK)
		rc = gix_delta_apply(base, blen, delta, (size_t)sz, out, len);
	free(base);
	free(delta);
	return rc;
}

int
gix_pack_entry(const struct gix_pack *pk, uint64_t at, size_t max, int *type,
    char **out, size_t *len, uint64_t *size)
{
	struct gix_repo r;
	struct chain ch;
	int rc;

	memset(&r, 0, sizeof(r));
	r.packs = (struct gix_pack *)pk;
	r.npacks = 1;
	ch.r = &r;
	ch.max = max;
	ch.big = 0;
	*out = NULL;
	rc = pack_object(&ch, pk, at, 0, type, out, len);
	if (rc == 1)
		*size = ch.big;
	else if (rc == GIX_OK)
		*size = *len;
	return rc;
}

int
gix_pack_read(const struct gix_repo *r, const uint8_t oid[GIX_OIDLEN],
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
		struct chain ch = { r, max, 0 };
		rc = pack_object(&ch, &r->packs[i], at, 0, &t, &buf, &len);
		if (rc == 1) {
			*size = ch.big;
			return 1;
		}
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

