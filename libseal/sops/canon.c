/* SPDX-License-Identifier: ISC */
/*
 * sops/canon.c - the plaintext forms sops feeds to AES-GCM and the MAC
 * (spec 2.2): ints as Go Itoa, floats as Go FormatFloat(v, 'f', -1, 64),
 * bools True/False, times RFC 3339 nano; and back after decryption. It
 * does not encrypt and does not walk trees.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sops/sops.h"

/* Copy s without '_' into buf (cap >= 2). -1 if too long. */
static int
strip_us(char *buf, size_t cap, const char *s, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '_')
			continue;
		if (o + 1 >= cap)
			return -1;
		buf[o++] = s[i];
	}
	buf[o] = '\0';
	return 0;
}

/* Go strconv.ParseInt(s, 0, 64) after removing '_', plus YAML 0o. */
static int
parse_int(const char *s, size_t len, long long *out)
{
	char buf[80], *p, *end;
	int base = 10, neg = 0;
	unsigned long long v;

	if (len == 0 || strip_us(buf, sizeof(buf), s, len) != 0)
		return -1;
	p = buf;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	else if (p[0] == '0' && p[1] != '\0')
		base = 8, p += 1;
	if (*p == '\0' || *p == '+' || *p == '-' || *p == ' ')
		return -1;
	errno = 0;
	v = strtoull(p, &end, base);
	if (errno != 0 || *end != '\0')
		return -1;
	if (neg) {
		if (v > (unsigned long long)LLONG_MAX + 1)
			return -1;
		*out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
		                                              : -(long long)v;
	} else {
		if (v > (unsigned long long)LLONG_MAX)
			return -1;
		*out = (long long)v;
	}
	return 0;
}

static int
parse_float(const char *s, size_t len, double *out)
{
	char buf[400], *p, *end;

	if (len == 0 || strip_us(buf, sizeof(buf), s, len) != 0)
		return -1;
	p = buf;
	{
		const char *q = p + (*p == '+' || *p == '-');
		int neg = *p == '-';
		if (strcmp(q, ".inf") == 0 || strcmp(q, ".Inf") == 0 ||
		    strcmp(q, ".INF") == 0 || strcmp(q, "Inf") == 0 ||
		    strcmp(q, "inf") == 0) {
			*out = neg ? -INFINITY : INFINITY;
			return 0;
		}
		if (strcmp(q, ".nan") == 0 || strcmp(q, ".NaN") == 0 ||
		    strcmp(q, ".NAN") == 0 || strcmp(q, "NaN") == 0) {
			*out = NAN;
			return 0;
		}
	}
	/* no hex floats, no bare words */
	if (strpbrk(p, "xXnN") != NULL)
		return -1;
	errno = 0;
	*out = strtod(p, &end);
	if (end == p || *end != '\0' || (errno == ERANGE && isinf(*out)))
		return -1;
	return 0;
}

/* Go strconv.FormatFloat(v, 'f', -1, 64) into buf. */
static size_t
format_float(char *buf, size_t cap, double v)
{
	char e[64], digits[32];
	int prec, exp10, nd = 0, i, o = 0;
	char *p;

	if (isnan(v))
		return (size_t)snprintf(buf, cap, "NaN");
	if (isinf(v))
		return (size_t)snprintf(buf, cap, v < 0 ? "-Inf" : "+Inf");
	if (v == 0)
		return (size_t)snprintf(buf, cap, signbit(v) ? "-0" : "0");
	for (prec = 1; prec <= 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec - 1, v);
		if (strtod(e, NULL) == v)
			break;
	}
	p = e;
	if (*p == '-')
		buf[o++] = *p++;
	for (; *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	exp10 = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (exp10 >= 0) {
		for (i = 0; i <= exp10; i++)
			buf[o++] = i < nd ? digits[i] : '0';
		if (nd > exp10 + 1) {
			buf[o++] = '.';
			for (i = exp10 + 1; i < nd; i++)
				buf[o++] = digits[i];
		}
	} else {
		buf[o++] = '0';
		buf[o++] = '.';
		for (i = 0; i < -exp10 - 1; i++)
			buf[o++] = '0';
		for (i = 0; i < nd; i++)
			buf[o++] = digits[i];
	}
	buf[o] = '\0';
	(void)cap;
	return (size_t)o;
}

static int
parse_bool(const char *s, size_t len, bool yaml, int *out)
{
	static const char *const t[] = {"true", "True", "TRUE", "1", "t", "T"};
	static const char *const f[] = {
	    "false", "False", "FALSE", "0", "f", "F"};
	size_t i, n = yaml ? 3 : 6;

	for (i = 0; i < n; i++) {
		if (strlen(t[i]) == len && memcmp(t[i], s, len) == 0)
			return *out = 1, 0;
		if (strlen(f[i]) == len && memcmp(f[i], s, len) == 0)
			return *out = 0, 0;
	}
	return -1;
}

static int
digits(const char **p, const char *end, int min, int max, int *out)
{
	int n = 0, v = 0;

	while (*p < end && **p >= '0' && **p <= '9' && n < max) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	if (n < min)
		return -1;
	*out = v;
	return 0;
}

/*
 * go-yaml timestamps: 2006-1-2, 2006-1-2 15:4:5.999, 2006-1-2T15:4:5.9Z07:00
 * (t or T). Writes Go RFC3339Nano.
 */
static int
format_time(char *buf, size_t cap, const char *s, size_t len)
{
	const char *p = s, *end = s + len, *frac = NULL;
	int y, mo, d, h = 0, mi = 0, sec = 0, nfrac = 0, tzh = 0, tzm = 0;
	char tz[32] = "Z";
	int o;

	if (digits(&p, end, 4, 4, &y) || p == end || *p++ != '-' ||
	    digits(&p, end, 1, 2, &mo) || p == end || *p++ != '-' ||
	    digits(&p, end, 1, 2, &d))
		return -1;
	if (p < end) {
		bool tform = *p == 'T' || *p == 't';
		if (!tform && *p != ' ')
			return -1;
		p++;
		if (digits(&p, end, 1, 2, &h) || p == end || *p++ != ':' ||
		    digits(&p, end, 1, 2, &mi) || p == end || *p++ != ':' ||
		    digits(&p, end, 1, 2, &sec))
			return -1;
		if (p < end && *p == '.') {
			frac = ++p;
			while (p < end && *p >= '0' && *p <= '9' && nfrac < 9)
				p++, nfrac++;
			if (nfrac == 0)
				return -1;
		}
		if (p < end) {
			if (!tform)
				return -1;
			if (*p == 'Z') {
				p++;
			} else if (*p == '+' || *p == '-') {
				char sign = *p++;
				if (digits(&p, end, 2, 2, &tzh) || p == end ||
				    *p++ != ':' || digits(&p, end, 2, 2, &tzm))
					return -1;
				if (tzh != 0 || tzm != 0)
					snprintf(tz, sizeof(tz), "%c%02d:%02d",
					    sign, tzh, tzm);
			} else {
				return -1;
			}
		}
		if (p != end)
			return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 59 || tzh > 23 || tzm > 59)
		return -1;
	o = snprintf(
	    buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, sec);
	if (frac != NULL) {
		int keep = nfrac;
		while (keep > 0 && frac[keep - 1] == '0')
			keep--;
		if (keep > 0)
			o += snprintf(
			    buf + o, cap - (size_t)o, ".%.*s", keep, frac);
	}
	o += snprintf(buf + o, cap - (size_t)o, "%s", tz);
	return o;
}

seal_rc
seal__sops_canon(seal_ctx *ctx, const struct seal__node *n, const char *what,
    struct seal__secbuf *sb)
{
	char buf[400];
	long long iv;
	double fv;
	int bv, len;

	switch (n->type) {
	case SEAL_T_INT:
		if (parse_int(n->text, n->len, &iv) != 0)
			return seal__err(
			    ctx, SEAL_EFORMAT, "cannot read integer %s", what);
		len = snprintf(buf, sizeof(buf), "%lld", iv);
		break;
	case SEAL_T_FLOAT:
		if (parse_float(n->text, n->len, &fv) != 0)
			return seal__err(
			    ctx, SEAL_EFORMAT, "cannot read number %s", what);
		len = (int)format_float(buf, sizeof(buf), fv);
		break;
	case SEAL_T_BOOL:
		if (parse_bool(n->text, n->len, false, &bv) != 0)
			return seal__err(
			    ctx, SEAL_EFORMAT, "cannot read boolean %s", what);
		len = snprintf(buf, sizeof(buf), "%s", bv ? "True" : "False");
		break;
	case SEAL_T_TIME:
		len = format_time(buf, sizeof(buf), n->text, n->len);
		if (len < 0)
			return seal__err(ctx, SEAL_EFORMAT,
			    "cannot read timestamp %s", what);
		break;
	case SEAL_T_NULL:
		return SEAL_OK;
	default:
		if (seal__secbuf_append(sb, n->text, n->len) != 0)
			return seal__err(
			    ctx, SEAL_ENOMEM, "out of secure memory");
		return SEAL_OK;
	}
	if (seal__secbuf_append(sb, buf, (size_t)len) != 0) {
		sodium_memzero(buf, sizeof(buf));
		return seal__err(ctx, SEAL_ENOMEM, "out of secure memory");
	}
	sodium_memzero(buf, sizeof(buf));
	return SEAL_OK;
}

seal_rc
seal__sops_uncanon(seal_ctx *ctx, enum seal__type type, const unsigned char *pt,
    size_t len, const char *what, struct seal__secbuf *sb)
{
	const char *s = (const char *)pt;
	long long iv;
	double fv;
	int bv;

	seal__secbuf_reset(sb);
	switch (type) {
	case SEAL_T_INT:
		if (len == 0 || len > 20 || parse_int(s, len, &iv) != 0 ||
		    memchr(s, '_', len) || memchr(s, 'x', len) ||
		    memchr(s, 'o', len) || memchr(s, 'b', len) ||
		    memchr(s, 'X', len))
			return seal__err(ctx, SEAL_EFORMAT,
			    "decrypted value of %s is not an integer", what);
		break;
	case SEAL_T_FLOAT:
		if (parse_float(s, len, &fv) != 0)
			return seal__err(ctx, SEAL_EFORMAT,
			    "decrypted value of %s is not a number", what);
		break;
	case SEAL_T_BOOL:
		if (parse_bool(s, len, false, &bv) != 0)
			return seal__err(ctx, SEAL_EFORMAT,
			    "decrypted value of %s is not a boolean", what);
		s = bv ? "true" : "false";
		len = strlen(s);
		break;
	default:
		break;
	}
	if (seal__secbuf_append(sb, s, len) != 0)
		return seal__err(ctx, SEAL_ENOMEM, "out of secure memory");
	return SEAL_OK;
}
