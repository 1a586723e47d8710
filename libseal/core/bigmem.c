/* SPDX-License-Identifier: ISC */
/*
 * bigmem.c - large blocks (STREAM batches, arena chunks, hash tables,
 * whole input files) on transparent huge pages where the kernel allows
 * them. On the VMs we measured on, touching a fresh 4 KiB page costs
 * 11-17 us, so megabytes in small pages cost more than the work done in
 * them; a 2 MiB page costs one fault (MADV_HUGEPAGE works with THP in the
 * common "madvise" mode). Two interfaces over one mapping routine:
 * seal__bigalloc/seal__bigfree (plaintext batches of the age stream: no
 * core dumps, wiped on free) and seal__bigmem (tree arenas; secret ones
 * also get guard pages and a best-effort mlock, as sodium_malloc gives).
 * Small blocks stay with seal__secalloc and malloc.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "core/core.h"

#define HUGE_SZ ((size_t)2 << 20)

static size_t
page_size(void)
{
	static size_t ps;

	if (ps == 0) {
		long v = sysconf(_SC_PAGESIZE);
		ps = v > 0 ? (size_t)v : 4096;
	}
	return ps;
}

/*
 * len bytes (a multiple of the page size) at a 2 MiB boundary, with
 * `guard` bytes of PROT_NONE on each side; the slack mmap needed for the
 * alignment is given back, so unmap_aligned needs only p and len.
 */
static unsigned char *
map_aligned(size_t len, size_t guard)
{
	size_t maplen = len + HUGE_SZ + 2 * guard, huge;
	unsigned char *raw, *p, *end;

	raw = mmap(NULL, maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	p = (unsigned char *)(((uintptr_t)raw + guard + HUGE_SZ - 1) &
	    ~(uintptr_t)(HUGE_SZ - 1));
	end = p + len + guard;
	if (p - guard > raw)
		munmap(raw, (size_t)(p - guard - raw));
	if (raw + maplen > end)
		munmap(end, (size_t)(raw + maplen - end));
	if (guard > 0 && (mprotect(p - guard, guard, PROT_NONE) != 0 ||
	    mprotect(p + len, guard, PROT_NONE) != 0)) {
		munmap(p - guard, len + 2 * guard);
		return NULL;
	}
	/* whole huge pages only: a tail of a few KiB stays in small pages */
	huge = len & ~(HUGE_SZ - 1);
#ifdef MADV_HUGEPAGE
	if (huge > 0)
		(void)madvise(p, huge, MADV_HUGEPAGE);
#endif
	return p;
}

static void
unmap_aligned(unsigned char *p, size_t len, size_t guard)
{
	munmap(p - guard, len + 2 * guard);
}

void *
seal__bigalloc(size_t len)
{
	unsigned char *p;

	if (len == 0 || len > SIZE_MAX / 2 - 2 * HUGE_SZ)
		return NULL;
	len = (len + page_size() - 1) & ~(page_size() - 1);
	if ((p = map_aligned(len, 0)) == NULL)
		return NULL;
#ifdef MADV_DONTDUMP
	(void)madvise(p, len, MADV_DONTDUMP);
#endif
	return p;
}

void
seal__bigfree(void *p, size_t len, size_t used)
{
	if (p == NULL)
		return;
	if (used > 0)
		sodium_memzero(p, used);
	unmap_aligned(p, (len + page_size() - 1) & ~(page_size() - 1), 0);
}

int
seal__bigmem_alloc(struct seal__bigmem *m, size_t len, bool secret)
{
	size_t guard = secret ? page_size() : 0, total;

	memset(m, 0, sizeof(*m));
	if (len == 0 || len > SIZE_MAX / 2 - 2 * HUGE_SZ)
		return -1;
	total = (len + HUGE_SZ - 1) & ~(HUGE_SZ - 1);
	if ((m->p = map_aligned(total, guard)) == NULL)
		return -1;
	m->raw = m->p - guard;
	m->rawlen = total + 2 * guard;
	m->len = total;
	m->secret = secret;
	if (secret) {
#ifdef MADV_DONTDUMP
		(void)madvise(m->p, total, MADV_DONTDUMP);
#endif
		m->locked = mlock(m->p, total) == 0;
	}
	return 0;
}

void
seal__bigmem_free(struct seal__bigmem *m, size_t used)
{
	if (m->raw == NULL)
		return;
	if (m->secret) {
		sodium_memzero(m->p, used < m->len ? used : m->len);
		if (m->locked)
			(void)munlock(m->p, m->len);
	}
	unmap_aligned(m->p, m->len, m->secret ? page_size() : 0);
	memset(m, 0, sizeof(*m));
}
