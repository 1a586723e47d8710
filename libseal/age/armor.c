/* SPDX-License-Identifier: ISC */
/*
 * armor.c - age's ASCII armor (strict PEM, label "AGE ENCRYPTED FILE"):
 * a strict whole-buffer decoder and a streaming encoder that wraps a
 * seal_write_fn. It knows nothing of the age file inside.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age/age.h"

#define WS_MAX 1024

static bool
is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool
seal__armor_detect(const unsigned char *buf, size_t len)
{
	static const char begin[] = SEAL__ARMOR_BEGIN;
	size_t i = 0, n = sizeof(begin) - 1;

	while (i < len && i < WS_MAX && is_ws(buf[i]))
		i++;
	if (len - i < n)
		return len - i > 0 && memcmp(buf + i, begin, len - i) == 0 &&
		    len - i >= 14;
	return memcmp(buf + i, begin, n) == 0;
}

static seal_rc
aerr(seal_ctx *ctx, const char *what, size_t lineno)
{
	if (lineno)
		return seal__err(ctx, SEAL_EARMOR,
		    "malformed armor: %s (line %zu)", what, lineno);
	return seal__err(ctx, SEAL_EARMOR, "malformed armor: %s", what);
}

seal_rc
seal__armor_decode(seal_ctx *ctx, const unsigned char *in, size_t inlen,
    unsigned char **out, size_t *outlen)
{
	static const char begin[] = SEAL__ARMOR_BEGIN, end[] = SEAL__ARMOR_END;
	const size_t nb = sizeof(begin) - 1, ne = sizeof(end) - 1;
	size_t i = 0, lineno = 1, n, o = 0, got, k;
	const unsigned char *l, *nl;
	bool saw_short = false;
	unsigned char *buf = NULL;
	seal_rc rc;

	*out = NULL;
	*outlen = 0;
	while (i < inlen && is_ws(in[i])) {
		if (in[i] == '\n')
			lineno++;
		if (++i > WS_MAX)
			return aerr(ctx, "too much whitespace before BEGIN", 0);
	}
	if (inlen - i < nb || memcmp(in + i, begin, nb) != 0)
		return aerr(ctx, "missing BEGIN AGE ENCRYPTED FILE line",
		    lineno);
	i += nb;
	if (i < inlen && in[i] == '\r')
		i++;
	if (i >= inlen || in[i] != '\n')
		return aerr(ctx, "garbage after the BEGIN line", lineno);
	i++;
	buf = malloc(seal__armor_decoded_max(inlen));
	if (buf == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	for (;;) {
		lineno++;
		l = in + i;
		if (inlen - i >= ne && memcmp(l, end, ne) == 0) {
			for (k = i + ne; k < inlen; k++)
				if (!is_ws(in[k]))
					break;
			if (k == inlen) {
				if (inlen - (i + ne) > WS_MAX + 2) {
					rc = aerr(ctx,
					    "too much whitespace after END", 0);
					goto fail;
				}
				break;
			}
			rc = aerr(ctx, "garbage after the END line", lineno);
			goto fail;
		}
		nl = memchr(l, '\n', inlen - i);
		if (nl == NULL) {
			rc = aerr(ctx, "missing END AGE ENCRYPTED FILE line",
			    lineno);
			goto fail;
		}
		n = (size_t)(nl - l);
		i += n + 1;
		if (n > 0 && l[n - 1] == '\r')
			n--;
		if (n == 0) {
			rc = aerr(ctx, "empty line", lineno);
			goto fail;
		}
		if (n > 64) {
			rc = aerr(ctx, "line longer than 64 columns", lineno);
			goto fail;
		}
		if (saw_short) {
			rc =
			    aerr(ctx, "short line before the last", lineno - 1);
			goto fail;
		}
		if (seal__b64_decode(buf + o, 48, &got, (const char *)l, n) !=
		    0) {
			rc = aerr(ctx, "invalid base64", lineno);
			goto fail;
		}
		o += got;
		if (got < 48)
			saw_short = true;
	}
	*out = buf;
	*outlen = o;
	return SEAL_OK;
fail:
	free(buf);
	return rc;
}

/* ---- writer ------------------------------------------------------------ */

#define LINES_PER_FLUSH 1024

int
seal__armor_w_init(struct seal__armor_w *aw, seal_write_fn write, void *arg)
{
	static const char begin[] = SEAL__ARMOR_BEGIN "\n";

	memset(aw, 0, sizeof(*aw));
	aw->write = write;
	aw->arg = arg;
	aw->linecap = LINES_PER_FLUSH * 65;
	aw->line = malloc(aw->linecap);
	if (aw->line == NULL)
		return -1;
	if (write(arg, begin, sizeof(begin) - 1) != 0) {
		aw->failed = 1;
		return -1;
	}
	return 0;
}

int
seal__armor_w_fn(void *arg, const void *buf, size_t len)
{
	struct seal__armor_w *aw = arg;
	const unsigned char *p = buf;
	size_t take, o = 0;

	if (aw->failed)
		return -1;
	while (len > 0) {
		if (aw->npend == 0 && len >= 48) {
			seal__b64_encode(aw->line + o, p, 48);
			p += 48;
			len -= 48;
		} else {
			take = 48 - aw->npend < len ? 48 - aw->npend : len;
			memcpy(aw->pend + aw->npend, p, take);
			aw->npend += take;
			p += take;
			len -= take;
			if (aw->npend < 48)
				break;
			seal__b64_encode(aw->line + o, aw->pend, 48);
			aw->npend = 0;
		}
		o += 64;
		aw->line[o++] = '\n';
		if (o == aw->linecap) {
			if (aw->write(aw->arg, aw->line, o) != 0)
				goto fail;
			o = 0;
		}
	}
	if (o > 0 && aw->write(aw->arg, aw->line, o) != 0)
		goto fail;
	return 0;
fail:
	aw->failed = 1;
	return -1;
}

int
seal__armor_w_finish(struct seal__armor_w *aw)
{
	static const char end[] = SEAL__ARMOR_END "\n";
	size_t o = 0;

	if (aw->failed)
		return -1;
	if (aw->npend > 0) {
		seal__b64_encode(aw->line, aw->pend, aw->npend);
		o = (aw->npend + 2) / 3 * 4;
		aw->line[o++] = '\n';
		aw->npend = 0;
	}
	memcpy(aw->line + o, end, sizeof(end) - 1);
	o += sizeof(end) - 1;
	if (aw->write(aw->arg, aw->line, o) != 0) {
		aw->failed = 1;
		return -1;
	}
	return 0;
}

void
seal__armor_w_free(struct seal__armor_w *aw)
{
	free(aw->line);
	aw->line = NULL;
}

/* ---- streaming reader ------------------------------------------------- */

static int
ar_fill(struct seal__armor_r *ar)
{
	size_t n, got = 0;

	if (ar->eof)
		return 0;
	if (ar->roff > 0) {
		memmove(ar->raw, ar->raw + ar->roff, ar->rlen - ar->roff);
		ar->rlen -= ar->roff;
		ar->roff = 0;
	}
	n = sizeof(ar->raw) - ar->rlen;
	if (ar->prelen > 0) {
		got = ar->prelen < n ? ar->prelen : n;
		memcpy(ar->raw + ar->rlen, ar->pre, got);
		ar->pre += got;
		ar->prelen -= got;
	} else if (ar->pre_eof) {
		ar->eof = true;
	} else {
		if (ar->read(ar->arg, ar->raw + ar->rlen, n, &got) != 0) {
			ar->err = seal__err(ar->ctx, SEAL_EIO,
			    "cannot read input");
			snprintf(ar->msg, sizeof(ar->msg), "cannot read input");
			return -1;
		}
		if (got == 0)
			ar->eof = true;
	}
	ar->rlen += got;
	return 0;
}

/* Make at least want bytes available (or all that is left). */
static int
ar_need(struct seal__armor_r *ar, size_t want)
{
	while (ar->rlen - ar->roff < want && !ar->eof)
		if (ar_fill(ar) != 0)
			return -1;
	return 0;
}

static int
ar_fail(struct seal__armor_r *ar, const char *what)
{
	ar->err = aerr(ar->ctx, what, ar->lineno);
	snprintf(ar->msg, sizeof(ar->msg), "%s", seal_ctx_errmsg(ar->ctx));
	return -1;
}

static int
ar_begin(struct seal__armor_r *ar)
{
	static const char begin[] = SEAL__ARMOR_BEGIN;
	const size_t nb = sizeof(begin) - 1;
	size_t ws = 0;
	unsigned char *p;

	for (;;) {
		if (ar_need(ar, 1) != 0)
			return -1;
		if (ar->roff == ar->rlen)
			return ar_fail(
			    ar, "missing BEGIN AGE ENCRYPTED FILE line");
		if (!is_ws(ar->raw[ar->roff]))
			break;
		if (ar->raw[ar->roff] == '\n')
			ar->lineno++;
		ar->roff++;
		if (++ws > WS_MAX)
			return ar_fail(ar, "too much whitespace before BEGIN");
	}
	if (ar_need(ar, nb + 2) != 0)
		return -1;
	p = ar->raw + ar->roff;
	if (ar->rlen - ar->roff < nb || memcmp(p, begin, nb) != 0)
		return ar_fail(ar, "missing BEGIN AGE ENCRYPTED FILE line");
	ar->roff += nb;
	if (ar->roff < ar->rlen && ar->raw[ar->roff] == '\r')
		ar->roff++;
	if (ar->roff >= ar->rlen || ar->raw[ar->roff] != '\n')
		return ar_fail(ar, "garbage after the BEGIN line");
	ar->roff++;
	ar->state = 1;
	return 0;
}

/* After the END marker: only whitespace, at most WS_MAX bytes of it. */
static int
ar_end(struct seal__armor_r *ar)
{
	size_t ws = 0;

	for (;;) {
		if (ar_need(ar, 1) != 0)
			return -1;
		if (ar->roff == ar->rlen)
			break;
		if (!is_ws(ar->raw[ar->roff]))
			return ar_fail(ar, "garbage after the END line");
		ar->roff++;
		if (++ws > WS_MAX + 2)
			return ar_fail(ar, "too much whitespace after END");
	}
	ar->state = 2;
	return 0;
}

/* Decode the next body line into ar->dec; state 2 at the END line. */
static int
ar_line(struct seal__armor_r *ar)
{
	static const char end[] = SEAL__ARMOR_END;
	const size_t ne = sizeof(end) - 1;
	unsigned char *l, *nl;
	size_t n, avail, got;

	ar->lineno++;
	if (ar_need(ar, 67) != 0)
		return -1;
	l = ar->raw + ar->roff;
	avail = ar->rlen - ar->roff;
	if (avail >= ne && memcmp(l, end, ne) == 0) {
		ar->roff += ne;
		return ar_end(ar);
	}
	nl = memchr(l, '\n', avail < 67 ? avail : 67);
	if (nl == NULL) {
		if (avail >= 67)
			return ar_fail(ar, "line longer than 64 columns");
		return ar_fail(ar, "missing END AGE ENCRYPTED FILE line");
	}
	n = (size_t)(nl - l);
	ar->roff += n + 1;
	if (n > 0 && l[n - 1] == '\r')
		n--;
	if (n == 0)
		return ar_fail(ar, "empty line");
	if (n > 64)
		return ar_fail(ar, "line longer than 64 columns");
	if (ar->saw_short) {
		ar->lineno--;
		return ar_fail(ar, "short line before the last");
	}
	if (seal__b64_decode(ar->dec, sizeof(ar->dec), &got, (const char *)l,
		n) != 0)
		return ar_fail(ar, "invalid base64");
	if (got < 48)
		ar->saw_short = true;
	ar->dlen = got;
	ar->doff = 0;
	return 0;
}

void
seal__armor_r_init(struct seal__armor_r *ar, seal_ctx *ctx,
    const unsigned char *pre, size_t prelen, bool pre_eof, seal_read_fn read,
    void *arg)
{
	memset(ar, 0, sizeof(*ar));
	ar->ctx = ctx;
	ar->pre = pre;
	ar->prelen = prelen;
	ar->pre_eof = pre_eof;
	ar->read = read;
	ar->arg = arg;
	ar->lineno = 1;
	ar->err = SEAL_OK;
}

int
seal__armor_r_fn(void *arg, void *buf, size_t len, size_t *got)
{
	struct seal__armor_r *ar = arg;
	unsigned char *out = buf;
	size_t n;

	*got = 0;
	if (ar->err != SEAL_OK)
		return -1;
	if (ar->state == 0 && ar_begin(ar) != 0)
		return -1;
	while (*got < len && ar->state == 1) {
		if (ar->doff == ar->dlen && ar_line(ar) != 0)
			return -1;
		n = ar->dlen - ar->doff;
		if (n > len - *got)
			n = len - *got;
		memcpy(out + *got, ar->dec + ar->doff, n);
		ar->doff += n;
		*got += n;
	}
	return 0;
}
