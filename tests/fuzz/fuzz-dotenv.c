/* SPDX-License-Identifier: ISC */
/*
 * fuzz-dotenv.c - libFuzzer target for the dotenv store: parse; when it
 * parses, emit, re-parse and re-emit: identical bytes. Also gathers the
 * flattened sops_* metadata and runs the lint, as a reader would.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sops/sops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static seal_ctx *ctx;
	struct seal__limits lim = {1u << 20, 32, 20000, 8};
	struct seal__tree *t = NULL, *t2 = NULL;
	struct seal__secbuf a = SEAL__SECBUF_INIT, b = SEAL__SECBUF_INIT;
	struct seal__lint *l = NULL;
	struct seal__sops_meta m;
	struct seal__node *sops;

	if (ctx == NULL && seal_ctx_new(&ctx) != SEAL_OK)
		abort();
	if (seal__dotenv_parse(ctx, (const char *)data, size, &lim, &t) !=
	    SEAL_OK)
		return 0;
	if (seal__dotenv_emit(ctx, t, NULL, seal__secbuf_writer, &a) != SEAL_OK)
		abort();
	if (seal__dotenv_parse(ctx, (const char *)a.buf, a.len, &lim, &t2) !=
	    SEAL_OK)
		abort();
	if (seal__dotenv_emit(ctx, t2, NULL, seal__secbuf_writer, &b) !=
	    SEAL_OK)
		abort();
	if (a.len != b.len || (a.len && memcmp(a.buf, b.buf, a.len) != 0))
		abort();
	if (seal__sops_lint(ctx, t, SEAL_FMT_DOTENV, "f", &l) == SEAL_OK)
		seal__lint_free(l);
	sops = seal__sops_block(t, 0, SEAL_FMT_DOTENV, true);
	if (sops != NULL && seal__sops_meta_read(ctx, sops, "f", &m) == SEAL_OK)
		seal__sops_meta_clear(&m);
	seal__secbuf_free(&a);
	seal__secbuf_free(&b);
	seal__tree_free(t2);
	seal__tree_free(t);
	return 0;
}
