/* SPDX-License-Identifier: ISC */
/*
 * fuzz-pack.c - libFuzzer target for the pack-entry reader (gix_pack_entry,
 * hooks/git/pack.c): the input is a pack file; its first entry (offset
 * 12) is read with deltas resolved, then the entry at the offset its
 * last two bytes name. REF_DELTA bases are looked up in an index of one
 * object (the first entry, under id 00..01). Never a crash or leak; an
 * object read is never over the limit.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/git/git.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* a version 2 index: one id, 00..01, at offset 12 */
static unsigned char idx[8 + 1024 + 20 + 4 + 4];

static void
entry(const struct gix_pack *pk, uint64_t at)
{
	const size_t max = 1u << 20;
	char *out = NULL;
	size_t len = 0;
	uint64_t osize = 0;
	int type = 0, rc;

	rc = gix_pack_entry(pk, at, max, &type, &out, &len, &osize);
	if (rc == GIX_OK) {
		if (out == NULL || len > max || type < 1 || type > 4)
			abort();
		free(out);
	} else if (out != NULL) {
		abort();
	} else if (rc == 1 && osize <= max) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gix_pack pk;
	size_t i;

	if (size < 12 + 20 + 1)
		return 0;
	memcpy(idx, "\377tOc\0\0\0\2", 8);
	for (i = 0; i < 256; i++) /* fan-out: one id, 00..01 */
		idx[8 + 4 * i + 3] = 1;
	idx[8 + 1024 + 19] = 1;
	idx[8 + 1024 + 20 + 4 + 3] = 12;
	memset(&pk, 0, sizeof(pk));
	pk.pack = data;
	pk.packlen = size;
	pk.idx = idx;
	pk.idxlen = sizeof(idx);
	pk.n = 1;
	entry(&pk, 12);
	i = (size_t)data[size - 2] << 8 | data[size - 1];
	if (i > 12 && i < size - 20)
		entry(&pk, i);
	return 0;
}
