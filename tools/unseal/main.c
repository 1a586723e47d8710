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
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/common/cmd.h"
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

enum {
	OPT_KEYS = 0x100,
	OPT_POLICY,
	OPT_NAMESPACE,
	OPT_PROJECT,
	OPT_MAX_FILE,
	OPT_MAX_DOCS,
	OPT_MAX_DEPTH,
	OPT_MAX_NODES,
	OPT_MAX_OUTPUT,
	OPT_TIMEOUT,
	OPT_ROOT,
};

/* The shared options; the table's shape is tools/common/options.h's. */
static const struct option shared_opts[] = {
	{"help", no_argument, NULL, 'h'},
	{"quiet", no_argument, NULL, 'q'},
	{"keys", required_argument, NULL, OPT_KEYS},
	{"policy", required_argument, NULL, OPT_POLICY},
	{"namespace", required_argument, NULL, OPT_NAMESPACE},
	{"project", required_argument, NULL, OPT_PROJECT},
	{"max-file-size", required_argument, NULL, OPT_MAX_FILE},
	{"max-documents", required_argument, NULL, OPT_MAX_DOCS},
	{"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
	{"max-nodes", required_argument, NULL, OPT_MAX_NODES},
	{"max-output", required_argument, NULL, OPT_MAX_OUTPUT},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"recurse", no_argument, NULL, 'r'},
	{"root", required_argument, NULL, OPT_ROOT},
	{NULL, 0, NULL, 0},
};

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
parse_uint(const char *s, unsigned *out)
{
	size_t v;

	if (parse_size(s, &v) != 0 || v > UINT_MAX)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int
unseal_options(struct unseal_run *r, int *argc, char **argv,
    const char *usage, const char *mode_shortopts)
{
	const char *env;
	int c, i;

	(void)mode_shortopts;
	r->max_file = UNSEAL_MAX_FILE;
	r->max_docs = UNSEAL_MAX_DOCS;
	r->max_depth = UNSEAL_MAX_DEPTH;
	r->max_nodes = UNSEAL_MAX_NODES;
	r->max_output = UNSEAL_MAX_OUTPUT;
	r->seconds = UNSEAL_MAX_SECONDS;
	r->strict = true;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(*argc, argv, "hqr", shared_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return EXIT_OK;
		case 'q':
			verbosity = -1;
			break;
		case 'r':
			r->recurse = true;
			break;
		case OPT_ROOT:
			r->root = optarg;
			break;
		case OPT_KEYS:
			r->keys_dir = optarg;
			break;
		case OPT_POLICY:
			r->policy_path = optarg;
			break;
		case OPT_NAMESPACE:
			r->namespace = optarg;
			break;
		case OPT_PROJECT:
			r->project = optarg;
			break;
		case OPT_MAX_FILE:
			if (parse_size(optarg, &r->max_file) != 0)
				goto bad;
			break;
		case OPT_MAX_DOCS:
			if (parse_uint(optarg, &r->max_docs) != 0)
				goto bad;
			break;
		case OPT_MAX_DEPTH:
			if (parse_uint(optarg, &r->max_depth) != 0)
				goto bad;
			break;
		case OPT_MAX_NODES:
			if (parse_size(optarg, &r->max_nodes) != 0)
				goto bad;
			break;
		case OPT_MAX_OUTPUT:
			if (parse_size(optarg, &r->max_output) != 0)
				goto bad;
			break;
		case OPT_TIMEOUT:
			if (strcmp(optarg, "0") == 0)
				r->seconds = 0;
			else if (parse_uint(optarg, &r->seconds) != 0)
				goto bad;
			break;
		default:
			error("unknown option '%s'", argv[optind - 1]);
			fputs(usage, stderr);
			return EXIT_TROUBLE;
		}
	}
	/* the operands move to argv[1..] */
	for (i = optind; i < *argc; i++)
		argv[1 + i - optind] = argv[i];
	*argc = 1 + *argc - optind;
	argv[*argc] = NULL;
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
bad:
	error("option '%s' wants a positive number", argv[optind - 1]);
	return EXIT_TROUBLE;
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
		if (stat(path, &st) == 0)
			r->policy_path = strdup(path);
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
	keyring_free(r->keys);
	policy_free(r->policy);
	seal_ctx_free(r->ctx);
}

static const char usage_top[] =
    "usage: unseal [options] [FILE|-]...\n"
    "       unseal render [options] [-r] [--root DIR] [DIR]\n"
    "       unseal krm [options] [CONFIG]\n"
    "       unseal discover [DIR]\n"
    "\n"
    "Decrypt sealed (SOPS + age) Kubernetes manifests for a sync agent.\n"
    "Plaintext goes to stdout only, after everything was decrypted, its\n"
    "MAC verified and its namespace allowed; any failure prints one line\n"
    "per document on stderr, writes nothing and exits non-zero.\n"
    "\n"
    "  --keys DIR          every *.agekey and keys.txt in DIR (UNSEAL_KEYS)\n"
    "  --policy FILE       keys -> projects, namespaces (UNSEAL_POLICY;\n"
    "                      default DIR/policy.yaml of --keys)\n"
    "  --namespace NS      destination namespace (ARGOCD_APP_NAMESPACE)\n"
    "  --project P         Argo CD project (ARGOCD_APP_PROJECT_NAME)\n"
    "  --max-file-size N   per input file (5M)\n"
    "  --max-documents N   documents in all (10000)\n"
    "  --max-depth N       nesting (64)\n"
    "  --max-nodes N       nodes per file after aliases (200000)\n"
    "  --max-output N      bytes of output (100M)\n"
    "  --timeout S         wall time in seconds (60; 0: none)\n"
    "  -q, --quiet         no warnings\n"
    "\n"
    "Exit status: 0 ok, 1 refused (no key, bad MAC, tenancy, limits,\n"
    "half-sealed input), 2 usage or environment trouble.\n"
    "See unseal(1), unseal-render(1), unseal-krm(1), unseal-discover(1).\n";

const char *unseal_usage = usage_top;

int
main(int argc, char **argv)
{
	const char *base;

	harden_process();
	progname = "unseal";
	/* installed as a legacy kustomize plugin under its Kind's name
	 * ($KUSTOMIZE_PLUGIN_HOME/unseal.seal.dev/v1/unseal/Unseal) */
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
		fputs(usage_top, stdout);
		return EXIT_OK;
	}
	return cmd_filter(argc, argv);
}
