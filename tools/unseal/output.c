/* SPDX-License-Identifier: ISC */
/*
 * output.c - unseal's staged output: one growable buffer in guarded
 * memory holding everything that will reach stdout, so that nothing is
 * written before the whole input was decrypted, verified and allowed.
 * It grows by allocate, copy, wipe, free: realloc would leave plaintext
 * behind in freed memory.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "tools/unseal/unseal.h"

int
obuf_put(struct obuf *o, const void *p, size_t n)
{
	unsigned char *nb;
	size_t ncap;

	if (n == 0)
		return 0;
	if (o->max && (n > o->max || o->len > o->max - n)) {
		o->over = true;
		return -1;
	}
	if (o->cap - o->len < n) {
		ncap = o->cap ? o->cap : 16384;
		while (ncap - o->len < n)
			ncap *= 2;
		if ((nb = sodium_malloc(ncap)) == NULL)
			return -1;
		if (o->buf != NULL) {
			memcpy(nb, o->buf, o->len);
			sodium_free(o->buf); /* wipes */
		}
		o->buf = nb;
		o->cap = ncap;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return 0;
}

int
obuf_write_fn(void *arg, const void *p, size_t n)
{
	return obuf_put(arg, p, n);
}

int
obuf_separate(struct obuf *o)
{
	if (o->len == 0)
		return 0;
	if (o->json)
		return obuf_put(o, ",\n", 2);
	if (o->buf[o->len - 1] != '\n' && obuf_put(o, "\n", 1) != 0)
		return -1;
	return obuf_put(o, "---\n", 4);
}

void
obuf_free(struct obuf *o)
{
	if (o->buf != NULL)
		sodium_free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}

int
obuf_put_quoted(struct obuf *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;
	char esc[8];

	if (obuf_put(o, "\"", 1) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *e = NULL;
		size_t elen = 2;

		switch (c) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\n': e = "\\n"; break;
		case '\t': e = "\\t"; break;
		case '\r': e = "\\r"; break;
		default:
			if (c < 0x20 || c == 0x7f) {
				/* \u00XX: JSON and YAML both read it */
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				e = esc;
				elen = 6;
			}
		}
		if (e == NULL) {
			run++;
			continue;
		}
		if (obuf_put(o, s + i - run, run) != 0 ||
		    obuf_put(o, e, elen) != 0)
			return -1;
		run = 0;
	}
	if (obuf_put(o, s + n - run, run) != 0)
		return -1;
	return obuf_put(o, "\"", 1);
}

int
obuf_put_json_objects(struct obuf *o, const struct obuf *src)
{
	const unsigned char *p = src->buf, *end = src->buf + src->len, *nl;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end - 1;
		if (*p == '{' && obuf_separate(o) != 0)
			return -1;
		if (obuf_put(o, p, (size_t)(nl - p) + 1) != 0)
			return -1;
	}
	return 0;
}
