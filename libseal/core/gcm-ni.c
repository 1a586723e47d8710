/* SPDX-License-Identifier: ISC */
/*
 * gcm-ni.c - AES-256-GCM with any IV length on AES-NI and PCLMULQDQ, for
 * the SOPS walk (crypto.c picks it when the CPU has both). OpenSSL's
 * first cipher fetch initialises its provider and name tables: ~90 page
 * faults and 1-5 ms on our VMs, more than all of `seal decrypt` of a
 * Secret should take. Constant time: AES rounds and the carry-less
 * multiply are single instructions with no table lookups. Checked
 * against OpenSSL value by value in tests/unit/test-sops.c. Not a
 * general AES library: encryption direction only (GCM needs no other).
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "core/gcm-ni.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include <emmintrin.h>
#include <smmintrin.h>
#include <tmmintrin.h>
#include <wmmintrin.h>

#define NI __attribute__((target("aes,pclmul,sse4.1,ssse3")))

bool
seal__gcm_ni_usable(void)
{
	/* sodium_init ran cpuid already; these only read its flags */
	return sodium_runtime_has_aesni() && sodium_runtime_has_pclmul() &&
	    sodium_runtime_has_sse41() && sodium_runtime_has_ssse3();
}

NI static __m128i
expand_a(__m128i t1, __m128i t2)
{
	__m128i t4;

	t2 = _mm_shuffle_epi32(t2, 0xff);
	t4 = _mm_slli_si128(t1, 4);
	t1 = _mm_xor_si128(t1, t4);
	t4 = _mm_slli_si128(t4, 4);
	t1 = _mm_xor_si128(t1, t4);
	t4 = _mm_slli_si128(t4, 4);
	t1 = _mm_xor_si128(t1, t4);
	return _mm_xor_si128(t1, t2);
}

NI static __m128i
expand_b(__m128i t1, __m128i t3)
{
	__m128i t2, t4;

	t4 = _mm_aeskeygenassist_si128(t1, 0x00);
	t2 = _mm_shuffle_epi32(t4, 0xaa);
	t4 = _mm_slli_si128(t3, 4);
	t3 = _mm_xor_si128(t3, t4);
	t4 = _mm_slli_si128(t4, 4);
	t3 = _mm_xor_si128(t3, t4);
	t4 = _mm_slli_si128(t4, 4);
	t3 = _mm_xor_si128(t3, t4);
	return _mm_xor_si128(t3, t2);
}

#define ROUND_PAIR(i, rcon)                                              \
	do {                                                             \
		t1 = expand_a(t1, _mm_aeskeygenassist_si128(t3, rcon));  \
		rk[i] = t1;                                              \
		if ((i) + 1 < 15) {                                      \
			t3 = expand_b(t1, t3);                           \
			rk[(i) + 1] = t3;                                \
		}                                                        \
	} while (0)

NI static void
expand_key(__m128i rk[15], const unsigned char key[32])
{
	__m128i t1 = _mm_loadu_si128((const __m128i *)key);
	__m128i t3 = _mm_loadu_si128((const __m128i *)(key + 16));

	rk[0] = t1;
	rk[1] = t3;
	ROUND_PAIR(2, 0x01);
	ROUND_PAIR(4, 0x02);
	ROUND_PAIR(6, 0x04);
	ROUND_PAIR(8, 0x08);
	ROUND_PAIR(10, 0x10);
	ROUND_PAIR(12, 0x20);
	ROUND_PAIR(14, 0x40);
	t1 = t3 = _mm_setzero_si128();
}

NI static __m128i
aes(const __m128i rk[15], __m128i x)
{
	int i;

	x = _mm_xor_si128(x, rk[0]);
	for (i = 1; i < 14; i++)
		x = _mm_aesenc_si128(x, rk[i]);
	return _mm_aesenclast_si128(x, rk[14]);
}

/* Four blocks at once: the AES unit is pipelined, one block is not. */
NI static void
aes4(const __m128i rk[15], __m128i *a, __m128i *b, __m128i *c, __m128i *d)
{
	__m128i w = _mm_xor_si128(*a, rk[0]), x = _mm_xor_si128(*b, rk[0]);
	__m128i y = _mm_xor_si128(*c, rk[0]), z = _mm_xor_si128(*d, rk[0]);
	int i;

	for (i = 1; i < 14; i++) {
		w = _mm_aesenc_si128(w, rk[i]);
		x = _mm_aesenc_si128(x, rk[i]);
		y = _mm_aesenc_si128(y, rk[i]);
		z = _mm_aesenc_si128(z, rk[i]);
	}
	*a = _mm_aesenclast_si128(w, rk[14]);
	*b = _mm_aesenclast_si128(x, rk[14]);
	*c = _mm_aesenclast_si128(y, rk[14]);
	*d = _mm_aesenclast_si128(z, rk[14]);
}

/* Multiply in GF(2^128), operands byte-reversed (the reflected form):
 * a 256-bit carry-less product, shifted left by one, then reduced
 * modulo x^128 + x^7 + x^2 + x + 1. */
NI static __m128i
gfmul(__m128i a, __m128i b)
{
	__m128i lo, mid, mid2, hi, c1, c2, c3, r;

	lo = _mm_clmulepi64_si128(a, b, 0x00);
	mid = _mm_clmulepi64_si128(a, b, 0x10);
	mid2 = _mm_clmulepi64_si128(a, b, 0x01);
	hi = _mm_clmulepi64_si128(a, b, 0x11);
	mid = _mm_xor_si128(mid, mid2);
	lo = _mm_xor_si128(lo, _mm_slli_si128(mid, 8));
	hi = _mm_xor_si128(hi, _mm_srli_si128(mid, 8));
	/* shift the 256-bit product [hi:lo] left by one bit */
	c1 = _mm_srli_epi32(lo, 31);
	c2 = _mm_srli_epi32(hi, 31);
	lo = _mm_slli_epi32(lo, 1);
	hi = _mm_slli_epi32(hi, 1);
	c3 = _mm_srli_si128(c1, 12);
	c2 = _mm_slli_si128(c2, 4);
	c1 = _mm_slli_si128(c1, 4);
	lo = _mm_or_si128(lo, c1);
	hi = _mm_or_si128(hi, c2);
	hi = _mm_or_si128(hi, c3);
	/* reduce: first phase */
	c1 = _mm_slli_epi32(lo, 31);
	c2 = _mm_slli_epi32(lo, 30);
	c3 = _mm_slli_epi32(lo, 25);
	c1 = _mm_xor_si128(c1, c2);
	c1 = _mm_xor_si128(c1, c3);
	c2 = _mm_srli_si128(c1, 4);
	c1 = _mm_slli_si128(c1, 12);
	lo = _mm_xor_si128(lo, c1);
	/* second phase */
	r = _mm_srli_epi32(lo, 1);
	c1 = _mm_srli_epi32(lo, 2);
	c3 = _mm_srli_epi32(lo, 7);
	r = _mm_xor_si128(r, c1);
	r = _mm_xor_si128(r, c3);
	r = _mm_xor_si128(r, c2);
	lo = _mm_xor_si128(lo, r);
	return _mm_xor_si128(hi, lo);
}

NI static __m128i
bswap(__m128i x)
{
	const __m128i m =
	    _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

	return _mm_shuffle_epi8(x, m);
}

/* X = GHASH update over len bytes (the last block zero-padded). */
NI static __m128i
ghash(__m128i x, __m128i h, const unsigned char *p, size_t len)
{
	unsigned char last[16];

	for (; len >= 16; p += 16, len -= 16)
		x = gfmul(_mm_xor_si128(x,
		              bswap(_mm_loadu_si128((const __m128i *)p))),
		    h);
	if (len > 0) {
		memset(last, 0, sizeof(last));
		memcpy(last, p, len);
		x = gfmul(_mm_xor_si128(x,
		              bswap(_mm_loadu_si128((const __m128i *)last))),
		    h);
		sodium_memzero(last, sizeof(last));
	}
	return x;
}

NI static __m128i
lengths(uint64_t a, uint64_t c)
{
	/* [len(A) in bits]64 || [len(C) in bits]64, already reversed */
	return _mm_set_epi64x((long long)(a * 8), (long long)(c * 8));
}

NI static __m128i
inc32(__m128i ctr)
{
	/* ctr is big-endian in memory; its last 32 bits count mod 2^32 */
	uint32_t v = (uint32_t)_mm_extract_epi32(ctr, 3);

	v = __builtin_bswap32(__builtin_bswap32(v) + 1);
	return _mm_insert_epi32(ctr, (int)v, 3);
}

void
seal__gcm_ni_init(struct seal__gcm_ni *g, const unsigned char key[32])
{
	__m128i rk[15], h;
	int i;

	expand_key(rk, key);
	h = bswap(aes(rk, _mm_setzero_si128()));
	for (i = 0; i < 15; i++)
		_mm_storeu_si128((__m128i *)g->rk[i], rk[i]);
	_mm_storeu_si128((__m128i *)g->h, h);
	sodium_memzero(rk, sizeof(rk));
	sodium_memzero(&h, sizeof(h));
}

/* Shared by both directions: enc 1 hashes the output, 0 the input. */
NI static void
crypt(const struct seal__gcm_ni *g, int enc, unsigned char *out,
    const unsigned char *in, size_t len, const unsigned char *iv,
    size_t ivlen, const unsigned char *aad, size_t aadlen,
    unsigned char tag[16])
{
	__m128i rk[15], h, x, j0, ctr, k0, k1, k2, k3;
	unsigned char buf[16];
	const unsigned char *hp;
	size_t i, n;
	int r;

	for (r = 0; r < 15; r++)
		rk[r] = _mm_loadu_si128((const __m128i *)g->rk[r]);
	h = _mm_loadu_si128((const __m128i *)g->h);
	if (ivlen == 12) {
		memcpy(buf, iv, 12);
		buf[12] = buf[13] = buf[14] = 0;
		buf[15] = 1;
		j0 = _mm_loadu_si128((const __m128i *)buf);
	} else {
		x = ghash(_mm_setzero_si128(), h, iv, ivlen);
		x = gfmul(_mm_xor_si128(x, lengths(0, ivlen)), h);
		j0 = bswap(x);
	}
	x = ghash(_mm_setzero_si128(), h, aad, aadlen);
	ctr = j0;
	hp = enc ? out : in;
	for (i = 0; i + 64 <= len; i += 64) {
		k0 = ctr = inc32(ctr);
		k1 = ctr = inc32(ctr);
		k2 = ctr = inc32(ctr);
		k3 = ctr = inc32(ctr);
		aes4(rk, &k0, &k1, &k2, &k3);
		_mm_storeu_si128((__m128i *)(out + i),
		    _mm_xor_si128(k0,
		        _mm_loadu_si128((const __m128i *)(in + i))));
		_mm_storeu_si128((__m128i *)(out + i + 16),
		    _mm_xor_si128(k1,
		        _mm_loadu_si128((const __m128i *)(in + i + 16))));
		_mm_storeu_si128((__m128i *)(out + i + 32),
		    _mm_xor_si128(k2,
		        _mm_loadu_si128((const __m128i *)(in + i + 32))));
		_mm_storeu_si128((__m128i *)(out + i + 48),
		    _mm_xor_si128(k3,
		        _mm_loadu_si128((const __m128i *)(in + i + 48))));
		x = ghash(x, h, hp + i, 64);
	}
	for (; i < len; i += n) {
		n = len - i < 16 ? len - i : 16;
		ctr = inc32(ctr);
		_mm_storeu_si128((__m128i *)buf, aes(rk, ctr));
		if (!enc)
			x = ghash(x, h, in + i, n);
		for (r = 0; r < (int)n; r++)
			out[i + (size_t)r] = in[i + (size_t)r] ^ buf[r];
		if (enc)
			x = ghash(x, h, out + i, n);
	}
	x = gfmul(_mm_xor_si128(x, lengths(aadlen, len)), h);
	_mm_storeu_si128(
	    (__m128i *)tag, _mm_xor_si128(bswap(x), aes(rk, j0)));
	sodium_memzero(rk, sizeof(rk));
	sodium_memzero(buf, sizeof(buf));
	k0 = k1 = k2 = k3 = h = _mm_setzero_si128();
}

void
seal__gcm_ni_encrypt(const struct seal__gcm_ni *g, unsigned char *ct,
    unsigned char tag[16], const unsigned char *pt, size_t len,
    const unsigned char *iv, size_t ivlen, const unsigned char *aad,
    size_t aadlen)
{
	crypt(g, 1, ct, pt, len, iv, ivlen, aad, aadlen, tag);
}

int
seal__gcm_ni_decrypt(const struct seal__gcm_ni *g, unsigned char *pt,
    const unsigned char *ct, size_t len, const unsigned char tag[16],
    const unsigned char *iv, size_t ivlen, const unsigned char *aad,
    size_t aadlen)
{
	unsigned char want[16];
	int ok;

	crypt(g, 0, pt, ct, len, iv, ivlen, aad, aadlen, want);
	ok = sodium_memcmp(want, tag, 16) == 0;
	sodium_memzero(want, sizeof(want));
	if (!ok) {
		if (len > 0)
			sodium_memzero(pt, len); /* never unauthenticated */
		return -1;
	}
	return 0;
}

#else /* not x86-64 with GCC or clang: OpenSSL does it all */

bool
seal__gcm_ni_usable(void)
{
	return false;
}

void
seal__gcm_ni_init(struct seal__gcm_ni *g, const unsigned char key[32])
{
	(void)g;
	(void)key;
}

void
seal__gcm_ni_encrypt(const struct seal__gcm_ni *g, unsigned char *ct,
    unsigned char tag[16], const unsigned char *pt, size_t len,
    const unsigned char *iv, size_t ivlen, const unsigned char *aad,
    size_t aadlen)
{
	(void)g, (void)ct, (void)tag, (void)pt, (void)len, (void)iv;
	(void)ivlen, (void)aad, (void)aadlen;
}

int
seal__gcm_ni_decrypt(const struct seal__gcm_ni *g, unsigned char *pt,
    const unsigned char *ct, size_t len, const unsigned char tag[16],
    const unsigned char *iv, size_t ivlen, const unsigned char *aad,
    size_t aadlen)
{
	(void)g, (void)pt, (void)ct, (void)len, (void)tag, (void)iv;
	(void)ivlen, (void)aad, (void)aadlen;
	return -1;
}

#endif
