/* SPDX-License-Identifier: ISC */
/*
 * ctx.c - the seal_ctx lifecycle, the error slot and seal_strerror.
 * Messages follow git's grammar: lower case, no full stop, what failed
 * first, the subject in quotes. Untrusted text is escaped here, once.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/core.h"

const char *
seal_version(void)
{
	return PACKAGE_VERSION;
}

const char *
seal_strerror(seal_rc rc)
{
	switch (rc) {
	case SEAL_OK:
		return "success";
	case SEAL_ENOMEM:
		return "out of memory";
	case SEAL_EIO:
		return "input/output error";
	case SEAL_EPARSE:
		return "malformed input";
	case SEAL_EFORMAT:
		return "invalid format";
	case SEAL_EKEY:
		return "malformed key";
	case SEAL_ENOKEY:
		return "no identity matched";
	case SEAL_EAUTH:
		return "authentication failed";
	case SEAL_EINVAL:
		return "invalid argument";
	case SEAL_EUNSUPPORTED:
		return "unsupported";
	case SEAL_ELIMIT:
		return "input over limit";
	case SEAL_EREFUSED:
		return "refused";
	case SEAL_EARMOR:
		return "malformed armor";
	case SEAL_EPAYLOAD:
		return "payload authentication failed";
	case SEAL_EHEADER:
		return "malformed header";
	case SEAL_EREGEX:
		return "regex could not be evaluated";
	}
	return "unknown error";
}

seal_rc
seal_ctx_new(seal_ctx **out)
{
	seal_ctx *ctx;

	if (out == NULL)
		return SEAL_EINVAL;
	if (sodium_init() < 0)
		return SEAL_ENOMEM;
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return SEAL_ENOMEM;
	*out = ctx;
	return SEAL_OK;
}

void
seal_ctx_free(seal_ctx *ctx)
{
	if (ctx == NULL)
		return;
	sodium_memzero(ctx, sizeof(*ctx));
	free(ctx);
}

const char *
seal_ctx_errmsg(const seal_ctx *ctx)
{
	if (ctx == NULL)
		return "no context";
	if (ctx->errmsg[0] == '\0')
		return seal_strerror(ctx->last_rc);
	return ctx->errmsg;
}

static void
scrub(char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			*s = '?';
	}
}

seal_rc
seal__verr(seal_ctx *ctx, seal_rc rc, const char *fmt, va_list ap)
{
	if (ctx == NULL)
		return rc;
	ctx->last_rc = rc;
	vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
	scrub(ctx->errmsg);
	return rc;
}

seal_rc
seal__err(seal_ctx *ctx, seal_rc rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	seal__verr(ctx, rc, fmt, ap);
	va_end(ap);
	return rc;
}

void
seal__err_prefix(seal_ctx *ctx, const char *fmt, ...)
{
	char old[SEAL_ERRMSG_MAX];
	size_t n;
	va_list ap;
	int w;

	if (ctx == NULL)
		return;
	memcpy(old, ctx->errmsg, sizeof(old));
	if (old[0] == '\0')
		snprintf(old, sizeof(old), "%s", seal_strerror(ctx->last_rc));
	va_start(ap, fmt);
	w = vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
	va_end(ap);
	n = w < 0 ? 0 : (size_t)w;
	if (n + 3 < sizeof(ctx->errmsg)) {
		memcpy(ctx->errmsg + n, ": ", 2);
		n += 2;
		snprintf(ctx->errmsg + n, sizeof(ctx->errmsg) - n, "%.*s",
		    (int)(sizeof(ctx->errmsg) - n - 1), old);
	}
	scrub(ctx->errmsg);
}

void
seal__quote(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t i, o = 0;

	if (dstlen == 0)
		return;
	for (i = 0; i < srclen && o + 4 < dstlen; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (i < srclen && o + 4 <= dstlen) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

void
seal_quote(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	seal__quote(dst, dstlen, src, srclen);
}
