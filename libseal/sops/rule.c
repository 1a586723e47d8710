/* SPDX-License-Identifier: ISC */
/*
 * sops/rule.c - the six selection rules (spec 4): which leaves and
 * comments a walk encrypts. Regexes are RE2-style, searched unanchored
 * in each key with PCRE2. It knows nothing of crypto or of trees.
 */
#include "config.h"

#include <pthread.h>
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
cached_re(const char *pat, bool *owned, int *err, PCRE2_SIZE *off)
{
	pcre2_code *re;
	size_t i;

	*owned = false;
	for (i = 0; i < RE_CACHE && re_cache[i].pat != NULL; i++)
		if (strcmp(re_cache[i].pat, pat) == 0)
			return re_cache[i].re;
	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, err, off, NULL);
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
	PCRE2_SIZE off;

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
		    (size_t)off, (const char *)msg);
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

bool
seal__rule_match(const struct seal__rule *r, const char *s, size_t len)
{
	size_t sl;

	if (r->re != NULL)
		return pcre2_match(
		           r->re, (PCRE2_SPTR)s, len, 0, 0, r->md, NULL) >= 0;
	if (r->arg == NULL)
		return false;
	sl = strlen(r->arg);
	return len >= sl && memcmp(s + len - sl, r->arg, sl) == 0;
}

void
seal__rule_state_root(struct seal__rule_state *st)
{
	st->matched = false;
}

void
seal__rule_state_key(const struct seal__rule *r, struct seal__rule_state *st,
    const char *key, size_t keylen)
{
	if (st->matched || is_comment(r->kind))
		return;
	st->matched = seal__rule_match(r, key, keylen);
}

void
seal__rule_state_comment(const struct seal__rule *r,
    struct seal__rule_state *st, const char *text, size_t len)
{
	if (st->matched || !is_comment(r->kind))
		return;
	st->matched = seal__rule_match(r, text, len);
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
