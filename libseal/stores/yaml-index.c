/* SPDX-License-Identifier: ISC */
/*
 * yaml-index.c - the YAML reader's two hash tables: anchors of the
 * current document (name -> node and its expanded size, for alias
 * expansion under the node budget) and (map, key) pairs for duplicate
 * key detection in big maps. Plain memory: names and keys, no values.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "stores/yaml-reader.h"

static uint64_t
hash_bytes(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* -- anchors ------------------------------------------------------------ */

void
seal__yaml_anchors_clear(struct rd *r)
{
	size_t i;

	for (i = 0; i < r->capan; i++)
		free(r->an[i].name);
	free(r->an);
	r->an = NULL;
	r->nan = r->capan = 0;
}

static long
anchor_slot(struct rd *r, const char *name)
{
	size_t m = r->capan - 1, i;

	i = (size_t)hash_bytes(name, strlen(name), 14695981039346656037ull) & m;
	while (r->an[i].name != NULL && strcmp(r->an[i].name, name) != 0)
		i = (i + 1) & m;
	return (long)i;
}

long
seal__yaml_anchor_find(struct rd *r, const char *name)
{
	long i;

	if (r->capan == 0)
		return -1;
	i = anchor_slot(r, name);
	return r->an[i].name != NULL ? i : -1;
}

static int
anchor_grow(struct rd *r)
{
	struct anchor *old = r->an;
	size_t oldcap = r->capan, i;

	r->capan = oldcap ? oldcap * 2 : 64;
	r->an = calloc(r->capan, sizeof(*r->an));
	if (r->an == NULL) {
		r->an = old;
		r->capan = oldcap;
		return -1;
	}
	for (i = 0; i < oldcap; i++)
		if (old[i].name != NULL)
			r->an[anchor_slot(r, old[i].name)] = old[i];
	free(old);
	return 0;
}

/* Define (or redefine) an anchor; returns its slot or -1. */
long
seal__yaml_anchor_set(struct rd *r, const char *name, struct seal__node *n,
    size_t count)
{
	long i;

	if ((r->nan + 1) * 2 > r->capan && anchor_grow(r) != 0)
		return -1;
	i = anchor_slot(r, name);
	if (r->an[i].name == NULL) {
		r->an[i].name = strdup(name);
		if (r->an[i].name == NULL)
			return -1;
		r->nan++;
	}
	r->an[i].node = n;
	r->an[i].count = count;
	r->an[i].measured = false;
	return i;
}

/* -- duplicate keys ----------------------------------------------------- */

/* tables from this size on go on huge pages (bigmem.c) */
#define DUP_BIG ((size_t)1 << 20)

static uint64_t
dup_hash(const struct seal__node *map, const char *k, size_t kl)
{
	uint64_t h = hash_bytes(&map, sizeof(map), 14695981039346656037ull);

	h = hash_bytes(k, kl, h);
	/* FNV's low bits are weak; mix before masking */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static size_t
dup_slot(const struct dupent *tab, size_t cap, const struct seal__node *map,
    const char *k, size_t kl, uint64_t h)
{
	size_t m = cap - 1, i = (size_t)h & m;
	uint32_t hi = (uint32_t)(h >> 32);

	while (tab[i].map != NULL && !(tab[i].h == hi &&
	    tab[i].map == map && tab[i].keylen == kl &&
	    memcmp(tab[i].key, k, kl) == 0))
		i = (i + 1) & m;
	return i;
}

static struct dupent *
dup_table(struct seal__bigmem *mem, size_t cap)
{
	size_t bytes = cap * sizeof(struct dupent);

	memset(mem, 0, sizeof(*mem));
	if (bytes >= DUP_BIG && seal__bigmem_alloc(mem, bytes, false) == 0)
		return (struct dupent *)mem->p; /* zero-filled */
	return calloc(cap, sizeof(struct dupent));
}

static void
dup_table_free(struct dupent *tab, struct seal__bigmem *mem)
{
	if (mem->raw != NULL)
		seal__bigmem_free(mem, 0);
	else
		free(tab);
}

void
seal__yaml_dup_free(struct rd *r)
{
	dup_table_free(r->dup, &r->dupmem);
	r->dup = NULL;
	r->ndup = r->capdup = 0;
}

/* 1 if (map, key) was already there, 0 if added, -1 on out-of-memory */
int
seal__yaml_dup_add(struct rd *r, const struct seal__node *map, const char *k,
    size_t kl)
{
	uint64_t h;
	size_t i;

	if (kl > UINT32_MAX)
		return -1;
	if ((r->ndup + 1) * 2 > r->capdup) {
		struct dupent *old = r->dup, *nt;
		struct seal__bigmem oldmem = r->dupmem, nm;
		size_t oldcap = r->capdup, ncap = oldcap ? oldcap * 2 : 256;

		nt = dup_table(&nm, ncap);
		if (nt == NULL)
			return -1;
		for (i = 0; i < oldcap; i++) {
			if (old[i].map == NULL)
				continue;
			h = dup_hash(old[i].map, old[i].key, old[i].keylen);
			nt[dup_slot(nt, ncap, old[i].map, old[i].key,
			    old[i].keylen, h)] = old[i];
		}
		dup_table_free(old, &oldmem);
		r->dup = nt;
		r->dupmem = nm;
		r->capdup = ncap;
	}
	h = dup_hash(map, k, kl);
	i = dup_slot(r->dup, r->capdup, map, k, kl, h);
	if (r->dup[i].map != NULL)
		return 1;
	r->dup[i].map = map;
	r->dup[i].key = k;
	r->dup[i].keylen = (uint32_t)kl;
	r->dup[i].h = (uint32_t)(h >> 32);
	r->ndup++;
	return 0;
}
