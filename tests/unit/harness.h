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

#define SEAL_UNIT_MAIN(tests)                                                \
	int main(void)                                                       \
	{                                                                    \
		int failed;                                                  \
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
