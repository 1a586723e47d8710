/* SPDX-License-Identifier: ISC */
/*
 * cmd-age-keys.c - the key side of `seal age` and `seal keygen`: identity
 * files (-i), recipients (-r, -R, and -e -i as age does) and passphrases
 * read from the terminal. No encryption or file output here.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "keys/keyfile.h"
#include "tools/seal/cmd-age.h"
#include "tools/common/cmd.h"
#include "tools/common/util.h"

#define MAX_KEY_FILE (16u << 20)
#define PASS_MAX 1024

const char *
age_disp(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0 ? "stdin" : path;
}

int
age_load_identity_file(seal_ctx *ctx, const char *path, seal_identity **out)
{
	unsigned char *buf;
	size_t len;
	seal_rc rc;

	*out = NULL;
	rc = keys_private_file_read(ctx, path, MAX_KEY_FILE, &buf, &len);
	if (rc != SEAL_OK) {
		error("%s", seal_ctx_errmsg(ctx));
		return EXIT_TROUBLE;
	}
	if (len >= 14 && (memcmp(buf, "age-encryption", 14) == 0 ||
			     memcmp(buf, "-----BEGIN AGE", 14) == 0)) {
		keys_private_file_free(buf, len);
		error("'%s' is an encrypted identity file; decrypt it first "
		      "with: seal age -d -o KEYFILE '%s'",
		    path, path);
		return EXIT_TROUBLE;
	}
	rc = seal_identity_parse(ctx, (const char *)buf, len, out);
	keys_private_file_free(buf, len);
	if (rc != SEAL_OK) {
		error("cannot read identities from '%s': %s", age_disp(path),
		    seal_ctx_errmsg(ctx));
		return exit_code_for(rc);
	}
	return EXIT_OK;
}

int
age_load_identities(seal_ctx *ctx, const struct age_opts *o,
    seal_identity **out)
{
	seal_identity *one;
	size_t i;
	int ec;

	for (i = 0; i < o->ni; i++) {
		if ((ec = age_load_identity_file(ctx, o->ids[i], &one)) !=
		    EXIT_OK)
			return ec;
		if (seal_identity_merge(out, one) != SEAL_OK) {
			error("out of memory");
			return EXIT_TROUBLE;
		}
	}
	return EXIT_OK;
}

static void
add(seal_recipient ***list, size_t *n, seal_recipient *r)
{
	seal_recipient **nl;

	nl = realloc(*list, (*n + 1) * sizeof(**list));
	if (nl == NULL)
		die(EXIT_TROUBLE, "out of memory");
	*list = nl;
	(*list)[(*n)++] = r;
}

int
age_load_recipients(seal_ctx *ctx, const struct age_opts *o,
    seal_recipient ***list, size_t *n)
{
	seal_identity *ids = NULL;
	seal_recipient *r;
	char *buf, *s;
	size_t i, len;
	seal_rc rc;
	int ec;

	for (i = 0; i < o->nr; i++) {
		rc = seal_recipient_parse(ctx, o->rcpts[i], strlen(o->rcpts[i]),
		    &r);
		if (rc != SEAL_OK) {
			error("invalid recipient: %s", seal_ctx_errmsg(ctx));
			return EXIT_TROUBLE;
		}
		add(list, n, r);
	}
	for (i = 0; i < o->nrf; i++) {
		if (read_file(o->rfiles[i], MAX_KEY_FILE, &buf, &len) != 0)
			return EXIT_TROUBLE;
		rc = seal_recipients_parse_file(ctx, buf, len, list, n);
		free(buf);
		if (rc != SEAL_OK) {
			error("cannot read recipients from '%s': %s",
			    age_disp(o->rfiles[i]), seal_ctx_errmsg(ctx));
			return EXIT_TROUBLE;
		}
	}
	/* -e -i: encrypt to the identities' recipients, as age does */
	if ((ec = age_load_identities(ctx, o, &ids)) != EXIT_OK) {
		seal_identity_free(ids);
		return ec;
	}
	for (i = 0; i < seal_identity_count(ids); i++) {
		if (seal_identity_recipient(ctx, ids, i, &s) != SEAL_OK)
			continue;
		rc = seal_recipient_parse(ctx, s, strlen(s), &r);
		free(s);
		if (rc != SEAL_OK) {
			seal_identity_free(ids);
			error("%s", seal_ctx_errmsg(ctx));
			return EXIT_TROUBLE;
		}
		add(list, n, r);
	}
	seal_identity_free(ids);
	return EXIT_OK;
}

char *
age_read_pass(const char *prompt, size_t *len)
{
	struct termios old, raw;
	char *buf;
	size_t n = 0;
	ssize_t r;
	char c;
	int fd;

	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		error("cannot read a passphrase: no terminal (%s)",
		    strerror(errno));
		return NULL;
	}
	buf = sodium_malloc(PASS_MAX + 1);
	if (buf == NULL) {
		close(fd);
		error("out of secure memory");
		return NULL;
	}
	/* echo off first: flushing typeahead after the prompt could eat an
	 * answer typed (or piped through a pty) right after it */
	if (tcgetattr(fd, &old) == 0) {
		raw = old;
		raw.c_lflag &= ~(tcflag_t)ECHO;
		raw.c_lflag |= ECHONL;
		tcsetattr(fd, TCSAFLUSH, &raw);
	}
	(void)!write(fd, prompt, strlen(prompt));
	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		if (c == '\r')
			continue;
		if (n < PASS_MAX)
			buf[n++] = c;
	}
	c = 0;
	buf[n] = 0;
	tcsetattr(fd, TCSANOW, &old);
	close(fd);
	*len = n;
	return buf;
}

char *
age_autogen_pass(size_t *len)
{
	static const char alpha[] = "abcdefghijkmnpqrstuvwxyz23456789";
	unsigned char rnd[20];
	char *buf = sodium_malloc(32);
	size_t i, o = 0;

	if (buf == NULL)
		return NULL;
	randombytes_buf(rnd, sizeof(rnd));
	for (i = 0; i < sizeof(rnd); i++) {
		if (i > 0 && i % 5 == 0)
			buf[o++] = '-';
		buf[o++] = alpha[rnd[i] & 31];
	}
	buf[o] = 0;
	sodium_memzero(rnd, sizeof(rnd));
	*len = o;
	return buf;
}
