/* SPDX-License-Identifier: ISC */
/*
 * bench-unseal-corpus.c - the corpus of bench-unseal.sh in one process:
 * N Secret manifests, each sealed on its own (its own data key, MAC and
 * lastmodified, as files sealed one by one with `seal encrypt` are), file
 * i for recipient i % R, written as OUTDIR/sNNNNN.yaml. One process
 * instead of N `seal encrypt` runs, so that making 10,000 files takes
 * seconds, not minutes on a loaded machine. Not a benchmark itself.
 *
 *   bench-unseal-corpus OUTDIR N RECIPIENT...
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <seal.h>

#include "core/core.h"

static void
check(seal_ctx *ctx, seal_rc rc, const char *what)
{
	if (rc != SEAL_OK) {
		fprintf(stderr, "bench-unseal-corpus: %s: %s\n", what,
		    ctx ? seal_ctx_errmsg(ctx) : "error");
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	seal_ctx *ctx = NULL;
	seal_sops_params **p;
	seal_sops_file *f;
	struct seal__secbuf out = SEAL__SECBUF_INIT;
	char doc[1024], path[4096];
	long n, i;
	int r, nr;
	FILE *fp;

	if (argc < 4) {
		fprintf(stderr, "usage: bench-unseal-corpus OUTDIR N RECIPIENT...\n");
		return 2;
	}
	n = atol(argv[2]);
	nr = argc - 3;
	check(ctx, seal_ctx_new(&ctx), "context");
	if ((p = calloc((size_t)nr, sizeof(*p))) == NULL)
		return 2;
	for (r = 0; r < nr; r++) {
		check(ctx, seal_sops_params_new(ctx, &p[r]), "params");
		check(ctx, seal_sops_params_add_age(ctx, p[r], argv[3 + r]),
		    "recipient");
		check(ctx,
		    seal_sops_params_set_rule(
		        ctx, p[r], "encrypted_regex", "^(data|stringData)$"),
		    "rule");
	}
	for (i = 0; i < n; i++) {
		int len = snprintf(doc, sizeof(doc),
		    "apiVersion: v1\n"
		    "kind: Secret\n"
		    "metadata:\n"
		    "  name: app-%05ld\n"
		    "  namespace: team-%02ld\n"
		    "  labels:\n"
		    "    app: app-%05ld\n"
		    "type: Opaque\n"
		    "stringData:\n"
		    "  username: app%05ld\n"
		    "  password: %08lx%08lx%08lx\n"
		    "  host: db-%05ld.team-%02ld.svc.cluster.local\n"
		    "  port: \"5432\"\n"
		    "  url: postgres://app%05ld@db-%05ld.team-%02ld.svc:5432/app\n",
		    i, i % nr, i, i, (unsigned long)(i * 2654435761u),
		    (unsigned long)(i * 40503u + 7), (unsigned long)(i ^ 0x5bd1e995u),
		    i, i % nr, i, i, i % nr);
		check(ctx,
		    seal_sops_load(ctx, doc, (size_t)len, SEAL_SOPS_YAML,
		        "s.yaml", &f),
		    "load");
		check(ctx, seal_sops_encrypt(ctx, f, p[i % nr]), "encrypt");
		seal__secbuf_reset(&out);
		check(ctx, seal_sops_write(ctx, f, 0, 0, seal__secbuf_writer, &out),
		    "write");
		seal_sops_free(f);
		snprintf(path, sizeof(path), "%s/s%05ld.yaml", argv[1], i);
		if ((fp = fopen(path, "w")) == NULL ||
		    fwrite(out.buf, 1, out.len, fp) != out.len || fclose(fp) != 0) {
			fprintf(stderr, "bench-unseal-corpus: cannot write '%s'\n",
			    path);
			return 2;
		}
	}
	seal__secbuf_free(&out);
	for (r = 0; r < nr; r++)
		seal_sops_params_free(p[r]);
	free(p);
	seal_ctx_free(ctx);
	return 0;
}
