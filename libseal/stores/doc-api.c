/* SPDX-License-Identifier: ISC */
/*
 * stores/doc-api.c - the public face of the YAML store (seal/doc.h): the
 * tree of stores/tree.h under opaque names, read and edited through
 * accessors.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "stores/tree.h"

#define TREE(d)	 ((struct seal__tree *)(void *)(d))
#define CTREE(d) ((const struct seal__tree *)(const void *)(d))
#define NODE(n)	 ((struct seal__node *)(void *)(n))
#define CNODE(n) ((const struct seal__node *)(const void *)(n))
#define PUB(n)	 ((seal_node *)(void *)(n))

seal_rc
seal_doc_parse_yaml(seal_ctx *ctx, const void *buf, size_t len,
    seal_doc **out)
{
	struct seal__tree *t = NULL;
	seal_rc rc;

	if (out == NULL)
		return seal__err(ctx, SEAL_EINVAL, "no place for the document");
	*out = NULL;
	if (buf == NULL && len > 0)
		return seal__err(ctx, SEAL_EINVAL, "no input");
	rc = seal__yaml_parse(ctx, buf ? buf : "", len, NULL, &t);
	if (rc == SEAL_OK)
		*out = (seal_doc *)(void *)t;
	return rc;
}

void
seal_doc_free(seal_doc *d)
{
	seal__tree_free(TREE(d));
}

seal_rc
seal_doc_write_yaml(seal_ctx *ctx, const seal_doc *d, seal_write_fn write,
    void *arg)
{
	if (d == NULL || write == NULL)
		return seal__err(ctx, SEAL_EINVAL, "no document or no writer");
	return seal__yaml_emit(ctx, CTREE(d), NULL, write, arg);
}

size_t
seal_doc_count(const seal_doc *d)
{
	return d ? CTREE(d)->ndocs : 0;
}

seal_node *
seal_doc_root(const seal_doc *d, size_t i)
{
	return d && i < CTREE(d)->ndocs ? PUB(CTREE(d)->docs[i].root) : NULL;
}

seal_node *
seal_doc_top_map(seal_doc *d)
{
	struct seal__tree *t = TREE(d);
	struct seal__doc *doc;
	struct seal__node *m;
	size_t i;

	if (t == NULL)
		return NULL;
	if (t->ndocs == 0 && seal__tree_add_doc(t) == NULL)
		return NULL;
	doc = &t->docs[0];
	if (doc->root != NULL)
		return PUB(doc->root);
	if ((m = seal__node_new(t, SEAL_N_MAP)) == NULL)
		return NULL;
	/* a file of comments only: they stay on top, as the map's first
	 * items */
	for (i = 0; doc->foot != NULL && i < doc->foot->nitems; i++)
		if (doc->foot->items[i].val != NULL &&
		    seal__map_append(t, m, NULL, 0, doc->foot->items[i].val) != 0)
			return NULL;
	doc->root = m;
	doc->foot = NULL;
	return PUB(m);
}

enum seal_node_kind
seal_node_kind(const seal_node *n)
{
	return (enum seal_node_kind)CNODE(n)->kind;
}

unsigned
seal_node_line(const seal_node *n)
{
	return n ? (unsigned)CNODE(n)->line : 0;
}

const char *
seal_node_text(const seal_node *n)
{
	if (n == NULL || (CNODE(n)->kind != SEAL_N_SCALAR &&
	    CNODE(n)->kind != SEAL_N_COMMENT))
		return NULL;
	return CNODE(n)->text ? CNODE(n)->text : "";
}

bool
seal_node_is_null(const seal_node *n)
{
	return n != NULL && CNODE(n)->kind == SEAL_N_SCALAR &&
	    CNODE(n)->type == SEAL_T_NULL;
}

const char *
seal_node_anchor(const seal_node *n)
{
	return n ? CNODE(n)->anchor : NULL;
}

bool
seal_node_is_alias(const seal_node *n)
{
	return n != NULL && (CNODE(n)->flags & SEAL_F_ALIAS) &&
	    CNODE(n)->anchor != NULL;
}

size_t
seal_node_size(const seal_node *n)
{
	if (n == NULL || (CNODE(n)->kind != SEAL_N_MAP &&
	    CNODE(n)->kind != SEAL_N_SEQ))
		return 0;
	return CNODE(n)->nitems;
}

seal_node *
seal_node_at(const seal_node *n, size_t i)
{
	return i < seal_node_size(n) ? PUB(CNODE(n)->items[i].val) : NULL;
}

const char *
seal_node_key_at(const seal_node *n, size_t i)
{
	if (i >= seal_node_size(n) || CNODE(n)->kind != SEAL_N_MAP)
		return NULL;
	return CNODE(n)->items[i].key;
}

seal_node *
seal_map_get(const seal_node *map, const char *key)
{
	if (map == NULL || key == NULL || CNODE(map)->kind != SEAL_N_MAP)
		return NULL;
	return PUB(seal__map_get(CNODE(map), key));
}

size_t
seal_map_find(const seal_node *map, const char *key)
{
	if (map == NULL || key == NULL || CNODE(map)->kind != SEAL_N_MAP)
		return SIZE_MAX;
	return seal__map_find(CNODE(map), key);
}

seal_node *
seal_doc_new_map(seal_doc *d)
{
	return d ? PUB(seal__node_new(TREE(d), SEAL_N_MAP)) : NULL;
}

seal_node *
seal_doc_new_seq(seal_doc *d)
{
	return d ? PUB(seal__node_new(TREE(d), SEAL_N_SEQ)) : NULL;
}

seal_node *
seal_doc_new_string(seal_doc *d, const char *s)
{
	struct seal__node *n;

	if (d == NULL || s == NULL)
		return NULL;
	n = seal__scalar_new(TREE(d), SEAL_T_STR, s, strlen(s));
	if (n != NULL)
		n->style = SEAL_S_ANY; /* the writer quotes when YAML needs it */
	return PUB(n);
}

static seal_node *
anchored(seal_doc *d, const char *anchor, const char *value, bool alias)
{
	struct seal__node *n;

	if (anchor == NULL || *anchor == '\0')
		return NULL;
	n = NODE(seal_doc_new_string(d, value));
	if (n == NULL)
		return NULL;
	n->anchor = seal__tree_strdup(TREE(d), anchor, strlen(anchor));
	if (n->anchor == NULL)
		return NULL;
	if (alias)
		n->flags |= SEAL_F_ALIAS;
	return PUB(n);
}

seal_node *
seal_doc_new_anchored(seal_doc *d, const char *anchor, const char *value)
{
	return anchored(d, anchor, value, false);
}

seal_node *
seal_doc_new_alias(seal_doc *d, const char *anchor, const char *value)
{
	return anchored(d, anchor, value, true);
}

/* Move the last item of n to position at. */
static void
move_last(struct seal__node *n, size_t at)
{
	struct seal__item it;

	if (at >= n->nitems - 1)
		return;
	it = n->items[n->nitems - 1];
	memmove(&n->items[at + 1], &n->items[at],
	    (n->nitems - 1 - at) * sizeof(*n->items));
	n->items[at] = it;
}

int
seal_map_insert(seal_doc *d, seal_node *map, size_t at, const char *key,
    seal_node *value)
{
	struct seal__node *m = NODE(map);

	if (d == NULL || m == NULL || m->kind != SEAL_N_MAP || key == NULL ||
	    value == NULL)
		return -1;
	if (seal__map_append(TREE(d), m, key, strlen(key), NODE(value)) != 0)
		return -1;
	if (m->nitems == 1)
		m->flags &= (uint8_t)~SEAL_F_FLOW; /* "{}" grows as a block */
	move_last(m, at);
	return 0;
}

int
seal_seq_insert(seal_doc *d, seal_node *seq, size_t at, seal_node *value)
{
	struct seal__node *s = NODE(seq);

	if (d == NULL || s == NULL || s->kind != SEAL_N_SEQ || value == NULL)
		return -1;
	if (seal__seq_append(TREE(d), s, NODE(value)) != 0)
		return -1;
	if (s->nitems == 1)
		s->flags &= (uint8_t)~SEAL_F_FLOW; /* "[]" grows as a block */
	move_last(s, at);
	return 0;
}

void
seal_map_set(seal_node *map, size_t i, seal_node *value)
{
	struct seal__node *m = NODE(map);

	if (m != NULL && m->kind == SEAL_N_MAP && i < m->nitems &&
	    m->items[i].key != NULL && value != NULL)
		m->items[i].val = NODE(value);
}

void
seal_node_remove(seal_node *n, size_t i)
{
	if (i < seal_node_size(n))
		seal__items_remove(NODE(n), i);
}

int
seal_node_set_anchor(seal_doc *d, seal_node *n, const char *anchor)
{
	const char *a;

	if (d == NULL || n == NULL || anchor == NULL || *anchor == '\0')
		return -1;
	if ((a = seal__tree_strdup(TREE(d), anchor, strlen(anchor))) == NULL)
		return -1;
	NODE(n)->anchor = a;
	return 0;
}
