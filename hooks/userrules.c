/* SPDX-License-Identifier: ISC */
/*
 * userrules.c - the repository's own scanner rules (.seal-scan.toml, the
 * shape of a .gitleaks.toml): rules that add a token format (id,
 * description, regex, secretGroup, keywords, entropy, path, allowlists),
 * the same keys without a regex to tune a built-in rule, [extend]
 * disabledRules, and a global [allowlist]. The reader takes the subset of
 * TOML those need (tables, arrays of tables, strings of the four kinds,
 * numbers, booleans, arrays) and refuses everything else with the line:
 * an invalid config is an error, never a silent fallback. The checks that
 * keep plaintext Secrets and broken sealed files out cannot be disabled,
 * tuned or allowlisted from the repository.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "hooks/scan.h"

#define MAX_RULES 512
#define MAX_LIST 256

enum target { T_SECRET, T_MATCH, T_LINE };

struct allow {
	pcre2_code *paths[MAX_LIST / 8], *regexes[MAX_LIST / 8];
	size_t npaths, nregexes;
	char *stop[MAX_LIST];
	size_t nstop;
	enum target target;
};

struct urule {
	char *id, *desc, *help, *help_uri;
	pcre2_code *re, *path;
	int group;
	double entropy;
	char *kw[MAX_LIST / 8];
	size_t nkw;
	struct allow *al;
	size_t nal;
	bool tune; /* no regex: tunes the built-in of the same id */
	unsigned line;
};

struct scan_config {
	struct urule *r;
	size_t nr;
	char *disabled[MAX_LIST];
	size_t ndisabled;
	struct allow global;
};

/* Rules that keep plaintext Secrets and damaged sealed files out. */
static const char *const protected_ids[] = { "k8s-secret",
	"kustomize-literal", "kustomize-secret-file", "sops-plaintext",
	"sops-metadata-missing", "sops-mac-missing", "sops-enc-malformed",
	"sops-wrong-recipients", "sops-lint", "unreadable", "too-large",
	NULL };

bool
scan_rule_protected(const char *id)
{
	size_t i;

	for (i = 0; protected_ids[i]; i++)
		if (strcmp(id, protected_ids[i]) == 0)
			return true;
	return strncmp(id, "sops-", 5) == 0;
}

/* the reader ------------------------------------------------------------- */

struct rd {
	const char *p, *e;
	unsigned line;
	char *err;
	size_t errlen;
	bool bad;
};

static int fail(struct rd *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(struct rd *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->bad)
		return -1;
	n = snprintf(r->err, r->errlen, "line %u: ", r->line);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < r->errlen)
		vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	r->bad = true;
	return -1;
}

static void
skip_ws(struct rd *r)
{
	while (r->p < r->e && (*r->p == ' ' || *r->p == '\t'))
		r->p++;
}

/* spaces, comments and newlines (inside arrays) */
static void
skip_all(struct rd *r)
{
	for (;;) {
		skip_ws(r);
		if (r->p < r->e && *r->p == '#') {
			while (r->p < r->e && *r->p != '\n')
				r->p++;
		}
		if (r->p < r->e && (*r->p == '\n' || *r->p == '\r')) {
			if (*r->p == '\n')
				r->line++;
			r->p++;
			continue;
		}
		return;
	}
}

/* end of a line: spaces, a comment, then a newline or the end */
static int
end_line(struct rd *r)
{
	skip_ws(r);
	if (r->p < r->e && *r->p == '#')
		while (r->p < r->e && *r->p != '\n')
			r->p++;
	if (r->p < r->e && *r->p == '\r')
		r->p++;
	if (r->p < r->e && *r->p != '\n')
		return fail(r, "unexpected '%c' after the value", *r->p);
	if (r->p < r->e) {
		r->p++;
		r->line++;
	}
	return 0;
}

enum vtype { V_STR, V_NUM, V_BOOL, V_ARR };

struct val {
	enum vtype t;
	char *s;	/* V_STR */
	double num;	/* V_NUM */
	bool b;		/* V_BOOL */
	bool isint;
	char *a[MAX_LIST]; /* V_ARR of strings */
	size_t na;
};

static void
val_free(struct val *v)
{
	size_t i;

	free(v->s);
	for (i = 0; i < v->na; i++)
		free(v->a[i]);
	memset(v, 0, sizeof(*v));
}

static int
put_utf8(char *o, size_t *k, unsigned long cp)
{
	if (cp < 0x80)
		o[(*k)++] = (char)cp;
	else if (cp < 0x800) {
		o[(*k)++] = (char)(0xc0 | (cp >> 6));
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			return -1;
		o[(*k)++] = (char)(0xe0 | (cp >> 12));
		o[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp <= 0x10ffff) {
		o[(*k)++] = (char)(0xf0 | (cp >> 18));
		o[(*k)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	} else
		return -1;
	return 0;
}

/* "basic", 'literal', """multi""", '''multi''' */
static int
read_string(struct rd *r, char **out)
{
	char q = *r->p;
	bool multi = r->e - r->p >= 3 && r->p[1] == q && r->p[2] == q;
	const char *s;
	char *o;
	size_t k = 0;

	r->p += multi ? 3 : 1;
	if (multi && r->p < r->e && *r->p == '\n') { /* first newline */
		r->p++;
		r->line++;
	}
	s = r->p;
	if ((o = malloc((size_t)(r->e - s) + 1)) == NULL)
		return fail(r, "out of memory");
	while (r->p < r->e) {
		char c = *r->p;
		if (c == q && (!multi || (r->e - r->p >= 3 && r->p[1] == q &&
					     r->p[2] == q))) {
			r->p += multi ? 3 : 1;
			o[k] = '\0';
			*out = o;
			return 0;
		}
		if (c == '\n') {
			if (!multi)
				break;
			r->line++;
		} else if ((unsigned char)c < 0x20 && c != '\t' && c != '\r') {
			free(o);
			return fail(r, "control character in a string");
		}
		if (c == '\\' && q == '"') {
			char x;
			if (r->e - r->p < 2)
				break;
			x = r->p[1];
			r->p += 2;
			switch (x) {
			case 'n': o[k++] = '\n'; break;
			case 't': o[k++] = '\t'; break;
			case 'r': o[k++] = '\r'; break;
			case 'b': o[k++] = '\b'; break;
			case 'f': o[k++] = '\f'; break;
			case '"': o[k++] = '"'; break;
			case '\\': o[k++] = '\\'; break;
			case 'u':
			case 'U': {
				int nd = x == 'u' ? 4 : 8, d;
				unsigned long cp = 0;
				if (r->e - r->p < nd) {
					free(o);
					return fail(r, "short \\%c escape", x);
				}
				for (d = 0; d < nd; d++) {
					char h = r->p[d];
					if (!isxdigit((unsigned char)h)) {
						free(o);
						return fail(r, "bad \\%c escape", x);
					}
					cp = cp * 16 + (unsigned long)(isdigit(
						(unsigned char)h) ? h - '0' :
						tolower((unsigned char)h) - 'a' + 10);
				}
				r->p += nd;
				if (put_utf8(o, &k, cp) < 0) {
					free(o);
					return fail(r, "bad \\%c escape", x);
				}
				break;
			}
			case '\n':
				if (!multi) {
					free(o);
					return fail(r, "a basic string does not "
						       "span lines");
				}
				/* a line-ending backslash */
				r->line++;
				while (r->p < r->e && isspace((unsigned char)
							    *r->p)) {
					if (*r->p == '\n')
						r->line++;
					r->p++;
				}
				break;
			default:
				free(o);
				return fail(r, "unknown escape '\\%c' (use a "
					       "'literal' string for regexes)",
				    x);
			}
			continue;
		}
		o[k++] = c;
		r->p++;
	}
	free(o);
	return fail(r, "string not closed");
}

static int
read_value(struct rd *r, struct val *v)
{
	memset(v, 0, sizeof(*v));
	if (r->p >= r->e)
		return fail(r, "value missing");
	if (*r->p == '"' || *r->p == '\'') {
		v->t = V_STR;
		return read_string(r, &v->s);
	}
	if (*r->p == '[') {
		r->p++;
		v->t = V_ARR;
		for (;;) {
			skip_all(r);
			if (r->p < r->e && *r->p == ']') {
				r->p++;
				return 0;
			}
			if (r->p >= r->e || (*r->p != '"' && *r->p != '\''))
				return fail(r, "arrays here hold strings only");
			if (v->na == MAX_LIST)
				return fail(r, "more than %d items", MAX_LIST);
			if (read_string(r, &v->a[v->na]) < 0)
				return -1;
			v->na++;
			skip_all(r);
			if (r->p < r->e && *r->p == ',') {
				r->p++;
				continue;
			}
			if (r->p < r->e && *r->p == ']') {
				r->p++;
				return 0;
			}
			return fail(r, "',' or ']' expected in an array");
		}
	}
	if (r->e - r->p >= 4 && memcmp(r->p, "true", 4) == 0) {
		r->p += 4;
		v->t = V_BOOL;
		v->b = true;
		return 0;
	}
	if (r->e - r->p >= 5 && memcmp(r->p, "false", 5) == 0) {
		r->p += 5;
		v->t = V_BOOL;
		return 0;
	}
	if (isdigit((unsigned char)*r->p) || *r->p == '-' || *r->p == '+' ||
	    *r->p == '.') {
		char num[64], *end;
		size_t k = 0;
		while (r->p < r->e && k + 1 < sizeof(num) &&
		    (isalnum((unsigned char)*r->p) || strchr("+-._", *r->p)))
			if (*r->p++ != '_')
				num[k++] = r->p[-1];
		num[k] = '\0';
		errno = 0;
		v->num = strtod(num, &end);
		if (k == 0 || *end || errno || v->num != v->num)
			return fail(r, "'%s' is not a number", num);
		v->isint = strpbrk(num, ".eE") == NULL;
		v->t = V_NUM;
		return 0;
	}
	return fail(r, "value expected (a string, number, boolean or "
		       "array)");
}

static int
read_key(struct rd *r, char *out, size_t outlen, bool dotted)
{
	size_t k = 0;

	if (r->p < r->e && (*r->p == '"' || *r->p == '\'')) {
		char *s;
		if (read_string(r, &s) < 0)
			return -1;
		snprintf(out, outlen, "%s", s);
		k = strlen(s);
		free(s);
		return k ? 0 : fail(r, "empty key");
	}
	while (r->p < r->e && (isalnum((unsigned char)*r->p) ||
				  *r->p == '_' || *r->p == '-' ||
				  (dotted && (*r->p == '.' || *r->p == ' ')))) {
		if (*r->p != ' ' && k + 1 < outlen)
			out[k++] = *r->p;
		r->p++;
	}
	out[k] = '\0';
	return k ? 0 : fail(r, "key expected");
}

/* building ---------------------------------------------------------------- */

static pcre2_code *
compile(struct rd *r, const char *what, const char *re)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &eo, NULL);

	if (c == NULL) {
		PCRE2_UCHAR msg[120];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		fail(r, "%s does not compile at offset %zu: %s", what,
		    (size_t)eo, (char *)msg);
		return NULL;
	}
	(void)pcre2_jit_compile(c, PCRE2_JIT_COMPLETE); /* optional */
	return c;
}

static void
allow_free(struct allow *a)
{
	size_t i;

	for (i = 0; i < a->npaths; i++)
		pcre2_code_free(a->paths[i]);
	for (i = 0; i < a->nregexes; i++)
		pcre2_code_free(a->regexes[i]);
	for (i = 0; i < a->nstop; i++)
		free(a->stop[i]);
	memset(a, 0, sizeof(*a));
}

void
scan_config_free(struct scan_config *c)
{
	size_t i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->nr; i++) {
		struct urule *u = &c->r[i];
		free(u->id);
		free(u->desc);
		free(u->help);
		free(u->help_uri);
		pcre2_code_free(u->re);
		pcre2_code_free(u->path);
		for (j = 0; j < u->nkw; j++)
			free(u->kw[j]);
		for (j = 0; j < u->nal; j++)
			allow_free(&u->al[j]);
		free(u->al);
	}
	free(c->r);
	for (i = 0; i < c->ndisabled; i++)
		free(c->disabled[i]);
	allow_free(&c->global);
	free(c);
}

static int
want(struct rd *r, const struct val *v, enum vtype t, const char *key)
{
	static const char *const names[] = { "a string", "a number",
		"true or false", "an array of strings" };

	if (v->t != t)
		return fail(r, "'%s' wants %s", key, names[t]);
	return 0;
}

static int
set_allow(struct rd *r, struct allow *a, const char *key, struct val *v)
{
	size_t i;

	if (strcmp(key, "description") == 0)
		return want(r, v, V_STR, key);
	if (strcmp(key, "regexTarget") == 0) {
		if (want(r, v, V_STR, key) < 0)
			return -1;
		if (strcmp(v->s, "secret") == 0)
			a->target = T_SECRET;
		else if (strcmp(v->s, "match") == 0)
			a->target = T_MATCH;
		else if (strcmp(v->s, "line") == 0)
			a->target = T_LINE;
		else
			return fail(r, "regexTarget is secret, match or line");
		return 0;
	}
	if (strcmp(key, "paths") == 0 || strcmp(key, "regexes") == 0) {
		bool p = key[0] == 'p';
		if (want(r, v, V_ARR, key) < 0)
			return -1;
		for (i = 0; i < v->na; i++) {
			pcre2_code *c;
			if ((p ? a->npaths : a->nregexes) == MAX_LIST / 8)
				return fail(r, "too many %s", key);
			if ((c = compile(r, p ? "an allowlist path" :
						"an allowlist regex",
				 v->a[i])) == NULL)
				return -1;
			if (p)
				a->paths[a->npaths++] = c;
			else
				a->regexes[a->nregexes++] = c;
		}
		return 0;
	}
	if (strcmp(key, "stopwords") == 0) {
		if (want(r, v, V_ARR, key) < 0)
			return -1;
		for (i = 0; i < v->na; i++) {
			size_t k;
			if (a->nstop == MAX_LIST)
				return fail(r, "too many stopwords");
			for (k = 0; v->a[i][k]; k++)
				v->a[i][k] = (char)tolower((unsigned char)
				    v->a[i][k]);
			a->stop[a->nstop++] = v->a[i];
			v->a[i] = NULL;
		}
		return 0;
	}
	return fail(r, "unknown allowlist key '%s' (description, paths, "
		       "regexes, stopwords, regexTarget)",
	    key);
}

/* scheme ":" then printable ASCII without spaces, quotes or backslashes:
 * it goes into SARIF's helpUri as it is */
static bool
uri_ok(const char *s)
{
	size_t i = 0;

	if (!isalpha((unsigned char)s[0]))
		return false;
	while (isalnum((unsigned char)s[i]) || strchr("+.-", s[i]))
		if (s[i++] == '\0')
			return false;
	if (s[i] != ':' || strlen(s) > 2048)
		return false;
	for (; s[i]; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f ||
		    strchr("\"\\<>`{}|^", s[i]))
			return false;
	return true;
}

static int
set_rule(struct rd *r, struct urule *u, const char *key, struct val *v)
{
	size_t i;

	if (strcmp(key, "id") == 0) {
		if (want(r, v, V_STR, key) < 0)
			return -1;
		for (i = 0; v->s[i]; i++)
			if (!(isalnum((unsigned char)v->s[i]) ||
			    strchr("._-", v->s[i])))
				return fail(r, "rule id '%s': letters, digits, "
					       "'.', '_' and '-' only",
				    v->s);
		if (i == 0 || i > 64)
			return fail(r, "rule id: 1 to 64 characters");
		free(u->id);
		u->id = v->s;
		v->s = NULL;
		return 0;
	}
	if (strcmp(key, "description") == 0 || strcmp(key, "help") == 0) {
		char **dst = key[0] == 'd' ? &u->desc : &u->help;
		if (want(r, v, V_STR, key) < 0)
			return -1;
		if (v->s[0] == '\0' || strlen(v->s) > 1024)
			return fail(r, "%s: 1 to 1024 characters", key);
		free(*dst);
		*dst = v->s;
		v->s = NULL;
		return 0;
	}
	if (strcmp(key, "help_uri") == 0) {
		if (want(r, v, V_STR, key) < 0)
			return -1;
		if (!uri_ok(v->s))
			return fail(r, "help_uri '%.80s': an absolute URI "
				       "(https://..., file:///...) without "
				       "spaces, quotes or control characters",
			    v->s);
		free(u->help_uri);
		u->help_uri = v->s;
		v->s = NULL;
		return 0;
	}
	if (strcmp(key, "regex") == 0 || strcmp(key, "path") == 0) {
		pcre2_code **dst = key[0] == 'r' ? &u->re : &u->path;
		if (want(r, v, V_STR, key) < 0)
			return -1;
		pcre2_code_free(*dst);
		*dst = compile(r, key[0] == 'r' ? "regex" : "path", v->s);
		return *dst ? 0 : -1;
	}
	if (strcmp(key, "secretGroup") == 0) {
		if (want(r, v, V_NUM, key) < 0)
			return -1;
		if (!v->isint || v->num < 0 || v->num > 9)
			return fail(r, "secretGroup is a group number 0-9");
		u->group = (int)v->num;
		return 0;
	}
	if (strcmp(key, "entropy") == 0) {
		if (want(r, v, V_NUM, key) < 0)
			return -1;
		if (v->num < 0 || v->num > 8)
			return fail(r, "entropy is 0 to 8 bits per character");
		u->entropy = v->num;
		return 0;
	}
	if (strcmp(key, "keywords") == 0) {
		if (want(r, v, V_ARR, key) < 0)
			return -1;
		for (i = 0; i < v->na; i++) {
			size_t k;
			if (u->nkw == MAX_LIST / 8)
				return fail(r, "too many keywords");
			if (v->a[i][0] == '\0')
				return fail(r, "an empty keyword matches "
					       "everything; remove it");
			for (k = 0; v->a[i][k]; k++)
				v->a[i][k] = (char)tolower((unsigned char)
				    v->a[i][k]);
			u->kw[u->nkw++] = v->a[i];
			v->a[i] = NULL;
		}
		return 0;
	}
	if (strcmp(key, "tags") == 0)
		return want(r, v, V_ARR, key);
	return fail(r, "unknown rule key '%s' (id, description, help, "
		       "help_uri, regex, secretGroup, entropy, keywords, "
		       "path, tags, [[rules.allowlists]])",
	    key);
}

enum section { S_TOP, S_EXTEND, S_ALLOW, S_RULE, S_RULE_ALLOW };

static int
finish_rule(struct rd *r, struct scan_config *c, struct urule *u)
{
	size_t i;

	if (u->id == NULL)
		return fail(r, "a [[rules]] entry (line %u) has no id",
		    u->line);
	for (i = 0; i + 1 < c->nr; i++)
		if (strcmp(c->r[i].id, u->id) == 0)
			return fail(r, "rule id '%s' given twice", u->id);
	if (scan_rule_protected(u->id))
		return fail(r, "rule '%s' keeps plaintext Secrets or damaged "
			       "sealed files out and cannot be changed from "
			       "the repository",
		    u->id);
	if (rules_builtin_id(u->id)) {
		if (u->re)
			return fail(r, "rule '%s' is built in: pick another "
				       "id for a new rule, or drop regex to "
				       "tune it",
			    u->id);
		u->tune = true;
	} else if (u->re == NULL)
		return fail(r, "rule '%s' has no regex (and is not a "
			       "built-in rule to tune)",
		    u->id);
	if (u->re) {
		uint32_t caps = 0;
		pcre2_pattern_info(u->re, PCRE2_INFO_CAPTURECOUNT, &caps);
		if ((uint32_t)u->group > caps)
			return fail(r, "rule '%s': secretGroup %d, but the "
				       "regex has %u group(s)",
			    u->id, u->group, caps);
	}
	return 0;
}

/* Opens the table [key] or [[key]] (arr): a new rule or allowlist. */
static int
open_table(struct rd *r, struct scan_config *c, const char *key, bool arr,
    enum section *sec, struct urule **cur, struct allow **al)
{
	if (arr && strcmp(key, "rules") == 0) {
		struct urule *nv;
		if (c->nr == MAX_RULES)
			return fail(r, "more than %d rules", MAX_RULES);
		nv = realloc(c->r, (c->nr + 1) * sizeof(*nv));
		if (nv == NULL)
			return fail(r, "out of memory");
		c->r = nv;
		*cur = &c->r[c->nr++];
		memset(*cur, 0, sizeof(**cur));
		(*cur)->line = r->line - 1;
		*sec = S_RULE;
	} else if (arr && strcmp(key, "rules.allowlists") == 0) {
		struct allow *nv;
		if (*cur == NULL)
			return fail(r, "[[rules.allowlists]] before any "
				       "[[rules]]");
		if ((*cur)->nal == 16)
			return fail(r, "more than 16 allowlists");
		nv = realloc((*cur)->al, ((*cur)->nal + 1) * sizeof(*nv));
		if (nv == NULL)
			return fail(r, "out of memory");
		(*cur)->al = nv;
		*al = &(*cur)->al[(*cur)->nal++];
		memset(*al, 0, sizeof(**al));
		*sec = S_RULE_ALLOW;
	} else if (!arr && strcmp(key, "allowlist") == 0) {
		*al = &c->global;
		*sec = S_ALLOW;
	} else if (!arr && strcmp(key, "extend") == 0) {
		*sec = S_EXTEND;
	} else
		return fail(r, "unknown table '%s%s%s' ([extend], "
			       "[allowlist], [[rules]], "
			       "[[rules.allowlists]])",
		    arr ? "[[" : "[", key, arr ? "]]" : "]");
	return 0;
}

/* Reads a table header line, finishes the rule it ends, opens the next. */
static int
read_table(struct rd *r, struct scan_config *c, enum section *sec,
    struct urule **cur, struct allow **al)
{
	char key[128];
	bool arr = r->e - r->p >= 2 && r->p[1] == '[';

	r->p += arr ? 2 : 1;
	skip_ws(r);
	if (read_key(r, key, sizeof(key), true) < 0)
		return -1;
	skip_ws(r);
	if (r->p >= r->e || *r->p != ']' ||
	    (arr && (r->e - r->p < 2 || r->p[1] != ']')))
		return fail(r, "']%s' expected", arr ? "]" : "");
	r->p += arr ? 2 : 1;
	if (end_line(r) < 0)
		return -1;
	if (*sec == S_RULE || *sec == S_RULE_ALLOW) {
		if (!(arr && strcmp(key, "rules.allowlists") == 0) &&
		    finish_rule(r, c, *cur) < 0)
			return -1;
	}
	return open_table(r, c, key, arr, sec, cur, al);
}

/* disabledRules = [...]: built-in rules only, never the protected ones. */
static int
set_disabled(struct rd *r, struct scan_config *c, const char *key,
    struct val *v)
{
	size_t i;
	int rc = want(r, v, V_ARR, key);

	for (i = 0; rc == 0 && i < v->na; i++) {
		if (scan_rule_protected(v->a[i]))
			rc = fail(r, "rule '%s' cannot be disabled from the "
				     "repository",
			    v->a[i]);
		else if (!rules_builtin_id(v->a[i]))
			rc = fail(r, "no built-in rule '%s' to disable",
			    v->a[i]);
		else if (c->ndisabled == MAX_LIST)
			rc = fail(r, "too many");
		else {
			c->disabled[c->ndisabled++] = v->a[i];
			v->a[i] = NULL;
		}
	}
	return rc;
}

static int
set_extend(struct rd *r, struct scan_config *c, const char *key,
    struct val *v)
{
	int rc;

	if (strcmp(key, "useDefault") == 0) {
		rc = want(r, v, V_BOOL, key);
		if (rc == 0 && !v->b)
			rc = fail(r, "useDefault = false is not supported: "
				     "list rules in disabledRules");
		return rc;
	}
	if (strcmp(key, "disabledRules") == 0)
		return set_disabled(r, c, key, v);
	return fail(r, "unknown key '%s' in [extend] (useDefault, "
		       "disabledRules)",
	    key);
}

/* Reads one 'key = value' line into the section it is in. */
static int
read_assignment(struct rd *r, struct scan_config *c, enum section sec,
    struct urule *cur, struct allow *al)
{
	char key[128];
	struct val v;
	int rc = 0;

	if (read_key(r, key, sizeof(key), false) < 0)
		return -1;
	skip_ws(r);
	if (r->p >= r->e || *r->p != '=')
		return fail(r, "'=' expected after '%s'", key);
	r->p++;
	skip_ws(r);
	if (read_value(r, &v) < 0) {
		val_free(&v); /* an array read halfway */
		return -1;
	}
	switch (sec) {
	case S_TOP:
		if (strcmp(key, "title") == 0)
			rc = want(r, &v, V_STR, key);
		else
			rc = fail(r, "unknown key '%s' at the top (title, or "
				     "a table)",
			    key);
		break;
	case S_EXTEND:
		rc = set_extend(r, c, key, &v);
		break;
	case S_ALLOW:
	case S_RULE_ALLOW:
		rc = set_allow(r, al, key, &v);
		break;
	case S_RULE:
		rc = set_rule(r, cur, key, &v);
		break;
	}
	val_free(&v);
	if (rc < 0 || end_line(r) < 0)
		return -1;
	return 0;
}

struct scan_config *
scan_config_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	struct scan_config *c = calloc(1, sizeof(*c));
	struct rd r = { .p = buf, .e = buf + len, .line = 1, .err = err,
		.errlen = errlen };
	enum section sec = S_TOP;
	struct urule *cur = NULL;
	struct allow *al = NULL;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (memchr(buf, '\0', len)) {
		snprintf(err, errlen, "line 1: NUL byte: not a text file");
		free(c);
		return NULL;
	}
	for (;;) {
		int rc;

		skip_all(&r);
		if (r.p >= r.e)
			break;
		if (*r.p == '[')
			rc = read_table(&r, c, &sec, &cur, &al);
		else
			rc = read_assignment(&r, c, sec, cur, al);
		if (rc < 0)
			goto bad;
	}
	if ((sec == S_RULE || sec == S_RULE_ALLOW) &&
	    finish_rule(&r, c, cur) < 0)
		goto bad;
	return c;
bad:
	if (!r.bad)
		snprintf(err, errlen, "line %u: invalid", r.line);
	scan_config_free(c);
	return NULL;
}

/* applying ---------------------------------------------------------------- */

static bool
match_any(pcre2_code *const *v, size_t n, const char *s, size_t len,
    pcre2_match_data *md)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pcre2_match(v[i], (PCRE2_SPTR)s, len, 0, 0, md, NULL) >= 0)
			return true;
	return false;
}

static bool
has_word_ci(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w), i;

	for (i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, w, k) == 0)
			return true;
	return false;
}

/* Does an allowlist accept this finding? sec/match/line: its texts. */
static bool
allowed(const struct allow *a, const char *path, const char *sec,
    size_t secn, const char *m, size_t mn, const char *l, size_t ln,
    pcre2_match_data *md)
{
	size_t i;

	if (match_any(a->paths, a->npaths, path, strlen(path), md))
		return true;
	if (a->nregexes) {
		const char *t = a->target == T_LINE ? l :
		    a->target == T_MATCH	    ? m :
						      sec;
		size_t tn = a->target == T_LINE ? ln :
		    a->target == T_MATCH	? mn :
						  secn;
		if (t && match_any(a->regexes, a->nregexes, t, tn, md))
			return true;
	}
	for (i = 0; i < a->nstop && sec; i++)
		if (has_word_ci(sec, secn, a->stop[i]))
			return true;
	return false;
}

size_t
scan_config_rule_count(const struct scan_config *c)
{
	return c ? c->nr : 0;
}

bool
scan_config_rule(const struct scan_config *c, size_t i,
    struct scan_user_rule *out)
{
	const struct urule *u;

	if (c == NULL || i >= c->nr || c->r[i].tune)
		return false;
	u = &c->r[i];
	out->id = u->id;
	out->description = u->desc;
	out->help = u->help;
	out->help_uri = u->help_uri;
	return true;
}

static const struct urule *
tune_for(const struct scan_config *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->nr; i++)
		if (c->r[i].tune && strcmp(c->r[i].id, id) == 0)
			return &c->r[i];
	return NULL;
}

static bool
rule_allows(const struct urule *u, const char *path, const char *sec,
    size_t secn, const char *m, size_t mn, const char *l, size_t ln,
    pcre2_match_data *md)
{
	size_t i;

	if (u->path && pcre2_match(u->path, (PCRE2_SPTR)path, strlen(path),
			   0, 0, md, NULL) < 0)
		return true; /* outside the rule's paths */
	if (u->entropy > 0 && sec && scan_entropy(sec, secn) < u->entropy)
		return true;
	for (i = 0; i < u->nal; i++)
		if (allowed(&u->al[i], path, sec, secn, m, mn, l, ln, md))
			return true;
	return false;
}

/* Is a built-in finding disabled, tuned or allowlisted away? */
static bool
builtin_dropped(const struct scan_config *c, const char *path,
    const char *buf, size_t len, const struct scan_finding *f,
    pcre2_match_data *md)
{
	const char *sec = f->sec, *l = NULL;
	size_t secn = f->seclen, ls = 0, le = 0, d;
	const struct urule *u;
	bool drop = false;

	if (sec && !(sec >= buf && sec + secn <= buf + len))
		sec = NULL, secn = 0;
	if (sec) {
		ls = (size_t)(sec - buf);
		while (ls > 0 && buf[ls - 1] != '\n')
			ls--;
		le = (size_t)(sec + secn - buf);
		while (le < len && buf[le] != '\n')
			le++;
		l = buf + ls;
	}
	if (scan_rule_protected(f->rule))
		return false;
	u = tune_for(c, f->rule);
	for (d = 0; d < c->ndisabled && !drop; d++)
		drop = strcmp(c->disabled[d], f->rule) == 0;
	if (!drop && u)
		drop = rule_allows(u, path, sec, secn, sec, secn, l, le - ls,
		    md);
	if (!drop)
		drop = allowed(&c->global, path, sec, secn, sec, secn, l,
		    le - ls, md);
	return drop;
}

/* Drops the built-in findings from first on that the config removes. */
static void
filter_builtin(const struct scan_config *c, const char *path,
    const char *buf, size_t len, struct scan_results *out, size_t first,
    pcre2_match_data *md)
{
	size_t i, k;

	for (i = k = first; i < out->n; i++) {
		struct scan_finding *f = &out->v[i];
		bool drop = builtin_dropped(c, path, buf, len, f, md);

		f->sec = NULL;
		f->seclen = 0;
		if (drop) {
			free(f->path);
			continue;
		}
		out->v[k++] = *f;
	}
	out->n = k;
}

/* Does a repository rule look at this file at all (path, keywords)? */
static bool
rule_applies(const struct urule *u, const char *path, const char *buf,
    size_t len, pcre2_match_data *md)
{
	size_t kw;

	if (u->tune)
		return false;
	if (u->path && pcre2_match(u->path, (PCRE2_SPTR)path, strlen(path),
			   0, 0, md, NULL) < 0)
		return false;
	for (kw = 0; kw < u->nkw; kw++)
		if (has_word_ci(buf, len, u->kw[kw]))
			return true;
	return u->nkw == 0;
}

/* One match of a repository rule: secret at ss..se in match ms..me. */
static int
add_rule_match(const struct scan_config *c, const struct urule *u,
    const char *path, const char *buf, size_t len, struct scan_results *out,
    size_t ms, size_t me, size_t ss, size_t se)
{
	char ex[SCAN_EXCERPT_MAX + 1];
	size_t ls, le;
	pcre2_match_data *md2;
	bool skip;
	struct scan_text t = { .path = path, .buf = buf, .len = len };
	int rc = 0;

	for (ls = ms; ls > 0 && buf[ls - 1] != '\n'; ls--)
		;
	for (le = me; le < len && buf[le] != '\n'; le++)
		;
	md2 = pcre2_match_data_create(10, NULL);
	skip = md2 == NULL ||
	    rule_allows(u, path, buf + ss, se - ss, buf + ms, me - ms,
		buf + ls, le - ls, md2) ||
	    allowed(&c->global, path, buf + ss, se - ss, buf + ms, me - ms,
		buf + ls, le - ls, md2);
	pcre2_match_data_free(md2);
	if (md2 == NULL)
		return -1;
	if (skip)
		return 0;
	if (scan_line_allowed(&t, ss))
		return 0;
	scan_redact(ex, sizeof(ex), buf + ms, me - ms, ss - ms, se - ss);
	if (scan_results_add(out, path, scan_line_of(&t, ss), u->id,
		u->desc ? u->desc : "secret matching a repository rule", ex,
		(const unsigned char *)buf + ss, se - ss, false) < 0)
		rc = -1;
	else
		out->v[out->n - 1].sec = NULL;
	free(t.lines);
	return rc;
}

/* Runs one repository rule over the file, adding what it finds. */
static int
run_rule(const struct scan_config *c, const struct urule *u,
    const char *path, const char *buf, size_t len, struct scan_results *out,
    pcre2_match_data *md)
{
	size_t pos = 0;
	int rc = 0;

	if (!rule_applies(u, path, buf, len, md))
		return 0;
	while (pos <= len && rc == 0) {
		PCRE2_SIZE *ov;
		size_t ms, me, ss, se;
		int m = pcre2_match(u->re, (PCRE2_SPTR)buf, len, pos, 0, md,
		    NULL);
		if (m < 0)
			break;
		ov = pcre2_get_ovector_pointer(md);
		ms = ov[0];
		me = ov[1];
		ss = ms;
		se = me;
		if (u->group > 0 && m > u->group &&
		    ov[2 * u->group] != PCRE2_UNSET) {
			ss = ov[2 * u->group];
			se = ov[2 * u->group + 1];
		}
		pos = me > pos ? me : pos + 1;
		if (se == ss)
			continue;
		rc = add_rule_match(c, u, path, buf, len, out, ms, me, ss, se);
	}
	return rc;
}

int
scan_config_apply(const struct scan_config *c, const char *path,
    const char *buf, size_t len, bool binary, struct scan_results *out,
    size_t first)
{
	pcre2_match_data *md;
	size_t i;
	int rc = 0;

	if (c == NULL)
		return 0;
	if ((md = pcre2_match_data_create(10, NULL)) == NULL)
		return -1;
	/* built-in findings: disabled, tuned or allowlisted away */
	filter_builtin(c, path, buf, len, out, first, md);
	/* the repository's own rules */
	for (i = 0; i < c->nr && rc == 0 && !binary; i++)
		rc = run_rule(c, &c->r[i], path, buf, len, out, md);
	pcre2_match_data_free(md);
	return rc;
}
