/* SPDX-License-Identifier: ISC */
/*
 * yaml-scalar.c - how the YAML writer spells one scalar or key: libyaml's
 * scalar analysis, go-yaml's choice of plain, single-quoted,
 * double-quoted or literal style (kept from the source when still
 * valid), and the writers for each style, escaping so that the text
 * reads back to the same bytes. Knows nothing of layout beyond a line.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "stores/yaml-writer.h"

/* -- scalar analysis (libyaml's yaml_emitter_analyze_scalar) ------------ */

struct an {
	bool flow_plain, block_plain, single, block, multiline;
	bool valid;	/* valid UTF-8 */
};

/* Decode one UTF-8 character; 0 width on invalid input. */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t w, i;
	uint32_t c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0) {
		w = 2;
		c &= 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		w = 3;
		c &= 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		w = 4;
		c &= 0x07;
	} else
		return 0;
	if (w > n)
		return 0;
	for (i = 1; i < w; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((w == 2 && c < 0x80) || (w == 3 && c < 0x800) ||
	    (w == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return w;
}

static bool
is_printable(uint32_t c)
{
	return c == 0x0A || (c >= 0x20 && c <= 0x7E) || c == 0x85 ||
	    (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD &&
	    c != 0xFEFF) || (c >= 0x10000 && c <= 0x10FFFF);
}

static bool
is_break(uint32_t c)
{
	return c == '\r' || c == '\n' || c == 0x85 || c == 0x2028 ||
	    c == 0x2029;
}

static bool
is_blankz_at(const unsigned char *s, size_t n, size_t i)
{
	return i >= n || s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
	    s[i] == '\n';
}

/* ASCII classes for analyze(): 1 = indicator at the start, 2 = flow
 * indicator inside, 4 = needs a closer look (non-printable, space,
 * break, ':', '#', '-', '?', non-ASCII) */
static unsigned char cls[256];

static void
cls_init(void)
{
	const char *p;
	int c;

	if (cls['#'] != 0)
		return;
	for (c = 0; c < 256; c++)
		if (c < 0x20 || c >= 0x7F)
			cls[c] |= 4;
	for (p = "#,[]{}&*!|>'\"%@`"; *p; p++)
		cls[(unsigned char)*p] |= 1;
	for (p = ",?[]{}"; *p; p++)
		cls[(unsigned char)*p] |= 2;
	for (p = " :#-?"; *p; p++)
		cls[(unsigned char)*p] |= 4;
}

static void
analyze(const char *str, size_t n, struct an *a)
{
	const unsigned char *s = (const unsigned char *)str;
	bool block_ind = false, flow_ind = false, line_breaks = false;
	bool special = false, lead_space = false, lead_break = false;
	bool trail_space = false, trail_break = false, break_space = false;
	bool space_break = false, prev_space = false, prev_break = false;
	bool preceded_ws = true, followed_ws;
	size_t i = 0, w;
	uint32_t c;

	memset(a, 0, sizeof(*a));
	a->valid = true;
	if (n == 0) {
		a->block_plain = a->single = true;
		return;
	}
	if (n >= 3 && ((s[0] == '-' && s[1] == '-' && s[2] == '-') ||
	    (s[0] == '.' && s[1] == '.' && s[2] == '.')))
		block_ind = flow_ind = true;
	cls_init();
	while (i < n) {
		if (i > 0 && !(cls[s[i]] & 4)) {
			/* plain printable ASCII inside the string */
			if (cls[s[i]] & 2)
				flow_ind = true;
			prev_space = prev_break = false;
			preceded_ws = false;
			i++;
			continue;
		}
		w = utf8_next(s + i, n - i, &c);
		if (w == 0) {
			a->valid = false;
			return;
		}
		followed_ws = is_blankz_at(s, n, i + w);
		if (i == 0) {
			if (c < 0x80 && (cls[c] & 1))
				flow_ind = block_ind = true;
			if (c == '?' || c == ':') {
				flow_ind = true;
				if (followed_ws)
					block_ind = true;
			}
			if (c == '-' && followed_ws)
				flow_ind = block_ind = true;
		} else {
			if (c < 0x80 && (cls[c] & 2))
				flow_ind = true;
			if (c == ':') {
				flow_ind = true;
				if (followed_ws)
					block_ind = true;
			}
			if (c == '#' && preceded_ws)
				flow_ind = block_ind = true;
		}
		if (!is_printable(c))
			special = true;
		if (is_break(c))
			line_breaks = true;
		if (c == ' ') {
			if (i == 0)
				lead_space = true;
			if (i + w == n)
				trail_space = true;
			if (prev_break)
				break_space = true;
			prev_space = true;
			prev_break = false;
		} else if (is_break(c)) {
			if (i == 0)
				lead_break = true;
			if (i + w == n)
				trail_break = true;
			if (prev_space)
				space_break = true;
			prev_break = true;
			prev_space = false;
		} else {
			prev_space = prev_break = false;
		}
		preceded_ws = c == ' ' || c == '\t' || is_break(c);
		i += w;
	}
	a->multiline = line_breaks;
	a->flow_plain = a->block_plain = a->single = a->block = true;
	if (lead_space || lead_break || trail_space || trail_break)
		a->flow_plain = a->block_plain = false;
	if (trail_space)
		a->block = false;
	if (break_space)
		a->flow_plain = a->block_plain = a->single = false;
	if (space_break || special)
		a->flow_plain = a->block_plain = a->single = a->block = false;
	if (line_breaks)
		a->flow_plain = a->block_plain = false;
	if (flow_ind)
		a->flow_plain = false;
	if (block_ind)
		a->block_plain = false;
}

/* -- scalar writers ----------------------------------------------------- */

static void
write_single(struct wr *w, const char *s, size_t n)
{
	size_t i, start = 0;

	putch(w, '\'');
	for (i = 0; i < n; i++) {
		if (s[i] == '\'') {
			put(w, s + start, i + 1 - start);
			putch(w, '\'');
			start = i + 1;
		}
	}
	put(w, s + start, n - start);
	putch(w, '\'');
}

static void
write_double(struct wr *w, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, start = 0, k;
	uint32_t c;
	char esc[16];

	putch(w, '"');
	while (i < n) {
		k = utf8_next(s + i, n - i, &c);
		if (k == 0) /* checked by the caller; never here */
			k = 1, c = 0xFFFD;
		if (is_printable(c) && !is_break(c) && c != 0xFEFF &&
		    c != '"' && c != '\\') {
			i += k;
			continue;
		}
		put(w, str + start, i - start);
		switch (c) {
		case 0: puts_(w, "\\0"); break;
		case 7: puts_(w, "\\a"); break;
		case 8: puts_(w, "\\b"); break;
		case 9: puts_(w, "\\t"); break;
		case 10: puts_(w, "\\n"); break;
		case 11: puts_(w, "\\v"); break;
		case 12: puts_(w, "\\f"); break;
		case 13: puts_(w, "\\r"); break;
		case 27: puts_(w, "\\e"); break;
		case '"': puts_(w, "\\\""); break;
		case '\\': puts_(w, "\\\\"); break;
		case 0x85: puts_(w, "\\N"); break;
		case 0xA0: puts_(w, "\\_"); break;
		case 0x2028: puts_(w, "\\L"); break;
		case 0x2029: puts_(w, "\\P"); break;
		default:
			if (c <= 0xFF)
				snprintf(esc, sizeof(esc), "\\x%02X", c);
			else if (c <= 0xFFFF)
				snprintf(esc, sizeof(esc), "\\u%04X", c);
			else
				snprintf(esc, sizeof(esc), "\\U%08X", c);
			puts_(w, esc);
		}
		i += k;
		start = i;
	}
	put(w, str + start, n - start);
	putch(w, '"');
}

/* Literal block: header on the current line, content at ci; n is the
 * parent block's indentation (for the indentation indicator). */
static void
write_literal(struct wr *w, const char *s, size_t len, int ci, int n)
{
	size_t p = 0;

	putch(w, '|');
	if (len > 0 && (s[0] == ' ' || s[0] == '\n'))
		putch(w, (char)('0' + (ci - n)));
	if (len == 0 || s[len - 1] != '\n')
		putch(w, '-');
	else if (len == 1 || s[len - 2] == '\n') {
		putch(w, '+');
		w->after_keep = true;
	}
	if (w->hdr != NULL) {
		puts_(w, " #");
		put(w, w->hdr->text, w->hdr->len);
		w->hdr_used = w->hdr;
	}
	while (p < len) {
		const char *nl = memchr(s + p, '\n', len - p);
		size_t e = nl ? (size_t)(nl - s) : len;

		putch(w, '\n');
		if (e > p) {
			spaces(w, ci);
			put(w, s + p, e - p);
		}
		p = nl ? e + 1 : len;
	}
	w->inl_ok = false;
	w->after_block = true;
}

static bool
has_newline(const char *s, size_t n)
{
	return memchr(s, '\n', n) != NULL;
}

/* Only \n breaks (no \r, NEL, LS, PS, which YAML 1.1 readers take as
 * line breaks): what a literal block carries exactly. */
static bool
literal_safe(const char *s, size_t n)
{
	size_t i;

	if (memchr(s, '\r', n) != NULL)
		return false;
	for (i = 0; i + 1 < n; i++) {
		const unsigned char *u = (const unsigned char *)s + i;

		if (u[0] == 0xC2 && u[1] == 0x85)
			return false;
		if (i + 2 < n && u[0] == 0xE2 && u[1] == 0x80 &&
		    (u[2] == 0xA8 || u[2] == 0xA9))
			return false;
	}
	return true;
}

/* The style go-yaml + libyaml would pick, starting from a wish. */
static uint8_t
pick_style(const struct seal__node *v, const char *s, size_t n, bool flow,
    bool key, const struct an *ap)
{
	struct an a = *ap;
	uint8_t st = v != NULL ? v->style : SEAL_S_ANY;
	bool str = v == NULL || v->type == SEAL_T_STR ||
	    v->type == SEAL_T_BYTES;
	enum seal__yaml_res res;

	if (!str) {
		/* typed scalars keep their plain spelling when they can;
		 * times hold ':' which flow context reads fine unspaced */
		if (n > 0 && a.block_plain && (!flow ||
		    strpbrk(s, ",[]{}") == NULL))
			return SEAL_S_PLAIN;
		return SEAL_S_DOUBLE;
	}
	res = seal__yaml_resolve(s, n);
	if (st == SEAL_S_PLAIN && !(v != NULL && v->tag != NULL && !key)) {
		if (!(res == SEAL_YR_STR || (key && res == SEAL_YR_MERGE) ||
		    (key && res == SEAL_YR_TIME)))
			st = SEAL_S_ANY;
	} else if (st == SEAL_S_LITERAL || st == SEAL_S_FOLDED) {
		/* a one-line literal ("|-") is kept; not once encrypted */
		st = SEAL_S_LITERAL;
		if (n == 0 || (v->flags & SEAL_F_ENCRYPTED))
			st = SEAL_S_ANY;
	}
	if (st == SEAL_S_ANY) {
		if (has_newline(s, n))
			st = flow || key ? SEAL_S_DOUBLE : SEAL_S_LITERAL;
		else if ((res != SEAL_YR_STR &&
		    !(key && res == SEAL_YR_MERGE)) ||
		    seal__yaml_needs_compat_quote(s, n))
			st = SEAL_S_DOUBLE;
		else
			st = SEAL_S_PLAIN;
	}
	if (key && a.multiline)
		st = SEAL_S_DOUBLE;
	if (st == SEAL_S_PLAIN) {
		if (flow ? !a.flow_plain : !a.block_plain)
			st = SEAL_S_SINGLE;
		if (n == 0 && (flow || key))
			st = SEAL_S_SINGLE;
	}
	if (st == SEAL_S_SINGLE && (!a.single || a.multiline))
		st = SEAL_S_DOUBLE;
	if (st == SEAL_S_LITERAL && (!a.block || flow || key ||
	    !literal_safe(s, n)))
		st = SEAL_S_DOUBLE;
	return st;
}

/* Would v, a block value, be written as a "|+" literal (after which no
 * blank line can be written: it would read back as part of v)? */
bool
seal__yaml_writes_keep(const struct seal__node *v)
{
	struct an a;

	if (v->kind != SEAL_N_SCALAR || v->len == 0 ||
	    v->text[v->len - 1] != '\n' ||
	    (v->len > 1 && v->text[v->len - 2] != '\n'))
		return false;
	analyze(v->text, v->len, &a);
	return a.valid && pick_style(v, v->text, v->len, false, false, &a) ==
	    SEAL_S_LITERAL;
}

static const char *
type_tag(uint8_t type)
{
	switch (type) {
	case SEAL_T_INT: return "!!int";
	case SEAL_T_FLOAT: return "!!float";
	case SEAL_T_BOOL: return "!!bool";
	case SEAL_T_TIME: return "!!timestamp";
	case SEAL_T_NULL: return "!!null";
	default: return NULL;
	}
}

/* A tag's characters after its handle: libyaml decodes "%XX" escapes,
 * so a tag may hold any byte; write back as "%XX" whatever would not
 * read back as itself (controls, blanks, '!', '%', '>', flow indicators,
 * non-ASCII). */
static void
put_tag_uri(struct wr *w, const char *s, bool verbatim)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;

	for (; *u != '\0'; u++) {
		if ((*u >= '0' && *u <= '9') || (*u >= 'a' && *u <= 'z') ||
		    (*u >= 'A' && *u <= 'Z') || (*u != '\0' &&
		    strchr("-_;/?:@&=+$.~*'()", *u) != NULL) ||
		    (verbatim && (*u == ',' || *u == '[' || *u == ']'))) {
			putch(w, (char)*u);
		} else {
			putch(w, '%');
			putch(w, hex[*u >> 4]);
			putch(w, hex[*u & 15]);
		}
	}
}

static void
write_tag(struct wr *w, const char *tag)
{
	if (tag[0] == '!' && tag[1] == '!' && tag[2] == '\0') {
		/* "!!" alone is not a tag: it came from "!%21" */
		putch(w, '!');
		put_tag_uri(w, tag + 1, false);
	} else if (tag[0] == '!' && tag[1] == '!') {
		puts_(w, "!!");
		put_tag_uri(w, tag + 2, false);
	} else if (tag[0] == '!') {
		putch(w, '!');
		put_tag_uri(w, tag + 1, false);
	} else {
		puts_(w, "!<");
		put_tag_uri(w, tag, true);
		putch(w, '>');
	}
	putch(w, ' ');
}

/* analyze once: a is what pick_style needs */
static bool
check_utf8(struct wr *w, const char *s, size_t n, uint32_t line, struct an *a)
{
	analyze(s, n, a);
	if (a->valid)
		return true;
	if (w->rc == SEAL_OK)
		w->rc = seal__err(w->ctx, SEAL_EFORMAT,
		    "value at line %u is not valid UTF-8 and cannot be "
		    "written as YAML", line);
	return false;
}

/* A scalar value on the current line; ci/n for literal blocks. */
void
seal__yaml_write_scalar(struct wr *w, const struct seal__node *v, bool flow,
    int ci, int n)
{
	uint8_t st;
	const char *tag = v->tag;
	struct an a;

	if (!check_utf8(w, v->text, v->len, v->line, &a))
		return;
	st = pick_style(v, v->text, v->len, flow, false, &a);
	if (tag == NULL && st != SEAL_S_PLAIN && v->type != SEAL_T_STR &&
	    v->type != SEAL_T_BYTES)
		tag = type_tag(v->type);
	if (tag != NULL)
		write_tag(w, tag);
	switch (st) {
	case SEAL_S_PLAIN:
		put(w, v->text, v->len);
		break;
	case SEAL_S_SINGLE:
		write_single(w, v->text, v->len);
		break;
	case SEAL_S_LITERAL:
		write_literal(w, v->text, v->len, ci, n);
		break;
	default:
		write_double(w, v->text, v->len);
	}
}

/*
 * Characters the key takes once written in style st: a YAML reader
 * takes an implicit key only within 1024 characters of its start
 * (libyaml counts characters), escapes and quotes included. The text is
 * valid UTF-8 (checked first).
 */
static size_t
key_width(const char *str, size_t n, uint8_t st)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k, w = st == SEAL_S_PLAIN ? 0 : 2;
	uint32_t c;

	while (i < n) {
		k = utf8_next(s + i, n - i, &c);
		if (k == 0)
			k = 1, c = 0xFFFD;
		i += k;
		if (st == SEAL_S_SINGLE && c == '\'')
			w += 2;
		else if (st != SEAL_S_DOUBLE || (is_printable(c) &&
		    !is_break(c) && c != 0xFEFF && c != '"' && c != '\\'))
			w += 1;
		else if (c == 0 || c == 7 || c == 8 || c == 9 || c == 10 ||
		    c == 11 || c == 12 || c == 13 || c == 27 || c == '"' ||
		    c == '\\' || c == 0x85 || c == 0xA0 || c == 0x2028 ||
		    c == 0x2029)
			w += 2;
		else
			w += c <= 0xFF ? 4 : c <= 0xFFFF ? 6 : 10;
	}
	return w;
}

void
seal__yaml_write_key(struct wr *w, const struct seal__item *it, bool flow)
{
	struct seal__node k = { 0 };
	struct an a;
	uint8_t st;

	k.style = it->keystyle;
	if (it->keylen > MAX_KEY) {
		if (w->rc == SEAL_OK)
			w->rc = seal__err(w->ctx, SEAL_EFORMAT,
			    "key at line %u is longer than %u bytes",
			    it->keyline, MAX_KEY);
		return;
	}
	if (!check_utf8(w, it->key, it->keylen, it->keyline, &a))
		return;
	st = pick_style(&k, it->key, it->keylen, flow, true, &a);
	if (key_width(it->key, it->keylen, st) >= MAX_KEY) {
		if (w->rc == SEAL_OK)
			w->rc = seal__err(w->ctx, SEAL_EFORMAT,
			    "key at line %u is longer than %u characters once "
			    "quoted for YAML", it->keyline, MAX_KEY);
		return;
	}
	if (st == SEAL_S_PLAIN)
		put(w, it->key, it->keylen);
	else if (st == SEAL_S_SINGLE)
		write_single(w, it->key, it->keylen);
	else
		write_double(w, it->key, it->keylen);
	putch(w, ':');
}

