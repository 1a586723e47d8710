/* SPDX-License-Identifier: ISC */
/*
 * test-yaml-prop.c - round-trip properties of the YAML store:
 *   - generated trees (nested maps/seqs, scalars of every type and style,
 *     tags, comments, blank lines, flow and indentless collections, multi
 *     documents): emit -> parse gives an equal tree, and emitting that
 *     tree again gives the same bytes;
 *   - real-world manifests in tests/fixtures/yaml and the sops-written
 *     files under $SEAL_VECTORS/sops: parse -> emit is byte-identical.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/unit/harness.h"
#include "stores/tree.h"
#include "tests/unit/yaml-equal.h"

struct sbuf {
	char *p;
	size_t n, cap;
};

static int
sbuf_write(void *arg, const void *buf, size_t len)
{
	struct sbuf *b = arg;

	if (b->n + len + 1 > b->cap) {
		b->cap = (b->n + len + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (b->p == NULL)
			return -1;
	}
	memcpy(b->p + b->n, buf, len);
	b->n += len;
	b->p[b->n] = '\0';
	return 0;
}

static char *
emit(seal_ctx *ctx, const struct seal__tree *t, int indent, size_t *len)
{
	struct seal__emit_opts o = { indent };
	struct sbuf b = { 0 };
	seal_rc rc = seal__yaml_emit(ctx, t, &o, sbuf_write, &b);

	if (rc != SEAL_OK)
		fail_msg("emit failed: %s", ctx->errmsg);
	if (b.p == NULL)
		b.p = calloc(1, 1);
	*len = b.n;
	return b.p;
}

/* -- generator ---------------------------------------------------------- */

static uint64_t rng;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

static const char *const pieces[] = {
	"a", "b", "key", " ", " ", ":", ": ", "#", " #", "-", "- ", "'", "\"",
	"\\", "\n", "\n", "\t", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x94\x91",
	"{", "}", "[", "]", ",", "!", "&", "*", "?", "|", ">", "%", "@", "`",
	"\r", "\x01", "\x7f", "ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]",
	"0", "1", ".", "~", "\xc2\x85", "\xe2\x80\xa8", "\xef\xbb\xbf",
};
static const char *const whole[] = {
	"yes", "no", "on", "true", "False", "123", "-1", "0x1F", "1.5", "~",
	"null", "", "---", "...", "- a", "a: b", " lead", "trail ", "1:20",
	"2024-01-01", "<<", "multi\nline\n", "keep\n\n", "strip\nme",
	"\nleading break", "sp \nbreak", "#hash", "@at", "x #y", "x#y",
};

static void
rand_text(char *buf, size_t cap, size_t *len)
{
	size_t n = 0, k, i;

	if (rnd(3) == 0) {
		const char *w = whole[rnd(sizeof(whole) / sizeof(whole[0]))];

		k = strlen(w);
		memcpy(buf, w, k);
		*len = k;
		return;
	}
	k = rnd(8);
	for (i = 0; i < k; i++) {
		const char *p = pieces[rnd(sizeof(pieces) /
		    sizeof(pieces[0]))];
		size_t pl = strlen(p);

		if (n + pl >= cap)
			break;
		memcpy(buf + n, p, pl);
		n += pl;
	}
	if (rnd(20) == 0 && n + 1 < cap)
		buf[n++] = '\0'; /* a NUL inside a string */
	*len = n;
}

static struct seal__node *
rand_scalar(struct seal__tree *t)
{
	static const char *const ints[] = { "0", "-5", "123456789", "0x1F",
		"1_000", "+3", "0o17", "-9223372036854775808" };
	static const char *const floats[] = { "1.5", "-0.25", "1e3", ".inf",
		"-.Inf", ".nan", "08", "6.02e+23" };
	static const char *const bools[] = { "true", "False", "TRUE" };
	static const char *const nulls[] = { "", "~", "null", "Null" };
	static const char *const times[] = { "2024-01-01",
		"2001-12-14T21:59:43Z", "2001-12-14 21:59:43.10",
		"2024-2-3t04:05:06.123456789+01:00" };
	char buf[256];
	size_t len;
	struct seal__node *n;
	const char *s = NULL;
	enum seal__type ty = SEAL_T_STR;

	switch (rnd(10)) {
	case 0:
		ty = SEAL_T_INT;
		s = ints[rnd(8)];
		break;
	case 1:
		ty = SEAL_T_FLOAT;
		s = floats[rnd(8)];
		break;
	case 2:
		ty = SEAL_T_BOOL;
		s = bools[rnd(3)];
		break;
	case 3:
		ty = SEAL_T_NULL;
		s = nulls[rnd(4)];
		break;
	case 4:
		ty = SEAL_T_TIME;
		s = times[rnd(4)];
		break;
	default:
		break;
	}
	if (s != NULL) {
		n = seal__scalar_new(t, ty, s, strlen(s));
		assert_non_null(n);
		n->style = SEAL_S_PLAIN;
		return n;
	}
	rand_text(buf, sizeof(buf), &len);
	n = seal__scalar_new(t, SEAL_T_STR, buf, len);
	assert_non_null(n);
	n->style = (uint8_t)rnd(6);
	switch (rnd(12)) {
	case 0:
		n->tag = "!!str";
		break;
	case 1:
		n->tag = "!custom";
		break;
	case 2:
		assert_int_equal(seal__node_set_text(t, n, "aGVsbG8=", 8), 0);
		n->tag = "!!binary";
		break;
	default:
		break;
	}
	return n;
}

static struct seal__node *
rand_comment(struct seal__tree *t)
{
	char buf[64];
	size_t n = 0, k = rnd(12), i;
	static const char cs[] = "abc #:-'\"{}[],!&*?|>%@` \\";

	if (rnd(2))
		buf[n++] = ' ';
	for (i = 0; i < k; i++)
		buf[n++] = cs[rnd(sizeof(cs) - 1)];
	if (rnd(4) == 0) {
		memcpy(buf + n, "\xc3\xa9", 2);
		n += 2;
	}
	return seal__comment_new(t, buf, n);
}

/* Does this value end its line so that a trailing comment may follow? */
static bool
ends_inline(const struct seal__node *v)
{
	if (v == NULL)
		return true;
	if (v->kind == SEAL_N_SCALAR)
		return memchr(v->text, '\n', v->len) == NULL &&
		    memchr(v->text, '\r', v->len) == NULL &&
		    v->style != SEAL_S_LITERAL && v->style != SEAL_S_FOLDED;
	if (v->kind == SEAL_N_MAP || v->kind == SEAL_N_SEQ)
		return v->nitems == 0;
	return false;
}

static struct seal__node *rand_coll(struct seal__tree *t, bool is_map,
    int depth, bool flow, bool root);

static struct seal__node *
rand_value(struct seal__tree *t, int depth, bool flow)
{
	uint32_t k = depth > 0 ? rnd(10) : 9;

	if (k == 0)
		return rand_coll(t, true, depth - 1, flow || rnd(4) == 0,
		    false);
	if (k == 1)
		return rand_coll(t, false, depth - 1, flow || rnd(4) == 0,
		    false);
	return rand_scalar(t);
}

static struct seal__node *
rand_coll(struct seal__tree *t, bool is_map, int depth, bool flow, bool root)
{
	struct seal__node *c = seal__node_new(t, is_map ? SEAL_N_MAP :
	    SEAL_N_SEQ);
	uint32_t n = rnd(6), i;
	const struct seal__node *prev = NULL;
	bool last_comment = false;

	assert_non_null(c);
	if (flow)
		c->flags |= SEAL_F_FLOW;
	for (i = 0; i < n; i++) {
		struct seal__node *v;

		if (!flow && rnd(6) == 0) {
			/* a comment: own line, or trailing the line before */
			v = rand_comment(t);
			assert_non_null(v);
			if (rnd(2) && ((i == 0 && !root) || (i > 0 &&
			    !last_comment && prev != NULL &&
			    (ends_inline(prev) ||
			    prev->kind == SEAL_N_SCALAR))))
				v->flags |= SEAL_F_INLINE;
			else if (i > 0 && rnd(4) == 0 && (prev == NULL ||
			    ends_inline(prev)))
				v->flags |= SEAL_F_BLANK;
			if (!(v->flags & SEAL_F_INLINE))
				prev = NULL;
			last_comment = true;
		} else {
			v = rand_value(t, depth, flow);
			if (i > 0 && !flow && rnd(5) == 0 &&
			    (prev == NULL || ends_inline(prev)))
				v->flags |= SEAL_F_BLANK;
			if (v->kind == SEAL_N_SEQ && is_map && !flow &&
			    v->nitems > 0 && rnd(3) == 0)
				v->flags |= SEAL_F_COMPACT;
			prev = v;
			last_comment = false;
		}
		if (is_map && v->kind != SEAL_N_COMMENT) {
			char key[128];
			size_t kl;

			do {
				rand_text(key, sizeof(key) - 8, &kl);
				key[kl] = '\0';
			} while (memchr(key, '\0', kl) != NULL ||
			    seal__map_find(c, key) != (size_t)-1);
			assert_int_equal(seal__map_append(t, c, key, kl, v),
			    0);
			c->items[c->nitems - 1].keystyle = (uint8_t)rnd(4);
		} else if (is_map) {
			assert_int_equal(seal__map_append(t, c, NULL, 0, v), 0);
		} else {
			assert_int_equal(seal__seq_append(t, c, v), 0);
		}
	}
	for (i = 0; i < c->nitems; i++)
		if (c->items[i].val->kind != SEAL_N_COMMENT)
			break;
	if (i == c->nitems)
		c->nitems = 0; /* comments only: YAML cannot hold that */
	return c;
}

static struct seal__tree *
rand_tree(void)
{
	struct seal__tree *t = seal__tree_new();
	uint32_t nd = 1 + rnd(3), i, k;

	assert_non_null(t);
	for (i = 0; i < nd; i++) {
		struct seal__doc *d = seal__tree_add_doc(t);

		assert_non_null(d);
		d->explicit_start = rnd(2);
		if (rnd(8) != 0)
			d->root = rand_coll(t, true, 4, rnd(10) == 0, true);
		/* an implicit empty first document only reads back alone */
		if (i == 0 && (d->root == NULL || d->root->nitems == 0))
			d->explicit_start = true;
		if (i == 0 && d->explicit_start && rnd(5) == 0) {
			d->head = seal__node_new(t, SEAL_N_SEQ);
			assert_int_equal(seal__seq_append(t, d->head,
			    rand_comment(t)), 0);
		}
		if (rnd(4) == 0) {
			d->foot = seal__node_new(t, SEAL_N_SEQ);
			for (k = 0; k < 1 + rnd(2); k++) {
				struct seal__node *c = rand_comment(t);

				if (k > 0 && rnd(3) == 0)
					c->flags |= SEAL_F_BLANK;
				assert_int_equal(seal__seq_append(t, d->foot,
				    c), 0);
			}
		}
	}
	/* a lone empty first document with a foot reads back differently
	 * only in whether "---" was explicit; keep generated trees honest */
	return t;
}

static void
dump(const struct seal__node *n, int d)
{
	size_t i;

	if (n == NULL) {
		printf("#%*sNULL\n", d, "");
		return;
	}
	if (n->kind == SEAL_N_SCALAR || n->kind == SEAL_N_COMMENT) {
		printf("#%*s%s t%d s%d f%#x len %zu\n", d, "",
		    n->kind == SEAL_N_SCALAR ? "S" : "C", n->type, n->style,
		    n->flags, n->len);
		return;
	}
	printf("#%*s%s f%#x\n", d, "", n->kind == SEAL_N_MAP ? "MAP" : "SEQ",
	    n->flags);
	for (i = 0; i < n->nitems; i++) {
		if (n->items[i].key != NULL)
			printf("#%*sK len %zu\n", d + 1, "",
			    n->items[i].keylen);
		dump(n->items[i].val, d + 2);
	}
}

static void
dump_tree(const struct seal__tree *t)
{
	size_t i;

	for (i = 0; i < t->ndocs; i++) {
		printf("# doc %zu explicit %d\n", i, t->docs[i].explicit_start);
		dump(t->docs[i].root, 1);
		if (t->docs[i].foot)
			dump(t->docs[i].foot, 1);
	}
}

static void
check_round_trip(seal_ctx *ctx, struct seal__tree *t, int indent,
    unsigned iter)
{
	struct seal__tree *t2 = NULL;
	char *e1, *e2, why[256];
	size_t l1, l2;

	e1 = emit(ctx, t, indent, &l1);
	if (seal__yaml_parse(ctx, e1, l1, NULL, &t2) != SEAL_OK)
		fail_msg("iteration %u: emitted YAML does not parse: %s\n"
		    "---\n%s---", iter, ctx->errmsg, e1);
	if (!seal__yaml_tree_equal(t, t2, why, sizeof(why))) {
		dump_tree(t);
		printf("# --- read back:\n");
		dump_tree(t2);
	}
	if (!seal__yaml_tree_equal(t, t2, why, sizeof(why)))
		fail_msg("iteration %u: tree changed: %s\n---\n%s---", iter,
		    why, e1);
	e2 = emit(ctx, t2, indent, &l2);
	if (l1 != l2 || memcmp(e1, e2, l1) != 0)
		fail_msg("iteration %u: second emit differs\n--- first:\n%s"
		    "--- second:\n%s---", iter, e1, e2);
	free(e1);
	free(e2);
	seal__tree_free(t2);
}

/* unused in one of the two programs built from this file */
static void __attribute__((unused))
test_generated_trees(void **state)
{
	seal_ctx *ctx = NULL;
	unsigned i, iters = 3000;
	const char *env = getenv("SEAL_YAML_PROP_ITERS");

	(void)state;
	if (env != NULL && atoi(env) > 0)
		iters = (unsigned)atoi(env);
	assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
	for (i = 0; i < iters; i++) {
		struct seal__tree *t;

		rng = 0x9E3779B97F4A7C15ull ^
		    ((uint64_t)(i + 1) * 0x100000001B3ull);
		t = rand_tree();
		check_round_trip(ctx, t, i % 3 == 0 ? 0 : (int)(2 + i % 8), i);
		seal__tree_free(t);
	}
	printf("# %u generated trees round-tripped\n", iters);
	seal_ctx_free(ctx);
}

/* -- fixtures and vectors: byte-identical re-emit ------------------------ */

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static bool
is_yaml(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	    (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

/* Returns 1 if byte-identical, 0 if only tree-equal; fails otherwise. */
static int
check_file(seal_ctx *ctx, const char *path, bool need_identical)
{
	struct seal__tree *t = NULL, *t2 = NULL;
	char *src, *out, why[256];
	size_t len, olen;
	int same;

	src = slurp(path, &len);
	assert_non_null(src);
	if (seal__yaml_parse(ctx, src, len, NULL, &t) != SEAL_OK)
		fail_msg("%s: %s", path, ctx->errmsg);
	out = emit(ctx, t, 0, &olen);
	same = olen == len && memcmp(src, out, len) == 0;
	if (!same && need_identical)
		fail_msg("%s: re-emitted text differs\n--- got:\n%s---", path,
		    out);
	if (seal__yaml_parse(ctx, out, olen, NULL, &t2) != SEAL_OK)
		fail_msg("%s: re-emitted text does not parse: %s", path,
		    ctx->errmsg);
	if (!seal__yaml_tree_equal(t, t2, why, sizeof(why)))
		fail_msg("%s: tree changed on re-emit: %s", path, why);
	free(src);
	free(out);
	seal__tree_free(t);
	seal__tree_free(t2);
	return same;
}

static void
walk(seal_ctx *ctx, const char *dir, bool sops_rule, unsigned *n,
    unsigned *ident)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	struct stat st;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(ctx, path, sops_rule, n, ident);
			continue;
		}
		if (!is_yaml(e->d_name))
			continue;
		if (sops_rule) {
			/* files sops wrote (they carry a sops: block with a
			 * mac) must come back byte for byte; other YAML in
			 * the vectors (configs, raw inputs) must keep its
			 * tree */
			size_t len;
			char *src = slurp(path, &len);
			bool by_sops = strstr(src, "\nsops:\n") != NULL &&
			    strstr(src, "    mac: ENC[") != NULL;

			free(src);
			*ident += (unsigned)check_file(ctx, path, by_sops);
		} else {
			*ident += (unsigned)check_file(ctx, path, true);
		}
		(*n)++;
	}
	closedir(d);
}

/* unused in one of the two programs built from this file */
static void __attribute__((unused))
test_fixtures_byte_identical(void **state)
{
	const char *src = getenv("SEAL_SRCDIR");
	char dir[4096];
	seal_ctx *ctx = NULL;
	unsigned n = 0, ident = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/fixtures/yaml",
	    src != NULL ? src : ".");
	assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
	walk(ctx, dir, false, &n, &ident);
	printf("# %u/%u fixtures re-emitted byte-identically\n", ident, n);
	assert_true(n >= 8);
	assert_int_equal(ident, n);
	seal_ctx_free(ctx);
}

/* unused in one of the two programs built from this file */
static void __attribute__((unused))
test_sops_vectors_byte_identical(void **state)
{
	char dir[4096];
	seal_ctx *ctx = NULL;
	unsigned n = 0, ident = 0;
	struct stat st;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/sops", seal_test_vectors());
	assert_int_equal(stat(dir, &st), 0); /* seal_test_need_vectors */
	assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
	walk(ctx, dir, true, &n, &ident);
	printf("# %u/%u sops vector YAML files re-emitted byte-identically"
	    " (the rest tree-equal)\n", ident, n);
	assert_true(n > 0);
	seal_ctx_free(ctx);
}

#ifndef SEAL_YAML_VECTORS
static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_generated_trees),
	cmocka_unit_test(test_fixtures_byte_identical),
};

SEAL_UNIT_MAIN(tests)
#else
/* test-yaml-vectors: this file again, with only the case that reads the
 * external vectors, so that their absence skips it alone */
static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_sops_vectors_byte_identical),
};

SEAL_UNIT_MAIN_VECTORS(tests, "sops")
#endif
