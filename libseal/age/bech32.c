/* SPDX-License-Identifier: ISC */
/*
 * bech32.c - Bech32 (BIP-173 checksum constant 1, not Bech32m) as age
 * uses it: no 90-character limit, all-lower or all-upper case, the
 * separator is the last '1'. It knows nothing of key types.
 */
#include "config.h"

#include <string.h>

#include "age/age.h"

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t
polymod_step(uint32_t chk, unsigned v)
{
	uint32_t b = chk >> 25;

	chk = ((chk & 0x1ffffff) << 5) ^ v;
	if (b & 1)
		chk ^= 0x3b6a57b2;
	if (b & 2)
		chk ^= 0x26508e6d;
	if (b & 4)
		chk ^= 0x1ea119fa;
	if (b & 8)
		chk ^= 0x3d4233dd;
	if (b & 16)
		chk ^= 0x2a1462b3;
	return chk;
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static uint32_t
hrp_polymod(const char *hrp, size_t n)
{
	uint32_t chk = 1;
	size_t i;

	for (i = 0; i < n; i++)
		chk = polymod_step(
		    chk, (unsigned)lower((unsigned char)hrp[i]) >> 5);
	chk = polymod_step(chk, 0);
	for (i = 0; i < n; i++)
		chk = polymod_step(
		    chk, (unsigned)lower((unsigned char)hrp[i]) & 31);
	return chk;
}

long
seal__bech32_encode(char *out, size_t outcap, const char *hrp,
    const unsigned char *data, size_t len, bool upper)
{
	size_t hlen = strlen(hrp), ngroups = (len * 8 + 4) / 5, o = 0, i;
	uint32_t chk, acc = 0;
	unsigned bits = 0, v;
	int k;

	if (hlen == 0 || hlen + 1 + ngroups + 6 + 1 > outcap)
		return -1;
	chk = hrp_polymod(hrp, hlen);
	for (i = 0; i < hlen; i++)
		out[o++] = (char)lower((unsigned char)hrp[i]);
	out[o++] = '1';
	for (i = 0; i < len; i++) {
		acc = (acc << 8) | data[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			v = (acc >> bits) & 31;
			chk = polymod_step(chk, v);
			out[o++] = charset[v];
		}
	}
	if (bits > 0) {
		v = (acc << (5 - bits)) & 31;
		chk = polymod_step(chk, v);
		out[o++] = charset[v];
	}
	for (k = 0; k < 6; k++)
		chk = polymod_step(chk, 0);
	chk ^= 1;
	for (k = 0; k < 6; k++)
		out[o++] = charset[(chk >> (5 * (5 - k))) & 31];
	out[o] = '\0';
	if (upper)
		for (i = 0; i < o; i++)
			if (out[i] >= 'a' && out[i] <= 'z')
				out[i] = (char)(out[i] - 32);
	acc = 0;
	return (long)o;
}

int
seal__bech32_decode(const char *s, size_t len, char *hrp, size_t hrpcap,
    unsigned char *data, size_t datacap, size_t *datalen, const char **why)
{
	bool has_lower = false, has_upper = false;
	size_t i, sep = 0, nd, o = 0;
	const char *pos;
	uint32_t chk, acc = 0;
	unsigned bits = 0;
	int c, v;

	*datalen = 0;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c < 0x21 || c > 0x7e) {
			*why = "invalid character";
			return -1;
		}
		if (c >= 'a' && c <= 'z')
			has_lower = true;
		if (c >= 'A' && c <= 'Z')
			has_upper = true;
		if (c == '1')
			sep = i + 1;
	}
	if (has_lower && has_upper) {
		*why = "mixed case";
		return -1;
	}
	if (sep == 0 || sep == 1) {
		*why = sep == 0 ? "missing separator" : "empty prefix";
		return -1;
	}
	sep--; /* index of the separator */
	nd = len - sep - 1;
	if (nd < 6) {
		*why = "too short";
		return -1;
	}
	if (sep + 1 > hrpcap) {
		*why = "prefix too long";
		return -1;
	}
	memcpy(hrp, s, sep);
	hrp[sep] = '\0';
	chk = hrp_polymod(s, sep);
	for (i = sep + 1; i < len; i++) {
		pos = strchr(charset, lower((unsigned char)s[i]));
		if (pos == NULL) {
			*why = "invalid character";
			return -1;
		}
		v = (int)(pos - charset);
		chk = polymod_step(chk, (unsigned)v);
		if (i >= len - 6)
			continue;
		acc = (acc << 5) | (unsigned)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o >= datacap) {
				*why = "data too long";
				return -1;
			}
			data[o++] = (unsigned char)(acc >> bits);
		}
	}
	if (chk != 1) {
		*why = "invalid checksum";
		return -1;
	}
	if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0) {
		*why = "invalid padding";
		return -1;
	}
	*datalen = o;
	acc = 0;
	return 0;
}
