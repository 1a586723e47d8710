/* SPDX-License-Identifier: ISC */
/*
 * hooks/git/diff.c - what the next commit adds or changes, for the fast reader:
 * the index entries whose id or mode differ from HEAD's tree, walked
 * directory by directory; a directory whose cache-tree id equals HEAD's
 * is skipped unread (git commit writes that very tree). Trees come from
 * gix_read_object (hooks/git/objects.c); an unreadable one answers GIX_UNSUPPORTED
 * so libgit2 decides. Deletions add nothing and are not listed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/git/git.h"

/* tree objects and the comparison ---------------------------------------- */

struct tent {
	const char *name;
	size_t namelen;
	uint32_t mode;
	const uint8_t *oid;
};

struct tree {
	char *buf;
	struct tent *v;
	size_t n;
};

static int
tent_cmp(const void *a, const void *b)
{
	const struct tent *x = a, *y = b;
	size_t n = x->namelen < y->namelen ? x->namelen : y->namelen;
	int c = memcmp(x->name, y->name, n);

	if (c)
		return c;
	return x->namelen < y->namelen ? -1 : x->namelen > y->namelen;
}

/* "<octal mode> <name>\0<20-byte id>"..., sorted by name for lookups */
static int
tree_parse(struct tree *t, size_t len)
{
	size_t cap = 0, off = 0;

	while (off < len) {
		struct tent *e;
		char *sp = memchr(t->buf + off, ' ', len - off), *nul;
		uint32_t mode = 0;
		const char *q;
		if (sp == NULL || sp == t->buf + off || sp - (t->buf + off) > 7)
			return GIX_CORRUPT;
		for (q = t->buf + off; q < sp; q++) {
			if (*q < '0' || *q > '7')
				return GIX_CORRUPT;
			mode = mode << 3 | (uint32_t)(*q - '0');
		}
		nul = memchr(sp + 1, '\0', (size_t)(t->buf + len - sp - 1));
		if (nul == NULL || nul == sp + 1 ||
		    (size_t)(t->buf + len - nul - 1) < GIX_OIDLEN)
			return GIX_CORRUPT;
		if (t->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct tent *nv = realloc(t->v, ncap * sizeof(*nv));
			if (nv == NULL)
				return GIX_NOMEM;
			t->v = nv;
			cap = ncap;
		}
		e = &t->v[t->n++];
		e->name = sp + 1;
		e->namelen = (size_t)(nul - sp - 1);
		e->mode = mode;
		e->oid = (const uint8_t *)nul + 1;
		if (memchr(e->name, '/', e->namelen))
			return GIX_CORRUPT;
		off = (size_t)(nul + 1 + GIX_OIDLEN - t->buf);
	}
	if (t->n > 1) /* an empty tree has no array: qsort(NULL, 0) is UB */
		qsort(t->v, t->n, sizeof(*t->v), tent_cmp);
	return GIX_OK;
}

static int
tree_load(const struct gix_repo *r, const uint8_t oid[GIX_OIDLEN],
    struct tree *t)
{
	size_t len;
	uint64_t size;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = gix_read_object(r, oid, "tree", 64u << 20, &t->buf, &len,
		 &size)) != GIX_OK)
		return rc == 1 ? GIX_UNSUPPORTED : rc;
	return tree_parse(t, len);
}

static void tree_free(struct tree *t);

int
gix_tree_check(const char *buf, size_t len, size_t *n)
{
	struct tree t;
	int rc;

	memset(&t, 0, sizeof(t));
	if ((t.buf = malloc(len + 1)) == NULL)
		return GIX_NOMEM;
	memcpy(t.buf, buf, len);
	t.buf[len] = '\0';
	rc = tree_parse(&t, len);
	*n = t.n;
	tree_free(&t);
	return rc;
}

static void
tree_free(struct tree *t)
{
	free(t->v);
	free(t->buf);
}

static const struct tent *
tree_find(const struct tree *t, const char *name, size_t len)
{
	struct tent key = { name, len, 0, NULL };

	return t->n ? bsearch(&key, t->v, t->n, sizeof(*t->v), tent_cmp) :
			NULL;
}

static const struct gix_tree *
ct_child(const struct gix_tree *ct, const char *name, size_t len)
{
	const struct gix_tree *c;

	for (c = ct ? ct->child : NULL; c; c = c->next)
		if (c->namelen == len && memcmp(c->name, name, len) == 0)
			return c;
	return NULL;
}

struct cmp {
	const struct gix_repo *r;
	const struct gix_index *ix;
	gix_staged_fn fn;
	void *arg;
};

#define S_GITLINK 0160000u
#define S_TREE 0040000u

/* entries [lo, hi) all start with the prefix of length plen */
static int
cmp_dir(struct cmp *c, size_t plen, size_t lo, size_t hi,
    const uint8_t *head, const struct gix_tree *ct, int depth)
{
	struct tree t = { 0 };
	size_t i;
	int rc = GIX_OK;

	if (depth > GIX_MAX_DEPTH)
		return GIX_UNSUPPORTED;
	/* git commit writes this directory's tree from the cache-tree: if
	 * that id is HEAD's, nothing below it changes */
	if (head && ct && ct->entries >= 0 &&
	    (size_t)ct->entries == hi - lo &&
	    memcmp(ct->oid, head, GIX_OIDLEN) == 0)
		return GIX_OK;
	if (head && (rc = tree_load(c->r, head, &t)) != GIX_OK)
		goto out;
	for (i = lo; i < hi;) {
		const struct gix_entry *e = &c->ix->e[i];
		const char *name = e->path + plen;
		size_t rest = e->pathlen - plen;
		const char *slash = memchr(name, '/', rest);
		const struct tent *te;

		if (slash) {
			/* a subdirectory: its entries are contiguous */
			size_t dl = (size_t)(slash - name), j = i + 1;
			const uint8_t *sub = NULL;
			while (j < hi && c->ix->e[j].pathlen > plen + dl &&
			    memcmp(c->ix->e[j].path + plen, name, dl + 1) == 0)
				j++;
			te = head ? tree_find(&t, name, dl) : NULL;
			if (te && te->mode == S_TREE)
				sub = te->oid;
			rc = cmp_dir(c, plen + dl + 1, i, j, sub,
			    ct_child(ct, name, dl), depth + 1);
			if (rc != GIX_OK)
				goto out;
			i = j;
			continue;
		}
		te = head ? tree_find(&t, name, rest) : NULL;
		if ((e->mode & 0170000) != S_GITLINK &&
		    (te == NULL || te->mode != e->mode ||
			memcmp(te->oid, e->oid, GIX_OIDLEN) != 0) &&
		    (rc = c->fn(c->arg, e)) != 0)
			goto out;
		i++;
	}
out:
	tree_free(&t);
	return rc;
}

int
gix_staged(const struct gix_repo *r, const struct gix_index *ix,
    const uint8_t *head, gix_staged_fn fn, void *arg)
{
	struct cmp c = { r, ix, fn, arg };

	/* conflicts and intent-to-add entries: libgit2's diff decides */
	if (ix->has_unmerged || ix->has_ita)
		return GIX_UNSUPPORTED;
	return cmp_dir(&c, 0, 0, ix->n, head, ix->tree, 0);
}
