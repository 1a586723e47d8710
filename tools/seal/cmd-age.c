/* SPDX-License-Identifier: ISC */
/*
 * cmd-age.c - `seal age`, a drop-in for the age CLI: the same flags
 * (-e -d -r -R -i -a -p -o), armor auto-detection on decrypt, passphrases
 * only from the terminal. Plaintext output to a file is all-or-nothing
 * (temporary file renamed on success); to stdout up to 16 MiB is held
 * back until the whole file authenticated.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "tools/seal/cmd-age.h"
#include "tools/common/cmd.h"
#include "tools/common/options.h"
#include "tools/common/util.h"

#define HOLD_MAX (16u << 20)
#define PEEK 4096 /* enough for the header's first stanza, armored or not */

static const char *const usage[] = {
	"[-e] (-r RECIPIENT | -R PATH)... [-a] [-o OUTPUT] [INPUT]",
	"[-e] -p [-a] [-o OUTPUT] [INPUT]",
	"-d [-i PATH]... [-o OUTPUT] [INPUT]",
	NULL,
};

static const char footer[] = "INPUT defaults to stdin, OUTPUT to stdout.\n";

/* ---- I/O callbacks ------------------------------------------------------ */

struct in_src {
	int fd;
	const unsigned char *pre; /* bytes already read, replayed first */
	size_t prelen, preoff;
};

static int
in_read(void *arg, void *buf, size_t len, size_t *got)
{
	struct in_src *s = arg;
	ssize_t r;

	if (s->preoff < s->prelen) {
		*got = s->prelen - s->preoff;
		if (*got > len)
			*got = len;
		memcpy(buf, s->pre + s->preoff, *got);
		s->preoff += *got;
		return 0;
	}
	for (;;) {
		r = read(s->fd, buf, len);
		if (r >= 0)
			break;
		if (errno != EINTR)
			return -1;
	}
	*got = (size_t)r;
	return 0;
}

/*
 * Holds output back until HOLD_MAX, then streams. The held plaintext is
 * in guarded memory, wiped when dropped: the first HOLD_SMALL bytes in a
 * sodium_malloc block; beyond, in a secret huge-page mapping (4096 small
 * page faults for 16 MiB cost tens of ms here; 8 huge ones do not).
 */
#define HOLD_SMALL (64u << 10)

struct hold {
	seal_write_fn write;
	void *arg;
	unsigned char *buf;
	seal_bigbuf *big; /* buf's mapping once past HOLD_SMALL */
	size_t len, cap;
	bool streaming;
};

static void
hold_drop(struct hold *h)
{
	if (h->big != NULL) {
		seal_bigbuf_free(h->big, h->len);
		h->big = NULL;
	} else if (h->buf != NULL) {
		sodium_free(h->buf); /* wipes it */
	}
	h->buf = NULL;
	h->len = h->cap = 0;
}

static int
hold_grow(struct hold *h, size_t need)
{
	unsigned char *nb;
	seal_bigbuf *big = NULL;
	size_t len = h->len;

	if (need <= HOLD_SMALL) {
		if ((nb = sodium_malloc(HOLD_SMALL)) == NULL)
			return -1;
	} else if ((big = seal_bigbuf_new(HOLD_MAX, 1)) == NULL) {
		return -1;
	} else {
		nb = seal_bigbuf_data(big);
	}
	if (len > 0)
		memcpy(nb, h->buf, len);
	hold_drop(h);
	h->buf = nb;
	h->big = big;
	h->len = len;
	h->cap = need <= HOLD_SMALL ? HOLD_SMALL : HOLD_MAX;
	return 0;
}

static int
hold_write(void *arg, const void *p, size_t n)
{
	struct hold *h = arg;

	if (!h->streaming && h->len + n <= HOLD_MAX) {
		if (h->len + n > h->cap && hold_grow(h, h->len + n) != 0)
			return -1;
		memcpy(h->buf + h->len, p, n);
		h->len += n;
		return 0;
	}
	if (!h->streaming) {
		h->streaming = true;
		if (h->len > 0 && h->write(h->arg, h->buf, h->len) != 0)
			return -1;
		hold_drop(h);
	}
	return h->write(h->arg, p, n);
}

static int
hold_flush(struct hold *h)
{
	int rc = 0;

	if (h->len > 0)
		rc = h->write(h->arg, h->buf, h->len);
	return rc;
}

/* -r, -R, -i: the lists keep the order of the command line */
static int
push(const struct opt *opt, const char *arg)
{
	struct age_opts *o = opt->value;
	char ***v = opt->short_name == 'r' ? &o->rcpts :
	    opt->short_name == 'R'	       ? &o->rfiles :
					 &o->ids;
	size_t *n = opt->short_name == 'r' ? &o->nr :
	    opt->short_name == 'R'	       ? &o->nrf :
					 &o->ni;
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (nv == NULL) {
		error("out of memory");
		return -1;
	}
	*v = nv;
	(*v)[(*n)++] = (char *)arg;
	return 0;
}

/* ---- output ------------------------------------------------------------- */

struct out {
	struct atomic_file af;
	bool atomic;
	int fd;
};

/* private: plaintext, the file is left 0600 whatever its mode was */
static int
out_open(struct out *o, const char *path, bool private)
{
	struct stat st;

	memset(o, 0, sizeof(*o));
	o->fd = 1;
	if (path == NULL || strcmp(path, "-") == 0)
		return 0;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* /dev/null, a FIFO, a terminal: write directly */
		o->fd = open(path, O_WRONLY | O_CLOEXEC);
		if (o->fd < 0) {
			error("cannot open '%s': %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if ((private ? atomic_open_private(&o->af, path)
		     : atomic_open(&o->af, path)) != 0)
		return -1;
	o->atomic = true;
	return 0;
}

static int
out_write(void *arg, const void *buf, size_t len)
{
	struct out *o = arg;

	if (o->atomic)
		return atomic_write_fn(&o->af, buf, len);
	return fd_write_fn(&o->fd, buf, len);
}

static int
out_close(struct out *o, bool ok)
{
	if (o->atomic) {
		if (!ok) {
			atomic_abort(&o->af);
			return -1;
		}
		return atomic_commit(&o->af);
	}
	if (o->fd > 1)
		close(o->fd);
	return ok ? 0 : -1;
}

/* ---- the two directions ------------------------------------------------- */

static int
do_encrypt(seal_ctx *ctx, const struct age_opts *o, int infd)
{
	seal_recipient **list = NULL, *sr;
	size_t n = 0, plen = 0, p2len = 0;
	struct in_src src = { infd, NULL, 0, 0 };
	char *pass = NULL, *pass2 = NULL;
	struct out out;
	int ec = EXIT_TROUBLE;
	seal_rc rc;

	if (o->pass) {
		pass = age_read_pass("Enter passphrase (leave empty to "
				 "autogenerate a secure one): ", &plen);
		if (pass == NULL)
			goto out;
		if (plen == 0) {
			sodium_free(pass);
			if ((pass = age_autogen_pass(&plen)) == NULL)
				goto out;
			fprintf(stderr, "%s: using autogenerated passphrase "
			    "\"%s\"\n", progname, pass);
		} else {
			pass2 = age_read_pass("Confirm passphrase: ", &p2len);
			if (pass2 == NULL)
				goto out;
			if (plen != p2len || sodium_memcmp(pass, pass2,
						 plen) != 0) {
				error("passphrases didn't match");
				goto out;
			}
		}
		rc = seal_recipient_scrypt(ctx, pass, plen, 0, &sr);
		if (rc != SEAL_OK) {
			error("%s", seal_ctx_errmsg(ctx));
			goto out;
		}
		list = malloc(sizeof(*list));
		if (list == NULL)
			die(EXIT_TROUBLE, "out of memory");
		list[n++] = sr;
	} else if ((ec = age_load_recipients(ctx, o, &list, &n)) != EXIT_OK) {
		goto out;
	}
	ec = EXIT_TROUBLE;
	if (n == 0) {
		error("missing recipients; use -r, -R, -i or -p");
		goto out;
	}
	if (!o->armor && (o->out == NULL || strcmp(o->out, "-") == 0) &&
	    isatty(1)) {
		error("refusing to output binary to the terminal; did you "
		      "mean to use -a/--armor?");
		goto out;
	}
	if (out_open(&out, o->out, false) != 0)
		goto out;
	rc = seal_age_encrypt(ctx, list, n, o->armor ? SEAL_AGE_ARMOR : 0,
	    in_read, &src, out_write, &out);
	if (rc != SEAL_OK) {
		out_close(&out, false);
		error("cannot encrypt '%s': %s", age_disp(o->in),
		    seal_ctx_errmsg(ctx));
		ec = exit_code_for(rc);
		goto out;
	}
	if (out_close(&out, true) != 0)
		goto out;
	ec = EXIT_OK;
out:
	if (pass != NULL)
		sodium_free(pass);
	if (pass2 != NULL)
		sodium_free(pass2);
	seal_recipients_free(list, n);
	return ec;
}

static int
do_decrypt(seal_ctx *ctx, const struct age_opts *o, int infd)
{
	unsigned char *peek = NULL;
	struct in_src src = { infd, NULL, 0, 0 };
	seal_identity *id = NULL;
	struct hold hold;
	struct out out;
	size_t got = 0, plen;
	ssize_t r;
	char *pass;
	int ec;
	seal_rc rc;
	bool ok;

	memset(&hold, 0, sizeof(hold));
	if ((ec = age_load_identities(ctx, o, &id)) != EXIT_OK)
		goto out;
	ec = EXIT_TROUBLE;
	/* peek at the start: a passphrase file needs the prompt */
	peek = malloc(PEEK);
	if (peek == NULL)
		die(EXIT_TROUBLE, "out of memory");
	while (got < PEEK) {
		r = read(infd, peek + got, PEEK - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			error("cannot read '%s': %s", age_disp(o->in),
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	src.pre = peek;
	src.prelen = got;
	if (seal_age_is_passphrase_file(peek, got)) {
		if (o->ni > 0) {
			error("'%s' is passphrase-encrypted; drop -i to be "
			      "asked for the passphrase", age_disp(o->in));
			goto out;
		}
		pass = age_read_pass("Enter passphrase: ", &plen);
		if (pass == NULL)
			goto out;
		rc = seal_identity_add_passphrase(ctx, &id, pass, plen);
		sodium_free(pass);
		if (rc != SEAL_OK) {
			error("%s", seal_ctx_errmsg(ctx));
			goto out;
		}
	} else if (o->ni == 0) {
		error("missing identity; use -i FILE (e.g. the file written "
		      "by seal keygen)");
		goto out;
	}
	if (out_open(&out, o->out, true) != 0)
		goto out;
	hold.write = out_write;
	hold.arg = &out;
	/* a file output is atomic already: no need to hold back */
	hold.streaming = out.atomic;
	rc = seal_age_decrypt(ctx, id, SEAL_AGE_DETECT_ARMOR, in_read, &src,
	    hold_write, &hold);
	ok = rc == SEAL_OK && hold_flush(&hold) == 0;
	if (out_close(&out, ok) != 0 || !ok) {
		if (rc != SEAL_OK) {
			error("cannot decrypt '%s': %s", age_disp(o->in),
			    seal_ctx_errmsg(ctx));
			ec = exit_code_for(rc);
		} else if (!out.atomic) {
			error("cannot write output: %s", strerror(errno));
		}
		goto out;
	}
	ec = EXIT_OK;
out:
	hold_drop(&hold);
	free(peek);
	seal_identity_free(id);
	return ec;
}

int
cmd_age(int argc, char **argv)
{
	struct age_opts o;
	const struct opt opts[] = {
		OPT_BOOL('e', "encrypt", &o.enc, "encrypt (the default)"),
		OPT_BOOL('d', "decrypt", &o.dec, "decrypt; armor is detected"),
		OPT_STRING('o', "output", &o.out, "OUTPUT",
		    "write to OUTPUT instead of stdout"),
		OPT_BOOL('a', "armor", &o.armor,
		    "encrypt to a PEM-armored text file"),
		OPT_BOOL('p', "passphrase", &o.pass,
		    "encrypt with a passphrase (read from\nthe terminal)"),
		OPT_CALLBACK('r', "recipient", &o, "RCPT",
		    "encrypt to RCPT (age1..., ssh-ed25519\n"
		    "or ssh-rsa public key); repeatable", push),
		OPT_CALLBACK('R', "recipients-file", &o, "PATH",
		    "encrypt to the recipients in PATH", push),
		OPT_CALLBACK('i', "identity", &o, "PATH",
		    "decrypt with the identities in PATH\n"
		    "(age keys or an OpenSSH private key);\n"
		    "with -e, encrypt to their recipients", push),
		OPT_END(),
	};
	const struct opt_cmd cmd = { .name = "seal age", .usage = usage,
		.opts = opts, .footer = footer };
	seal_ctx *ctx = NULL;
	int infd = 0, ec;

	harden_process();
	memset(&o, 0, sizeof(o));
	if ((argc = opt_parse(&cmd, argc, argv)) < 0) {
		ec = opt_exit(argc);
		goto out;
	}
	ec = EXIT_TROUBLE;
	if (argc > 1) {
		error("too many arguments: '%s'; only one INPUT is allowed "
		      "(flags go before it)", argv[1]);
		goto out;
	}
	o.in = argc == 1 ? argv[0] : NULL;
	if (o.enc && o.dec) {
		error("-e/--encrypt can't be used with -d/--decrypt");
		goto out;
	}
	if (o.dec && (o.armor || o.pass || o.nr || o.nrf)) {
		error("-d/--decrypt can't be used with %s",
		    o.armor ? "-a/--armor" : o.pass ? "-p/--passphrase" :
						       "-r/-R (recipients)");
		goto out;
	}
	if (o.pass && (o.nr || o.nrf || o.ni)) {
		error("-p/--passphrase can't be combined with -r, -R or -i");
		goto out;
	}
	if (o.out != NULL && o.in != NULL && strcmp(o.out, o.in) == 0 &&
	    strcmp(o.out, "-") != 0) {
		error("input and output are the same file '%s'", o.in);
		goto out;
	}
	if (o.in != NULL && strcmp(o.in, "-") != 0) {
		infd = open(o.in, O_RDONLY | O_CLOEXEC);
		if (infd < 0) {
			error("cannot open '%s': %s", o.in, strerror(errno));
			goto out;
		}
	}
	if (seal_ctx_new(&ctx) != SEAL_OK)
		die(EXIT_TROUBLE, "out of memory");
	ec = o.dec ? do_decrypt(ctx, &o, infd) : do_encrypt(ctx, &o, infd);
out:
	if (infd > 0)
		close(infd);
	seal_ctx_free(ctx);
	free(o.rcpts);
	free(o.rfiles);
	free(o.ids);
	return ec;
}
