/* SPDX-License-Identifier: ISC */
/*
 * fuzz-delta.c - libFuzzer target for the pack delta interpreter
 * (gix_delta_apply, hooks/git/pack.c): "<base length byte><base><delta>".
 * Never a crash or leak; a delta applied yields exactly the size it
 * declares.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "hooks/git/git.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL;
	size_t olen = 0, bl;

	if (size < 1)
		return 0;
	bl = data[0];
	if (size < 1 + bl)
		return 0;
	if (gix_delta_apply((const char *)data + 1, bl,
		(const char *)data + 1 + bl, size - 1 - bl, &out,
		&olen) == GIX_OK) {
		if (out == NULL || out[olen] != 0)
			abort();
		free(out);
	} else if (out != NULL) {
		abort();
	}
	return 0;
}
