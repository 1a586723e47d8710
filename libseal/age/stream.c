/* SPDX-License-Identifier: ISC */
/*
 * age/stream.c - the STREAM payload: ChaCha20-Poly1305 over 64 KiB chunks
 * with an 11-byte counter and a last-chunk flag. Big inputs go through in
 * batches whose chunks are sealed or opened on all cores (chunks are
 * independent given the counter), so memory stays flat in file size.
 * Release order and error points follow the reference reader exactly.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "age/age.h"

#define CH SEAL_AGE_CHUNK_BYTES
#define CT SEAL__AGE_CT_CHUNK
#define BATCH SEAL__AGE_BATCH

int
seal__age_payload_key(unsigned char key[32], const unsigned char *fk,
    const unsigned char nonce[16])
{
	return seal__hkdf_sha256(key, 32, fk, SEAL__AGE_FILE_KEY, nonce, 16,
	    "payload", 7);
}

int
seal__read_full(seal_read_fn read, void *arg, unsigned char *buf, size_t len,
    size_t *got)
{
	size_t n;

	*got = 0;
	while (*got < len) {
		n = 0;
		if (read(arg, buf + *got, len - *got, &n) != 0)
			return -1;
		if (n == 0)
			break;
		*got += n;
	}
	return 0;
}

/* ---- encryption ------------------------------------------------------ */

/* Input of one batch: plaintext, ciphertext room, how much, at EOF? */
struct ebuf {
	unsigned char *pt, *ct;
	size_t have, used; /* used: high-water mark, wiped at the end */
	int eof;
};

/*
 * Fill b with up to cap bytes (after a carried byte, if any) and decide
 * EOF with one byte of look-ahead, carried into the next batch.
 */
static seal_rc
fill(seal_ctx *ctx, seal_read_fn read, void *rarg, struct ebuf *b,
    size_t cap, unsigned char *carry, int *carried)
{
	size_t got, c1;

	b->have = 0;
	if (*carried) {
		b->pt[0] = *carry;
		b->have = 1;
		*carried = 0;
	}
	if (seal__read_full(read, rarg, b->pt + b->have, cap - b->have,
		&got) != 0)
		return seal__err(ctx, SEAL_EIO, "cannot read input");
	b->have += got;
	if (b->have > b->used)
		b->used = b->have;
	b->eof = b->have < cap;
	if (!b->eof) {
		if (seal__read_full(read, rarg, carry, 1, &c1) != 0)
			return seal__err(ctx, SEAL_EIO, "cannot read input");
		b->eof = c1 == 0;
		*carried = c1 == 1;
	}
	return SEAL_OK;
}

/*
 * Seal one filled batch. While the workers seal it, the caller reads the
 * next batch into *next (if any), so I/O and crypto overlap.
 */
static seal_rc
seal_batch(seal_ctx *ctx, struct seal__pool *pool, const unsigned char key[32],
    struct ebuf *cur, struct ebuf *next, size_t cap, uint64_t *ctr,
    seal_read_fn read, void *rarg, unsigned char *carry, int *carried,
    seal_write_fn write, void *warg)
{
	struct seal__job job;
	seal_rc rc = SEAL_OK;
	size_t i;

	seal__job_set(&job, 1, key, cur->pt, cur->ct, cur->have,
	    cur->have == 0 ? 1 : (cur->have + CH - 1) / CH, *ctr, cur->eof);
	seal__pool_publish(pool, &job);
	if (!cur->eof && next != NULL)
		rc = fill(ctx, read, rarg, next, cap, carry, carried);
	seal__pool_finish(pool, &job);
	if (rc != SEAL_OK)
		return rc;
	for (i = 0; i < job.nchunks; i++)
		if (job.res[i] != 0)
			return seal__err(ctx, SEAL_ENOMEM,
			    "cannot encrypt chunk %llu",
			    (unsigned long long)(*ctr + i));
	if (write(warg, cur->ct, cur->have + 16 * job.nchunks) != 0)
		return seal__err(ctx, SEAL_EIO, "cannot write output");
	*ctr += job.nchunks;
	return SEAL_OK;
}

seal_rc
seal__stream_encrypt(seal_ctx *ctx, const unsigned char key[32],
    seal_read_fn read, void *rarg, seal_write_fn write, void *warg)
{
	struct ebuf small = { NULL, NULL, 0, 0, 0 }, big[2];
	struct seal__bigmem bigpt[2]; /* the plaintext batches: secret */
	unsigned char carry = 0;
	uint64_t ctr = 0;
	struct seal__pool pool;
	int carried = 0, k, cur = 0;
	const size_t cap = (size_t)BATCH * CH;
	seal_rc rc;

	memset(&pool, 0, sizeof(pool));
	memset(big, 0, sizeof(big));
	memset(bigpt, 0, sizeof(bigpt));
	/* one chunk first: small inputs never touch a big buffer */
	/* one chunk: ordinary memory, wiped (a guarded block per file would
	 * cost more than the chunk; the batches below are secret memory) */
	small.pt = malloc(CH);
	small.ct = malloc(CT);
	if (small.pt == NULL || small.ct == NULL) {
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = fill(ctx, read, rarg, &small, CH, &carry, &carried)) !=
	    SEAL_OK ||
	    (rc = seal_batch(ctx, &pool, key, &small, NULL, 0, &ctr, read,
		 rarg, &carry, &carried, write, warg)) != SEAL_OK ||
	    small.eof)
		goto out;
	for (k = 0; k < 2; k++) {
		big[k].pt = seal__bigmem_alloc(&bigpt[k], cap, true) == 0 ?
		    bigpt[k].p : NULL;
		big[k].ct = seal__bigalloc((size_t)BATCH * CT);
		if (big[k].pt == NULL || big[k].ct == NULL) {
			rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
			goto out;
		}
	}
	seal__pool_start(&pool);
	if ((rc = fill(ctx, read, rarg, &big[0], cap, &carry, &carried)) !=
	    SEAL_OK)
		goto out;
	for (;;) {
		rc = seal_batch(ctx, &pool, key, &big[cur], &big[1 - cur], cap,
		    &ctr, read, rarg, &carry, &carried, write, warg);
		if (rc != SEAL_OK || big[cur].eof)
			break;
		cur = 1 - cur;
	}
out:
	seal__pool_stop(&pool);
	if (small.pt != NULL) {
		sodium_memzero(small.pt, small.used);
		free(small.pt);
	}
	free(small.ct);
	for (k = 0; k < 2; k++) {
		seal__bigmem_free(&bigpt[k], big[k].used);
		seal__bigfree(big[k].ct, (size_t)BATCH * CT, 0);
	}
	carry = 0;
	return rc;
}

/* ---- decryption ------------------------------------------------------ */

static seal_rc
perr(seal_ctx *ctx, const char *what, uint64_t ctr)
{
	return seal__err(ctx, SEAL_EPAYLOAD,
	    "cannot decrypt age payload: %s (chunk %llu)", what,
	    (unsigned long long)ctr);
}

/* Ciphertext of one batch: pre-read bytes first, then the reader. */
struct dsrc {
	const unsigned char *pre;
	size_t prelen;
	seal_read_fn read;
	void *rarg;
};

static seal_rc
dfill(seal_ctx *ctx, struct dsrc *d, unsigned char *in, size_t want,
    size_t *have, int *eof)
{
	size_t got;

	*have = 0;
	*eof = 0;
	if (d->prelen > 0) {
		*have = d->prelen < want ? d->prelen : want;
		memcpy(in, d->pre, *have);
		d->pre += *have;
		d->prelen -= *have;
	}
	if (*have < want) {
		if (seal__read_full(d->read, d->rarg, in + *have, want - *have,
			&got) != 0)
			return seal__err(ctx, SEAL_EIO, "cannot read input");
		*have += got;
		*eof = *have < want;
	}
	return SEAL_OK;
}

/*
 * Open one batch and release its chunks in order up to the first failure
 * or the final chunk (*final set to its index, else -1).
 */
static seal_rc
release(seal_ctx *ctx, struct seal__job *j, const unsigned char key[32],
    seal_write_fn write, void *warg, long *final)
{
	size_t i, n, rel = 0;
	seal_rc rc = SEAL_OK;
	int last;

	*final = -1;
	for (i = 0; i < j->nchunks; i++) {
		n = i == j->nchunks - 1 ? j->inlen - i * CT : CT;
		last = j->last_final && i == j->nchunks - 1;
		if (last && n == 16 && j->ctr0 + i != 0) {
			rc = perr(ctx, "empty final chunk", j->ctr0 + i);
			break;
		}
		if (j->res[i] != 0) {
			/* not a middle chunk: a full-size final one? */
			if (last || n != CT ||
			    seal__chunk_open(NULL, j->out + i * CH, j->in + i * CT, n,
				key, j->ctr0 + i, 1) != 0) {
				rc = perr(ctx, "authentication failed",
				    j->ctr0 + i);
				break;
			}
			last = 1;
		}
		rel += n - 16;
		if (last) {
			*final = (long)i;
			break;
		}
	}
	if (rel > 0 && write(warg, j->out, rel) != 0)
		return seal__err(ctx, SEAL_EIO, "cannot write output");
	return rc;
}

/*
 * The final chunk (index final of job, ctr its batch's first counter)
 * must end the input: no chunk after it in the batch, nothing read ahead
 * or left in the prefix, and (when not at EOF) nothing more to read.
 */
static seal_rc
check_input_end(seal_ctx *ctx, const struct dsrc *d,
    const struct seal__job *job, long final, uint64_t ctr, int ahead,
    size_t have_ahead, int eof)
{
	unsigned char probe;
	size_t got;

	if ((size_t)final + 1 < job->nchunks || (ahead && have_ahead > 0) ||
	    (!ahead && d->prelen > 0))
		goto trailing;
	if (!eof && !ahead) {
		if (seal__read_full(d->read, d->rarg, &probe, 1, &got) != 0)
			return seal__err(ctx, SEAL_EIO, "cannot read input");
		if (got != 0)
			goto trailing;
	}
	return SEAL_OK;
trailing:
	return perr(ctx, "trailing data after the final chunk",
	    ctr + (uint64_t)final);
}

/*
 * More than a chunk: the one-chunk buffers (pt wiped) give way to two
 * full-size input batches and a secret plaintext batch; the workers start.
 */
static seal_rc
switch_to_batches(seal_ctx *ctx, struct seal__pool *pool,
    unsigned char *in[2], unsigned char **pt, struct seal__bigmem *ptm,
    size_t *want, size_t *used, int *big)
{
	sodium_memzero(*pt, *used);
	*used = 0;
	free(in[0]);
	free(*pt);
	*want = (size_t)BATCH * CT;
	in[0] = seal__bigalloc(*want);
	in[1] = seal__bigalloc(*want);
	*pt = seal__bigmem_alloc(ptm, (size_t)BATCH * CH, true) == 0 ? ptm->p
								    : NULL;
	*big = 1;
	if (in[0] == NULL || in[1] == NULL || *pt == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	seal__pool_start(pool);
	return SEAL_OK;
}

/* The input batches and the plaintext (its used bytes wiped) freed. */
static void
free_buffers(unsigned char *in[2], unsigned char *pt,
    struct seal__bigmem *ptm, size_t want, size_t used, int big)
{
	if (big) {
		seal__bigmem_free(ptm, used);
		seal__bigfree(in[0], want, 0);
		seal__bigfree(in[1], want, 0);
	} else {
		if (pt != NULL)
			sodium_memzero(pt, used);
		free(pt);
		free(in[0]);
	}
}

seal_rc
seal__stream_decrypt(seal_ctx *ctx, const unsigned char key[32],
    const unsigned char *pre, size_t prelen, seal_read_fn read, void *rarg,
    seal_write_fn write, void *warg)
{
	struct dsrc d = { pre, prelen, read, rarg };
	struct seal__bigmem ptm; /* the plaintext batch: secret */
	unsigned char *in[2] = { NULL, NULL }, *pt = NULL;
	size_t have[2] = { 0, 0 }, n, want = CT, used = 0;
	int eof[2] = { 0, 0 }, cur = 0, nxt, ahead, big = 0;
	uint64_t ctr = 0;
	struct seal__pool pool;
	struct seal__job job;
	long final;
	seal_rc rc;

	memset(&pool, 0, sizeof(pool));
	memset(&ptm, 0, sizeof(ptm));
	/* one chunk first: small files never touch a big buffer */
	in[0] = malloc(want);
	pt = malloc(CH); /* one chunk: wiped; see seal__stream_encrypt */
	if (in[0] == NULL || pt == NULL) {
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = dfill(ctx, &d, in[0], want, &have[0], &eof[0])) != SEAL_OK)
		goto out;
	for (;;) {
		if (have[cur] == 0) {
			rc = perr(ctx, "truncated file, no final chunk", ctr);
			goto out;
		}
		/* a short last chunk at EOF must be the final one */
		seal__job_set(&job, 0, key, in[cur], pt, have[cur],
		    (have[cur] + CT - 1) / CT, ctr,
		    eof[cur] && have[cur] % CT != 0);
		seal__pool_publish(&pool, &job);
		/* read the next batch while the workers open this one */
		nxt = 1 - cur;
		ahead = !eof[cur] && in[nxt] != NULL;
		rc = SEAL_OK;
		if (ahead)
			rc = dfill(ctx, &d, in[nxt], want, &have[nxt],
			    &eof[nxt]);
		seal__pool_finish(&pool, &job);
		/* every chunk opened may hold plaintext: wiped at the end */
		n = have[cur] < want / CT * CH ? have[cur] : want / CT * CH;
		if (n > used)
			used = n;
		if (rc != SEAL_OK)
			goto out;
		if ((rc = release(ctx, &job, key, write, warg, &final)) !=
		    SEAL_OK)
			goto out;
		if (final >= 0) {
			rc = check_input_end(ctx, &d, &job, final, ctr, ahead,
			    have[nxt], eof[cur]);
			goto out;
		}
		ctr += job.nchunks;
		if (eof[cur]) {
			rc = perr(ctx, "truncated file, no final chunk", ctr);
			goto out;
		}
		if (ahead) {
			cur = nxt;
			continue;
		}
		/* more than a chunk: switch to two full-size batches */
		if ((rc = switch_to_batches(ctx, &pool, in, &pt, &ptm, &want,
		         &used, &big)) != SEAL_OK)
			goto out;
		cur = 0;
		if ((rc = dfill(ctx, &d, in[0], want, &have[0], &eof[0])) !=
		    SEAL_OK)
			goto out;
	}
out:
	seal__pool_stop(&pool);
	free_buffers(in, pt, &ptm, want, used, big);
	return rc;
}

seal_rc
seal__stream_decrypt_mem(seal_ctx *ctx, const unsigned char key[32],
    const unsigned char *ct, size_t ctlen, unsigned char *pt, size_t *ptlen)
{
	struct seal__aead a = { NULL };
	size_t off = 0, o = 0, n;
	uint64_t ctr = 0;
	int last = 0;
	seal_rc rc = SEAL_OK;

	*ptlen = 0;
	while (!last) {
		if (off == ctlen) {
			rc = perr(ctx, "truncated file, no final chunk", ctr);
			goto out;
		}
		n = ctlen - off < CT ? ctlen - off : CT;
		if (n < CT) {
			last = 1;
			if (n == 16 && ctr != 0) {
				rc = perr(ctx, "empty final chunk", ctr);
				goto out;
			}
			if (seal__chunk_open(&a, pt + o, ct + off, n, key, ctr, 1) !=
			    0) {
				rc = perr(ctx, "authentication failed", ctr);
				goto out;
			}
		} else if (seal__chunk_open(&a, pt + o, ct + off, n, key, ctr, 0) !=
		    0) {
			if (seal__chunk_open(&a, pt + o, ct + off, n, key, ctr, 1) !=
			    0) {
				rc = perr(ctx, "authentication failed", ctr);
				goto out;
			}
			last = 1;
		}
		off += n;
		o += n - 16;
		ctr++;
	}
	if (off != ctlen)
		rc = perr(ctx, "trailing data after the final chunk", ctr - 1);
	else
		*ptlen = o;
out:
	seal__aead_free(&a);
	if (rc != SEAL_OK)
		sodium_memzero(pt, ctlen); /* pt holds ctlen bytes */
	return rc;
}
