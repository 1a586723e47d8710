/* SPDX-License-Identifier: ISC */
/*
 * yaml-writer.h - the YAML writer's state and output primitives, shared
 * by the layout code (yaml-write.c) and the scalar code (yaml-scalar.c).
 * Output goes through a secure buffer, wiped after each flush.
 */
#ifndef SEAL_YAML_WRITER_H
#define SEAL_YAML_WRITER_H

#include <string.h>

#include <sodium.h>

#include "stores/yaml.h"

#define WBUF_SIZE (64u * 1024u)
#define MAX_KEY 1024u

struct wr {
	seal_ctx *ctx;
	seal_write_fn write;
	void *arg;
	unsigned char *buf;
	size_t n;
	int bi;		/* indentation step */
	bool open;	/* the current line has content and no newline yet */
	bool inl_ok;	/* a trailing comment may go on the current line */
	bool after_block; /* the last line was a block scalar's content */
	bool keep_cols;	/* layout as read: comments keep their columns */
	bool after_keep; /* ... of a "|+" block: a blank line would join it */
	bool after_coll; /* the last value was a block collection */
	/* a trailing comment for the next literal block's header line */
	const struct seal__node *hdr;
	const struct seal__node *hdr_used;	/* the one written */
	/* anchors written so far in this document, in order */
	const struct seal__node **an;
	size_t nan, capan;
	seal_rc rc;
};

/* -- output ------------------------------------------------------------- */

static inline void
flush(struct wr *w)
{
	if (w->rc == SEAL_OK && w->n > 0 && w->write(w->arg, w->buf, w->n) != 0)
		w->rc = seal__err(w->ctx, SEAL_EIO, "cannot write YAML output");
	sodium_memzero(w->buf, w->n);
	w->n = 0;
}

static inline void
put(struct wr *w, const char *s, size_t n)
{
	while (n > 0 && w->rc == SEAL_OK) {
		size_t k = WBUF_SIZE - w->n;

		if (k > n)
			k = n;
		memcpy(w->buf + w->n, s, k);
		w->n += k;
		s += k;
		n -= k;
		if (w->n == WBUF_SIZE)
			flush(w);
	}
}

static inline void
putch(struct wr *w, char c)
{
	if (w->n == WBUF_SIZE)
		flush(w);
	w->buf[w->n++] = (unsigned char)c;
}

static inline void
puts_(struct wr *w, const char *s)
{
	put(w, s, strlen(s));
}

static inline void
spaces(struct wr *w, int n)
{
	static const char sp[] = "                                ";

	while (n > 0) {
		int k = n > 32 ? 32 : n;

		put(w, sp, (size_t)k);
		n -= k;
	}
}

/* yaml-write.c: anchors and aliases. A node defining an anchor gets
 * "&name" (and a space if asked) before it; an alias's copy is written
 * as "*name" if alias_ok (it still equals the node last anchored under
 * that name in this document), in full otherwise. */
bool seal__yaml_defines_anchor(const struct seal__node *v);
void seal__yaml_write_anchor(struct wr *w, const struct seal__node *v,
    bool space);
bool seal__yaml_alias_ok(const struct wr *w, const struct seal__node *v);
void seal__yaml_write_alias(struct wr *w, const struct seal__node *v);

/* yaml-scalar.c: a scalar value or a map key on the current line; ci and
 * n are the content and parent indentation for literal blocks */
void seal__yaml_write_scalar(struct wr *w, const struct seal__node *v,
    bool flow, int ci, int n);
void seal__yaml_write_key(struct wr *w, const struct seal__item *it,
    bool flow);
bool seal__yaml_writes_keep(const struct seal__node *v);
/* yaml-write.c: drop blank-line marks the writer could not honour (after
 * a "|+" literal); the reader calls it on every tree it builds */
void seal__yaml_unblank_after_keep(struct seal__tree *t);

#endif
