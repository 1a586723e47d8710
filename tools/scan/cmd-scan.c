/* SPDX-License-Identifier: ISC */
/*
 * cmd-scan.c - `seal scan`: find plaintext Secrets, half-sealed files and
 * leaked credentials in what is staged (--staged, what the hook runs), in
 * every tracked file (--all [REV]), in history (--history [RANGE]) or in
 * files and directories on disk. Options, config files and exit codes
 * live here; the rules are in hooks/, the git plumbing in hooks/staged.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hooks/repo.h"
#include "hooks/report.h"
#include "hooks/scan.h"
#include "tools/common/cmd.h"
#include "tools/common/progress.h"
#include "tools/common/util.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: seal scan [--staged | --all [REV] | --history [RANGE] | "
	    "PATH...]\n"
	    "                 [--format text|json|sarif] [--baseline FILE]\n"
	    "                 [--write-baseline FILE] [--ignore-file FILE]\n"
	    "                 [--max-size BYTES] [-j N] [-q]\n\n"
	    "  --staged            what the next commit adds (the hook's "
	    "check)\n"
	    "  --all [REV]         every tracked file (the index, or REV's "
	    "tree)\n"
	    "  --history [RANGE]   every blob the commits in RANGE "
	    "introduced\n"
	    "  -f, --format F      text (default), json or sarif\n"
	    "  -b, --baseline F    accept the findings listed in F "
	    "(default .seal-baseline)\n"
	    "  -w, --write-baseline F  write today's findings to F, exit 0\n"
	    "  -i, --ignore-file F path globs to skip (default .sealignore)\n"
	    "  -m, --max-size N    refuse files over N bytes (default %u)\n"
	    "  -j, --jobs N        threads (default: all cores)\n"
	    "  -q, --quiet         no summary line\n\n"
	    "Exit status: 0 clean, 1 findings (or a file it cannot vouch "
	    "for), 2 trouble.\n"
	    "Inline allow markers: seal:allow, gitleaks:allow, "
	    "pragma: allowlist secret.\nSee seal-scan(1).\n",
	    SCAN_MAX_SIZE_DEFAULT);
}

struct cli {
	enum scan_source src; /* 0: paths */
	const char *rev;
	enum scan_format fmt;
	const char *baseline, *write_baseline, *ignore_file;
	size_t max_size;
	int jobs;
	bool hook, quiet;
	struct scan_ignore *ig;
	struct sops_rules *sops;
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
load_config(struct cli *c, struct scan_repo *repo)
{
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
		c->sops = sops_rules_parse(buf, len, "", err, sizeof(err));
		free(buf);
		if (c->sops == NULL) {
			cfg_error(".sops.yaml", err);
			return -1;
		}
	}
	return 0;
}

/* paths mode ------------------------------------------------------------- */

static struct {
	char **v;
	size_t n, cap;
	int rc;
} walk;

static int
walk_cb(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	const char *base = p + ftw->base;

	(void)st;
	if (type == FTW_D && strcmp(base, ".git") == 0)
		return FTW_SKIP_SUBTREE;
	if (type != FTW_F)
		return 0;
	if (walk.n == walk.cap) {
		size_t ncap = walk.cap ? walk.cap * 2 : 256;
		char **nv = realloc(walk.v, ncap * sizeof(*nv));
		if (nv == NULL)
			return FTW_STOP;
		walk.v = nv;
		walk.cap = ncap;
	}
	if (strncmp(p, "./", 2) == 0)
		p += 2;
	if ((walk.v[walk.n] = strdup(p)) == NULL)
		return FTW_STOP;
	walk.n++;
	return 0;
}

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

static int
scan_paths(struct cli *c, const struct scan_engine *e, char **paths,
    int npaths, struct scan_results *out)
{
	struct scan_worker *w = scan_worker_new(e);
	size_t i;
	int k, rc = 0;

	if (w == NULL) {
		error("out of memory");
		return -1;
	}
	for (k = 0; k < npaths; k++) {
		if (nftw(paths[k], walk_cb, 32, FTW_PHYS | FTW_ACTIONRETVAL) <
		    0) {
			error("cannot read '%s': %s", paths[k],
			    strerror(errno));
			rc = -1;
		}
	}
	for (i = 0; i < walk.n && rc == 0; i++) {
		char *buf = NULL;
		size_t len = 0;
		struct stat st;
		if (scan_ignore_match(c->ig, walk.v[i]))
			continue;
		if (stat(walk.v[i], &st) == 0 &&
		    (size_t)st.st_size > scan_engine_max_size(e)) {
			rc = scan_too_large(out, walk.v[i],
			    (uint64_t)st.st_size, scan_engine_max_size(e));
			continue;
		}
		if (read_file(walk.v[i], 0, &buf, &len) < 0) {
			rc = -1;
			break;
		}
		rc = scan_buffer(w, walk.v[i], buf, len, out);
		free(buf);
	}
	if (rc == 0 && out->nrefs && scan_check_refs(out, disk_ref, NULL) < 0)
		rc = -1;
	for (i = 0; i < walk.n; i++)
		free(walk.v[i]);
	free(walk.v);
	memset(&walk, 0, sizeof(walk));
	scan_worker_free(w);
	return rc;
}

/* ------------------------------------------------------------------------ */

static int
finish(struct cli *c, struct scan_results *res, const char *root)
{
	struct scan_baseline *bl = NULL;
	char *buf = NULL, err[256], path[4096];
	size_t len = 0, dropped = 0;
	FILE *out = c->hook ? stderr : stdout;
	int got;

	scan_dedupe(res);
	if (c->write_baseline) {
		struct atomic_file af;
		FILE *f;
		if (atomic_open(&af, c->write_baseline) < 0)
			return EXIT_TROUBLE;
		f = fdopen(dup(af.fd), "w");
		if (f == NULL || scan_write_baseline(f, res) < 0 ||
		    fclose(f) != 0) {
			atomic_abort(&af);
			error("cannot write '%s'", c->write_baseline);
			return EXIT_TROUBLE;
		}
		if (atomic_commit(&af) < 0)
			return EXIT_TROUBLE;
		if (!c->quiet)
			fprintf(stderr, "seal scan: wrote %zu finding(s) to "
			    "'%s'\n", res->n, c->write_baseline);
		return EXIT_OK;
	}
	snprintf(path, sizeof(path), "%s%s", root ? root : "",
	    c->baseline ? c->baseline : ".seal-baseline");
	got = read_disk(c->baseline && c->baseline[0] == '/' ? c->baseline :
							    path, &buf, &len);
	if (got < 0)
		return EXIT_TROUBLE;
	if (got == 0 && c->baseline) {
		error("cannot read baseline '%s'", c->baseline);
		return EXIT_TROUBLE;
	}
	if (got > 0) {
		bl = scan_baseline_parse(buf, len, err, sizeof(err));
		free(buf);
		if (bl == NULL) {
			cfg_error(c->baseline ? c->baseline : ".seal-baseline",
			    err);
			return EXIT_TROUBLE;
		}
		dropped = scan_apply_baseline(res, bl);
		scan_baseline_free(bl);
	}
	if (c->hook && res->n)
		fprintf(out, "seal: commit refused: %zu finding(s) in the "
		    "staged files\n", res->n);
	if (c->fmt != SCAN_FMT_TEXT || res->n)
		scan_report(out, res, c->fmt);
	fflush(out);
	if (!c->quiet && (c->fmt != SCAN_FMT_TEXT || !c->hook))
		fprintf(stderr, "seal scan: %zu file(s), %zu byte(s), %zu "
		    "finding(s)%s\n", res->files, res->bytes, res->n,
		    dropped ? " (more accepted by the baseline)" : "");
	return res->n ? EXIT_NEGATIVE : EXIT_OK;
}

/* progress of a long scan (--all, --history) on a terminal */
static void
show_progress(void *arg, size_t done, size_t total)
{
	struct progress *pg = arg;

	pg->total = total;
	progress_update(pg, done);
}

int
cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "staged", no_argument, NULL, 's' },
		{ "all", no_argument, NULL, 'a' },
		{ "history", no_argument, NULL, 'H' },
		{ "format", required_argument, NULL, 'f' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "write-baseline", required_argument, NULL, 'w' },
		{ "ignore-file", required_argument, NULL, 'i' },
		{ "max-size", required_argument, NULL, 'm' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "hook-mode", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli c = { .fmt = SCAN_FMT_TEXT };
	struct scan_results res = { 0 };
	struct scan_repo *repo = NULL;
	struct scan_engine *e = NULL;
	struct scan_opts so = { 0 };
	char err[512];
	int ch, rc = EXIT_TROUBLE;
	long n;
	char *end;

	while ((ch = getopt_long(argc, argv, "saHf:b:w:i:m:j:qKh", longopts,
		    NULL)) != -1) {
		switch (ch) {
		case 's':
		case 'a':
		case 'H':
			if (c.src) {
				error("--staged, --all and --history are "
				      "exclusive");
				usage(stderr);
				return EXIT_TROUBLE;
			}
			c.src = ch == 's' ? SCAN_SRC_STAGED :
			    ch == 'a'	  ? SCAN_SRC_INDEX :
					    SCAN_SRC_HISTORY;
			break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				c.fmt = SCAN_FMT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				c.fmt = SCAN_FMT_JSON;
			else if (strcmp(optarg, "sarif") == 0)
				c.fmt = SCAN_FMT_SARIF;
			else {
				error("unknown format '%s': use text, json "
				      "or sarif",
				    optarg);
				return EXIT_TROUBLE;
			}
			break;
		case 'b':
			c.baseline = optarg;
			break;
		case 'w':
			c.write_baseline = optarg;
			break;
		case 'i':
			c.ignore_file = optarg;
			break;
		case 'm':
		case 'j':
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno || *end || n < 1) {
				error("--%s wants a positive number, not '%s'",
				    ch == 'm' ? "max-size" : "jobs", optarg);
				return EXIT_TROUBLE;
			}
			if (ch == 'm')
				c.max_size = (size_t)n;
			else
				c.jobs = (int)n;
			break;
		case 'q':
			c.quiet = true;
			break;
		case 'K':
			c.hook = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_TROUBLE;
		}
	}
	argc -= optind;
	argv += optind;
	if (c.src == SCAN_SRC_STAGED && argc > 0) {
		error("--staged takes no paths");
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if ((c.src == SCAN_SRC_INDEX || c.src == SCAN_SRC_HISTORY) &&
	    argc > 0) {
		if (argc > 1) {
			usage(stderr);
			return EXIT_TROUBLE;
		}
		c.rev = argv[0];
		if (c.src == SCAN_SRC_INDEX)
			c.src = SCAN_SRC_TREE;
	}
	if (c.jobs == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		c.jobs = cpus > 0 ? (int)cpus : 1;
	}
	if (c.src) {
		if (scan_repo_open(&repo, err, sizeof(err)) < 0) {
			error("%s", err);
			goto out;
		}
	}
	if (load_config(&c, repo) < 0)
		goto out;
	so.max_size = c.max_size;
	{
		/* the compiled prefilter is cached as git's tools do */
		static char cache[4096];
		const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
		if (x && *x == '/')
			snprintf(cache, sizeof(cache), "%s", x);
		else if (h && *h == '/')
			snprintf(cache, sizeof(cache), "%s/.cache", h);
		so.cache_dir = cache[0] ? cache : NULL;
	}
	so.sops = c.sops;
	if ((e = scan_engine_new(&so, err, sizeof(err))) == NULL) {
		error("%s", err);
		goto out;
	}
	if (c.src) {
		struct progress pg;
		struct scan_run_opts ro = { .src = c.src, .rev = c.rev,
			.threads = c.jobs, .ignore = c.ig,
			.progress = show_progress, .progress_arg = &pg };
		int r;

		progress_begin(&pg, "seal scan: files", 0);
		r = scan_repo_run(repo, e, &ro, &res, err, sizeof(err));
		progress_end(&pg, pg.total);
		if (r < 0) {
			/* the hook cannot decide: it refuses, saying why */
			error("%s%s", err, c.hook ? "; commit refused" : "");
			goto out;
		}
	} else {
		char *dot[] = { (char *)".", NULL };
		if (scan_paths(&c, e, argc ? argv : dot, argc ? argc : 1,
			&res) < 0)
			goto out;
	}
	rc = finish(&c, &res, repo ? scan_repo_workdir(repo) : NULL);
out:
	scan_results_free(&res);
	scan_engine_free(e);
	scan_repo_free(repo);
	scan_ignore_free(c.ig);
	sops_rules_free(c.sops);
	return rc;
}
