/* SPDX-License-Identifier: ISC */
/*
 * json.c - the JSON store: strict RFC 8259 text <-> tree (one document,
 * a top-level object; order kept; duplicate keys refused; numbers typed
 * INT when integral and within int64, else FLOAT), and the emitter that
 * writes what sops writes (tab indent by default, Go json escaping). No
 * crypto, no sops knowledge.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "stores/out.h"
#include "stores/tree.h"

struct jp {
	seal_ctx *ctx;
	struct seal__tree *t;
	const char *s, *end;
	uint32_t line;
	struct seal__limits lim;
	size_t nodes;
	struct seal__secbuf sb; /* decoded string staging (may be secret) */
};

static seal_rc
jerr(struct jp *p, const char *what)
{
	return seal__err(
	    p->ctx, SEAL_EPARSE, "line %u: %s", (unsigned)p->line, what);
}

static void
ws(struct jp *p)
{
	while (p->s < p->end) {
		char c = *p->s;
		if (c == '\n')
			p->line++;
		else if (c != ' ' && c != '\t' && c != '\r')
			break;
		p->s++;
	}
}

static int
hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static int
put_utf8(struct seal__secbuf *sb, unsigned cp)
{
	unsigned char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp, n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f)), n = 4;
	}
	return seal__secbuf_append(sb, b, n);
}

/* Parse a string at p->s (the opening quote) into p->sb. */
static seal_rc
jstring(struct jp *p)
{
	const char *s = p->s + 1, *run;

	seal__secbuf_reset(&p->sb);
	for (;;) {
		run = s;
		while (s < p->end && *s != '"' && *s != '\\' &&
		    (unsigned char)*s >= 0x20)
			s++;
		if (s > run &&
		    seal__secbuf_append(&p->sb, run, (size_t)(s - run)) != 0)
			return seal__err(p->ctx, SEAL_ENOMEM, "out of memory");
		if (s >= p->end)
			return jerr(p, "unterminated string");
		if (*s == '"')
			break;
		if ((unsigned char)*s < 0x20)
			return jerr(p, "control character in string");
		/* backslash */
		if (s + 1 >= p->end)
			return jerr(p, "unterminated string");
		s++;
		{
			char c = *s++, e = 0;
			unsigned cp, lo;
			switch (c) {
			case '"':
				e = '"';
				break;
			case '\\':
				e = '\\';
				break;
			case '/':
				e = '/';
				break;
			case 'b':
				e = '\b';
				break;
			case 'f':
				e = '\f';
				break;
			case 'n':
				e = '\n';
				break;
			case 'r':
				e = '\r';
				break;
			case 't':
				e = '\t';
				break;
			case 'u':
				if (p->end - s < 4 || hex4(s, &cp) != 0)
					return jerr(p, "bad \\u escape");
				s += 4;
				if (cp >= 0xd800 && cp < 0xdc00) {
					if (p->end - s >= 6 && s[0] == '\\' &&
					    s[1] == 'u' &&
					    hex4(s + 2, &lo) == 0 &&
					    lo >= 0xdc00 && lo < 0xe000) {
						s += 6;
						cp = 0x10000 +
						    ((cp - 0xd800) << 10) +
						    (lo - 0xdc00);
					} else {
						cp = 0xfffd;
					}
				} else if (cp >= 0xdc00 && cp < 0xe000) {
					cp = 0xfffd;
				}
				if (put_utf8(&p->sb, cp) != 0)
					return seal__err(p->ctx, SEAL_ENOMEM,
					    "out of memory");
				continue;
			default:
				return jerr(p, "bad escape in string");
			}
			if (seal__secbuf_append(&p->sb, &e, 1) != 0)
				return seal__err(
				    p->ctx, SEAL_ENOMEM, "out of memory");
		}
	}
	if (p->sb.len > p->lim.max_bytes)
		return seal__err(p->ctx, SEAL_ELIMIT,
		    "line %u: string too long", (unsigned)p->line);
	p->s = s + 1;
	return SEAL_OK;
}

static seal_rc jvalue(struct jp *p, unsigned depth, struct seal__node **out);

static seal_rc
count_node(struct jp *p)
{
	if (++p->nodes > p->lim.max_nodes)
		return seal__err(p->ctx, SEAL_ELIMIT,
		    "line %u: more than %zu nodes", (unsigned)p->line,
		    p->lim.max_nodes);
	return SEAL_OK;
}

/* objects up to this many keys are checked for duplicates linearly */
#define DUP_LINEAR 16

static int
item_cmp(const void *pa, const void *pb)
{
	const struct seal__item *a = *(const struct seal__item *const *)pa;
	const struct seal__item *b = *(const struct seal__item *const *)pb;
	size_t n = a->keylen < b->keylen ? a->keylen : b->keylen;
	int c = memcmp(a->key, b->key, n);

	if (c != 0)
		return c;
	if (a->keylen != b->keylen)
		return a->keylen < b->keylen ? -1 : 1;
	return a < b ? -1 : a > b; /* equal keys in document order */
}

/*
 * Duplicate keys of a large object, in O(n log n): sort pointers to its
 * items by key (no hash an attacker could flood). Reports the first
 * repeated key in document order, as the linear check would.
 */
static seal_rc
dup_sorted(struct jp *p, const struct seal__node *m)
{
	const struct seal__item **v, *first = NULL;
	size_t i;

	v = malloc(m->nitems * sizeof(*v));
	if (v == NULL)
		return seal__err(p->ctx, SEAL_ENOMEM, "out of memory");
	for (i = 0; i < m->nitems; i++)
		v[i] = &m->items[i];
	qsort(v, m->nitems, sizeof(*v), item_cmp);
	for (i = 1; i < m->nitems; i++)
		if (v[i]->keylen == v[i - 1]->keylen &&
		    memcmp(v[i]->key, v[i - 1]->key, v[i]->keylen) == 0 &&
		    (first == NULL || v[i] < first))
			first = v[i];
	free(v);
	if (first != NULL) {
		char q[80];
		seal__quote(q, sizeof(q), first->key, first->keylen);
		return seal__err(p->ctx, SEAL_EPARSE,
		    "line %u: duplicate key '%s'", (unsigned)first->keyline,
		    q);
	}
	return SEAL_OK;
}

static seal_rc
jobject(struct jp *p, unsigned depth, struct seal__node **out)
{
	struct seal__node *m = seal__node_new(p->t, SEAL_N_MAP), *v;
	seal_rc rc;

	if (m == NULL)
		return seal__err(p->ctx, SEAL_ENOMEM, "out of memory");
	m->line = p->line;
	p->s++;
	ws(p);
	if (p->s < p->end && *p->s == '}') {
		p->s++;
		*out = m;
		return SEAL_OK;
	}
	for (;;) {
		uint32_t kline;
		char *key;
		size_t klen;

		ws(p);
		if (p->s >= p->end || *p->s != '"')
			return jerr(p, "expected a string key");
		kline = p->line;
		if ((rc = jstring(p)) != SEAL_OK)
			return rc;
		klen = p->sb.len;
		key = seal__tree_strdup(
		    p->t, p->sb.buf ? (char *)p->sb.buf : "", klen);
		if (key == NULL)
			return seal__err(p->ctx, SEAL_ENOMEM, "out of memory");
		if (m->nitems < DUP_LINEAR &&
		    seal__map_find_n(m, key, klen) != (size_t)-1) {
			char q[80];
			seal__quote(q, sizeof(q), key, klen);
			return seal__err(p->ctx, SEAL_EPARSE,
			    "line %u: duplicate key '%s'", (unsigned)kline, q);
		}
		ws(p);
		if (p->s >= p->end || *p->s != ':')
			return jerr(p, "expected ':' after key");
		p->s++;
		if ((rc = jvalue(p, depth + 1, &v)) != SEAL_OK)
			return rc;
		if (seal__map_append(p->t, m, key, klen, v) != 0)
			return seal__err(p->ctx, SEAL_ENOMEM, "out of memory");
		m->items[m->nitems - 1].keyline = kline;
		ws(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == '}') {
			p->s++;
			break;
		}
		return jerr(p, "expected ',' or '}' in object");
	}
	if (m->nitems > DUP_LINEAR && (rc = dup_sorted(p, m)) != SEAL_OK)
		return rc;
	*out = m;
	return SEAL_OK;
}

static seal_rc
jarray(struct jp *p, unsigned depth, struct seal__node **out)
{
	struct seal__node *a = seal__node_new(p->t, SEAL_N_SEQ), *v;
	seal_rc rc;

	if (a == NULL)
		return seal__err(p->ctx, SEAL_ENOMEM, "out of memory");
	a->line = p->line;
	p->s++;
	ws(p);
	if (p->s < p->end && *p->s == ']') {
		p->s++;
		*out = a;
		return SEAL_OK;
	}
	for (;;) {
		if ((rc = jvalue(p, depth + 1, &v)) != SEAL_OK)
			return rc;
		if (seal__seq_append(p->t, a, v) != 0)
			return seal__err(p->ctx, SEAL_ENOMEM, "out of memory");
		ws(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == ']') {
			p->s++;
			break;
		}
		return jerr(p, "expected ',' or ']' in array");
	}
	*out = a;
	return SEAL_OK;
}

static seal_rc
jnumber(struct jp *p, struct seal__node **out)
{
	const char *s = p->s, *start = s;
	bool integral = true;
	enum seal__type type;

	if (s < p->end && *s == '-')
		s++;
	if (s >= p->end || *s < '0' || *s > '9')
		return jerr(p, "unexpected character");
	if (*s == '0')
		s++;
	else
		while (s < p->end && *s >= '0' && *s <= '9')
			s++;
	if (s < p->end && *s == '.') {
		integral = false;
		s++;
		if (s >= p->end || *s < '0' || *s > '9')
			return jerr(p, "bad number");
		while (s < p->end && *s >= '0' && *s <= '9')
			s++;
	}
	if (s < p->end && (*s == 'e' || *s == 'E')) {
		integral = false;
		s++;
		if (s < p->end && (*s == '+' || *s == '-'))
			s++;
		if (s >= p->end || *s < '0' || *s > '9')
			return jerr(p, "bad number");
		while (s < p->end && *s >= '0' && *s <= '9')
			s++;
	}
	type = SEAL_T_FLOAT;
	if (integral) {
		size_t nd = (size_t)(s - start) - (*start == '-');
		/* int64: at most 19 digits; 19-digit values compared */
		if (nd < 19 ||
		    (nd == 19 &&
		        strncmp(start + (*start == '-'),
		            *start == '-' ? "9223372036854775808"
		                          : "9223372036854775807",
		            19) <= 0))
			type = SEAL_T_INT;
	}
	*out = seal__scalar_new(p->t, type, start, (size_t)(s - start));
	if (*out == NULL)
		return seal__err(p->ctx, SEAL_ENOMEM, "out of memory");
	(*out)->line = p->line;
	p->s = s;
	return SEAL_OK;
}

static seal_rc
jvalue(struct jp *p, unsigned depth, struct seal__node **out)
{
	seal_rc rc;

	ws(p);
	if (p->s >= p->end)
		return jerr(p, "unexpected end of input");
	if (depth > p->lim.max_depth)
		return seal__err(p->ctx, SEAL_ELIMIT,
		    "line %u: nesting deeper than %u", (unsigned)p->line,
		    p->lim.max_depth);
	if ((rc = count_node(p)) != SEAL_OK)
		return rc;
	switch (*p->s) {
	case '{':
		return jobject(p, depth, out);
	case '[':
		return jarray(p, depth, out);
	case '"': {
		uint32_t line = p->line;
		if ((rc = jstring(p)) != SEAL_OK)
			return rc;
		*out = seal__scalar_new(
		    p->t, SEAL_T_STR, (char *)p->sb.buf, p->sb.len);
		seal__secbuf_reset(&p->sb);
		if (*out == NULL)
			return seal__err(p->ctx, SEAL_ENOMEM, "out of memory");
		(*out)->line = line;
		(*out)->style = SEAL_S_DOUBLE;
		return SEAL_OK;
	}
	case 't':
	case 'f':
	case 'n': {
		static const char *const w[] = {"true", "false", "null"};
		size_t i;
		for (i = 0; i < 3; i++) {
			size_t n = strlen(w[i]);
			if ((size_t)(p->end - p->s) >= n &&
			    memcmp(p->s, w[i], n) == 0) {
				*out = seal__scalar_new(p->t,
				    i == 2 ? SEAL_T_NULL : SEAL_T_BOOL, w[i],
				    n);
				if (*out == NULL)
					return seal__err(p->ctx, SEAL_ENOMEM,
					    "out of memory");
				(*out)->line = p->line;
				p->s += n;
				return SEAL_OK;
			}
		}
		return jerr(p, "unexpected word");
	}
	default:
		return jnumber(p, out);
	}
}

seal_rc
seal__json_parse(seal_ctx *ctx, const char *buf, size_t len,
    const struct seal__limits *lim, struct seal__tree **out)
{
	struct jp p;
	struct seal__doc *d;
	struct seal__node *root = NULL;
	seal_rc rc;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	seal__limits_fill(&p.lim, lim);
	if (len > p.lim.max_bytes)
		return seal__err(ctx, SEAL_ELIMIT,
		    "input is larger than %zu bytes", p.lim.max_bytes);
	p.ctx = ctx;
	p.s = buf;
	p.end = buf + len;
	p.line = 1;
	p.t = seal__tree_new();
	if (p.t == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	seal__tree_size_hint(p.t, len);
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		p.s += 3;
	ws(&p);
	if (p.s >= p.end || *p.s != '{') {
		rc = p.s >= p.end ? jerr(&p, "empty input")
		                  : jerr(&p, "top level must be an object");
		goto fail;
	}
	if ((rc = jvalue(&p, 1, &root)) != SEAL_OK)
		goto fail;
	ws(&p);
	if (p.s != p.end) {
		rc = jerr(&p, "trailing data after the object");
		goto fail;
	}
	d = seal__tree_add_doc(p.t);
	if (d == NULL) {
		rc = seal__err(ctx, SEAL_ENOMEM, "out of memory");
		goto fail;
	}
	d->root = root;
	p.t->trailing_newline = len > 0 && buf[len - 1] == '\n';
	seal__secbuf_free(&p.sb);
	*out = p.t;
	return SEAL_OK;
fail:
	seal__secbuf_free(&p.sb);
	seal__tree_free(p.t);
	return rc;
}

/* ---- emit ---------------------------------------------------------------- */

static void
estring(struct seal__out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	seal__out_ch(o, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[8];

		if (c == '"' || c == '\\') {
			seal__out_ch(o, '\\');
			seal__out_ch(o, (char)c);
		} else if (c == '\n') {
			seal__out_put(o, "\\n", 2);
		} else if (c == '\r') {
			seal__out_put(o, "\\r", 2);
		} else if (c == '\t') {
			seal__out_put(o, "\\t", 2);
		} else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
			memcpy(e, "\\u00", 4);
			e[4] = hex[c >> 4];
			e[5] = hex[c & 15];
			seal__out_put(o, e, 6);
		} else if (c == 0xe2 && i + 2 < n &&
		    (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0xa8 ||
		        (unsigned char)s[i + 2] == 0xa9)) {
			seal__out_str(o,
			    (unsigned char)s[i + 2] == 0xa8 ? "\\u2028"
			                                    : "\\u2029");
			i += 2;
		} else {
			seal__out_ch(o, (char)c);
		}
	}
	seal__out_ch(o, '"');
}

struct jemit {
	struct seal__out o;
	char ind[16];
	size_t indlen;
};

static void
newline(struct jemit *e, unsigned depth)
{
	unsigned i;

	if (e->indlen == 0 && e->ind[0] == '\0')
		return;
	seal__out_ch(&e->o, '\n');
	for (i = 0; i < depth; i++)
		seal__out_put(&e->o, e->ind, e->indlen);
}

static void
evalue(struct jemit *e, const struct seal__node *n, unsigned depth)
{
	size_t i;
	bool first = true;

	if (n == NULL) {
		seal__out_str(&e->o, "null");
		return;
	}
	if (n->kind == SEAL_N_SCALAR) {
		switch (n->type) {
		case SEAL_T_INT:
		case SEAL_T_FLOAT:
			seal__out_put(&e->o, n->text, n->len);
			return;
		case SEAL_T_BOOL:
			seal__out_str(&e->o,
			    (n->text[0] == 't' || n->text[0] == 'T') ? "true"
			                                             : "false");
			return;
		case SEAL_T_NULL:
			seal__out_str(&e->o, "null");
			return;
		default:
			estring(&e->o, n->text, n->len);
			return;
		}
	}
	seal__out_ch(&e->o, n->kind == SEAL_N_MAP ? '{' : '[');
	for (i = 0; i < n->nitems; i++) {
		const struct seal__item *it = &n->items[i];
		if (it->val != NULL && it->val->kind == SEAL_N_COMMENT)
			continue;
		if (!first)
			seal__out_ch(&e->o, ',');
		first = false;
		newline(e, depth + 1);
		if (n->kind == SEAL_N_MAP) {
			estring(&e->o, it->key, it->keylen);
			seal__out_put(
			    &e->o, ": ", e->indlen || e->ind[0] ? 2 : 1);
		}
		evalue(e, it->val, depth + 1);
	}
	if (!first)
		newline(e, depth);
	seal__out_ch(&e->o, n->kind == SEAL_N_MAP ? '}' : ']');
}

seal_rc
seal__json_emit(seal_ctx *ctx, const struct seal__tree *t,
    const struct seal__emit_opts *opts, seal_write_fn write, void *arg)
{
	struct jemit *e;
	int indent = opts ? opts->indent : 0;
	size_t d;
	seal_rc rc;

	/* stack use: the 16 KiB buffer lives in e (heap would need wiping
	 * the same way; sodium_malloc would cost a syscall per call) */
	e = malloc(sizeof(*e));
	if (e == NULL)
		return seal__err(ctx, SEAL_ENOMEM, "out of memory");
	seal__out_init(&e->o, write, arg);
	memset(e->ind, 0, sizeof(e->ind));
	if (indent <= 0) {
		e->ind[0] = '\t';
		e->indlen = 1;
	} else {
		e->indlen = (size_t)(indent > 15 ? 15 : indent);
		memset(e->ind, ' ', e->indlen);
	}
	for (d = 0; d < t->ndocs; d++) {
		evalue(e, t->docs[d].root, 0);
		seal__out_ch(&e->o, '\n');
	}
	if (t->ndocs == 0)
		seal__out_str(&e->o, "{}\n");
	rc = seal__out_end(ctx, &e->o);
	sodium_memzero(e, sizeof(*e));
	free(e);
	return rc;
}
