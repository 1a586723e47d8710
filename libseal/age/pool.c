/* SPDX-License-Identifier: ISC */
/*
 * age/pool.c - sealing and opening STREAM chunks, one at a time or as a
 * batch spread over all cores. Chunks are claimed one by one from an
 * atomic word (batch generation, chunk count, next index), so a thread
 * the scheduler delays holds up at most the chunk it claimed, and a
 * thread waking late for an old batch claims nothing. No I/O here.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "age/age.h"

#define CH SEAL_AGE_CHUNK_BYTES
#define CT SEAL__AGE_CT_CHUNK

#define CLAIM(gen, n) ((uint64_t)(gen) << 40 | (uint64_t)(n) << 20)

static void
set_nonce(unsigned char nonce[12], uint64_t ctr, int last)
{
	int i;

	memset(nonce, 0, 12);
	for (i = 0; i < 8; i++)
		nonce[10 - i] = (unsigned char)(ctr >> (8 * i));
	nonce[11] = last ? 1 : 0;
}


/*
 * Seal or open one chunk. *a is a lazily created OpenSSL context for big
 * chunks past the first SEAL__AGE_EVP_FROM (the caller frees it); small
 * and early ones go through libsodium, so that files of a few MiB never
 * pay for OpenSSL's initialisation.
 */
int
seal__chunk_seal(struct seal__aead *a, unsigned char *ct, const unsigned char *pt,
    size_t n, const unsigned char key[32], uint64_t ctr, int last)
{
	unsigned char nonce[12];

	set_nonce(nonce, ctr, last);
	if (n >= SEAL__AGE_SMALL_CHUNK && ctr >= SEAL__AGE_EVP_FROM &&
	    a != NULL && (a->ctx != NULL || seal__aead_init(a, key, 1) == 0))
		return seal__aead_seal(a, ct, pt, n, nonce);
	return crypto_aead_chacha20poly1305_ietf_encrypt(ct, NULL, pt, n, NULL,
	    0, NULL, nonce, key);
}

int
seal__chunk_open(struct seal__aead *a, unsigned char *pt, const unsigned char *ct,
    size_t n, const unsigned char key[32], uint64_t ctr, int last)
{
	unsigned char nonce[12];

	if (n < 16)
		return -1;
	set_nonce(nonce, ctr, last);
	if (n >= SEAL__AGE_SMALL_CHUNK && ctr >= SEAL__AGE_EVP_FROM &&
	    a != NULL && (a->ctx != NULL || seal__aead_init(a, key, 0) == 0))
		return seal__aead_open(a, pt, ct, n, nonce);
	return crypto_aead_chacha20poly1305_ietf_decrypt(pt, NULL, NULL, ct, n,
	    NULL, 0, nonce, key);
}

/*
 * ---- a tiny parallel-for over one batch ------------------------------
 * Chunks are claimed one at a time from an atomic word holding the batch
 * generation, its chunk count and the next index, so a thread that the
 * scheduler delays never holds up more than the one chunk it claimed, and
 * a thread waking up late for an old batch claims nothing.
 */

static long
claim(struct seal__job *j, uint64_t gen)
{
	uint64_t v = atomic_load(&j->claim);

	for (;;) {
		if ((v >> 40) != gen || (v & 0xfffff) >= ((v >> 20) & 0xfffff))
			return -1;
		if (atomic_compare_exchange_weak(&j->claim, &v, v + 1))
			return (long)(v & 0xfffff);
	}
}

static void
run_part(struct seal__pool *p, struct seal__job *j, uint64_t gen)
{
	struct seal__aead a = { NULL };
	size_t n;
	long i;
	int last;

	while ((i = claim(j, gen)) >= 0) {
		last = j->last_final && (size_t)i == j->nchunks - 1;
		if (j->encrypt) {
			n = (size_t)i == j->nchunks - 1
			    ? j->inlen - (size_t)i * CH
			    : CH;
			j->res[i] = (signed char)seal__chunk_seal(&a,
			    j->out + (size_t)i * CT, j->in + (size_t)i * CH, n,
			    j->key, j->ctr0 + (uint64_t)i, last);
		} else {
			n = (size_t)i == j->nchunks - 1
			    ? j->inlen - (size_t)i * CT
			    : CT;
			j->res[i] = (signed char)seal__chunk_open(&a,
			    j->out + (size_t)i * CH, j->in + (size_t)i * CT, n,
			    j->key, j->ctr0 + (uint64_t)i, last);
		}
		if (atomic_fetch_add(&j->done, 1) + 1 == j->nchunks &&
		    p != NULL && p->nth > 0) {
			pthread_mutex_lock(&p->mu);
			pthread_cond_broadcast(&p->done);
			pthread_mutex_unlock(&p->mu);
		}
	}
	seal__aead_free(&a);
}

struct worker_arg {
	struct seal__pool *p;
	int idx;
};

static void *
worker(void *arg)
{
	struct worker_arg *wa = arg;
	struct seal__pool *p = wa->p;
	uint64_t seen = 0;
	struct seal__job *j;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->quit && p->gen == seen)
			pthread_cond_wait(&p->go, &p->mu);
		if (p->quit)
			break;
		seen = p->gen;
		j = p->job;
		pthread_mutex_unlock(&p->mu);
		run_part(p, j, seen);
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	free(wa);
	return NULL;
}

int
seal__pool_start(struct seal__pool *p)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int i, want;

	want = ncpu > SEAL__AGE_MAX_THREADS ? SEAL__AGE_MAX_THREADS : (int)ncpu;
	if (want <= 1)
		return 0;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->go, NULL);
	pthread_cond_init(&p->done, NULL);
	for (i = 0; i < want - 1; i++) {
		struct worker_arg *wa = malloc(sizeof(*wa));
		if (wa == NULL)
			break;
		wa->p = p;
		wa->idx = i;
		if (pthread_create(&p->th[i], NULL, worker, wa) != 0) {
			free(wa);
			break;
		}
		p->nth++;
	}
	return 0;
}

/* Publish a filled-in job to the workers; the caller goes on meanwhile. */
void
seal__pool_publish(struct seal__pool *p, struct seal__job *j)
{
	j->gen = ++p->next_gen;
	atomic_store(&j->done, 0);
	atomic_store(&j->claim, CLAIM(j->gen, j->nchunks));
	if (p->nth == 0 || j->nchunks < 2)
		return;
	pthread_mutex_lock(&p->mu);
	p->job = j;
	p->gen = j->gen;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
}

/* Claim what is left of a published job, then wait for the rest. */
void
seal__pool_finish(struct seal__pool *p, struct seal__job *j)
{
	if (p->nth == 0 || j->nchunks < 2) {
		run_part(NULL, j, j->gen);
		return;
	}
	run_part(p, j, j->gen);
	pthread_mutex_lock(&p->mu);
	while (atomic_load(&j->done) < j->nchunks)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

void
seal__pool_stop(struct seal__pool *p)
{
	int i;

	if (p->nth == 0)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nth; i++)
		pthread_join(p->th[i], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->go);
	pthread_cond_destroy(&p->done);
	p->nth = 0;
}

void
seal__job_set(struct seal__job *j, int encrypt, const unsigned char *key,
    unsigned char *in, unsigned char *out, size_t inlen, size_t nchunks,
    uint64_t ctr0, int last_final)
{
	j->encrypt = encrypt;
	j->key = key;
	j->in = in;
	j->out = out;
	j->inlen = inlen;
	j->nchunks = nchunks;
	j->ctr0 = ctr0;
	j->last_final = last_final;
}

