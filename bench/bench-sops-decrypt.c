/* SPDX-License-Identifier: ISC */
/*
 * bench-sops-decrypt.c - in-process throughput of the SOPS layer on one
 * core: a typical Kubernetes Secret with 5 values is sealed once, then
 * loaded, decrypted (data key unwrapped with X25519, 5 values, MAC
 * verified) and written out N times. Also times sealing (encrypt) of the
 * same document. Prints documents per second.
 *
 *   bench-sops-decrypt [N-DECRYPT [N-ENCRYPT]]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <seal.h>

#include "core/core.h"

static const char secret[] =
    "apiVersion: v1\n"
    "kind: Secret\n"
    "metadata:\n"
    "  name: db-credentials\n"
    "  namespace: prod\n"
    "type: Opaque\n"
    "stringData:\n"
    "  username: app\n"
    "  password: 8c1f0e7b2a9d4c3e\n"
    "  host: db.prod.svc.cluster.local\n"
    "  port: \"5432\"\n"
    "  url: postgres://app@db.prod.svc.cluster.local:5432/app\n";

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
check(seal_ctx *ctx, seal_rc rc, const char *what)
{
	if (rc != SEAL_OK) {
		fprintf(stderr, "bench: %s: %s\n", what, seal_ctx_errmsg(ctx));
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000, i;
	long ne = argc > 2 ? atol(argv[2]) : n / 10;
	seal_ctx *ctx = NULL;
	seal_identity *id = NULL;
	seal_sops_params *p = NULL;
	seal_sops_file *f = NULL;
	struct seal__secbuf sealed = SEAL__SECBUF_INIT, out = SEAL__SECBUF_INIT;
	char *rcpt = NULL;
	double t0, dt, c0, dc;

	check(ctx, seal_ctx_new(&ctx), "context");
	check(ctx, seal_identity_generate(ctx, &id), "keygen");
	check(ctx, seal_identity_recipient(ctx, id, 0, &rcpt), "recipient");
	check(ctx, seal_sops_params_new(ctx, &p), "params");
	check(ctx, seal_sops_params_add_age(ctx, p, rcpt), "params");
	check(ctx,
	    seal_sops_params_set_rule(
	        ctx, p, "encrypted_regex", "^(data|stringData)$"),
	    "rule");

	t0 = now();
	for (i = 0; i < (ne > 0 ? ne : 1); i++) {
		check(ctx,
		    seal_sops_load(ctx, secret, sizeof(secret) - 1,
		        SEAL_SOPS_YAML, "s.yaml", &f),
		    "load");
		check(ctx, seal_sops_encrypt(ctx, f, p), "encrypt");
		seal__secbuf_reset(&sealed);
		check(ctx,
		    seal_sops_write(ctx, f, 0, 0, seal__secbuf_writer, &sealed),
		    "write");
		seal_sops_free(f);
	}
	dt = now() - t0;
	if (ne < 1)
		ne = 1;
	printf("encrypt: %ld documents in %.3f s = %.0f documents/s\n", ne, dt,
	    (double)ne / dt);

	t0 = now();
	c0 = cpu();
	for (i = 0; i < n; i++) {
		check(ctx,
		    seal_sops_load(ctx, sealed.buf, sealed.len, SEAL_SOPS_YAML,
		        "s.yaml", &f),
		    "load");
		check(ctx, seal_sops_decrypt(ctx, f, id, SEAL_SOPS_READ_ONLY),
		    "decrypt");
		seal__secbuf_reset(&out);
		check(ctx,
		    seal_sops_write(ctx, f, 0, 0, seal__secbuf_writer, &out),
		    "write");
		seal_sops_free(f);
	}
	dt = now() - t0;
	dc = cpu() - c0;
	printf("decrypt: %ld documents in %.3f s = %.0f documents/s "
	       "(%.1f us each; sealed size %zu bytes)\n",
	    n, dt, (double)n / dt, dt / (double)n * 1e6, sealed.len);
	printf("decrypt: %.3f s of CPU = %.0f documents per CPU-second "
	       "(one thread)\n",
	    dc, (double)n / dc);
	if (out.len != sizeof(secret) - 1 ||
	    memcmp(out.buf, secret, out.len) != 0) {
		fprintf(stderr, "bench: round trip mismatch\n");
		return 1;
	}
	seal__secbuf_free(&sealed);
	seal__secbuf_free(&out);
	seal_sops_params_free(p);
	seal_identity_free(id);
	free(rcpt);
	seal_ctx_free(ctx);
	return 0;
}
