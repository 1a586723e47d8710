/* SPDX-License-Identifier: ISC */
/*
 * cmd-scan.c - `seal scan`: find plaintext Secrets, half-sealed files and
 * leaked credentials in what is staged (--staged, what the hook runs), in
 * every tracked file (--all [REV]), in history (--history [RANGE]) or in
 * files and directories on disk. Options, config files and exit codes
 * live here; the rules are in hooks/, the git side in hooks/repo.c and hooks/pool.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hooks/repo.h"
#include "hooks/report.h"
#include "hooks/scan.h"
#include "tools/common/cmd.h"
#include "tools/common/options.h"
#include "tools/common/progress.h"
#include "tools/common/util.h"

static const char *const usage[] = {
	"[--staged | --all [REV] | --history [RANGE] | PATH...]\n"
	"                 [--format text|json|sarif] [--baseline FILE]\n"
	"                 [--write-baseline FILE | --audit-baseline |\n"
	"                  --update-baseline] [--ignore-file FILE]\n"
	"                 [--config FILE | --config-from REV]\n"
	"                 [--max-size BYTES] [-j N] [-q]",
	NULL,
};

static const char footer[] =
    "Exit status: 0 clean, 1 findings (or a file it cannot vouch for), 2 "
    "trouble.\n"
    "Inline allow markers: seal:allow, gitleaks:allow, pragma: allowlist "
    "secret.\n"
    "See seal-scan(1).\n";

struct cli {
	enum scan_source src; /* 0: paths */
	const char *rev;
	enum scan_format fmt;
	const char *baseline, *write_baseline, *ignore_file;
	const char *config_file, *config_from;
	struct scan_config *config;
	size_t max_size;
	int jobs;
	bool hook, quiet, audit, update;
	struct scan_ignore *ig;
	seal_sops_config *sops;
};

/* "FILE:N: what" from a parser's "line N: what" (git's grammar). */
static void
cfg_error(const char *file, const char *err)
{
	if (strncmp(err, "line ", 5) == 0)
		error("%s:%s", file, err + 5);
	else
		error("%s: %s", file, err);
}

/* Read a config file from disk: 1 read, 0 absent, -1 error (printed). */
static int
read_disk(const char *path, char **buf, size_t *len)
{
	struct stat st;

	*buf = NULL;
	if (stat(path, &st) < 0 && errno == ENOENT)
		return 0;
	return read_file(path, 16u << 20, buf, len) < 0 ? -1 : 1;
}

static int
load_config(struct cli *c, struct scan_repo *crepo)
{
	/* the repository is read for --staged/--all/--history, and for
	 * --config-from only in paths mode */
	struct scan_repo *repo = c->src ? crepo : NULL;
	char *buf = NULL, err[256];
	size_t len = 0;
	int got;
	enum scan_source src = c->src == SCAN_SRC_HISTORY ? SCAN_SRC_TREE :
							    c->src;
	const char *rev = c->src == SCAN_SRC_HISTORY ? "HEAD" : c->rev;

	/* .sealignore: as committed (index or tree), unless given */
	if (c->ignore_file)
		got = read_disk(c->ignore_file, &buf, &len);
	else if (repo)
		got = scan_repo_read_file(repo, src, rev, ".sealignore", &buf,
		    &len, err, sizeof(err));
	else
		got = read_disk(".sealignore", &buf, &len);
	if (got < 0) {
		if (repo && !c->ignore_file)
			error("%s", err);
		return -1;
	}
	if (got > 0) {
		c->ig = scan_ignore_parse(buf, len, err, sizeof(err));
		free(buf);
		if (c->ig == NULL) {
			cfg_error(c->ignore_file ? c->ignore_file :
							  ".sealignore",
			    err);
			return -1;
		}
	}
	/* .seal-scan.toml: given, from another revision, or like
	 * .sealignore; any error in it stops the scan */
	buf = NULL;
	if (c->config_file) {
		got = read_disk(c->config_file, &buf, &len);
		if (got == 0) {
			error("cannot read config '%s': %s", c->config_file,
			    strerror(ENOENT));
			return -1;
		}
	} else if (c->config_from)
		got = scan_repo_read_file(crepo, SCAN_SRC_TREE, c->config_from,
		    ".seal-scan.toml", &buf, &len, err, sizeof(err));
	else if (repo)
		got = scan_repo_read_file(repo, src, rev, ".seal-scan.toml",
		    &buf, &len, err, sizeof(err));
	else
		got = read_disk(".seal-scan.toml", &buf, &len);
	if (got < 0) {
		if (crepo && !c->config_file)
			error("%s", err);
		return -1;
	}
	if (got > 0) {
		c->config = scan_config_parse(buf, len, err, sizeof(err));
		free(buf);
		if (c->config == NULL) {
			char name[300];
			snprintf(name, sizeof(name), "%s%s%s",
			    c->config_from ? c->config_from : "",
			    c->config_from ? ":" : "",
			    c->config_file ? c->config_file : ".seal-scan.toml");
			cfg_error(name, err);
			return -1;
		}
	}
	buf = NULL;
	got = repo ? scan_repo_read_file(repo, src, rev, ".sops.yaml", &buf,
			 &len, err, sizeof(err)) :
		     read_disk(".sops.yaml", &buf, &len);
	if (got < 0) {
		if (repo)
			error("%s", err);
		return -1;
	}
	if (got > 0) {
		seal_ctx *ctx = NULL;
		seal_rc rc = seal_ctx_new(&ctx);
		if (rc == SEAL_OK)
			rc = seal_sops_config_parse(
			    ctx, buf, len, "", ".sops.yaml", &c->sops);
		free(buf);
		if (rc != SEAL_OK) {
			/* seal's reading of it, the one seal encrypt uses */
			error("%s", ctx ? seal_ctx_errmsg(ctx) : "out of memory");
			seal_ctx_free(ctx);
			return -1;
		}
		seal_ctx_free(ctx);
	}
	return 0;
}

/* paths mode ------------------------------------------------------------- */

/* A file a secretGenerator names, from disk: 1 read, 0 absent, -1 error. */
static int
disk_ref(void *arg, const char *path, char **buf, size_t *len)
{
	struct stat st;

	(void)arg;
	*buf = NULL;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	return read_file(path, 16u << 20, buf, len) < 0 ? -1 : 1;
}

/* PATH... (and the hook given file names): files on disk, all cores */
static int
scan_paths(struct cli *c, const struct scan_engine *e, char **paths,
    int npaths, struct scan_results *out)
{
	struct scan_walk_opts wo = { .threads = c->jobs, .ignore = c->ig };
	char err[512];

	if (scan_walk_run(e, paths, npaths, &wo, out, err, sizeof(err)) < 0) {
		error("%s%s", err, c->hook ? "; commit refused" : "");
		return -1;
	}
	if (out->nrefs && scan_check_refs(out, disk_ref, NULL) < 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------------ */

/* The baseline file: --baseline, or .seal-baseline at the top of the
 * work tree (or here). */
static const char *
baseline_path(const struct cli *c, const char *root, char *buf, size_t len)
{
	if (c->baseline && (c->baseline[0] == '/' || root == NULL))
		return c->baseline;
	snprintf(buf, len, "%s%s", root ? root : "",
	    c->baseline ? c->baseline : ".seal-baseline");
	return buf;
}

/* Read and parse it: 1 read, 0 absent, -1 error (printed). */
static int
load_baseline(const struct cli *c, const char *path,
    struct scan_baseline **bl)
{
	char *buf = NULL, err[256];
	size_t len = 0;
	int got = read_disk(path, &buf, &len);

	*bl = NULL;
	if (got < 0)
		return -1;
	if (got == 0)
		return 0;
	*bl = scan_baseline_parse(buf, len, err, sizeof(err));
	free(buf);
	if (*bl == NULL) {
		cfg_error(c->baseline ? c->baseline : ".seal-baseline", err);
		return -1;
	}
	return 1;
}

/* --write-baseline, --update-baseline: temp file, fsync, rename. */
static int
write_baseline(const char *path, struct scan_baseline *bl,
    const struct scan_results *res)
{
	struct atomic_file af;
	FILE *f;

	if (atomic_open(&af, path) < 0)
		return -1;
	f = fdopen(dup(af.fd), "w");
	if (f == NULL || scan_baseline_write(f, bl, res) < 0 ||
	    fclose(f) != 0) {
		atomic_abort(&af);
		error("cannot write baseline '%s'", path);
		return -1;
	}
	return atomic_commit(&af);
}

/* --audit-baseline: each entry live or stale, then the new findings. */
static int
audit(const struct cli *c, struct scan_baseline *bl,
    struct scan_results *res, const char *shown)
{
	struct scan_baseline_entry e;
	size_t i, stale = 0, fresh = 0, accepted;

	if (scan_baseline_apply(bl, res, false, &accepted) < 0) {
		error("out of memory");
		return EXIT_TROUBLE;
	}
	for (i = 0; scan_baseline_entry(bl, i, &e); i++) {
		printf("%s\t%s\t%s\t(%s:%u)\n", e.live ? "live" : "stale",
		    e.path, e.rule, shown, e.line);
		stale += !e.live;
	}
	for (i = 0; i < res->n; i++) {
		if (scan_baseline_has_finding(bl, &res->v[i]))
			continue;
		printf("new\t%s:%u\t%s\n", res->v[i].path, res->v[i].line,
		    res->v[i].rule);
		fresh++;
	}
	if (!c->quiet)
		fprintf(stderr, "seal scan: baseline '%s': %zu live, %zu "
		    "stale, %zu new finding(s)%s\n", shown,
		    scan_baseline_count(bl) - stale, stale, fresh,
		    stale || fresh ? "; 'seal scan --update-baseline' "
				     "rewrites it" : "");
	return stale || fresh ? EXIT_NEGATIVE : EXIT_OK;
}

static int
finish(struct cli *c, struct scan_results *res, const char *root)
{
	struct scan_baseline *bl = NULL;
	char path[4096];
	const char *bpath = baseline_path(c, root, path, sizeof(path));
	const char *shown = c->baseline ? c->baseline : ".seal-baseline";
	size_t accepted = 0;
	FILE *out = c->hook ? stderr : stdout;
	int got, rc;

	scan_dedupe(res);
	if (c->write_baseline) {
		if ((bl = scan_baseline_new()) == NULL) {
			error("out of memory");
			return EXIT_TROUBLE;
		}
		rc = write_baseline(c->write_baseline, bl, res);
		scan_baseline_free(bl);
		if (rc < 0)
			return EXIT_TROUBLE;
		if (!c->quiet)
			fprintf(stderr, "seal scan: wrote %zu finding(s) to "
			    "'%s'\n", res->n, c->write_baseline);
		return EXIT_OK;
	}
	if ((got = load_baseline(c, bpath, &bl)) < 0)
		return EXIT_TROUBLE;
	if (got == 0 && (c->baseline || c->audit || c->update)) {
		error("cannot read baseline '%s'%s", shown,
		    c->baseline ? "" : "; write one with 'seal scan "
				       "--write-baseline .seal-baseline'");
		return EXIT_TROUBLE;
	}
	if (c->audit) {
		rc = audit(c, bl, res, shown);
		scan_baseline_free(bl);
		return rc;
	}
	if (c->update) {
		/* the same salt: unchanged entries keep their lines */
		size_t before = scan_baseline_count(bl), stale = 0, i;
		struct scan_baseline_entry e;
		if (scan_baseline_apply(bl, res, false, &accepted) < 0) {
			scan_baseline_free(bl);
			error("out of memory");
			return EXIT_TROUBLE;
		}
		for (i = 0; scan_baseline_entry(bl, i, &e); i++)
			stale += !e.live;
		rc = write_baseline(bpath, bl, res);
		scan_baseline_free(bl);
		if (rc < 0)
			return EXIT_TROUBLE;
		if (!c->quiet)
			fprintf(stderr, "seal scan: baseline '%s': %zu "
			    "entr%s kept, %zu stale removed, %zu new\n", shown,
			    before - stale, before - stale == 1 ? "y" : "ies",
			    stale, res->n - accepted);
		return EXIT_OK;
	}
	if (bl) {
		rc = scan_baseline_apply(bl, res, true, &accepted);
		scan_baseline_free(bl);
		if (rc < 0) {
			error("out of memory%s", c->hook ? "; commit refused" :
							    "");
			return EXIT_TROUBLE;
		}
	}
	if (c->hook && scan_results_blocking(res))
		fprintf(out, "seal: commit refused: %zu finding(s) in the "
		    "%s files\n", scan_results_blocking(res),
		    c->src ? "staged" : "named");
	if (c->fmt != SCAN_FMT_TEXT || res->n)
		scan_report(out, res, c->fmt, c->config);
	fflush(out);
	if (!c->quiet && (c->fmt != SCAN_FMT_TEXT || !c->hook))
		fprintf(stderr, "seal scan: %zu file(s), %zu byte(s), %zu "
		    "finding(s)%s\n", res->files, res->bytes, res->n,
		    accepted ? " (more accepted by the baseline)" : "");
	return scan_results_blocking(res) ? EXIT_NEGATIVE : EXIT_OK;
}

/* progress of a long scan (--all, --history) on a terminal */
static void
show_progress(void *arg, size_t done, size_t total)
{
	struct progress *pg = arg;

	pg->total = total;
	progress_update(pg, done);
}

/* --staged, --all, --history: one source */
static int
opt_source(const struct opt *opt, const char *arg)
{
	struct cli *c = opt->value;

	(void)arg;
	if (c->src) {
		error("--staged, --all and --history are exclusive");
		return -1;
	}
	c->src = (enum scan_source)opt->defval;
	return 0;
}

static int
opt_format(const struct opt *opt, const char *arg)
{
	enum scan_format *fmt = opt->value;

	if (strcmp(arg, "text") == 0)
		*fmt = SCAN_FMT_TEXT;
	else if (strcmp(arg, "json") == 0)
		*fmt = SCAN_FMT_JSON;
	else if (strcmp(arg, "sarif") == 0)
		*fmt = SCAN_FMT_SARIF;
	else {
		error("unknown format '%s': use text, json or sarif", arg);
		return -1;
	}
	return 0;
}

_Static_assert(SCAN_MAX_SIZE_DEFAULT == 32u << 20, "--help says 32 MiB");

/*
 * The command line into c; the operands are left in argv[0..*nargs).
 * Returns -1 to go on, or an exit code.
 */
static int
parse_cli(struct cli *c, int argc, char **argv, int *nargs)
{
	const struct opt opts[] = {
		OPT_GROUP("What to scan (default: PATH..., or .):"),
		{ .type = OPT_T_CALLBACK, .short_name = 's', .long_name =
		    "staged", .value = c, .cb = opt_source, .flags = OPT_NOARG,
		    .defval = SCAN_SRC_STAGED,
		    .help = "what the next commit adds (the hook's check)" },
		{ .type = OPT_T_CALLBACK, .short_name = 'a', .long_name = "all",
		    .value = c, .cb = opt_source, .flags = OPT_NOARG,
		    .defval = SCAN_SRC_INDEX,
		    .help = "every tracked file (the index, or REV's tree)" },
		{ .type = OPT_T_CALLBACK, .short_name = 'H', .long_name =
		    "history", .value = c, .cb = opt_source, .flags = OPT_NOARG,
		    .defval = SCAN_SRC_HISTORY,
		    .help = "every blob the commits in RANGE introduced" },
		OPT_GROUP("Report:"),
		OPT_CALLBACK('f', "format", &c->fmt, "F",
		    "text (default), json or sarif", opt_format),
		OPT_STRING('b', "baseline", &c->baseline, "F",
		    "accept the findings listed in F\n"
		    "(default .seal-baseline)"),
		OPT_STRING('w', "write-baseline", &c->write_baseline, "F",
		    "write today's findings to F (a new salt), exit 0"),
		OPT_BOOL(0, "audit-baseline", &c->audit,
		    "list each baseline entry live or stale, and\n"
		    "new findings; exit 1 if any"),
		OPT_BOOL(0, "update-baseline", &c->update,
		    "rewrite the baseline: stale entries out, new\n"
		    "findings in"),
		OPT_BOOL('q', "quiet", &c->quiet, "no summary line"),
		{ .type = OPT_T_BOOL, .short_name = 'K', .long_name =
		    "hook-mode", .value = &c->hook, .flags = OPT_HIDDEN },
		OPT_GROUP("Limits:"),
		OPT_STRING('i', "ignore-file", &c->ignore_file, "F",
		    "path globs to skip (default .sealignore)"),
		OPT_STRING('c', "config", &c->config_file, "F",
		    "the repository's rules (default .seal-scan.toml,\n"
		    "as committed, or on disk for PATHs)"),
		OPT_STRING(0, "config-from", &c->config_from, "REV",
		    "read .seal-scan.toml from REV (the base\n"
		    "branch in CI)"),
		OPT_SIZE('m', "max-size", &c->max_size, "N",
		    "refuse files over N bytes (default 32 MiB)"),
		OPT_INT('j', "jobs", &c->jobs, 1, "N",
		    "threads (default: all cores)"),
		OPT_END(),
	};
	const struct opt_cmd cmd = { .name = "seal scan", .usage = usage,
		.opts = opts, .footer = footer };
	int n;

	if ((n = opt_parse(&cmd, argc, argv)) < 0)
		return opt_exit(n);
	if (c->src == SCAN_SRC_STAGED && n > 0)
		return opt_misuse(&cmd, "--staged takes no paths");
	if ((c->src == SCAN_SRC_INDEX || c->src == SCAN_SRC_HISTORY) &&
	    n > 0) {
		if (n > 1)
			return opt_misuse(&cmd, "--%s takes one %s",
			    c->src == SCAN_SRC_INDEX ? "all" : "history",
			    c->src == SCAN_SRC_INDEX ? "REV" : "RANGE");
		c->rev = argv[0];
		if (c->src == SCAN_SRC_INDEX)
			c->src = SCAN_SRC_TREE;
	}
	if ((c->audit || c->update) && (c->write_baseline ||
	    (c->audit && c->update)))
		return opt_misuse(&cmd, "--write-baseline, --audit-baseline "
					"and --update-baseline are exclusive");
	if ((c->audit || c->update) && (c->src == SCAN_SRC_STAGED ||
	    c->src == SCAN_SRC_HISTORY))
		return opt_misuse(&cmd, "--%s-baseline judges the whole tree: "
					"use it with --all [REV] or PATHs",
		    c->audit ? "audit" : "update");
	if (c->config_file && c->config_from)
		return opt_misuse(&cmd, "--config and --config-from are "
					"exclusive");
	if (c->jobs == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		c->jobs = cpus > 0 ? (int)cpus : 1;
	}
	*nargs = n;
	return -1;
}

/* The engine for c's rules; the compiled prefilter is cached as git's
 * tools cache theirs (XDG_CACHE_HOME, else ~/.cache). */
static struct scan_engine *
make_engine(const struct cli *c)
{
	static char cache[4096];
	struct scan_opts so = { 0 };
	const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
	struct scan_engine *e;
	char err[512];

	if (x && *x == '/')
		snprintf(cache, sizeof(cache), "%s", x);
	else if (h && *h == '/')
		snprintf(cache, sizeof(cache), "%s/.cache", h);
	so.cache_dir = cache[0] ? cache : NULL;
	so.max_size = c->max_size;
	so.sops = c->sops;
	so.config = c->config;
	if ((e = scan_engine_new(&so, err, sizeof(err))) == NULL)
		error("%s", err);
	return e;
}

/* --staged, --all, --history: the repository's blobs on all cores. */
static int
scan_repo_source(const struct cli *c, struct scan_repo *repo,
    const struct scan_engine *e, struct scan_results *res)
{
	struct progress pg;
	struct scan_run_opts ro = { .src = c->src, .rev = c->rev,
		.threads = c->jobs, .ignore = c->ig,
		.progress = show_progress, .progress_arg = &pg };
	char err[512];
	int r;

	progress_begin(&pg, "seal scan: files", 0);
	r = scan_repo_run(repo, e, &ro, res, err, sizeof(err));
	progress_end(&pg, pg.total);
	if (r < 0) {
		/* the hook cannot decide: it refuses, saying why */
		error("%s%s", err, c->hook ? "; commit refused" : "");
		return -1;
	}
	return 0;
}

int
cmd_scan(int argc, char **argv)
{
	struct cli c = { .fmt = SCAN_FMT_TEXT };
	struct scan_results res = { 0 };
	struct scan_repo *repo = NULL;
	struct scan_engine *e = NULL;
	char err[512], *dot[] = { (char *)".", NULL };
	int rc, n = 0;

	if ((rc = parse_cli(&c, argc, argv, &n)) >= 0)
		return rc;
	rc = EXIT_TROUBLE;
	if ((c.src || c.config_from) &&
	    scan_repo_open(&repo, err, sizeof(err)) < 0) {
		error("%s", err);
		goto out;
	}
	if (load_config(&c, repo) < 0 || (e = make_engine(&c)) == NULL)
		goto out;
	if (c.src ? scan_repo_source(&c, repo, e, &res) < 0 :
		    scan_paths(&c, e, n ? argv : dot, n ? n : 1, &res) < 0)
		goto out;
	rc = finish(&c, &res, repo ? scan_repo_workdir(repo) : NULL);
out:
	scan_results_free(&res);
	scan_engine_free(e);
	scan_repo_free(repo);
	scan_ignore_free(c.ig);
	seal_sops_config_free(c.sops);
	scan_config_free(c.config);
	return rc;
}
