/* SPDX-License-Identifier: ISC */
/*
 * test-doc.c - seal/doc.h, the public YAML document: reading a file's
 * maps, lists, anchors and aliases, and editing it in place with its
 * comments and aliases kept. Expected texts are written by hand.
 */
#include "config.h"

#include <string.h>

#include <seal.h>

#include "harness.h"

struct out {
	char buf[4096];
	size_t len;
};

static int
collect(void *arg, const void *p, size_t n)
{
	struct out *o = arg;

	if (o->len + n >= sizeof(o->buf))
		return -1;
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	o->buf[o->len] = '\0';
	return 0;
}

static seal_doc *
parse(seal_ctx *ctx, const char *text)
{
	seal_doc *d = NULL;

	assert_int_equal(seal_doc_parse_yaml(ctx, text, strlen(text), &d),
	    SEAL_OK);
	assert_non_null(d);
	return d;
}

static void
emit(seal_ctx *ctx, const seal_doc *d, const char *want)
{
	struct out o = { .len = 0 };

	assert_int_equal(seal_doc_write_yaml(ctx, d, collect, &o), SEAL_OK);
	assert_string_equal(o.buf, want);
}

static const char registry[] =
    "# the clusters\n"
    "keys:\n"
    "    - &prod age1prod\n"
    "creation_rules:\n"
    "    # prod first\n"
    "    - path_regex: ^prod/\n"
    "      key_groups:\n"
    "        - age:\n"
    "            - *prod\n";

static void
test_read(void **state)
{
	seal_ctx *ctx = NULL;
	seal_doc *d;
	seal_node *m, *keys, *rules, *r, *age, *v;
	size_t i;

	(void)state;
	assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
	d = parse(ctx, registry);
	assert_int_equal(seal_doc_count(d), 1);
	m = seal_doc_root(d, 0);
	assert_int_equal(seal_node_kind(m), SEAL_NODE_MAP);
	assert_ptr_equal(seal_doc_top_map(d), m);
	keys = seal_map_get(m, "keys");
	assert_int_equal(seal_node_kind(keys), SEAL_NODE_SEQ);
	assert_int_equal(seal_map_find(m, "creation_rules"), 1 +
	    seal_map_find(m, "keys"));
	assert_int_equal(seal_map_find(m, "nope"), SIZE_MAX);
	assert_null(seal_map_get(m, "nope"));
	v = seal_node_at(keys, 0);
	assert_string_equal(seal_node_text(v), "age1prod");
	assert_string_equal(seal_node_anchor(v), "prod");
	assert_false(seal_node_is_alias(v));
	assert_int_equal(seal_node_line(v), 3);
	rules = seal_map_get(m, "creation_rules");
	/* the comment is an item of the list, before the rule */
	assert_int_equal(seal_node_kind(seal_node_at(rules, 0)),
	    SEAL_NODE_COMMENT);
	for (i = 0; i < seal_node_size(rules) &&
	     seal_node_kind(seal_node_at(rules, i)) != SEAL_NODE_MAP; i++)
		;
	r = seal_node_at(rules, i);
	assert_non_null(r);
	assert_null(seal_node_text(r));
	assert_string_equal(seal_node_key_at(r, 0), "path_regex");
	assert_null(seal_node_key_at(rules, i));
	age = seal_map_get(seal_node_at(seal_map_get(r, "key_groups"), 0),
	    "age");
	v = seal_node_at(age, 0);
	assert_true(seal_node_is_alias(v));
	assert_string_equal(seal_node_anchor(v), "prod");
	assert_string_equal(seal_node_text(v), "age1prod"); /* the copy */
	assert_null(seal_node_at(age, 1));
	assert_int_equal(seal_node_size(v), 0);
	seal_doc_free(d);
	seal_ctx_free(ctx);
}

static void
test_edit(void **state)
{
	seal_ctx *ctx = NULL;
	seal_doc *d;
	seal_node *m, *keys, *rules, *r, *age;

	(void)state;
	assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
	d = parse(ctx, registry);
	emit(ctx, d, registry); /* untouched, it writes back as it was */
	m = seal_doc_top_map(d);
	keys = seal_map_get(m, "keys");
	rules = seal_map_get(m, "creation_rules");
	/* a second key before the first, then the old one renamed */
	assert_int_equal(seal_seq_insert(d, keys, 0,
	    seal_doc_new_anchored(d, "dev", "age1dev")), 0);
	r = seal_node_at(rules, 1);
	age = seal_map_get(seal_node_at(seal_map_get(r, "key_groups"), 0),
	    "age");
	assert_int_equal(seal_seq_insert(d, age, SIZE_MAX,
	    seal_doc_new_alias(d, "dev", "age1dev")), 0);
	emit(ctx, d,
	    "# the clusters\n"
	    "keys:\n"
	    "    - &dev age1dev\n"
	    "    - &prod age1prod\n"
	    "creation_rules:\n"
	    "    # prod first\n"
	    "    - path_regex: ^prod/\n"
	    "      key_groups:\n"
	    "        - age:\n"
	    "            - *prod\n"
	    "            - *dev\n");
	/* remove the alias and the key; rename the other anchor and its
	 * alias together */
	seal_node_remove(age, 1);
	seal_node_remove(keys, 0);
	assert_int_equal(seal_node_set_anchor(d, seal_node_at(keys, 0),
	    "prod-1"), 0);
	assert_int_equal(seal_node_set_anchor(d, seal_node_at(age, 0),
	    "prod-1"), 0);
	emit(ctx, d,
	    "# the clusters\n"
	    "keys:\n"
	    "    - &prod-1 age1prod\n"
	    "creation_rules:\n"
	    "    # prod first\n"
	    "    - path_regex: ^prod/\n"
	    "      key_groups:\n"
	    "        - age:\n"
	    "            - *prod-1\n");
	/* a map entry replaced and one inserted at a place */
	seal_map_set(m, seal_map_find(m, "keys"), seal_doc_new_seq(d));
	assert_int_equal(seal_map_insert(d, m, 0, "stores",
	    seal_doc_new_string(d, "yes: quoted")), 0);
	assert_string_equal(seal_node_key_at(m, 0), "stores");
	assert_int_equal(seal_node_size(seal_map_get(m, "keys")), 0);
	/* wrong kinds are refused, nothing changes */
	assert_int_equal(seal_seq_insert(d, m, 0, seal_doc_new_map(d)), -1);
	assert_int_equal(seal_map_insert(d, keys, 0, "k",
	    seal_doc_new_map(d)), -1);
	assert_int_equal(seal_seq_insert(d, keys, 0, NULL), -1);
	seal_doc_free(d);
	seal_ctx_free(ctx);
}

static void
test_empty(void **state)
{
	seal_ctx *ctx = NULL;
	seal_doc *d;
	seal_node *m, *l;

	(void)state;
	assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
	/* a file of comments only keeps them on top of the new map */
	d = parse(ctx, "# nothing yet\n");
	m = seal_doc_top_map(d);
	assert_non_null(m);
	l = seal_doc_new_seq(d);
	assert_int_equal(seal_map_insert(d, m, SIZE_MAX, "keys", l), 0);
	assert_int_equal(seal_seq_insert(d, l, 0,
	    seal_doc_new_anchored(d, "a", "age1a")), 0);
	emit(ctx, d, "# nothing yet\nkeys:\n    - &a age1a\n");
	seal_doc_free(d);
	/* an empty flow list grows as a block list */
	d = parse(ctx, "keys: []\n");
	l = seal_map_get(seal_doc_top_map(d), "keys");
	assert_int_equal(seal_seq_insert(d, l, 0,
	    seal_doc_new_string(d, "x")), 0);
	emit(ctx, d, "keys:\n    - x\n");
	seal_doc_free(d);
	/* bad YAML is an error naming the line, no document */
	d = (seal_doc *)1;
	assert_int_not_equal(seal_doc_parse_yaml(ctx, "a: [\n", 5, &d),
	    SEAL_OK);
	assert_null(d);
	assert_non_null(strstr(seal_ctx_errmsg(ctx), "line"));
	seal_ctx_free(ctx);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_read),
	cmocka_unit_test(test_edit),
	cmocka_unit_test(test_empty),
};

SEAL_UNIT_MAIN(tests)
