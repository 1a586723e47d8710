/* SPDX-License-Identifier: ISC */
/*
 * sops-common.c - the option parser, loading, identities, creation
 * rules and all-or-nothing output shared by the SOPS subcommands. The
 * subcommand files hold only their own flow.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <sodium.h>

#include "keys/keys.h"
#include "tools/common/cmd.h"
#include "tools/seal/sops-common.h"
#include "tools/common/util.h"

int sops_compat;

void
sops_note(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (verbosity < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", progname, msg);
}

#define INPUT_MAX ((size_t)64 << 20)

int
sops_opt_list(const struct opt *opt, const char *arg)
{
	struct sops_opts *o = opt->value;
	const char ***list = opt->defval == 0 ? &o->age :
	    opt->defval == 1			  ? &o->add_age :
						    &o->rm_age;
	size_t *n = opt->defval == 0 ? &o->nage :
	    opt->defval == 1	     ? &o->nadd :
				       &o->nrm;
	const char **nl = realloc(*list, (*n + 1) * sizeof(*nl));

	if (nl == NULL) {
		error("out of memory");
		return -1;
	}
	nl[(*n)++] = arg;
	*list = nl;
	return 0;
}

int
sops_opt_rule(const struct opt *opt, const char *arg)
{
	static const char *const rn[] = { "encrypted_regex",
		"unencrypted_regex", "encrypted_suffix", "unencrypted_suffix",
		"encrypted_comment_regex", "unencrypted_comment_regex" };
	struct sops_opts *o = opt->value;
	const char *name = rn[opt->defval];

	if (o->rule_name != NULL && strcmp(o->rule_name, name) != 0) {
		error("--%s and --%s cannot be used together (one selection "
		      "rule per file)",
		    o->rule_name, name);
		return -1;
	}
	o->rule_name = name;
	o->rule_arg = arg;
	return 0;
}

int
sops_opt_indent(const struct opt *opt, const char *arg)
{
	struct sops_opts *o = opt->value;
	char *end;

	errno = 0;
	o->indent = (int)strtol(arg, &end, 10);
	if (errno || end == arg || *end || o->indent < 0 || o->indent > 16) {
		error("--indent wants a number from 0 to 16");
		return -1;
	}
	return 0;
}

int
sops_opt_type(const struct opt *opt, const char *arg)
{
	if (!seal_sops_format_from_name(arg)) {
		error("unknown --%s '%s' (yaml, json, dotenv, binary)",
		    opt->long_name, arg);
		return -1;
	}
	*(const char **)opt->value = arg;
	return 0;
}

int
sops_parse(const struct opt_cmd *cmd, int argc, char **argv,
    struct sops_opts *o)
{
	const char *name = argv[0];
	int n;

	memset(o, 0, sizeof(*o));
	o->cmd = name;
	o->indent = -1;
	if ((n = opt_parse(cmd, argc, argv)) < 0)
		return opt_exit(n);
	o->files = argv;
	o->nfiles = n;
	if (o->in_place && o->output != NULL) {
		error("--in-place and --output cannot be used together");
		return 2;
	}
	return -1;
}

void
sops_opts_free(struct sops_opts *o)
{
	free(o->age);
	free(o->add_age);
	free(o->rm_age);
}

int
sops_exit(seal_rc rc, bool sealed)
{
	if (sops_compat) {
		switch (rc) {
		case SEAL_OK:
			return 0;
		case SEAL_EAUTH:
			return 51;
		case SEAL_ENOKEY:
			return 128;
		case SEAL_EREFUSED:
			return 203;
		case SEAL_EIO:
			return 3;
		default:
			return 1;
		}
	}
	switch (rc) {
	case SEAL_OK:
		return EXIT_OK;
	case SEAL_EPARSE:
	case SEAL_EFORMAT:
	case SEAL_ELIMIT:
	case SEAL_EUNSUPPORTED:
		return sealed ? EXIT_NEGATIVE : EXIT_TROUBLE;
	default:
		return exit_code_for(rc);
	}
}

int
sops_fail(seal_ctx *ctx, seal_rc rc, bool sealed)
{
	error("%s", seal_ctx_errmsg(ctx));
	return sops_exit(rc, sealed);
}

const char *
sops_name(const struct sops_opts *o, const char *path)
{
	if (o->filename_override != NULL)
		return o->filename_override;
	return path;
}

int
sops_input_format(const struct sops_opts *o, const char *path)
{
	if (o->input_type != NULL)
		return seal_sops_format_from_name(o->input_type);
	return seal_sops_format_from_path(sops_name(o, path));
}

int
sops_output_format(const struct sops_opts *o, const char *path)
{
	if (o->output_type != NULL)
		return seal_sops_format_from_name(o->output_type);
	if (o->input_type != NULL)
		return seal_sops_format_from_name(o->input_type);
	return seal_sops_format_from_path(sops_name(o, path));
}

/*
 * A big regular file (a 10 MB manifest stream) is read into one secret
 * block on huge pages (libseal/bigmem.c): read_file_secure's
 * sodium_malloc fills the block twice and faults it in 4 KiB at a time,
 * which was a tenth of sealing such a file. 1: not handled here (small,
 * not a regular file, or it changed size), 0: read, else an exit code.
 */
#define BIG_INPUT ((size_t)1 << 20)

static int
load_big(const char *path, seal_bigbuf **m, size_t *len)
{
	struct stat st;
	unsigned char *p;
	size_t n = 0, cap;
	ssize_t r;
	int fd;

	*m = NULL;
	if (strcmp(path, "-") == 0 || stat(path, &st) != 0 ||
	    !S_ISREG(st.st_mode) || (size_t)st.st_size < BIG_INPUT ||
	    (size_t)st.st_size > INPUT_MAX)
		return 1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1; /* read_file_secure says why */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > INPUT_MAX ||
	    (*m = seal_bigbuf_new((size_t)st.st_size + 1, 1)) == NULL) {
		close(fd);
		return 1;
	}
	p = seal_bigbuf_data(*m);
	cap = seal_bigbuf_size(*m);
	while (n < cap) {
		r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			error("cannot read '%s': %s", path, strerror(errno));
			close(fd);
			seal_bigbuf_free(*m, n);
			*m = NULL;
			return sops_compat ? 2 : EXIT_TROUBLE;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n != (size_t)st.st_size) { /* it changed under us */
		seal_bigbuf_free(*m, n);
		*m = NULL;
		return 1;
	}
	*len = n;
	return 0;
}

int
sops_load(seal_ctx *ctx, const struct sops_opts *o, const char *path,
    seal_sops_file **out)
{
	seal_bigbuf *big = NULL;
	unsigned char *buf = NULL;
	size_t len = 0;
	seal_rc rc;
	int ec;

	*out = NULL;
	ec = load_big(path, &big, &len);
	if (ec > 1)
		return ec;
	if (ec == 0)
		buf = seal_bigbuf_data(big);
	else if (read_file_secure(path, INPUT_MAX, &buf, &len) != 0)
		return sops_compat ? 2 : EXIT_TROUBLE;
	rc = seal_sops_load(ctx, buf, len, sops_input_format(o, path),
	    strcmp(path, "-") == 0 ? "<stdin>" : path, out);
	if (ec == 0) {
		seal_bigbuf_free(big, len); /* wipes */
	} else {
		sodium_memzero(buf, len);
		free_secure(buf);
	}
	if (rc != SEAL_OK)
		return sops_fail(ctx, rc, true);
	return 0;
}

int
sops_identities(seal_ctx *ctx, seal_identity **out)
{
	seal_rc rc = keys_discover(ctx, out, NULL);

	if (rc == SEAL_OK)
		return 0;
	error("%s", seal_ctx_errmsg(ctx));
	/* no key at all: the same answer as no key matching */
	if (rc == SEAL_ENOKEY)
		return sops_compat ? 128 : EXIT_NEGATIVE;
	return sops_compat ? 128 : EXIT_TROUBLE;
}

/*
 * Can this .sops.yaml text set stores.*.indent? Without the word (or an
 * escape, or UTF-16) it cannot, and decrypt, which needs nothing else
 * from the file, skips parsing it (and compiling its path regexes).
 */
static bool
may_set_indent(const char *buf, size_t len)
{
	return memmem(buf, len, "indent", 6) != NULL ||
	    memchr(buf, '\\', len) != NULL || memchr(buf, '\0', len) != NULL ||
	    (len > 0 && ((unsigned char)buf[0] == 0xfe ||
	        (unsigned char)buf[0] == 0xff));
}

static int
load_config(seal_ctx *ctx, const struct sops_opts *o,
    seal_sops_config **out, bool *found, bool indent_only)
{
	char cwd[PATH_MAX], *path = NULL, *dir, *buf = NULL, *slash;
	const char *cfg = o->config ? o->config : getenv("SOPS_CONFIG");
	size_t len;
	seal_rc rc;

	*out = NULL;
	*found = false;
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		error("cannot get the current directory: %s", strerror(errno));
		return EXIT_TROUBLE;
	}
	if (cfg != NULL && *cfg) {
		path = cfg[0] == '/' ? strdup(cfg) : NULL;
		if (path == NULL && asprintf(&path, "%s/%s", cwd, cfg) < 0)
			path = NULL;
	} else if (seal_sops_config_find(ctx, cwd, &path) != SEAL_OK) {
		return sops_fail(ctx, SEAL_ENOMEM, false);
	}
	if (path == NULL)
		return 0;
	if (read_file(path, 1u << 20, &buf, &len) != 0) {
		free(path);
		return sops_compat ? 5 : EXIT_TROUBLE;
	}
	if (indent_only && !may_set_indent(buf, len)) {
		free(buf);
		free(path);
		return 0;
	}
	dir = strdup(path);
	if (dir != NULL && (slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	rc = seal_sops_config_parse(ctx, buf, len, dir, path, out);
	free(dir);
	free(buf);
	free(path);
	if (rc != SEAL_OK)
		return sops_compat ? (error("%s", seal_ctx_errmsg(ctx)), 5)
		                   : sops_fail(ctx, rc, false);
	*found = true;
	return 0;
}

int
sops_config_load(seal_ctx *ctx, const struct sops_opts *o,
    seal_sops_config **out)
{
	bool found;

	return load_config(ctx, o, out, &found, false);
}

int
sops_config_indent(seal_ctx *ctx, const struct sops_opts *o, int fmt)
{
	seal_sops_config *c = NULL;
	bool found;
	int v;

	if (o->indent >= 0)
		return o->indent;
	if (load_config(ctx, o, &c, &found, true) != 0 || !found)
		return -1;
	v = seal_sops_config_indent(c, fmt);
	seal_sops_config_free(c);
	return v;
}

/*
 * The .sops.yaml side of sops_params: the first creation rule matching
 * path (*r NULL if none; an error unless keys come from the command line
 * or environment) and, when not given, the output indent it sets.
 */
static int
params_rule(seal_ctx *ctx, const struct sops_opts *o, const char *path,
    const seal_sops_config *c, bool cli_keys, const seal_sops_rule **r,
    int *indent)
{
	const char *name = sops_name(o, path);
	char abspath[PATH_MAX + 2];
	seal_rc rc;

	if (name[0] != '/' && realpath(".", abspath) != NULL &&
	    strlen(abspath) + strlen(name) + 2 < sizeof(abspath)) {
		strcat(abspath, "/");
		strcat(abspath, name);
	} else {
		snprintf(abspath, sizeof(abspath), "%s", name);
	}
	rc = seal_sops_config_match(ctx, c, abspath, r);
	if (rc != SEAL_OK && rc != SEAL_EREFUSED)
		return sops_fail(ctx, rc, false);
	if (*r == NULL && !cli_keys)
		return sops_compat ? (error("%s", seal_ctx_errmsg(ctx)), 5)
				   : sops_fail(ctx, SEAL_EREFUSED, false);
	if (indent != NULL && *indent < 0)
		*indent = seal_sops_config_indent(c,
		    sops_output_format(o, path));
	return 0;
}

/*
 * The recipients: -r/--age, else SOPS_AGE_RECIPIENTS (env, when
 * cli_keys), else the rule's age keys. A rule seal cannot honour (Shamir
 * key groups, only non-age keys) is refused. Returns 0 or an exit code.
 */
static int
params_recipients(seal_ctx *ctx, const struct sops_opts *o, const char *path,
    const seal_sops_rule *r, bool cli_keys, const char *env,
    seal_sops_params *p)
{
	size_t i;
	seal_rc rc = SEAL_OK;

	if (cli_keys) {
		for (i = 0; i < o->nage && rc == SEAL_OK; i++)
			rc = seal_sops_params_add_age(ctx, p, o->age[i]);
		if (o->nage == 0)
			rc = seal_sops_params_add_age(ctx, p, env);
		return rc == SEAL_OK ? 0 : sops_fail(ctx, rc, false);
	}
	if (r == NULL)
		return 0;
	if (seal_sops_rule_key_groups(r) > 1) {
		error("%s: the creation rule uses %zu key groups (Shamir); "
		      "seal supports one",
		    path, seal_sops_rule_key_groups(r));
		return EXIT_TROUBLE;
	}
	for (i = 0; i < seal_sops_rule_age_count(r); i++)
		if ((rc = seal_sops_params_add_age(ctx, p,
		         seal_sops_rule_age(r, i))) != SEAL_OK)
			return sops_fail(ctx, rc, false);
	if (seal_sops_rule_other_keys(r) && seal_sops_rule_age_count(r) == 0) {
		error("%s: the creation rule names only non-age keys (pgp, "
		      "kms...), which seal does not support",
		    path);
		return EXIT_TROUBLE;
	}
	return 0;
}

/*
 * What gets sealed: the command line's rule, else the creation rule's,
 * else for a Kubernetes Secret only data and stringData; and whether the
 * MAC covers sealed values only.
 */
static seal_rc
params_selection(seal_ctx *ctx, const struct sops_opts *o,
    const seal_sops_rule *r, bool kube, seal_sops_params *p)
{
	const char *rule, *rule_arg;
	seal_rc rc = SEAL_OK;

	if (o->rule_name != NULL)
		rc = seal_sops_params_set_rule(
		    ctx, p, o->rule_name, o->rule_arg);
	else if ((rule = seal_sops_rule_selection(r, &rule_arg)) != NULL)
		rc = seal_sops_params_set_rule(ctx, p, rule, rule_arg);
	else if (kube && !sops_compat)
		rc = seal_sops_params_set_rule(
		    ctx, p, "encrypted_regex", "^(data|stringData)$");
	if (rc == SEAL_OK)
		seal_sops_params_set_mac_only_encrypted(
		    p, o->mac_only || seal_sops_rule_mac_only_encrypted(r));
	return rc;
}

int
sops_params(seal_ctx *ctx, const struct sops_opts *o, const char *path,
    bool kube, bool need_keys, seal_sops_params **out, int *indent)
{
	seal_sops_config *c = NULL;
	const seal_sops_rule *r = NULL;
	seal_sops_params *p = NULL;
	const char *env = getenv("SOPS_AGE_RECIPIENTS");
	bool found, cli_keys = o->nage > 0 || (env && *env);
	int ec;
	seal_rc rc;

	*out = NULL;
	if ((ec = load_config(ctx, o, &c, &found, false)) != 0)
		return ec;
	if (found &&
	    (ec = params_rule(ctx, o, path, c, cli_keys, &r, indent)) != 0)
		goto out;
	if ((rc = seal_sops_params_new(ctx, &p)) != SEAL_OK) {
		ec = sops_fail(ctx, rc, false);
		goto out;
	}
	ec = params_recipients(ctx, o, path, r, cli_keys, env, p);
	if (ec != 0)
		goto out;
	if ((rc = params_selection(ctx, o, r, kube, p)) != SEAL_OK) {
		ec = sops_fail(ctx, rc, false);
		goto out;
	}
	if (need_keys && seal_sops_params_age_count(p) == 0) {
		error("%s: no age recipients: give -r/--age, set "
		      "SOPS_AGE_RECIPIENTS, or add a .sops.yaml creation rule",
		    path);
		/* as when no creation rule matches: nobody may read it */
		ec = sops_compat ? 111 : EXIT_NEGATIVE;
		goto out;
	}
	*out = p;
	p = NULL;
out:
	seal_sops_params_free(p);
	seal_sops_config_free(c);
	return ec;
}

int
sops_put(const struct sops_opts *o, const char *path, bool in_place,
    const void *buf, size_t len)
{
	struct atomic_file af;
	const char *dest = in_place ? path : o->output;

	/* plaintext goes out with write(2) from the caller's guarded
	 * buffer, never through a stdio buffer, and lands in a 0600 file */
	if (dest == NULL || strcmp(dest, "-") == 0) {
		int fd = 1;
		if (fflush(stdout) != 0 || fd_write_fn(&fd, buf, len) != 0) {
			error("cannot write to stdout: %s", strerror(errno));
			return sops_compat ? 3 : EXIT_TROUBLE;
		}
		return 0;
	}
	if (atomic_open_private(&af, dest) != 0)
		return sops_compat ? 3 : EXIT_TROUBLE;
	if (atomic_write_fn(&af, buf, len) != 0 || atomic_commit(&af) != 0) {
		atomic_abort(&af);
		return sops_compat ? 3 : EXIT_TROUBLE;
	}
	return 0;
}

/*
 * Sealed output (ciphertext, and values the file's rule leaves in the
 * clear) is streamed: every value is encrypted before the first byte is
 * written, so only an I/O error can interrupt it, and in-place writes go
 * through a temporary file that replaces the original only when
 * complete. Clear output is staged whole in guarded memory and written
 * only on success.
 */
static int
emit_sealed(seal_ctx *ctx, const struct sops_opts *o, const char *path,
    const seal_sops_file *f, bool in_place, int fmt, int indent)
{
	const char *dest = in_place ? path : o->output;
	struct atomic_file af;
	seal_rc rc;

	if (dest == NULL || strcmp(dest, "-") == 0) {
		rc = seal_sops_write(
		    ctx, f, fmt, indent, stdio_write_fn, stdout);
		if (rc == SEAL_OK && fflush(stdout) != 0)
			rc = seal_ctx_error(
			    ctx, SEAL_EIO, "cannot write to stdout");
		return rc == SEAL_OK ? 0 : sops_fail(ctx, rc, false);
	}
	if (atomic_open(&af, dest) != 0)
		return sops_compat ? 3 : EXIT_TROUBLE;
	rc = seal_sops_write(ctx, f, fmt, indent, atomic_write_fn, &af);
	if (rc != SEAL_OK) {
		atomic_abort(&af);
		return sops_fail(ctx, rc, false);
	}
	if (atomic_commit(&af) != 0) {
		atomic_abort(&af);
		return sops_compat ? 3 : EXIT_TROUBLE;
	}
	return 0;
}

int
sops_emit(seal_ctx *ctx, const struct sops_opts *o, const char *path,
    const seal_sops_file *f, bool in_place, const char *extract)
{
	seal_secbuf *sb;
	int fmt = sops_output_format(o, path), indent = o->indent, ec;
	seal_rc rc;

	if (indent < 0)
		indent = sops_config_indent(ctx, o, fmt);
	if (indent < 0)
		indent = 0;
	if (seal_sops_is_encrypted(f) && extract == NULL)
		return emit_sealed(ctx, o, path, f, in_place, fmt, indent);
	if ((sb = seal_secbuf_new()) == NULL)
		return sops_fail(ctx,
		    seal_ctx_error(ctx, SEAL_ENOMEM, "out of memory"), false);
	if (extract != NULL)
		rc = seal_sops_extract(
		    ctx, f, extract, fmt, indent, seal_secbuf_write, sb);
	else
		rc = seal_sops_write(ctx, f, fmt, indent, seal_secbuf_write, sb);
	if (rc != SEAL_OK) {
		seal_secbuf_free(sb);
		return sops_fail(ctx, rc, false);
	}
	ec = sops_put(
	    o, path, in_place, seal_secbuf_data(sb), seal_secbuf_len(sb));
	seal_secbuf_free(sb);
	return ec;
}

bool
sops_is_kube_secret(const seal_sops_file *f)
{
	return seal_sops_is_k8s_secret(f) != 0;
}
