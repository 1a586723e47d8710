/* SPDX-License-Identifier: ISC */
/*
 * cmd-cluster.c - seal cluster init|add|list|rotate|retire: clusters and
 * tenants as named age keys in the repository's .sops.yaml (the registry
 * is keys/registry.c). Makes keypairs, records the public keys and the
 * creation rules, and hands the private keys out as a file (0600, made
 * exclusively, never inside the git work tree unless git ignores it) or
 * as Kubernetes Secret manifests on stdout (cluster-secret.c). The
 * repository-wide work (counting, re-wrapping) is in cluster-files.c.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys/registry.h"
#include "tools/common/cmd.h"
#include "tools/common/options.h"
#include "tools/common/util.h"
#include "tools/seal/cluster.h"

static const char *const usage[] = {
	"init --admin RECIPIENT...",
	"add NAME [--path REGEX] [--tenant NS=REGEX]...\n"
	"        (--key-file FILE | --secret [--for flux|unseal])",
	"list [--json]",
	"rotate NAME[/TENANT] (--key-file FILE | --secret [--for flux|unseal])",
	"retire NAME KEY",
	NULL,
};

static const char desc[] =
    "Clusters and tenants as named age keys in .sops.yaml: keys: with\n"
    "anchors, creation rules that name them by alias. See seal-cluster(1).\n";

static const char footer[] =
    "Exit status: 0 ok, 1 refused, 2 trouble.\n";

static void
opts_free(struct cluster_opts *o)
{
	free(o->admins);
	free(o->tenants);
	free(o->config);
}

static int
parse_opts(int argc, char **argv, struct cluster_opts *o)
{
	struct opt_list admins = { 0 }, tenants = { 0 };
	const char *config = NULL;
	const struct opt opts[] = {
		OPT_STRING_LIST(0, "admin", &admins, "RECIPIENT",
		    "init: the platform team's recipient, put in\nevery rule"),
		OPT_STRING(0, "path", &o->path, "REGEX",
		    "add: the cluster's path_regex (default\n"
		    "^clusters/NAME/)"),
		OPT_STRING_LIST(0, "tenant", &tenants, "NS=REGEX",
		    "add: a tenant namespace with its own key and\nrule"),
		OPT_STRING(0, "key-file", &o->key_file, "FILE",
		    "write the new private key(s) to FILE (0600)"),
		OPT_BOOL(0, "secret", &o->secret,
		    "print Kubernetes Secret manifests instead"),
		OPT_STRING(0, "for", &o->layout, "flux|unseal",
		    "the Secrets' layout (default flux)"),
		OPT_STRING(0, "namespace", &o->namespace, "NS",
		    "the Secret's namespace (default flux-system,\n"
		    "or argocd for unseal)"),
		OPT_BOOL(0, "force-tty", &o->force_tty,
		    "print a --secret manifest to a terminal anyway"),
		OPT_STRING(0, "config", &config, "FILE",
		    "the .sops.yaml to edit (default: found as sops\n"
		    "finds it)"),
		OPT_BOOL(0, "json", &o->json, "list: as JSON"),
		OPT_SET_INT('q', "quiet", &verbosity, -1, "no notes"),
		OPT_END(),
	};
	const struct opt_cmd cmd = { .name = "seal cluster", .usage = usage,
		.desc = desc, .opts = opts, .footer = footer };
	size_t i;
	int n, ec;

	memset(o, 0, sizeof(*o));
	o->layout = "flux";
	if ((n = opt_parse(&cmd, argc, argv)) < 0) {
		opt_list_free(&admins);
		opt_list_free(&tenants);
		return opt_exit(n);
	}
	o->admins = admins.v;
	o->nadmins = admins.n;
	if (config != NULL && (o->config = strdup(config)) == NULL)
		die(EXIT_TROUBLE, "out of memory");
	if (strcmp(o->layout, "flux") != 0 &&
	    strcmp(o->layout, "unseal") != 0) {
		ec = opt_misuse(&cmd, "--for takes flux or unseal, not '%s'",
		    o->layout);
		goto fail;
	}
	if (n == 0) {
		ec = opt_misuse(&cmd, "which action: init, add, list, rotate "
		    "or retire");
		goto fail;
	}
	if (tenants.n > 0 && (o->tenants = calloc(tenants.n,
	    sizeof(*o->tenants))) == NULL)
		die(EXIT_TROUBLE, "out of memory");
	for (i = 0; i < tenants.n; i++) {
		/* an argv string: ours to cut at '=' */
		char *t = (char *)(uintptr_t)tenants.v[i], *eq = strchr(t, '=');

		if (eq == NULL || eq == t || eq[1] == '\0') {
			ec = opt_misuse(&cmd, "--tenant wants NAMESPACE=REGEX, "
			    "not '%s'", t);
			goto fail;
		}
		*eq = '\0';
		o->tenants[i].name = t;
		o->tenants[i].path_regex = eq + 1;
		o->ntenants++;
	}
	opt_list_free(&tenants);
	o->args = argv + 1;	/* after the action */
	o->nargs = n - 1;
	o->action = argv[0];
	return -1;
fail:
	opt_list_free(&tenants);
	return ec;
}

/* -- the registry file ---------------------------------------------------- */

static char *
git_toplevel(void)
{
	char *out = NULL;

	if (cluster_run_git(NULL, (const char *[]){ "git", "rev-parse",
	    "--show-toplevel", NULL }, &out) != 0 || out == NULL) {
		free(out);
		return NULL;
	}
	out[strcspn(out, "\n")] = '\0';
	return out;
}

/* The .sops.yaml to use: --config, SOPS_CONFIG, the nearest one above
 * the current directory, or (create) a new one at the top of the git
 * work tree, else here. */
static int
find_config(struct cluster_opts *o, bool create)
{
	const char *env = getenv("SOPS_CONFIG");
	char cwd[PATH_MAX], *top;
	size_t n;

	if (o->config != NULL)
		return 0;
	if (env != NULL && *env) {
		o->config = strdup(env);
		return o->config ? 0 : -1;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		error("cannot get the current directory: %s", strerror(errno));
		return -1;
	}
	for (n = 0; n < 100; n++) {
		char p[PATH_MAX + 16];
		char *slash;

		snprintf(p, sizeof(p), "%s/.sops.yaml", cwd[0] ? cwd : "");
		if (access(p, F_OK) == 0) {
			o->config = strdup(p);
			return o->config ? 0 : -1;
		}
		slash = strrchr(cwd, '/');
		if (slash == NULL || cwd[0] == '\0')
			break;
		*slash = '\0';
	}
	if (!create) {
		error("no .sops.yaml here or above; run 'seal cluster init "
		    "--admin RECIPIENT' or 'seal cluster add' first");
		return -1;
	}
	top = git_toplevel();
	if (top == NULL && getcwd(cwd, sizeof(cwd)) != NULL)
		top = strdup(cwd);
	if (top == NULL ||
	    asprintf(&o->config, "%s/.sops.yaml", top) < 0)
		o->config = NULL;
	free(top);
	return o->config ? 0 : -1;
}

int
cluster_load(seal_ctx *ctx, struct cluster_opts *o, bool create,
    keys_registry **out)
{
	char *buf = NULL;
	size_t len = 0;
	seal_rc rc;

	*out = NULL;
	if (find_config(o, create) != 0)
		return EXIT_TROUBLE;
	if (access(o->config, F_OK) == 0) {
		if (read_file(o->config, 1u << 20, &buf, &len) != 0)
			return EXIT_TROUBLE;
	} else if (!create) {
		error("cannot open '%s': %s", o->config, strerror(errno));
		return EXIT_TROUBLE;
	}
	rc = keys_registry_parse(ctx, buf ? buf : "", len, o->config, out);
	free(buf);
	if (rc != SEAL_OK) {
		error("%s", seal_ctx_errmsg(ctx));
		return EXIT_TROUBLE;
	}
	return 0;
}

int
cluster_save(seal_ctx *ctx, const struct cluster_opts *o,
    const keys_registry *reg)
{
	struct atomic_file af;

	if (atomic_open(&af, o->config) != 0)
		return EXIT_TROUBLE;
	if (keys_registry_write(ctx, reg, atomic_write_fn, &af) != SEAL_OK) {
		atomic_abort(&af);
		error("cannot write '%s': %s", o->config,
		    seal_ctx_errmsg(ctx));
		return EXIT_TROUBLE;
	}
	return atomic_commit(&af) == 0 ? 0 : EXIT_TROUBLE;
}

/* -- subcommands ---------------------------------------------------------- */

static int
fail(seal_ctx *ctx, seal_rc rc)
{
	error("%s", seal_ctx_errmsg(ctx));
	return rc == SEAL_EREFUSED ? EXIT_NEGATIVE : EXIT_TROUBLE;
}

static int
do_init(seal_ctx *ctx, struct cluster_opts *o)
{
	keys_registry *reg = NULL;
	size_t i;
	int ec;
	seal_rc rc;

	if (o->nadmins == 0 || o->nargs != 0) {
		error("init takes --admin RECIPIENT (repeatable) and nothing "
		    "else; see 'seal cluster --help'");
		return EXIT_TROUBLE;
	}
	if ((ec = cluster_load(ctx, o, true, &reg)) != 0)
		return ec;
	for (i = 0; i < o->nadmins; i++)
		if ((rc = keys_admin_add(ctx, reg, o->admins[i])) != SEAL_OK) {
			ec = fail(ctx, rc);
			goto out;
		}
	if ((ec = cluster_save(ctx, o, reg)) == 0)
		info("%s: %zu admin recipient(s) recorded; every rule seal "
		    "writes includes them", o->config, o->nadmins);
out:
	keys_registry_free(reg);
	return ec;
}

static int
check_output(const struct cluster_opts *o)
{
	if ((o->key_file != NULL) == o->secret) {
		error("give exactly one of --key-file FILE and --secret");
		return EXIT_TROUBLE;
	}
	if (o->secret && !o->force_tty && isatty(STDOUT_FILENO)) {
		error("refusing to print a private key to a terminal; "
		    "redirect the output (seal cluster ... --secret > "
		    "key.yaml) or add --force-tty");
		return EXIT_TROUBLE;
	}
	return 0;
}

static int
do_add(seal_ctx *ctx, struct cluster_opts *o)
{
	keys_registry *reg = NULL;
	struct cluster_keys ks;
	char *path = NULL;
	size_t i;
	int ec;
	seal_rc rc;

	memset(&ks, 0, sizeof(ks));
	if (o->nargs != 1) {
		error("add takes one cluster name; see 'seal cluster --help'");
		return EXIT_TROUBLE;
	}
	if ((ec = check_output(o)) != 0)
		return ec;
	if ((rc = keys_name_check(ctx, o->args[0], false)) != SEAL_OK)
		return fail(ctx, rc);
	for (i = 0; i < o->ntenants; i++)
		if ((rc = keys_name_check(ctx, o->tenants[i].name, true)) !=
		    SEAL_OK)
			return fail(ctx, rc);
	/* a regex written into .sops.yaml must be one sops reads back */
	if (o->path != NULL &&
	    (rc = seal_sops_regex_check(ctx, "--path", o->path)) != SEAL_OK)
		return fail(ctx, rc);
	for (i = 0; i < o->ntenants; i++)
		if ((rc = seal_sops_regex_check(ctx, "--tenant",
		         o->tenants[i].path_regex)) != SEAL_OK)
			return fail(ctx, rc);
	if ((ec = cluster_load(ctx, o, true, &reg)) != 0)
		return ec;
	if (keys_has_cluster(reg, o->args[0])) {
		error("cluster '%s' is already registered in %s; 'seal "
		    "cluster rotate %s' gives it a new key", o->args[0],
		    o->config, o->args[0]);
		ec = EXIT_NEGATIVE;
		goto out;
	}
	if (o->path == NULL && asprintf(&path, "^clusters/%s/",
	    o->args[0]) < 0)
		die(EXIT_TROUBLE, "out of memory");
	/* the keys: the cluster's, then one per tenant */
	if ((ec = cluster_keys_make(ctx, &ks, o->args[0], o->tenants,
	    o->ntenants)) != 0)
		goto out;
	for (i = 0; i < o->ntenants; i++)
		o->tenants[i].recipient = ks.k[i + 1].recipient;
	rc = keys_cluster_add(ctx, reg, o->args[0], ks.k[0].recipient,
	    o->path ? o->path : path, o->tenants, o->ntenants);
	if (rc != SEAL_OK) {
		ec = fail(ctx, rc);
		goto out;
	}
	/* the private keys go out first: a registry naming a key nobody
	 * holds would seal files nobody can open */
	if ((ec = cluster_keys_deliver(ctx, o, reg, &ks)) != 0)
		goto out;
	if ((ec = cluster_save(ctx, o, reg)) == 0)
		info("cluster %s registered in %s (%zu tenant(s))",
		    o->args[0], o->config, o->ntenants);
out:
	cluster_keys_free(&ks);
	free(path);
	keys_registry_free(reg);
	return ec;
}

static int
do_rotate(seal_ctx *ctx, struct cluster_opts *o)
{
	keys_registry *reg = NULL;
	struct cluster_keys ks;
	char name[2 * KEYS_NAME_MAX + 2], *tenant;
	struct keys_tenant_spec t;
	int ec;
	seal_rc rc;

	memset(&ks, 0, sizeof(ks));
	if (o->nargs != 1 || strlen(o->args[0]) >= sizeof(name)) {
		error("rotate takes one NAME or NAME/TENANT; see 'seal "
		    "cluster --help'");
		return EXIT_TROUBLE;
	}
	if ((ec = check_output(o)) != 0)
		return ec;
	snprintf(name, sizeof(name), "%s", o->args[0]);
	tenant = strchr(name, '/');
	if (tenant != NULL)
		*tenant++ = '\0';
	if ((ec = cluster_load(ctx, o, false, &reg)) != 0)
		return ec;
	if (keys_current(reg, name, tenant) == NULL) {
		error("%s '%s' is not registered in %s (see 'seal cluster "
		    "list')", tenant ? "tenant" : "cluster", o->args[0],
		    o->config);
		ec = EXIT_NEGATIVE;
		goto out;
	}
	t.name = tenant;
	t.path_regex = NULL;
	t.recipient = NULL;
	if ((ec = cluster_keys_make(ctx, &ks, name, tenant ? &t : NULL,
	    tenant ? 1 : 0)) != 0)
		goto out;
	if (tenant != NULL) {
		/* the tenant's key alone */
		seal_identity_free(ks.k[0].id);
		ks.k[0] = ks.k[1];
		ks.n = 1;
	}
	rc = keys_rotate(ctx, reg, name, tenant, ks.k[0].recipient);
	if (rc != SEAL_OK) {
		ec = fail(ctx, rc);
		goto out;
	}
	if ((ec = cluster_keys_deliver(ctx, o, reg, &ks)) != 0)
		goto out;
	if ((ec = cluster_save(ctx, o, reg)) == 0)
		info("%s: new current key %s; the old one is retired. Run "
		    "'seal updatekeys .', commit, roll the new key out, then "
		    "'seal cluster retire %s KEY'", o->args[0],
		    ks.k[0].recipient, name);
out:
	cluster_keys_free(&ks);
	keys_registry_free(reg);
	return ec;
}

static int
do_retire(seal_ctx *ctx, struct cluster_opts *o)
{
	keys_registry *reg = NULL;
	const struct keys_key *k;
	char anchor[2 * KEYS_NAME_MAX + 40], recipient[128];
	int ec;
	seal_rc rc;

	if (o->nargs != 2) {
		error("retire takes NAME and KEY (a recipient or an anchor "
		    "such as retired-1); see 'seal cluster list'");
		return EXIT_TROUBLE;
	}
	if ((ec = cluster_load(ctx, o, false, &reg)) != 0)
		return ec;
	if ((rc = keys_find_retired(ctx, reg, o->args[0], o->args[1], &k)) !=
	    SEAL_OK) {
		ec = fail(ctx, rc);
		if (rc == SEAL_EINVAL)
			ec = EXIT_NEGATIVE;
		goto out;
	}
	snprintf(anchor, sizeof(anchor), "%s", k->anchor);
	snprintf(recipient, sizeof(recipient), "%s", k->recipient);
	/* every file of the cluster must already open with the current
	 * key; then the registry drops the key and the files follow */
	if ((ec = cluster_retire_files(ctx, o, reg, k, NULL)) != 0)
		goto out;
	if ((rc = keys_remove(ctx, reg, anchor)) != SEAL_OK) {
		ec = fail(ctx, rc);
		goto out;
	}
	if ((ec = cluster_save(ctx, o, reg)) != 0)
		goto out;
	ec = cluster_retire_files(ctx, o, reg, NULL, recipient);
	if (ec == 0)
		info("%s: key %s retired", o->args[0], anchor);
out:
	keys_registry_free(reg);
	return ec;
}

int
cmd_cluster(int argc, char **argv)
{
	struct cluster_opts o;
	seal_ctx *ctx = NULL;
	const char *sub;
	int ec;

	harden_process();
	if ((ec = parse_opts(argc, argv, &o)) >= 0) {
		opts_free(&o);
		return ec;
	}
	sub = o.action;
	if (seal_ctx_new(&ctx) != SEAL_OK)
		die(EXIT_TROUBLE, "out of memory");
	if (strcmp(sub, "init") == 0)
		ec = do_init(ctx, &o);
	else if (strcmp(sub, "add") == 0)
		ec = do_add(ctx, &o);
	else if (strcmp(sub, "list") == 0)
		ec = cluster_list(ctx, &o);
	else if (strcmp(sub, "rotate") == 0)
		ec = do_rotate(ctx, &o);
	else if (strcmp(sub, "retire") == 0)
		ec = do_retire(ctx, &o);
	else {
		error("'%s' is not a cluster action (init, add, list, "
		    "rotate, retire); see 'seal cluster --help'", sub);
		ec = EXIT_TROUBLE;
	}
	seal_ctx_free(ctx);
	opts_free(&o);
	return ec;
}
