/* SPDX-License-Identifier: ISC */
/*
 * yaml-build.c - how the YAML reader grows the tree: opening collections
 * under the depth limit, attaching finished values to the open map or
 * sequence (with the comments and blank lines waiting before them), and
 * adding keys with the duplicate check. No libyaml, no source text.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "stores/yaml-reader.h"

seal_rc
seal__yaml_push_frame(struct rd *r, struct seal__node *n, bool is_map,
    bool flow, unsigned col, uint32_t line)
{
	struct frame *f;

	if (r->depth >= r->lim.max_depth)
		return seal__err(r->ctx, SEAL_ELIMIT,
		    "line %u: nesting deeper than %u levels", line,
		    r->lim.max_depth);
	if (r->depth == r->capst) {
		size_t ncap = r->capst ? r->capst * 2 : 16;
		struct frame *ns = realloc(r->st, ncap * sizeof(*ns));

		if (ns == NULL)
			return seal__yaml_oom(r);
		r->st = ns;
		r->capst = ncap;
	}
	f = &r->st[r->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	f->is_map = is_map;
	f->flow = flow;
	f->col = col;
	f->born = r->evno;
	f->anchor = -1;
	f->nodes_at = r->nodes;
	return SEAL_OK;
}

/* Attach a finished value node to the innermost container. */
/*
 * "key: # c" and more comments, then the value on a later line: YAML has
 * no place for comments between a key and its scalar, so they move up
 * to stand before the key, as own-line comments.
 */
static seal_rc
comments_before_key(struct rd *r, struct frame *f)
{
	struct seal__node *m = f->node;
	struct seal__item kv = m->items[m->nitems - 1];
	size_t i, n = r->npc;

	m->nitems--;
	for (i = 0; i < n; i++)
		r->pc[i].inl = false;
	if (seal__yaml_flush_into(r, f, n) != SEAL_OK)
		return seal__yaml_oom(r);
	for (i = m->nitems - n; i < m->nitems; i++)
		m->items[i].val->flags &= (uint8_t)~SEAL_F_INLINE;
	if (seal__map_append(r->t, m, NULL, 0, NULL) != 0)
		return seal__yaml_oom(r);
	m->items[m->nitems - 1] = kv;
	return SEAL_OK;
}

seal_rc
seal__yaml_attach(struct rd *r, struct seal__node *n, uint32_t line)
{
	struct frame *f;
	size_t k;
	seal_rc rc;

	if (r->depth == 0) {
		if (n->kind != SEAL_N_MAP)
			return seal__err(r->ctx, SEAL_EFORMAT,
			    "line %u: a document must be a mapping at the top "
			    "level", line);
		r->doc->root = n;
		r->root_seen = true;
		return SEAL_OK;
	}
	f = &r->st[r->depth - 1];
	if (f->is_map) {
		struct seal__item *it;

		if (!f->have_key)
			return seal__err(r->ctx, SEAL_EFORMAT,
			    "line %u: only string keys are supported", line);
		it = &f->node->items[f->node->nitems - 1];
		it->val = n;
		f->have_key = false;
		if (f->blank_val)
			n->flags |= SEAL_F_BLANK;
		f->blank_val = false;
		/* a blank line between "k:" and its scalar has no place (the
		 * scalar is written on the key's line); left pending it would
		 * open the next key, and after a keep-chomped block scalar
		 * ("|+") it cannot be written there either */
		if (n->kind == SEAL_N_SCALAR)
			r->pending_blank = false;
		if (r->npc > 0 && n->kind == SEAL_N_SCALAR)
			return comments_before_key(r, f);
		return SEAL_OK;
	}
	k = r->npc;
	if (n->kind != SEAL_N_SCALAR) /* "- # c": the comment is the child's */
		for (k = 0; k < r->npc && (r->pc[k].seen <= f->born ||
		    (!r->pc[k].inl && !r->pc[k].after_dash)); k++)
			;
	if ((rc = seal__yaml_flush_into(r, f, k)) != SEAL_OK)
		return rc;
	/* a blank line below "- # c" belongs to the child's first item */
	if (f->flow) {
		r->dash_blank = r->pending_blank = false;
	} else if (f->node->nitems == 0 && r->npc == 0 && r->depth >= 2 &&
	    !r->st[r->depth - 2].is_map) {
		/* the first entry of a block sequence that is itself a
		 * "- " item: both go on the outer dash's line ("- - a"), so
		 * a blank line between the inner "-" and the entry has no
		 * place (unless comments pending open n: the blank is then
		 * the entry after them) */
		r->dash_blank = r->pending_blank = false;
	} else if (r->dash_blank || (r->pending_blank && r->npc == 0)) {
		n->flags |= SEAL_F_BLANK;
		/* a scalar is written on its dash's line: a blank line
		 * between "-" and it has no place, and left pending it would
		 * open what follows (after a "|+" scalar it cannot) */
		if (!r->dash_blank || n->kind == SEAL_N_SCALAR)
			r->pending_blank = false;
		r->dash_blank = false;
	}
	/* a blank line between "-" and a collection's first entry has no
	 * place: that entry is written on the dash's line (unless a "- # c"
	 * comment takes the line) */
	if (n->kind != SEAL_N_SCALAR && r->npc == 0)
		r->pending_blank = false;
	if (seal__seq_append(r->t, f->node, n) != 0)
		return seal__yaml_oom(r);
	return SEAL_OK;
}

/*
 * Was the last key of map already there? Small maps compare with the
 * keys before; from DUP_LINEAR items on, a hash set takes over. 1 yes,
 * 0 no, -1 out of memory.
 */
static int
key_seen(struct rd *r, struct frame *f)
{
	const struct seal__node *map = f->node;
	const struct seal__item *it = &map->items[map->nitems - 1];
	size_t i;

	if (map->nitems <= DUP_LINEAR) {
		for (i = 0; i + 1 < map->nitems; i++) {
			const struct seal__item *o = &map->items[i];

			if (o->key != NULL && o->keylen == it->keylen &&
			    memcmp(o->key, it->key, it->keylen) == 0)
				return 1;
		}
		return 0;
	}
	if (!f->hashed) { /* enter the keys so far */
		for (i = 0; i + 1 < map->nitems; i++)
			if (map->items[i].key != NULL &&
			    seal__yaml_dup_add(r, map, map->items[i].key,
			    map->items[i].keylen) < 0)
				return -1;
		f->hashed = true;
	}
	return seal__yaml_dup_add(r, map, it->key, it->keylen);
}

seal_rc
seal__yaml_add_key(struct rd *r, struct frame *f, const char *k, size_t kl,
    uint8_t style, uint32_t line)
{
	struct seal__item *it;
	char q[48];
	seal_rc rc;
	int d;

	if ((rc = seal__yaml_flush_into(r, f, r->npc)) != SEAL_OK)
		return rc;
	if (seal__map_append(r->t, f->node, k, kl, NULL) != 0)
		return seal__yaml_oom(r);
	it = &f->node->items[f->node->nitems - 1];
	it->keyline = line;
	it->keystyle = style;
	d = key_seen(r, f);
	if (d < 0)
		return seal__yaml_oom(r);
	if (d > 0) {
		seal__quote(q, sizeof(q), k, kl);
		return seal__err(r->ctx, SEAL_EFORMAT,
		    "line %u: duplicate key '%s'", line, q);
	}
	f->have_key = true;
	f->blank_val = r->pending_blank && !f->flow;
	r->pending_blank = false;
	return SEAL_OK;
}

