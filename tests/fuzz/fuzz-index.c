/* SPDX-License-Identifier: ISC */
/*
 * fuzz-index.c - libFuzzer target for the scanner's own git readers
 * (hooks/git/index.c, hooks/git/objects.c). First byte 0: the rest is an index
 * file whose SHA-1 trailer the harness appends (so the fuzzer reaches
 * past the checksum); it is parsed, every entry looked up again and the
 * staged walk run against an unborn HEAD. First byte 1: a pack delta,
 * "<base length byte><base><delta>", applied. Never a crash or leak.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "hooks/git/git.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
count(void *arg, const struct gix_entry *e)
{
	(*(size_t *)arg)++;
	return e->pathlen == 0; /* never: a parsed path is not empty */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gix_index *ix = NULL;
	struct gix_repo repo;
	char err[256] = "";
	unsigned char *buf;
	unsigned int mdlen;
	size_t i, n = 0;
	int rc;

	if (size < 1)
		return 0;
	if (data[0] == 1) {
		char *out = NULL;
		size_t olen = 0, bl = size > 1 ? data[1] : 0;
		if (size < 2 + bl)
			return 0;
		if (gix_delta_apply((const char *)data + 2, bl,
			(const char *)data + 2 + bl, size - 2 - bl, &out,
			&olen) == GIX_OK)
			free(out);
		return 0;
	}
	if ((buf = malloc(size - 1 + 32)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	EVP_Digest(buf, size - 1, buf + size - 1, &mdlen, EVP_sha1(), NULL);
	rc = gix_index_parse(buf, size - 1 + 20, &ix, err, sizeof(err));
	if (rc == GIX_OK) {
		for (i = 0; i < ix->n; i++) {
			const struct gix_entry *e = &ix->e[i];
			if (((e->flags >> 12) & 3) == 0 &&
			    gix_index_find(ix, e->path) != e)
				abort(); /* every stage-0 entry findable */
		}
		memset(&repo, 0, sizeof(repo));
		(void)gix_staged(&repo, ix, NULL, count, &n);
		gix_index_free(ix);
	} else if (err[0] == '\0' && rc != GIX_NOMEM)
		abort(); /* a rejection always says why */
	free(buf);
	return 0;
}
