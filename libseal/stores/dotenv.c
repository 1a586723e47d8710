/* SPDX-License-Identifier: ISC */
/*
 * dotenv.c - the dotenv store as sops reads and writes it (spec 7.3):
 * lines split on \n, empty lines dropped, '#' lines are comments, else
 * KEY=VALUE split at the first '=' with no trimming and no quoting;
 * "\n" (backslash n) in a value is a newline. Every value is a string.
 * No crypto, no sops knowledge (the sops_* keys are ordinary keys here).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "stores/out.h"
#include "stores/tree.h"

/* Append value bytes to the arena, turning "\n" into newlines. */
static struct seal__node *
value_node(
    struct seal__tree *t, const char *s, size_t n, struct seal__secbuf *sb)
{
	size_t i, run = 0;
	struct seal__node *v;

	seal__secbuf_reset(sb);
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && s[i + 1] == 'n') {
			if (seal__secbuf_append(sb, s + run, i - run) != 0 ||
			    seal__secbuf_append(sb, "\n", 1) != 0)
				return NULL;
			i++;
			run = i + 1;
		}
	}
	if (seal__secbuf_append(sb, s + run, n - run) != 0)
		return NULL;
	v = seal__scalar_new(
	    t, SEAL_T_STR, sb->buf ? (char *)sb->buf : "", sb->len);
	seal__secbuf_reset(sb);
	return v;
}

seal_rc
seal__dotenv_parse(seal_ctx *ctx, const char *buf, size_t len,
    const struct seal__limits *lim, struct seal__tree **out)
{
	struct seal__limits l;
	struct seal__tree *t;
	struct seal__doc *d;
	struct seal__node *root, *v;
	struct seal__secbuf sb = SEAL__SECBUF_INIT;
	const char *p = buf, *end = buf + len, *nl, *eq;
	uint32_t line = 0;
	size_t nodes = 0;
	seal_rc rc = SEAL_OK;

	*out = NULL;
	seal__limits_fill(&l, lim);
	if (len > l.max_bytes)
		return seal__err(ctx, SEAL_ELIMIT,
		    "input is larger than %zu bytes", l.max_bytes);
	if ((t = seal__tree_new()) == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	if ((d = seal__tree_add_doc(t)) == NULL ||
	    (root = seal__node_new(t, SEAL_N_MAP)) == NULL) {
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
		goto out;
	}
	d->root = root;
	root->line = 1;
	t->trailing_newline = len > 0 && buf[len - 1] == '\n';
	while (p < end) {
		size_t n;

		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		line++;
		if (++nodes > l.max_nodes) {
			rc = seal__err(ctx, SEAL_ELIMIT,
			    "line %u: more than %zu entries", (unsigned)line,
			    l.max_nodes);
			goto out;
		}
		if (n == 0) {
			p += 1;
			continue;
		}
		if (memchr(p, '\0', n) != NULL) {
			rc = seal__err(ctx, SEAL_EPARSE,
			    "line %u: NUL byte in dotenv input",
			    (unsigned)line);
			goto out;
		}
		if (p[0] == '#') {
			v = seal__comment_new(t, p + 1, n - 1);
			if (v == NULL || seal__map_append(t, root, NULL, 0, v))
				goto oom;
			v->line = line;
		} else {
			eq = memchr(p, '=', n);
			if (eq == NULL || eq == p) {
				rc = seal__err(ctx, SEAL_EPARSE,
				    "line %u: invalid dotenv line: want "
				    "KEY=VALUE",
				    (unsigned)line);
				goto out;
			}
			v = value_node(
			    t, eq + 1, n - (size_t)(eq + 1 - p), &sb);
			if (v == NULL ||
			    seal__map_append(t, root, p, (size_t)(eq - p), v) !=
			        0)
				goto oom;
			v->line = line;
			root->items[root->nitems - 1].keyline = line;
		}
		p += n + (nl != NULL);
	}
	goto out;
oom:
	rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
out:
	seal__secbuf_free(&sb);
	if (rc != SEAL_OK) {
		seal__tree_free(t);
		return rc;
	}
	*out = t;
	return SEAL_OK;
}

static void
put_escaped(struct seal__out *o, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n') {
			seal__out_put(o, s + run, i - run);
			seal__out_put(o, "\\n", 2);
			run = i + 1;
		}
	}
	seal__out_put(o, s + run, n - run);
}

seal_rc
seal__dotenv_emit(seal_ctx *ctx, const struct seal__tree *t,
    const struct seal__emit_opts *opts, seal_write_fn write, void *arg)
{
	struct seal__out *o;
	const struct seal__node *root;
	size_t i;
	seal_rc rc = SEAL_OK;

	(void)opts;
	if (t->ndocs > 1)
		return seal__err(ctx, SEAL_EFORMAT,
		    "dotenv cannot hold %zu documents", t->ndocs);
	if ((o = malloc(sizeof(*o))) == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	seal__out_init(o, write, arg);
	root = t->ndocs ? t->docs[0].root : NULL;
	for (i = 0; root != NULL && i < root->nitems; i++) {
		const struct seal__item *it = &root->items[i];
		const struct seal__node *v = it->val;

		if (v != NULL && v->kind == SEAL_N_COMMENT) {
			seal__out_ch(o, '#');
			put_escaped(o, v->text, v->len);
			seal__out_ch(o, '\n');
			continue;
		}
		if (v != NULL && v->kind != SEAL_N_SCALAR) {
			char q[80];
			seal__quote(q, sizeof(q), it->key, it->keylen);
			rc = seal__err(ctx, SEAL_EFORMAT,
			    "cannot write nested value '%s' as dotenv", q);
			break;
		}
		seal__out_put(o, it->key, it->keylen);
		seal__out_ch(o, '=');
		if (v != NULL && v->type != SEAL_T_NULL)
			put_escaped(o, v->text, v->len);
		seal__out_ch(o, '\n');
	}
	if (rc == SEAL_OK)
		rc = seal__out_end(ctx, o);
	else
		(void)seal__out_end(ctx, o);
	sodium_memzero(o, sizeof(*o));
	free(o);
	return rc;
}
