/* SPDX-License-Identifier: ISC */
/*
 * fuzz-loose.c - libFuzzer target for the scanner's loose-object reader
 * (gix_loose_decode, hooks/git/objects.c): byte 0 picks the type asked
 * for (blob, tree, commit) and whether the whole file is there (bit 2
 * clear) or only its first bytes; the rest is the file, a zlib stream of
 * "<type> <size>\0<content>". Never a crash or leak; an object read
 * is exactly as long as its header says, and never over the limit.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "hooks/git/git.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "blob", "tree", "commit",
		"tag" };
	const size_t max = 1u << 16;
	char *out = NULL;
	size_t len = 0;
	uint64_t osize = 0;
	int rc;

	if (size < 1)
		return 0;
	rc = gix_loose_decode(data + 1, size - 1, (data[0] & 4) == 0,
	    types[data[0] & 3], max, &out, &len, &osize);
	if (rc == GIX_OK) {
		if (out == NULL || len != osize || len > max || out[len] != 0)
			abort();
		free(out);
	} else if (out != NULL) {
		abort(); /* nothing handed out on failure */
	} else if (rc == 1 && osize <= max) {
		abort(); /* "too large" only when it is */
	}
	return 0;
}
