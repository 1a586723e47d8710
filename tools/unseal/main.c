/* SPDX-License-Identifier: ISC */
/*
 * main.c - unseal(1): the decrypt-only program that runs beside a sync
 * agent. Dispatches to its four modes (filter, render, krm, discover),
 * hardens the process (no core dumps, not dumpable, umask 077), parses the
 * options every mode shares, loads keys and policy, and arms the limits
 * on wall time and signals: on SIGTERM, SIGINT or the time limit the
 * process stops its kustomize child and exits 2 with nothing on stdout
 * (the output is staged until the end).
 *
 * Only the sidecar's own environment chooses keys and policy: UNSEAL_KEYS,
 * UNSEAL_POLICY and sops's SOPS_AGE_* variables. ARGOCD_APP_NAMESPACE and
 * ARGOCD_APP_PROJECT_NAME, which Argo CD's server sets, only narrow what
 * is allowed. Nothing reads ARGOCD_ENV_* or PARAM_*.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/common/cmd.h"
#include "tools/common/options.h"
#include "tools/common/util.h"
#include "tools/unseal/unseal.h"

static volatile sig_atomic_t child_pid;

void
unseal_set_child(int pid)
{
	child_pid = pid;
}

static void
write_str(const char *s)
{
	ssize_t w = write(2, s, strlen(s));
	(void)w;
}

static void
on_signal(int sig)
{
	if (child_pid > 0)
		kill(-child_pid, SIGKILL);
	if (sig == SIGALRM)
		write_str("unseal: stopped: over the time limit (--timeout); "
			  "nothing was written\n");
	else
		write_str("unseal: stopped by a signal; nothing was written\n");
	_exit(EXIT_TROUBLE);
}

static void
arm_signals(unsigned seconds)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (seconds > 0)
		alarm(seconds);
}

/* A size with an optional K, M or G suffix (powers of 1024). */
static int
parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *e;

	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno || e == s || s[0] == '-')
		return -1;
	switch (*e) {
	case 'K': case 'k': v <<= 10; e++; break;
	case 'M': case 'm': v <<= 20; e++; break;
	case 'G': case 'g': v <<= 30; e++; break;
	}
	if (*e == 'i' && e[-1] != '\0')
		e++;
	if (*e != '\0' || v == 0 || v > SIZE_MAX / 2)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int
size_cb(const struct opt *o, const char *arg)
{
	if (parse_size(arg, o->value) != 0) {
		error("--%s wants a positive size (a number, K, M or G)",
		    o->long_name);
		return -1;
	}
	return 0;
}

static int
uint_cb(const struct opt *o, const char *arg)
{
	size_t v;

	if (o->defval && strcmp(arg, "0") == 0) {
		*(unsigned *)o->value = 0;
		return 0;
	}
	if (parse_size(arg, &v) != 0 || v > UINT_MAX) {
		error("--%s wants a positive number", o->long_name);
		return -1;
	}
	*(unsigned *)o->value = (unsigned)v;
	return 0;
}

static const char footer[] =
    "Exit status: 0 ok, 1 refused (no key, bad MAC, tenancy, limits,\n"
    "half-sealed input), 2 usage or environment trouble.\n";

int
unseal_options(struct unseal_run *r, int *argc, char **argv,
    const struct unseal_mode *m)
{
	int verbose_quiet = 0;
	const char *env;
	const struct opt render_opts[] = {
		OPT_GROUP("render"),
		OPT_BOOL('r', "recurse", &r->recurse,
		    "plain directories: enter subdirectories"),
		OPT_STRING(0, "root", &r->root, "DIR",
		    "the checkout no path may leave"),
		OPT_END(),
	};
	const struct opt opts[] = {
		OPT_GROUP("keys and tenancy"),
		OPT_STRING(0, "keys", &r->keys_dir, "DIR",
		    "every *.agekey and keys.txt in DIR (UNSEAL_KEYS)"),
		OPT_STRING(0, "policy", &r->policy_path, "FILE",
		    "keys -> projects, namespaces (UNSEAL_POLICY;\n"
		    "default policy.yaml in the key directory)"),
		OPT_STRING(0, "namespace", &r->namespace, "NS",
		    "destination namespace (ARGOCD_APP_NAMESPACE)"),
		OPT_STRING(0, "project", &r->project, "P",
		    "Argo CD project (ARGOCD_APP_PROJECT_NAME)"),
		OPT_GROUP("limits"),
		OPT_CALLBACK(0, "max-file-size", &r->max_file, "N",
		    "bytes per input file (5M)", size_cb),
		OPT_CALLBACK(0, "max-documents", &r->max_docs, "N",
		    "documents in all (10000)", uint_cb),
		OPT_CALLBACK(0, "max-depth", &r->max_depth, "N",
		    "nesting of a document (64)", uint_cb),
		OPT_CALLBACK(0, "max-nodes", &r->max_nodes, "N",
		    "nodes per file after aliases (200000)", size_cb),
		OPT_CALLBACK(0, "max-output", &r->max_output, "N",
		    "bytes of output (100M)", size_cb),
		{ .type = OPT_T_CALLBACK, .long_name = "timeout",
		    .value = &r->seconds, .argh = "S",
		    .help = "wall time in seconds (60; 0: none)",
		    .cb = uint_cb, .defval = 1 },
		OPT_COUNTUP('q', "quiet", &verbose_quiet, "no warnings"),
		OPT_END(),
	};
	struct opt all[sizeof(opts) / sizeof(opts[0]) +
	    sizeof(render_opts) / sizeof(render_opts[0])];
	size_t i, n = 0;
	int got;

	r->max_file = UNSEAL_MAX_FILE;
	r->max_docs = UNSEAL_MAX_DOCS;
	r->max_depth = UNSEAL_MAX_DEPTH;
	r->max_nodes = UNSEAL_MAX_NODES;
	r->max_output = UNSEAL_MAX_OUTPUT;
	r->seconds = UNSEAL_MAX_SECONDS;
	r->strict = true;
	if (m->render_opts)
		for (i = 0; render_opts[i].type != OPT_T_END; i++)
			all[n++] = render_opts[i];
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		all[n++] = opts[i];
	{
		const struct opt_cmd cmd = { .name = m->name, .usage = m->usage,
			.desc = m->desc, .opts = all, .footer = footer };
		got = opt_parse(&cmd, *argc, argv);
	}
	if (got < 0)
		return opt_exit(got);
	if (verbose_quiet)
		verbosity = -1;
	/* the operands go to argv[1..] */
	memmove(argv + 1, argv, (size_t)got * sizeof(*argv));
	argv[got + 1] = NULL;
	*argc = got + 1;
	if (r->keys_dir == NULL && (env = getenv("UNSEAL_KEYS")) && *env)
		r->keys_dir = env;
	if (r->policy_path == NULL && (env = getenv("UNSEAL_POLICY")) && *env)
		r->policy_path = env;
	env = getenv("ARGOCD_APP_NAMESPACE");
	if (env != NULL && *env) {
		if (r->namespace != NULL && strcmp(r->namespace, env) != 0) {
			error("--namespace '%s' and ARGOCD_APP_NAMESPACE '%s' "
			      "differ; give one",
			    r->namespace, env);
			return EXIT_TROUBLE;
		}
		r->namespace = env;
	}
	env = getenv("ARGOCD_APP_PROJECT_NAME");
	if (env != NULL && *env) {
		if (r->project != NULL && strcmp(r->project, env) != 0) {
			error("--project '%s' and ARGOCD_APP_PROJECT_NAME '%s' "
			      "differ; give one",
			    r->project, env);
			return EXIT_TROUBLE;
		}
		r->project = env;
	}
	r->out.max = r->max_output;
	return -1;
}

int
unseal_start(struct unseal_run *r)
{
	char path[PATH_MAX];
	struct stat st;

	arm_signals(r->seconds);
	crypto_init_noconfig();
	if (seal_ctx_new(&r->ctx) != SEAL_OK) {
		error("out of memory");
		return EXIT_TROUBLE;
	}
	if (keyring_load(r->ctx, r->keys_dir, &r->keys) != 0)
		return EXIT_TROUBLE;
	if (r->policy_path == NULL && r->keys_dir != NULL) {
		snprintf(path, sizeof(path), "%s/policy.yaml", r->keys_dir);
		if (stat(path, &st) == 0) {
			if ((r->policy_owned = strdup(path)) == NULL) {
				error("out of memory");
				return EXIT_TROUBLE;
			}
			r->policy_path = r->policy_owned;
		}
	}
	if (r->policy_path != NULL &&
	    policy_load(r->ctx, r->policy_path, &r->policy) != 0)
		return EXIT_TROUBLE;
	return 0;
}

int
unseal_finish(struct unseal_run *r)
{
	int fd = 1;

	if (r->failures)
		return EXIT_NEGATIVE;
	if (r->out.len && fd_write_fn(&fd, r->out.buf, r->out.len) != 0) {
		error("cannot write the output: %s", strerror(errno));
		return EXIT_TROUBLE;
	}
	return EXIT_OK;
}

void
unseal_end(struct unseal_run *r)
{
	obuf_free(&r->out);
	free(r->rbuf.p);
	keyring_free(r->keys);
	policy_free(r->policy);
	free(r->policy_owned);
	seal_ctx_free(r->ctx);
}

static const char *const filter_usage[] = {"[options] [FILE|-]...",
	"render [options] [-r] [--root DIR] [DIR]",
	"krm [options] [CONFIG]", "discover [DIR]", NULL};
static const char filter_desc[] =
    "Decrypt sealed (SOPS + age) Kubernetes manifests for a sync agent.\n"
    "Plaintext goes to stdout only, after everything was decrypted, its\n"
    "MAC verified and its namespace allowed; any failure prints one line\n"
    "per document on stderr, writes nothing and exits non-zero.\n"
    "See unseal(1); `unseal MODE --help` for each mode.\n";

const struct unseal_mode unseal_filter_mode = {"unseal", filter_usage,
	filter_desc, false};

int
main(int argc, char **argv)
{
	const char *base;

	harden_process();
	progname = "unseal";
	/* installed as a legacy kustomize plugin under its Kind's name
	 * ($KUSTOMIZE_PLUGIN_HOME/unseal.seal.dev/v1/unseal/Unseal) */
	/* run by kustomize as render's plugin, under whatever Kind the
	 * generator config names (render sets this for kustomize only) */
	if (getenv("UNSEAL_RENDER_PLUGIN") != NULL)
		return cmd_krm(argc, argv);
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	if (strcmp(base, "Unseal") == 0)
		return cmd_krm(argc, argv);
	if (argc > 1 && strcmp(argv[1], "render") == 0)
		return cmd_render(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "krm") == 0)
		return cmd_krm(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "discover") == 0)
		return cmd_discover(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "help") == 0) {
		char *h[] = {argv[0], (char *)"--help", NULL};
		return cmd_filter(2, h);
	}
	return cmd_filter(argc, argv);
}
