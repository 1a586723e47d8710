/* SPDX-License-Identifier: ISC */
/*
 * fuzz-identity.c - libFuzzer target for identity files (age keys,
 * OpenSSH and PEM private keys) and recipients files.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "age/age.h"
#include "fuzz-io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static seal_ctx *ctx;
	seal_identity *id = NULL;
	seal_recipient **list = NULL;
	size_t n = 0, i;
	char *s;

	if (ctx == NULL && seal_ctx_new(&ctx) != SEAL_OK)
		abort();
	if (seal_identity_parse(ctx, (const char *)data, size, &id) ==
	    SEAL_OK) {
		for (i = 0; i < seal_identity_count(id); i++) {
			if (seal_identity_recipient(ctx, id, i, &s) ==
			    SEAL_OK)
				free(s);
			(void)seal_identity_write(ctx, id, i, fuzz_sink, NULL);
		}
		seal_identity_free(id);
	}
	(void)seal_recipients_parse_file(ctx, (const char *)data, size, &list,
	    &n);
	seal_recipients_free(list, n);
	if (seal__secmem_live() != 0)
		abort();
	return 0;
}
