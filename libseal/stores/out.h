/* SPDX-License-Identifier: ISC */
/*
 * stores/out.h - buffered output for the JSON and dotenv emitters: a
 * fixed stack buffer (values may be plaintext) flushed through the
 * caller's seal_write_fn and wiped when done. Invariant: len <= cap.
 */
#ifndef SEAL_SOPS_OUT_H
#define SEAL_SOPS_OUT_H

#include <string.h>

#include <sodium.h>

#include "core/core.h"

struct seal__out {
	unsigned char buf[16384];
	size_t len;
	seal_write_fn write;
	void *arg;
	int failed;
};

static inline void
seal__out_init(struct seal__out *o, seal_write_fn write, void *arg)
{
	o->len = 0;
	o->write = write;
	o->arg = arg;
	o->failed = 0;
}

static inline void
seal__out_flush(struct seal__out *o)
{
	if (o->len > 0 && !o->failed && o->write(o->arg, o->buf, o->len) != 0)
		o->failed = 1;
	sodium_memzero(o->buf, o->len);
	o->len = 0;
}

static inline void
seal__out_put(struct seal__out *o, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n > 0) {
		size_t k = sizeof(o->buf) - o->len;
		if (k == 0) {
			seal__out_flush(o);
			continue;
		}
		if (k > n)
			k = n;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
	}
}

static inline void
seal__out_str(struct seal__out *o, const char *s)
{
	seal__out_put(o, s, strlen(s));
}

static inline void
seal__out_ch(struct seal__out *o, char c)
{
	if (o->len == sizeof(o->buf))
		seal__out_flush(o);
	o->buf[o->len++] = (unsigned char)c;
}

/* Flush, wipe; SEAL_EIO through ctx if a write failed. */
static inline seal_rc
seal__out_end(seal_ctx *ctx, struct seal__out *o)
{
	seal__out_flush(o);
	sodium_memzero(o->buf, sizeof(o->buf));
	if (o->failed)
		return seal__err(ctx, SEAL_EIO, "cannot write output");
	return SEAL_OK;
}

#endif
