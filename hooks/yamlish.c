/* SPDX-License-Identifier: ISC */
/*
 * yamlish.c - a forgiving, line-based reader of YAML-shaped text (and
 * pretty-printed JSON) for the scanner: key paths, values and line
 * numbers, document by document. It exists so the hook never fails open:
 * tab-indented or templated manifests that a real YAML parser rejects
 * (Helm and Jinja sources, hand-edited files) are still read the way a
 * human reads them. It does not resolve anchors, flow collections or
 * multi-line plain scalars; it never allocates per value (entries point
 * into the caller's buffer).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hooks/yamlish.h"

#define YL_MAX_STACK 128

static size_t
indent_width(const char *p, const char *e, const char **first)
{
	size_t w = 0;

	while (p < e && (*p == ' ' || *p == '\t')) {
		w = *p == '\t' ? (w / 8 + 1) * 8 : w + 1;
		p++;
	}
	*first = p;
	return w;
}

static int
push(struct yl_doc *y, const struct yl_ent *e)
{
	if (y->n == y->cap) {
		size_t ncap = y->cap ? y->cap * 2 : 64;
		struct yl_ent *nv;
		if (ncap > YL_MAX_ENTRIES)
			return -1;
		nv = realloc(y->v, ncap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		y->v = nv;
		y->cap = ncap;
	}
	y->v[y->n++] = *e;
	return 0;
}

/* Trim a scalar: comments, JSON commas, quotes. */
static void
trim_value(const char **vp, size_t *vn, bool *quoted)
{
	const char *v = *vp;
	size_t n = *vn;

	*quoted = false;
	if (n && (v[0] == '"' || v[0] == '\'')) {
		const char *q = memchr(v + 1, v[0], n - 1);
		/* a doubled '' or escaped \" inside stays: good enough */
		while (q && v[0] == '"' && q[-1] == '\\' &&
		    (size_t)(q - v) + 1 < n)
			q = memchr(q + 1, '"', n - (size_t)(q + 1 - v));
		if (q) {
			*vp = v + 1;
			*vn = (size_t)(q - v) - 1;
			*quoted = true;
			return;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '#' && i > 0 && (v[i - 1] == ' ' || v[i - 1] == '\t')) {
			n = i;
			break;
		}
	}
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		n--;
	if (n && v[n - 1] == ',')
		n--; /* JSON */
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	*vp = v;
	*vn = n;
}

/* Find "key:" at p; sets key span and returns the value start, or NULL. */
static const char *
split_key(const char *p, const char *e, const char **k, size_t *kn)
{
	const char *q;

	if (p < e && (*p == '"' || *p == '\'')) {
		q = memchr(p + 1, *p, (size_t)(e - p - 1));
		if (q == NULL)
			return NULL;
		*k = p + 1;
		*kn = (size_t)(q - p - 1);
		q++;
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (q >= e || *q != ':')
			return NULL;
		return q + 1;
	}
	if (p < e && (*p == '{' || *p == '[' || *p == '#'))
		return NULL;
	for (q = p; q < e; q++) {
		if (*q == ':' && (q + 1 == e || q[1] == ' ' || q[1] == '\t' ||
				     q[1] == '\r')) {
			*k = p;
			*kn = (size_t)(q - p);
			while (*kn && (p[*kn - 1] == ' ' || p[*kn - 1] == '\t'))
				(*kn)--;
			return q + 1;
		}
		if (*q == ' ' && q + 1 < e && q[1] == '#')
			return NULL;
	}
	return NULL;
}

/* A flow scalar at *pp: "quoted" (escapes kept) or bare up to stop. */
static void
flow_scalar(const char **pp, const char *e, const char *stop,
    const char **v, size_t *vn, bool *quoted)
{
	const char *p = *pp;

	*quoted = false;
	if (p < e && (*p == '"' || *p == '\'')) {
		char q = *p++;
		*v = p;
		while (p < e && *p != q) {
			if (*p == '\\' && q == '"' && p + 1 < e)
				p++;
			p++;
		}
		*vn = (size_t)(p - *v);
		*quoted = true;
		if (p < e)
			p++;
	} else {
		*v = p;
		while (p < e && !strchr(stop, *p))
			p++;
		*vn = (size_t)(p - *v);
		while (*vn && ((*v)[*vn - 1] == ' ' || (*v)[*vn - 1] == '\t' ||
				  (*v)[*vn - 1] == '\r'))
			(*vn)--;
	}
	*pp = p;
}

/*
 * One line of flow style ({"kind":"Secret","data":{...}} or a YAML
 * value {a: b, c: [d]}): entries like the block reader's, parent being
 * the enclosing key. Unbalanced input simply ends with the line.
 */
static int
flow_line(struct yl_doc *y, const char *p, const char *e, unsigned line,
    unsigned doc, int parent, unsigned depth)
{
	struct {
		bool map;
		int parent;
	} st[YL_MAX_STACK];
	int sp = 0;

	while (p < e) {
		struct yl_ent ent;
		const char *k = NULL, *v;
		size_t kn = 0, vn;
		bool q;

		while (p < e && strchr(" \t\r,", *p))
			p++;
		if (p >= e)
			break;
		if (*p == '}' || *p == ']') {
			if (sp > 0)
				sp--;
			p++;
			continue;
		}
		if (*p == '{' || *p == '[') {
			if (sp == YL_MAX_STACK)
				return 0;
			st[sp].map = *p == '{';
			st[sp].parent = sp ? st[sp - 1].parent : parent;
			sp++;
			p++;
			continue;
		}
		if (sp == 0)
			return 0; /* not flow after all */
		memset(&ent, 0, sizeof(ent));
		ent.line = line;
		ent.doc = doc;
		ent.parent = st[sp - 1].parent;
		ent.depth = depth + (unsigned)sp;
		if (st[sp - 1].map) {
			flow_scalar(&p, e, ":,}]", &k, &kn, &q);
			while (p < e && (*p == ' ' || *p == '\t'))
				p++;
			if (p < e && *p == ':')
				p++;
			while (p < e && (*p == ' ' || *p == '\t'))
				p++;
			ent.key = k;
			ent.keylen = kn;
		} else
			ent.seq = true;
		if (p < e && (*p == '{' || *p == '[')) {
			if (ent.key == NULL)
				continue; /* a map in a list: keys go up */
			ent.val = p;
			ent.vallen = 0;
			if (push(y, &ent) < 0)
				return -1;
			if (sp == YL_MAX_STACK)
				return 0;
			st[sp].map = *p == '{';
			st[sp].parent = (int)(y->n - 1);
			sp++;
			p++;
			continue;
		}
		flow_scalar(&p, e, ",}]", &v, &vn, &q);
		ent.val = v;
		ent.vallen = vn;
		ent.quoted = q;
		if (push(y, &ent) < 0)
			return -1;
	}
	return 0;
}

/* "---" or "..." at column 0: a document boundary */
static bool
doc_marker(const char *f, const char *e, size_t w)
{
	return w == 0 && e - f >= 3 &&
	    (memcmp(f, "---", 3) == 0 || memcmp(f, "...", 3) == 0) &&
	    (e - f == 3 || f[3] == ' ' || f[3] == '\r');
}

/* The open mappings above the current line: their indent and entry. */
struct yl_stack {
	struct {
		size_t indent;
		int idx;
	} st[YL_MAX_STACK];
	int sp;
};

/* "- " items: the content sits further right; *w grows to its column,
 * *seq tells whether there was a dash. Returns where the content starts. */
static const char *
seq_dashes(struct yl_stack *s, const char *f, const char *e, size_t *w,
    bool *seq)
{
	const char *g;

	while (f < e && *f == '-' &&
	    (f + 1 == e || f[1] == ' ' || f[1] == '\t' || f[1] == '\r')) {
		g = f + 1;
		if (!*seq) {
			while (s->sp > 0 && s->st[s->sp - 1].indent > *w)
				s->sp--;
		}
		*seq = true;
		(*w)++;
		while (g < e && (*g == ' ' || *g == '\t')) {
			*w = *g == '\t' ? (*w / 8 + 1) * 8 : *w + 1;
			g++;
		}
		f = g;
	}
	return f;
}

/* A block scalar ("|", ">-"...) on the line ending at e, indented w: its
 * value is the next deeper line (or empty). */
static void
block_value(const char *e, const char *end, unsigned line, size_t w,
    const char **v, size_t *vn, struct yl_ent *ent)
{
	const char *q = e < end ? e + 1 : end, *qe, *qf;
	unsigned l2 = line;
	size_t qw;

	*vn = 0;
	while (q < end) {
		qe = memchr(q, '\n', (size_t)(end - q));
		if (qe == NULL)
			qe = end;
		l2++;
		qw = indent_width(q, qe, &qf);
		if (qf < qe && *qf != '\r') {
			if (qw > w) {
				*v = qf;
				*vn = (size_t)(qe - qf);
				while (*vn && (*v)[*vn - 1] == '\r')
					(*vn)--;
				ent->line = l2;
				ent->block = true;
			}
			return;
		}
		q = qe + 1;
	}
}

/* The value of the entry on the line (line, doc) ending at e, indented w,
 * from v: a block scalar, a flow collection or plain. Adds the entry and,
 * for a key with nothing after it, opens it for the deeper lines. */
static int
add_entry(struct yl_doc *y, struct yl_stack *s, struct yl_ent *ent,
    const char *v, const char *e, const char *end, unsigned line,
    unsigned doc, size_t w, size_t *block)
{
	size_t vn;
	bool quoted;

	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	vn = (size_t)(e - v);
	trim_value(&v, &vn, &quoted);
	ent->quoted = quoted;
	if (!quoted && vn >= 1 && (v[0] == '|' || v[0] == '>') &&
	    (vn == 1 || memchr("+-0123456789", v[1], 12))) {
		*block = w;
		block_value(e, end, line, w, &v, &vn, ent);
	}
	ent->val = v;
	ent->vallen = vn;
	if (!quoted && vn == 1 && (v[0] == '{' || v[0] == '['))
		ent->vallen = 0;
	/* {{ template }}: a value to judge as a whole, not a flow
	 * mapping (Helm, Jinja, Go templates) */
	if (!quoted && vn > 2 && (v[0] == '{' || v[0] == '[') &&
	    !(v[0] == '{' && (v[1] == '{' || v[1] == '%'))) {
		/* a flow collection as the value: read its insides */
		ent->vallen = 0;
		if (push(y, ent) < 0 ||
		    flow_line(y, v, v + vn, line, doc, (int)(y->n - 1),
			ent->depth + 1) < 0)
			return -1;
		return 0;
	}
	if (push(y, ent) < 0)
		return -1;
	if (ent->key && ent->vallen == 0 && !ent->block &&
	    s->sp < YL_MAX_STACK) {
		s->st[s->sp].indent = w;
		s->st[s->sp].idx = (int)(y->n - 1);
		s->sp++;
	}
	return 0;
}

int
yl_parse(const char *buf, size_t len, struct yl_doc *y)
{
	struct yl_stack s;
	const char *p = buf, *end = buf + len;
	unsigned line = 0, doc = 0;
	size_t block = (size_t)-1; /* inside a block scalar deeper than */

	memset(y, 0, sizeof(*y));
	s.sp = 0;
	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		const char *f, *k = NULL, *v;
		size_t w, kn = 0;
		struct yl_ent ent;
		bool seq = false;

		if (e == NULL)
			e = end;
		line++;
		w = indent_width(p, e, &f);
		if (f == e || *f == '#' || (*f == '\r' && f + 1 == e))
			goto next;
		if (block != (size_t)-1) {
			if (w > block)
				goto next;
			block = (size_t)-1;
		}
		if (doc_marker(f, e, w)) {
			doc++;
			s.sp = 0;
			goto next;
		}
		if (*f == '}' || *f == ']' || (*f == '{' && e - f <= 2) ||
		    (*f == '[' && e - f <= 2))
			goto next;
		if (*f == '{' && w == 0) { /* one-line JSON */
			if (flow_line(y, f, e, line, doc, -1, 0) < 0)
				return -1;
			if (y->n && doc + 1 > y->ndocs)
				y->ndocs = doc + 1;
			goto next;
		}
		f = seq_dashes(&s, f, e, &w, &seq);
		if (f >= e || *f == '\r')
			goto next;
		memset(&ent, 0, sizeof(ent));
		ent.line = line;
		ent.doc = doc;
		ent.seq = seq;
		v = split_key(f, e, &k, &kn);
		if (v != NULL) {
			while (s.sp > 0 && s.st[s.sp - 1].indent >= w)
				s.sp--;
			ent.key = k;
			ent.keylen = kn;
		} else {
			if (!seq)
				goto next; /* a continuation line */
			v = f;
		}
		ent.parent = s.sp > 0 ? s.st[s.sp - 1].idx : -1;
		ent.depth = (unsigned)s.sp;
		if (add_entry(y, &s, &ent, v, e, end, line, doc, w, &block) < 0)
			return -1;
		if (doc + 1 > y->ndocs)
			y->ndocs = doc + 1;
	next:
		p = e < end ? e + 1 : end;
	}
	return 0;
}

void
yl_free(struct yl_doc *y)
{
	free(y->v);
	memset(y, 0, sizeof(*y));
}

bool
yl_key_is(const struct yl_ent *e, const char *k)
{
	size_t n = strlen(k);

	return e->key && e->keylen == n && memcmp(e->key, k, n) == 0;
}

const struct yl_ent *
yl_root(const struct yl_doc *y, const struct yl_ent *e)
{
	while (e->parent >= 0)
		e = &y->v[e->parent];
	return e;
}

bool
yl_under(const struct yl_doc *y, const struct yl_ent *e, const char *k)
{
	while (e->parent >= 0) {
		e = &y->v[e->parent];
		if (yl_key_is(e, k))
			return true;
	}
	return false;
}

size_t
yl_path(const struct yl_doc *y, const struct yl_ent *e, char *out,
    size_t outlen)
{
	const struct yl_ent *chain[YL_MAX_STACK + 1];
	size_t n = 0, o = 0, i;

	while (e && n < YL_MAX_STACK + 1) {
		chain[n++] = e;
		e = e->parent >= 0 ? &y->v[e->parent] : NULL;
	}
	if (outlen == 0)
		return 0;
	out[0] = '\0';
	for (i = n; i-- > 0;) {
		const struct yl_ent *c = chain[i];
		size_t kl = c->key ? c->keylen : 0;
		const char *kp = c->key ? c->key : "";
		if (kl == 0)
			continue; /* a "- item": the path names its list */
		if (o + kl + 2 >= outlen)
			break;
		if (o)
			out[o++] = '.';
		memcpy(out + o, kp, kl);
		o += kl;
		out[o] = '\0';
	}
	return o;
}
