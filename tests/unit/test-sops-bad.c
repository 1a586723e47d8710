/* SPDX-License-Identifier: ISC */
/*
 * test-sops-bad.c - every file of the malformed corpora
 * tests/fixtures/bad/{json,dotenv,enc} is refused cleanly: the right
 * error class, a one-line message, no crash (run it under the sanitizer
 * build too).
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sops/sops.h"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	assert_non_null(f);
	buf = malloc(1u << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, (1u << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static int
feed(const char *sub, seal_rc (*fn)(seal_ctx *, const char *, size_t))
{
	char dir[4096], path[8192];
	const char *src = getenv("SEAL_SRCDIR");
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/tests/fixtures/bad/%s",
	    src && *src ? src : ".", sub);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		seal_ctx *ctx = NULL;
		size_t len;
		char *buf;
		seal_rc rc;
		const char *msg;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		buf = slurp(path, &len);
		assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
		rc = fn(ctx, buf, len);
		msg = seal_ctx_errmsg(ctx);
		if (rc == SEAL_OK || msg == NULL || *msg == '\0' ||
		    strchr(msg, '\n') != NULL) {
			print_message("# %s: rc %d, message '%s'\n", path, rc,
			    msg ? msg : "(none)");
			fail();
		}
		print_message("# %s/%s: %s\n", sub, de->d_name, msg);
		seal_ctx_free(ctx);
		free(buf);
		n++;
	}
	closedir(d);
	return n;
}

static seal_rc
json(seal_ctx *ctx, const char *buf, size_t len)
{
	struct seal__tree *t = NULL;
	struct seal__limits lim = {0, 64, 0, 0};
	seal_rc rc = seal__json_parse(ctx, buf, len, &lim, &t);

	seal__tree_free(t);
	assert_true(rc == SEAL_EPARSE || rc == SEAL_ELIMIT || rc == SEAL_OK);
	return rc;
}

static seal_rc
dotenv(seal_ctx *ctx, const char *buf, size_t len)
{
	struct seal__tree *t = NULL;
	seal_rc rc = seal__dotenv_parse(ctx, buf, len, NULL, &t);

	seal__tree_free(t);
	assert_true(rc == SEAL_EPARSE || rc == SEAL_OK);
	return rc;
}

static seal_rc
enc(seal_ctx *ctx, const char *buf, size_t len)
{
	struct seal__enc e;
	seal_rc rc = seal__enc_parse(ctx, buf, len, "'x'", &e);

	assert_true(rc == SEAL_EFORMAT || rc == SEAL_OK);
	return rc;
}

static void
test_bad_json(void **state)
{
	(void)state;
	assert_true(feed("json", json) >= 20);
}

static void
test_bad_dotenv(void **state)
{
	(void)state;
	assert_true(feed("dotenv", dotenv) >= 5);
}

static void
test_bad_enc(void **state)
{
	(void)state;
	assert_true(feed("enc", enc) >= 14);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_bad_json),
    cmocka_unit_test(test_bad_dotenv),
    cmocka_unit_test(test_bad_enc),
};

SEAL_UNIT_MAIN(tests)
