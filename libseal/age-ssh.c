/* SPDX-License-Identifier: ISC */
/* age-ssh.c - ssh-ed25519 and ssh-rsa stanzas (placeholder). */
#include "config.h"

#include <stdlib.h>

#include "age-internal.h"

seal_rc
seal__ssh_recipient_parse(seal_ctx *ctx, const char *s, size_t len,
    seal_recipient **out)
{
	(void)s; (void)len; *out = NULL;
	return seal__err(ctx, SEAL_EUNSUPPORTED, "ssh recipients not yet supported");
}

seal_rc
seal__ssh_identity_parse(seal_ctx *ctx, const char *buf, size_t len,
    seal_identity **out)
{
	(void)buf; (void)len; *out = NULL;
	return seal__err(ctx, SEAL_EUNSUPPORTED, "ssh identities not yet supported");
}

seal_rc
seal__ssh_wrap(seal_ctx *ctx, const seal_recipient *r,
    const unsigned char *fk, struct seal__hbuf *hb)
{
	(void)r; (void)fk; (void)hb;
	return seal__err(ctx, SEAL_EUNSUPPORTED, "ssh recipients not yet supported");
}

seal_rc
seal__ssh_unwrap(seal_ctx *ctx, const struct seal__age_id *id,
    const struct seal__age_header *h, const struct seal__stanza *s,
    unsigned char *fk)
{
	(void)ctx; (void)id; (void)h; (void)s; (void)fk;
	return SEAL_ENOKEY;
}

void
seal__ssh_free_key(void *rsa)
{
	(void)rsa;
}

char *
seal__ssh_recipient_string(const struct seal__age_id *id)
{
	(void)id;
	return NULL;
}
