/* SPDX-License-Identifier: ISC */
/*
 * cluster-files.c - the repository-wide side of `seal cluster`: which
 * sealed files name which key (list's counts, retire's check), and the
 * re-wrap retire ends with. Files are found by walking the directory of
 * .sops.yaml (bulk.c), read on every core; no key is needed to count.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/common/cmd.h"
#include "tools/common/util.h"
#include "tools/seal/bulk.h"
#include "tools/seal/cluster.h"

/* The job: keep a sealed file's recipients (state 1), skip the rest. */
static int
job_recipients(struct bulk *b, struct bulk_thread *th, struct bulk_file *f,
    void *arg)
{
	seal_sops_file *sf = NULL;
	int ec;

	(void)arg;
	if ((ec = bulk_load(b, th, f, &sf)) != 0 || f->state == -1) {
		seal_sops_free(sf);
		return ec;
	}
	if (seal_sops_is_encrypted(sf)) {
		f->state = 1;
		if (bulk_keep_recipients(f, sf) != 0)
			ec = EXIT_TROUBLE;
	}
	seal_sops_free(sf);
	return ec;
}

static char *
config_dir(const struct cluster_opts *o)
{
	char *d = strdup(o->config), *s;

	if (d == NULL)
		die(EXIT_TROUBLE, "out of memory");
	s = strrchr(d, '/');
	if (s == NULL)
		strcpy(d, ".");
	else if (s == d)
		s[1] = '\0';
	else
		*s = '\0';
	return d;
}

/* Every sealed file under the config's directory, with recipients. */
static int
scan_repo(const struct cluster_opts *o, struct sops_opts *so,
    struct bulk *b)
{
	char *dir = config_dir(o);
	int ec;

	memset(so, 0, sizeof(*so));
	so->indent = -1;
	so->config = o->config;
	memset(b, 0, sizeof(*b));
	b->o = so;
	ec = bulk_collect(b, &dir, 1);
	if (ec == 0)
		ec = bulk_run(b, "seal cluster: files", job_recipients, NULL);
	free(dir);
	if (ec != 0)
		bulk_report(b, false);
	return ec;
}

static bool
has(const struct bulk_file *f, const char *r)
{
	size_t i;

	for (i = 0; i < f->nrcpt; i++)
		if (strcmp(f->rcpt[i], r) == 0)
			return true;
	return false;
}

static size_t
count_for(const struct bulk *b, const char *r)
{
	size_t i, n = 0;

	for (i = 0; i < b->n; i++)
		n += b->f[i].state == 1 && has(&b->f[i], r);
	return n;
}

/* -- list ----------------------------------------------------------------- */

static void
json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
state_of(const struct keys_key *k, char *buf, size_t n)
{
	if (k->retired == 0)
		snprintf(buf, n, "current");
	else
		snprintf(buf, n, "retired-%u", k->retired);
}

/* path_regex of the rules naming anchor */
static void
paths_of(const keys_registry *reg, const char *anchor, bool json)
{
	size_t i, j;
	bool first = true;

	for (i = 0; i < keys_rule_count(reg); i++) {
		const struct keys_rule *r = keys_rule_get(reg, i);

		for (j = 0; j < r->nanchors; j++)
			if (strcmp(r->anchors[j], anchor) == 0)
				break;
		if (j == r->nanchors)
			continue;
		if (json) {
			if (!first)
				putchar(',');
			json_str(r->path_regex ? r->path_regex : "");
		} else {
			printf("%s%s", first ? "" : ",",
			    r->path_regex ? r->path_regex : "(any)");
		}
		first = false;
	}
	if (!json && first)
		printf("-");
}

static void
list_json(const keys_registry *reg, const struct bulk *b)
{
	size_t i, nsealed = 0;
	bool first = true;
	char st[32];

	for (i = 0; i < b->n; i++)
		nsealed += b->f[i].state == 1;
	printf("{\"sealed_files\":%zu,\"keys\":[", nsealed);
	for (i = 0; i < keys_count(reg); i++) {
		const struct keys_key *k = keys_get(reg, i);
		const char *role = k->role == KEYS_ADMIN ? "admin" :
		    k->role == KEYS_CLUSTER ? "cluster" :
		    k->role == KEYS_TENANT ? "tenant" : "other";

		printf("%s{\"role\":\"%s\",\"anchor\":", first ? "" : ",",
		    role);
		first = false;
		if (k->anchor)
			json_str(k->anchor);
		else
			printf("null");
		printf(",\"cluster\":");
		json_str(k->cluster);
		printf(",\"tenant\":");
		json_str(k->tenant);
		state_of(k, st, sizeof(st));
		printf(",\"state\":\"%s\",\"recipient\":", st);
		json_str(k->recipient);
		printf(",\"files\":%zu,\"paths\":[", count_for(b,
		    k->recipient));
		if (k->anchor)
			paths_of(reg, k->anchor, true);
		printf("]}");
	}
	printf("]}\n");
}

static void
list_table(const keys_registry *reg, const struct bulk *b)
{
	size_t i;
	char st[32];

	printf("%-20s %-20s %-11s %6s  %-64s  %s\n", "CLUSTER", "TENANT",
	    "STATE", "FILES", "RECIPIENT", "PATHS");
	for (i = 0; i < keys_count(reg); i++) {
		const struct keys_key *k = keys_get(reg, i);

		if (k->role == KEYS_OTHER)
			continue;
		state_of(k, st, sizeof(st));
		printf("%-20s %-20s %-11s %6zu  %-64s  ",
		    k->role == KEYS_ADMIN ? "(admin)" : k->cluster,
		    k->tenant[0] ? k->tenant : "-", st,
		    count_for(b, k->recipient), k->recipient);
		if (k->role == KEYS_ADMIN)
			printf("(every rule)");
		else
			paths_of(reg, k->anchor, false);
		putchar('\n');
	}
}

int
cluster_list(seal_ctx *ctx, struct cluster_opts *o)
{
	keys_registry *reg = NULL;
	struct sops_opts so;
	struct bulk b;
	int ec;

	if (o->nargs != 0) {
		error("list takes no operands; see 'seal cluster --help'");
		return EXIT_TROUBLE;
	}
	if ((ec = cluster_load(ctx, o, false, &reg)) != 0)
		return ec;
	if ((ec = scan_repo(o, &so, &b)) == 0) {
		if (o->json)
			list_json(reg, &b);
		else
			list_table(reg, &b);
		if (fflush(stdout) != 0) {
			error("cannot write to stdout");
			ec = EXIT_TROUBLE;
		}
	}
	bulk_free(&b);
	keys_registry_free(reg);
	return ec;
}

/* -- retire --------------------------------------------------------------- */

int
cluster_retire_files(seal_ctx *ctx, const struct cluster_opts *o,
    const keys_registry *reg, const struct keys_key *key,
    const char *retired)
{
	const struct keys_key *cur;
	struct sops_opts so;
	struct bulk b, rw;
	size_t i, nbad = 0;
	int ec;

	if (key != NULL) {
		cur = keys_current(reg, key->cluster,
		    key->tenant[0] ? key->tenant : NULL);
		if (cur == NULL) {
			error("%s has no current key: rotate first",
			    key->cluster);
			return EXIT_NEGATIVE;
		}
		if ((ec = scan_repo(o, &so, &b)) != 0)
			goto out;
		for (i = 0; i < b.n; i++) {
			const struct bulk_file *f = &b.f[i];

			if (f->state != 1 || !has(f, key->recipient) ||
			    has(f, cur->recipient))
				continue;
			if (nbad++ < 50)
				error("%s: sealed for %s but not yet for the "
				    "current key %s", f->path, key->anchor,
				    cur->anchor);
		}
		if (nbad > 0) {
			error("refusing to retire %s: %zu file(s) would open "
			    "with no key of %s%s%s; run 'seal updatekeys .' "
			    "first", key->anchor, nbad, key->cluster,
			    key->tenant[0] ? "/" : "", key->tenant);
			ec = EXIT_NEGATIVE;
		}
		goto out;
	}
	/* the registry no longer names the key: re-wrap the files that
	 * still do, for their rules */
	if ((ec = scan_repo(o, &so, &b)) != 0)
		goto out;
	memset(&rw, 0, sizeof(rw));
	rw.o = &so;
	rw.need_ids = true;
	for (i = 0; i < b.n; i++)
		if (b.f[i].state == 1 && retired != NULL &&
		    has(&b.f[i], retired) &&
		    bulk_collect(&rw, &b.f[i].path, 1) != 0)
			die(EXIT_TROUBLE, "out of memory");
	if ((ec = bulk_config(ctx, &rw)) == 0)
		ec = bulk_run(&rw, "seal cluster retire: files",
		    bulk_updatekeys, NULL);
	bulk_report(&rw, false);
	for (i = 0; i < rw.n; i++)
		nbad += rw.f[i].state == 1;
	if (ec == 0)
		info("%zu file(s) re-wrapped without the retired key", nbad);
	bulk_free(&rw);
out:
	bulk_free(&b);
	return ec;
}
