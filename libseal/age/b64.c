/* SPDX-License-Identifier: ISC */
/*
 * age/b64.c - the two base64 dialects age uses: unpadded canonical for
 * header lines, padded strict for armor. Decoding defers to libsodium,
 * whose decoder rejects non-canonical input; encoding is a plain loop.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "age/age.h"

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t
encode_core(char *out, const unsigned char *in, size_t n, bool pad)
{
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = b64chars[(v >> 6) & 63];
		out[o++] = b64chars[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = b64chars[(v >> 6) & 63];
		if (pad)
			out[o++] = '=';
	}
	return o;
}

void
seal__b64np_encode(char *out, const unsigned char *in, size_t n)
{
	(void)encode_core(out, in, n, false);
}

void
seal__b64_encode(char *out, const unsigned char *in, size_t n)
{
	(void)encode_core(out, in, n, true);
}

static int
decode_variant(unsigned char *out, size_t outmax, size_t *outlen,
    const char *in, size_t inlen, int variant)
{
	size_t i, got = 0;

	*outlen = 0;
	if (inlen == 0)
		return 0;
	/* libsodium stops at a NUL and would accept an embedded one */
	for (i = 0; i < inlen; i++)
		if (in[i] == '\0')
			return -1;
	if (sodium_base642bin(out, outmax, in, inlen, NULL, &got, NULL,
		variant) != 0)
		return -1;
	*outlen = got;
	return 0;
}

int
seal__b64np_decode(unsigned char *out, size_t outmax, size_t *outlen,
    const char *in, size_t inlen)
{
	if (inlen % 4 == 1)
		return -1;
	return decode_variant(out, outmax, outlen, in, inlen,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

int
seal__b64_decode(unsigned char *out, size_t outmax, size_t *outlen,
    const char *in, size_t inlen)
{
	if (inlen % 4 != 0)
		return -1;
	return decode_variant(out, outmax, outlen, in, inlen,
	    sodium_base64_VARIANT_ORIGINAL);
}
