/* SPDX-License-Identifier: ISC */
/*
 * secmem.c - the only allocator for keys and plaintext: libsodium's
 * guarded, mlock'ed pages, a growable secret buffer that never reallocs
 * (a realloc would leave plaintext behind in freed memory), and big
 * streaming buffers on transparent huge pages.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <sodium.h>

#include "core/core.h"

/* LeakSanitizer cannot see sodium_malloc's mmap'd blocks: count them. */
static atomic_long live_blocks;

/*
 * A per-thread cache of freed blocks, by power-of-two size class: each
 * sodium_malloc/sodium_free costs an mmap, mprotects, mlock and munmap
 * (a TLB shootdown on every CPU), which dominated small documents. A
 * cached block is wiped when freed and stays locked and guarded; it is
 * handed out again only to the same thread. The block's class is kept
 * in a header before the caller's bytes (the end stays next to the
 * guard page).
 */
#define HDR 16u
#define MIN_CLASS 6u  /* 64 bytes */
#define MAX_CLASS 17u /* 128 KiB */
#define PER_CLASS 4u

struct cached {
	void *blk[PER_CLASS];
	unsigned n;
};
static _Thread_local struct cached cache[MAX_CLASS + 1];

static unsigned
class_of(size_t len)
{
	unsigned c = MIN_CLASS;

	while (c <= MAX_CLASS && ((size_t)1 << c) < len)
		c++;
	return c;
}

void *
seal__secalloc(size_t len)
{
	unsigned char *p;
	unsigned c;
	size_t total;

	if (sodium_init() < 0)
		return NULL;
	if (len == 0)
		len = 1;
	c = class_of(len);
	if (c <= MAX_CLASS && cache[c].n > 0) {
		p = cache[c].blk[--cache[c].n]; /* wiped when freed */
	} else {
		total = (c <= MAX_CLASS ? (size_t)1 << c : len) + HDR;
		if (total < len)
			return NULL;
		p = sodium_malloc(total);
		if (p == NULL)
			return NULL;
		/* sodium fills with 0xdb; start from zero like calloc */
		sodium_memzero(p, total);
		memcpy(p, &c, sizeof(c));
	}
	atomic_fetch_add(&live_blocks, 1);
	return p + HDR;
}

void
seal__secfree(void *q)
{
	unsigned char *p = q;
	unsigned c;

	if (p == NULL)
		return;
	p -= HDR;
	memcpy(&c, p, sizeof(c));
	atomic_fetch_sub(&live_blocks, 1);
	if (c <= MAX_CLASS && cache[c].n < PER_CLASS) {
		sodium_memzero(p + HDR, (size_t)1 << c);
		cache[c].blk[cache[c].n++] = p;
		return;
	}
	sodium_free(p); /* munlock wipes */
}

long
seal__secmem_live(void)
{
	return atomic_load(&live_blocks);
}

int
seal__secbuf_reserve(struct seal__secbuf *sb, size_t extra)
{
	unsigned char *nb;
	size_t need, ncap;

	if (extra > SIZE_MAX - sb->len - 1)
		return -1;
	need = sb->len + extra + 1;
	if (sb->buf != NULL && need <= sb->cap)
		return 0;
	ncap = sb->cap ? sb->cap : 256;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	nb = seal__secalloc(ncap);
	if (nb == NULL)
		return -1;
	if (sb->buf != NULL) {
		memcpy(nb, sb->buf, sb->len);
		seal__secfree(sb->buf); /* wipes */
	}
	nb[sb->len] = 0;
	sb->buf = nb;
	sb->cap = ncap;
	return 0;
}

int
seal__secbuf_append(struct seal__secbuf *sb, const void *p, size_t n)
{
	if (seal__secbuf_reserve(sb, n) != 0)
		return -1;
	if (n > 0)
		memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
	sb->buf[sb->len] = 0;
	return 0;
}

void
seal__secbuf_reset(struct seal__secbuf *sb)
{
	if (sb->buf != NULL)
		sodium_memzero(sb->buf, sb->cap);
	sb->len = 0;
}

void
seal__secbuf_free(struct seal__secbuf *sb)
{
	seal__secfree(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

int
seal__secbuf_writer(void *arg, const void *buf, size_t len)
{
	return seal__secbuf_append(arg, buf, len);
}
