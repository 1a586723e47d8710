/* SPDX-License-Identifier: ISC */
/*
 * harness.h - what every cmocka unit test shares: TAP output (one
 * PASS/FAIL line per case in `make check`), libsodium initialised, and a
 * final check that no secure allocation leaked (LeakSanitizer cannot see
 * sodium_malloc's mmap'd blocks, so secmem.c counts them).
 *
 *   static const struct CMUnitTest tests[] = { cmocka_unit_test(x), };
 *   SEAL_UNIT_MAIN(tests)
 */
#ifndef SEAL_TEST_HARNESS_H
#define SEAL_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/core.h"

/* The external vectors folder, or NULL: a skip locally, a failure in CI. */
static inline const char *
seal_test_vectors(void)
{
	const char *v = getenv("SEAL_VECTORS");
	return v && *v ? v : "../shared/vectors";
}

/*
 * Call first in main of a test program that reads $SEAL_VECTORS/sub.
 * When the folder is missing: locally the whole program is a TAP skip
 * ("1..0 # SKIP ...", which automake counts as SKIP; cmocka's skip()
 * prints "not ok N # SKIP", which automake counts as a failure), and in
 * CI (CI=true) a failure: a release tarball's `make check` passes on a
 * machine without ../shared, and CI never runs without its vectors.
 */
static inline void
seal_test_need_vectors(const char *sub)
{
	const char *ci = getenv("CI");
	char dir[4096];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/%s", seal_test_vectors(), sub);
	if ((f = fopen(dir, "r")) != NULL) { /* a directory opens for reading */
		fclose(f);
		return;
	}
	if (ci != NULL && strcmp(ci, "true") == 0) {
		printf("1..1\nnot ok 1 - vectors folder %s missing in CI\n", dir);
		exit(1);
	}
	printf("1..0 # SKIP vectors folder %s missing\n", dir);
	exit(0);
}

#define SEAL_UNIT_MAIN(tests) SEAL_UNIT_MAIN_VECTORS(tests, NULL)

/* The same for a program whose cases all read $SEAL_VECTORS/sub. */
#define SEAL_UNIT_MAIN_VECTORS(tests, sub)                                   \
	int main(void)                                                       \
	{                                                                    \
		int failed;                                                  \
		if ((sub) != NULL)                                           \
			seal_test_need_vectors(sub);                         \
		cmocka_set_message_output(CM_OUTPUT_TAP);                    \
		if (sodium_init() < 0)                                       \
			return 99;                                           \
		failed = cmocka_run_group_tests(tests, NULL, NULL);          \
		if (seal__secmem_live() != 0) {                              \
			printf("not ok - %ld secure allocation(s) leaked\n", \
			    seal__secmem_live());                            \
			return 1;                                            \
		}                                                            \
		return failed;                                               \
	}

#endif
