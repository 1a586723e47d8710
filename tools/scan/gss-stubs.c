/* SPDX-License-Identifier: ISC */
/*
 * gss-stubs.c - the GSSAPI entry points libgit2.a refers to (its HTTP
 * "Negotiate" authentication), for the static seal-scan only: Debian has
 * no static GSSAPI library, and seal-scan never opens a remote. Each
 * answers GSS_S_FAILURE, so libgit2 would report the mechanism as
 * unavailable were it ever asked.
 */
#include "config.h"

#include <stdint.h>

#define GSS_FAILURE (13u << 16) /* GSS_S_FAILURE */

void *GSS_C_NT_HOSTBASED_SERVICE;

#define STUB(name)                                                     \
	uint32_t name(uint32_t *minor);                                \
	uint32_t name(uint32_t *minor)                                 \
	{                                                              \
		if (minor)                                             \
			*minor = 0;                                    \
		return GSS_FAILURE;                                    \
	}

STUB(gss_delete_sec_context)
STUB(gss_display_status)
STUB(gss_import_name)
STUB(gss_indicate_mechs)
STUB(gss_init_sec_context)
STUB(gss_release_buffer)
STUB(gss_release_name)
STUB(gss_release_oid_set)
