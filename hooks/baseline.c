/* SPDX-License-Identifier: ISC */
/*
 * baseline.c - the baseline: findings a repository has accepted, committed
 * beside the code (.seal-baseline). A committed file must not give the
 * secrets away, so fingerprints are salted and slow to test guesses
 * against: each baseline has its own random salt, one key is derived from
 * it with Argon2id (crypto_pwhash), and each fingerprint is BLAKE2b keyed
 * with that key over the finding's identity (rule, path, secret; see
 * findings.c). One key per baseline, not Argon2id per entry: the hook
 * compares every finding on every commit, and per-entry Argon2id would
 * cost seconds for a large baseline (doc/seal-scan-rules.md, Baselines).
 * The key is derived only when there is a finding to compare.
 *
 *   # comments
 *   seal-baseline 2 argon2id ops=3 mem=33554432 random=<32 hex: the salt>
 *
 * (not "salt=": a secret-sounding name, which scanners, ours included,
 * would flag)
 *   <32 hex fingerprint> TAB path TAB rule
 *
 * Anything else is an error with its line: a baseline that cannot be read
 * accepts nothing and stops the scan (exit 2), never "accept all".
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hooks/scan.h"

#define BL_FP	  16u /* bytes of a fingerprint: 128 bits */
#define BL_SALT	  crypto_pwhash_SALTBYTES
#define BL_KEY	  32u
#define BL_MAX_LINE 8192u
#define BL_MAGIC  "seal-baseline"
#define BL_CONTEXT "seal scan baseline v2" /* the "password": a label */

struct bl_entry {
	unsigned char fp[BL_FP];
	char *path, *rule;
	unsigned line;
	bool live;
};

struct scan_baseline {
	struct bl_entry *v;
	size_t n, cap;
	struct bl_entry **order; /* sorted by fingerprint */
	unsigned long long ops;
	size_t mem;
	unsigned char salt[BL_SALT];
	unsigned char *key; /* sodium_malloc'd once derived */
	bool have_header;
};

static int
fp_cmp(const unsigned char *a, const unsigned char *b)
{
	return memcmp(a, b, BL_FP);
}

void
scan_baseline_free(struct scan_baseline *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		free(b->v[i].path);
		free(b->v[i].rule);
	}
	free(b->v);
	free(b->order);
	if (b->key)
		sodium_free(b->key);
	free(b);
}

struct scan_baseline *
scan_baseline_new(void)
{
	struct scan_baseline *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->ops = SCAN_BASELINE_OPS;
	b->mem = SCAN_BASELINE_MEM;
	randombytes_buf(b->salt, sizeof(b->salt));
	b->have_header = true;
	return b;
}

static bool
hex_lower(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* "key=value" as an unsigned number, exactly */
static bool
num_field(const char *tok, const char *key, unsigned long long *out)
{
	size_t kl = strlen(key);
	char *end;

	if (strncmp(tok, key, kl) != 0 || tok[kl] != '=' ||
	    !isdigit((unsigned char)tok[kl + 1]) || strlen(tok + kl + 1) > 12)
		return false;
	*out = strtoull(tok + kl + 1, &end, 10);
	return *end == '\0';
}

static int
header(struct scan_baseline *b, unsigned line, char *s, char *err,
    size_t errlen)
{
	char *tok[7], *save = NULL;
	unsigned long long mem = 0;
	size_t n = 0;

	for (char *t = strtok_r(s, " \t", &save); t; t = strtok_r(NULL, " \t",
						       &save)) {
		if (n == 6) {
			n++;
			break;
		}
		tok[n++] = t;
	}
	if (n < 2 || strcmp(tok[0], BL_MAGIC) != 0) {
		snprintf(err, errlen, "line %u: expected the header "
		    "'" BL_MAGIC " 2 argon2id ops=N mem=N random=HEX'", line);
		return -1;
	}
	if (strcmp(tok[1], "2") != 0) {
		snprintf(err, errlen, "line %u: baseline version '%.16s' is "
		    "not one this seal reads (2)", line, tok[1]);
		return -1;
	}
	if (n != 6 || strcmp(tok[2], "argon2id") != 0 ||
	    !num_field(tok[3], "ops", &b->ops) ||
	    !num_field(tok[4], "mem", &mem) || strncmp(tok[5], "random=", 7) ||
	    strlen(tok[5] + 7) != 2 * BL_SALT ||
	    !hex_lower(tok[5] + 7, 2 * BL_SALT)) {
		snprintf(err, errlen, "line %u: malformed header: expected "
		    "'" BL_MAGIC " 2 argon2id ops=N mem=N random=<%u hex>'",
		    line, 2 * BL_SALT);
		return -1;
	}
	/* below the floor is a weakened file, above the ceiling a file
	 * that would stall every commit: both refused */
	if (b->ops < SCAN_BASELINE_OPS || b->ops > SCAN_BASELINE_OPS_MAX ||
	    mem < SCAN_BASELINE_MEM || mem > SCAN_BASELINE_MEM_MAX) {
		snprintf(err, errlen, "line %u: Argon2id cost ops=%llu mem=%llu "
		    "outside %u..%u and %u..%u; regenerate the baseline",
		    line, b->ops, mem, SCAN_BASELINE_OPS,
		    SCAN_BASELINE_OPS_MAX, SCAN_BASELINE_MEM,
		    SCAN_BASELINE_MEM_MAX);
		return -1;
	}
	b->mem = (size_t)mem;
	sodium_hex2bin(b->salt, sizeof(b->salt), tok[5] + 7, 2 * BL_SALT,
	    NULL, NULL, NULL);
	b->have_header = true;
	return 0;
}

static bool
rule_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!(isalnum((unsigned char)s[i]) || strchr("._-", s[i])))
			return false;
	return i > 0 && i <= 64;
}

static int
entry(struct scan_baseline *b, unsigned line, char *s, size_t n, char *err,
    size_t errlen)
{
	char *tab1, *tab2;
	struct bl_entry *e;

	if (!b->have_header) {
		if (n >= 16 && hex_lower(s, 16) &&
		    (n == 16 || s[16] == '\t' || s[16] == ' '))
			snprintf(err, errlen, "line %u: an unsalted baseline "
			    "of an older seal: its fingerprints can be "
			    "tested against guesses of the secrets; "
			    "regenerate it with 'seal scan --write-baseline "
			    "FILE' (and review what it accepts)", line);
		else
			snprintf(err, errlen, "line %u: expected the header "
			    "'" BL_MAGIC " 2 argon2id ops=N mem=N random=HEX'",
			    line);
		return -1;
	}
	if (n < 2 * BL_FP || !hex_lower(s, 2 * BL_FP) ||
	    (n > 2 * BL_FP && s[2 * BL_FP] != '\t')) {
		snprintf(err, errlen, "line %u: expected a %u-digit lower-case "
		    "hex fingerprint, a tab, the path, a tab, the rule", line,
		    2 * BL_FP);
		return -1;
	}
	tab1 = n > 2 * BL_FP ? s + 2 * BL_FP : NULL;
	tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
	if (tab1 == NULL || tab2 == NULL || tab2 == tab1 + 1 ||
	    strchr(tab2 + 1, '\t') || !rule_ok(tab2 + 1)) {
		snprintf(err, errlen, "line %u: expected the fingerprint, a "
		    "tab, the path, a tab, the rule", line);
		return -1;
	}
	if (b->n == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 16;
		struct bl_entry *nv = realloc(b->v, ncap * sizeof(*nv));
		if (nv == NULL)
			goto oom;
		b->v = nv;
		b->cap = ncap;
	}
	e = &b->v[b->n];
	memset(e, 0, sizeof(*e));
	sodium_hex2bin(e->fp, sizeof(e->fp), s, 2 * BL_FP, NULL, NULL, NULL);
	e->line = line;
	e->path = strndup(tab1 + 1, (size_t)(tab2 - tab1 - 1));
	e->rule = strdup(tab2 + 1);
	if (e->path == NULL || e->rule == NULL) {
		free(e->path);
		free(e->rule);
		goto oom;
	}
	b->n++;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

static int
order_cmp(const void *pa, const void *pb)
{
	return fp_cmp((*(struct bl_entry *const *)pa)->fp,
	    (*(struct bl_entry *const *)pb)->fp);
}

struct scan_baseline *
scan_baseline_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	struct scan_baseline *b = calloc(1, sizeof(*b));
	char line[BL_MAX_LINE + 1];
	unsigned no = 0;
	size_t pos = 0, i;

	if (b == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		char *s = line;
		no++;
		if (n > BL_MAX_LINE || memchr(buf + pos, '\0', n)) {
			snprintf(err, errlen, "line %u: %s", no,
			    n > BL_MAX_LINE ? "line too long" : "NUL byte");
			goto bad;
		}
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		if (!b->have_header && strncmp(s, BL_MAGIC, strlen(BL_MAGIC)) ==
			0) {
			if (header(b, no, s, err, errlen) < 0)
				goto bad;
		} else if (entry(b, no, s, strlen(s), err, errlen) < 0)
			goto bad;
	}
	if (!b->have_header) {
		snprintf(err, errlen, "line %u: no '" BL_MAGIC "' header: "
		    "regenerate the baseline with 'seal scan "
		    "--write-baseline FILE'", no ? no : 1);
		goto bad;
	}
	if (b->n && (b->order = malloc(b->n * sizeof(*b->order))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto bad;
	}
	for (i = 0; i < b->n; i++)
		b->order[i] = &b->v[i];
	if (b->n > 1)
		qsort(b->order, b->n, sizeof(*b->order), order_cmp);
	return b;
bad:
	scan_baseline_free(b);
	return NULL;
}

static int
derive(struct scan_baseline *b)
{
	if (b->key)
		return 0;
	/* guarded memory needs the library set up (idempotent) */
	if (sodium_init() < 0 || (b->key = sodium_malloc(BL_KEY)) == NULL)
		return -1;
	if (crypto_pwhash(b->key, BL_KEY, BL_CONTEXT, strlen(BL_CONTEXT),
		b->salt, b->ops, b->mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		sodium_free(b->key);
		b->key = NULL;
		return -1;
	}
	return 0;
}

static void
fingerprint(const struct scan_baseline *b, const struct scan_finding *f,
    unsigned char out[BL_FP])
{
	crypto_generichash(out, BL_FP, f->id, sizeof(f->id), b->key, BL_KEY);
}

static struct bl_entry *
lookup(const struct scan_baseline *b, const unsigned char fp[BL_FP])
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = fp_cmp(fp, b->order[mid]->fp);
		if (c == 0)
			return b->order[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int
scan_baseline_apply(struct scan_baseline *b, struct scan_results *r,
    bool drop, size_t *accepted)
{
	size_t i, k = 0;

	*accepted = 0;
	if (b->n == 0 || r->n == 0)
		return 0;
	if (derive(b) < 0)
		return -1;
	for (i = 0; i < r->n; i++) {
		unsigned char fp[BL_FP];
		struct bl_entry *e;
		fingerprint(b, &r->v[i], fp);
		if ((e = lookup(b, fp)) != NULL) {
			/* every entry with that fingerprint is live */
			size_t j;
			for (j = 0; j < b->n; j++)
				if (fp_cmp(b->v[j].fp, fp) == 0)
					b->v[j].live = true;
			(*accepted)++;
			if (drop) {
				free(r->v[i].path);
				continue;
			}
		}
		r->v[k++] = r->v[i];
	}
	r->n = k;
	return 0;
}

size_t
scan_baseline_count(const struct scan_baseline *b)
{
	return b ? b->n : 0;
}

bool
scan_baseline_entry(const struct scan_baseline *b, size_t i,
    struct scan_baseline_entry *out)
{
	if (b == NULL || i >= b->n)
		return false;
	out->path = b->v[i].path;
	out->rule = b->v[i].rule;
	out->line = b->v[i].line;
	out->live = b->v[i].live;
	return true;
}

bool
scan_baseline_has_finding(struct scan_baseline *b, const struct scan_finding *f)
{
	unsigned char fp[BL_FP];

	if (b->n == 0 || derive(b) < 0)
		return false;
	fingerprint(b, f, fp);
	return lookup(b, fp) != NULL;
}

/* Control characters in a path: never raw in the file. */
static void
put_path(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
	}
}

int
scan_baseline_write(FILE *f, struct scan_baseline *b,
    const struct scan_results *r)
{
	char salt[2 * BL_SALT + 1];
	size_t i;

	if (r->n && derive(b) < 0)
		return -1;
	sodium_bin2hex(salt, sizeof(salt), b->salt, sizeof(b->salt));
	fprintf(f, "# seal scan baseline: accepted findings. Fingerprints are "
		   "salted: BLAKE2b keyed\n# with an Argon2id key of the random "
		   "salt below, over the rule, path and secret.\n# Delete a line to "
		   "be warned again; 'seal scan --update-baseline' drops\n# "
		   "entries that no longer match. See seal-scan(1).\n");
	fprintf(f, BL_MAGIC " 2 argon2id ops=%llu mem=%zu random=%s\n", b->ops,
	    b->mem, salt);
	for (i = 0; i < r->n; i++) {
		unsigned char fp[BL_FP];
		char hex[2 * BL_FP + 1];
		size_t k;
		/* one line per fingerprint */
		for (k = 0; k < i; k++)
			if (memcmp(r->v[k].id, r->v[i].id, sizeof(r->v[i].id)) ==
			    0)
				break;
		if (k < i)
			continue;
		fingerprint(b, &r->v[i], fp);
		sodium_bin2hex(hex, sizeof(hex), fp, sizeof(fp));
		fprintf(f, "%s\t", hex);
		put_path(f, r->v[i].path);
		fprintf(f, "\t%s\n", r->v[i].rule);
	}
	return ferror(f) ? -1 : 0;
}
