/* SPDX-License-Identifier: ISC */
/*
 * fuzz-yaml.c - libFuzzer target for the YAML store. Any input must
 * parse or fail cleanly (one-line message); whatever parses must emit,
 * the emitted text must parse back to an equal tree, and emitting that
 * tree again must give the same bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "stores/tree.h"
#include "tests/unit/yaml-equal.h"

struct sbuf {
	char *p;
	size_t n, cap;
};

static int
sbuf_write(void *arg, const void *buf, size_t len)
{
	struct sbuf *b = arg;

	if (b->n + len > b->cap) {
		b->cap = (b->n + len) * 2;
		b->p = realloc(b->p, b->cap);
		if (b->p == NULL)
			abort();
	}
	memcpy(b->p + b->n, buf, len);
	b->n += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static seal_ctx *ctx;
	struct seal__limits lim = { 0 };
	struct seal__tree *t = NULL, *t2 = NULL;
	struct sbuf e1 = { 0 }, e2 = { 0 };
	char why[256];
	seal_rc rc;

	if (ctx == NULL && (sodium_init() < 0 || seal_ctx_new(&ctx) != SEAL_OK))
		abort();
	lim.max_nodes = 20000;
	rc = seal__yaml_parse(ctx, (const char *)data, size, &lim, &t);
	if (rc != SEAL_OK) {
		if (t != NULL || ctx->errmsg[0] == '\0' ||
		    strchr(ctx->errmsg, '\n') != NULL)
			abort();
		return 0;
	}
	rc = seal__yaml_emit(ctx, t, NULL, sbuf_write, &e1);
	if (rc == SEAL_EFORMAT) /* e.g. a key over 1024 bytes */
		goto out;
	if (rc != SEAL_OK)
		abort();
	lim.max_nodes = 0;
	if (seal__yaml_parse(ctx, e1.p ? e1.p : "", e1.n, &lim, &t2) !=
	    SEAL_OK) {
		fprintf(stderr, "re-parse failed: %s\n", ctx->errmsg);
		fwrite(e1.p, 1, e1.n, stderr);
		abort();
	}
	if (!seal__yaml_tree_equal(t, t2, why, sizeof(why))) {
		fprintf(stderr, "tree changed: %s\n", why);
		fwrite(e1.p, 1, e1.n, stderr);
		abort();
	}
	if (seal__yaml_emit(ctx, t2, NULL, sbuf_write, &e2) != SEAL_OK ||
	    e1.n != e2.n || (e1.n > 0 && memcmp(e1.p, e2.p, e1.n) != 0)) {
		fprintf(stderr, "second emit differs\n");
		abort();
	}
out:
	free(e1.p);
	free(e2.p);
	seal__tree_free(t);
	seal__tree_free(t2);
	return 0;
}
