/* SPDX-License-Identifier: ISC */
/*
 * yaml-read.c - YAML bytes to the document tree, on libyaml's event
 * parser. Recovers the comments libyaml drops from the source text
 * between events, expands aliases under a node budget (keeping anchor
 * names and alias marks for the writer), enforces the
 * input limits and rejects what sops rejects (non-mapping documents,
 * duplicate and non-string keys). Knows nothing of crypto or output.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <yaml.h>

#include "stores/yaml-reader.h"
#include "stores/yaml-writer.h"


/* -- helpers ------------------------------------------------------------ */

static size_t
to_byte(struct rd *r, size_t idx)
{
	const unsigned char *b = (const unsigned char *)r->buf;

	if (idx < r->bomc)
		idx = r->bomc; /* a mark on the BOM itself */
	if (r->ascii)
		return idx - r->bomc + r->base < r->len ?
		    idx - r->bomc + r->base : r->len;
	while (r->cidx < idx && r->boff < r->len) {
		r->boff++;
		while (r->boff < r->len && (b[r->boff] & 0xC0) == 0x80)
			r->boff++;
		r->cidx++;
	}
	while (r->cidx > idx && r->boff > r->base) {
		r->boff--;
		while (r->boff > r->base && (b[r->boff] & 0xC0) == 0x80)
			r->boff--;
		r->cidx--;
	}
	return r->boff;
}

static uint32_t
line_of(const yaml_mark_t *m)
{
	return (uint32_t)(m->line + 1);
}

seal_rc
seal__yaml_oom(struct rd *r)
{
	return seal__err(r->ctx, SEAL_ENOMEM, "out of memory parsing YAML");
}

seal_rc
seal__yaml_count_node(struct rd *r, size_t n, uint32_t line)
{
	if (n > r->lim.max_nodes || r->nodes > r->lim.max_nodes - n)
		return seal__err(r->ctx, SEAL_ELIMIT,
		    "line %u: more than %zu nodes (after alias expansion)",
		    line, r->lim.max_nodes);
	r->nodes += n;
	return SEAL_OK;
}

static const char *
short_tag(struct rd *r, const char *tag)
{
	static const char pre[] = "tag:yaml.org,2002:";
	char buf[256];

	if (tag == NULL)
		return NULL;
	if (strncmp(tag, pre, sizeof(pre) - 1) == 0) {
		snprintf(buf, sizeof(buf), "!!%s", tag + sizeof(pre) - 1);
		return seal__tree_strdup(r->t, buf, strlen(buf));
	}
	return seal__tree_strdup(r->t, tag, strlen(tag));
}

static uint8_t
map_style(yaml_scalar_style_t s)
{
	switch (s) {
	case YAML_PLAIN_SCALAR_STYLE:
		return SEAL_S_PLAIN;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		return SEAL_S_SINGLE;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		return SEAL_S_DOUBLE;
	case YAML_LITERAL_SCALAR_STYLE:
		return SEAL_S_LITERAL;
	case YAML_FOLDED_SCALAR_STYLE:
		return SEAL_S_FOLDED;
	default:
		return SEAL_S_ANY;
	}
}

static seal_rc
scalar_type(struct rd *r, const yaml_event_t *ev, const char *tag,
    uint32_t line, uint8_t *type)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	enum seal__yaml_res res;

	*type = SEAL_T_STR;
	if (tag != NULL) {
		if (strcmp(tag, "!!int") == 0)
			*type = SEAL_T_INT;
		else if (strcmp(tag, "!!float") == 0)
			*type = SEAL_T_FLOAT;
		else if (strcmp(tag, "!!bool") == 0)
			*type = SEAL_T_BOOL;
		else if (strcmp(tag, "!!null") == 0)
			*type = SEAL_T_NULL;
		else if (strcmp(tag, "!!timestamp") == 0)
			*type = SEAL_T_TIME;
		if (*type == SEAL_T_INT &&
		    seal__yaml_resolve(v, n) != SEAL_YR_INT)
			return seal__err(r->ctx, SEAL_EFORMAT,
			    "line %u: value tagged !!int is not a 64-bit "
			    "integer", line);
		return SEAL_OK;
	}
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return SEAL_OK;
	res = seal__yaml_resolve(v, n);
	if (res == SEAL_YR_BIGINT)
		return seal__err(r->ctx, SEAL_EFORMAT,
		    "line %u: integer does not fit in 64 bits (quote it to "
		    "keep it as a string)", line);
	*type = (uint8_t)seal__yaml_res_type(res);
	return SEAL_OK;
}

/*
 * A block scalar swallows the blank lines after it; unless they are its
 * content (keep chomping), they separate it from the next item.
 */
static bool
block_ends_blank(struct rd *r, const yaml_event_t *ev, const char *v,
    size_t n)
{
	size_t e = to_byte(r, ev->end_mark.index);
	int nls = 0;

	if (n >= 2 && v[n - 1] == '\n' && v[n - 2] == '\n')
		return false;
	if (n == 1 && v[0] == '\n')
		return false;
	while (e > r->base && nls < 2) {
		char c = r->buf[e - 1];

		if (c == '\n')
			nls++;
		else if (c != ' ' && c != '\t' && c != '\r')
			break;
		e--;
	}
	return nls >= 2;
}

/*
 * "key: | # note": the comment on a block scalar's header line is inside
 * the scalar's event; keep it as a trailing comment of the item.
 */
static seal_rc
header_comment(struct rd *r, const yaml_event_t *ev, uint32_t line)
{
	size_t i = to_byte(r, ev->start_mark.index), e;
	struct seal__node *c;
	struct frame *f = &r->st[r->depth - 1];
	seal_rc rc;

	while (i < r->len && r->buf[i] != '\n' && r->buf[i] != '\r' &&
	    !(r->buf[i] == '#' &&
	    (r->buf[i - 1] == ' ' || r->buf[i - 1] == '\t')))
		i++;
	if (i >= r->len || r->buf[i] != '#')
		return SEAL_OK;
	for (e = i + 1; e < r->len && r->buf[e] != '\n' && r->buf[e] != '\r';)
		e++;
	if ((rc = seal__yaml_count_node(r, 1, line)) != SEAL_OK)
		return rc;
	c = seal__comment_new(r->t, r->buf + i + 1, e - i - 1);
	if (c == NULL)
		return seal__yaml_oom(r);
	c->line = line;
	c->flags |= SEAL_F_INLINE;
	if ((f->is_map ? seal__map_append(r->t, f->node, NULL, 0, c) :
	    seal__seq_append(r->t, f->node, c)) != 0)
		return seal__yaml_oom(r);
	return SEAL_OK;
}

/* Keep the name of the anchor a node defines ("&name"). */
static int
set_anchor(struct rd *r, struct seal__node *n, const char *name)
{
	n->anchor = seal__tree_strdup(r->t, name, strlen(name));
	return n->anchor != NULL ? 0 : -1;
}

static seal_rc
on_scalar(struct rd *r, yaml_event_t *ev)
{
	uint32_t line = line_of(&ev->start_mark);
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = short_tag(r, (const char *)ev->data.scalar.tag);
	struct seal__node *node;
	struct frame *f;
	uint8_t type;
	bool bl;
	seal_rc rc;

	if (ev->data.scalar.tag != NULL && tag == NULL)
		return seal__yaml_oom(r);
	if ((rc = scalar_type(r, ev, tag, line, &type)) != SEAL_OK)
		return rc;
	f = r->depth > 0 ? &r->st[r->depth - 1] : NULL;
	if (f != NULL && f->is_map && !f->have_key) {
		/* a key */
		if (type != SEAL_T_STR && type != SEAL_T_TIME)
			return seal__err(r->ctx, SEAL_EFORMAT,
			    "line %u: only string keys are supported", line);
		rc = seal__yaml_add_key(r, f, v, n,
		    map_style(ev->data.scalar.style), line);
		if (rc != SEAL_OK)
			return rc;
		if (ev->data.scalar.anchor != NULL) {
			node = seal__scalar_new(r->t, SEAL_T_STR, v, n);
			if (node == NULL)
				return seal__yaml_oom(r);
			if (seal__yaml_anchor_set(r,
			    (const char *)ev->data.scalar.anchor,
			    node, 1) < 0)
				return seal__yaml_oom(r);
		}
		return SEAL_OK;
	}
	if (f == NULL && n == 0 && ev->data.scalar.style ==
	    YAML_PLAIN_SCALAR_STYLE && tag == NULL) {
		r->root_seen = true; /* empty document */
		return SEAL_OK;
	}
	if ((rc = seal__yaml_count_node(r, 1, line)) != SEAL_OK)
		return rc;
	node = seal__scalar_new(r->t, (enum seal__type)type, v, n);
	if (node == NULL)
		return seal__yaml_oom(r);
	node->style = map_style(ev->data.scalar.style);
	node->tag = tag;
	node->line = line;
	bl = (node->style == SEAL_S_LITERAL || node->style == SEAL_S_FOLDED) &&
	    block_ends_blank(r, ev, v, n);
	if (ev->data.scalar.anchor != NULL &&
	    (set_anchor(r, node, (const char *)ev->data.scalar.anchor) != 0 ||
	    seal__yaml_anchor_set(r, (const char *)ev->data.scalar.anchor,
	    node, 1) < 0))
		return seal__yaml_oom(r);
	rc = seal__yaml_attach(r, node, line);
	if (rc == SEAL_OK && (node->style == SEAL_S_LITERAL ||
	    node->style == SEAL_S_FOLDED))
		rc = header_comment(r, ev, line);
	if (bl)
		r->pending_blank = true;
	return rc;
}

/*
 * A block collection copied by an alias into a flow collection can only
 * be written in flow style there: say so in the copy, as reading the
 * written text back would (fuzz-yaml: "k: &b\n-\nc: [*b]").
 */
static void
flow_copy(struct seal__node *n)
{
	size_t i;

	if (n == NULL)
		return;
	/* flow style has no blank lines between items */
	n->flags &= (uint8_t)~SEAL_F_BLANK;
	if (n->kind != SEAL_N_MAP && n->kind != SEAL_N_SEQ)
		return;
	n->flags |= SEAL_F_FLOW;
	n->flags &= (uint8_t)~SEAL_F_COMPACT;
	for (i = 0; i < n->nitems; i++)
		flow_copy(n->items[i].val);
}

/*
 * An alias's copy defines no anchor of its own: "*a" does not redefine
 * the anchors inside a's node, so the copy must not when it is written
 * out in full. Its aliases stay marked.
 */
static void
unanchor_copy(struct seal__node *n)
{
	size_t i;

	if (n == NULL)
		return;
	if (!(n->flags & SEAL_F_ALIAS))
		n->anchor = NULL;
	for (i = 0; i < n->nitems; i++)
		unanchor_copy(n->items[i].val);
}

/* Nesting levels and text bytes of a finished subtree (at most
 * max_depth deep: every collection and alias is checked against it). */
static void
measure(const struct seal__node *n, unsigned *height, size_t *bytes)
{
	unsigned h = 0, ch;
	size_t b = n->text != NULL ? n->len : 0, cb, i;

	for (i = 0; i < n->nitems; i++) {
		b += n->items[i].keylen;
		if (n->items[i].val == NULL)
			continue;
		measure(n->items[i].val, &ch, &cb);
		b += cb;
		if (ch > h)
			h = ch;
	}
	*height = n->kind == SEAL_N_MAP || n->kind == SEAL_N_SEQ ? h + 1 : 0;
	*bytes = b;
}

/*
 * An alias copies its anchor's subtree: the copy counts toward the node,
 * depth and size limits as if it were written out, so that a short chain
 * of aliases cannot build what the limits refuse in plain text.
 */
static seal_rc
alias_within_limits(struct rd *r, struct anchor *a, const char *name,
    uint32_t line)
{
	char q[48];
	seal_rc rc;

	if ((rc = seal__yaml_count_node(r, a->count, line)) != SEAL_OK)
		return rc;
	if (!a->measured) {
		measure(a->node, &a->height, &a->bytes);
		a->measured = true;
	}
	seal__quote(q, sizeof(q), name, strlen(name));
	if (r->depth + a->height > r->lim.max_depth)
		return seal__err(r->ctx, SEAL_ELIMIT,
		    "line %u: alias '*%s' nests deeper than %u levels "
		    "(after alias expansion)",
		    line, q, r->lim.max_depth);
	if (a->bytes > r->lim.max_bytes ||
	    r->expanded > r->lim.max_bytes - a->bytes)
		return seal__err(r->ctx, SEAL_ELIMIT,
		    "line %u: aliases expand to more than %zu bytes",
		    line, r->lim.max_bytes);
	r->expanded += a->bytes;
	return SEAL_OK;
}

static seal_rc
on_alias(struct rd *r, yaml_event_t *ev)
{
	uint32_t line = line_of(&ev->start_mark);
	long i = seal__yaml_anchor_find(r, (const char *)ev->data.alias.anchor);
	struct frame *f = r->depth > 0 ? &r->st[r->depth - 1] : NULL;
	struct seal__node *n;
	char q[48];
	bool keep;
	seal_rc rc;

	if (i < 0) {
		seal__quote(q, sizeof(q), (const char *)ev->data.alias.anchor,
		    strlen((const char *)ev->data.alias.anchor));
		return seal__err(r->ctx, SEAL_EFORMAT,
		    "line %u: unknown anchor '%s'", line, q);
	}
	if (r->an[i].count == 0)
		return seal__err(r->ctx, SEAL_EFORMAT,
		    "line %u: alias refers to a node that contains it", line);
	n = r->an[i].node;
	if (f != NULL && f->is_map && !f->have_key) {
		if (n->kind != SEAL_N_SCALAR || (n->type != SEAL_T_STR &&
		    n->type != SEAL_T_TIME))
			return seal__err(r->ctx, SEAL_EFORMAT,
			    "line %u: only string keys are supported", line);
		return seal__yaml_add_key(r, f, n->text, n->len, SEAL_S_PLAIN,
		    line);
	}
	rc = alias_within_limits(
	    r, &r->an[i], (const char *)ev->data.alias.anchor, line);
	if (rc != SEAL_OK)
		return rc;
	/* only an anchor kept in the tree can be written back as one: not
	 * a key's */
	keep = n->anchor != NULL;
	n = seal__node_clone(r->t, n);
	if (n == NULL)
		return seal__yaml_oom(r);
	unanchor_copy(n);
	n->flags &= (uint8_t)~(SEAL_F_BLANK | SEAL_F_ALIAS);
	if (keep) {
		if (set_anchor(r, n, (const char *)ev->data.alias.anchor) != 0)
			return seal__yaml_oom(r);
		n->flags |= SEAL_F_ALIAS;
	}
	if (f != NULL && f->flow)
		flow_copy(n);
	return seal__yaml_attach(r, n, line);
}

static seal_rc
on_start(struct rd *r, yaml_event_t *ev, bool is_map)
{
	uint32_t line = line_of(&ev->start_mark);
	struct frame *f = r->depth > 0 ? &r->st[r->depth - 1] : NULL;
	struct seal__node *n;
	const yaml_char_t *anchor;
	size_t e = to_byte(r, ev->end_mark.index);
	unsigned col;
	bool flow;
	seal_rc rc;

	if (f != NULL && f->is_map && !f->have_key)
		return seal__err(r->ctx, SEAL_EFORMAT,
		    "line %u: only string keys are supported", line);
	if (f == NULL && !is_map)
		return seal__err(r->ctx, SEAL_EFORMAT,
		    "line %u: a document must be a mapping at the top level",
		    line);
	if ((rc = seal__yaml_count_node(r, 1, line)) != SEAL_OK)
		return rc;
	n = seal__node_new(r->t, is_map ? SEAL_N_MAP : SEAL_N_SEQ);
	if (n == NULL)
		return seal__yaml_oom(r);
	n->line = line;
	if (is_map) {
		flow = ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
		anchor = ev->data.mapping_start.anchor;
	} else {
		flow = ev->data.sequence_start.style ==
		    YAML_FLOW_SEQUENCE_STYLE;
		anchor = ev->data.sequence_start.anchor;
	}
	if (flow)
		n->flags |= SEAL_F_FLOW;
	col = (unsigned)ev->end_mark.column;
	if (!is_map && !flow && e > 0 && e <= r->len && r->buf[e - 1] == '-') {
		if (col > 0)
			col--; /* indentless: the event ends after the dash */
		r->dash_before = true;
	}
	if (f != NULL && !flow && !f->flow && f->is_map) {
		if (!is_map && col == f->col)
			n->flags |= SEAL_F_COMPACT;
		/* the indent step: a top-level key's nested block */
		if (r->detect_indent == 0 && r->depth == 1 && f->col == 0 &&
		    col > 0)
			r->detect_indent = (int)(col - f->col);
	}
	if ((rc = seal__yaml_attach(r, n, line)) != SEAL_OK)
		return rc;
	rc = seal__yaml_push_frame(r, n, is_map, flow, col, line);
	if (rc != SEAL_OK)
		return rc;
	r->st[r->depth - 1].compact = (n->flags & SEAL_F_COMPACT) != 0;
	if (anchor != NULL) {
		long i = seal__yaml_anchor_set(r, (const char *)anchor, n, 0);

		/* a root's anchor can have no alias: it is not kept */
		if (i < 0 || (f != NULL &&
		    set_anchor(r, n, (const char *)anchor) != 0))
			return seal__yaml_oom(r);
		r->st[r->depth - 1].anchor = i;
	}
	return SEAL_OK;
}


static seal_rc
on_end(struct rd *r)
{
	struct frame *f = &r->st[r->depth - 1];
	size_t n = r->npc, i;
	seal_rc rc;

	if (!f->flow) {
		if (r->depth == 1)
			n = 0; /* the document's foot */
		for (i = 0; i < n; i++)
			if (r->pc[i].col < f->col + (f->compact ? 1u : 0u))
				break; /* less indented: the parent's */
		n = i;
	}
	if ((rc = seal__yaml_flush_into(r, f, n)) != SEAL_OK)
		return rc;
	if ((rc = seal__yaml_hoist_lone_comments(r, f->node)) != SEAL_OK)
		return rc;
	if (f->anchor >= 0 && r->an[f->anchor].node == f->node)
		r->an[f->anchor].count = r->nodes - f->nodes_at + 1;
	r->depth--;
	return SEAL_OK;
}

static seal_rc
parse_error(struct rd *r, yaml_parser_t *p)
{
	const char *what = p->problem ? p->problem : "malformed YAML";
	size_t line = p->problem_mark.line + 1;

	if (p->error == YAML_MEMORY_ERROR)
		return seal__yaml_oom(r);
	if (p->context != NULL)
		return seal__err(r->ctx, SEAL_EPARSE, "line %zu: %s %s", line,
		    what, p->context);
	return seal__err(r->ctx, SEAL_EPARSE, "line %zu: %s", line, what);
}

/*
 * libyaml's input buffers (16 KiB raw, 48 KiB decoded) only ever hold a
 * prefix of their room: at most len input bytes, and their UTF-8 form
 * (up to 1.5 times as long from UTF-16). Wiping the untouched rest cost
 * a dozen page faults per small file.
 */
static void
wipe_parser(yaml_parser_t *p, size_t len)
{
	size_t n, most = len < SIZE_MAX / 4 ? 2 * len + 64 : SIZE_MAX;

	if (p->buffer.start != NULL) {
		n = (size_t)(p->buffer.end - p->buffer.start);
		sodium_memzero(p->buffer.start, n < most ? n : most);
	}
	if (p->raw_buffer.start != NULL) {
		n = (size_t)(p->raw_buffer.end - p->raw_buffer.start);
		sodium_memzero(p->raw_buffer.start, n < most ? n : most);
	}
}

static void
wipe_event(yaml_event_t *ev)
{
	if (ev->type == YAML_SCALAR_EVENT && ev->data.scalar.value != NULL)
		sodium_memzero(ev->data.scalar.value, ev->data.scalar.length);
	yaml_event_delete(ev);
}

static seal_rc
on_event(struct rd *r, yaml_event_t *ev)
{
	size_t e, gap_end;
	seal_rc rc = SEAL_OK;
	int content;

	/* a container's start event spans its anchor and tag: comments
	 * after those belong to the gap too */
	if (ev->type == YAML_MAPPING_START_EVENT ||
	    ev->type == YAML_SEQUENCE_START_EVENT)
		gap_end = to_byte(r, ev->end_mark.index);
	else
		gap_end = to_byte(r, ev->start_mark.index);
	if (ev->type != YAML_STREAM_START_EVENT && gap_end > r->prev_end &&
	    (rc = seal__yaml_scan_gap(r, r->prev_end, gap_end,
	    r->prev_line)) != SEAL_OK)
		return rc;
	r->dash_before = false;
	e = to_byte(r, ev->end_mark.index);
	content = 1;
	switch (ev->type) {
	case YAML_STREAM_START_EVENT:
	case YAML_STREAM_END_EVENT:
		content = 0;
		break;
	case YAML_DOCUMENT_START_EVENT:
		if (r->t->ndocs >= r->lim.max_docs)
			return seal__err(r->ctx, SEAL_ELIMIT,
			    "line %u: more than %u documents",
			    line_of(&ev->start_mark), r->lim.max_docs);
		r->doc = seal__tree_add_doc(r->t);
		if (r->doc == NULL)
			return seal__yaml_oom(r);
		r->doc->explicit_start = !ev->data.document_start.implicit;
		if (r->doc->explicit_start && r->npc > 0) {
			/* comments above the "---" line */
			rc = seal__yaml_flush_seq(r, &r->doc->head);
			if (rc != SEAL_OK)
				return rc;
		}
		r->root_seen = false;
		seal__yaml_anchors_clear(r);
		/* maps do not span documents: start the key set afresh */
		if (r->ndup > 0) {
			memset(r->dup, 0, r->capdup * sizeof(*r->dup));
			r->ndup = 0;
		}
		content = 0;
		break;
	case YAML_DOCUMENT_END_EVENT:
		rc = seal__yaml_flush_foot(r);
		r->pending_blank = false;
		content = 0;
		break;
	case YAML_SCALAR_EVENT:
		rc = on_scalar(r, ev);
		break;
	case YAML_ALIAS_EVENT:
		rc = on_alias(r, ev);
		break;
	case YAML_MAPPING_START_EVENT:
		rc = on_start(r, ev, true);
		content = 2;
		break;
	case YAML_SEQUENCE_START_EVENT:
		rc = on_start(r, ev, false);
		content = 2;
		break;
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		rc = on_end(r);
		break;
	default:
		break;
	}
	if (e > r->prev_end) {
		r->prev_end = e;
		r->prev_line = (uint32_t)ev->end_mark.line + 1;
	}
	r->prev_content = content;
	r->evno++;
	return rc;
}

seal_rc
seal__yaml_parse(seal_ctx *ctx, const char *buf, size_t len,
    const struct seal__limits *lim, struct seal__tree **out)
{
	struct rd r;
	yaml_parser_t p;
	yaml_event_t ev;
	bool parser_ok = false, done = false;
	seal_rc rc = SEAL_OK;
	size_t i;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.buf = buf;
	r.len = len;
	r.prev_line = 1;
	seal__limits_fill(&r.lim, lim);
	if (len > r.lim.max_bytes)
		return seal__err(ctx, SEAL_ELIMIT,
		    "input is %zu bytes, over the limit of %zu", len,
		    r.lim.max_bytes);
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		/* libyaml (told UTF-8) counts the BOM as character 0 */
		r.base = r.boff = r.prev_end = 3;
		r.cidx = r.bomc = 1;
	}
	r.ascii = true;
	for (i = r.base; i < len; i++)
		if ((unsigned char)buf[i] >= 0x80) {
			r.ascii = false;
			break;
		}
	r.t = seal__tree_new();
	if (r.t == NULL)
		return seal__yaml_oom(&r);
	seal__tree_size_hint(r.t, len);
	if (!yaml_parser_initialize(&p)) {
		rc = seal__yaml_oom(&r);
		goto out;
	}
	parser_ok = true;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = parse_error(&r, &p);
			goto out;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = on_event(&r, &ev);
		wipe_event(&ev);
		if (rc != SEAL_OK)
			goto out;
	}
	if (r.npc > 0) {
		if (r.doc == NULL) {
			r.doc = seal__tree_add_doc(r.t);
			if (r.doc == NULL) {
				rc = seal__yaml_oom(&r);
				goto out;
			}
		}
		if ((rc = seal__yaml_flush_foot(&r)) != SEAL_OK)
			goto out;
	}
	/* "&a" alone: an implicit empty document is no document; before
	 * others it can only be written as "---" */
	if (r.t->ndocs > 1 && !r.t->docs[0].explicit_start &&
	    r.t->docs[0].root == NULL)
		r.t->docs[0].explicit_start = true;
	else if (r.t->ndocs == 1 && !r.t->docs[0].explicit_start &&
	    r.t->docs[0].root == NULL && r.t->docs[0].foot == NULL)
		r.t->ndocs = 0;
	seal__yaml_unblank_after_keep(r.t);
	r.t->indent = r.detect_indent >= 2 && r.detect_indent <= 9 ?
	    r.detect_indent : 0;
	*out = r.t;
	r.t = NULL;
out:
	if (parser_ok) {
		wipe_parser(&p, len);
		yaml_parser_delete(&p);
	}
	seal__tree_free(r.t);
	seal__yaml_anchors_clear(&r);
	free(r.st);
	free(r.pc);
	seal__yaml_dup_free(&r);
	return rc;
}
