/* SPDX-License-Identifier: ISC */
/*
 * binary.c - the binary store (spec 7.4): the whole input is one string
 * under the key "data"; emitting writes that string's bytes back, with
 * nothing added. (Encrypted, a binary file is a JSON envelope: the SOPS
 * layer uses the JSON store for that.)
 */
#include "config.h"

#include "stores/tree.h"

seal_rc
seal__binary_parse(seal_ctx *ctx, const char *buf, size_t len,
    const struct seal__limits *lim, struct seal__tree **out)
{
	struct seal__limits l;
	struct seal__tree *t;
	struct seal__doc *d;
	struct seal__node *root, *v;

	*out = NULL;
	seal__limits_fill(&l, lim);
	if (len > l.max_bytes)
		return seal__err(ctx, SEAL_ELIMIT,
		    "input is larger than %zu bytes", l.max_bytes);
	if ((t = seal__tree_new()) == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	if ((d = seal__tree_add_doc(t)) == NULL ||
	    (root = seal__node_new(t, SEAL_N_MAP)) == NULL ||
	    (v = seal__scalar_new(t, SEAL_T_STR, buf, len)) == NULL ||
	    seal__map_append(t, root, "data", 4, v) != 0) {
		seal__tree_free(t);
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	}
	d->root = root;
	root->line = v->line = 1;
	*out = t;
	return SEAL_OK;
}

seal_rc
seal__binary_emit(seal_ctx *ctx, const struct seal__tree *t,
    const struct seal__emit_opts *opts, seal_write_fn write, void *arg)
{
	const struct seal__node *root, *v;

	(void)opts;
	root = t->ndocs == 1 ? t->docs[0].root : NULL;
	v = seal__map_get(root, "data");
	if (v == NULL || v->kind != SEAL_N_SCALAR)
		return seal__err(ctx, SEAL_EFORMAT,
		    "binary output needs exactly one 'data' string");
	if (v->len > 0 && write(arg, v->text, v->len) != 0)
		return seal__err(ctx, SEAL_EIO, "cannot write output");
	return SEAL_OK;
}
