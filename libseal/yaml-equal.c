/* SPDX-License-Identifier: ISC */
/*
 * yaml-equal.c - structural comparison of two YAML trees, the oracle of
 * the round-trip property tests and the fuzz target: emit then parse
 * must give back an equal tree. Ignores what the writer may choose
 * (quoting style, line numbers); compares everything else.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "yaml-internal.h"

#define CMP_FLAGS (SEAL_F_INLINE | SEAL_F_BLANK | SEAL_F_COMPACT)

static bool
subtree_has_comments(const struct seal__node *n)
{
	size_t i;

	for (i = 0; i < n->nitems; i++) {
		const struct seal__node *v = n->items[i].val;

		if (v != NULL && (v->kind == SEAL_N_COMMENT ||
		    ((v->kind == SEAL_N_MAP || v->kind == SEAL_N_SEQ) &&
		    subtree_has_comments(v))))
			return true;
	}
	return false;
}

static uint8_t
norm_type(uint8_t t)
{
	return t == SEAL_T_BYTES ? SEAL_T_STR : t;
}

static bool
is_empty_null(const struct seal__node *n)
{
	return n == NULL || (n->kind == SEAL_N_SCALAR &&
	    n->type == SEAL_T_NULL);
}

static bool
node_eq(const struct seal__node *a, const struct seal__node *b, char *why,
    size_t wl, const char *path)
{
	char sub[160];
	size_t i;
	uint8_t fa, fb;

	if (is_empty_null(a) && is_empty_null(b))
		return true;
	if (a == NULL || b == NULL || a->kind != b->kind) {
		snprintf(why, wl, "%s: node kinds differ", path);
		return false;
	}
	fa = a->flags & CMP_FLAGS;
	fb = b->flags & CMP_FLAGS;
	if (a->kind == SEAL_N_MAP || a->kind == SEAL_N_SEQ) {
		bool fla = a->nitems > 0 && (a->flags & SEAL_F_FLOW) &&
		    !subtree_has_comments(a);
		bool flb = b->nitems > 0 && (b->flags & SEAL_F_FLOW) &&
		    !subtree_has_comments(b);

		if (fla != flb) {
			snprintf(why, wl, "%s: flow style differs", path);
			return false;
		}
		if (fla || a->kind == SEAL_N_MAP) {
			fa &= (uint8_t)~SEAL_F_COMPACT;
			fb &= (uint8_t)~SEAL_F_COMPACT;
		}
	}
	if (fa != fb) {
		snprintf(why, wl, "%s: flags differ (%#x vs %#x)", path, fa, fb);
		return false;
	}
	if (a->kind == SEAL_N_SCALAR || a->kind == SEAL_N_COMMENT) {
		if (norm_type(a->type) != norm_type(b->type)) {
			snprintf(why, wl, "%s: types differ (%d vs %d)", path,
			    a->type, b->type);
			return false;
		}
		if (a->len != b->len || memcmp(a->text, b->text, a->len) != 0) {
			snprintf(why, wl, "%s: texts differ", path);
			return false;
		}
		if ((a->tag == NULL) != (b->tag == NULL) ||
		    (a->tag != NULL && strcmp(a->tag, b->tag) != 0)) {
			snprintf(why, wl, "%s: tags differ", path);
			return false;
		}
		return true;
	}
	if (a->nitems != b->nitems) {
		snprintf(why, wl, "%s: %zu items vs %zu", path, a->nitems,
		    b->nitems);
		return false;
	}
	for (i = 0; i < a->nitems; i++) {
		const struct seal__item *x = &a->items[i], *y = &b->items[i];

		if ((x->key == NULL) != (y->key == NULL) || (x->key != NULL &&
		    (x->keylen != y->keylen ||
		    memcmp(x->key, y->key, x->keylen) != 0))) {
			snprintf(why, wl, "%s[%zu]: keys differ", path, i);
			return false;
		}
		snprintf(sub, sizeof(sub), "%.100s[%zu]", path, i);
		if (!node_eq(x->val, y->val, why, wl, sub))
			return false;
	}
	return true;
}

bool
seal__yaml_tree_equal(const struct seal__tree *a, const struct seal__tree *b,
    char *why, size_t whylen)
{
	size_t i;
	char path[32];
	static const struct seal__node empty = { .kind = SEAL_N_SEQ };

	if (a->ndocs != b->ndocs) {
		snprintf(why, whylen, "%zu documents vs %zu", a->ndocs,
		    b->ndocs);
		return false;
	}
	for (i = 0; i < a->ndocs; i++) {
		const struct seal__doc *x = &a->docs[i], *y = &b->docs[i];
		const struct seal__node *ra = x->root, *rb = y->root;

		if (i == 0 && x->explicit_start != y->explicit_start) {
			snprintf(why, whylen, "doc 0: explicit start differs");
			return false;
		}
		/* an empty root map and no root read back the same way */
		if (ra != NULL && ra->nitems == 0)
			ra = NULL;
		if (rb != NULL && rb->nitems == 0)
			rb = NULL;
		snprintf(path, sizeof(path), "doc %zu", i);
		if ((ra == NULL) != (rb == NULL)) {
			snprintf(why, whylen, "%s: empty vs not", path);
			return false;
		}
		if (ra != NULL && !node_eq(ra, rb, why, whylen, path))
			return false;
		snprintf(path, sizeof(path), "doc %zu foot", i);
		if (!node_eq(x->foot ? x->foot : &empty,
		    y->foot ? y->foot : &empty, why, whylen, path))
			return false;
	}
	return true;
}
