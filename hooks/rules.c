/* SPDX-License-Identifier: ISC */
/*
 * rules.c - credential rules: private keys, age identities, cloud and SaaS
 * tokens, credentials in URLs and curl lines, Docker auths and generic
 * "password = value" assignments with entropy and placeholder filters.
 * One Hyperscan pass over the whole buffer finds cheap fixed-length
 * prefixes (clean files cost that pass and nothing else); each hit's line
 * is confirmed with PCRE2, which also yields the secret for filtering and
 * redaction. Kubernetes and SOPS structure live in kube.c, not here.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#if defined(HAVE_HS) && !defined(SEAL_SCAN_NO_HS)
#define USE_HS 1
#include <hs/hs.h>
#endif
#include <sodium.h>

#include "hooks/checks.h"

enum chk {
	CHK_TOKEN,	/* entropy floor, not a placeholder or a mask */
	CHK_AWS,	/* CHK_TOKEN, and not AWS's documented example */
	CHK_VAULT,	/* letters and digits both */
	CHK_EXACT,	/* the shape alone is proof */
	CHK_PKEY,	/* PEM/OpenSSH/PGP armor with a key body */
	CHK_DOCKER,	/* base64 "user:password" */
	CHK_USERPASS,	/* group 1 user, group 2 password */
	CHK_GENERIC,	/* keyword = value, filtered hard */
	CHK_HINT,	/* no finding: tells kube.c the file needs a look */
};

struct rule_def {
	const char *id;
	const char *what;
	const char *hs;	  /* Hyperscan prefix: fixed length, cheap */
	unsigned hsflags;
	const char *re;	  /* PCRE2 confirmation on the line */
	int group;	  /* capture group holding the secret (0: all) */
	enum chk chk;
	bool binary;	  /* also run on binary files */
};

#define CI 1u /* case-insensitive prefix */

static const struct rule_def defs[] = {
	{ "private-key", "private key material",
	    "-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY", 0,
	    "-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----", 0,
	    CHK_PKEY, true },
	{ "age-identity", "age secret key", "AGE-SECRET-KEY-1", 0,
	    "AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}", 0, CHK_EXACT, true },
	{ "aws-access-key", "AWS access key id",
	    "(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}", 0,
	    "\\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\\b", 1,
	    CHK_AWS, true },
	{ "aws-secret-key", "AWS secret access key", "aws_?secret", CI,
	    "(?i)aws_?secret_?(?:access_?)?key[\"']?\\s*(?:=|:=|:|=>)\\s*"
	    "[\"']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])",
	    1, CHK_TOKEN, true },
	{ "github-token", "GitHub token", "gh[pousr]_[0-9A-Za-z]{36}", 0,
	    "\\b(gh[pousr]_[0-9A-Za-z]{36})", 1, CHK_TOKEN, true },
	{ "github-pat", "GitHub fine-grained token", "github_pat_", 0,
	    "\\b(github_pat_[0-9A-Za-z_]{82})", 1, CHK_TOKEN, true },
	{ "gitlab-token", "GitLab token", "gl(?:pat|dt|rt|ptt)-", 0,
	    "\\b(gl(?:pat|dt|rt|ptt)-[0-9A-Za-z_-]{20,})", 1, CHK_TOKEN,
	    true },
	{ "slack-token", "Slack token", "xox[abposre]-[0-9A-Za-z-]{10}", 0,
	    "\\b(xox[abposre]-[0-9A-Za-z-]{10,})", 1, CHK_TOKEN, true },
	{ "slack-webhook", "Slack webhook URL", "hooks.slack.com/", 0,
	    "hooks\\.slack\\.com/(?:services|workflows)/"
	    "([A-Za-z0-9/_-]{30,})", 1, CHK_TOKEN, true },
	{ "stripe-key", "Stripe secret key",
	    "[rs]k_(?:live|test|prod)_[0-9A-Za-z]{10}", 0,
	    "\\b([rs]k_(?:live|test|prod)_[0-9A-Za-z]{10,247})", 1,
	    CHK_TOKEN, true },
	{ "gcp-api-key", "Google API key", "AIza[0-9A-Za-z_-]{35}", 0,
	    "\\b(AIza[0-9A-Za-z_-]{35})", 1, CHK_TOKEN, true },
	{ "azure-storage-key", "Azure storage account key", "AccountKey=", 0,
	    "AccountKey=([A-Za-z0-9+/]{86}==)", 1, CHK_TOKEN, true },
	{ "vault-token", "HashiCorp Vault token",
	    "(?:\\bhvs\\.[A-Za-z0-9_-]{90}|\\bs\\.[A-Za-z0-9]{24})", 0,
	    "\\b(hvs\\.[A-Za-z0-9_-]{90,120}|s\\.[A-Za-z0-9]{24})\\b", 1,
	    CHK_VAULT, true },
	{ "jwt", "JSON Web Token", "eyJ[A-Za-z0-9_-]{10}", 0,
	    "\\b(eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\."
	    "[A-Za-z0-9_-]{10,})",
	    1, CHK_TOKEN, true },
	{ "npm-token", "npm access token", "npm_[A-Za-z0-9]{36}", 0,
	    "\\b(npm_[A-Za-z0-9]{36})", 1, CHK_TOKEN, true },
	{ "npmrc-auth", "npm registry credential", "_auth", CI,
	    "(?i)_auth(?:Token)?\\s*=\\s*[\"']?([^\\s\"']{8,})", 1,
	    CHK_TOKEN, false },
	{ "docker-auth", "Docker registry credential", "\"auth\"", 0,
	    "\"auth\"\\s*:\\s*\"([A-Za-z0-9+/]{8,}={0,2})\"", 1, CHK_DOCKER,
	    false },
	{ "url-credentials", "password in a URL", "://", 0,
	    "\\b[A-Za-z][A-Za-z0-9+.-]{1,20}://([^\\s:@/'\"]{1,64}):"
	    "([^\\s@/'\"]{1,128})@[A-Za-z0-9.\\[-]",
	    2, CHK_USERPASS, false },
	{ "curl-credentials", "password on a curl command line", "curl", 0,
	    "\\bcurl\\b.*?\\s(?:-u|--user)\\s*[\"']?([^\\s\"':]+):"
	    "([^\\s\"']+)",
	    2, CHK_USERPASS, false },
	{ "generic-secret", "secret assigned in the clear",
	    "(?:passw(?:or)?d|pwd|secret|token|api_?key|api-key|apikey|"
	    "access_?key|private_?key|credential)(?:s|_?key|_?value|[0-9])?"
	    "[\"']?\\s*(?:=|:)\\s*[\"']?[^\\s\"',;()]{8}",
	    CI,
	    /* the key ends in the keyword (plus s, _key, _value or a digit):
	     * token_count, SECRET_NAME and passwordFile are not secrets */
	    "(?i)([A-Za-z0-9_.-]*(?:passw(?:or)?d|pwd|secret|token|"
	    "api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)"
	    "(?:s|_?key|_?value|[0-9])?)[\"']?\\s*(?:=|:=|:|=>)\\s*[\"']?"
	    "([^\\s\"',;()]{1,300})",
	    2, CHK_GENERIC, false },
	/* structure hints (HS single-match) for kube.c's prefilter */
	{ "hint-kind", NULL, "kind[\"']?\\s*:\\s*[\"']?secret", CI, ".", 0,
	    CHK_HINT, true },
	{ "hint-sops", NULL, "sops", 0, ".", 0, CHK_HINT, true },
	{ "hint-enc", NULL, "ENC\\[", 0, ".", 0, CHK_HINT, true },
	{ "hint-gen", NULL, "secretGenerator", 0, ".", 0, CHK_HINT, true },
	{ "hint-sealed", NULL, "SealedSecret", 0, ".", 0, CHK_HINT, true },
};

#define NRULES SEAL__NRULES
enum { SEAL__NRULES = sizeof(defs) / sizeof(defs[0]) };

struct rules {
	pcre2_code *re[NRULES];
#ifdef USE_HS
	hs_database_t *db;
#endif
};

struct rules_scratch {
	pcre2_match_data *md;
#ifdef USE_HS
	hs_scratch_t *hs;
#endif
};

#ifdef USE_HS
/*
 * Compiling the Hyperscan database costs more than scanning a typical
 * commit, so the serialized database is cached (cache_dir/seal/), named
 * by a hash of every pattern, flag and the library version. Anything
 * wrong with the cache (missing, truncated, another CPU) means: compile.
 */
static void
db_cache_name(char *out, size_t outlen, const char *dir)
{
	crypto_generichash_state st;
	unsigned char h[16];
	char hex[33];
	size_t i;

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	for (i = 0; i < NRULES; i++) {
		unsigned f = defs[i].hsflags | (unsigned)defs[i].chk << 8;
		crypto_generichash_update(&st, (const unsigned char *)defs[i].hs,
		    strlen(defs[i].hs) + 1);
		crypto_generichash_update(&st, (const unsigned char *)&f,
		    sizeof(f));
	}
	crypto_generichash_update(&st, (const unsigned char *)hs_version(),
	    strlen(hs_version()));
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, outlen, "%s/seal/rules-%s.hsdb", dir, hex);
}

static hs_database_t *
db_cache_load(const char *path)
{
	hs_database_t *db = NULL;
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 022) ||
	    st.st_size <= 0 || st.st_size > (64 << 20) ||
	    (buf = malloc((size_t)st.st_size)) == NULL) {
		close(fd);
		return NULL;
	}
	if (read(fd, buf, (size_t)st.st_size) == (ssize_t)st.st_size &&
	    hs_deserialize_database(buf, (size_t)st.st_size, &db) !=
		HS_SUCCESS)
		db = NULL;
	free(buf);
	close(fd);
	return db;
}

static void
db_cache_store(const char *path, const hs_database_t *db)
{
	char *bytes = NULL, tmp[4200], dir[4096], *slash;
	size_t n = 0;
	int fd;

	if (hs_serialize_database(db, &bytes, &n) != HS_SUCCESS)
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			char *up = strrchr(dir, '/');
			if (up) { /* the cache root itself may be missing */
				*up = '\0';
				(void)mkdir(dir, 0700);
				*up = '/';
			}
			(void)mkdir(dir, 0700);
		}
	}
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		bool ok = write(fd, bytes, n) == (ssize_t)n;
		ok = close(fd) == 0 && ok;
		if (!ok || rename(tmp, path) < 0)
			unlink(tmp);
	}
	free(bytes);
}
#endif

struct rules *
rules_new(const char *cache_dir, char *err, size_t errlen)
{
	struct rules *r = calloc(1, sizeof(*r));
	size_t i;

	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < NRULES; i++) {
		int ec;
		PCRE2_SIZE eo;
		r->re[i] = pcre2_compile((PCRE2_SPTR)defs[i].re,
		    PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
		if (r->re[i] == NULL) {
			snprintf(err, errlen, "rule '%s': bad regex at %zu",
			    defs[i].id, (size_t)eo);
			rules_free(r);
			return NULL;
		}
		/* no JIT: confirmations run on a few lines after the
		 * prefilter, and JIT compiling all rules costs more */
	}
#ifdef USE_HS
	{
		const char *pats[NRULES];
		unsigned flags[NRULES], ids[NRULES];
		hs_compile_error_t *ce = NULL;
		char cpath[4096];

		if (cache_dir) {
			db_cache_name(cpath, sizeof(cpath), cache_dir);
			if ((r->db = db_cache_load(cpath)) != NULL)
				return r;
		}
		for (i = 0; i < NRULES; i++) {
			pats[i] = defs[i].hs;
			flags[i] = (defs[i].hsflags & CI) ? HS_FLAG_CASELESS :
							      0;
			if (defs[i].chk == CHK_HINT)
				flags[i] |= HS_FLAG_SINGLEMATCH;
			ids[i] = (unsigned)i;
		}
		if (hs_compile_multi(pats, flags, ids, NRULES, HS_MODE_BLOCK,
			NULL, &r->db, &ce) != HS_SUCCESS) {
			snprintf(err, errlen, "rule '%s': %s",
			    ce && ce->expression >= 0 ?
				defs[ce->expression].id : "?",
			    ce ? ce->message : "hyperscan failed");
			hs_free_compile_error(ce);
			rules_free(r);
			return NULL;
		}
		if (cache_dir)
			db_cache_store(cpath, r->db);
	}
#else
	(void)cache_dir;
#endif
	return r;
}

void
rules_free(struct rules *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < NRULES; i++)
		pcre2_code_free(r->re[i]);
#ifdef USE_HS
	hs_free_database(r->db);
#endif
	free(r);
}

struct rules_scratch *
rules_scratch_new(const struct rules *r)
{
	struct rules_scratch *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->md = pcre2_match_data_create(8, NULL);
#ifdef USE_HS
	if (hs_alloc_scratch(r->db, &s->hs) != HS_SUCCESS)
		s->hs = NULL;
	if (s->md == NULL || s->hs == NULL) {
#else
	(void)r;
	if (s->md == NULL) {
#endif
		rules_scratch_free(s);
		return NULL;
	}
	return s;
}

void
rules_scratch_free(struct rules_scratch *s)
{
	if (s == NULL)
		return;
	pcre2_match_data_free(s->md);
#ifdef USE_HS
	hs_free_scratch(s->hs);
#endif
	free(s);
}

/* filters ---------------------------------------------------------------- */

static unsigned
classes(const char *s, size_t n)
{
	unsigned c = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (islower(ch))
			c |= 1;
		else if (isupper(ch))
			c |= 2;
		else if (isdigit(ch))
			c |= 4;
		else
			c |= 8;
	}
	return c;
}

static unsigned
popcount4(unsigned c)
{
	return (c & 1) + ((c >> 1) & 1) + ((c >> 2) & 1) + ((c >> 3) & 1);
}

static bool
token_ok(const char *s, size_t n)
{
	return !scan_is_placeholder(s, n) && scan_entropy(s, n) >= 3.0;
}

/* Words that make a "secret-sounding" key name something else. */
static bool
key_is_reference(const char *k, size_t n)
{
	static const char *const deny[] = { "name", "file", "path", "header",
		"length", "len", "ttl", "second", "timeout", "ref", "env",
		"var", "type", "count", "url", "uri", "min", "max", "policy",
		"regex", "pattern", "prefix", "suffix", "field", "format",
		"enable", "expir", "duration", "size", "endpoint", "hint",
		"label", "public", "existing", "mode", "location", "provider",
		"version", "sha", "hash", "digest", "checksum", "fingerprint",
		"id", "key_id", "keyid", "store", "manager", "template",
		"selector", "param", "arn", "mount", "dir", "source", "kind",
		"usage", "rotation", "generator", "class", "ctx", "context",
		NULL };
	char low[128];
	size_t i, m = n < sizeof(low) - 1 ? n : sizeof(low) - 1;

	for (i = 0; i < m; i++)
		low[i] = (char)tolower((unsigned char)k[i]);
	low[m] = '\0';
	for (i = 0; deny[i]; i++) {
		const char *p = strstr(low, deny[i]);
		size_t dl = strlen(deny[i]);
		/* "id" only as a whole segment (client_id, but not "valid") */
		if (p && strcmp(deny[i], "id") == 0) {
			for (; p; p = strstr(p + 1, "id")) {
				bool lb = p == low || !isalnum((unsigned char)p[-1]);
				bool rb = !isalnum((unsigned char)p[dl]);
				bool camel = p > low && isupper((unsigned char)
				    k[p - low]);
				if ((lb || camel) && rb)
					return true;
			}
			continue;
		}
		if (p)
			return true;
	}
	return false;
}

static bool
generic_value_ok(const char *v, size_t n)
{
	unsigned c;

	if (n < 8 || scan_is_placeholder(v, n))
		return false;
	if (n >= 4 && strncmp(v, "ENC[", 4) == 0)
		return false;
	if (memmem(v, n, "://", 3) || v[0] == '/' || v[0] == '.')
		return false; /* a URL or path; credentials in URLs: own rule */
	c = classes(v, n);
	/* a real secret mixes at least two of lower, upper, digit */
	if (popcount4(c & 7) < 2)
		return false;
	return scan_entropy(v, n) >= 3.0;
}

/* PEM armor: refuse a header with a key body, or a lone header (a key
 * cut off mid-paste); allow armor around a few words of prose. */
static bool
pkey_has_body(const char *p, size_t n)
{
	const char *end = memmem(p, n, "-----END", 8);
	size_t i, lim = end ? (size_t)(end - p) : n, b64 = 0;

	if (end == NULL)
		return true;
	for (i = 0; i < lim; i++) {
		unsigned char c = (unsigned char)p[i];
		if (isalnum(c) || c == '+' || c == '/' || c == '=')
			b64++;
	}
	return b64 >= 32;
}

static bool
docker_auth_ok(const char *s, size_t n)
{
	unsigned char out[512];
	size_t olen = 0;
	const unsigned char *colon;

	if (sodium_base642bin(out, sizeof(out), s, n, NULL, &olen, NULL,
		sodium_base64_VARIANT_ORIGINAL) != 0)
		return token_ok(s, n);
	colon = memchr(out, ':', olen);
	if (colon == NULL || (size_t)(colon - out) + 1 >= olen) {
		sodium_memzero(out, sizeof(out));
		return false;
	}
	colon++;
	{
		bool ok = !scan_is_placeholder((const char *)colon,
		    olen - (size_t)(colon - out));
		sodium_memzero(out, sizeof(out));
		return ok;
	}
}

/* matching --------------------------------------------------------------- */

struct run {
	const struct rules *r;
	struct rules_scratch *s;
	struct scan_text *t;
	struct scan_results *out;
	size_t done[NRULES]; /* hits before this offset are handled */
	size_t base;	     /* offset of the chunk being scanned */
	bool sealed_secret;  /* a SealedSecret: drop generic findings */
	int rc;
};

static int
report(struct run *run, size_t i, size_t ms, size_t me, size_t ss,
    size_t se)
{
	char ex[SCAN_EXCERPT_MAX + 1];
	const char *b = run->t->buf;

	if (scan_line_allowed(run->t, ss))
		return 0;
	scan_redact(ex, sizeof(ex), b + ms, me - ms, ss - ms, se - ss);
	return scan_results_add(run->out, run->t->path,
	    scan_line_of(run->t, ss), defs[i].id, defs[i].what, ex,
	    (const unsigned char *)b + ss, se - ss, false);
}

static bool
confirm(const struct rule_def *d, const char *b, size_t ms, size_t me,
    const PCRE2_SIZE *ov, size_t ss, size_t se)
{
	const char *v = b + ss;
	size_t n = se - ss;

	switch (d->chk) {
	case CHK_EXACT:
		return true;
	case CHK_AWS:
		if (n >= 7 && memcmp(v + n - 7, "EXAMPLE", 7) == 0)
			return false;
		return token_ok(v, n);
	case CHK_TOKEN:
		return token_ok(v, n);
	case CHK_VAULT:
		return (classes(v, n) & 4) && (classes(v, n) & 3) &&
		    token_ok(v, n);
	case CHK_PKEY:
		(void)ms;
		return true; /* body checked by the caller */
	case CHK_DOCKER:
		return docker_auth_ok(v, n);
	case CHK_USERPASS:
		if (scan_is_placeholder(b + ov[2], ov[3] - ov[2]) ||
		    scan_is_placeholder(v, n))
			return false;
		return n >= 3 && strncasecmp(v, "pass", n < 4 ? n : 4) != 0;
	case CHK_HINT:
		return false;
	case CHK_GENERIC:
		(void)me;
		if (key_is_reference(b + ov[2], ov[3] - ov[2]))
			return false;
		return generic_value_ok(v, n);
	}
	return false;
}

/* Confirm rule i on the line around off (or the window for keys). */
static int
check_hit(struct run *run, size_t i, size_t off)
{
	const struct rule_def *d = &defs[i];
	struct scan_text *t = run->t;
	size_t ls, le, pos;

	if (off < run->done[i])
		return 0;
	if (d->chk == CHK_HINT) {
		if (strcmp(d->id, "hint-sealed") == 0)
			run->sealed_secret = true;
		else
			t->hints = true;
		return 0;
	}
	scan_line_bounds(t, off ? off - 1 : 0, &ls, &le);
	run->done[i] = le + 1;
	for (pos = ls; pos < le;) {
		PCRE2_SIZE *ov;
		size_t ms, me, ss, se;
		int m = pcre2_match(run->r->re[i], (PCRE2_SPTR)t->buf, le, pos,
		    0, run->s->md, NULL);

		if (m < 0)
			break;
		ov = pcre2_get_ovector_pointer(run->s->md);
		ms = ov[0];
		me = ov[1];
		if (d->group > 0 && m > d->group &&
		    ov[2 * d->group] != PCRE2_UNSET) {
			ss = ov[2 * d->group];
			se = ov[2 * d->group + 1];
		} else {
			ss = ms;
			se = me;
		}
		if (me <= pos)
			me = pos + 1;
		pos = me;
		if (d->chk == CHK_PKEY) {
			size_t win = t->len - ms > 16384 ? 16384 : t->len - ms;
			if (!pkey_has_body(t->buf + ov[1], win - (ov[1] - ms)))
				continue;
			ss = se = me; /* the armor header is the excerpt */
		} else if (!confirm(d, t->buf, ms, me, ov, ss, se))
			continue;
		if (report(run, i, ms, me, ss, se) < 0)
			return -1;
	}
	return 0;
}

#ifdef USE_HS
static int
on_hit(unsigned int id, unsigned long long from, unsigned long long to,
    unsigned int flags, void *arg)
{
	struct run *run = arg;

	(void)from;
	(void)flags;
	if (run->t->binary && !defs[id].binary)
		return 0;
	if (check_hit(run, id, run->base + (size_t)to) < 0) {
		run->rc = -1;
		return 1; /* stop */
	}
	return 0;
}
#endif

#ifndef USE_HS
/*
 * Without Hyperscan (non-x86 builds): literal anchors per rule, found with
 * memmem (on a lower-cased copy for case-insensitive rules), then the
 * same PCRE2 confirmation on the line. Slower, same verdicts.
 */
static const char *const anchors[NRULES] = {
	"-----begin", "AGE-SECRET-KEY-1", "AKIA|ASIA|ABIA|ACCA|A3T",
	"aws", "ghp_|gho_|ghu_|ghs_|ghr_", "github_pat_",
	"glpat-|gldt-|glrt-|glptt-", "xox", "hooks.slack.com/",
	"sk_|rk_", "AIza", "AccountKey=", "hvs.|s.", "eyJ", "npm_", "_auth",
	"\"auth\"", "://", "curl",
	"pass|pwd|secret|token|api|access_|accesskey|private|credential",
	"kind", "sops", "ENC[", "secretGenerator", "SealedSecret",
};

static int
scan_literals(struct run *run)
{
	struct scan_text *t = run->t;
	char *low = malloc(t->len + 1);
	size_t i, k;

	if (low == NULL)
		return -1;
	for (k = 0; k < t->len; k++)
		low[k] = (char)tolower((unsigned char)t->buf[k]);
	for (i = 0; i < NRULES && run->rc == 0; i++) {
		/* rules matched case-insensitively, and PEM armor */
		bool ci = (defs[i].hsflags & CI) || i == 0;
		const char *hay = ci ? low : t->buf, *a = anchors[i];

		if (t->binary && !defs[i].binary)
			continue;
		while (*a && run->rc == 0) {
			const char *bar = strchr(a, '|');
			size_t al = bar ? (size_t)(bar - a) : strlen(a), pos = 0;
			char lit[32];
			snprintf(lit, sizeof(lit), "%.*s", (int)al, a);
			if (ci)
				for (k = 0; lit[k]; k++)
					lit[k] = (char)tolower((unsigned char)lit[k]);
			while (pos < t->len) {
				const char *p = memmem(hay + pos, t->len - pos,
				    lit, al);
				size_t off;
				if (p == NULL)
					break;
				off = (size_t)(p - hay) + al;
				if (defs[i].chk == CHK_HINT) {
					if (strcmp(defs[i].id, "hint-sealed") == 0)
						run->sealed_secret = true;
					else
						t->hints = true;
					break;
				}
				if (check_hit(run, i, off) < 0) {
					run->rc = -1;
					break;
				}
				pos = run->done[i] > off ? run->done[i] : off;
			}
			a += al + (bar ? 1 : 0);
		}
	}
	free(low);
	return run->rc;
}
#endif

int
rules_scan(const struct rules *r, struct rules_scratch *s,
    struct scan_text *t, struct scan_results *out)
{
	struct run run = { .r = r, .s = s, .t = t, .out = out };
	size_t first = out->n, i, k;
#ifdef USE_HS
	{
		/* hs_scan takes an unsigned int length: walk huge buffers in
		 * chunks that overlap by more than any prefix */
		size_t off = 0, chunk = (size_t)1 << 30;
		while (off < t->len || (off == 0 && t->len == 0)) {
			size_t n = t->len - off > chunk ? chunk : t->len - off;
			hs_error_t e;
			run.base = off;
			e = hs_scan(r->db, t->buf + off,
			    (unsigned)n, 0, s->hs, on_hit, &run);
			if (e != HS_SUCCESS && e != HS_SCAN_TERMINATED)
				return -1;
			if (run.rc < 0 || off + n >= t->len)
				break;
			off += n - 256;
		}
	}
#else
	if (scan_literals(&run) < 0)
		return -1;
#endif
	/* SealedSecret ciphertext sits under "password:"-like keys: it is
	 * the controller's to decrypt, not a plaintext assignment */
	if (run.sealed_secret) {
		for (i = k = first; i < out->n; i++) {
			if (strcmp(out->v[i].rule, "generic-secret") == 0) {
				free(out->v[i].path);
				continue;
			}
			out->v[k++] = out->v[i];
		}
		out->n = k;
	}
	return run.rc;
}
