/* SPDX-License-Identifier: ISC */
/*
 * sops/path.c - sops's tree paths ('["a"][0]["b"]': quoted components
 * are keys, bare integers list indices) and what uses them: set (value
 * given as JSON), unset and extract, on the first document; reading one
 * scalar of any document and listing every scalar leaf (for unseal).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sops/file.h"

#define MAX_COMPONENTS 64

struct comp {
	const char *key; /* NULL: index */
	size_t len;
	size_t idx;
};

static seal_rc
parse_path(seal_ctx *ctx, const char *s, struct comp *c, size_t *n)
{
	const char *p = s;

	*n = 0;
	while (*p == ' ')
		p++;
	while (*p != '\0') {
		if (*p != '[' || *n == MAX_COMPONENTS)
			goto bad;
		p++;
		if (*p == '"' || *p == '\'') {
			char q = *p++;
			const char *e = strchr(p, q);
			if (e == NULL || e[1] != ']')
				goto bad;
			c[*n].key = p;
			c[*n].len = (size_t)(e - p);
			p = e + 2;
		} else {
			char *e;
			if (*p < '0' || *p > '9')
				goto bad;
			c[*n].key = NULL;
			c[*n].idx = strtoul(p, &e, 10);
			if (*e != ']')
				goto bad;
			p = e + 1;
		}
		(*n)++;
	}
	if (*n == 0)
		goto bad;
	return SEAL_OK;
bad:
	return seal__err(ctx, SEAL_EINVAL,
	    "invalid tree path: want a form like '[\"data\"][\"key\"]' or "
	    "'[\"list\"][0]'");
}

static size_t
map_index(const struct seal__node *m, const char *k, size_t len)
{
	size_t i;

	for (i = 0; i < m->nitems; i++)
		if (m->items[i].key && m->items[i].keylen == len &&
		    memcmp(m->items[i].key, k, len) == 0)
			return i;
	return (size_t)-1;
}

/* The i-th non-comment item of a SEQ, or -1. */
static size_t
seq_index(const struct seal__node *s, size_t idx)
{
	size_t i, k = 0;

	for (i = 0; i < s->nitems; i++) {
		if (s->items[i].val && s->items[i].val->kind == SEAL_N_COMMENT)
			continue;
		if (k++ == idx)
			return i;
	}
	return (size_t)-1;
}

static struct seal__node *
lookup_doc(const seal_sops_file *f, size_t doc, const struct comp *c, size_t n)
{
	struct seal__node *cur = doc < f->t->ndocs ? f->t->docs[doc].root : NULL;
	size_t i, j;

	for (i = 0; i < n && cur != NULL; i++) {
		if (c[i].key != NULL) {
			if (cur->kind != SEAL_N_MAP)
				return NULL;
			j = map_index(cur, c[i].key, c[i].len);
		} else {
			if (cur->kind != SEAL_N_SEQ)
				return NULL;
			j = seq_index(cur, c[i].idx);
		}
		cur = j == (size_t)-1 ? NULL : cur->items[j].val;
	}
	return cur;
}

static struct seal__node *
lookup(const seal_sops_file *f, const struct comp *c, size_t n)
{
	return lookup_doc(f, 0, c, n);
}

static seal_rc
need_clear(seal_ctx *ctx, const seal_sops_file *f)
{
	if (f->sealed || f->broken)
		return seal__err(
		    ctx, SEAL_EINVAL, "%s: decrypt the file first", f->name);
	if (f->t->ndocs == 0 || f->t->docs[0].root == NULL)
		return seal__err(
		    ctx, SEAL_EINVAL, "%s: the file has no document", f->name);
	return SEAL_OK;
}

seal_rc
seal_sops_set(seal_ctx *ctx, seal_sops_file *f, const char *path,
    const char *value, size_t len)
{
	struct comp c[MAX_COMPONENTS];
	struct seal__tree *vt = NULL;
	struct seal__node *cur, *v, *nv;
	char *wrapped = NULL;
	size_t n, i, j;
	seal_rc rc;

	if ((rc = need_clear(ctx, f)) != SEAL_OK ||
	    (rc = parse_path(ctx, path, c, &n)) != SEAL_OK)
		return rc;
	/* the value is JSON: parse it as {"v": <value>} */
	wrapped = seal__secalloc(len + 8);
	if (wrapped == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of secure memory");
	memcpy(wrapped, "{\"v\":", 5);
	memcpy(wrapped + 5, value, len);
	wrapped[len + 5] = '}';
	rc = seal__json_parse(ctx, wrapped, len + 6, NULL, &vt);
	seal__secfree(wrapped);
	if (rc != SEAL_OK) {
		seal__err_prefix(ctx, "the value is not valid JSON");
		return rc;
	}
	v = seal__map_get(vt->docs[0].root, "v");
	nv = seal__node_clone(f->t, v);
	seal__tree_free(vt);
	if (nv == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	cur = f->t->docs[0].root;
	for (i = 0; i < n; i++) {
		bool last = i + 1 == n;
		if (c[i].key != NULL) {
			if (cur->kind != SEAL_N_MAP)
				goto mismatch;
			j = map_index(cur, c[i].key, c[i].len);
			if (j == (size_t)-1) {
				struct seal__node *child = last
				    ? nv
				    : seal__node_new(f->t,
				          c[i + 1].key ? SEAL_N_MAP
				                       : SEAL_N_SEQ);
				if (child == NULL ||
				    seal__map_append(f->t, cur, c[i].key,
				        c[i].len, child) != 0)
					return seal__err(
					    ctx, SEAL_ENOMEM, "out of memory");
				cur = child;
				continue;
			}
		} else {
			if (cur->kind != SEAL_N_SEQ)
				goto mismatch;
			j = seq_index(cur, c[i].idx);
			if (j == (size_t)-1) {
				struct seal__node *child = last
				    ? nv
				    : seal__node_new(f->t,
				          c[i + 1].key ? SEAL_N_MAP
				                       : SEAL_N_SEQ);
				if (child == NULL ||
				    seal__seq_append(f->t, cur, child) != 0)
					return seal__err(
					    ctx, SEAL_ENOMEM, "out of memory");
				cur = child;
				continue;
			}
		}
		if (last)
			cur->items[j].val = nv;
		else
			cur = cur->items[j].val;
	}
	return SEAL_OK;
mismatch:
	return seal__err(ctx, SEAL_EINVAL,
	    "%s: component %zu of the path does not match the document's "
	    "structure",
	    f->name, i + 1);
}

seal_rc
seal_sops_unset(seal_ctx *ctx, seal_sops_file *f, const char *path)
{
	struct comp c[MAX_COMPONENTS];
	struct seal__node *parent;
	size_t n, j;
	seal_rc rc;

	if ((rc = need_clear(ctx, f)) != SEAL_OK ||
	    (rc = parse_path(ctx, path, c, &n)) != SEAL_OK)
		return rc;
	parent = n == 1 ? f->t->docs[0].root : lookup(f, c, n - 1);
	j = (size_t)-1;
	if (parent != NULL && c[n - 1].key != NULL &&
	    parent->kind == SEAL_N_MAP)
		j = map_index(parent, c[n - 1].key, c[n - 1].len);
	else if (parent != NULL && c[n - 1].key == NULL &&
	    parent->kind == SEAL_N_SEQ)
		j = seq_index(parent, c[n - 1].idx);
	if (j == (size_t)-1)
		return seal__err(
		    ctx, SEAL_EINVAL, "%s: no value at %s", f->name, path);
	seal__items_remove(parent, j);
	return SEAL_OK;
}

seal_rc
seal_sops_extract(seal_ctx *ctx, const seal_sops_file *f, const char *path,
    int format, int indent, seal_write_fn write, void *arg)
{
	struct comp c[MAX_COMPONENTS];
	struct seal__node *v;
	struct seal__tree tmp;
	struct seal__doc doc;
	struct seal__emit_opts eo = {indent};
	enum seal__format fmt = format ? (enum seal__format)format : f->fmt;
	seal__emit_fn emit;
	size_t n;
	seal_rc rc;

	if ((rc = need_clear(ctx, f)) != SEAL_OK ||
	    (rc = parse_path(ctx, path, c, &n)) != SEAL_OK)
		return rc;
	v = lookup(f, c, n);
	if (v == NULL)
		return seal__err(
		    ctx, SEAL_EINVAL, "%s: no value at %s", f->name, path);
	if (v->kind == SEAL_N_SCALAR) {
		if (v->type != SEAL_T_NULL && v->len > 0 &&
		    write(arg, v->text, v->len) != 0)
			return seal__err(ctx, SEAL_EIO, "cannot write output");
		return SEAL_OK;
	}
	if (v->kind != SEAL_N_MAP)
		fmt = SEAL_FMT_JSON;
	if (fmt == SEAL_FMT_BINARY || fmt == SEAL_FMT_DOTENV)
		fmt = fmt == SEAL_FMT_DOTENV ? SEAL_FMT_DOTENV : SEAL_FMT_JSON;
	emit = seal__store_emitter(fmt);
	/* a view of the subtree as a one-document tree */
	memset(&tmp, 0, sizeof(tmp));
	memset(&doc, 0, sizeof(doc));
	doc.root = v;
	tmp.docs = &doc;
	tmp.ndocs = 1;
	tmp.indent = f->t->indent;
	return emit(ctx, &tmp, &eo, write, arg);
}

size_t
seal_sops_doc_count(const seal_sops_file *f)
{
	return f != NULL && f->t != NULL ? f->t->ndocs : 0;
}

seal_rc
seal_sops_doc_scalar(seal_ctx *ctx, const seal_sops_file *f, size_t doc,
    const char *path, const char **text, size_t *len)
{
	struct comp c[MAX_COMPONENTS];
	struct seal__node *v;
	size_t n;
	seal_rc rc;

	if (f->broken || f->t == NULL)
		return seal__err(ctx, SEAL_EINVAL, "%s: unusable file", f->name);
	if ((rc = parse_path(ctx, path, c, &n)) != SEAL_OK)
		return rc;
	v = lookup_doc(f, doc, c, n);
	if (v == NULL)
		return seal__err(ctx, SEAL_EINVAL, "%s: document %zu has no value "
		    "at %s", f->name, doc + 1, path);
	if (v->kind != SEAL_N_SCALAR)
		return seal__err(ctx, SEAL_EFORMAT, "%s: document %zu: %s is not "
		    "a scalar", f->name, doc + 1, path);
	*text = v->text;
	*len = v->len;
	return SEAL_OK;
}

static int
leaves(const struct seal__node *n, size_t doc, unsigned depth,
    seal_sops_leaf_fn fn, void *arg)
{
	size_t i;
	int r;

	if (n == NULL || depth > 1024)
		return 0;
	if (n->kind == SEAL_N_SCALAR)
		return fn(arg, doc, n->text, n->len);
	if (n->kind != SEAL_N_MAP && n->kind != SEAL_N_SEQ)
		return 0;
	for (i = 0; i < n->nitems; i++)
		if ((r = leaves(n->items[i].val, doc, depth + 1, fn, arg)) != 0)
			return r;
	return 0;
}

seal_rc
seal_sops_leaves(seal_ctx *ctx, const seal_sops_file *f, seal_sops_leaf_fn fn,
    void *arg)
{
	size_t d;

	if (f->broken || f->t == NULL)
		return seal__err(ctx, SEAL_EINVAL, "%s: unusable file", f->name);
	for (d = 0; d < f->t->ndocs; d++)
		if (leaves(f->t->docs[d].root, d, 0, fn, arg) != 0)
			return seal__err(ctx, SEAL_EIO, "%s: stopped by the caller",
			    f->name);
	return SEAL_OK;
}

/* ---- leaves with their paths ---------------------------------------------- */

struct lp {
	char *path;
	size_t cap;
	seal_sops_leaf_path_fn fn;
	void *arg;
	bool toolong;
};

/* Append a component at len; false when it does not fit. */
static bool
lp_key(struct lp *lp, size_t *len, const char *k, size_t kl)
{
	size_t i, n = *len;

	if (n + 4 > lp->cap)
		return false;
	lp->path[n++] = '[';
	lp->path[n++] = '"';
	for (i = 0; i < kl; i++) {
		if (n + 4 > lp->cap)
			return false;
		if (k[i] == '"' || k[i] == '\\')
			lp->path[n++] = '\\';
		lp->path[n++] = k[i];
	}
	if (n + 3 > lp->cap)
		return false;
	lp->path[n++] = '"';
	lp->path[n++] = ']';
	lp->path[n] = '\0';
	*len = n;
	return true;
}

static int
leaf_paths(struct lp *lp, const struct seal__node *n, size_t doc,
    unsigned depth, size_t len)
{
	size_t i, idx = 0;
	int r;

	if (n == NULL || depth > 1024)
		return 0;
	if (n->kind == SEAL_N_SCALAR)
		return lp->fn(lp->arg, doc, lp->path, len, n->text, n->len);
	if (n->kind != SEAL_N_MAP && n->kind != SEAL_N_SEQ)
		return 0;
	for (i = 0; i < n->nitems; i++) {
		const struct seal__item *it = &n->items[i];
		size_t l = len;
		if (it->val == NULL || it->val->kind == SEAL_N_COMMENT)
			continue;
		if (n->kind == SEAL_N_MAP) {
			if (!lp_key(lp, &l, it->key ? it->key : "",
			        it->key ? it->keylen : 0)) {
				lp->toolong = true;
				return -1;
			}
		} else {
			int w = snprintf(lp->path + l, lp->cap - l, "[%zu]", idx);
			if (w < 0 || (size_t)w >= lp->cap - l) {
				lp->toolong = true;
				return -1;
			}
			l += (size_t)w;
		}
		idx++;
		if ((r = leaf_paths(lp, it->val, doc, depth + 1, l)) != 0)
			return r;
		lp->path[len] = '\0';
	}
	return 0;
}

seal_rc
seal_sops_leaf_paths(seal_ctx *ctx, const seal_sops_file *f,
    seal_sops_leaf_path_fn fn, void *arg)
{
	struct lp lp = {NULL, 16384, fn, arg, false};
	seal_rc rc = SEAL_OK;
	size_t d;

	if (f->broken || f->t == NULL)
		return seal__err(ctx, SEAL_EINVAL, "%s: unusable file", f->name);
	if ((lp.path = malloc(lp.cap)) == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	for (d = 0; d < f->t->ndocs && rc == SEAL_OK; d++) {
		lp.path[0] = '\0';
		if (leaf_paths(&lp, f->t->docs[d].root, d, 0, 0) != 0)
			rc = lp.toolong ? seal__err(ctx, SEAL_ELIMIT,
			                      "%s: document %zu: a tree path "
			                      "longer than %zu bytes",
			                      f->name, d + 1, lp.cap)
			                : seal__err(ctx, SEAL_EIO,
			                      "%s: stopped by the caller", f->name);
	}
	free(lp.path);
	return rc;
}
