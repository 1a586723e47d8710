/* SPDX-License-Identifier: ISC */
/*
 * secmem.c - the only allocator for keys and plaintext: libsodium's
 * guarded, mlock'ed pages, and a growable secret buffer that never
 * reallocs (a realloc would leave plaintext behind in freed memory).
 */
#include "config.h"

#include <stdatomic.h>
#include <string.h>

#include <sodium.h>

#include "seal-internal.h"

/* LeakSanitizer cannot see sodium_malloc's mmap'd blocks: count them. */
static atomic_long live_blocks;

void *
seal__secalloc(size_t len)
{
	void *p;

	if (sodium_init() < 0)
		return NULL;
	p = sodium_malloc(len ? len : 1);
	if (p != NULL) {
		atomic_fetch_add(&live_blocks, 1);
		/* sodium fills with 0xdb; start from zero like calloc */
		sodium_memzero(p, len ? len : 1);
	}
	return p;
}

void
seal__secfree(void *p)
{
	if (p == NULL)
		return;
	atomic_fetch_sub(&live_blocks, 1);
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
