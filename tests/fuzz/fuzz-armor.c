/* SPDX-License-Identifier: ISC */
/*
 * fuzz-armor.c - libFuzzer target for the strict armor decoder: decode,
 * re-encode through the armor writer and decode again (must round-trip),
 * plus the armored decrypt path and the passphrase peek.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "age/age.h"
#include "fuzz-io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct buf {
	unsigned char *p;
	size_t len;
};

static int
buf_write(void *arg, const void *p, size_t n)
{
	struct buf *b = arg;
	unsigned char *np = realloc(b->p, b->len + n + 1);

	if (np == NULL)
		return -1;
	b->p = np;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static seal_ctx *ctx;
	struct seal__armor_w aw;
	struct buf enc = { NULL, 0 };
	unsigned char *bin = NULL, *bin2 = NULL;
	size_t binlen, bin2len;

	if (ctx == NULL && seal_ctx_new(&ctx) != SEAL_OK)
		abort();
	(void)seal__armor_detect(data, size);
	(void)seal_age_is_passphrase_file(data, size);
	if (seal__armor_decode(ctx, data, size, &bin, &binlen) == SEAL_OK) {
		if (seal__armor_w_init(&aw, buf_write, &enc) != 0 ||
		    seal__armor_w_fn(&aw, bin, binlen) != 0 ||
		    seal__armor_w_finish(&aw) != 0)
			abort();
		seal__armor_w_free(&aw);
		if (seal__armor_decode(ctx, enc.p, enc.len, &bin2, &bin2len) !=
			SEAL_OK ||
		    bin2len != binlen || memcmp(bin, bin2, binlen) != 0)
			abort();
		free(bin2);
		free(enc.p);
		free(bin);
	} else if (bin != NULL) {
		abort();
	}
	(void)seal_age_decrypt_buf(ctx, NULL, SEAL_AGE_ARMOR, data, size,
	    fuzz_sink, NULL);
	/* the streaming armor reader must agree with the whole-buffer one */
	{
		struct fuzz_rd r = { data, size, 0, 333 };
		unsigned char tmp[100];
		size_t got, total = 0;
		struct seal__armor_r *ar = malloc(sizeof(*ar));
		bool ok = false;

		seal__armor_r_init(ar, ctx, NULL, 0, false, fuzz_read, &r);
		for (;;) {
			if (seal__armor_r_fn(ar, tmp, sizeof(tmp), &got) != 0)
				break;
			if (got == 0) {
				ok = true;
				break;
			}
			total += got;
		}
		bin = NULL;
		if ((seal__armor_decode(ctx, data, size, &bin, &binlen) ==
			SEAL_OK) != ok ||
		    (ok && total != binlen))
			abort();
		free(bin);
		free(ar);
		(void)seal_age_decrypt(ctx, NULL, SEAL_AGE_ARMOR, fuzz_read,
		    &(struct fuzz_rd){ data, size, 0, 333 }, fuzz_sink, NULL);
	}
	return 0;
}
