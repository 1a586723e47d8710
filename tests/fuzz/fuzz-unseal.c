/* SPDX-License-Identifier: ISC */
/*
 * fuzz-unseal.c - libFuzzer target for unseal's own text handling (the
 * KRM config and ResourceList are parsed by libseal's YAML store, fuzzed
 * by fuzz-yaml): the first byte picks one of
 *   0: a YAML stream through unseal_bytes (document cutting at "---",
 *      runs of documents sharing a sops MAC, clear documents copied),
 *   1: the same as JSON output (what the KRM function writes),
 *   2: a kustomize output stream through rewrite_stream (sops block and
 *      ENC[...] scanning) with an empty token table.
 * No key is loaded, so nothing decrypts; the target checks that every
 * input is handled without touching memory it must not, and that a
 * staged output never passes its limit. (Refusals print one line each
 * on stderr; run with -close_fd_mask=2 to hush them.)
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tools/common/util.h"
#include "tools/unseal/unseal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* main.c is a program's: what cmd-render.c and kustomize.c call of it */
void
unseal_set_child(int pid)
{
	(void)pid;
}
int
unseal_options(struct unseal_run *r, int *argc, char **argv,
    const struct unseal_mode *m)
{
	(void)r, (void)argc, (void)argv, (void)m;
	return 2;
}
int
unseal_start(struct unseal_run *r)
{
	(void)r;
	return 2;
}
int
unseal_finish(struct unseal_run *r)
{
	(void)r;
	return 2;
}
void
unseal_end(struct unseal_run *r)
{
	(void)r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static seal_ctx *ctx;
	struct unseal_run r;
	struct unseal_tokens *tk;

	if (ctx == NULL) {
		verbosity = -1;
		if (seal_ctx_new(&ctx) != SEAL_OK)
			abort();
	}
	if (size < 1)
		return 0;
	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.max_file = 1u << 20;
	r.max_docs = 1000;
	r.max_depth = 64;
	r.max_nodes = 100000;
	r.max_output = r.out.max = 4u << 20;
	r.namespace = "team-a";
	switch (data[0] % 3) {
	case 0:
	case 1:
		r.out.json = data[0] % 3 == 1;
		(void)unseal_bytes(&r, "fuzz.yaml", 0, data + 1, size - 1,
		    &r.out, NULL);
		break;
	default:
		if ((tk = tokens_new()) == NULL)
			abort();
		(void)rewrite_stream(&r, tk, (const char *)data + 1, size - 1);
		tokens_free(tk);
		break;
	}
	if (r.out.len > r.out.max)
		abort();
	obuf_free(&r.out);
	return 0;
}
