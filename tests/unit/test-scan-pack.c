/* SPDX-License-Identifier: ISC */
/*
 * test-scan-pack.c - the scanner's pack reader (hooks/git/pack.c) on
 * packs built here with zlib: a delta chain resolves to what its deltas
 * say; a delta whose declared result is over the limit is answered "too
 * large" with that size before anything is built (malloc is wrapped,
 * -Wl,--wrap=malloc, and the largest block asked for during the call is
 * checked); a delta longer than its result could need is refused. The
 * fuzz targets' corpora: every seed (tests/fuzz/corpus/{loose,pack,
 * delta,tree}) is read, every malformed input (tests/fixtures/bad/...)
 * refused, each in the fuzz target's input format.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "tests/unit/harness.h"

#include "hooks/git/git.h"

void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n);

static int armed;
static size_t biggest;

void *
__wrap_malloc(size_t n)
{
	if (armed && n > biggest)
		biggest = n;
	return __real_malloc(n);
}

struct pk {
	unsigned char buf[1 << 16];
	size_t len;
};

static void
put_hdr(struct pk *p, unsigned type, size_t size)
{
	unsigned char c = (unsigned char)(type << 4 | (size & 15));

	size >>= 4;
	while (size) {
		p->buf[p->len++] = c | 0x80;
		c = size & 127;
		size >>= 7;
	}
	p->buf[p->len++] = c;
}

static void
put_z(struct pk *p, const void *data, size_t n)
{
	uLongf zl = sizeof(p->buf) - p->len;

	assert_int_equal(compress2(p->buf + p->len, &zl, data, (uLong)n, 6),
	    Z_OK);
	p->len += zl;
}

static size_t
put_varint(unsigned char *d, size_t v)
{
	size_t n = 0;

	do {
		d[n] = (unsigned char)(v & 127);
		v >>= 7;
		if (v)
			d[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

/* an OFS_DELTA entry at the end of p whose base starts at base_at */
static size_t
put_ofs_delta(struct pk *p, size_t base_at, const unsigned char *d, size_t dn)
{
	size_t at = p->len, off = at - base_at, k = 0;
	unsigned char o[16];

	put_hdr(p, 6, dn);
	/* git's offset encoding: big-endian base-128, minus one per byte */
	o[15 - k++] = off & 127;
	while (off >>= 7)
		o[15 - k++] = 0x80 | (--off & 127);
	memcpy(p->buf + p->len, o + 16 - k, k);
	p->len += k;
	put_z(p, d, dn);
	return at;
}

static void
init(struct pk *p)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->buf, "PACK\0\0\0\2\0\0\0\3", 12);
	p->len = 12;
}

static void
finish(struct pk *p, struct gix_pack *g)
{
	static unsigned char idx[8 + 1024]; /* no ids: fan-out all zero */

	p->len += 20; /* the trailer (unchecked here) */
	memset(g, 0, sizeof(*g));
	g->pack = p->buf;
	g->packlen = p->len;
	g->idx = idx;
	g->idxlen = sizeof(idx);
	g->n = 0;
}

static const char base_text[] = "hello, world\n";

/* A new pack whose first entry is the blob base_text; returns its offset. */
static size_t
put_base(struct pk *p)
{
	size_t at;

	init(p);
	at = p->len;
	put_hdr(p, 3, sizeof(base_text) - 1);
	put_z(p, base_text, sizeof(base_text) - 1);
	return at;
}

static void
test_chain_resolves(void **state)
{
	static struct pk p;
	struct gix_pack g;
	unsigned char d[64];
	size_t base_at, d1, d2, n, len;
	uint64_t size;
	char *out = NULL;
	int type = 0;

	(void)state;
	base_at = put_base(&p);
	/* "hello, world\n" -> "hello, there\n": copy 7, insert "there\n" */
	n = put_varint(d, 13);
	n += put_varint(d + n, 13);
	d[n++] = 0x90; /* copy, size byte follows, offset 0 */
	d[n++] = 7;
	d[n++] = 6;
	memcpy(d + n, "there\n", 6);
	n += 6;
	d1 = put_ofs_delta(&p, base_at, d, n);
	/* -> "hello, there\nhello, there\n": copy all twice */
	n = put_varint(d, 13);
	n += put_varint(d + n, 26);
	d[n++] = 0x90;
	d[n++] = 13;
	d[n++] = 0x90;
	d[n++] = 13;
	d2 = put_ofs_delta(&p, d1, d, n);
	finish(&p, &g);
	assert_int_equal(
	    gix_pack_entry(&g, d2, 1 << 20, &type, &out, &len, &size), GIX_OK);
	assert_int_equal(type, 3);
	assert_int_equal(len, 26);
	assert_memory_equal(out, "hello, there\nhello, there\n", 26);
	free(out);
	/* the same chain under a limit of 20 bytes: too large, 26 */
	out = NULL;
	assert_int_equal(
	    gix_pack_entry(&g, d2, 20, &type, &out, &len, &size), 1);
	assert_int_equal(size, 26);
	assert_null(out);
}

static void
test_big_result_refused_before_building(void **state)
{
	static struct pk p;
	struct gix_pack g;
	unsigned char d[8192];
	size_t base_at, at, n, len, i;
	uint64_t size;
	char *out = NULL;
	int type = 0;

	(void)state;
	base_at = put_base(&p);
	/* 13 bytes copied 1,000 times and more: a 100 MB result declared */
	n = put_varint(d, 13);
	n += put_varint(d + n, 100u << 20);
	for (i = 0; i < 1000; i++) {
		d[n++] = 0x90;
		d[n++] = 13;
	}
	at = put_ofs_delta(&p, base_at, d, n);
	finish(&p, &g);
	biggest = 0;
	armed = 1;
	assert_int_equal(
	    gix_pack_entry(&g, at, 1 << 20, &type, &out, &len, &size), 1);
	armed = 0;
	assert_int_equal(size, 100u << 20);
	assert_null(out);
	/* nothing near the declared size was asked for */
	assert_true(biggest < (64u << 10));
}

static void
test_delta_longer_than_its_result(void **state)
{
	static struct pk p;
	struct gix_pack g;
	unsigned char d[8192];
	size_t base_at, at, n, len;
	uint64_t size;
	char *out = NULL;
	int type = 0;

	(void)state;
	base_at = put_base(&p);
	/* declares a 1-byte result, then 4 KB of instructions */
	n = put_varint(d, 13);
	n += put_varint(d + n, 1);
	memset(d + n, 0x7f, 4096);
	n += 4096;
	at = put_ofs_delta(&p, base_at, d, n);
	finish(&p, &g);
	assert_int_equal(
	    gix_pack_entry(&g, at, 1 << 20, &type, &out, &len, &size),
	    GIX_CORRUPT);
	assert_null(out);
}

/* a version 2 index of one id, 00..01, at offset 12 (as fuzz-pack.c) */
static void
one_id_index(unsigned char idx[8 + 1024 + 28])
{
	size_t i;

	memset(idx, 0, 8 + 1024 + 28);
	memcpy(idx, "\377tOc\0\0\0\2", 8);
	for (i = 0; i < 256; i++)
		idx[8 + 4 * i + 3] = 1;
	idx[8 + 1024 + 19] = 1;
	idx[8 + 1024 + 20 + 4 + 3] = 12;
}

/* one input in the format of tests/fuzz/fuzz-KIND.c: GIX_OK if read */
static int
read_as(const char *kind, const unsigned char *d, size_t n)
{
	static const char *const types[] = { "blob", "tree", "commit",
		"tag" };
	static unsigned char idx[8 + 1024 + 28];
	struct gix_pack pk;
	char *out = NULL;
	size_t len = 0;
	uint64_t size = 0;
	int rc = GIX_CORRUPT, type;

	if (strcmp(kind, "loose") == 0 && n >= 1) {
		rc = gix_loose_decode(d + 1, n - 1, (d[0] & 4) == 0,
		    types[d[0] & 3], 1u << 16, &out, &len, &size);
	} else if (strcmp(kind, "delta") == 0 && n >= 1 && n >= 1u + d[0]) {
		rc = gix_delta_apply((const char *)d + 1, d[0],
		    (const char *)d + 1 + d[0], n - 1 - d[0], &out, &len);
	} else if (strcmp(kind, "tree") == 0) {
		rc = gix_tree_check((const char *)d, n, &len);
	} else if (strcmp(kind, "pack") == 0 && n >= 33) {
		size_t at = (size_t)d[n - 2] << 8 | d[n - 1];
		one_id_index(idx);
		memset(&pk, 0, sizeof(pk));
		pk.pack = d;
		pk.packlen = n;
		pk.idx = idx;
		pk.idxlen = sizeof(idx);
		pk.n = 1;
		/* the seeds name a delta by their last two bytes */
		rc = gix_pack_entry(&pk, at > 12 && at < n - 20 ? at : 12,
		    1u << 20, &type, &out, &len, &size);
	}
	free(out);
	return rc;
}

static int
corpus(const char *top, const char *kind, bool good)
{
	const char *src = getenv("SEAL_SRCDIR");
	char dir[4096], path[4400];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/%s/%s", src ? src : ".", top, kind);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		unsigned char buf[1 << 16];
		size_t len;
		FILE *f;
		int rc;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		assert_non_null(f = fopen(path, "rb"));
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		rc = read_as(kind, buf, len);
		if (good && rc != GIX_OK)
			fail_msg("%s/%s: a seed not read (rc %d)", kind,
			    de->d_name, rc);
		if (!good && rc == GIX_OK)
			fail_msg("%s/%s: malformed, but read", kind,
			    de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

static void
test_corpora(void **state)
{
	static const char *const kinds[] = { "loose", "pack", "delta",
		"tree" };
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_true(corpus("tests/fuzz/corpus", kinds[i], true) >= 2);
		assert_true(corpus("tests/fixtures/bad", kinds[i], false) >= 6);
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_corpora),
	cmocka_unit_test(test_chain_resolves),
	cmocka_unit_test(test_big_result_refused_before_building),
	cmocka_unit_test(test_delta_longer_than_its_result),
};

SEAL_UNIT_MAIN(tests)
