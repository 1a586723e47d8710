/* SPDX-License-Identifier: ISC */
/*
 * policy.c - the tenancy policy: for each key, by its recipient, the Argo
 * CD projects and the namespaces it may serve. The file is mounted beside
 * the keys by the operator, never read from the repository, and nothing
 * an app author sets (ARGOCD_ENV_*, parameters, the repository) changes
 * it. With a policy, a key it does not list serves nothing. The format
 * is documented in unseal(1), POLICY FILE:
 *
 *   keys:
 *     - recipient: age1...
 *       projects: [team-a]          # "*": any project
 *       namespaces: [team-a, team-a-dev]   # "*": any namespace
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/common/util.h"
#include "tools/unseal/unseal.h"

#define POLICY_MAX    (1u << 20)
#define MAX_ENTRIES   4096u
#define MAX_NAMES     1024u

struct entry {
	char *rcpt;
	char **projects, **namespaces;
	size_t nprojects, nnamespaces;
};

struct unseal_policy {
	struct entry *e;
	size_t n;
};

static void
free_list(char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static int
get(seal_ctx *ctx, seal_sops_file *f, const char *path, char **out,
    seal_rc *rcp)
{
	const char *t;
	size_t len;
	seal_rc rc;

	*out = NULL;
	rc = seal_sops_doc_scalar(ctx, f, 0, path, &t, &len);
	*rcp = rc;
	if (rc != SEAL_OK)
		return rc == SEAL_EINVAL ? 1 : -1; /* 1: no value there */
	if (len == 0 || memchr(t, '\0', len) != NULL)
		return -1;
	if ((*out = strndup(t, len)) == NULL)
		return -1;
	return 0;
}

static int
read_list(seal_ctx *ctx, seal_sops_file *f, size_t i, const char *field,
    char ***out, size_t *n, const char *path)
{
	char p[128], *v;
	seal_rc rc;
	int r;

	*out = NULL;
	*n = 0;
	for (;;) {
		snprintf(p, sizeof(p), "[\"keys\"][%zu][\"%s\"][%zu]", i, field,
		    *n);
		r = get(ctx, f, p, &v, &rc);
		if (r == 1)
			return 0;
		if (r != 0 || *n == MAX_NAMES) {
			error("%s: keys[%zu].%s[%zu]: not a name (want a list of "
			      "strings)",
			    path, i, field, *n);
			free(v);
			return -1;
		}
		char **nl = realloc(*out, (*n + 1) * sizeof(**out));
		if (nl == NULL) {
			free(v);
			return -1;
		}
		*out = nl;
		(*out)[(*n)++] = v;
	}
}

int
policy_load(seal_ctx *ctx, const char *path, struct unseal_policy **out)
{
	struct unseal_policy *p = NULL;
	seal_sops_file *f = NULL;
	char *buf = NULL, q[64];
	struct stat st;
	size_t len, i;
	seal_rc rc;
	int fd, r;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		error("cannot open the policy file '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 022)) {
		error("the policy file '%s' is not a regular file that only "
		      "its owner may write",
		    path);
		close(fd);
		return -1;
	}
	close(fd);
	if (read_file(path, POLICY_MAX, &buf, &len) != 0)
		return -1;
	if (seal_sops_load(ctx, buf, len, SEAL_SOPS_YAML, path, &f) != SEAL_OK) {
		error("%s", seal_ctx_errmsg(ctx));
		goto fail;
	}
	if (seal_sops_is_encrypted(f) || seal_sops_doc_count(f) != 1) {
		error("%s: want one clear YAML document with a keys: list", path);
		goto fail;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		goto oom;
	for (i = 0;; i++) {
		struct entry *ne;
		char *rcpt;

		const char *t;
		size_t tl;

		/* a map there (EFORMAT), or the end of the list (EINVAL) */
		snprintf(q, sizeof(q), "[\"keys\"][%zu]", i);
		rc = seal_sops_doc_scalar(ctx, f, 0, q, &t, &tl);
		if (rc == SEAL_EINVAL)
			break;
		if (rc != SEAL_EFORMAT) {
			error("%s: keys[%zu]: want a map with recipient, "
			      "projects and namespaces",
			    path, i);
			goto fail;
		}
		snprintf(q, sizeof(q), "[\"keys\"][%zu][\"recipient\"]", i);
		r = get(ctx, f, q, &rcpt, &rc);
		if (r != 0) {
			error("%s: keys[%zu].recipient: want a recipient "
			      "(age1...)",
			    path, i);
			goto fail;
		}
		if (i == MAX_ENTRIES ||
		    (ne = realloc(p->e, (p->n + 1) * sizeof(*p->e))) == NULL) {
			free(rcpt);
			goto oom;
		}
		p->e = ne;
		memset(&p->e[p->n], 0, sizeof(p->e[p->n]));
		p->e[p->n].rcpt = rcpt;
		p->n++;
		if (read_list(ctx, f, i, "projects", &p->e[i].projects,
		        &p->e[i].nprojects, path) != 0 ||
		    read_list(ctx, f, i, "namespaces", &p->e[i].namespaces,
		        &p->e[i].nnamespaces, path) != 0)
			goto fail;
	}
	if (p->n == 0) {
		error("%s: the policy lists no key (want a keys: list)", path);
		goto fail;
	}
	seal_sops_free(f);
	free(buf);
	*out = p;
	return 0;
oom:
	error("out of memory");
fail:
	policy_free(p);
	seal_sops_free(f);
	free(buf);
	return -1;
}

void
policy_free(struct unseal_policy *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->e[i].rcpt);
		free_list(p->e[i].projects, p->e[i].nprojects);
		free_list(p->e[i].namespaces, p->e[i].nnamespaces);
	}
	free(p->e);
	free(p);
}

static bool
listed(char *const *l, size_t n, const char *v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(l[i], "*") == 0 || (v != NULL && strcmp(l[i], v) == 0))
			return true;
	return false;
}

static bool
same_key(const char *a, const char *b)
{
	size_t la = strcspn(a, " "), lb = strcspn(b, " ");

	/* SSH lines: compare type and key, not the comment */
	if (a[la] == ' ')
		la += 1 + strcspn(a + la + 1, " ");
	if (b[lb] == ' ')
		lb += 1 + strcspn(b + lb + 1, " ");
	return la == lb && memcmp(a, b, la) == 0;
}

bool
policy_allows(const struct unseal_policy *p, const char *rcpt,
    const char *project, const char *ns, const char **why)
{
	size_t i;

	if (p == NULL)
		return true;
	for (i = 0; i < p->n; i++) {
		if (!same_key(p->e[i].rcpt, rcpt))
			continue;
		if (!listed(p->e[i].projects, p->e[i].nprojects, project)) {
			*why = project ? "the policy does not give this key to "
					 "this project"
				       : "the policy gives this key to named "
					 "projects only, and the project is "
					 "unknown";
			return false;
		}
		if (!listed(p->e[i].namespaces, p->e[i].nnamespaces, ns)) {
			*why = "the policy does not give this key to this "
			       "namespace";
			return false;
		}
		return true;
	}
	*why = "the policy does not list this key";
	return false;
}
