/* SPDX-License-Identifier: ISC */
/*
 * yaml-comments.c - recovering the comments libyaml does not report:
 * scanning the source text between two events for '#' comments, blank
 * lines and "- " indicators, and placing each comment in the collection
 * sops would give it (before the item it precedes, trailing the item on
 * its line, or in the document's head or foot).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "stores/yaml-reader.h"

/* -- comments ----------------------------------------------------------- */

int
seal__yaml_pc_push(struct rd *r, struct seal__node *c, unsigned col, bool inl,
    bool after_dash)
{
	if (r->npc == r->cappc) {
		size_t ncap = r->cappc ? r->cappc * 2 : 16;
		struct pcomment *n = realloc(r->pc, ncap * sizeof(*n));

		if (n == NULL)
			return -1;
		r->pc = n;
		r->cappc = ncap;
	}
	r->pc[r->npc].c = c;
	r->pc[r->npc].col = col;
	r->pc[r->npc].seen = r->evno;
	r->pc[r->npc].inl = inl;
	r->pc[r->npc].after_dash = after_dash;
	r->npc++;
	return 0;
}

static int
add_item(struct rd *r, struct seal__node *cont, struct seal__node *v)
{
	if (cont->kind == SEAL_N_MAP)
		return seal__map_append(r->t, cont, NULL, 0, v);
	return seal__seq_append(r->t, cont, v);
}

/* Place the first n pending comments into frame f's container. */
seal_rc
seal__yaml_flush_into(struct rd *r, struct frame *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct pcomment *p = &r->pc[i];

		if (p->inl && f->born >= p->seen && f->node->nitems == 0)
			p->c->flags |= SEAL_F_INLINE;
		if (add_item(r, f->node, p->c) != 0)
			return seal__yaml_oom(r);
	}
	if (n > 0) { /* r->pc may be NULL: no offset on a null pointer */
		memmove(r->pc, r->pc + n, (r->npc - n) * sizeof(*r->pc));
		r->npc -= n;
	}
	return SEAL_OK;
}

/* All pending comments into a document's head or foot list. */
seal_rc
seal__yaml_flush_seq(struct rd *r, struct seal__node **list)
{
	size_t i;

	if (r->npc == 0)
		return SEAL_OK;
	if (*list == NULL) {
		*list = seal__node_new(r->t, SEAL_N_SEQ);
		if (*list == NULL)
			return seal__yaml_oom(r);
	}
	for (i = 0; i < r->npc; i++) {
		r->pc[i].c->flags &= (uint8_t)~SEAL_F_INLINE;
		if (seal__seq_append(r->t, *list, r->pc[i].c) != 0)
			return seal__yaml_oom(r);
	}
	r->npc = 0;
	return SEAL_OK;
}

seal_rc
seal__yaml_flush_foot(struct rd *r)
{
	if (r->npc == 0 || r->doc == NULL)
		return SEAL_OK;
	return seal__yaml_flush_seq(r, &r->doc->foot);
}

/*
 * Find the comments in buf[a, b), the text between two events. A '#' at
 * the start of a line or after a blank starts a comment (libyaml has
 * consumed every scalar, so a '#' here is never inside one).
 */
/* Length of the line break at s[i] (libyaml's YAML 1.1 breaks: LF, CR,
 * CRLF, NEL, LS, PS), or 0. */
static size_t
break_len(const char *s, size_t i, size_t b)
{
	const unsigned char *u = (const unsigned char *)s + i;

	if (u[0] == '\n')
		return 1;
	if (u[0] == '\r')
		return i + 1 < b && u[1] == '\n' ? 2 : 1;
	if (u[0] == 0xC2 && i + 1 < b && u[1] == 0x85)
		return 2;
	if (u[0] == 0xE2 && i + 2 < b && u[1] == 0x80 &&
	    (u[2] == 0xA8 || u[2] == 0xA9))
		return 3;
	return 0;
}

seal_rc
seal__yaml_scan_gap(struct rd *r, size_t a, size_t b, uint32_t line)
{
	const char *s = r->buf;
	size_t i = a, ls;
	bool nl = false, blank = false, linestart, dash = false, at_bol;
	bool any_dash = r->dash_before;
	bool flow = r->depth > 0 && r->st[r->depth - 1].flow;
	seal_rc rc;

	if (b > r->len)
		b = r->len;
	if (a >= b)
		return SEAL_OK;
	linestart = (a == r->base || s[a - 1] == '\n' || s[a - 1] == '\r');
	at_bol = linestart; /* e.g. after a block scalar: not a trailer */
	ls = linestart ? a : (size_t)-1;
	while (i < b) {
		char c = s[i];
		size_t k = break_len(s, i, b);

		if (k > 0) {
			if (linestart && ls != (size_t)-1)
				blank = true; /* a whole empty line */
			nl = true;
			linestart = true;
			dash = false;
			ls = i + k;
			line++;
			i += k;
			continue;
		}
		if (c == '#' && (i == r->base || s[i - 1] == ' ' ||
		    s[i - 1] == '\t' || s[i - 1] == '\n' || s[i - 1] == '\r')) {
			size_t e = i + 1, tl;
			struct seal__node *cn;
			/* trailing: on the previous event's line, or on a
			 * "- " line right after the dash */
			bool inl = (!nl && !at_bol && r->prev_content != 0) ||
			    dash;

			while (e < r->len && s[e] != '\n' && s[e] != '\r' &&
			    !((unsigned char)s[e] == 0xC2 && e + 1 < r->len &&
			    (unsigned char)s[e + 1] == 0x85) &&
			    !((unsigned char)s[e] == 0xE2 && e + 2 < r->len &&
			    (unsigned char)s[e + 1] == 0x80 &&
			    ((unsigned char)s[e + 2] & 0xFE) == 0xA8))
				e++; /* a comment ends at any YAML 1.1 break */
			tl = e - (i + 1);
			cn = seal__comment_new(r->t, s + i + 1, tl);
			if (cn == NULL)
				return seal__yaml_oom(r);
			if ((rc = seal__yaml_count_node(r, 1, line)) != SEAL_OK)
				return rc;
			cn->line = line;
			if (ls != (size_t)-1 && i - ls < UINT16_MAX)
				cn->col = (uint16_t)(i - ls);
			if ((blank || r->pending_blank) && !inl && !flow)
				cn->flags |= SEAL_F_BLANK;
			blank = false;
			r->pending_blank = false;
			if (inl && !dash && r->depth > 0 &&
			    !r->st[r->depth - 1].have_key &&
			    r->prev_content == 1) {
				struct frame *f = &r->st[r->depth - 1];

				cn->flags |= SEAL_F_INLINE;
				if (add_item(r, f->node, cn) != 0)
					return seal__yaml_oom(r);
			} else if (seal__yaml_pc_push(r, cn, ls != (size_t)-1 ?
			    (unsigned)(i - ls) : 0, inl, any_dash) != 0)
				return seal__yaml_oom(r);
			i = e;
			linestart = false;
			continue;
		}
		/* a block entry's "-" follows a blank or a break: not the
		 * last character of an anchor or tag ("&a- # c") */
		if (c == '-' && (i + 1 >= b || s[i + 1] == ' ' ||
		    s[i + 1] == '\t' || s[i + 1] == '\n' ||
		    s[i + 1] == '\r') && (i == r->base || s[i - 1] == ' ' ||
		    s[i - 1] == '\t' || s[i - 1] == '\n' || s[i - 1] == '\r' ||
		    (unsigned char)s[i - 1] == 0x85 ||
		    ((unsigned char)s[i - 1] & 0xFE) == 0xA8)) {
			dash = any_dash = true; /* a block entry */
			if (blank || r->pending_blank)
				r->dash_blank = true;
			blank = false;
			r->pending_blank = false;
		}
		if (c != ' ' && c != '\t' && c != '\r')
			linestart = false;
		i++;
	}
	if (blank && !flow) /* flow style has no blank lines to keep */
		r->pending_blank = true;
	return SEAL_OK;
}


/*
 * "{ # c }" holds comments but no entries; YAML can only write it as {},
 * so its comments move out to sit after it in the parent.
 */
seal_rc
seal__yaml_hoist_lone_comments(struct rd *r, struct seal__node *n)
{
	size_t i;

	for (i = 0; i < n->nitems; i++)
		if (n->items[i].val == NULL ||
		    n->items[i].val->kind != SEAL_N_COMMENT)
			return SEAL_OK;
	for (i = 0; i < n->nitems; i++) {
		struct seal__node *c = n->items[i].val;

		c->flags &= (uint8_t)~(SEAL_F_INLINE | SEAL_F_BLANK);
		if (seal__yaml_pc_push(r, c, 0, false, false) != 0)
			return seal__yaml_oom(r);
		r->pc[r->npc - 1].seen = 0;
	}
	n->nitems = 0;
	return SEAL_OK;
}
