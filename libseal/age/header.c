/* SPDX-License-Identifier: ISC */
/*
 * age/header.c - the age v1 header: a strict parser from bytes to
 * stanzas (arguments point into the input, bodies decoded into one
 * arena) plus the MAC span, and the writer helpers for stanzas. It does
 * no key work and never looks at the payload.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "age/age.h"

static int
grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * elem);
	if (np == NULL)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

void
seal__age_header_free(struct seal__age_header *hdr)
{
	free(hdr->st);
	free(hdr->args);
	free(hdr->bodies);
	memset(hdr, 0, sizeof(*hdr));
}

/* Find the next line; returns its length (without LF) or -1 if no LF. */
static long
next_line(const unsigned char *buf, size_t len, size_t pos)
{
	const unsigned char *nl;

	if (pos >= len)
		return -1;
	nl = memchr(buf + pos, '\n', len - pos);
	if (nl == NULL)
		return -1;
	return (long)(nl - (buf + pos));
}

static int
herr(seal_ctx *ctx, const char *what, size_t lineno)
{
	return seal__err(ctx, SEAL_EHEADER,
	    "malformed age header: %s (line %zu)", what, lineno);
}

static int
parse_args(seal_ctx *ctx, struct seal__age_header *h, const unsigned char *l,
    size_t n, size_t lineno)
{
	size_t i = 2, start;
	struct seal__stanza *s;

	/* l[0..1] == "->" */
	if (n == 2)
		return herr(ctx, "stanza without arguments", lineno);
	if (grow((void **)&h->st, &h->capst, h->nst + 1, sizeof(*h->st)) != 0)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	s = &h->st[h->nst];
	s->arg0 = h->nargs;
	s->nargs = 0;
	while (i < n) {
		if (l[i] != ' ')
			return herr(ctx, "bad stanza line", lineno);
		start = ++i;
		while (i < n && l[i] != ' ') {
			if (l[i] < 0x21 || l[i] > 0x7e)
				return herr(ctx, "invalid character in stanza",
				    lineno);
			i++;
		}
		if (i == start)
			return herr(ctx, "empty stanza argument", lineno);
		if (grow((void **)&h->args, &h->capargs, h->nargs + 1,
			sizeof(*h->args)) != 0)
			return seal__err(ctx, SEAL_ENOMEM, "out of memory");
		h->args[h->nargs].p = (const char *)l + start;
		h->args[h->nargs].len = i - start;
		h->nargs++;
		s->nargs++;
	}
	return 0;
}

int
seal__age_header_parse(seal_ctx *ctx, const unsigned char *buf, size_t len,
    bool at_eof, struct seal__age_header *h)
{
	static const char ver[] = SEAL__AGE_VERSION;
	size_t pos, lineno = 1, got;
	long n;
	const unsigned char *l;
	struct seal__stanza *s;
	int rc;

	memset(h, 0, sizeof(*h));
	h->raw = buf;
	if (len == 0 && at_eof)
		return seal__err(
		    ctx, SEAL_EHEADER, "empty input: not an age file");
	n = next_line(buf, len, 0);
	if (n < 0) {
		/* decide early on a bad prefix even without the LF */
		size_t cmp = len < sizeof(ver) - 1 ? len : sizeof(ver) - 1;
		if (memcmp(buf, ver, cmp) != 0 || len > sizeof(ver) - 1 ||
		    at_eof)
			return seal__err(ctx, SEAL_EHEADER,
			    "not an age v1 file (bad version line)");
		return SEAL__AGE_NEED_MORE;
	}
	if ((size_t)n != sizeof(ver) - 1 || memcmp(buf, ver, (size_t)n) != 0)
		return seal__err(ctx, SEAL_EHEADER,
		    "not an age v1 file (bad version line)");
	pos = (size_t)n + 1;
	/* the decoded bodies are smaller than the input */
	h->bodies = malloc(len ? len : 1);
	if (h->bodies == NULL) {
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
		goto fail;
	}
	for (;;) {
		lineno++;
		n = next_line(buf, len, pos);
		if (n < 0)
			goto incomplete;
		l = buf + pos;
		if (n >= 3 && memcmp(l, "---", 3) == 0) {
			if (n != 3 + 1 + 43 || l[3] != ' ' ||
			    seal__b64np_decode(h->mac, sizeof(h->mac), &got,
				(const char *)l + 4, 43) != 0 ||
			    got != 32) {
				rc = herr(ctx, "bad MAC line", lineno);
				goto fail;
			}
			if (h->nst == 0) {
				rc = herr(ctx, "no recipient stanza", lineno);
				goto fail;
			}
			h->maclen = pos + 3;
			h->len = pos + (size_t)n + 1;
			return SEAL_OK;
		}
		if (n < 2 || l[0] != '-' || l[1] != '>') {
			rc = herr(ctx, "expected a stanza or the MAC line",
			    lineno);
			goto fail;
		}
		if ((rc = parse_args(ctx, h, l, (size_t)n, lineno)) != 0)
			goto fail;
		s = &h->st[h->nst++];
		s->body = h->nbodies;
		s->bodylen = 0;
		pos += (size_t)n + 1;
		for (;;) {
			lineno++;
			n = next_line(buf, len, pos);
			if (n < 0)
				goto incomplete;
			if (n > 64 ||
			    seal__b64np_decode(h->bodies + h->nbodies,
				len - h->nbodies, &got, (const char *)buf + pos,
				(size_t)n) != 0) {
				rc = herr(ctx, "bad stanza body line", lineno);
				goto fail;
			}
			h->nbodies += got;
			s->bodylen += got;
			pos += (size_t)n + 1;
			if (n < 64)
				break;
		}
	}
incomplete:
	if (at_eof) {
		rc = seal__err(ctx, SEAL_EHEADER,
		    "truncated age header (no MAC line)");
		goto fail;
	}
	if (len >= SEAL__AGE_MAX_HEADER) {
		rc = seal__err(ctx, SEAL_EHEADER,
		    "age header over %d bytes", SEAL__AGE_MAX_HEADER);
		goto fail;
	}
	seal__age_header_free(h);
	return SEAL__AGE_NEED_MORE;
fail:
	seal__age_header_free(h);
	return rc;
}

int
seal__hbuf_add(struct seal__hbuf *b, const void *p, size_t n)
{
	if (grow((void **)&b->p, &b->cap, b->len + n + 1, 1) != 0)
		return -1;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

int
seal__hbuf_stanza(struct seal__hbuf *b, const char *const *args,
    size_t nargs, const unsigned char *body, size_t bodylen)
{
	size_t i, off, take;
	char line[66];

	if (seal__hbuf_add(b, "->", 2) != 0)
		return -1;
	for (i = 0; i < nargs; i++)
		if (seal__hbuf_add(b, " ", 1) != 0 ||
		    seal__hbuf_add(b, args[i], strlen(args[i])) != 0)
			return -1;
	if (seal__hbuf_add(b, "\n", 1) != 0)
		return -1;
	for (off = 0;; off += 48) {
		take = bodylen - off < 48 ? bodylen - off : 48;
		seal__b64np_encode(line, body + off, take);
		line[seal__b64np_len(take)] = '\n';
		if (seal__hbuf_add(b, line, seal__b64np_len(take) + 1) != 0)
			return -1;
		if (take < 48)
			break;
	}
	return 0;
}
