/* SPDX-License-Identifier: ISC */
/*
 * bulk.c - many files in one process (see bulk.h): the operand walk, the
 * thread pool, and the updatekeys job. Threads share the file list and
 * the compiled creation rules (read-only); each has its own seal_ctx and
 * its own copy of the identities. Reports are kept per file and printed
 * in operand order, so output does not depend on scheduling.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "keys/keys.h"
#include "tools/common/cmd.h"
#include "tools/common/progress.h"
#include "tools/common/util.h"
#include "tools/seal/bulk.h"

#define INPUT_MAX ((size_t)64 << 20)
#define MAX_THREADS 64

/* -- operands ------------------------------------------------------------- */

static int
add_file(struct bulk *b, const char *path, bool explicit)
{
	struct bulk_file *f;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		struct bulk_file *nf = realloc(b->f, cap * sizeof(*nf));

		if (nf == NULL)
			return -1;
		b->f = nf;
		b->cap = cap;
	}
	f = &b->f[b->n];
	memset(f, 0, sizeof(*f));
	/* "./x" names the same file as "x"; rules match the clean form */
	while (path[0] == '.' && path[1] == '/' && path[2] != '\0')
		path += 2;
	if ((f->path = strdup(path)) == NULL)
		return -1;
	f->explicit = explicit;
	b->n++;
	return 0;
}

static bool
walk_wants(const char *name)
{
	const char *e = strrchr(name, '.');

	return e != NULL && (strcmp(e, ".yaml") == 0 ||
	    strcmp(e, ".yml") == 0 || strcmp(e, ".json") == 0 ||
	    strcmp(e, ".env") == 0);
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
walk(struct bulk *b, const char *dir, unsigned depth)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int ec = 0;

	if (depth > 64) {
		error("%s: directories nested too deep", dir);
		return EXIT_TROUBLE;
	}
	if ((d = opendir(dir)) == NULL) {
		error("cannot open directory '%s': %s", dir, strerror(errno));
		return EXIT_TROUBLE;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue; /* ., .., .git, other hidden entries */
		if (n == cap) {
			char **nn = realloc(names, (cap = cap * 2 + 64) *
			    sizeof(*nn));

			if (nn == NULL)
				die(EXIT_TROUBLE, "out of memory");
			names = nn;
		}
		if ((names[n++] = strdup(e->d_name)) == NULL)
			die(EXIT_TROUBLE, "out of memory");
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n && ec == 0; i++) {
		char *p = NULL;
		struct stat st;

		if (asprintf(&p, "%s/%s", dir, names[i]) < 0)
			die(EXIT_TROUBLE, "out of memory");
		if (lstat(p, &st) != 0) {
			error("cannot stat '%s': %s", p, strerror(errno));
			ec = EXIT_TROUBLE;
		} else if (S_ISDIR(st.st_mode)) {
			ec = walk(b, p, depth + 1);
		} else if (S_ISREG(st.st_mode) && walk_wants(names[i]) &&
		    add_file(b, p, false) != 0) {
			die(EXIT_TROUBLE, "out of memory");
		}
		free(p);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ec;
}

int
bulk_collect(struct bulk *b, char *const *args, size_t n)
{
	size_t i;
	int ec;

	for (i = 0; i < n; i++) {
		struct stat st;

		if (strcmp(args[i], "-") != 0 && stat(args[i], &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			char *d = strdup(args[i]);
			size_t l;

			if (d == NULL)
				die(EXIT_TROUBLE, "out of memory");
			l = strlen(d);
			while (l > 1 && d[l - 1] == '/')
				d[--l] = '\0';
			ec = strcmp(d, ".") == 0 ? walk(b, ".", 0) :
			    walk(b, d, 0);
			free(d);
			if (ec != 0)
				return ec;
			continue;
		}
		if (add_file(b, args[i], true) != 0)
			die(EXIT_TROUBLE, "out of memory");
	}
	/* a walk from "." yields "./x": add_file made it "x" */
	return 0;
}

int
bulk_config(seal_ctx *ctx, struct bulk *b)
{
	return sops_config_load(ctx, b->o, &b->config);
}

void
bulk_free(struct bulk *b)
{
	size_t i, j;

	for (i = 0; i < b->n; i++) {
		free(b->f[i].path);
		free(b->f[i].report);
		for (j = 0; j < b->f[i].nrcpt; j++)
			free(b->f[i].rcpt[j]);
		free(b->f[i].rcpt);
	}
	free(b->f);
	seal_sops_config_free(b->config);
	memset(b, 0, sizeof(*b));
}

void
bulk_say(struct bulk_file *f, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(f->report);
	f->report = s;
}

void
bulk_report(const struct bulk *b, bool to_stdout)
{
	size_t i;

	if (!to_stdout && verbosity < 0)
		return;
	for (i = 0; i < b->n; i++)
		if (b->f[i].report != NULL)
			fprintf(to_stdout ? stdout : stderr, "%s\n",
			    b->f[i].report);
}

/* -- the pool ------------------------------------------------------------- */

struct pool {
	struct bulk *b;
	bulk_job job;
	void *arg;
	atomic_size_t next, done;
	atomic_int worst;
	atomic_int failed_start;
};

static void *
worker(void *p_)
{
	struct pool *p = p_;
	struct bulk_thread th;
	size_t i;
	int nsrc;

	memset(&th, 0, sizeof(th));
	if (seal_ctx_new(&th.ctx) != SEAL_OK ||
	    (p->b->need_ids && keys_discover(th.ctx, &th.id, &nsrc) != SEAL_OK)) {
		atomic_store(&p->failed_start, 1);
		seal_ctx_free(th.ctx);
		return NULL;
	}
	while ((i = atomic_fetch_add(&p->next, 1)) < p->b->n) {
		struct bulk_file *f = &p->b->f[i];
		int ec = p->job(p->b, &th, f, p->arg);
		int w = atomic_load(&p->worst);

		f->ec = ec;
		while (ec > w && !atomic_compare_exchange_weak(&p->worst, &w,
		    ec))
			;
		atomic_fetch_add(&p->done, 1);
	}
	seal_identity_free(th.id);
	seal_ctx_free(th.ctx);
	return NULL;
}

static unsigned
nthreads(size_t nfiles)
{
	const char *env = getenv("SEAL_THREADS");
	long n = env != NULL && *env ? strtol(env, NULL, 10) :
	    sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	if ((size_t)n > nfiles)
		n = nfiles > 0 ? (long)nfiles : 1;
	return (unsigned)n;
}

int
bulk_run(struct bulk *b, const char *title, bulk_job job, void *arg)
{
	struct pool p;
	pthread_t tid[MAX_THREADS];
	unsigned n = nthreads(b->n), i, started = 0;
	struct progress pr;
	seal_identity *probe = NULL;

	memset(&p, 0, sizeof(p));
	p.b = b;
	p.job = job;
	p.arg = arg;
	if (b->n == 0)
		return 0;
	/* the identities once first, so a missing key is one message */
	if (b->need_ids) {
		seal_ctx *ctx = NULL;
		int nsrc, rc;

		if (seal_ctx_new(&ctx) != SEAL_OK)
			die(EXIT_TROUBLE, "out of memory");
		rc = keys_discover(ctx, &probe, &nsrc);
		seal_identity_free(probe);
		if (rc != SEAL_OK)
			error("%s", seal_ctx_errmsg(ctx)); /* keys/ prints nothing */
		seal_ctx_free(ctx);
		if (rc != SEAL_OK)
			return EXIT_TROUBLE;
	}
	progress_begin(&pr, title, b->n);
	/* one file (one process per file, as scripts do): no thread */
	for (i = 0; i < n && b->n > 1; i++) {
		if (pthread_create(&tid[i], NULL, worker, &p) != 0)
			break;
		started++;
	}
	if (started == 0) {
		worker(&p); /* no thread: do it here */
	} else if (!pr.enabled) {
		for (i = 0; i < started; i++)
			pthread_join(tid[i], NULL);
	} else {
		while (atomic_load(&p.done) < b->n &&
		    !atomic_load(&p.failed_start)) {
			struct timespec ts = { 0, 50 * 1000 * 1000 };

			progress_update(&pr, atomic_load(&p.done));
			nanosleep(&ts, NULL);
			if (atomic_load(&p.next) >= b->n + started)
				break; /* every worker has finished */
		}
		for (i = 0; i < started; i++)
			pthread_join(tid[i], NULL);
	}
	progress_end(&pr, atomic_load(&p.done));
	if (atomic_load(&p.failed_start)) {
		error("cannot start a worker: out of memory or no usable key");
		return EXIT_TROUBLE;
	}
	if (atomic_load(&p.done) < b->n) {
		error("%zu file(s) were not processed",
		    b->n - atomic_load(&p.done));
		return EXIT_TROUBLE;
	}
	return atomic_load(&p.worst);
}

/* -- job helpers ---------------------------------------------------------- */

static int
rc_exit(seal_rc rc)
{
	return sops_exit(rc, true);
}

int
bulk_load(struct bulk *b, struct bulk_thread *th, struct bulk_file *f,
    seal_sops_file **out)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	seal_rc rc;

	*out = NULL;
	if (read_file_secure(f->path, INPUT_MAX, &buf, &len) != 0)
		return EXIT_TROUBLE;
	/* a walk meets many clear files: no "sops" key, no parse */
	if (!f->explicit && (len < 4 || memmem(buf, len, "sops", 4) == NULL)) {
		sodium_memzero(buf, len);
		free_secure(buf);
		f->state = -1;
		return 0;
	}
	rc = seal_sops_load(th->ctx, buf, len, sops_input_format(b->o,
	    f->path), f->path, out);
	sodium_memzero(buf, len);
	free_secure(buf);
	if (rc != SEAL_OK) {
		if (!f->explicit) {
			f->state = -1; /* not something sops reads: skip */
			return 0;
		}
		bulk_say(f, "%s: %s", f->path, seal_ctx_errmsg(th->ctx));
		return rc_exit(rc);
	}
	return 0;
}

int
bulk_load_sealed(struct bulk *b, struct bulk_thread *th, struct bulk_file *f,
    seal_sops_file **out)
{
	int ec;

	if ((ec = bulk_load(b, th, f, out)) != 0 || f->state == -1)
		return ec;
	if (seal_sops_is_encrypted(*out))
		return 0;
	if (!f->explicit) {
		f->state = -1;
		return 0;
	}
	bulk_say(f, "%s: not sealed; seal it first with 'seal encrypt -i %s'",
	    f->path, f->path);
	return EXIT_NEGATIVE;
}

int
bulk_rule(struct bulk *b, struct bulk_thread *th, struct bulk_file *f,
    const seal_sops_rule **out)
{
	char dir[PATH_MAX], abspath[PATH_MAX * 2];
	char *d = strdup(f->path), *slash;
	const char *base;

	*out = NULL;
	if (d == NULL)
		return EXIT_TROUBLE;
	slash = strrchr(d, '/');
	if (slash != NULL) {
		*slash = '\0';
		base = f->path + (slash - d) + 1;
	} else {
		base = f->path;
	}
	/* the absolute, clean path sops would match (filepath.Abs) */
	if (realpath(slash != NULL ? (d[0] ? d : "/") : ".", dir) == NULL) {
		bulk_say(f, "%s: cannot resolve its directory: %s", f->path,
		    strerror(errno));
		free(d);
		return EXIT_TROUBLE;
	}
	free(d);
	snprintf(abspath, sizeof(abspath), "%s/%s", strcmp(dir, "/") == 0 ?
	    "" : dir, base);
	if (b->config != NULL) {
		seal_rc rc = seal_sops_config_match(th->ctx, b->config,
		    abspath, out);
		if (rc != SEAL_OK && rc != SEAL_EREFUSED) {
			/* cannot tell which rule: trouble, never "none" */
			bulk_say(f, "%s: %s", f->path, seal_ctx_errmsg(th->ctx));
			return EXIT_TROUBLE;
		}
	}
	return 0;
}

int
bulk_params(struct bulk *b, struct bulk_thread *th, struct bulk_file *f,
    seal_sops_params **out)
{
	const seal_sops_rule *r = NULL;
	const char *rule, *rule_arg;
	seal_sops_params *p = NULL;
	size_t i;
	seal_rc rc;
	int ec;

	*out = NULL;
	if ((ec = bulk_rule(b, th, f, &r)) != 0)
		return ec;
	if (r == NULL) {
		bulk_say(f, "%s: no creation rule in .sops.yaml matches it",
		    f->path);
		return 0;
	}
	if (seal_sops_rule_key_groups(r) > 1) {
		bulk_say(f, "%s: the creation rule uses %zu key groups "
		    "(Shamir); seal supports one", f->path,
		    seal_sops_rule_key_groups(r));
		return EXIT_TROUBLE;
	}
	if ((rc = seal_sops_params_new(th->ctx, &p)) != SEAL_OK)
		goto fail;
	for (i = 0; i < seal_sops_rule_age_count(r); i++)
		if ((rc = seal_sops_params_add_age(th->ctx, p,
		         seal_sops_rule_age(r, i))) != SEAL_OK)
			goto fail;
	if ((rule = seal_sops_rule_selection(r, &rule_arg)) != NULL &&
	    (rc = seal_sops_params_set_rule(th->ctx, p, rule, rule_arg)) !=
	        SEAL_OK)
		goto fail;
	seal_sops_params_set_mac_only_encrypted(
	    p, seal_sops_rule_mac_only_encrypted(r));
	if (seal_sops_params_age_count(p) == 0) {
		seal_sops_params_free(p);
		bulk_say(f, "%s: its creation rule names no age recipient",
		    f->path);
		return EXIT_TROUBLE;
	}
	*out = p;
	return 0;
fail:
	seal_sops_params_free(p);
	bulk_say(f, "%s: %s", f->path, seal_ctx_errmsg(th->ctx));
	return EXIT_TROUBLE;
}

int
bulk_write(struct bulk_thread *th, struct bulk_file *f,
    const seal_sops_file *sf)
{
	seal_secbuf *sb = seal_secbuf_new();
	struct atomic_file af;
	seal_rc rc;
	int ec = 0;

	/* staged first: a failure leaves the file as it was */
	rc = sb == NULL ? seal_ctx_error(th->ctx, SEAL_ENOMEM, "out of memory")
	    : seal_sops_write(th->ctx, sf, 0, 0, seal_secbuf_write, sb);
	if (rc != SEAL_OK) {
		bulk_say(f, "%s: %s", f->path, seal_ctx_errmsg(th->ctx));
		ec = rc_exit(rc);
	} else if (atomic_open(&af, f->path) != 0) {
		ec = EXIT_TROUBLE;
	} else if (atomic_write_fn(&af, seal_secbuf_data(sb),
	    seal_secbuf_len(sb)) != 0) {
		atomic_abort(&af);
		ec = EXIT_TROUBLE;
	} else if (atomic_commit(&af) != 0) {
		ec = EXIT_TROUBLE;
	}
	seal_secbuf_free(sb);
	return ec;
}

int
bulk_keep_recipients(struct bulk_file *f, const seal_sops_file *sf)
{
	size_t i, n = seal_sops_recipient_count(sf);

	f->rcpt = calloc(n + 1, sizeof(*f->rcpt));
	if (f->rcpt == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if ((f->rcpt[i] = strdup(seal_sops_recipient(sf, i))) == NULL)
			return -1;
	f->nrcpt = n;
	return 0;
}

static bool
in_list(const char *r, const seal_sops_file *sf)
{
	size_t i, n = seal_sops_recipient_count(sf);

	for (i = 0; i < n; i++)
		if (strcmp(seal_sops_recipient(sf, i), r) == 0)
			return true;
	return false;
}

static bool
in_rcpt(const char *r, const struct bulk_file *f)
{
	size_t i;

	for (i = 0; i < f->nrcpt; i++)
		if (strcmp(f->rcpt[i], r) == 0)
			return true;
	return false;
}

/* "+age1... -age1..." from the recipients before (f->rcpt) and now */
static char *
diff_line(const struct bulk_file *f, const seal_sops_file *sf)
{
	size_t i, n = seal_sops_recipient_count(sf), len = 0, cap = 0;
	char *s = NULL;

	for (int pass = 0; pass < 2; pass++) {
		size_t m = pass == 0 ? n : f->nrcpt;

		for (i = 0; i < m; i++) {
			const char *r = pass == 0 ? seal_sops_recipient(sf, i) :
			    f->rcpt[i];

			if (pass == 0 ? in_rcpt(r, f) : in_list(r, sf))
				continue;
			if (len + strlen(r) + 3 > cap) {
				char *ns = realloc(s, cap = cap * 2 +
				    strlen(r) + 64);

				if (ns == NULL) {
					free(s);
					return NULL;
				}
				s = ns;
			}
			len += (size_t)sprintf(s + len, " %c%s",
			    pass == 0 ? '+' : '-', r);
		}
	}
	return s;
}

int
bulk_updatekeys(struct bulk *b, struct bulk_thread *th, struct bulk_file *f,
    void *arg)
{
	seal_sops_file *sf = NULL;
	seal_sops_params *p = NULL;
	int ec, changed = 0;
	char *d;
	seal_rc rc;

	(void)arg;
	if ((ec = bulk_load_sealed(b, th, f, &sf)) != 0 || f->state == -1)
		goto out;
	if ((ec = bulk_params(b, th, f, &p)) != 0)
		goto out;
	if (p == NULL) {
		/* no rule: an error for a named file, a note in a walk */
		ec = f->explicit ? EXIT_NEGATIVE : 0;
		goto out;
	}
	if (bulk_keep_recipients(f, sf) != 0) {
		ec = EXIT_TROUBLE;
		goto out;
	}
	if ((rc = seal_sops_unwrap(th->ctx, sf, th->id)) != SEAL_OK ||
	    (rc = seal_sops_set_recipients(th->ctx, sf, p, &changed)) !=
	    SEAL_OK) {
		bulk_say(f, "%s: %s", f->path, seal_ctx_errmsg(th->ctx));
		ec = rc_exit(rc);
		goto out;
	}
	if (!changed) {
		f->state = 0;
		if (f->explicit)
			bulk_say(f, "%s: already up to date", f->path);
		goto out;
	}
	if ((ec = bulk_write(th, f, sf)) != 0)
		goto out;
	f->state = 1;
	d = diff_line(f, sf);
	bulk_say(f, "%s: re-wrapped:%s", f->path, d ? d : " (recipients)");
	free(d);
out:
	seal_sops_params_free(p);
	seal_sops_free(sf);
	return ec;
}
