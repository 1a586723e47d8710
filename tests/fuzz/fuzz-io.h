/* SPDX-License-Identifier: ISC */
/*
 * fuzz-io.h - the I/O callbacks the streaming fuzz targets share: a sink
 * that drops output, and a reader that hands out the input in short,
 * odd-sized pieces so every refill path of a streaming parser runs.
 */
#ifndef SEAL_FUZZ_IO_H
#define SEAL_FUZZ_IO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fuzz_rd {
	const uint8_t *p;
	size_t len, off;
	size_t piece; /* at most this many bytes per read */
};

static inline int
fuzz_sink(void *arg, const void *buf, size_t len)
{
	(void)arg;
	(void)buf;
	(void)len;
	return 0;
}

static inline int
fuzz_read(void *arg, void *buf, size_t len, size_t *got)
{
	struct fuzz_rd *r = arg;
	size_t n = r->len - r->off;

	if (n > len)
		n = len;
	if (n > r->piece)
		n = r->piece;
	if (n > 0)
		memcpy(buf, r->p + r->off, n);
	r->off += n;
	*got = n;
	return 0;
}

#endif
