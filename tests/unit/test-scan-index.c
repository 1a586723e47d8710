/* SPDX-License-Identifier: ISC */
/*
 * test-scan-index.c - the scanner's own git readers against real git:
 * indexes git writes (versions 2, 3 and 4, with a cache-tree) parse to
 * exactly what `git ls-files --stage` and `git write-tree` say; every
 * malformed index in tests/fixtures/bad/index is refused with a one-line
 * reason; pack deltas apply, and broken ones are refused.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/harness.h"

#include "hooks/git/git.h"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

static void
test_bad_corpus(void **state)
{
	const char *src = getenv("SEAL_SRCDIR");
	char dir[4096], path[4400], err[256];
	struct dirent *de;
	DIR *d;
	int n = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/fixtures/bad/index",
	    src ? src : ".");
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		struct gix_index *ix = NULL;
		size_t len = 0;
		char *buf;
		int rc;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		buf = slurp(path, &len);
		assert_non_null(buf);
		err[0] = '\0';
		rc = gix_index_parse((unsigned char *)buf, len, &ix, err,
		    sizeof(err));
		if (rc != GIX_CORRUPT && rc != GIX_UNSUPPORTED)
			fail_msg("%s: accepted (rc %d)", de->d_name, rc);
		assert_null(ix);
		if (err[0] == '\0' || strchr(err, '\n'))
			fail_msg("%s: no one-line reason", de->d_name);
		free(buf);
		n++;
	}
	closedir(d);
	assert_true(n >= 20);
}

static int
sh(const char *cmd)
{
	return system(cmd);
}

static void
hex(const uint8_t *oid, char out[41])
{
	for (int i = 0; i < 20; i++)
		snprintf(out + 2 * i, 3, "%02x", oid[i]);
}

/* parse dir/.git/index and compare with `git ls-files --stage` */
static void
check_against_git(const char *dir, unsigned version)
{
	char cmd[8192], path[4200], err[256], line[8192], want_tree[64] = "";
	struct gix_index *ix = NULL;
	size_t len = 0, i = 0;
	char *buf;
	FILE *ls;

	/* git writes version 3 only when an entry needs extended flags */
	snprintf(cmd, sizeof(cmd),
	    "cd '%s' && git update-index --%sskip-worktree c/z && "
	    "git update-index --index-version %u && "
	    "git write-tree >tree.out", dir, version == 3 ? "" : "no-",
	    version);
	assert_int_equal(sh(cmd), 0);
	snprintf(path, sizeof(path), "%s/tree.out", dir);
	buf = slurp(path, &len);
	assert_non_null(buf);
	snprintf(want_tree, sizeof(want_tree), "%.40s", buf);
	free(buf);
	snprintf(path, sizeof(path), "%s/.git/index", dir);
	buf = slurp(path, &len);
	assert_non_null(buf);
	assert_int_equal(gix_index_parse((unsigned char *)buf, len, &ix, err,
			     sizeof(err)),
	    GIX_OK);
	assert_int_equal(ix->version, version);
	if (version == 3) {
		const struct gix_entry *z = gix_index_find(ix, "c/z");
		assert_non_null(z);
		assert_true(z->xflags & 0x4000); /* skip-worktree */
	}
	/* write-tree refreshed the cache-tree: the root id is git's */
	assert_non_null(ix->tree);
	assert_true(ix->tree->entries >= 0);
	{
		char h[41];
		hex(ix->tree->oid, h);
		assert_string_equal(h, want_tree);
		assert_int_equal((size_t)ix->tree->entries, ix->n);
	}
	snprintf(cmd, sizeof(cmd), "cd '%s' && git ls-files --stage", dir);
	ls = popen(cmd, "r");
	assert_non_null(ls);
	while (fgets(line, sizeof(line), ls)) {
		char h[41], want[8400];
		line[strcspn(line, "\n")] = '\0';
		assert_true(i < ix->n);
		hex(ix->e[i].oid, h);
		snprintf(want, sizeof(want), "%06o %s %u\t%s", ix->e[i].mode,
		    h, (ix->e[i].flags >> 12) & 3, ix->e[i].path);
		assert_string_equal(want, line);
		assert_ptr_equal(gix_index_find(ix, ix->e[i].path),
		    &ix->e[i]);
		i++;
	}
	pclose(ls);
	assert_int_equal(i, ix->n);
	assert_null(gix_index_find(ix, "no/such/file"));
	gix_index_free(ix);
	free(buf);
}

static void
test_real_git(void **state)
{
	char tmpl[] = "/tmp/seal-test-index-XXXXXX", cmd[8192];
	char *dir = mkdtemp(tmpl);

	(void)state;
	assert_non_null(dir);
	snprintf(cmd, sizeof(cmd),
	    "cd '%s' && git init -q && mkdir -p a/b a-b c && "
	    "echo 1 >a/b/x && echo 2 >a-b/y && echo 3 >a.txt && "
	    "echo 4 >c/z && printf 'long' >'c/%0200d' && "
	    "ln -s a.txt link && git add -A && "
	    "git -c user.name=t -c user.email=t@e commit -qm one && "
	    "echo 5 >>a/b/x && echo 6 >new && git add a/b/x new", dir, 7);
	assert_int_equal(sh(cmd), 0);
	check_against_git(dir, 2);
	check_against_git(dir, 3);
	check_against_git(dir, 4);
	check_against_git(dir, 2);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	sh(cmd);
}

static void
test_delta(void **state)
{
	/* src 5, dst 11: copy 5 bytes from 0, insert " world" */
	static const char delta[] = "\x05\x0b\x90\x05\x06 world";
	static const char bad_copy[] = "\x05\x0b\x90\x09\x06 world";
	static const char bad_src[] = "\x04\x0b\x90\x05\x06 world";
	static const char zero_cmd[] = "\x05\x01\x00";
	char *out = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(gix_delta_apply("hello", 5, delta, sizeof(delta) - 1,
			     &out, &n),
	    GIX_OK);
	assert_int_equal(n, 11);
	assert_string_equal(out, "hello world");
	free(out);
	assert_int_equal(gix_delta_apply("hello", 5, bad_copy,
			     sizeof(bad_copy) - 1, &out, &n),
	    GIX_CORRUPT);
	assert_int_equal(gix_delta_apply("hello", 5, bad_src,
			     sizeof(bad_src) - 1, &out, &n),
	    GIX_CORRUPT);
	assert_int_equal(gix_delta_apply("hello", 5, zero_cmd,
			     sizeof(zero_cmd) - 1, &out, &n),
	    GIX_CORRUPT);
	/* the delta writes fewer bytes than it promised */
	assert_int_equal(gix_delta_apply("hello", 5, "\x05\x0b\x90\x05", 4,
			     &out, &n),
	    GIX_CORRUPT);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_bad_corpus),
	cmocka_unit_test(test_real_git),
	cmocka_unit_test(test_delta),
};

SEAL_UNIT_MAIN(tests)
