/* SPDX-License-Identifier: ISC */
/*
 * yaml-resolve.c - the type of an untagged plain YAML scalar, following
 * go-yaml v3's resolve() (what sops uses): null, bool, int, float,
 * timestamp, merge key, else string. Pure functions on bytes; no
 * allocation, no tree access.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stores/yaml.h"

static bool
eq(const char *s, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

static bool
isdig(char c)
{
	return c >= '0' && c <= '9';
}

/* Words go-yaml's resolve table maps to a non-string value. */
static enum seal__yaml_res
lookup_word(const char *s, size_t len)
{
	static const char *const nulls[] = { "~", "null", "Null", "NULL" };
	static const char *const bools[] = { "true", "True", "TRUE", "false",
		"False", "FALSE" };
	static const char *const floats[] = { ".inf", ".Inf", ".INF", "+.inf",
		"+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN",
		".NAN" };
	size_t i;

	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (eq(s, len, nulls[i]))
			return SEAL_YR_NULL;
	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
		if (eq(s, len, bools[i]))
			return SEAL_YR_BOOL;
	for (i = 0; i < sizeof(floats) / sizeof(floats[0]); i++)
		if (eq(s, len, floats[i]))
			return SEAL_YR_FLOAT;
	if (eq(s, len, "<<"))
		return SEAL_YR_MERGE;
	return SEAL_YR_STR;
}

/* Read 1 or 2 digits (Go's getnum with fixed=false). */
static bool
num12(const char **p, const char *end, int *out)
{
	const char *s = *p;

	if (s >= end || !isdig(*s))
		return false;
	*out = *s++ - '0';
	if (s < end && isdig(*s))
		*out = *out * 10 + (*s++ - '0');
	*p = s;
	return true;
}

static bool
num2(const char **p, const char *end, int *out)
{
	const char *s = *p;

	if (end - s < 2 || !isdig(s[0]) || !isdig(s[1]))
		return false;
	*out = (s[0] - '0') * 10 + (s[1] - '0');
	*p = s + 2;
	return true;
}

static int
days_in(int month, int year)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };

	if (month == 2 && (year % 4 == 0 && (year % 100 != 0 ||
	    year % 400 == 0)))
		return 29;
	return d[month - 1];
}

/*
 * go-yaml's timestamp formats, as Go's time.Parse reads them:
 * 2006-1-2, 2006-1-2 15:4:5[.frac], 2006-1-2[Tt]15:4:5[.frac](Z|+hh:mm).
 */
static bool
is_timestamp(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	int year, mon, day, h, m, sec, tzh, tzm;
	char sep;
	int i;

	if (len < 8)
		return false;
	for (i = 0; i < 4; i++)
		if (!isdig(s[i]))
			return false;
	year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	p = s + 4;
	if (*p++ != '-' || !num12(&p, end, &mon) || p >= end || *p++ != '-' ||
	    !num12(&p, end, &day))
		return false;
	if (mon < 1 || mon > 12 || day < 1 || day > days_in(mon, year))
		return false;
	if (p == end)
		return true;
	sep = *p++;
	if (sep != 'T' && sep != 't' && sep != ' ')
		return false;
	if (!num12(&p, end, &h) || p >= end || *p++ != ':' ||
	    !num12(&p, end, &m) || p >= end || *p++ != ':' ||
	    !num12(&p, end, &sec))
		return false;
	if (h > 23 || m > 59 || sec > 59)
		return false;
	if (p < end && *p == '.' && p + 1 < end && isdig(p[1])) {
		p++;
		for (i = 0; i < 9 && p < end && isdig(*p); i++)
			p++;
	}
	if (sep == ' ')
		return p == end;
	if (p == end)
		return false;
	if (*p == 'Z')
		return p + 1 == end;
	if (*p != '+' && *p != '-')
		return false;
	p++;
	if (!num2(&p, end, &tzh) || p >= end || *p++ != ':' ||
	    !num2(&p, end, &tzm) || p != end)
		return false;
	return tzh <= 24 && tzm <= 60;
}

/* Digits of base in [p, end), at least one. */
static bool
all_digits(const char *p, const char *end, int base)
{
	if (p >= end)
		return false;
	for (; p < end; p++) {
		int c = (unsigned char)*p, v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return false;
		if (v >= base)
			return false;
	}
	return true;
}

/* Does [p, end) (digits of base) fit in 63 bits (or 2^63 if neg)? */
static bool
fits_i64(const char *p, const char *end, int base, bool neg)
{
	uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;

	for (; p < end; p++) {
		int c = (unsigned char)*p;
		unsigned d = c <= '9' ? (unsigned)(c - '0') :
		    (unsigned)((c | 0x20) - 'a' + 10);

		if (v > (lim - d) / (unsigned)base)
			return false;
		v = v * (unsigned)base + d;
	}
	return true;
}

/*
 * Go's strconv.ParseInt(s, 0, 64) syntax: sign, then 0x/0o/0b prefix,
 * leading-zero octal, or decimal. 1 = int, 2 = int syntax too big,
 * 0 = not an int.
 */
static int
int_syntax(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	bool neg = false;
	int base = 10;

	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	if (p >= end)
		return 0;
	if (*p == '0' && p + 1 < end) {
		char c = p[1] | 0x20;

		if (c == 'x' || c == 'o' || c == 'b') {
			base = c == 'x' ? 16 : c == 'o' ? 8 : 2;
			p += 2;
		} else {
			base = 8;
			p += 1;
		}
	}
	if (!all_digits(p, end, base))
		return 0;
	return fits_i64(p, end, base, neg) ? 1 : 2;
}

/* yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool
float_syntax(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	const char *d;

	if (p < end && (*p == '+' || *p == '-'))
		p++;
	if (p < end && *p == '.') {
		p++;
		d = p;
		while (p < end && isdig(*p))
			p++;
		if (p == d)
			return false;
	} else {
		d = p;
		while (p < end && isdig(*p))
			p++;
		if (p == d)
			return false;
		if (p < end && *p == '.') {
			p++;
			while (p < end && isdig(*p))
				p++;
		}
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		d = p;
		while (p < end && isdig(*p))
			p++;
		if (p == d)
			return false;
	}
	return p == end;
}

/* ParseFloat fails only on overflow for float_syntax strings. */
static bool
float_in_range(const char *s, size_t len)
{
	char buf[512];
	double v;

	if (len >= sizeof(buf))
		return true; /* long mantissas are fine; exponent is short */
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtod(buf, NULL);
	return !(errno == ERANGE && isinf(v));
}

enum seal__yaml_res
seal__yaml_resolve(const char *s, size_t len)
{
	enum seal__yaml_res r;
	char buf[128];
	const char *plain;
	size_t i, n;
	int k;
	char c;

	if (len == 0)
		return SEAL_YR_NULL;
	c = s[0];
	if (strchr("yYnNtTfFoO~<.+-0123456789", c) == NULL || c == '\0')
		return SEAL_YR_STR;
	r = lookup_word(s, len);
	if (r != SEAL_YR_STR)
		return r;
	if (c == '.')
		return float_syntax(s, len) && float_in_range(s, len) ?
		    SEAL_YR_FLOAT : SEAL_YR_STR;
	if (!isdig(c) && c != '+' && c != '-')
		return SEAL_YR_STR;
	if (isdig(c) && is_timestamp(s, len))
		return SEAL_YR_TIME;
	/* go-yaml drops every '_' before trying numbers */
	plain = s;
	n = len;
	if (memchr(s, '_', len) != NULL) {
		if (len > sizeof(buf))
			return SEAL_YR_STR; /* see below */
		for (i = 0, n = 0; i < len; i++)
			if (s[i] != '_')
				buf[n++] = s[i];
		plain = buf;
	}
	k = int_syntax(plain, n);
	if (k == 1)
		return SEAL_YR_INT;
	if (k == 2)
		return SEAL_YR_BIGINT;
	if (float_syntax(plain, n))
		return float_in_range(plain, n) ? SEAL_YR_FLOAT : SEAL_YR_STR;
	return SEAL_YR_STR;
}

/*
 * Long underscore-laden numbers (> 128 bytes) are resolved as strings
 * above; go-yaml would call them numbers, but no real file has them and
 * the quoting rule below keeps such strings quoted on output anyway.
 */

static bool
is_base60(const char *s, size_t len)
{
	/* ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
	const char *p = s, *end = s + len;
	int groups = 0;

	if (p < end && (*p == '+' || *p == '-'))
		p++;
	if (p >= end || !isdig(*p))
		return false;
	p++;
	while (p < end && (isdig(*p) || *p == '_'))
		p++;
	while (p < end && *p == ':') {
		p++;
		if (p < end && *p >= '0' && *p <= '5' && p + 1 < end &&
		    isdig(p[1]))
			p += 2;
		else if (p < end && isdig(*p))
			p++;
		else
			return false;
		groups++;
	}
	if (groups == 0)
		return false;
	if (p < end && *p == '.') {
		p++;
		while (p < end && (isdig(*p) || *p == '_'))
			p++;
	}
	return p == end;
}

bool
seal__yaml_needs_compat_quote(const char *s, size_t len)
{
	static const char *const old[] = { "y", "Y", "yes", "Yes", "YES",
		"on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off",
		"OFF" };
	size_t i;

	for (i = 0; i < sizeof(old) / sizeof(old[0]); i++)
		if (eq(s, len, old[i]))
			return true;
	return is_base60(s, len);
}

enum seal__type
seal__yaml_res_type(enum seal__yaml_res r)
{
	switch (r) {
	case SEAL_YR_INT:
		return SEAL_T_INT;
	case SEAL_YR_FLOAT:
		return SEAL_T_FLOAT;
	case SEAL_YR_BOOL:
		return SEAL_T_BOOL;
	case SEAL_YR_TIME:
		return SEAL_T_TIME;
	case SEAL_YR_NULL:
		return SEAL_T_NULL;
	default:
		return SEAL_T_STR;
	}
}
