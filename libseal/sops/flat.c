/* SPDX-License-Identifier: ISC */
/*
 * sops/flat.c - where a document keeps its sops block: the top-level
 * "sops" key (YAML, JSON, binary envelope) or, for dotenv, flattened
 * sops_* keys (sops_age__list_0__map_enc ...) in any order, which are
 * gathered into a nested MAP here and flattened back for writing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sops/sops.h"

#define PFX    "sops_"
#define PFXLEN 5

/* Next path component of a flattened key: "__map_x" or "__list_3". */
static const char *
next_sep(const char *s, const char *end)
{
	const char *p;

	for (p = s; p + 6 <= end; p++) {
		if (p + 6 <= end && memcmp(p, "__map_", 6) == 0)
			return p;
		if (p + 7 <= end && memcmp(p, "__list_", 7) == 0)
			return p;
	}
	return end;
}

static struct seal__node *
map_child(struct seal__tree *t, struct seal__node *map, const char *k,
    size_t klen, bool want_seq, bool leaf)
{
	size_t i;
	struct seal__node *n;

	for (i = 0; i < map->nitems; i++)
		if (map->items[i].key && map->items[i].keylen == klen &&
		    memcmp(map->items[i].key, k, klen) == 0)
			return map->items[i].val;
	if (leaf)
		return NULL;
	n = seal__node_new(t, want_seq ? SEAL_N_SEQ : SEAL_N_MAP);
	if (n == NULL || seal__map_append(t, map, k, klen, n) != 0)
		return NULL;
	return n;
}

static struct seal__node *
seq_child(
    struct seal__tree *t, struct seal__node *seq, size_t idx, bool want_seq)
{
	struct seal__node *n;

	if (idx > 10000)
		return NULL;
	while (seq->nitems <= idx) {
		n = seal__scalar_new(t, SEAL_T_NULL, NULL, 0);
		if (n == NULL || seal__seq_append(t, seq, n) != 0)
			return NULL;
	}
	n = seq->items[idx].val;
	if (n->kind == SEAL_N_SCALAR && n->type == SEAL_T_NULL) {
		n = seal__node_new(t, want_seq ? SEAL_N_SEQ : SEAL_N_MAP);
		if (n == NULL)
			return NULL;
		seq->items[idx].val = n;
	}
	return n;
}

/* Place value v at the flattened path s (after "sops_") in root. */
static int
unflatten_one(struct seal__tree *t, struct seal__node *root, const char *s,
    size_t len, struct seal__node *v)
{
	const char *end = s + len, *p = s, *q;
	struct seal__node *cur = root;
	bool cur_is_seq = false;
	size_t idx = 0;

	q = next_sep(p, end);
	/* first component: a map key of root */
	for (;;) {
		bool last = q == end;
		bool child_seq = !last && memcmp(q, "__list_", 7) == 0;

		if (!cur_is_seq) {
			if (last) {
				if (map_child(t, cur, p, (size_t)(q - p), false,
				        true) != NULL)
					return -1; /* duplicate */
				return seal__map_append(
				    t, cur, p, (size_t)(q - p), v);
			}
			cur = map_child(
			    t, cur, p, (size_t)(q - p), child_seq, false);
		} else {
			if (last) {
				if (seq_child(t, cur, idx, false) == NULL)
					return -1;
				cur->items[idx].val = v;
				return 0;
			}
			cur = seq_child(t, cur, idx, child_seq);
		}
		if (cur == NULL ||
		    cur->kind != (child_seq ? SEAL_N_SEQ : SEAL_N_MAP))
			return -1;
		cur_is_seq = child_seq;
		if (child_seq) {
			char *e;
			p = q + 7;
			q = next_sep(p, end);
			if (p == q)
				return -1;
			idx = strtoul(p, &e, 10);
			if (e != q)
				return -1;
			/* a list index is followed by a map or list step */
			if (q == end)
				return -1;
			if (memcmp(q, "__map_", 6) == 0) {
				struct seal__node *m;
				p = q + 6;
				q = next_sep(p, end);
				m = seq_child(t, cur, idx, false);
				if (m == NULL || m->kind != SEAL_N_MAP)
					return -1;
				cur = m;
				cur_is_seq = false;
			} else {
				/* nested list directly in a list: rare */
				return -1;
			}
		} else {
			p = q + 6;
			q = next_sep(p, end);
		}
	}
}

struct seal__node *
seal__sops_block(
    struct seal__tree *t, size_t doc, enum seal__format fmt, bool remove)
{
	struct seal__node *root, *sops = NULL;
	size_t i;

	if (doc >= t->ndocs || (root = t->docs[doc].root) == NULL ||
	    root->kind != SEAL_N_MAP)
		return NULL;
	if (fmt != SEAL_FMT_DOTENV && fmt != SEAL_FMT_INI) {
		i = seal__map_find(root, "sops");
		if (i == (size_t)-1)
			return NULL;
		sops = root->items[i].val;
		if (remove)
			seal__items_remove(root, i);
		return sops;
	}
	for (i = 0; i < root->nitems;) {
		struct seal__item *it = &root->items[i];

		if (it->key == NULL || it->keylen <= PFXLEN ||
		    memcmp(it->key, PFX, PFXLEN) != 0) {
			i++;
			continue;
		}
		if (sops == NULL) {
			sops = seal__node_new(t, SEAL_N_MAP);
			if (sops == NULL)
				return NULL;
			sops->line = it->keyline;
		}
		if (unflatten_one(t, sops, it->key + PFXLEN,
		        it->keylen - PFXLEN, it->val) != 0) {
			/* keep a marker the metadata reader rejects */
			struct seal__node *bad =
			    seal__scalar_new(t, SEAL_T_STR, "", 0);
			if (bad != NULL)
				(void)seal__map_append(
				    t, sops, "__malformed", 11, bad);
		}
		if (remove)
			seal__items_remove(root, i);
		else
			i++;
	}
	return sops;
}

static int
flat_walk(struct seal__tree *t, struct seal__node *out,
    const struct seal__node *n, char *path, size_t plen, size_t cap)
{
	size_t i;
	int w;

	if (n == NULL)
		return 0;
	if (n->kind == SEAL_N_MAP || n->kind == SEAL_N_SEQ) {
		size_t idx = 0;
		for (i = 0; i < n->nitems; i++) {
			const struct seal__item *it = &n->items[i];
			if (it->val == NULL || it->val->kind == SEAL_N_COMMENT)
				continue;
			if (n->kind == SEAL_N_MAP)
				w = snprintf(path + plen, cap - plen, "%s%.*s",
				    plen == PFXLEN ? "" : "__map_",
				    (int)it->keylen, it->key);
			else
				w = snprintf(path + plen, cap - plen,
				    "__list_%zu", idx++);
			if (w < 0 || (size_t)w >= cap - plen)
				return -1;
			if (flat_walk(t, out, it->val, path, plen + (size_t)w,
			        cap) != 0)
				return -1;
		}
		return 0;
	}
	{
		struct seal__node *c =
		    seal__scalar_new(t, SEAL_T_STR, n->text, n->len);
		if (c == NULL)
			return -1;
		return seal__map_append(t, out, path, plen, c);
	}
}

static int
cmp_items(const void *a, const void *b)
{
	const struct seal__item *x = a, *y = b;
	size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	return x->keylen < y->keylen ? -1 : x->keylen > y->keylen;
}

int
seal__sops_flatten(
    struct seal__tree *t, struct seal__node *map, const struct seal__node *sops)
{
	char path[512];
	size_t first = map->nitems;

	memcpy(path, PFX, PFXLEN + 1);
	if (flat_walk(t, map, sops, path, PFXLEN, sizeof(path)) != 0)
		return -1;
	/* sops 3.13 writes the flattened keys sorted */
	qsort(map->items + first, map->nitems - first, sizeof(map->items[0]),
	    cmp_items);
	return 0;
}
