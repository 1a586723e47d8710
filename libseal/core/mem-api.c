/* SPDX-License-Identifier: ISC */
/*
 * core/mem-api.c - what programs may use of libseal's memory and error
 * machinery: setting a context's error (so layers above libseal, such as
 * keys/, report the way the library does), growable secret buffers for
 * staging plaintext output, and big buffers on huge pages.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>

#include <sodium.h>

#include "core/core.h"

seal_rc
seal_ctx_error(seal_ctx *ctx, seal_rc rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rc = seal__verr(ctx, rc, fmt, ap);
	va_end(ap);
	return rc;
}

struct seal_secbuf {
	struct seal__secbuf sb;
};

seal_secbuf *
seal_secbuf_new(void)
{
	seal_secbuf *b = calloc(1, sizeof(*b));

	return b;
}

void
seal_secbuf_free(seal_secbuf *b)
{
	if (b == NULL)
		return;
	seal__secbuf_free(&b->sb);
	free(b);
}

int
seal_secbuf_write(void *arg, const void *buf, size_t len)
{
	return seal__secbuf_writer(&((seal_secbuf *)arg)->sb, buf, len);
}

const unsigned char *
seal_secbuf_data(const seal_secbuf *b)
{
	return b && b->sb.buf ? b->sb.buf : (const unsigned char *)"";
}

size_t
seal_secbuf_len(const seal_secbuf *b)
{
	return b ? b->sb.len : 0;
}

struct seal_bigbuf {
	struct seal__bigmem m;
};

seal_bigbuf *
seal_bigbuf_new(size_t len, int secret)
{
	seal_bigbuf *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	if (seal__bigmem_alloc(&b->m, len, secret != 0) != 0) {
		free(b);
		return NULL;
	}
	return b;
}

unsigned char *
seal_bigbuf_data(seal_bigbuf *b)
{
	return b ? b->m.p : NULL;
}

size_t
seal_bigbuf_size(const seal_bigbuf *b)
{
	return b ? b->m.len : 0;
}

void
seal_bigbuf_free(seal_bigbuf *b, size_t used)
{
	if (b == NULL)
		return;
	if (!b->m.secret && used > 0)
		sodium_memzero(b->m.p, used);
	seal__bigmem_free(&b->m, used);
	free(b);
}
