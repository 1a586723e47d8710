/* SPDX-License-Identifier: ISC */
/*
 * yaml-read.c - YAML bytes to the document tree, on libyaml's event
 * parser. Recovers the comments libyaml drops from the source text
 * between events, expands aliases under a node budget, enforces the
 * input limits and rejects what sops rejects (non-mapping documents,
 * duplicate and non-string keys). Knows nothing of crypto or output.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <yaml.h>

#include "yaml-internal.h"

struct frame {
	struct seal__node *node;
	bool is_map, flow, have_key;
	bool blank_val;		/* a blank line preceded the pending key */
	bool compact;		/* indentless sequence */
	unsigned col;		/* column of the block's items */
	unsigned long born;	/* event number that opened it */
	long anchor;		/* index in the anchor table, or -1 */
	size_t nodes_at;	/* node count when it opened */
};

struct pcomment {
	struct seal__node *c;
	unsigned col;
	unsigned long seen;
	bool inl;
	bool after_dash;	/* below a "-" of the same gap: the item's */
};

struct anchor {
	char *name;
	struct seal__node *node;
	size_t count;	/* nodes in the subtree; 0 while still open */
};

/* maps up to this many items are checked for duplicates linearly */
#define DUP_LINEAR 16

struct dupent {
	const struct seal__node *map;
	const char *key;
	size_t keylen;
};

struct rd {
	seal_ctx *ctx;
	struct seal__tree *t;
	struct seal__limits lim;
	const char *buf;
	size_t len;
	/* mark.index (characters) to byte offset */
	size_t cidx, boff, base;
	/* open containers */
	struct frame *st;
	size_t depth, capst;
	/* comments seen, not yet placed */
	struct pcomment *pc;
	size_t npc, cappc;
	bool pending_blank;
	bool dash_blank;	/* a blank line came right before a "- " */
	bool dash_before;	/* the last event ended on an item's "-" */
	unsigned long evno;
	size_t nodes;
	struct seal__doc *doc;
	size_t prev_end;	/* byte offset of the previous event's end */
	uint32_t prev_line;	/* its line */
	int prev_content;	/* 1: scalar/alias/end, 2: container start */
	bool root_seen;
	/* anchors of the current document, open addressing */
	struct anchor *an;
	size_t nan, capan;
	/* (map, key) set for duplicate detection */
	struct dupent *dup;
	size_t ndup, capdup;
	int detect_indent;
	bool ascii;		/* no byte >= 0x80: offsets are indexes */
};

/* -- helpers ------------------------------------------------------------ */

static size_t
to_byte(struct rd *r, size_t idx)
{
	const unsigned char *b = (const unsigned char *)r->buf;

	if (r->ascii)
		return idx + r->base < r->len ? idx + r->base : r->len;
	while (r->cidx < idx && r->boff < r->len) {
		r->boff++;
		while (r->boff < r->len && (b[r->boff] & 0xC0) == 0x80)
			r->boff++;
		r->cidx++;
	}
	while (r->cidx > idx && r->boff > r->base) {
		r->boff--;
		while (r->boff > r->base && (b[r->boff] & 0xC0) == 0x80)
			r->boff--;
		r->cidx--;
	}
	return r->boff;
}

static uint32_t
line_of(const yaml_mark_t *m)
{
	return (uint32_t)(m->line + 1);
}

static seal_rc
oom(struct rd *r)
{
	return seal__err(r->ctx, SEAL_ENOMEM, "out of memory parsing YAML");
}

static seal_rc
count_node(struct rd *r, size_t n, uint32_t line)
{
	if (n > r->lim.max_nodes || r->nodes > r->lim.max_nodes - n)
		return seal__err(r->ctx, SEAL_ELIMIT,
		    "line %u: more than %zu nodes (after alias expansion)",
		    line, r->lim.max_nodes);
	r->nodes += n;
	return SEAL_OK;
}

static uint64_t
hash_bytes(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* -- anchors ------------------------------------------------------------ */

static void
anchors_clear(struct rd *r)
{
	size_t i;

	for (i = 0; i < r->capan; i++)
		free(r->an[i].name);
	free(r->an);
	r->an = NULL;
	r->nan = r->capan = 0;
}

static long
anchor_slot(struct rd *r, const char *name)
{
	size_t m = r->capan - 1, i;

	i = (size_t)hash_bytes(name, strlen(name), 14695981039346656037ull) & m;
	while (r->an[i].name != NULL && strcmp(r->an[i].name, name) != 0)
		i = (i + 1) & m;
	return (long)i;
}

static long
anchor_find(struct rd *r, const char *name)
{
	long i;

	if (r->capan == 0)
		return -1;
	i = anchor_slot(r, name);
	return r->an[i].name != NULL ? i : -1;
}

static int
anchor_grow(struct rd *r)
{
	struct anchor *old = r->an;
	size_t oldcap = r->capan, i;

	r->capan = oldcap ? oldcap * 2 : 64;
	r->an = calloc(r->capan, sizeof(*r->an));
	if (r->an == NULL) {
		r->an = old;
		r->capan = oldcap;
		return -1;
	}
	for (i = 0; i < oldcap; i++)
		if (old[i].name != NULL)
			r->an[anchor_slot(r, old[i].name)] = old[i];
	free(old);
	return 0;
}

/* Define (or redefine) an anchor; returns its slot or -1. */
static long
anchor_set(struct rd *r, const char *name, struct seal__node *n,
    size_t count)
{
	long i;

	if ((r->nan + 1) * 2 > r->capan && anchor_grow(r) != 0)
		return -1;
	i = anchor_slot(r, name);
	if (r->an[i].name == NULL) {
		r->an[i].name = strdup(name);
		if (r->an[i].name == NULL)
			return -1;
		r->nan++;
	}
	r->an[i].node = n;
	r->an[i].count = count;
	return i;
}

/* -- duplicate keys ----------------------------------------------------- */

static size_t
dup_slot(struct rd *r, const struct seal__node *map, const char *k,
    size_t kl)
{
	size_t m = r->capdup - 1, i;
	uint64_t h = hash_bytes(&map, sizeof(map), 14695981039346656037ull);

	i = (size_t)hash_bytes(k, kl, h) & m;
	while (r->dup[i].map != NULL && !(r->dup[i].map == map &&
	    r->dup[i].keylen == kl && memcmp(r->dup[i].key, k, kl) == 0))
		i = (i + 1) & m;
	return i;
}

/* 1 if (map, key) was already there, 0 if added, -1 on out-of-memory */
static int
dup_add(struct rd *r, const struct seal__node *map, const char *k, size_t kl)
{
	size_t i;

	if ((r->ndup + 1) * 2 > r->capdup) {
		struct dupent *old = r->dup;
		size_t oldcap = r->capdup;

		r->capdup = oldcap ? oldcap * 2 : 256;
		r->dup = calloc(r->capdup, sizeof(*r->dup));
		if (r->dup == NULL) {
			r->dup = old;
			r->capdup = oldcap;
			return -1;
		}
		for (i = 0; i < oldcap; i++)
			if (old[i].map != NULL)
				r->dup[dup_slot(r, old[i].map, old[i].key,
				    old[i].keylen)] = old[i];
		free(old);
	}
	i = dup_slot(r, map, k, kl);
	if (r->dup[i].map != NULL)
		return 1;
	r->dup[i].map = map;
	r->dup[i].key = k;
	r->dup[i].keylen = kl;
	r->ndup++;
	return 0;
}

/* -- comments ----------------------------------------------------------- */

static int
pc_push(struct rd *r, struct seal__node *c, unsigned col, bool inl,
    bool after_dash)
{
	if (r->npc == r->cappc) {
		size_t ncap = r->cappc ? r->cappc * 2 : 16;
		struct pcomment *n = realloc(r->pc, ncap * sizeof(*n));

		if (n == NULL)
			return -1;
		r->pc = n;
		r->cappc = ncap;
	}
	r->pc[r->npc].c = c;
	r->pc[r->npc].col = col;
	r->pc[r->npc].seen = r->evno;
	r->pc[r->npc].inl = inl;
	r->pc[r->npc].after_dash = after_dash;
	r->npc++;
	return 0;
}

static int
add_item(struct rd *r, struct seal__node *cont, struct seal__node *v)
{
	if (cont->kind == SEAL_N_MAP)
		return seal__map_append(r->t, cont, NULL, 0, v);
	return seal__seq_append(r->t, cont, v);
}

/* Place the first n pending comments into frame f's container. */
static seal_rc
flush_into(struct rd *r, struct frame *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct pcomment *p = &r->pc[i];

		if (p->inl && f->born >= p->seen && f->node->nitems == 0)
			p->c->flags |= SEAL_F_INLINE;
		if (add_item(r, f->node, p->c) != 0)
			return oom(r);
	}
	memmove(r->pc, r->pc + n, (r->npc - n) * sizeof(*r->pc));
	r->npc -= n;
	return SEAL_OK;
}

/* All pending comments into a document's head or foot list. */
static seal_rc
flush_seq(struct rd *r, struct seal__node **list)
{
	size_t i;

	if (r->npc == 0)
		return SEAL_OK;
	if (*list == NULL) {
		*list = seal__node_new(r->t, SEAL_N_SEQ);
		if (*list == NULL)
			return oom(r);
	}
	for (i = 0; i < r->npc; i++) {
		r->pc[i].c->flags &= (uint8_t)~SEAL_F_INLINE;
		if (seal__seq_append(r->t, *list, r->pc[i].c) != 0)
			return oom(r);
	}
	r->npc = 0;
	return SEAL_OK;
}

static seal_rc
flush_foot(struct rd *r)
{
	if (r->npc == 0 || r->doc == NULL)
		return SEAL_OK;
	return flush_seq(r, &r->doc->foot);
}

/*
 * Find the comments in buf[a, b), the text between two events. A '#' at
 * the start of a line or after a blank starts a comment (libyaml has
 * consumed every scalar, so a '#' here is never inside one).
 */
static seal_rc
scan_gap(struct rd *r, size_t a, size_t b, uint32_t line)
{
	const char *s = r->buf;
	size_t i = a, ls;
	bool nl = false, blank = false, linestart, dash = false, at_bol;
	bool any_dash = r->dash_before;
	seal_rc rc;

	if (b > r->len)
		b = r->len;
	if (a >= b)
		return SEAL_OK;
	linestart = (a == r->base || s[a - 1] == '\n');
	at_bol = linestart; /* e.g. after a block scalar: not a trailer */
	ls = linestart ? a : (size_t)-1;
	while (i < b) {
		char c = s[i];

		if (c == '\n') {
			if (linestart && ls != (size_t)-1)
				blank = true; /* a whole empty line */
			nl = true;
			linestart = true;
			dash = false;
			ls = i + 1;
			line++;
			i++;
			continue;
		}
		if (c == '#' && (i == r->base || s[i - 1] == ' ' ||
		    s[i - 1] == '\t' || s[i - 1] == '\n' || s[i - 1] == '\r')) {
			size_t e = i + 1, tl;
			struct seal__node *cn;
			/* trailing: on the previous event's line, or on a
			 * "- " line right after the dash */
			bool inl = (!nl && !at_bol && r->prev_content != 0) ||
			    dash;

			while (e < r->len && s[e] != '\n' && s[e] != '\r' &&
			    !((unsigned char)s[e] == 0xC2 && e + 1 < r->len &&
			    (unsigned char)s[e + 1] == 0x85) &&
			    !((unsigned char)s[e] == 0xE2 && e + 2 < r->len &&
			    (unsigned char)s[e + 1] == 0x80 &&
			    ((unsigned char)s[e + 2] & 0xFE) == 0xA8))
				e++; /* a comment ends at any YAML 1.1 break */
			tl = e - (i + 1);
			cn = seal__comment_new(r->t, s + i + 1, tl);
			if (cn == NULL)
				return oom(r);
			if ((rc = count_node(r, 1, line)) != SEAL_OK)
				return rc;
			cn->line = line;
			if (ls != (size_t)-1 && i - ls < UINT16_MAX)
				cn->col = (uint16_t)(i - ls);
			if ((blank || r->pending_blank) && !inl)
				cn->flags |= SEAL_F_BLANK;
			blank = false;
			r->pending_blank = false;
			if (inl && !dash && r->depth > 0 &&
			    !r->st[r->depth - 1].have_key &&
			    r->prev_content == 1) {
				struct frame *f = &r->st[r->depth - 1];

				cn->flags |= SEAL_F_INLINE;
				if (add_item(r, f->node, cn) != 0)
					return oom(r);
			} else if (pc_push(r, cn, ls != (size_t)-1 ?
			    (unsigned)(i - ls) : 0, inl, any_dash) != 0)
				return oom(r);
			i = e;
			linestart = false;
			continue;
		}
		if (c == '-' && (i + 1 >= b || s[i + 1] == ' ' ||
		    s[i + 1] == '\t' || s[i + 1] == '\n')) {
			dash = any_dash = true; /* a block entry */
			if (blank || r->pending_blank)
				r->dash_blank = true;
			blank = false;
			r->pending_blank = false;
		}
		if (c != ' ' && c != '\t' && c != '\r')
			linestart = false;
		i++;
	}
	if (blank)
		r->pending_blank = true;
	return SEAL_OK;
}

/* -- building ----------------------------------------------------------- */

static seal_rc
push_frame(struct rd *r, struct seal__node *n, bool is_map, bool flow,
    unsigned col, uint32_t line)
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
			return oom(r);
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
static seal_rc
attach(struct rd *r, struct seal__node *n, uint32_t line)
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
		if (r->npc > 0 && r->pc[0].inl && n->kind == SEAL_N_SCALAR) {
			/* "key: # c" then the value on the next line */
			r->pc[0].c->flags |= SEAL_F_INLINE;
			r->pc[0].inl = false;
			if ((rc = flush_into(r, f, 1)) != SEAL_OK)
				return rc;
		}
		return SEAL_OK;
	}
	k = r->npc;
	if (n->kind != SEAL_N_SCALAR) /* "- # c": the comment is the child's */
		for (k = 0; k < r->npc && (r->pc[k].seen <= f->born ||
		    (!r->pc[k].inl && !r->pc[k].after_dash)); k++)
			;
	if ((rc = flush_into(r, f, k)) != SEAL_OK)
		return rc;
	/* a blank line below "- # c" belongs to the child's first item */
	if (r->dash_blank || (r->pending_blank && r->npc == 0)) {
		n->flags |= SEAL_F_BLANK;
		if (!r->dash_blank)
			r->pending_blank = false;
		r->dash_blank = false;
	}
	if (seal__seq_append(r->t, f->node, n) != 0)
		return oom(r);
	return SEAL_OK;
}

static seal_rc
add_key(struct rd *r, struct frame *f, const char *k, size_t kl,
    uint8_t style, uint32_t line)
{
	struct seal__item *it;
	char q[48];
	seal_rc rc;
	int d;

	if ((rc = flush_into(r, f, r->npc)) != SEAL_OK)
		return rc;
	if (seal__map_append(r->t, f->node, k, kl, NULL) != 0)
		return oom(r);
	it = &f->node->items[f->node->nitems - 1];
	it->keyline = line;
	it->keystyle = style;
	d = 0;
	if (f->node->nitems <= DUP_LINEAR) {
		/* small maps: compare with the keys before */
		size_t i;

		for (i = 0; i + 1 < f->node->nitems && d == 0; i++) {
			const struct seal__item *o = &f->node->items[i];

			d = o->key != NULL && o->keylen == kl &&
			    memcmp(o->key, k, kl) == 0;
		}
	} else {
		if (f->node->nitems == DUP_LINEAR + 1) {
			/* switch to the hash: enter the keys so far */
			size_t i;

			for (i = 0; i + 1 < f->node->nitems; i++) {
				const struct seal__item *o =
				    &f->node->items[i];

				if (o->key != NULL && dup_add(r, f->node,
				    o->key, o->keylen) < 0)
					return oom(r);
			}
		}
		d = dup_add(r, f->node, it->key, kl);
		if (d < 0)
			return oom(r);
	}
	if (d > 0) {
		seal__quote(q, sizeof(q), k, kl);
		return seal__err(r->ctx, SEAL_EFORMAT,
		    "line %u: duplicate key '%s'", line, q);
	}
	f->have_key = true;
	f->blank_val = r->pending_blank;
	r->pending_blank = false;
	return SEAL_OK;
}

static const char *
short_tag(struct rd *r, const char *tag)
{
	static const char pre[] = "tag:yaml.org,2002:";
	char buf[256];

	if (tag == NULL)
		return NULL;
	if (strncmp(tag, pre, sizeof(pre) - 1) == 0) {
		snprintf(buf, sizeof(buf), "!!%s", tag + sizeof(pre) - 1);
		return seal__tree_strdup(r->t, buf, strlen(buf));
	}
	return seal__tree_strdup(r->t, tag, strlen(tag));
}

static uint8_t
map_style(yaml_scalar_style_t s)
{
	switch (s) {
	case YAML_PLAIN_SCALAR_STYLE:
		return SEAL_S_PLAIN;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		return SEAL_S_SINGLE;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		return SEAL_S_DOUBLE;
	case YAML_LITERAL_SCALAR_STYLE:
		return SEAL_S_LITERAL;
	case YAML_FOLDED_SCALAR_STYLE:
		return SEAL_S_FOLDED;
	default:
		return SEAL_S_ANY;
	}
}

static seal_rc
scalar_type(struct rd *r, const yaml_event_t *ev, const char *tag,
    uint32_t line, uint8_t *type)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	enum seal__yaml_res res;

	*type = SEAL_T_STR;
	if (tag != NULL) {
		if (strcmp(tag, "!!int") == 0)
			*type = SEAL_T_INT;
		else if (strcmp(tag, "!!float") == 0)
			*type = SEAL_T_FLOAT;
		else if (strcmp(tag, "!!bool") == 0)
			*type = SEAL_T_BOOL;
		else if (strcmp(tag, "!!null") == 0)
			*type = SEAL_T_NULL;
		else if (strcmp(tag, "!!timestamp") == 0)
			*type = SEAL_T_TIME;
		if (*type == SEAL_T_INT &&
		    seal__yaml_resolve(v, n) != SEAL_YR_INT)
			return seal__err(r->ctx, SEAL_EFORMAT,
			    "line %u: value tagged !!int is not a 64-bit "
			    "integer", line);
		return SEAL_OK;
	}
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return SEAL_OK;
	res = seal__yaml_resolve(v, n);
	if (res == SEAL_YR_BIGINT)
		return seal__err(r->ctx, SEAL_EFORMAT,
		    "line %u: integer does not fit in 64 bits (quote it to "
		    "keep it as a string)", line);
	*type = (uint8_t)seal__yaml_res_type(res);
	return SEAL_OK;
}

/*
 * A block scalar swallows the blank lines after it; unless they are its
 * content (keep chomping), they separate it from the next item.
 */
static bool
block_ends_blank(struct rd *r, const yaml_event_t *ev, const char *v,
    size_t n)
{
	size_t e = to_byte(r, ev->end_mark.index);
	int nls = 0;

	if (n >= 2 && v[n - 1] == '\n' && v[n - 2] == '\n')
		return false;
	if (n == 1 && v[0] == '\n')
		return false;
	while (e > r->base && nls < 2) {
		char c = r->buf[e - 1];

		if (c == '\n')
			nls++;
		else if (c != ' ' && c != '\t' && c != '\r')
			break;
		e--;
	}
	return nls >= 2;
}

static seal_rc
on_scalar(struct rd *r, yaml_event_t *ev)
{
	uint32_t line = line_of(&ev->start_mark);
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = short_tag(r, (const char *)ev->data.scalar.tag);
	struct seal__node *node;
	struct frame *f;
	uint8_t type;
	bool bl;
	seal_rc rc;

	if (ev->data.scalar.tag != NULL && tag == NULL)
		return oom(r);
	if ((rc = scalar_type(r, ev, tag, line, &type)) != SEAL_OK)
		return rc;
	f = r->depth > 0 ? &r->st[r->depth - 1] : NULL;
	if (f != NULL && f->is_map && !f->have_key) {
		/* a key */
		if (type != SEAL_T_STR && type != SEAL_T_TIME)
			return seal__err(r->ctx, SEAL_EFORMAT,
			    "line %u: only string keys are supported", line);
		if ((rc = add_key(r, f, v, n, map_style(ev->data.scalar.style),
		    line)) != SEAL_OK)
			return rc;
		if (ev->data.scalar.anchor != NULL) {
			node = seal__scalar_new(r->t, SEAL_T_STR, v, n);
			if (node == NULL)
				return oom(r);
			if (anchor_set(r, (const char *)ev->data.scalar.anchor,
			    node, 1) < 0)
				return oom(r);
		}
		return SEAL_OK;
	}
	if (f == NULL && n == 0 && ev->data.scalar.style ==
	    YAML_PLAIN_SCALAR_STYLE && tag == NULL) {
		r->root_seen = true; /* empty document */
		return SEAL_OK;
	}
	if ((rc = count_node(r, 1, line)) != SEAL_OK)
		return rc;
	node = seal__scalar_new(r->t, (enum seal__type)type, v, n);
	if (node == NULL)
		return oom(r);
	node->style = map_style(ev->data.scalar.style);
	node->tag = tag;
	node->line = line;
	bl = (node->style == SEAL_S_LITERAL || node->style == SEAL_S_FOLDED) &&
	    block_ends_blank(r, ev, v, n);
	if (ev->data.scalar.anchor != NULL &&
	    anchor_set(r, (const char *)ev->data.scalar.anchor, node, 1) < 0)
		return oom(r);
	rc = attach(r, node, line);
	if (bl)
		r->pending_blank = true;
	return rc;
}

static seal_rc
on_alias(struct rd *r, yaml_event_t *ev)
{
	uint32_t line = line_of(&ev->start_mark);
	long i = anchor_find(r, (const char *)ev->data.alias.anchor);
	struct frame *f = r->depth > 0 ? &r->st[r->depth - 1] : NULL;
	struct seal__node *n;
	char q[48];
	seal_rc rc;

	if (i < 0) {
		seal__quote(q, sizeof(q), (const char *)ev->data.alias.anchor,
		    strlen((const char *)ev->data.alias.anchor));
		return seal__err(r->ctx, SEAL_EFORMAT,
		    "line %u: unknown anchor '%s'", line, q);
	}
	if (r->an[i].count == 0)
		return seal__err(r->ctx, SEAL_EFORMAT,
		    "line %u: alias refers to a node that contains it", line);
	n = r->an[i].node;
	if (f != NULL && f->is_map && !f->have_key) {
		if (n->kind != SEAL_N_SCALAR || (n->type != SEAL_T_STR &&
		    n->type != SEAL_T_TIME))
			return seal__err(r->ctx, SEAL_EFORMAT,
			    "line %u: only string keys are supported", line);
		return add_key(r, f, n->text, n->len, SEAL_S_PLAIN, line);
	}
	if ((rc = count_node(r, r->an[i].count, line)) != SEAL_OK)
		return rc;
	n = seal__node_clone(r->t, n);
	if (n == NULL)
		return oom(r);
	n->flags &= (uint8_t)~SEAL_F_BLANK;
	return attach(r, n, line);
}

static seal_rc
on_start(struct rd *r, yaml_event_t *ev, bool is_map)
{
	uint32_t line = line_of(&ev->start_mark);
	struct frame *f = r->depth > 0 ? &r->st[r->depth - 1] : NULL;
	struct seal__node *n;
	const yaml_char_t *anchor;
	size_t e = to_byte(r, ev->end_mark.index);
	unsigned col;
	bool flow;
	seal_rc rc;

	if (f != NULL && f->is_map && !f->have_key)
		return seal__err(r->ctx, SEAL_EFORMAT,
		    "line %u: only string keys are supported", line);
	if (f == NULL && !is_map)
		return seal__err(r->ctx, SEAL_EFORMAT,
		    "line %u: a document must be a mapping at the top level",
		    line);
	if ((rc = count_node(r, 1, line)) != SEAL_OK)
		return rc;
	n = seal__node_new(r->t, is_map ? SEAL_N_MAP : SEAL_N_SEQ);
	if (n == NULL)
		return oom(r);
	n->line = line;
	if (is_map) {
		flow = ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
		anchor = ev->data.mapping_start.anchor;
	} else {
		flow = ev->data.sequence_start.style ==
		    YAML_FLOW_SEQUENCE_STYLE;
		anchor = ev->data.sequence_start.anchor;
	}
	if (flow)
		n->flags |= SEAL_F_FLOW;
	col = (unsigned)ev->end_mark.column;
	if (!is_map && !flow && e > 0 && e <= r->len && r->buf[e - 1] == '-') {
		if (col > 0)
			col--; /* indentless: the event ends after the dash */
		r->dash_before = true;
	}
	if (f != NULL && !flow && !f->flow && f->is_map) {
		if (!is_map && col == f->col)
			n->flags |= SEAL_F_COMPACT;
		/* the indent step: a top-level key's nested block */
		if (r->detect_indent == 0 && r->depth == 1 && f->col == 0 &&
		    col > 0)
			r->detect_indent = (int)(col - f->col);
	}
	if ((rc = attach(r, n, line)) != SEAL_OK)
		return rc;
	if ((rc = push_frame(r, n, is_map, flow, col, line)) != SEAL_OK)
		return rc;
	r->st[r->depth - 1].compact = (n->flags & SEAL_F_COMPACT) != 0;
	if (anchor != NULL) {
		long i = anchor_set(r, (const char *)anchor, n, 0);

		if (i < 0)
			return oom(r);
		r->st[r->depth - 1].anchor = i;
	}
	return SEAL_OK;
}

/*
 * "{ # c }" holds comments but no entries; YAML can only write it as {},
 * so its comments move out to sit after it in the parent.
 */
static seal_rc
hoist_lone_comments(struct rd *r, struct seal__node *n)
{
	size_t i;

	for (i = 0; i < n->nitems; i++)
		if (n->items[i].val == NULL ||
		    n->items[i].val->kind != SEAL_N_COMMENT)
			return SEAL_OK;
	for (i = 0; i < n->nitems; i++) {
		struct seal__node *c = n->items[i].val;

		c->flags &= (uint8_t)~(SEAL_F_INLINE | SEAL_F_BLANK);
		if (pc_push(r, c, 0, false, false) != 0)
			return oom(r);
		r->pc[r->npc - 1].seen = 0;
	}
	n->nitems = 0;
	return SEAL_OK;
}

static seal_rc
on_end(struct rd *r)
{
	struct frame *f = &r->st[r->depth - 1];
	size_t n = r->npc, i;
	seal_rc rc;

	if (!f->flow) {
		if (r->depth == 1)
			n = 0; /* the document's foot */
		for (i = 0; i < n; i++)
			if (r->pc[i].col < f->col + (f->compact ? 1u : 0u))
				break; /* less indented: the parent's */
		n = i;
	}
	if ((rc = flush_into(r, f, n)) != SEAL_OK)
		return rc;
	if ((rc = hoist_lone_comments(r, f->node)) != SEAL_OK)
		return rc;
	if (f->anchor >= 0 && r->an[f->anchor].node == f->node)
		r->an[f->anchor].count = r->nodes - f->nodes_at + 1;
	r->depth--;
	return SEAL_OK;
}

static seal_rc
parse_error(struct rd *r, yaml_parser_t *p)
{
	const char *what = p->problem ? p->problem : "malformed YAML";
	size_t line = p->problem_mark.line + 1;

	if (p->error == YAML_MEMORY_ERROR)
		return oom(r);
	if (p->context != NULL)
		return seal__err(r->ctx, SEAL_EPARSE, "line %zu: %s %s", line,
		    what, p->context);
	return seal__err(r->ctx, SEAL_EPARSE, "line %zu: %s", line, what);
}

static void
wipe_parser(yaml_parser_t *p)
{
	if (p->buffer.start != NULL)
		sodium_memzero(p->buffer.start,
		    (size_t)(p->buffer.end - p->buffer.start));
	if (p->raw_buffer.start != NULL)
		sodium_memzero(p->raw_buffer.start,
		    (size_t)(p->raw_buffer.end - p->raw_buffer.start));
}

static void
wipe_event(yaml_event_t *ev)
{
	if (ev->type == YAML_SCALAR_EVENT && ev->data.scalar.value != NULL)
		sodium_memzero(ev->data.scalar.value, ev->data.scalar.length);
	yaml_event_delete(ev);
}

static seal_rc
on_event(struct rd *r, yaml_event_t *ev)
{
	size_t e, gap_end;
	seal_rc rc = SEAL_OK;
	int content;

	/* a container's start event spans its anchor and tag: comments
	 * after those belong to the gap too */
	if (ev->type == YAML_MAPPING_START_EVENT ||
	    ev->type == YAML_SEQUENCE_START_EVENT)
		gap_end = to_byte(r, ev->end_mark.index);
	else
		gap_end = to_byte(r, ev->start_mark.index);
	if (ev->type != YAML_STREAM_START_EVENT && gap_end > r->prev_end &&
	    (rc = scan_gap(r, r->prev_end, gap_end, r->prev_line)) != SEAL_OK)
		return rc;
	r->dash_before = false;
	e = to_byte(r, ev->end_mark.index);
	content = 1;
	switch (ev->type) {
	case YAML_STREAM_START_EVENT:
	case YAML_STREAM_END_EVENT:
		content = 0;
		break;
	case YAML_DOCUMENT_START_EVENT:
		if (r->t->ndocs >= r->lim.max_docs)
			return seal__err(r->ctx, SEAL_ELIMIT,
			    "line %u: more than %u documents",
			    line_of(&ev->start_mark), r->lim.max_docs);
		r->doc = seal__tree_add_doc(r->t);
		if (r->doc == NULL)
			return oom(r);
		r->doc->explicit_start = !ev->data.document_start.implicit;
		if (r->doc->explicit_start && r->npc > 0) {
			/* comments above the "---" line */
			rc = flush_seq(r, &r->doc->head);
			if (rc != SEAL_OK)
				return rc;
		}
		r->root_seen = false;
		anchors_clear(r);
		/* maps do not span documents: start the key set afresh */
		if (r->ndup > 0) {
			memset(r->dup, 0, r->capdup * sizeof(*r->dup));
			r->ndup = 0;
		}
		content = 0;
		break;
	case YAML_DOCUMENT_END_EVENT:
		rc = flush_foot(r);
		r->pending_blank = false;
		content = 0;
		break;
	case YAML_SCALAR_EVENT:
		rc = on_scalar(r, ev);
		break;
	case YAML_ALIAS_EVENT:
		rc = on_alias(r, ev);
		break;
	case YAML_MAPPING_START_EVENT:
		rc = on_start(r, ev, true);
		content = 2;
		break;
	case YAML_SEQUENCE_START_EVENT:
		rc = on_start(r, ev, false);
		content = 2;
		break;
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		rc = on_end(r);
		break;
	default:
		break;
	}
	if (e > r->prev_end) {
		r->prev_end = e;
		r->prev_line = (uint32_t)ev->end_mark.line + 1;
	}
	r->prev_content = content;
	r->evno++;
	return rc;
}

seal_rc
seal__yaml_parse(seal_ctx *ctx, const char *buf, size_t len,
    const struct seal__limits *lim, struct seal__tree **out)
{
	struct rd r;
	yaml_parser_t p;
	yaml_event_t ev;
	bool parser_ok = false, done = false;
	seal_rc rc = SEAL_OK;
	size_t i;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.buf = buf;
	r.len = len;
	r.prev_line = 1;
	seal__limits_fill(&r.lim, lim);
	if (len > r.lim.max_bytes)
		return seal__err(ctx, SEAL_ELIMIT,
		    "input is %zu bytes, over the limit of %zu", len,
		    r.lim.max_bytes);
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		r.base = r.boff = r.prev_end = 3;
	r.ascii = true;
	for (i = r.base; i < len; i++)
		if ((unsigned char)buf[i] >= 0x80) {
			r.ascii = false;
			break;
		}
	r.t = seal__tree_new();
	if (r.t == NULL)
		return oom(&r);
	if (!yaml_parser_initialize(&p)) {
		rc = oom(&r);
		goto out;
	}
	parser_ok = true;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = parse_error(&r, &p);
			goto out;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = on_event(&r, &ev);
		wipe_event(&ev);
		if (rc != SEAL_OK)
			goto out;
	}
	if (r.npc > 0) {
		if (r.doc == NULL) {
			r.doc = seal__tree_add_doc(r.t);
			if (r.doc == NULL) {
				rc = oom(&r);
				goto out;
			}
		}
		if ((rc = flush_foot(&r)) != SEAL_OK)
			goto out;
	}
	/* "&a" or "!!null" alone: an implicit empty document is no document */
	if (r.t->ndocs == 1 && !r.t->docs[0].explicit_start &&
	    r.t->docs[0].root == NULL && r.t->docs[0].foot == NULL &&
	    r.t->docs[0].head == NULL)
		r.t->ndocs = 0;
	r.t->indent = r.detect_indent >= 2 && r.detect_indent <= 9 ?
	    r.detect_indent : 0;
	*out = r.t;
	r.t = NULL;
out:
	if (parser_ok) {
		wipe_parser(&p);
		yaml_parser_delete(&p);
	}
	seal__tree_free(r.t);
	anchors_clear(&r);
	free(r.st);
	free(r.pc);
	free(r.dup);
	return rc;
}
