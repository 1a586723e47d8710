/* SPDX-License-Identifier: ISC */
/*
 * test-sshkey-wipe.c - the base64 body of an OpenSSH private key is the
 * key: no copy of it may go back to the heap unwiped. free() is wrapped
 * (-Wl,--wrap=free) and every block freed while a key is parsed is
 * searched for a run of the body.
 */
#include "config.h"

#include <malloc.h>
#include <string.h>

#include <seal.h>

#include "tests/unit/harness.h"

/* A throwaway ed25519 key made for this test (ssh-keygen -N ''). */
static const char key[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACAL8ik03kDFUHVKs+klsHPG5xPy2jUA1ZGd08TV15wxIgAAAIh6oxmBeqMZ\n"
    "gQAAAAtzc2gtZWQyNTUxOQAAACAL8ik03kDFUHVKs+klsHPG5xPy2jUA1ZGd08TV15wxIg\n"
    "AAAEA7wVciM2zh4Who3LZ3G+4SDSgmmz7QOIAQQmURo37dIgvyKTTeQMVQdUqz6SWwc8bn\n"
    "E/LaNQDVkZ3TxNXXnDEiAAAABHRlc3QB\n"
    "-----END OPENSSH PRIVATE KEY-----\n";

void __real_free(void *p);
void __wrap_free(void *p);

static int armed;
static int leaks;
static char needle[48];

void
__wrap_free(void *p)
{
	if (armed && p != NULL) {
		size_t n = malloc_usable_size(p);
		if (n >= sizeof(needle) && memmem(p, n, needle, sizeof(needle)))
			leaks++;
	}
	__real_free(p);
}

static void
openssh_body_is_wiped(void **state)
{
	const char *body = strchr(key, '\n') + 1;
	seal_identity *id = NULL;
	seal_ctx *ctx = NULL;

	(void)state;
	/* the middle of the first body line: the secret part of the key */
	memcpy(needle, body + 20, sizeof(needle));
	assert_int_equal(seal_ctx_new(&ctx), SEAL_OK);
	armed = 1;
	assert_int_equal(
	    seal_identity_parse(ctx, key, sizeof(key) - 1, &id), SEAL_OK);
	seal_identity_free(id);
	seal_ctx_free(ctx);
	armed = 0;
	assert_int_equal(leaks, 0);
}

static void
the_check_sees_a_leak(void **state)
{
	/* through volatile pointers, so the compiler keeps the pair */
	void *(*volatile alloc)(size_t) = malloc;
	void (*volatile release)(void *) = free;
	char *copy = alloc(sizeof(key));

	(void)state;
	assert_non_null(copy);
	memcpy(copy, key, sizeof(key));
	memcpy(needle, strchr(key, '\n') + 21, sizeof(needle));
	leaks = 0;
	armed = 1;
	release(copy); /* an unwiped copy: must be seen */
	armed = 0;
	assert_int_equal(leaks, 1);
	leaks = 0;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(the_check_sees_a_leak),
	cmocka_unit_test(openssh_body_is_wiped),
};

SEAL_UNIT_MAIN(tests)
