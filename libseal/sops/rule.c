/* SPDX-License-Identifier: ISC */
/*
 * sops/rule.c - the six selection rules (spec 4): which leaves and
 * comments a walk encrypts. Regexes are RE2-style, searched unanchored
 * in each key with PCRE2 under explicit match and depth limits; a match
 * that hits a limit is an error, never "no match" (a rule that encrypts
 * by default must not decay into "leave it in the clear"). It knows
 * nothing of crypto or of trees.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "sops/sops.h"

static const char *const names[] = {
    [SEAL_RULE_NONE] = "",
    [SEAL_RULE_UNENCRYPTED_SUFFIX] = "unencrypted_suffix",
    [SEAL_RULE_ENCRYPTED_SUFFIX] = "encrypted_suffix",
    [SEAL_RULE_UNENCRYPTED_REGEX] = "unencrypted_regex",
    [SEAL_RULE_ENCRYPTED_REGEX] = "encrypted_regex",
    [SEAL_RULE_UNENCRYPTED_COMMENT_REGEX] = "unencrypted_comment_regex",
    [SEAL_RULE_ENCRYPTED_COMMENT_REGEX] = "encrypted_comment_regex",
};

const char *
seal__rule_name(enum seal__rule_kind kind)
{
	if ((size_t)kind >= SEAL__ARRAY_LEN(names))
		return "";
	return names[kind];
}

enum seal__rule_kind
seal__rule_from_name(const char *name, size_t len)
{
	size_t i;

	for (i = 1; i < SEAL__ARRAY_LEN(names); i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			return (enum seal__rule_kind)i;
	return SEAL_RULE_NONE;
}

static bool
is_regex(enum seal__rule_kind k)
{
	return k == SEAL_RULE_UNENCRYPTED_REGEX ||
	    k == SEAL_RULE_ENCRYPTED_REGEX ||
	    k == SEAL_RULE_UNENCRYPTED_COMMENT_REGEX ||
	    k == SEAL_RULE_ENCRYPTED_COMMENT_REGEX;
}

static bool
is_comment(enum seal__rule_kind k)
{
	return k == SEAL_RULE_UNENCRYPTED_COMMENT_REGEX ||
	    k == SEAL_RULE_ENCRYPTED_COMMENT_REGEX;
}

/*
 * Compiled regexes are cached per thread (a file's rule is compiled once
 * per process, not per file: compiling was 2% of decrypting a Secret).
 * Entries are never evicted, so a rule never sees its code freed; when
 * the cache is full, rules compile privately.
 */
#define RE_CACHE 8
struct re_ent {
	char *pat;
	pcre2_code *re;
};
static _Thread_local struct re_ent re_cache[RE_CACHE];

/*
 * Options shared by every rule regex: $ matches only at the very end
 * (RE2's meaning, not Perl's "or before a final newline"), \C is
 * refused.
 */
#define RE_OPTIONS                                                             \
	(PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY |          \
	    PCRE2_NEVER_BACKSLASH_C)

/*
 * The match context: explicit limits, read-only once made, shared by all
 * threads. A key or a comment is short; a regex that needs more than
 * this to decide is refused rather than guessed.
 */
static pcre2_match_context *re_mctx;
static pthread_once_t re_mctx_once = PTHREAD_ONCE_INIT;

static void
re_mctx_init(void)
{
	re_mctx = pcre2_match_context_create(NULL);
	if (re_mctx == NULL)
		return;
	pcre2_set_match_limit(re_mctx, SEAL__RE_MATCH_LIMIT);
	pcre2_set_depth_limit(re_mctx, SEAL__RE_DEPTH_LIMIT);
	pcre2_set_heap_limit(re_mctx, SEAL__RE_HEAP_LIMIT_KIB);
}

void *
seal__re_match_context(void)
{
	pthread_once(&re_mctx_once, re_mctx_init);
	return re_mctx;
}

int
seal__re_match(const void *code, const char *s, size_t len, void *md)
{
	pcre2_match_context *mc = seal__re_match_context();
	int m;

	if (mc == NULL)
		return -1; /* no limits, no match: not "no" either */
	m = pcre2_match((const pcre2_code *)code, (PCRE2_SPTR)s, len, 0, 0,
	    (pcre2_match_data *)md, mc);
	if (m >= 0)
		return 1;
	return m == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

void *
seal__re_compile(const char *pat, int *err, size_t *off)
{
	PCRE2_SIZE o = 0;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	    RE_OPTIONS, err, &o, NULL);

	*off = (size_t)o;
	return re;
}

void
seal__re_free(void *code)
{
	pcre2_code_free((pcre2_code *)code);
}

/* A thread's cache is freed when the thread exits (scanner workers). */
static pthread_key_t re_key;
static pthread_once_t re_once = PTHREAD_ONCE_INIT;

static void
re_cache_free(void *p)
{
	struct re_ent *c = p;
	size_t i;

	for (i = 0; i < RE_CACHE; i++) {
		free(c[i].pat);
		pcre2_code_free(c[i].re);
		c[i].pat = NULL;
		c[i].re = NULL;
	}
}

static void
re_key_init(void)
{
	(void)pthread_key_create(&re_key, re_cache_free);
}

static pcre2_code *
cached_re(const char *pat, bool *owned, int *err, size_t *off)
{
	pcre2_code *re;
	size_t i;

	*owned = false;
	for (i = 0; i < RE_CACHE && re_cache[i].pat != NULL; i++)
		if (strcmp(re_cache[i].pat, pat) == 0)
			return re_cache[i].re;
	re = seal__re_compile(pat, err, off);
	if (re == NULL)
		return NULL;
	if (i < RE_CACHE && (re_cache[i].pat = strdup(pat)) != NULL) {
		re_cache[i].re = re;
		if (i == 0) {
			pthread_once(&re_once, re_key_init);
			(void)pthread_setspecific(re_key, re_cache);
		}
		return re;
	}
	*owned = true;
	return re;
}

seal_rc
seal__rule_init(seal_ctx *ctx, struct seal__rule *r, enum seal__rule_kind kind,
    const char *arg)
{
	int err;
	size_t off;

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	if (kind == SEAL_RULE_NONE) {
		r->kind = SEAL_RULE_UNENCRYPTED_SUFFIX;
		arg = SEAL_RULE_DEFAULT_SUFFIX;
	}
	if (arg == NULL)
		return seal__err(ctx, SEAL_EINVAL, "%s needs a value",
		    seal__rule_name(kind));
	r->arg = strdup(arg);
	if (r->arg == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	if (!is_regex(r->kind))
		return SEAL_OK;
	r->re = cached_re(arg, &r->owned, &err, &off);
	if (r->re == NULL) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(err, msg, sizeof(msg));
		seal__rule_free(r);
		return seal__err(ctx, SEAL_EFORMAT,
		    "invalid %s at offset %zu: %s", seal__rule_name(kind),
		    off, (const char *)msg);
	}
	/* no JIT: keys are short, and compiling JIT code per file cost
	 * more than all the matching it saves */
	r->md = pcre2_match_data_create(1, NULL);
	if (r->md == NULL) {
		seal__rule_free(r);
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	}
	return SEAL_OK;
}

void
seal__rule_free(struct seal__rule *r)
{
	if (r == NULL)
		return;
	free(r->arg);
	if (r->md != NULL)
		pcre2_match_data_free(r->md);
	if (r->re != NULL && r->owned)
		pcre2_code_free(r->re);
	memset(r, 0, sizeof(*r));
}

int
seal__rule_match(const struct seal__rule *r, const char *s, size_t len)
{
	size_t sl;

	if (r->re != NULL)
		return seal__re_match(r->re, s, len, r->md);
	if (r->arg == NULL)
		return 0;
	sl = strlen(r->arg);
	return len >= sl && memcmp(s + len - sl, r->arg, sl) == 0;
}

void
seal__rule_state_root(struct seal__rule_state *st)
{
	st->matched = false;
}

int
seal__rule_state_key(const struct seal__rule *r, struct seal__rule_state *st,
    const char *key, size_t keylen)
{
	int m;

	if (st->matched || is_comment(r->kind))
		return 0;
	if ((m = seal__rule_match(r, key, keylen)) < 0)
		return -1;
	st->matched = m == 1;
	return 0;
}

int
seal__rule_state_comment(const struct seal__rule *r,
    struct seal__rule_state *st, const char *text, size_t len)
{
	int m;

	if (st->matched || !is_comment(r->kind))
		return 0;
	if ((m = seal__rule_match(r, text, len)) < 0)
		return -1;
	st->matched = m == 1;
	return 0;
}

seal_rc
seal__rule_fail(seal_ctx *ctx, const struct seal__rule *r, const char *file,
    const char *where, bool comment)
{
	return seal__err(ctx, SEAL_EREGEX,
	    "%s%s%s could not be evaluated on %s%s (the regex engine reached "
	    "its step or memory limit); nothing was written: simplify the "
	    "regex (no overlapping repetition like (a|aa)+)",
	    file ? file : "", file ? ": " : "", seal__rule_name(r->kind),
	    comment ? "a comment under " : "the key ", where);
}

bool
seal__rule_state_encrypt(
    const struct seal__rule *r, const struct seal__rule_state *st)
{
	switch (r->kind) {
	case SEAL_RULE_ENCRYPTED_SUFFIX:
	case SEAL_RULE_ENCRYPTED_REGEX:
	case SEAL_RULE_ENCRYPTED_COMMENT_REGEX:
		return st->matched;
	default:
		return !st->matched;
	}
}

/* ---- RE2 syntax check -----------------------------------------------------
 *
 * sops reads selection rules with Go's regexp (RE2 syntax); seal reads them
 * with PCRE2, whose syntax is a superset with a few different meanings. A
 * rule seal writes into a file's metadata (or a .sops.yaml) must mean the
 * same to both, so anything outside the common subset is refused before it
 * is written: an allow-list over the pattern's syntax, not a list of
 * PCRE2 features to catch.
 */

struct re2c {
	const char *p; /* the pattern */
	size_t i;
	const char *why;
};

static bool
re2c_fail(struct re2c *c, const char *why)
{
	c->why = why;
	return false;
}

static bool
is_octal(char ch)
{
	return ch >= '0' && ch <= '7';
}

/* \x7F or \x{10FFFF}; c->i is on the 'x' */
static bool
re2c_hex(struct re2c *c)
{
	const char *p = c->p;
	size_t n = 0;

	c->i++;
	if (p[c->i] == '{') {
		for (c->i++; isxdigit((unsigned char)p[c->i]); c->i++)
			n++;
		if (p[c->i] != '}' || n == 0 || n > 8)
			return re2c_fail(c, "\\x{...} needs 1 to 8 hex digits");
		c->i++;
		return true;
	}
	if (!isxdigit((unsigned char)p[c->i]) ||
	    !isxdigit((unsigned char)p[c->i + 1]))
		return re2c_fail(c, "\\x needs two hex digits (or \\x{...})");
	c->i += 2;
	return true;
}

/* \pL, \p{Greek}, \p{^Greek}; c->i is on the 'p' or 'P' */
static bool
re2c_uclass(struct re2c *c)
{
	const char *p = c->p;
	size_t n = 0;

	c->i++;
	if (p[c->i] == '{') {
		c->i++;
		if (p[c->i] == '^')
			c->i++;
		for (; isalpha((unsigned char)p[c->i]) || p[c->i] == '_'; c->i++)
			n++;
		if (p[c->i] != '}' || n == 0)
			return re2c_fail(c, "\\p{...} needs a Unicode class name");
		c->i++;
		return true;
	}
	if (!isalpha((unsigned char)p[c->i]))
		return re2c_fail(c, "\\p needs a one-letter class or {Name}");
	c->i++;
	return true;
}

/*
 * One escape, c->i on the backslash. in_class: inside [...], where the
 * assertions are not allowed. *atom: what follows may be repeated.
 */
static bool
re2c_escape(struct re2c *c, bool in_class, bool *atom)
{
	const char *p = c->p;
	char ch = p[c->i + 1];

	*atom = true;
	if (ch == '\0')
		return re2c_fail(c, "trailing backslash");
	if ((unsigned char)ch >= 0x80)
		return re2c_fail(c, "a backslash before a non-ASCII character");
	if (!isalnum((unsigned char)ch)) {
		c->i += 2; /* escaped punctuation: a literal in both */
		return true;
	}
	c->i++;
	switch (ch) {
	case 'a': case 'f': case 't': case 'n': case 'r':
	case 'd': case 'D': case 's': case 'S': case 'w': case 'W':
		c->i++;
		return true;
	case 'x':
		return re2c_hex(c);
	case 'p': case 'P':
		return re2c_uclass(c);
	case '0': {
		/* octal: \0 and up to two more digits, as Go reads it */
		size_t k;
		c->i++;
		for (k = 0; k < 2 && is_octal(p[c->i]); k++)
			c->i++;
		return true;
	}
	case 'b': case 'B': case 'A': case 'z':
		if (in_class)
			return re2c_fail(c, "an assertion (\\b, \\B, \\A, \\z) "
			    "inside a character class");
		c->i++;
		*atom = false;
		return true;
	case 'Q': {
		/* \Q...\E: literal text */
		const char *e = strstr(p + c->i + 1, "\\E");
		if (in_class)
			return re2c_fail(c, "\\Q inside a character class");
		c->i = e ? (size_t)(e - p) + 2 : strlen(p);
		return true;
	}
	}
	if (ch >= '1' && ch <= '9')
		return re2c_fail(c, "a backreference (\\1...\\9): RE2 has "
		    "none, and sops would read it otherwise");
	if (ch == 'g' || ch == 'k')
		return re2c_fail(c, "a backreference (\\g, \\k): RE2 has none");
	if (ch == 'K' || ch == 'G')
		return re2c_fail(c, "\\K and \\G are not RE2 syntax");
	if (ch == 'C')
		return re2c_fail(c, "\\C (one code unit) is not RE2 syntax");
	if (ch == 'v')
		return re2c_fail(c, "\\v means a vertical tab to RE2 but any "
		    "vertical space to PCRE2: write \\x0B");
	if (ch == 'Z')
		return re2c_fail(c, "\\Z is not RE2 syntax: write \\z");
	return re2c_fail(c, "an escape that RE2 does not have (RE2 knows "
	    "\\a \\f \\t \\n \\r \\x \\0 \\d \\s \\w \\p \\b \\A \\z \\Q)");
}

static const char *const posix_classes[] = {
	"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph",
	"lower", "print", "punct", "space", "upper", "word", "xdigit",
};

/* [...]: c->i on the '[' */
static bool
re2c_class(struct re2c *c)
{
	const char *p = c->p;
	bool first = true, prev_char = false, prev_class = false, atom;

	c->i++;
	if (p[c->i] == '^')
		c->i++;
	for (;;) {
		char ch = p[c->i];

		if (ch == '\0')
			return re2c_fail(c, "a character class without ']'");
		if (ch == ']' && !first) {
			c->i++;
			return true;
		}
		first = false;
		if (ch == '-' && prev_class && p[c->i + 1] != ']')
			return re2c_fail(c, "a range starting with a class");
		prev_class = false;
		if (ch == '[') {
			size_t k, n;
			if (p[c->i + 1] != ':')
				return re2c_fail(c, "'[' inside a character "
				    "class: write \\[");
			c->i += 2;
			if (p[c->i] == '^')
				c->i++;
			for (k = 0; k < SEAL__ARRAY_LEN(posix_classes); k++) {
				n = strlen(posix_classes[k]);
				if (strncmp(p + c->i, posix_classes[k], n) ==
				        0 &&
				    p[c->i + n] == ':' && p[c->i + n + 1] == ']')
					break;
			}
			if (k == SEAL__ARRAY_LEN(posix_classes))
				return re2c_fail(c, "an unknown [:class:]");
			c->i += n + 2;
			prev_char = false;
			prev_class = true;
			continue;
		}
		if (ch == '-' && prev_char && p[c->i + 1] != ']') {
			/* a range: the end is one character */
			c->i++;
			if (p[c->i] == '\\') {
				char e = p[c->i + 1];
				if (e == 'd' || e == 'D' || e == 's' || e == 'S' ||
				    e == 'w' || e == 'W' || e == 'p' || e == 'P')
					return re2c_fail(c, "a range ending in a "
					    "class");
				if (!re2c_escape(c, true, &atom))
					return false;
			} else if (p[c->i] == '[') {
				return re2c_fail(c, "'[' inside a character "
				    "class: write \\[");
			} else {
				c->i++;
			}
			prev_char = false;
			continue;
		}
		if (ch == '\\') {
			char e = p[c->i + 1];
			if (!re2c_escape(c, true, &atom))
				return false;
			prev_class = e == 'd' || e == 'D' || e == 's' ||
			    e == 'S' || e == 'w' || e == 'W' || e == 'p' ||
			    e == 'P';
			prev_char = !prev_class;
			continue;
		}
		c->i++;
		prev_char = true;
	}
}

/* {n}, {n,}, {n,m}: c->i on the '{'; false if it is not one (n, m <= 1000) */
static bool
re2c_braces(const char *p, size_t *i, bool *bad)
{
	size_t k = *i + 1;
	unsigned long n = 0, m = 0;
	bool dig = false;

	*bad = false;
	while (isdigit((unsigned char)p[k])) {
		n = n * 10 + (unsigned long)(p[k++] - '0');
		if (n > 100000)
			n = 100000;
		dig = true;
	}
	if (!dig)
		return false;
	if (p[k] == ',') {
		k++;
		if (isdigit((unsigned char)p[k])) {
			while (isdigit((unsigned char)p[k])) {
				m = m * 10 + (unsigned long)(p[k++] - '0');
				if (m > 100000)
					m = 100000;
			}
			if (m < n)
				*bad = true;
		} else {
			m = n;
		}
	} else {
		m = n;
	}
	if (p[k] != '}')
		return false;
	if (n > 1000 || m > 1000)
		*bad = true;
	*i = k + 1;
	return true;
}

static bool
valid_utf8(const unsigned char *s)
{
	while (*s) {
		size_t n, k;
		uint32_t cp;
		if (*s < 0x80) {
			s++;
			continue;
		}
		if ((*s & 0xe0) == 0xc0)
			n = 1, cp = *s & 0x1f;
		else if ((*s & 0xf0) == 0xe0)
			n = 2, cp = *s & 0x0f;
		else if ((*s & 0xf8) == 0xf0)
			n = 3, cp = *s & 0x07;
		else
			return false;
		for (k = 1; k <= n; k++) {
			if ((s[k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n + 1;
	}
	return true;
}

/* (?flags) or (?flags:  -- c->i just past "(?"; Go knows i m s U */
static bool
re2c_flags(struct re2c *c, bool *group)
{
	const char *p = c->p;
	bool neg = false, any = false, after_neg = false;

	for (;; c->i++) {
		char ch = p[c->i];
		if (ch == 'i' || ch == 'm' || ch == 's' || ch == 'U') {
			any = true;
			after_neg = neg;
			continue;
		}
		if (ch == '-' && !neg) {
			neg = true;
			continue;
		}
		if (ch == ':' && !any && !neg) {
			*group = true; /* (?:...) */
			c->i++;
			return true;
		}
		if (ch == ')' || ch == ':') {
			if (!any || (neg && !after_neg))
				return re2c_fail(c, "an empty flag group");
			*group = ch == ':';
			c->i++;
			return true;
		}
		return re2c_fail(c, "a group RE2 does not have (RE2 knows "
		    "(?:...), (?P<name>...) and the flags i, m, s, U; no "
		    "lookaround, atomic groups, recursion, conditionals or "
		    "comments)");
	}
}

/* (?P<name>: the name after "(?P<" must be a word. */
static bool
re2c_group_name(struct re2c *c)
{
	const char *pat = c->p;

	c->i += 2;
	if (!isalpha((unsigned char)pat[c->i]) && pat[c->i] != '_')
		return re2c_fail(c, "a group name must start with a letter");
	while (isalnum((unsigned char)pat[c->i]) || pat[c->i] == '_')
		c->i++;
	if (pat[c->i] != '>')
		return re2c_fail(c, "a bad group name");
	c->i++;
	return true;
}

/* '(' at c->i: a group, a named group or flags ((?i) opens no group). */
static bool
re2c_open(struct re2c *c, unsigned *depth)
{
	const char *pat = c->p;

	if (++*depth > 1000)
		return re2c_fail(c, "groups nested deeper than 1000");
	c->i++;
	if (pat[c->i] == '?') {
		bool group;

		c->i++;
		if (pat[c->i] == 'P' && pat[c->i + 1] == '<')
			return re2c_group_name(c);
		if (!re2c_flags(c, &group))
			return false;
		if (!group)
			(*depth)--; /* (?i): no group opened */
	} else if (pat[c->i] == '*')
		return re2c_fail(c, "a PCRE2 verb or option ((*...)) is not "
		    "RE2 syntax");
	return true;
}

/* A quantifier (*, +, ?, {n,m}) at c->i, with an optional '?'. */
static bool
re2c_quantifier(struct re2c *c, bool atom, bool quant)
{
	const char *pat = c->p;
	const char *nothing = quant
	    ? "a repetition of a repetition (possessive or nested quantifier)"
	    : "a repetition of nothing";

	if (pat[c->i] == '{') {
		size_t k = c->i;
		bool bad = false;

		if (!re2c_braces(pat, &k, &bad))
			return re2c_fail(c, "a '{' that is not a repeat "
			    "count: write \\{");
		if (bad)
			return re2c_fail(c, "a repeat count over 1000 or "
			    "{n,m} with m < n");
		if (!atom)
			return re2c_fail(c, nothing);
		c->i = k;
	} else {
		if (!atom)
			return re2c_fail(c, nothing);
		c->i++;
	}
	if (pat[c->i] == '?')
		c->i++; /* non-greedy */
	return true;
}

bool
seal__re2_check(const char *pat, size_t *off, const char **why)
{
	struct re2c c = { .p = pat, .i = 0, .why = NULL };
	/* can the next quantifier apply (an atom just ended)? did a
	 * quantifier just end (a second one is nested repetition)? */
	bool atom = false, quant = false, ok = true;
	unsigned depth = 0;

	if (!valid_utf8((const unsigned char *)pat)) {
		*off = 0;
		*why = "the pattern is not valid UTF-8";
		return false;
	}
	while (ok && pat[c.i] != '\0') {
		size_t at = c.i;

		switch (pat[c.i]) {
		case '\\':
			ok = re2c_escape(&c, false, &atom);
			quant = false;
			break;
		case '[':
			ok = re2c_class(&c);
			atom = true;
			quant = false;
			break;
		case '(':
			ok = re2c_open(&c, &depth);
			atom = quant = false;
			break;
		case ')':
			if (depth == 0) {
				ok = re2c_fail(&c, "an unmatched ')'");
				break;
			}
			depth--;
			c.i++;
			atom = true;
			quant = false;
			break;
		case '|':
		case '^':
		case '$':
			c.i++;
			atom = quant = false;
			break;
		case '*':
		case '+':
		case '?':
		case '{':
			ok = re2c_quantifier(&c, atom, quant);
			atom = false;
			quant = true;
			break;
		default:
			c.i++;
			atom = true;
			quant = false;
			break;
		}
		if (!ok && c.i < at)
			c.i = at;
	}
	if (ok && depth != 0)
		ok = re2c_fail(&c, "a '(' without ')'");
	if (!ok) {
		*off = c.i;
		*why = c.why;
		return false;
	}
	return true;
}
