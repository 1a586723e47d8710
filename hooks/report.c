/* SPDX-License-Identifier: ISC */
/*
 * report.c - findings out: one `file:line: rule: excerpt` line each and the
 * command that fixes the file (text), JSON, SARIF 2.1.0, and the baseline
 * file's reader and writer are baseline.c. Excerpts are already redacted; this
 * file escapes what it prints and never sees a secret.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hooks/report.h"

/* Control characters and quotes in user-controlled text: never raw. */
static void
put_plain(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
	}
}

/* The characters of a JSON string, without the quotes around them. */
static void
put_json_chars(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else if (c >= 0x80)
			fputc('?', f); /* paths may not be UTF-8 */
		else
			fputc(c, f);
	}
}

static void
put_json(FILE *f, const char *s)
{
	fputc('"', f);
	put_json_chars(f, s);
	fputc('"', f);
}

static const char *
fix_for(const struct scan_finding *v)
{
	if (v->sealable)
		return "seal encrypt -i";
	if (strcmp(v->rule, "too-large") == 0 ||
	    strcmp(v->rule, "unreadable") == 0)
		return NULL;
	return NULL;
}

/*
 * The command that fixes a finding, as one JSON string: the same command
 * the text report prints, the path in shell quotes inside it.
 */
static void
put_json_fix(FILE *f, const struct scan_finding *v)
{
	const char *pre = "seal encrypt -i '", *post = "'";
	const char *s;

	if (strcmp(v->rule, "sops-plaintext") == 0) {
		pre = "seal set '";
		post = "' KEY VALUE";
	}
	fputc('"', f);
	put_json_chars(f, pre);
	for (s = v->path; *s; s++) {
		if (*s == '\'') /* close, escape, reopen the shell quote */
			put_json_chars(f, "'\\''");
		else {
			char one[2] = { *s, 0 };
			put_json_chars(f, one);
		}
	}
	put_json_chars(f, post);
	fputc('"', f);
}

static void
text_out(FILE *f, const struct scan_results *r)
{
	size_t i, secrets = 0, refusals = 0;
	const char *last = NULL;

	for (i = 0; i < r->n; i++) {
		const struct scan_finding *v = &r->v[i];
		if (strcmp(v->rule, "too-large") == 0 ||
		    strcmp(v->rule, "unreadable") == 0)
			refusals++;
		else if (!v->warning)
			secrets++;
		put_plain(f, v->path);
		if (v->line)
			fprintf(f, ":%u", v->line);
		fprintf(f, ": %s%s: ", v->warning ? "warning: " : "", v->rule);
		put_plain(f, v->excerpt[0] ? v->excerpt : v->what);
		if (v->excerpt[0])
			fprintf(f, " (%s)", v->what);
		fputc('\n', f);
	}
	if (r->n == 0)
		return;
	fputc('\n', f);
	for (i = 0; i < r->n; i++) {
		const struct scan_finding *v = &r->v[i];
		if (last && strcmp(last, v->path) == 0)
			continue;
		last = v->path;
		if (fix_for(v) && strcmp(v->rule, "sops-plaintext") == 0) {
			/* the file is sealed: encrypt refuses it, and the MAC
			 * no longer matches; move the value in with seal set */
			fprintf(f, "  fix: remove the clear value, then: seal "
				   "set '");
			put_plain(f, v->path);
			fprintf(f, "' KEY VALUE\n");
		} else if (fix_for(v)) {
			fprintf(f, "  fix: seal encrypt -i '");
			put_plain(f, v->path);
			fprintf(f, "'\n");
		}
	}
	if (secrets)
		fprintf(f, "  To fix: seal the file, or remove the secret and "
			   "rotate it (it may already be in\n  your shell "
			   "history or a log). A false alarm? Add 'seal:allow' "
			   "to the line,\n  the path to .sealignore, or accept "
			   "it with\n  'seal scan --staged --write-baseline "
			   ".seal-baseline'.\n");
	if (refusals)
		fprintf(f, "  Files the scan could not read are refused, not "
			   "passed: list them in\n  .sealignore if they hold "
			   "no secret, or raise --max-size.\n");
}

/* The characters of s, without backticks (help text for plain output). */
static void
put_json_plain(FILE *f, const char *s)
{
	for (; *s; s++) {
		char one[2] = { *s, 0 };
		if (*s != '`')
			put_json_chars(f, one);
	}
}

/* One rule's help: a built-in rule's, or a repository rule's. */
struct rinfo {
	const char *id, *name, *what, *why, *fix, *uri;
	bool user;
};

static void
rinfo_for(struct rinfo *ri, const char *id, const struct scan_config *cfg)
{
	const struct scan_rule_help *h = scan_rule_help_for(id);
	struct scan_user_rule u;
	size_t i;

	memset(ri, 0, sizeof(*ri));
	ri->id = id;
	ri->name = h->name;
	ri->what = h->what;
	ri->why = h->why;
	ri->fix = h->fix;
	if (strcmp(h->id, "user-rules") != 0)
		return;
	ri->user = true;
	for (i = 0; i < scan_config_rule_count(cfg); i++) {
		if (!scan_config_rule(cfg, i, &u) || strcmp(u.id, id) != 0)
			continue;
		if (u.description)
			ri->name = ri->what = u.description;
		if (u.help)
			ri->fix = u.help;
		ri->uri = u.help_uri;
	}
}

/* "BASE#id" as a JSON string: the rule's section of the rules document,
 * or a repository rule's own help_uri. */
static void
put_help_uri(FILE *f, const struct rinfo *ri)
{
	fputc('"', f);
	if (ri->uri)
		put_json_chars(f, ri->uri);
	else {
		put_json_chars(f, scan_docs_url());
		fputc('#', f);
		put_json_chars(f, ri->user ? "user-rules" : ri->id);
	}
	fputc('"', f);
}

static void
json_out(FILE *f, const struct scan_results *r, const struct scan_config *cfg)
{
	size_t i;

	fprintf(f, "{\"version\":1,\"files_scanned\":%zu,\"bytes_scanned\":%zu,"
		   "\"findings\":[",
	    r->files, r->bytes);
	for (i = 0; i < r->n; i++) {
		const struct scan_finding *v = &r->v[i];
		struct rinfo ri;
		rinfo_for(&ri, v->rule, cfg);
		fprintf(f, "%s\n{\"file\":", i ? "," : "");
		put_json(f, v->path);
		fprintf(f, ",\"line\":%u,\"rule\":", v->line);
		put_json(f, v->rule);
		fprintf(f, ",\"severity\":\"%s\"",
		    v->warning ? "warning" : "error");
		fprintf(f, ",\"description\":");
		put_json(f, v->what);
		fprintf(f, ",\"excerpt\":");
		put_json(f, v->excerpt);
		fprintf(f, ",\"fingerprint\":\"%s\",\"fix\":", v->fp);
		if (fix_for(v))
			put_json_fix(f, v);
		else
			fprintf(f, "null");
		fprintf(f, ",\"rule_name\":");
		put_json(f, ri.name);
		fprintf(f, ",\"rule_description\":\"");
		put_json_plain(f, ri.what);
		fprintf(f, "\",\"remediation\":\"");
		put_json_plain(f, ri.fix);
		fprintf(f, "\",\"help_uri\":");
		put_help_uri(f, &ri);
		fputc('}', f);
	}
	fprintf(f, "\n]}\n");
}

/* A path as a URI reference: unreserved characters and '/' as they are,
 * everything else percent-encoded. */
static void
put_uri_path(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~/", c))
			fputc(c, f);
		else
			fprintf(f, "%%%02X", c);
	}
	fputc('"', f);
}

static void
sarif_rule(FILE *f, const struct rinfo *ri, bool first)
{
	fprintf(f, "%s\n{\"id\":", first ? "" : ",");
	put_json(f, ri->id);
	fprintf(f, ",\"shortDescription\":{\"text\":");
	put_json(f, ri->name);
	fprintf(f, "},\"fullDescription\":{\"text\":\"");
	put_json_plain(f, ri->what);
	fprintf(f, "\"},\"help\":{\"text\":\"");
	put_json_plain(f, ri->what);
	put_json_chars(f, " Why it matters: ");
	put_json_plain(f, ri->why);
	put_json_chars(f, " How to fix: ");
	put_json_plain(f, ri->fix);
	fprintf(f, "\",\"markdown\":\"");
	put_json_chars(f, "**What it detects.** ");
	put_json_chars(f, ri->what);
	put_json_chars(f, "\n\n**Why it matters.** ");
	put_json_chars(f, ri->why);
	put_json_chars(f, "\n\n**How to fix.** ");
	put_json_chars(f, ri->fix);
	fprintf(f, "\"},\"helpUri\":");
	put_help_uri(f, ri);
	fprintf(f, ",\"properties\":{\"tags\":[\"security\",\"secrets\"%s]}}",
	    ri->user ? ",\"repository-rule\"" : "");
}

/*
 * driver.rules: every built-in rule, then the repository's own rules,
 * then any other rule a result names; a result's ruleIndex is its rule's
 * place in that list.
 */
static size_t
rule_index(const char *id, const struct scan_results *r,
    const struct scan_config *cfg, size_t upto, bool *listed)
{
	size_t i, n = scan_rule_help_count(), nu = 0;
	struct scan_user_rule u;

	for (i = 0; i < n; i++)
		if (strcmp(scan_rule_help_at(i)->id, id) == 0)
			return i;
	for (i = 0; i < scan_config_rule_count(cfg); i++) {
		if (!scan_config_rule(cfg, i, &u))
			continue;
		if (strcmp(u.id, id) == 0)
			return n + nu;
		nu++;
	}
	/* another id: listed after them, in the order results name them */
	n += nu;
	for (i = 0; i < upto; i++) {
		if (listed[i] && strcmp(r->v[i].rule, id) == 0)
			return n;
		if (listed[i])
			n++;
	}
	return n;
}

static void
sarif_out(FILE *f, const struct scan_results *r, const struct scan_config *cfg)
{
	size_t i, n = scan_rule_help_count();
	struct scan_user_rule u;
	struct rinfo ri;
	bool *extra = r->n ? calloc(r->n, sizeof(bool)) : NULL;

	fprintf(f, "{\"version\":\"2.1.0\",\"$schema\":"
		   "\"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/"
		   "os/schemas/sarif-schema-2.1.0.json\","
		   "\"runs\":[{\"tool\":{\"driver\":{\"name\":\"seal\","
		   "\"version\":\"%s\",\"informationUri\":\"",
	    PACKAGE_VERSION);
	put_json_chars(f, scan_docs_url());
	fprintf(f, "\",\"rules\":[");
	for (i = 0; i < n; i++) {
		rinfo_for(&ri, scan_rule_help_at(i)->id, cfg);
		sarif_rule(f, &ri, i == 0);
	}
	for (i = 0; i < scan_config_rule_count(cfg); i++) {
		if (!scan_config_rule(cfg, i, &u))
			continue;
		rinfo_for(&ri, u.id, cfg);
		sarif_rule(f, &ri, false);
	}
	for (i = 0; i < r->n; i++) {
		bool seen = false;
		size_t k;
		for (k = 0; k < scan_config_rule_count(cfg) && !seen; k++)
			seen = scan_config_rule(cfg, k, &u) &&
			    strcmp(u.id, r->v[i].rule) == 0;
		for (k = 0; k < n && !seen; k++)
			seen = strcmp(scan_rule_help_at(k)->id, r->v[i].rule) ==
			    0;
		for (k = 0; k < i && !seen; k++)
			seen = extra && extra[k] &&
			    strcmp(r->v[k].rule, r->v[i].rule) == 0;
		if (seen || extra == NULL)
			continue;
		extra[i] = true;
		rinfo_for(&ri, r->v[i].rule, cfg);
		sarif_rule(f, &ri, false);
	}
	fprintf(f, "]}},\"results\":[");
	for (i = 0; i < r->n; i++) {
		const struct scan_finding *v = &r->v[i];
		fprintf(f, "%s\n{\"ruleId\":", i ? "," : "");
		put_json(f, v->rule);
		if (extra)
			fprintf(f, ",\"ruleIndex\":%zu",
			    rule_index(v->rule, r, cfg, r->n, extra));
		fprintf(f, ",\"level\":\"%s\",\"message\":{\"text\":",
		    v->warning ? "warning" : "error");
		{
			char msg[256];
			snprintf(msg, sizeof(msg), "%s: %s", v->what,
			    v->excerpt);
			put_json(f, msg);
		}
		fprintf(f, "},\"locations\":[{\"physicalLocation\":{"
			   "\"artifactLocation\":{\"uri\":");
		put_uri_path(f, v->path);
		fprintf(f, "}");
		if (v->line)
			fprintf(f, ",\"region\":{\"startLine\":%u}", v->line);
		fprintf(f, "}}],\"partialFingerprints\":{\"sealFingerprint/v1\":"
			   "\"%s\"}}",
		    v->fp);
	}
	fprintf(f, "\n]}]}\n");
	free(extra);
}

void
scan_report(FILE *f, const struct scan_results *r, enum scan_format fmt,
    const struct scan_config *cfg)
{
	switch (fmt) {
	case SCAN_FMT_TEXT:
		text_out(f, r);
		break;
	case SCAN_FMT_JSON:
		json_out(f, r, cfg);
		break;
	case SCAN_FMT_SARIF:
		sarif_out(f, r, cfg);
		break;
	}
}

/* A generic-secret line already reported by a more specific rule. */
void
scan_dedupe(struct scan_results *r)
{
	size_t i, j, k = 0;
	bool *dup;

	scan_results_sort(r);
	if (r->n == 0 || (dup = calloc(r->n, sizeof(bool))) == NULL)
		return; /* out of memory: keep the duplicates */
	for (i = 0; i < r->n; i++) {
		const struct scan_finding *v = &r->v[i];
		if (strcmp(v->rule, "generic-secret") != 0)
			continue;
		/* sorted by path then line: the same line is adjacent */
		for (j = i; j-- > 0 && !strcmp(r->v[j].path, v->path) &&
		     r->v[j].line == v->line;)
			if (strcmp(r->v[j].rule, "generic-secret") != 0)
				dup[i] = true;
		for (j = i + 1; j < r->n && !strcmp(r->v[j].path, v->path) &&
		     r->v[j].line == v->line;
		     j++)
			if (strcmp(r->v[j].rule, "generic-secret") != 0)
				dup[i] = true;
	}
	for (i = 0; i < r->n; i++) {
		if (dup[i])
			free(r->v[i].path);
		else
			r->v[k++] = r->v[i];
	}
	r->n = k;
	free(dup);
}
