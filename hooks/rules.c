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
#include <pthread.h>
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
#include "hooks/values.h"

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
	    /* a secret word, only the tails values.c accepts after it
	     * (_key, _prod, 2...), then an assignment: token_count = ...
	     * costs nothing; which names count is decided word by word
	     * in values.c */
	    "(?:pass(?:word|wd|wort|phrase|code)?|pwd|pw|pword|secrets?|"
	    "tokens?|cred(?:s|entials?)?|auth|salt|psk|senha|contrasena|"
	    "motdepasse|"
	    "(?:api|access|private|app|application|master|encrypt(?:ion)?|"
	    "crypt(?:o)?|cipher|aes|sign(?:ing)?|session|client|license|"
	    "licence|account|shared|hmac|jwt|consumer|subscription|storage|"
	    "webhook|admin|root|service|write|read|deploy|ingest|sdk|server|"
	    "partner|merchant|integration|management|secret|auth)"
	    "[_.-]?keys?)"
	    "(?:[_.-]?(?:key|value|str|string|b64|base64|plain|plaintext|"
	    "raw|txt|text|data|hex|prod|production|dev|development|staging|"
	    "stage|test|testing|qa|uat|live|local|old|new|backup|primary|"
	    "secondary|current|next|prev|previous|main|default|override|"
	    "literal|bytes|base|phrase|[0-9]{1,4})){0,3}"
	    "[\"'`*\\]]{0,3}[ \\t]*(?:=|:)",
	    CI,
	    "(?i)(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]*(?:pass|pwd|pw|secret|"
	    "token|cred|auth|salt|psk|key)[A-Za-z0-9_.-]*)[\"'`*\\]]{0,3}"
	    "[ \\t]*(?:=|:=|:|=>)[ \\t]*(?:!!str[ \\t]+)?"
	    "(\"\"\".*?\"\"\"|'''.*?'''|"
	    "\"\\{\\{.*?\\}\\}\"|\\{\\{.*?\\}\\}[^\\s]*|"
	    "\"(?:[^\"\\\\\\n]|\\\\.)*\"|'[^'\\n]*'|`[^`\\n]*`|"
	    "[^\\s\"'`][^\\s]*)",
	    2, CHK_GENERIC, false },
	{ "generic-secret", "secret on a command line",
	    "\\s--?(?:password|passwd|pass|token|secret|api-?key|"
	    "client-secret|auth-token|access-token)[ \\t]+[^\\s-]", CI,
	    "(?i)(?:^|\\s)(--?(?:password|passwd|pass|token|secret|api-?key|"
	    "client-secret|auth-token|access-token))[ \\t]+"
	    "(\"(?:[^\"\\\\\\n]|\\\\.)*\"|'[^'\\n]*'|[^\\s\"'-][^\\s]*)",
	    2, CHK_GENERIC, false },
	/* structure hints (HS single-match) for kube.c's prefilter */
	{ "hint-kind", NULL, "kind[\"']?\\s*:\\s*[\"']?secret", CI, ".", 0,
	    CHK_HINT, true },
	{ "hint-sops", NULL, "sops", 0, ".", 0, CHK_HINT, true },
	{ "hint-enc", NULL, "ENC\\[", 0, ".", 0, CHK_HINT, true },
	{ "hint-gen", NULL, "secretGenerator", 0, ".", 0, CHK_HINT, true },
	{ "hint-sealed", NULL, "SealedSecret", 0, ".", 0, CHK_HINT, true },
};

enum { NRULES = sizeof(defs) / sizeof(defs[0]) };

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

/* the limits, one read-only match context for every thread */
static pcre2_match_context *scan_mctx;
static pthread_once_t scan_mctx_once = PTHREAD_ONCE_INIT;

static void
scan_mctx_init(void)
{
	scan_mctx = pcre2_match_context_create(NULL);
	if (scan_mctx == NULL)
		return;
	pcre2_set_match_limit(scan_mctx, SCAN_RE_MATCH_LIMIT);
	pcre2_set_depth_limit(scan_mctx, SCAN_RE_DEPTH_LIMIT);
	pcre2_set_heap_limit(scan_mctx, SCAN_RE_HEAP_LIMIT_KIB);
}

int
scan_re_match(const void *code, const char *subject, size_t len,
    size_t start, void *md)
{
	pthread_once(&scan_mctx_once, scan_mctx_init);
	if (scan_mctx == NULL)
		return PCRE2_ERROR_NOMEMORY;
	return pcre2_match((const pcre2_code *)code, (PCRE2_SPTR)subject, len,
	    start, 0, (pcre2_match_data *)md, scan_mctx);
}

int
scan_re_failed(struct scan_results *out, const char *path, const char *what,
    int rc)
{
	PCRE2_UCHAR msg[120];

	if (pcre2_get_error_message(rc, msg, sizeof(msg)) < 0)
		snprintf((char *)msg, sizeof(msg), "error %d", rc);
	if (out->err[0] == '\0')
		snprintf(out->err, sizeof(out->err),
		    "%.200s: %.80s: the regex engine gave up (%.80s); the scan "
		    "cannot vouch for this file: split it, or list it in "
		    ".sealignore if it holds no secret",
		    path, what, (const char *)msg);
	return -1;
}

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

bool
rules_builtin_id(const char *id)
{
	static const char *const kube_ids[] = { "k8s-secret",
		"kustomize-literal", "kustomize-secret-file", "unreadable",
		"too-large", NULL };
	size_t i;

	for (i = 0; i < NRULES; i++)
		if (defs[i].chk != CHK_HINT && strcmp(defs[i].id, id) == 0)
			return true;
	for (i = 0; kube_ids[i]; i++)
		if (strcmp(kube_ids[i], id) == 0)
			return true;
	return strncmp(id, "sops-", 5) == 0;
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

static bool
token_ok(const char *s, size_t n)
{
	return !scan_is_placeholder(s, n) && scan_entropy(s, n) >= 3.0;
}

/* PEM armor: a header is key material only with a key body after it:
 * lines (real ones, or "\n" escapes inside a string literal) made of
 * base64 and nothing else once quotes, commas and comment marks are
 * stripped, before the END line or the next BEGIN. A list of markers, a
 * regex or prose around the header has none and passes. */
static bool
pkey_has_body(const char *p, size_t n)
{
	size_t i = 0, b64 = 0, lines = 0;

	while (i < n && lines < 400) {
		size_t s = i, e, a, z, k;
		bool only = true;

		/* one segment: up to a newline or a "\n" escape */
		for (e = s; e < n && p[e] != '\n'; e++)
			if (p[e] == '\\' && e + 1 < n &&
			    (p[e + 1] == 'n' || p[e + 1] == 'r'))
				break;
		i = e < n ? e + (p[e] == '\\' ? 2 : 1) : n;
		lines++;
		a = s;
		z = e;
		while (a < z && strchr(" \t\r\"'`,+;#/*<>(){}[]|", p[a]))
			a++;
		while (z > a && strchr(" \t\r\"'`,+;\\)]}", p[z - 1]))
			z--;
		if (z == a)
			continue;
		if (z - a >= 5 && memcmp(p + a, "-----", 5) == 0)
			break; /* END, or the next marker in a list */
		{
			const char *dash = memmem(p + a, z - a, "-----", 5);
			if (dash) /* a body and the END on one line */
				z = (size_t)(dash - p);
		}
		if (memchr(p + a, ':', z - a) && b64 == 0)
			continue; /* Proc-Type:, DEK-Info:, Version: */
		for (k = a; k < z; k++) {
			unsigned char c = (unsigned char)p[k];
			if (!(isalnum(c) || c == '+' || c == '/' || c == '='))
				only = false;
		}
		if (!only || z - a < 16) {
			if (b64 >= 40)
				break;
			if (!only)
				return false; /* prose or code: no body */
			continue;
		}
		b64 += z - a;
		if (memmem(p + s, e - s, "-----", 5))
			break;
	}
	return b64 >= 40;
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
		return false; /* generic_check() reports itself */
	}
	return false;
}

/* The indentation of the line holding off. */
static size_t
indent_of(const struct scan_text *t, size_t off)
{
	size_t s, e, k;

	scan_line_bounds(t, off, &s, &e);
	for (k = s; k < e && (t->buf[k] == ' ' || t->buf[k] == '\t'); k++)
		;
	return k - s;
}

/* A YAML block scalar or !!binary value continued on the lines below
 * (more indented than the key's line): [*vs, *ve) spans them. */
static bool
block_below(const struct scan_text *t, size_t keyoff, size_t le, size_t *vs,
    size_t *ve)
{
	size_t ind = indent_of(t, keyoff), p = le + 1, first = 0, last = 0;

	while (p < t->len) {
		size_t s, e, k;
		scan_line_bounds(t, p, &s, &e);
		for (k = s; k < e && (t->buf[k] == ' ' || t->buf[k] == '\t');
		     k++)
			;
		if (k == e) { /* blank line inside a block */
			p = e + 1;
			continue;
		}
		if (k - s <= ind)
			break;
		if (first == 0)
			first = k;
		last = e;
		p = e + 1;
		if (last - first > 65536)
			break;
	}
	if (first == 0)
		return false;
	*vs = first;
	*ve = last;
	return true;
}

/* !!binary: decode, then judge the bytes: text as a literal, anything
 * else (random bytes: a key) as a secret when longer than a few bytes. */
static bool
binary_is_secret(const char *b64, size_t n, const char *word)
{
	unsigned char *out;
	size_t olen = 0, k;
	bool text = true, ok;

	if (n < 8 || (out = malloc(n)) == NULL)
		return n >= 8; /* cannot judge: refuse */
	if (sodium_base642bin(out, n, b64, n, " \t\r\n", &olen, NULL,
		sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(out);
		return false; /* not base64 at all: not what it says */
	}
	for (k = 0; k < olen; k++)
		if (out[k] < 0x20 || out[k] >= 0x7f) {
			if (out[k] != '\n' && out[k] != '\r' && out[k] != '\t')
				text = false;
		}
	while (olen && (out[olen - 1] == '\n' || out[olen - 1] == '\r'))
		olen--;
	ok = text ? scan_literal_is_secret((const char *)out, olen, word,
			true) :
		    olen >= 8;
	sodium_memzero(out, n);
	free(out);
	return ok;
}

/*
 * KEY <assign> VALUE where KEY's words say "secret" (values.c): the value
 * is unquoted (and a YAML tag or block scalar is followed), a reference
 * passes, a template's surviving literals are judged one by one, and a
 * literal must look like a credential. Reports each secret it finds.
 */
/*
 * Does off lie inside an ENC[...] value on its line? A sealed value's
 * base64 (data, iv, tag) is random text: a run of it next to ':' can
 * look like "key: value", but it is ciphertext, never a key name.
 */
static bool
inside_enc_value(const struct scan_text *t, size_t off)
{
	const char *b = t->buf;
	size_t s, e, k;

	scan_line_bounds(t, off, &s, &e);
	for (k = s; k + 4 <= off; k++) {
		size_t c;

		if (memcmp(b + k, "ENC[", 4) != 0)
			continue;
		for (c = k + 4; c < e && b[c] != ']'; c++)
			;
		if (off < c || c == e)
			return true;
		k = c;
	}
	return false;
}

static int
generic_check(struct run *run, size_t i, size_t ms, size_t me, size_t le,
    const PCRE2_SIZE *ov)
{
	const struct scan_text *t = run->t;
	const char *b = t->buf, *word;
	size_t ks = ov[2], ke = ov[3], vs = ov[4], ve = ov[5];
	bool quoted = false, templated;
	struct scan_span lits[8];
	size_t nl, k;

	if (ks == PCRE2_UNSET || vs == PCRE2_UNSET)
		return 0;
	if (inside_enc_value(t, ks))
		return 0;
	if ((word = scan_key_secret_word(b + ks, ke - ks)) == NULL)
		return 0;
	if (ve > vs && (b[vs] == '"' || b[vs] == '\'' || b[vs] == '`')) {
		/* "x", 'x', `x`, and TOML's """x""" and '''x''' */
		size_t q = ve - vs >= 6 && b[vs + 1] == b[vs] &&
			b[vs + 2] == b[vs] ? 3 : 1;
		quoted = true;
		vs += q;
		if (ve >= vs + q && b[ve - 1] == b[vs - 1])
			ve -= q;
	} else {
		/* trailing punctuation of the surrounding code or data */
		while (ve > vs && strchr(",;", b[ve - 1]))
			ve--;
		while (ve > vs && strchr(")]}", b[ve - 1])) {
			char open = b[ve - 1] == ')' ? '(' :
			    b[ve - 1] == ']' ? '[' : '{';
			size_t o = 0, c = 0, q;
			for (q = vs; q < ve; q++) {
				o += b[q] == open;
				c += b[q] == b[ve - 1];
			}
			if (c <= o)
				break;
			ve--;
		}
		if (ve - vs >= 8 && memcmp(b + vs, "!!binary", 8) == 0) {
			size_t bs = vs + 8, be = le, x, y;
			while (bs < be && (b[bs] == ' ' || b[bs] == '\t'))
				bs++;
			if (bs >= be || b[bs] == '|' || b[bs] == '>') {
				if (!block_below(t, ks, le, &x, &y))
					return 0;
				bs = x;
				be = y;
			}
			if (!binary_is_secret(b + bs, be - bs, word))
				return 0;
			return report(run, i, ms, me > le ? le : me, bs, be);
		}
		if (b[vs] == '!')
			return 0; /* !vault and other tags: not plaintext */
		if ((ve - vs <= 2 && (b[vs] == '|' || b[vs] == '>'))) {
			size_t x, y, e2;
			if (!block_below(t, ks, le, &x, &y))
				return 0;
			/* the first line of the block */
			for (e2 = x; e2 < y && b[e2] != '\n'; e2++)
				;
			if (!scan_literal_is_secret(b + x, e2 - x, word, true))
				return 0;
			return report(run, i, ms, me, x, e2);
		}
	}
	if (ve <= vs)
		return 0;
	nl = scan_template_literals(b + vs, ve - vs, lits, 8, &templated);
	if (templated) {
		for (k = 0; k < nl; k++) {
			size_t a = vs + lits[k].off;
			if (scan_literal_is_secret(b + a, lits[k].len, word,
				true) &&
			    report(run, i, ms, me, a, a + lits[k].len) < 0)
				return -1;
		}
		return 0;
	}
	if (!scan_literal_is_secret(b + vs, ve - vs, word, quoted))
		return 0;
	return report(run, i, ms, me, vs, ve);
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
		int m = scan_re_match(run->r->re[i], t->buf, le, pos,
		    run->s->md);

		if (m == PCRE2_ERROR_NOMATCH)
			break;
		if (m < 0) {
			char what[80];
			snprintf(what, sizeof(what), "line %u, rule '%s'",
			    scan_line_of(t, ls), d->id);
			return scan_re_failed(run->out, t->path, what, m);
		}
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
		} else if (d->chk == CHK_GENERIC) {
			if (generic_check(run, i, ms, me, le, ov) < 0)
				return -1;
			continue;
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
	"pass|pwd|pw|secret|token|cred|auth|salt|psk|key",
	"--pass|--token|--secret|--api|--client|--auth|--access",
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
			if (e != HS_SUCCESS && e != HS_SCAN_TERMINATED) {
				if (out->err[0] == '\0')
					snprintf(out->err, sizeof(out->err),
					    "%s: the Hyperscan prefilter "
					    "failed (error %d); the scan "
					    "cannot vouch for this file",
					    t->path, (int)e);
				return -1;
			}
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
