/* SPDX-License-Identifier: ISC */
/*
 * fuzz-age-header.c - libFuzzer target for the age header parser and the
 * whole binary decrypt path (stanza checks, MAC, STREAM) with a fixed
 * X25519 identity, through both the buffer and the streaming API.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "age/age.h"
#include "fuzz-io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KAT "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static seal_identity *id;
	static seal_ctx *ctx;
	struct seal__age_header h;
	struct fuzz_rd r = { data, size, 0, 4099 };
	int rc;

	if (ctx == NULL) {
		if (seal_ctx_new(&ctx) != SEAL_OK ||
		    seal_identity_parse(ctx, KAT, strlen(KAT), &id) != SEAL_OK)
			abort();
	}
	rc = seal__age_header_parse(ctx, data, size, false, &h);
	if (rc == SEAL_OK) {
		if (h.len > size || h.maclen > h.len)
			abort();
		seal__age_header_free(&h);
	}
	rc = seal__age_header_parse(ctx, data, size, true, &h);
	if (rc == SEAL_OK)
		seal__age_header_free(&h);
	(void)seal_age_decrypt_buf(ctx, id, 0, data, size, fuzz_sink, NULL);
	(void)seal_age_decrypt(ctx, id, 0, fuzz_read, &r, fuzz_sink, NULL);
	if (strchr(seal_ctx_errmsg(ctx), '\n') != NULL)
		abort();
	return 0;
}
