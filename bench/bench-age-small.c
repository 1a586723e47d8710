/* SPDX-License-Identifier: ISC */
/*
 * bench-age-small.c - the SOPS hot path in isolation: how many small
 * armored age files (each wrapping a 32-byte data key, as a sops `enc`
 * holds) seal_age_decrypt_buf opens per second on one core, with the
 * identity parsed once. Prints "decrypts/s" and microseconds per file.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <seal.h>

struct buf {
	unsigned char p[4096];
	size_t len;
};

static int
buf_write(void *arg, const void *p, size_t n)
{
	struct buf *b = arg;

	if (b->len + n > sizeof(b->p))
		return -1;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	unsigned char key[32] = { 7 };
	struct buf ct = { .len = 0 }, out;
	seal_identity *id;
	seal_recipient *r;
	seal_ctx *ctx;
	char *rs;
	double t0, dt;
	long i, n = argc > 1 ? atol(argv[1]) : 20000;

	if (seal_ctx_new(&ctx) != SEAL_OK ||
	    seal_identity_generate(ctx, &id) != SEAL_OK ||
	    seal_identity_recipient(ctx, id, 0, &rs) != SEAL_OK ||
	    seal_recipient_parse(ctx, rs, strlen(rs), &r) != SEAL_OK ||
	    seal_age_encrypt_buf(ctx, &r, 1, SEAL_AGE_ARMOR, key, sizeof(key),
		buf_write, &ct) != SEAL_OK) {
		fprintf(stderr, "setup failed: %s\n", seal_ctx_errmsg(ctx));
		return 2;
	}
	t0 = now();
	for (i = 0; i < n; i++) {
		out.len = 0;
		if (seal_age_decrypt_buf(ctx, id, SEAL_AGE_DETECT_ARMOR, ct.p,
			ct.len, buf_write, &out) != SEAL_OK ||
		    out.len != 32) {
			fprintf(stderr, "decrypt failed: %s\n",
			    seal_ctx_errmsg(ctx));
			return 1;
		}
	}
	dt = now() - t0;
	printf("armored age file of %zu bytes (32-byte key): %.0f decrypts/s, "
	       "%.1f us each (%ld runs, one core)\n",
	    ct.len, (double)n / dt, dt / (double)n * 1e6, n);
	free(rs);
	seal_recipient_free(r);
	seal_identity_free(id);
	seal_ctx_free(ctx);
	return 0;
}
