/* SPDX-License-Identifier: ISC */
/*
 * sops/meta.c - reading the sops: metadata block (spec 6) in any field
 * order of sops 3.7-3.13, and the lastmodified time rules. Writing the
 * block is in sops/file.c; dotenv flattening in sops/flat.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sops/sops.h"

static const char *const other_lists[] = {
    "pgp", "kms", "gcp_kms", "azure_kv", "hc_vault", "hckms"};

static bool
key_is(const struct seal__item *it, const char *s)
{
	size_t n = strlen(s);

	return it->key != NULL && it->keylen == n && memcmp(it->key, s, n) == 0;
}

/* A scalar's text, or NULL when n is not a scalar (null counts as NULL). */
static const char *
scalar(const struct seal__node *n)
{
	if (n == NULL || n->kind != SEAL_N_SCALAR || n->type == SEAL_T_NULL)
		return NULL;
	return n->text;
}

static bool
empty_list(const struct seal__node *n)
{
	return n == NULL ||
	    (n->kind == SEAL_N_SCALAR && n->type == SEAL_T_NULL) ||
	    (n->kind == SEAL_N_SEQ && n->nitems == 0) ||
	    (n->kind == SEAL_N_SCALAR && n->len == 0);
}

static size_t
count_entries(const struct seal__node *n)
{
	size_t i, c = 0;

	if (n == NULL || n->kind != SEAL_N_SEQ)
		return 0;
	for (i = 0; i < n->nitems; i++)
		if (n->items[i].val && n->items[i].val->kind != SEAL_N_COMMENT)
			c++;
	return c;
}

static seal_rc
read_age(seal_ctx *ctx, const struct seal__node *list, const char *file,
    struct seal__sops_meta *m)
{
	struct seal__sops_age *na;
	size_t i, n = count_entries(list);

	if (empty_list(list))
		return SEAL_OK;
	if (list->kind != SEAL_N_SEQ)
		return seal__err(
		    ctx, SEAL_EFORMAT, "%s: 'sops.age' is not a list", file);
	na = realloc(m->age, (m->nage + n) * sizeof(*na));
	if (na == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	m->age = na;
	for (i = 0; i < list->nitems; i++) {
		const struct seal__node *e = list->items[i].val;
		const struct seal__node *enc;
		struct seal__sops_age *a;

		if (e == NULL || e->kind == SEAL_N_COMMENT)
			continue;
		if (e->kind != SEAL_N_MAP)
			return seal__err(ctx, SEAL_EFORMAT,
			    "%s: 'sops.age[%zu]' is not a map", file, i);
		enc = seal__map_get(e, "enc");
		a = &m->age[m->nage];
		memset(a, 0, sizeof(*a));
		a->recipient = scalar(seal__map_get(e, "recipient"));
		a->enc = scalar(enc);
		a->enc_len = a->enc ? enc->len : 0;
		a->line = e->line;
		if (a->enc == NULL || a->recipient == NULL)
			return seal__err(ctx, SEAL_EFORMAT,
			    "%s: 'sops.age[%zu]' lacks recipient or enc", file,
			    i);
		m->nage++;
	}
	return SEAL_OK;
}

static seal_rc
read_keys(seal_ctx *ctx, const struct seal__node *map, const char *file,
    struct seal__sops_meta *m)
{
	size_t i, j;
	seal_rc rc;

	for (i = 0; i < map->nitems; i++) {
		const struct seal__item *it = &map->items[i];

		if (key_is(it, "age")) {
			if ((rc = read_age(ctx, it->val, file, m)) != SEAL_OK)
				return rc;
			continue;
		}
		for (j = 0; j < SEAL__ARRAY_LEN(other_lists); j++) {
			if (!key_is(it, other_lists[j]) || empty_list(it->val))
				continue;
			if (m->nother < SEAL__ARRAY_LEN(m->other)) {
				m->other[m->nother].name = other_lists[j];
				m->other[m->nother].val = it->val;
				m->nother++;
			}
			m->nother_keys += count_entries(it->val);
		}
	}
	return SEAL_OK;
}

static seal_rc meta_read(seal_ctx *ctx, const struct seal__node *sops,
    const char *file, struct seal__sops_meta *m, bool strict);

seal_rc
seal__sops_meta_read(seal_ctx *ctx, const struct seal__node *sops,
    const char *file, struct seal__sops_meta *m)
{
	return meta_read(ctx, sops, file, m, true);
}

seal_rc
seal__sops_meta_scan(seal_ctx *ctx, const struct seal__node *sops,
    const char *file, struct seal__sops_meta *m)
{
	return meta_read(ctx, sops, file, m, false);
}

static seal_rc
meta_read(seal_ctx *ctx, const struct seal__node *sops, const char *file,
    struct seal__sops_meta *m, bool strict)
{
	char aad[32];
	size_t i;
	seal_rc rc;

	memset(m, 0, sizeof(*m));
	if (sops == NULL || sops->kind != SEAL_N_MAP)
		return seal__err(ctx, SEAL_EFORMAT,
		    "%s: 'sops' metadata is not a map", file);
	m->line = sops->line;
	if ((rc = read_keys(ctx, sops, file, m)) != SEAL_OK)
		goto fail;
	for (i = 0; i < sops->nitems; i++) {
		const struct seal__item *it = &sops->items[i];
		const char *v = scalar(it->val);
		enum seal__rule_kind k;

		if (it->key == NULL)
			continue;
		if (key_is(it, "lastmodified")) {
			m->lastmodified = v;
		} else if (key_is(it, "mac")) {
			m->mac = v ? v : "";
			m->mac_line = it->val ? it->val->line : 0;
		} else if (key_is(it, "version")) {
			m->version = v;
		} else if (key_is(it, "mac_only_encrypted")) {
			m->mac_only_encrypted = v != NULL &&
			    (strcmp(v, "true") == 0 || strcmp(v, "True") == 0);
		} else if (key_is(it, "shamir_threshold")) {
			m->shamir_threshold = v ? (unsigned)atoi(v) : 0;
		} else if (key_is(it, "key_groups")) {
			const struct seal__node *g = it->val;
			if (empty_list(g))
				continue;
			if (g->kind != SEAL_N_SEQ) {
				rc = seal__err(ctx, SEAL_EFORMAT,
				    "%s: 'sops.key_groups' is not a list",
				    file);
				goto fail;
			}
			m->ngroups = count_entries(g);
			if (m->ngroups >= 2) {
				rc = seal__err(ctx, SEAL_EUNSUPPORTED,
				    "%s: %zu key groups (Shamir secret "
				    "sharing) "
				    "are not supported; use one group",
				    file, m->ngroups);
				goto fail;
			}
			if (m->ngroups == 1 &&
			    g->items[0].val->kind == SEAL_N_MAP &&
			    (rc = read_keys(ctx, g->items[0].val, file, m)) !=
			        SEAL_OK)
				goto fail;
		} else if ((k = seal__rule_from_name(it->key, it->keylen)) !=
		    SEAL_RULE_NONE) {
			if (v == NULL || *v == '\0')
				continue;
			m->nrules++;
			m->rule = k;
			m->rule_arg = v;
		}
	}
	if (m->nrules > 1) {
		rc = seal__err(ctx, SEAL_EFORMAT,
		    "%s: the sops metadata names %d selection rules; only one "
		    "is allowed",
		    file, m->nrules);
		goto fail;
	}
	if (!strict)
		return SEAL_OK;
	if (m->lastmodified == NULL) {
		rc = seal__err(ctx, SEAL_EFORMAT,
		    "%s: 'sops.lastmodified' is missing", file);
		goto fail;
	}
	if (!seal__sops_time_aad(m->lastmodified, aad)) {
		rc = seal__err(ctx, SEAL_EFORMAT,
		    "%s: 'sops.lastmodified' is not an RFC 3339 time", file);
		goto fail;
	}
	if (m->nage == 0 && m->nother_keys == 0) {
		rc = seal__err(ctx, SEAL_EFORMAT,
		    "%s: no keys found in the sops metadata", file);
		goto fail;
	}
	return SEAL_OK;
fail:
	seal__sops_meta_clear(m);
	return rc;
}

void
seal__sops_meta_clear(struct seal__sops_meta *m)
{
	free(m->age);
	memset(m, 0, sizeof(*m));
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long long
days_from_civil(int y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
num(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* The civil date of a day count since 1970-01-01 (inverse of the above). */
static void
civil_from_days(long long z, long long *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/*
 * RFC 3339 UTC seconds of a Unix time. Neither gmtime_r nor strftime:
 * glibc's gmtime_r initialises the local time zone on first use, which
 * read /etc/localtime on every decrypt for a UTC-only string.
 */
static bool
utc_format(char out[32], long long t)
{
	long long days = t / 86400, rem = t % 86400, y;
	int m, d;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	if (y < -9999 || y > 99999)
		return false;
	/* the year as Go writes it: at least four digits, '-' if negative */
	return snprintf(out, 32, "%s%04lld-%02d-%02dT%02d:%02d:%02dZ",
	    y < 0 ? "-" : "", y < 0 ? -y : y, m, d, (int)(rem / 3600),
	    (int)(rem / 60 % 60), (int)(rem % 60)) < 32;
}

bool
seal__sops_time_aad(const char *s, char out[32])
{
	int y, mo, d, h, mi, sec, off = 0;
	const char *p;
	long long t;

	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return false;
	y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2);
	h = num(s + 11, 2), mi = num(s + 14, 2), sec = num(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return false;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh = num(p + 1, 2), om;
		if (oh < 0 || p[3] != ':' || (om = num(p + 4, 2)) < 0)
			return false;
		off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return false;
	}
	if (*p != '\0')
		return false;
	t = days_from_civil(y, mo, d) * 86400LL + h * 3600 + mi * 60 + sec -
	    off;
	return utc_format(out, t);
}

void
seal__sops_time_now(char out[32])
{
	if (!utc_format(out, (long long)time(NULL)))
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

void
seal__path_string(char *buf, size_t cap, const char *const *keys,
    const size_t *lens, size_t n)
{
	size_t i, o = 0;

	if (cap == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		char q[128];
		seal__quote(q, sizeof(q), keys[i], lens[i]);
		o += (size_t)snprintf(buf + (o < cap ? o : cap - 1),
		    o < cap ? cap - o : 1, "%s%s", i ? "." : "", q);
	}
}
