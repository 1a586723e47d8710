/* SPDX-License-Identifier: ISC */
/*
 * fuzz-enc.c - libFuzzer target for the ENC[AES256_GCM,...] parser:
 * parse; when it parses, the decoded lengths must agree with the base64
 * text, and decryption under a fixed key must fail cleanly (or succeed,
 * for a value made under that key) without touching memory it must not.
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
	static const unsigned char key[32] = {1};
	struct seal__secbuf pt = SEAL__SECBUF_INIT;
	unsigned char iv[SEAL_SOPS_IV_BYTES];
	struct seal__enc e;
	bool ok;

	if (ctx == NULL && seal_ctx_new(&ctx) != SEAL_OK)
		abort();
	if (seal__enc_parse(ctx, (const char *)data, size, "'x'", &e) !=
	    SEAL_OK)
		return 0;
	if (e.data_b64 / 4 * 3 < e.data_len ||
	    e.data_len + 3 < e.data_b64 / 4 * 3)
		abort();
	(void)seal__enc_decrypt(ctx, key, &e, "a:", 2, &pt, iv, &ok);
	seal__secbuf_free(&pt);
	return 0;
}
