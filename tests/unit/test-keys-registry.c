/* SPDX-License-Identifier: ISC */
/*
 * test-keys-registry.c - the cluster registry in .sops.yaml
 * (keys/registry.c): names, what an anchor says, and that add, rotate
 * and remove edit a file in place, keeping a user's comments, order and
 * own anchors, giving exactly the text expected.
 */
#include "config.h"

#include <string.h>

#include "tests/unit/harness.h"

#include "keys/registry.h"

/* age recipients (valid bech32) */
#define RA "age1sfnt4yew0cl634q6aspt2u9sr5xq903tpwc5ddym7avcc4zusvtqwwgz44"
#define RB "age1g9r3knxp2thlhd73tvksktsese97farc06qvuft3az5g97jz8vpsa79dku"
#define RC "age1ffhqxsrxfhetcgjtp0ylukz0r4z6p67rfersgtd8qs3nk0xaecuqghzqxh"
#define RD "age1x63m0220spye56gz8vdlt70qwa5mssnq7j84nxnvkqs2fdexm59s4zh2hu"

struct sbuf {
	char *p;
	size_t n;
};

static int
sbuf_write(void *arg, const void *buf, size_t len)
{
	struct sbuf *b = arg;
	char *np = realloc(b->p, b->n + len + 1);

	if (np == NULL)
		return -1;
	memcpy(np + b->n, buf, len);
	b->n += len;
	np[b->n] = '\0';
	b->p = np;
	return 0;
}

static keys_registry *
load(seal_ctx *ctx, const char *src)
{
	keys_registry *reg = NULL;
	seal_rc rc = keys_registry_parse(ctx, src, strlen(src), ".sops.yaml",
	    &reg);

	if (rc != SEAL_OK)
		fail_msg("parse: %s", seal_ctx_errmsg(ctx));
	return reg;
}

static char *
text(seal_ctx *ctx, const keys_registry *reg)
{
	struct sbuf b = { 0 };

	assert_int_equal(keys_registry_write(ctx, reg, sbuf_write, &b),
	    SEAL_OK);
	return b.p;
}

static void
expect(seal_ctx *ctx, const keys_registry *reg, const char *want)
{
	char *got = text(ctx, reg);

	if (strcmp(got, want) != 0)
		fail_msg("--- want:\n%s--- got:\n%s", want, got);
	free(got);
}

static void
test_names(void **state)
{
	seal_ctx *ctx = NULL;
	static const char *const good[] = { "prod-eu", "a", "x1", "a-b-c" };
	static const char *const bad[] = { "", "Prod", "prod_eu", "prod.eu",
	    "-a", "a-", "a--b", "é",
	    "a1234567890123456789012345678901234567890123456789012345678901234",
	};
	size_t i;

	(void)state;
	assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
	for (i = 0; i < SEAL__ARRAY_LEN(good); i++)
		assert_int_equal(keys_name_check(ctx, good[i], false), SEAL_OK);
	for (i = 0; i < SEAL__ARRAY_LEN(bad); i++) {
		assert_int_equal(keys_name_check(ctx, bad[i], true),
		    SEAL_EINVAL);
		assert_non_null(strstr(seal_ctx_errmsg(ctx), "tenant name"));
	}
	seal_ctx_free(ctx);
}

/* A sops user's own file: their anchors are not clusters or tenants. */
static void
test_roles(void **state)
{
	seal_ctx *ctx = NULL;
	keys_registry *reg;
	const struct keys_key *k;

	(void)state;
	assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
	reg = load(ctx, "keys:\n"
	    "    - &admin_bob " RA "\n"
	    "    - &prod " RB "\n"
	    "    - &prod_web " RC "\n"
	    "    - &prod__retired-2 " RD "\n"
	    "    - &_admin-1 " RA "\n"
	    "    - &Odd_one " RA "\n");
	assert_int_equal(keys_count(reg), 6);
	assert_int_equal(keys_get(reg, 0)->role, KEYS_OTHER); /* no "admin" */
	k = keys_get(reg, 1);
	assert_int_equal(k->role, KEYS_CLUSTER);
	assert_string_equal(k->cluster, "prod");
	assert_int_equal(k->retired, 0);
	k = keys_get(reg, 2);
	assert_int_equal(k->role, KEYS_TENANT);
	assert_string_equal(k->tenant, "web");
	k = keys_get(reg, 3);
	assert_int_equal(k->role, KEYS_CLUSTER);
	assert_int_equal(k->retired, 2);
	assert_int_equal(keys_get(reg, 4)->role, KEYS_ADMIN);
	assert_int_equal(keys_get(reg, 5)->role, KEYS_OTHER);
	assert_ptr_equal(keys_current(reg, "prod", NULL), keys_get(reg, 1));
	assert_ptr_equal(keys_current(reg, "prod", "web"), keys_get(reg, 2));
	keys_registry_free(reg);
	seal_ctx_free(ctx);
}

static const char start[] =
    "# team config\n"
    "keys:\n"
    "    - &bob " RA " # bob's laptop\n"
    "creation_rules:\n"
    "    # old apps\n"
    "    - path_regex: ^legacy/\n"
    "      age: *bob\n"
    "    # everything else\n"
    "    - age: *bob\n";

/*
 * The expected files of test_edit_in_place, spelled out piece by piece:
 * start's own lines around the keys and rules the registry adds.
 */
#define FILE_HEAD(keys) \
	"# team config\n" \
	"keys:\n" \
	"    - &_admin-1 " RB "\n" \
	"    - &bob " RA " # bob's laptop\n" \
	keys \
	"creation_rules:\n" \
	"    # old apps\n" \
	"    - path_regex: ^legacy/\n" \
	"      age: *bob\n"
#define RULE(path, keys) \
	"    - path_regex: " path "\n" \
	"      encrypted_regex: ^(data|stringData)$\n" \
	"      key_groups:\n" \
	"        - age:\n" \
	keys
#define KEY(anchor) "            - *" anchor "\n"
#define FILE_TAIL \
	"    # everything else\n" \
	"    - age: *bob\n"

static void
test_edit_in_place(void **state)
{
	seal_ctx *ctx = NULL;
	keys_registry *reg;
	struct keys_tenant_spec t = { "web", "^clusters/prod/web/", RD };
	const struct keys_key *k;

	(void)state;
	assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
	reg = load(ctx, start);
	assert_int_equal(keys_admin_add(ctx, reg, RB), SEAL_OK);
	assert_int_equal(keys_cluster_add(ctx, reg, "prod", RC,
	    "^clusters/prod/", &t, 1), SEAL_OK);
	expect(ctx, reg,
	    FILE_HEAD("    - &prod " RC "\n"
		      "    - &prod_web " RD "\n")
	    RULE("^clusters/prod/web/", KEY("prod_web") KEY("_admin-1"))
	    RULE("^clusters/prod/", KEY("prod") KEY("_admin-1"))
	    FILE_TAIL);
	/* registered once */
	assert_int_equal(keys_cluster_add(ctx, reg, "prod", RA, "^x/", NULL,
	    0), SEAL_EINVAL);
	/* rotate: the old key retired in every rule, after the new one */
	assert_int_equal(keys_rotate(ctx, reg, "prod", NULL, RA), SEAL_OK);
	assert_string_equal(keys_current(reg, "prod", NULL)->recipient, RA);
	expect(ctx, reg,
	    FILE_HEAD("    - &prod " RA "\n"
		      "    - &prod__retired-1 " RC "\n"
		      "    - &prod_web " RD "\n")
	    RULE("^clusters/prod/web/", KEY("prod_web") KEY("_admin-1"))
	    RULE("^clusters/prod/",
		KEY("prod") KEY("prod__retired-1") KEY("_admin-1"))
	    FILE_TAIL);
	/* the current key cannot be retired; the old one can */
	assert_int_equal(keys_find_retired(ctx, reg, "prod", RA, &k),
	    SEAL_EREFUSED);
	assert_int_equal(keys_find_retired(ctx, reg, "prod", "retired-1", &k),
	    SEAL_OK);
	assert_string_equal(k->recipient, RC);
	assert_int_equal(keys_find_retired(ctx, reg, "prod", "retired-7", &k),
	    SEAL_EINVAL);
	assert_int_equal(keys_remove(ctx, reg, "prod__retired-1"), SEAL_OK);
	expect(ctx, reg,
	    FILE_HEAD("    - &prod " RA "\n"
		      "    - &prod_web " RD "\n")
	    RULE("^clusters/prod/web/", KEY("prod_web") KEY("_admin-1"))
	    RULE("^clusters/prod/", KEY("prod") KEY("_admin-1"))
	    FILE_TAIL);
	keys_registry_free(reg);
	seal_ctx_free(ctx);
}

static void
test_refusals(void **state)
{
	seal_ctx *ctx = NULL;
	keys_registry *reg = NULL;

	(void)state;
	assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
	assert_int_equal(keys_registry_parse(ctx, "keys: 3\n", 8, "f",
	    &reg), SEAL_EFORMAT);
	assert_null(reg);
	assert_int_equal(keys_registry_parse(ctx, "creation_rules: x\n", 18,
	    "f", &reg), SEAL_EFORMAT);
	reg = load(ctx, "");
	assert_int_equal(keys_admin_add(ctx, reg, "age1nope"), SEAL_EKEY);
	assert_int_equal(keys_admin_add(ctx, reg, "ssh-ed25519 AAAA"),
	    SEAL_EINVAL);
	assert_int_equal(keys_cluster_add(ctx, reg, "Prod", RA, "^x/", NULL,
	    0), SEAL_EINVAL);
	assert_int_equal(keys_rotate(ctx, reg, "prod", NULL, RA), SEAL_EINVAL);
	keys_registry_free(reg);
	seal_ctx_free(ctx);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_names),
	cmocka_unit_test(test_roles),
	cmocka_unit_test(test_edit_in_place),
	cmocka_unit_test(test_refusals),
};

SEAL_UNIT_MAIN(tests)
