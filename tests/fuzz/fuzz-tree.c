/* SPDX-License-Identifier: ISC */
/*
 * fuzz-tree.c - libFuzzer target for the tree-object reader of the
 * staged walk (gix_tree_check, hooks/git/diff.c): the input is a tree's
 * content, "<octal mode> <name>\0<20-byte id>"... Never a crash or leak;
 * every accepted entry takes at least 23 bytes.
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
	size_t n = 0;

	if (gix_tree_check((const char *)data, size, &n) == GIX_OK &&
	    n * 23 > size)
		abort();
	return 0;
}
