/* SPDX-License-Identifier: ISC */
/*
 * test-age-vectors.c - conformance over every CCTV age vector in
 * $SEAL_VECTORS/age: the exact outcome class, the SHA-256 of the released
 * plaintext (also the partial prefix of payload failures, through the
 * streaming API), and the all-or-nothing API releasing nothing on error.
 * One TAP case per vector; a summary count at the end.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#include "tests/unit/harness.h"

struct vec {
	char *path, *name;
};

static struct vec *vecs;
static size_t nvecs;
static int n_native, n_pq, n_bad;

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static unsigned char *
inflate_all(const unsigned char *in, size_t inlen, size_t *outlen)
{
	z_stream zs;
	unsigned char *out = NULL;
	size_t cap = 1 << 20;
	int zr;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK)
		return NULL;
	out = malloc(cap);
	zs.next_in = (unsigned char *)in;
	zs.avail_in = (uInt)inlen;
	for (;;) {
		zs.next_out = out + zs.total_out;
		zs.avail_out = (uInt)(cap - zs.total_out);
		zr = inflate(&zs, Z_NO_FLUSH);
		if (zr == Z_STREAM_END)
			break;
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			free(out);
			inflateEnd(&zs);
			return NULL;
		}
		if (zs.avail_out == 0) {
			cap *= 2;
			out = realloc(out, cap);
		} else if (zs.avail_in == 0) {
			free(out);
			inflateEnd(&zs);
			return NULL;
		}
	}
	*outlen = zs.total_out;
	inflateEnd(&zs);
	return out;
}

struct sink {
	crypto_hash_sha256_state sh;
	size_t n;
};

static int
sink_write(void *arg, const void *buf, size_t len)
{
	struct sink *s = arg;

	crypto_hash_sha256_update(&s->sh, buf, len);
	s->n += len;
	return 0;
}

struct memrd {
	const unsigned char *p;
	size_t len, off, step;
};

/* Hands out odd-sized pieces to exercise the readers' buffering. */
static int
mem_read(void *arg, void *buf, size_t len, size_t *got)
{
	struct memrd *m = arg;
	size_t n = m->len - m->off;

	if (n > len)
		n = len;
	if (m->step && n > m->step)
		n = m->step;
	memcpy(buf, m->p + m->off, n);
	m->off += n;
	*got = n;
	return 0;
}

static const char *
class_of(seal_rc rc)
{
	switch (rc) {
	case SEAL_OK:
		return "success";
	case SEAL_EHEADER:
		return "header failure";
	case SEAL_EARMOR:
		return "armor failure";
	case SEAL_EPAYLOAD:
		return "payload failure";
	case SEAL_ENOKEY:
		return "no match";
	case SEAL_EAUTH:
		return "HMAC failure";
	case SEAL_EUNSUPPORTED:
		return "unsupported";
	default:
		return "other error";
	}
}

static void
hexstr(char *out, const unsigned char *h)
{
	sodium_bin2hex(out, 65, h, 32);
}

static void
run_vector(void **state)
{
	const struct vec *v = *state;
	unsigned char *raw, *body, *age = NULL, digest[32];
	size_t rawlen, agelen, i;
	char expect[32] = "", payload[65] = "", got_hex[65], *hdr, *line, *save;
	bool armored = false, compressed = false, pq_id = false;
	seal_identity *id = NULL, *one;
	seal_ctx *ctx;
	struct sink sk;
	struct memrd m;
	seal_rc rc, rc2;
	const char *cls, *msg;

	assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
	raw = slurp(v->path, &rawlen);
	assert_non_null(raw);
	raw[rawlen] = 0;
	body = (unsigned char *)strstr((char *)raw, "\n\n");
	assert_non_null(body);
	*body = 0;
	body += 2;
	hdr = (char *)raw;
	for (line = strtok_r(hdr, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "expect: ", 8) == 0)
			snprintf(expect, sizeof(expect), "%s", line + 8);
		else if (strncmp(line, "payload: ", 9) == 0)
			snprintf(payload, sizeof(payload), "%s", line + 9);
		else if (strcmp(line, "armored: yes") == 0)
			armored = true;
		else if (strcmp(line, "compressed: zlib") == 0)
			compressed = true;
		else if (strncmp(line, "identity: ", 10) == 0) {
			rc = seal_identity_parse(ctx, line + 10,
			    strlen(line + 10), &one);
			if (rc == SEAL_EUNSUPPORTED) {
				pq_id = true;
				continue;
			}
			assert_int_equal(rc, SEAL_OK);
			assert_int_equal(seal_identity_merge(&id, one), SEAL_OK);
		} else if (strncmp(line, "passphrase: ", 12) == 0) {
			assert_int_equal(seal_identity_add_passphrase(ctx, &id,
					     line + 12, strlen(line + 12)),
			    SEAL_OK);
		}
	}
	agelen = rawlen - (size_t)(body - raw);
	if (compressed) {
		age = inflate_all(body, agelen, &agelen);
		assert_non_null(age);
	} else {
		age = malloc(agelen + 1);
		memcpy(age, body, agelen);
	}

	/* streaming: partial output must hash to payload */
	crypto_hash_sha256_init(&sk.sh);
	sk.n = 0;
	m = (struct memrd){ age, agelen, 0, 7777 };
	rc = seal_age_decrypt(ctx, id, armored ? SEAL_AGE_ARMOR : 0, mem_read,
	    &m, sink_write, &sk);
	crypto_hash_sha256_final(&sk.sh, digest);
	hexstr(got_hex, digest);
	cls = class_of(rc);
	msg = seal_ctx_errmsg(ctx);
	if (rc != SEAL_OK)
		assert_null(strchr(msg, '\n'));
	if (pq_id && rc == SEAL_EUNSUPPORTED) {
		n_pq++;
		printf("# %s: unsupported (post-quantum): %s\n", v->name, msg);
		assert_int_equal(sk.n, 0);
		goto out;
	}
	if (strcmp(cls, expect) != 0) {
		n_bad++;
		fail_msg("%s: expected '%s', got '%s' (%s)", v->name, expect,
		    cls, msg);
	}
	if (rc == SEAL_OK || rc == SEAL_EPAYLOAD) {
		if (strcmp(got_hex, payload) != 0) {
			n_bad++;
			fail_msg("%s: released plaintext hash %s, want %s",
			    v->name, got_hex, payload);
		}
	} else if (sk.n != 0) {
		n_bad++;
		fail_msg("%s: %zu bytes released on %s", v->name, sk.n, cls);
	}

	/* all-or-nothing: same class, nothing released on failure */
	crypto_hash_sha256_init(&sk.sh);
	sk.n = 0;
	rc2 = seal_age_decrypt_buf(ctx, id, armored ? SEAL_AGE_ARMOR : 0, age,
	    agelen, sink_write, &sk);
	crypto_hash_sha256_final(&sk.sh, digest);
	hexstr(got_hex, digest);
	if (rc2 != rc) {
		n_bad++;
		fail_msg("%s: buffer API gave '%s', stream API '%s'", v->name,
		    class_of(rc2), cls);
	}
	if (rc2 == SEAL_OK)
		assert_string_equal(got_hex, payload);
	else
		assert_int_equal(sk.n, 0);
	n_native++;
out:
	for (i = 0; i < 1; i++)
		;
	seal_identity_free(id);
	seal_ctx_free(ctx);
	free(age);
	free(raw);
}

static int
cmp_vec(const void *a, const void *b)
{
	return strcmp(((const struct vec *)a)->name,
	    ((const struct vec *)b)->name);
}

static void
summary(void **state)
{
	(void)state;
	printf("# age vectors: %d/%zu as expected (%d decrypted or rejected "
	       "natively, %d unsupported PQ)\n",
	    n_native + n_pq, nvecs, n_native, n_pq);
	assert_int_equal(n_bad, 0);
	assert_int_equal((size_t)(n_native + n_pq), nvecs);
}

int
main(void)
{
	struct CMUnitTest *tests;
	char dir[4096], path[4352];
	struct dirent *de;
	DIR *d;
	size_t i;
	int failed;

	seal_test_need_vectors("age");
	cmocka_set_message_output(CM_OUTPUT_TAP);
	if (sodium_init() < 0)
		return 99;
	snprintf(dir, sizeof(dir), "%s/age", seal_test_vectors());
	d = opendir(dir);
	if (d == NULL) {
		printf("1..1\nnot ok 1 - cannot open %s\n", dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "README.md") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		vecs = realloc(vecs, (nvecs + 1) * sizeof(*vecs));
		vecs[nvecs].path = strdup(path);
		vecs[nvecs].name = strdup(de->d_name);
		nvecs++;
	}
	closedir(d);
	qsort(vecs, nvecs, sizeof(*vecs), cmp_vec);
	tests = calloc(nvecs + 1, sizeof(*tests));
	for (i = 0; i < nvecs; i++) {
		tests[i].name = vecs[i].name;
		tests[i].test_func = run_vector;
		tests[i].initial_state = &vecs[i];
	}
	tests[nvecs].name = "summary";
	tests[nvecs].test_func = summary;
	failed = _cmocka_run_group_tests("age-vectors", tests, nvecs + 1, NULL,
	    NULL);
	for (i = 0; i < nvecs; i++) {
		free(vecs[i].path);
		free(vecs[i].name);
	}
	free(vecs);
	free(tests);
	if (seal__secmem_live() != 0) {
		printf("not ok - %ld secure allocation(s) leaked\n",
		    seal__secmem_live());
		return 1;
	}
	return failed;
}
