/* SPDX-License-Identifier: ISC */
/*
 * bigmem.c - large blocks (arena chunks, hash tables, whole input files)
 * on transparent huge pages where the kernel allows them. On the VMs we
 * run on, touching a fresh 4 KiB page costs 11-17 us, so a 10 MB file
 * that the tree copies, encrypts and indexes spent a third of its time
 * in page faults; a 2 MiB page costs one fault. Secret blocks keep what
 * sodium_malloc gives: guard pages on both sides, mlock (best effort,
 * as libsodium does), excluded from core dumps, wiped before unmapping.
 * Small blocks stay with seal__secalloc and malloc.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "tree.h"

#define HUGE_PAGE ((size_t)2 << 20)

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

int
seal__bigmem_alloc(struct seal__bigmem *m, size_t len, bool secret)
{
	size_t pg = page_size(), total, rawlen;
	uintptr_t start;
	unsigned char *raw;

	memset(m, 0, sizeof(*m));
	if (len == 0 || len > SIZE_MAX / 2 - 2 * HUGE_PAGE)
		return -1;
	total = (len + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	/* room to align to a huge page, with a guard page on each side */
	rawlen = total + HUGE_PAGE + 2 * pg;
	raw = mmap(NULL, rawlen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return -1;
	start = ((uintptr_t)raw + pg + HUGE_PAGE - 1) &
	    ~(uintptr_t)(HUGE_PAGE - 1);
	m->raw = raw;
	m->rawlen = rawlen;
	m->p = (unsigned char *)start;
	m->len = total;
	m->secret = secret;
#ifdef MADV_HUGEPAGE
	(void)madvise(m->p, total, MADV_HUGEPAGE);
#endif
	if (secret) {
		if (mprotect(m->p - pg, pg, PROT_NONE) != 0 ||
		    mprotect(m->p + total, pg, PROT_NONE) != 0) {
			munmap(raw, rawlen);
			memset(m, 0, sizeof(*m));
			return -1;
		}
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
	munmap(m->raw, m->rawlen);
	memset(m, 0, sizeof(*m));
}
