/* SPDX-License-Identifier: ISC */
/*
 * fuzz-json.c - libFuzzer target for the JSON store: parse; when it
 * parses, emit, parse the output again and emit again: the two emits
 * must be identical (the emitter writes what the parser reads back).
 * Also runs the sops lint over whatever parsed.
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

	if (ctx == NULL && seal_ctx_new(&ctx) != SEAL_OK)
		abort();
	if (seal__json_parse(ctx, (const char *)data, size, &lim, &t) !=
	    SEAL_OK)
		return 0;
	if (seal__json_emit(ctx, t, NULL, seal__secbuf_writer, &a) != SEAL_OK)
		abort();
	if (seal__json_parse(ctx, (const char *)a.buf, a.len, &lim, &t2) !=
	    SEAL_OK)
		abort();
	if (seal__json_emit(ctx, t2, NULL, seal__secbuf_writer, &b) != SEAL_OK)
		abort();
	if (a.len != b.len || memcmp(a.buf, b.buf, a.len) != 0)
		abort();
	if (seal__sops_lint(ctx, t, SEAL_FMT_JSON, "f", &l) == SEAL_OK)
		seal__lint_free(l);
	seal__secbuf_free(&a);
	seal__secbuf_free(&b);
	seal__tree_free(t2);
	seal__tree_free(t);
	return 0;
}
