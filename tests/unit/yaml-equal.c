/* SPDX-License-Identifier: ISC */
/*
 * yaml-equal.c - structural comparison of two YAML trees, the oracle of
 * the round-trip property tests and the fuzz target: emit then parse
 * must give back an equal tree. Ignores what the writer may choose
 * (quoting style, line numbers); compares everything else, anchor names
 * and alias marks included.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tests/unit/yaml-equal.h"

#define CMP_FLAGS (SEAL_F_INLINE | SEAL_F_BLANK | SEAL_F_COMPACT | SEAL_F_ALIAS)

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

static bool node_eq(const struct seal__node *a, const struct seal__node *b,
    char *why, size_t wl, const char *path);

/* Number of items before the root's trailing comments: those read back
 * as the document's foot, so they compare as part of it. */
static size_t
body_len(const struct seal__node *root)
{
	size_t n = root != NULL ? root->nitems : 0;

	while (n > 0 && root->items[n - 1].val != NULL &&
	    root->items[n - 1].val->kind == SEAL_N_COMMENT)
		n--;
	return n;
}

/* The root's trailing comments followed by the foot, as one list. */
static bool
foot_eq(const struct seal__doc *x, const struct seal__doc *y, char *why,
    size_t wl, const char *path)
{
	const struct seal__node *r[2] = { x->root, y->root };
	const struct seal__node *f[2] = { x->foot, y->foot };
	const struct seal__node *l[2][256];
	size_t n[2] = { 0, 0 }, i, k;
	char sub[64];

	for (k = 0; k < 2; k++) {
		if (r[k] != NULL)
			for (i = body_len(r[k]); i < r[k]->nitems; i++)
				if (n[k] < 256)
					l[k][n[k]++] = r[k]->items[i].val;
		if (f[k] != NULL)
			for (i = 0; i < f[k]->nitems; i++)
				if (n[k] < 256)
					l[k][n[k]++] = f[k]->items[i].val;
	}
	if (n[0] != n[1]) {
		snprintf(why, wl, "%s: %zu foot comments vs %zu", path, n[0],
		    n[1]);
		return false;
	}
	for (i = 0; i < n[0]; i++) {
		snprintf(sub, sizeof(sub), "%.40s[%zu]", path, i);
		if (!node_eq(l[0][i], l[1][i], why, wl, sub))
			return false;
	}
	return true;
}

static bool
node_eq_n(const struct seal__node *a, const struct seal__node *b, char *why,
    size_t wl, const char *path, size_t na, size_t nb);

/* > 0 while comparing inside the expansion of an alias on both sides */
static unsigned in_alias;

static bool
node_eq(const struct seal__node *a, const struct seal__node *b, char *why,
    size_t wl, const char *path)
{
	unsigned in = a != NULL && b != NULL &&
	    (a->flags & b->flags & SEAL_F_ALIAS) != 0;
	bool r;

	in_alias += in;
	r = node_eq_n(a, b, why, wl, path, a ? a->nitems : 0,
	    b ? b->nitems : 0);
	in_alias -= in;
	return r;
}

static bool
node_eq_n(const struct seal__node *a, const struct seal__node *b, char *why,
    size_t wl, const char *path, size_t na, size_t nb)
{
	char sub[160];
	size_t i;
	uint8_t fa, fb;

	if (is_empty_null(a) && is_empty_null(b)) {
		const char *x = a ? a->anchor : NULL, *y = b ? b->anchor : NULL;

		if ((x == NULL) == (y == NULL) &&
		    (x == NULL || strcmp(x, y) == 0))
			return true;
		snprintf(why, wl, "%s: anchors differ", path);
		return false;
	}
	if (a == NULL || b == NULL || a->kind != b->kind) {
		snprintf(why, wl, "%s: node kinds differ", path);
		return false;
	}
	fa = a->flags & CMP_FLAGS;
	fb = b->flags & CMP_FLAGS;
	/* An alias is written as *name: the layout marks of its expansion
	 * (compact "- ", blank line) come from wherever the anchor stood,
	 * not from anything the writer emits for the alias itself. */
	if (in_alias || ((fa & SEAL_F_ALIAS) && (fb & SEAL_F_ALIAS))) {
		fa &= SEAL_F_ALIAS | SEAL_F_INLINE;
		fb &= SEAL_F_ALIAS | SEAL_F_INLINE;
	}
	if (a->kind == SEAL_N_MAP || a->kind == SEAL_N_SEQ) {
		bool fla = a->nitems > 0 && (a->flags & SEAL_F_FLOW) &&
		    !subtree_has_comments(a);
		bool flb = b->nitems > 0 && (b->flags & SEAL_F_FLOW) &&
		    !subtree_has_comments(b);

		if (fla != flb && !in_alias) {
			snprintf(why, wl, "%s: flow style differs", path);
			return false;
		}
		if (fla || a->kind == SEAL_N_MAP) {
			fa &= (uint8_t)~SEAL_F_COMPACT;
			fb &= (uint8_t)~SEAL_F_COMPACT;
		}
	}
	if (fa != fb) {
		snprintf(why, wl, "%s: flags differ (%#x vs %#x)", path, fa,
		    fb);
		return false;
	}
	if ((a->anchor == NULL) != (b->anchor == NULL) ||
	    (a->anchor != NULL && strcmp(a->anchor, b->anchor) != 0)) {
		snprintf(why, wl, "%s: anchors differ (%s vs %s)", path,
		    a->anchor ? a->anchor : "none",
		    b->anchor ? b->anchor : "none");
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
	if (na != nb) {
		snprintf(why, wl, "%s: %zu items vs %zu", path, na, nb);
		return false;
	}
	for (i = 0; i < na; i++) {
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
		if (ra != NULL && body_len(ra) == 0)
			ra = NULL;
		if (rb != NULL && body_len(rb) == 0)
			rb = NULL;
		snprintf(path, sizeof(path), "doc %zu", i);
		if ((ra == NULL) != (rb == NULL)) {
			snprintf(why, whylen, "%s: empty vs not", path);
			return false;
		}
		if (ra != NULL && !node_eq_n(ra, rb, why, whylen, path,
		    body_len(ra), body_len(rb)))
			return false;
		snprintf(path, sizeof(path), "doc %zu foot", i);
		if (!foot_eq(x, y, why, whylen, path))
			return false;
		snprintf(path, sizeof(path), "doc %zu head", i);
		if ((x->head ? x->head->nitems : 0) !=
		    (y->head ? y->head->nitems : 0) || (x->head != NULL &&
		    !node_eq(x->head, y->head, why, whylen, path))) {
			if (why[0] == '\0' || strstr(why, "head") == NULL)
				snprintf(why, whylen, "%s: differs", path);
			return false;
		}
	}
	return true;
}
