/* SPDX-License-Identifier: ISC */
/*
 * yaml-write.c - the document tree to YAML text, written the way go-yaml
 * v3 writes it for sops (indent 4, sequences indented under their key,
 * no line folding, go-yaml's quoting choices), while keeping what the
 * reader recorded: key order, comments, blank lines, scalar styles, flow
 * collections, document separators, anchors and aliases. Streams
 * through a write callback from a wiped secure buffer; does no parsing
 * of its own.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "stores/yaml-writer.h"


static void
newline(struct wr *w, int ind, bool blank)
{
	if (w->open)
		putch(w, '\n');
	if (blank && !w->after_keep)
		putch(w, '\n');
	w->after_keep = false;
	spaces(w, ind);
	w->open = true;
	w->inl_ok = true;
	w->after_block = false;
}

/* -- anchors and aliases ------------------------------------------------ */

/* Same value: what "*name" would read back as. Styles, flags and
 * lines do not matter; comments and tags do. */
static bool
same_value(const struct seal__node *a, const struct seal__node *b)
{
	size_t i;

	if (a == NULL || b == NULL)
		return a == b;
	if (a->kind != b->kind || a->nitems != b->nitems ||
	    (a->kind != SEAL_N_MAP && a->kind != SEAL_N_SEQ &&
	    (a->type != b->type || a->len != b->len ||
	    memcmp(a->text, b->text, a->len) != 0)) ||
	    (a->tag == NULL) != (b->tag == NULL) ||
	    (a->tag != NULL && strcmp(a->tag, b->tag) != 0))
		return false;
	for (i = 0; i < a->nitems; i++) {
		const struct seal__item *x = &a->items[i], *y = &b->items[i];

		if ((x->key == NULL) != (y->key == NULL) || (x->key != NULL &&
		    (x->keylen != y->keylen ||
		    memcmp(x->key, y->key, x->keylen) != 0)))
			return false;
		if (!same_value(x->val, y->val))
			return false;
	}
	return true;
}

/* The node last anchored under name, or NULL. */
static const struct seal__node *
anchored(const struct wr *w, const char *name)
{
	size_t i = w->nan;

	while (i-- > 0)
		if (strcmp(w->an[i]->anchor, name) == 0)
			return w->an[i];
	return NULL;
}

bool
seal__yaml_alias_ok(const struct wr *w, const struct seal__node *v)
{
	const struct seal__node *a;

	if (v == NULL || !(v->flags & SEAL_F_ALIAS) || v->anchor == NULL)
		return false;
	a = anchored(w, v->anchor);
	/* either was changed since: the value is written in full */
	return a != NULL && same_value(a, v);
}

void
seal__yaml_write_alias(struct wr *w, const struct seal__node *v)
{
	putch(w, '*');
	puts_(w, v->anchor);
}

bool
seal__yaml_defines_anchor(const struct seal__node *v)
{
	return v != NULL && v->anchor != NULL && !(v->flags & SEAL_F_ALIAS);
}

void
seal__yaml_write_anchor(struct wr *w, const struct seal__node *v, bool space)
{
	if (!seal__yaml_defines_anchor(v))
		return;
	if (w->nan == w->capan) {
		size_t cap = w->capan ? w->capan * 2 : 16;
		const struct seal__node **p = realloc(w->an,
		    cap * sizeof(*p));

		if (p == NULL) {
			if (w->rc == SEAL_OK)
				w->rc = seal__err(w->ctx, SEAL_ENOMEM,
				    "out of memory writing YAML");
			return;
		}
		w->an = p;
		w->capan = cap;
	}
	w->an[w->nan++] = v;
	putch(w, '&');
	puts_(w, v->anchor);
	if (space)
		putch(w, ' ');
}

/* -- collections -------------------------------------------------------- */

static bool
has_comments(const struct seal__node *n)
{
	size_t i;

	for (i = 0; i < n->nitems; i++) {
		const struct seal__node *v = n->items[i].val;

		if (v == NULL)
			continue;
		if (v->kind == SEAL_N_COMMENT)
			return true;
		if ((v->kind == SEAL_N_MAP || v->kind == SEAL_N_SEQ) &&
		    has_comments(v))
			return true;
	}
	return false;
}

static bool
as_flow(const struct seal__node *n)
{
	if (n->nitems == 0)
		return true;
	return (n->flags & SEAL_F_FLOW) && !has_comments(n);
}

static void write_flow(struct wr *w, const struct seal__node *n);

static void
write_flow_value(struct wr *w, const struct seal__node *v)
{
	if (seal__yaml_alias_ok(w, v)) {
		seal__yaml_write_alias(w, v);
		return;
	}
	seal__yaml_write_anchor(w, v, true);
	if (v == NULL || (v->kind == SEAL_N_SCALAR && v->type == SEAL_T_NULL &&
	    v->len == 0)) {
		puts_(w, "null");
		return;
	}
	if (v->kind == SEAL_N_SCALAR)
		seal__yaml_write_scalar(w, v, true, 0, 0);
	else
		write_flow(w, v);
}

static void
write_flow(struct wr *w, const struct seal__node *n)
{
	bool first = true;
	size_t i;

	putch(w, n->kind == SEAL_N_MAP ? '{' : '[');
	for (i = 0; i < n->nitems && w->rc == SEAL_OK; i++) {
		const struct seal__item *it = &n->items[i];

		if (it->val != NULL && it->val->kind == SEAL_N_COMMENT)
			continue;
		if (!first)
			puts_(w, ", ");
		first = false;
		if (n->kind == SEAL_N_MAP) {
			seal__yaml_write_key(w, it, true);
			putch(w, ' ');
		}
		write_flow_value(w, it->val);
	}
	putch(w, n->kind == SEAL_N_MAP ? '}' : ']');
	w->inl_ok = true;
}

static void write_map(struct wr *w, const struct seal__node *m, int ind,
    bool inline_first);
static void write_seq(struct wr *w, const struct seal__node *s, int ind,
    bool inline_first);

static int
step(struct wr *w, int ind)
{
	return w->bi * ((ind + w->bi) / w->bi);
}

static void
write_comment(struct wr *w, const struct seal__node *c, int ind,
    bool positioned)
{
	if (positioned) {
		/* right after "- " */
	} else if ((c->flags & SEAL_F_INLINE) && w->open && w->inl_ok) {
		putch(w, ' ');
	} else {
		/* a comment indented deeper than its items stays so, unless
		 * it would read back as a block scalar's content line */
		if (w->keep_cols && c->col > ind &&
		    c->col <= ind + 2 * w->bi && !w->after_block &&
		    !w->after_coll) /* nor as the collection's */
			ind = c->col;
		newline(w, ind, (c->flags & SEAL_F_BLANK) != 0);
	}
	putch(w, '#');
	put(w, c->text, c->len);
	w->inl_ok = false;
}

/* Is the first item of a block container a comment that must start its
 * own line? Then the container cannot begin on a "- " line. */
static bool
starts_with_own_line_comment(const struct seal__node *n)
{
	const struct seal__node *v;

	if (n->nitems == 0)
		return false;
	v = n->items[0].val;
	return v != NULL && v->kind == SEAL_N_COMMENT &&
	    !(v->flags & SEAL_F_INLINE);
}

/* The value after "key:" or "-": on this line, or nested below. ind is
 * the key's column or the dash's column; in_seq for "- " items. */
static void
write_value(struct wr *w, const struct seal__node *v, int ind, bool in_seq)
{
	int ci = in_seq ? ind + 2 : step(w, ind);

	w->after_coll = false;
	if (v == NULL)
		return;
	if (seal__yaml_alias_ok(w, v)) {
		putch(w, ' ');
		seal__yaml_write_alias(w, v);
		return;
	}
	if (seal__yaml_defines_anchor(v)) {
		putch(w, ' ');
		seal__yaml_write_anchor(w, v, false);
	}
	if (v->kind == SEAL_N_SCALAR) {
		if (v->type == SEAL_T_NULL && v->len == 0 && v->tag == NULL)
			return;
		putch(w, ' ');
		seal__yaml_write_scalar(w, v, false, ci, ind);
		return;
	}
	if (as_flow(v)) {
		putch(w, ' ');
		write_flow(w, v);
		return;
	}
	if (in_seq) {
		/* "- &a k: v" would anchor the key: the collection starts
		 * on the next line */
		bool own = starts_with_own_line_comment(v) ||
		    seal__yaml_defines_anchor(v);

		if (!own)
			putch(w, ' ');
		if (v->kind == SEAL_N_MAP)
			write_map(w, v, ind + 2, !own);
		else
			write_seq(w, v, ind + 2, !own);
	} else if (v->kind == SEAL_N_MAP) {
		write_map(w, v, ci, false);
	} else {
		write_seq(w, v, (v->flags & SEAL_F_COMPACT) ? ind : ci, false);
	}
	w->inl_ok = false;
	w->after_coll = true;
}

/* Item *i's value; a trailing comment after a block scalar goes on its
 * header line ("key: | # note"), and is then skipped. */
static void
write_item_value(struct wr *w, const struct seal__node *c, size_t *i,
    int ind, bool in_seq)
{
	const struct seal__node *next = *i + 1 < c->nitems ?
	    c->items[*i + 1].val : NULL;

	if (next == NULL || next->kind != SEAL_N_COMMENT ||
	    !(next->flags & SEAL_F_INLINE))
		next = NULL;
	w->hdr = next;
	w->hdr_used = NULL;
	write_value(w, c->items[*i].val, ind, in_seq);
	if (next != NULL && w->hdr_used == next)
		(*i)++;
	w->hdr = NULL;
}

static void
write_map(struct wr *w, const struct seal__node *m, int ind, bool inline_first)
{
	size_t i;

	for (i = 0; i < m->nitems && w->rc == SEAL_OK; i++) {
		const struct seal__item *it = &m->items[i];
		const struct seal__node *v = it->val;
		bool pos = inline_first && i == 0;

		if (v != NULL && v->kind == SEAL_N_COMMENT) {
			write_comment(w, v, ind, pos);
			continue;
		}
		if (!pos)
			newline(w, ind, v != NULL && (v->flags & SEAL_F_BLANK));
		w->inl_ok = true;
		seal__yaml_write_key(w, it, false);
		write_item_value(w, m, &i, ind, false);
	}
	w->inl_ok = false;
}

static void
write_seq(struct wr *w, const struct seal__node *s, int ind, bool inline_first)
{
	size_t i, last = 0;
	int tail = 2;

	/* an indentless sequence's trailing comments go deeper than its
	 * dashes, or they would read back as the parent's; and not as
	 * deep as a block collection in its last item, or they would read
	 * back as that one's */
	for (i = 0; i < s->nitems; i++)
		if (s->items[i].val == NULL ||
		    s->items[i].val->kind != SEAL_N_COMMENT)
			last = i + 1;
	if (last > 0 && s->items[last - 1].val != NULL &&
	    (s->items[last - 1].val->kind == SEAL_N_MAP ||
	    s->items[last - 1].val->kind == SEAL_N_SEQ) &&
	    !as_flow(s->items[last - 1].val))
		tail = 1;
	for (i = 0; i < s->nitems && w->rc == SEAL_OK; i++) {
		const struct seal__node *v = s->items[i].val;
		bool pos = inline_first && i == 0;

		if (v != NULL && v->kind == SEAL_N_COMMENT) {
			int extra = 0;

			if ((s->flags & SEAL_F_COMPACT) && i >= last && last > 0)
				extra = w->after_block ? 1 : tail;
			write_comment(w, v, ind + extra, pos);
			continue;
		}
		if (!pos)
			newline(w, ind, v != NULL && (v->flags & SEAL_F_BLANK));
		w->inl_ok = true;
		putch(w, '-');
		write_item_value(w, s, &i, ind, true);
	}
	w->inl_ok = false;
}

/*
 * The reader's side of newline()'s rule: a blank line cannot follow a
 * "|+" literal (it would read back as part of the value), so the item or
 * comment written next after one loses its blank-line mark. Walks the
 * tree in the order write_doc writes it; marks are only ever removed,
 * so where this is more cautious than the writer the tree read back
 * still agrees.
 */
static void
unkeep_coll(struct seal__node *c, bool *keep)
{
	size_t i;

	for (i = 0; i < c->nitems; i++) {
		struct seal__node *v = c->items[i].val;

		if (v != NULL && v->kind == SEAL_N_COMMENT &&
		    (v->flags & SEAL_F_INLINE))
			continue;
		if (v != NULL && *keep)
			v->flags &= (uint8_t)~SEAL_F_BLANK;
		*keep = false;
		if (v == NULL || v->kind == SEAL_N_COMMENT)
			continue;
		if (v->kind == SEAL_N_SCALAR)
			*keep = seal__yaml_writes_keep(v);
		else if ((v->kind == SEAL_N_MAP || v->kind == SEAL_N_SEQ) &&
		    !as_flow(v))
			unkeep_coll(v, keep);
	}
}

void
seal__yaml_unblank_after_keep(struct seal__tree *t)
{
	size_t d, k;

	for (d = 0; d < t->ndocs; d++) {
		struct seal__doc *doc = &t->docs[d];
		bool keep = false;

		if (doc->root != NULL && !as_flow(doc->root))
			unkeep_coll(doc->root, &keep);
		if (doc->foot != NULL)
			for (k = 0; k < doc->foot->nitems; k++) {
				struct seal__node *c = doc->foot->items[k].val;

				if (c == NULL)
					continue;
				if (keep)
					c->flags &= (uint8_t)~SEAL_F_BLANK;
				keep = false;
			}
	}
}

static void
write_doc(struct wr *w, const struct seal__tree *t, size_t i)
{
	const struct seal__doc *d = &t->docs[i];
	size_t k;

	if (d->head != NULL)
		for (k = 0; k < d->head->nitems; k++)
			if (d->head->items[k].val != NULL)
				write_comment(w, d->head->items[k].val, 0,
				    false);
	/* an empty first document needs its "---" if more follow */
	if (i > 0 || d->explicit_start || d->head != NULL ||
	    (d->root == NULL && t->ndocs > 1)) {
		newline(w, 0, false);
		puts_(w, "---");
	}
	if (d->root != NULL) {
		if (as_flow(d->root)) {
			newline(w, 0, false);
			write_flow(w, d->root);
		} else {
			write_map(w, d->root, 0, false);
		}
	}
	w->after_coll = true; /* a deeper foot would read back inside */
	if (d->foot != NULL)
		for (k = 0; k < d->foot->nitems; k++)
			if (d->foot->items[k].val != NULL)
				write_comment(w, d->foot->items[k].val, 0,
				    false);
}

seal_rc
seal__yaml_emit(seal_ctx *ctx, const struct seal__tree *t,
    const struct seal__emit_opts *opts, seal_write_fn write, void *arg)
{
	struct wr w;
	size_t i;

	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.write = write;
	w.arg = arg;
	w.bi = 4;
	w.keep_cols = true;
	if (opts != NULL && opts->indent >= 2 && opts->indent <= 9) {
		w.bi = opts->indent;
		w.keep_cols = opts->indent == t->indent;
	} else if (t->indent >= 2 && t->indent <= 9)
		w.bi = t->indent;
	w.buf = seal__secalloc(WBUF_SIZE);
	if (w.buf == NULL)
		return seal__err(ctx, SEAL_ENOMEM,
		    "out of memory writing YAML");
	for (i = 0; i < t->ndocs && w.rc == SEAL_OK; i++) {
		w.nan = 0; /* anchors do not span documents */
		write_doc(&w, t, i);
	}
	free(w.an);
	if (w.open)
		putch(&w, '\n');
	flush(&w);
	seal__secfree(w.buf);
	return w.rc;
}
