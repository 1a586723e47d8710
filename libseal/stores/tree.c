/* SPDX-License-Identifier: ISC */
/*
 * tree.c - the document model's memory: nodes in plain slabs (they hold
 * no secret bytes, only pointers), strings in a secure bump arena of
 * sodium_malloc'd chunks that is wiped when the tree is freed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <sodium.h>

#include "stores/tree.h"

#define ARENA_CHUNK (16u * 1024u)	/* first chunk; doubles after */
#define ARENA_BIG ((size_t)2 << 20)	/* from here on, huge pages */
#define ARENA_CHUNK_MAX ((size_t)64 << 20)
#define SLAB_NODES 256u

struct arena_chunk {
	struct arena_chunk *next;
	unsigned char *mem;	/* secure memory (or plain in t->pub) */
	size_t used, cap;
	struct seal__bigmem big; /* mem is big.p when big.raw != NULL */
};

struct seal__arena {
	struct arena_chunk *head;
	size_t first;		/* the first chunk's size; 0: ARENA_CHUNK */
	bool secret;
	char *last;		/* the last reservation (pub) */
};

struct node_slab {
	struct node_slab *next;
	size_t used;
	struct seal__node nodes[SLAB_NODES];
};

void
seal__limits_fill(struct seal__limits *out, const struct seal__limits *in)
{
	memset(out, 0, sizeof(*out));
	if (in != NULL)
		*out = *in;
	if (out->max_bytes == 0)
		out->max_bytes = SEAL_LIMIT_BYTES;
	if (out->max_depth == 0)
		out->max_depth = SEAL_LIMIT_DEPTH;
	if (out->max_nodes == 0)
		out->max_nodes = SEAL_LIMIT_NODES;
	if (out->max_docs == 0)
		out->max_docs = SEAL_LIMIT_DOCS;
}

struct seal__tree *
seal__tree_new(void)
{
	struct seal__tree *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->arena = calloc(1, sizeof(*t->arena));
	t->pub = calloc(1, sizeof(*t->pub));
	if (t->arena == NULL || t->pub == NULL) {
		free(t->arena);
		free(t->pub);
		free(t);
		return NULL;
	}
	t->arena->secret = true;
	return t;
}

/*
 * Items arrays of huge maps (a 100,000-key ConfigMap) grow in their own
 * mapping on huge pages with mremap, which moves pages instead of
 * copying and faulting them in again. Smaller ones use malloc.
 */
#define ITEMS_BIG ((size_t)1 << 20)

static size_t
items_bytes(size_t cap)
{
	size_t b = cap * sizeof(struct seal__item);

	return b < ITEMS_BIG ? b : (b + ITEMS_BIG - 1) & ~(ITEMS_BIG - 1);
}

static void
free_items(struct seal__node *n)
{
	if (items_bytes(n->capitems) >= ITEMS_BIG)
		munmap(n->items, items_bytes(n->capitems));
	else
		free(n->items);
}

static struct seal__item *
items_grow(struct seal__node *n, size_t ncap)
{
	size_t ob = items_bytes(n->capitems), nb;
	void *p;

	if (ncap > SIZE_MAX / 2 / sizeof(struct seal__item))
		return NULL;
	nb = items_bytes(ncap);
	if (nb < ITEMS_BIG)
		return realloc(n->items, nb);
	if (ob >= ITEMS_BIG) {
		p = mremap(n->items, ob, nb, MREMAP_MAYMOVE);
		if (p == MAP_FAILED)
			return NULL;
	} else {
		p = mmap(NULL, nb, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		if (n->nitems > 0)
			memcpy(p, n->items, n->nitems * sizeof(*n->items));
		free(n->items);
	}
#ifdef MADV_HUGEPAGE
	(void)madvise(p, nb, MADV_HUGEPAGE);
#endif
	return p;
}

void
seal__tree_size_hint(struct seal__tree *t, size_t len)
{
	/* strings take about the input's size; small inputs keep the
	 * small (cached) first chunks */
	if (len < ARENA_BIG / 2 || t->arena->head != NULL ||
	    t->pub->head != NULL)
		return;
	len = len < ARENA_CHUNK_MAX / 2 ? len : ARENA_CHUNK_MAX / 2;
	t->arena->first = len + len / 8;
	t->pub->first = len + len / 8;
}

static void
arena_free(struct seal__arena *a)
{
	struct arena_chunk *c, *cn;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = cn) {
		cn = c->next;
		if (c->big.raw != NULL)
			seal__bigmem_free(&c->big, c->used); /* wipes */
		else if (a->secret)
			seal__secfree(c->mem); /* wipes */
		else
			free(c->mem);
		free(c);
	}
	free(a);
}

void
seal__tree_free(struct seal__tree *t)
{
	struct node_slab *s;
	size_t i;

	if (t == NULL)
		return;
	/* slabs live in the plain arena */
	for (s = t->nodes; s != NULL; s = s->next)
		for (i = 0; i < s->used; i++)
			free_items(&s->nodes[i]);
	arena_free(t->arena);
	arena_free(t->pub);
	free(t->docs);
	free(t);
}

static void *
arena_alloc(struct seal__arena *a, size_t len)
{
	struct arena_chunk *c = a->head;
	size_t cap;

	/* the plain arena also holds node slabs: keep it aligned */
	if (!a->secret && c != NULL)
		c->used = c->used + 15 < c->cap ? (c->used + 15) & ~(size_t)15
		                                : c->cap;
	if (c == NULL || c->cap - c->used < len) {
		/* grow geometrically: a big document makes few (locked,
		 * guarded) chunks instead of hundreds; big chunks go on
		 * huge pages (a 4 KiB page fault costs ~11 us here) */
		cap = c != NULL ? c->cap * 2
		    : a->first ? a->first : ARENA_CHUNK;
		if (cap > ARENA_CHUNK_MAX)
			cap = ARENA_CHUNK_MAX;
		if (cap < len)
			cap = len;
		c = calloc(1, sizeof(*c));
		if (c == NULL)
			return NULL;
		if (cap >= ARENA_BIG &&
		    seal__bigmem_alloc(&c->big, cap, a->secret) == 0) {
			c->mem = c->big.p;
			cap = c->big.len;
		} else if (a->secret) {
			c->mem = seal__secalloc(cap);
		} else {
			c->mem = malloc(cap);
		}
		if (c->mem == NULL) {
			free(c);
			return NULL;
		}
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	c->used += len;
	return c->mem + c->used - len;
}

char *
seal__tree_pub_reserve(struct seal__tree *t, size_t cap)
{
	char *p = arena_alloc(t->pub, cap);

	t->pub->last = p;
	return p;
}

void
seal__node_set_pub(struct seal__tree *t, struct seal__node *n, char *p,
    size_t len)
{
	struct arena_chunk *c = t->pub->head;

	/* give back the unused tail of the last reservation */
	if (p == t->pub->last && c != NULL &&
	    (unsigned char *)p >= c->mem &&
	    (unsigned char *)p < c->mem + c->used)
		c->used = (size_t)((unsigned char *)p - c->mem) + len + 1;
	t->pub->last = NULL;
	if (n->text != NULL)
		sodium_memzero(n->text, n->len);
	n->text = p;
	n->len = len;
}

char *
seal__tree_strdup(struct seal__tree *t, const char *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX)
		return NULL;
	p = arena_alloc(t->arena, len + 1);
	if (p == NULL)
		return NULL;
	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

struct seal__node *
seal__node_new(struct seal__tree *t, enum seal__kind kind)
{
	struct node_slab *s = t->nodes;
	struct seal__node *n;

	if (s == NULL || s->used == SLAB_NODES) {
		s = arena_alloc(t->pub, sizeof(*s));
		if (s == NULL)
			return NULL;
		s->used = 0;
		s->next = t->nodes;
		t->nodes = s;
	}
	n = &s->nodes[s->used++];
	memset(n, 0, sizeof(*n));
	n->kind = (uint8_t)kind;
	return n;
}

struct seal__node *
seal__scalar_new(struct seal__tree *t, enum seal__type type, const char *s,
    size_t len)
{
	struct seal__node *n = seal__node_new(t, SEAL_N_SCALAR);

	if (n == NULL)
		return NULL;
	n->type = (uint8_t)type;
	n->text = seal__tree_strdup(t, s ? s : "", s ? len : 0);
	if (n->text == NULL)
		return NULL;
	n->len = s ? len : 0;
	return n;
}

struct seal__node *
seal__comment_new(struct seal__tree *t, const char *s, size_t len)
{
	struct seal__node *n = seal__scalar_new(t, SEAL_T_STR, s, len);

	if (n != NULL)
		n->kind = SEAL_N_COMMENT;
	return n;
}

int
seal__node_set_text(struct seal__tree *t, struct seal__node *n, const char *s,
    size_t len)
{
	char *p = seal__tree_strdup(t, s, len);

	if (p == NULL)
		return -1;
	if (n->text != NULL)
		sodium_memzero(n->text, n->len);
	n->text = p;
	n->len = len;
	return 0;
}

static int
items_push(struct seal__node *n, struct seal__item *it)
{
	struct seal__item *ni;
	size_t ncap;

	if (n->nitems == n->capitems) {
		ncap = n->capitems ? n->capitems * 2 : 8;
		ni = items_grow(n, ncap);
		if (ni == NULL)
			return -1;
		n->items = ni;
		n->capitems = ncap;
	}
	n->items[n->nitems++] = *it;
	return 0;
}

int
seal__map_append(struct seal__tree *t, struct seal__node *map, const char *key,
    size_t keylen, struct seal__node *val)
{
	struct seal__item it = { 0 };

	if (map->kind != SEAL_N_MAP)
		return -1;
	if (key != NULL) {
		it.key = seal__tree_strdup(t, key, keylen);
		if (it.key == NULL)
			return -1;
		it.keylen = keylen;
	}
	it.val = val;
	return items_push(map, &it);
}

int
seal__seq_append(struct seal__tree *t, struct seal__node *seq,
    struct seal__node *val)
{
	struct seal__item it = { 0 };

	(void)t;
	if (seq->kind != SEAL_N_SEQ)
		return -1;
	it.val = val;
	return items_push(seq, &it);
}

void
seal__items_remove(struct seal__node *n, size_t i)
{
	if (i >= n->nitems)
		return;
	memmove(&n->items[i], &n->items[i + 1],
	    (n->nitems - i - 1) * sizeof(n->items[0]));
	n->nitems--;
}

size_t
seal__map_find(const struct seal__node *map, const char *key)
{
	return seal__map_find_n(map, key, strlen(key));
}

size_t
seal__map_find_n(const struct seal__node *map, const char *key, size_t klen)
{
	size_t i;

	if (map == NULL || map->kind != SEAL_N_MAP)
		return (size_t)-1;
	for (i = 0; i < map->nitems; i++) {
		const struct seal__item *it = &map->items[i];
		if (it->key != NULL && it->keylen == klen &&
		    memcmp(it->key, key, klen) == 0)
			return i;
	}
	return (size_t)-1;
}

struct seal__node *
seal__map_get(const struct seal__node *map, const char *key)
{
	size_t i = seal__map_find(map, key);

	return i == (size_t)-1 ? NULL : map->items[i].val;
}

struct seal__doc *
seal__tree_add_doc(struct seal__tree *t)
{
	struct seal__doc *nd;
	size_t ncap;

	if (t->ndocs == t->capdocs) {
		ncap = t->capdocs ? t->capdocs * 2 : 4;
		nd = realloc(t->docs, ncap * sizeof(*nd));
		if (nd == NULL)
			return NULL;
		t->docs = nd;
		t->capdocs = ncap;
	}
	nd = &t->docs[t->ndocs++];
	memset(nd, 0, sizeof(*nd));
	return nd;
}

struct seal__node *
seal__node_clone(struct seal__tree *t, const struct seal__node *n)
{
	struct seal__node *c;
	size_t i;

	if (n == NULL)
		return NULL;
	c = seal__node_new(t, (enum seal__kind)n->kind);
	if (c == NULL)
		return NULL;
	c->type = n->type;
	c->style = n->style;
	c->flags = n->flags;
	c->line = n->line;
	c->tag = n->tag ? seal__tree_strdup(t, n->tag, strlen(n->tag)) : NULL;
	c->anchor = n->anchor ?
	    seal__tree_strdup(t, n->anchor, strlen(n->anchor)) : NULL;
	if ((n->tag != NULL && c->tag == NULL) ||
	    (n->anchor != NULL && c->anchor == NULL))
		return NULL;
	if (n->text != NULL) {
		c->text = seal__tree_strdup(t, n->text, n->len);
		if (c->text == NULL)
			return NULL;
		c->len = n->len;
	}
	for (i = 0; i < n->nitems; i++) {
		const struct seal__item *it = &n->items[i];
		struct seal__node *v = seal__node_clone(t, it->val);
		int rc;

		if (it->val != NULL && v == NULL)
			return NULL;
		if (n->kind == SEAL_N_MAP)
			rc = seal__map_append(t, c, it->key, it->keylen, v);
		else
			rc = seal__seq_append(t, c, v);
		if (rc != 0)
			return NULL;
		c->items[c->nitems - 1].keyline = it->keyline;
		c->items[c->nitems - 1].keystyle = it->keystyle;
	}
	return c;
}
