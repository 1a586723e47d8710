/* SPDX-License-Identifier: ISC */
/*
 * fuzz-bech32.c - libFuzzer target for Bech32 decoding and recipient
 * parsing: whatever decodes must re-encode to the same string (in its
 * case), and recipient parsing must never crash.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "age/age.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static seal_ctx *ctx;
	unsigned char out[4096];
	char hrp[128], *enc;
	const char *why;
	size_t n;
	seal_recipient *r = NULL;
	long len;
	bool upper = false;

	if (ctx == NULL && seal_ctx_new(&ctx) != SEAL_OK)
		abort();
	if (size > 8192)
		return 0;
	if (seal__bech32_decode((const char *)data, size, hrp, sizeof(hrp),
		out, sizeof(out), &n, &why) == 0) {
		enc = malloc(size + 16);
		for (size_t i = 0; i < size; i++)
			if (data[i] >= 'A' && data[i] <= 'Z')
				upper = true;
		len = seal__bech32_encode(enc, size + 16, hrp, out, n, upper);
		if (len != (long)size || memcmp(enc, data, size) != 0)
			abort();
		free(enc);
	}
	if (seal_recipient_parse(ctx, (const char *)data, size, &r) ==
	    SEAL_OK) {
		if (seal_recipient_string(r) == NULL)
			abort();
		seal_recipient_free(r);
	}
	return 0;
}
