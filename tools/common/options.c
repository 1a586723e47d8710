/* SPDX-License-Identifier: ISC */
/*
 * options.c - the table-driven command-line parser and --help printer of
 * options.h. It stores values and calls callbacks; it never exits and
 * never checks how options combine (the commands do).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tools/common/options.h"
#include "tools/common/util.h"

/* --help: the column where descriptions start, as git's */
#define HELP_COL 26

struct state {
	const struct opt_cmd *cmd;
	int argc;
	char **argv;
	int i;	      /* next argv index */
	char **ops;   /* operands found so far */
	int nops;
	bool ambiguous; /* find_long's last answer was ambiguous */
};

/* Two table entries for the same thing (an alias) are one match. */
static bool
same(const struct opt *a, const struct opt *b)
{
	return a->type == b->type && a->value == b->value &&
	    a->defval == b->defval && a->cb == b->cb;
}

void
opt_list_free(struct opt_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static bool
has_help_option(const struct opt_cmd *cmd, int s, const char *l)
{
	const struct opt *o;

	if (cmd->flags & OPT_CMD_NO_HELP)
		return true;
	for (o = cmd->opts; o->type != OPT_T_END; o++)
		if ((s && o->short_name == s) ||
		    (l && o->long_name && strcmp(o->long_name, l) == 0))
			return true;
	return false;
}

void
opt_usage(const struct opt_cmd *cmd, FILE *f)
{
	size_t i;

	for (i = 0; cmd->usage && cmd->usage[i]; i++)
		fprintf(f, "%s %s %s\n", i == 0 ? "usage:" : "   or:",
		    cmd->name, cmd->usage[i]);
	if (i == 0)
		fprintf(f, "usage: %s [options]\n", cmd->name);
}

static bool
takes_arg(const struct opt *o)
{
	switch (o->type) {
	case OPT_T_STRING:
	case OPT_T_STRING_LIST:
	case OPT_T_INT:
	case OPT_T_SIZE:
		return true;
	case OPT_T_CALLBACK:
		return !(o->flags & OPT_NOARG);
	default:
		return false;
	}
}

/* "-o, --output FILE" or "    --json" or "-o FILE" */
static int
print_names(const struct opt *o, FILE *f)
{
	int n = fprintf(f, "  ");
	const char *a = o->argh ? o->argh : "VALUE";
	bool arg = takes_arg(o), opt = (o->flags & OPT_OPTARG) != 0;

	if (o->short_name && o->long_name)
		n += fprintf(f, "-%c, --%s", o->short_name, o->long_name);
	else if (o->long_name)
		n += fprintf(f, "    --%s", o->long_name);
	else
		n += fprintf(f, "-%c", o->short_name);
	if (arg && o->long_name)
		n += fprintf(f, opt ? "[=%s]" : " %s", a);
	else if (arg)
		n += fprintf(f, opt ? "[%s]" : " %s", a);
	return n;
}

/* The description, wrapped by the author with '\n', each line at HELP_COL. */
static void
print_desc(const char *h, int col, FILE *f)
{
	const char *nl;

	if (col > HELP_COL - 2) {
		fputc('\n', f);
		col = 0;
	}
	for (;;) {
		fprintf(f, "%*s", HELP_COL - col, "");
		nl = strchr(h, '\n');
		if (nl == NULL) {
			fprintf(f, "%s\n", h);
			return;
		}
		fprintf(f, "%.*s\n", (int)(nl - h), h);
		h = nl + 1;
		col = 0;
	}
}

void
opt_help(const struct opt_cmd *cmd, FILE *f)
{
	const struct opt *o;
	bool first = true;

	opt_usage(cmd, f);
	if (cmd->desc)
		fprintf(f, "\n%s", cmd->desc);
	for (o = cmd->opts; o->type != OPT_T_END; o++) {
		if (o->type == OPT_T_GROUP) {
			fprintf(f, "\n%s\n", o->help);
			first = false;
			continue;
		}
		if (o->help == NULL || (o->flags & OPT_HIDDEN))
			continue;
		if (first) {
			fputc('\n', f);
			first = false;
		}
		print_desc(o->help, print_names(o, f), f);
	}
	if (!has_help_option(cmd, 'h', "help")) {
		if (first)
			fputc('\n', f);
		print_desc("show this help", fprintf(f, "  -h, --help"), f);
	}
	if (cmd->footer)
		fprintf(f, "\n%s", cmd->footer);
}

int
opt_exit(int parsed)
{
	return parsed == OPT_HELP ? 0 : 2;
}

static void __attribute__((format(printf, 2, 0)))
vmisuse(const struct opt_cmd *cmd, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	error("%s", msg);
	opt_usage(cmd, stderr);
}

int
opt_misuse(const struct opt_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmisuse(cmd, fmt, ap);
	va_end(ap);
	return 2;
}

/* How the user spelled it, for messages: "-o" or "--output". */
static const char *
spelled(const struct opt *o, bool as_long, char *buf, size_t len)
{
	if (as_long)
		snprintf(buf, len, "--%s", o->long_name);
	else
		snprintf(buf, len, "-%c", o->short_name);
	return buf;
}

static int
push(struct opt_list *l, const char *v)
{
	const char **nv = realloc(l->v, (l->n + 1) * sizeof(*nv));

	if (nv == NULL) {
		error("out of memory");
		return -1;
	}
	nv[l->n++] = v;
	l->v = nv;
	return 0;
}

static int
number(const char *name, const char *arg, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(arg, &end, 10);
	if (errno || end == arg || *end || *out < min || *out > max) {
		if (min == 1)
			error("%s wants a positive number, not '%s'", name,
			    arg);
		else
			error("%s wants a number from %ld, not '%s'", name,
			    min, arg);
		return -1;
	}
	return 0;
}

/* Store what option o received (arg NULL: none given). */
static int
apply(const struct opt *o, const char *name, const char *arg)
{
	long n;

	switch (o->type) {
	case OPT_T_BOOL:
		*(bool *)o->value = true;
		return 0;
	case OPT_T_COUNTUP:
		(*(int *)o->value)++;
		return 0;
	case OPT_T_SET_INT:
		*(int *)o->value = (int)o->defval;
		return 0;
	case OPT_T_STRING:
		*(const char **)o->value = arg;
		return 0;
	case OPT_T_STRING_LIST:
		return push(o->value, arg);
	case OPT_T_INT:
		if (number(name, arg, (long)o->defval, INT_MAX, &n) < 0)
			return -1;
		*(int *)o->value = (int)n;
		return 0;
	case OPT_T_SIZE:
		if (number(name, arg, 1, LONG_MAX, &n) < 0)
			return -1;
		*(size_t *)o->value = (size_t)n;
		return 0;
	case OPT_T_CALLBACK:
		return o->cb(o, arg);
	default:
		return -1;
	}
}

static const struct opt *
find_short(const struct opt_cmd *cmd, int c)
{
	const struct opt *o;

	for (o = cmd->opts; o->type != OPT_T_END; o++)
		if (o->type != OPT_T_GROUP && o->short_name == c)
			return o;
	return NULL;
}

/*
 * The option a long name (without "--" and "=VALUE") names: an exact
 * match, else the only option it is a prefix of. *help: it is --help.
 */
static const struct opt *
find_long(struct state *st, const char *name, size_t len, bool *help)
{
	const struct opt_cmd *cmd = st->cmd;
	const struct opt *o, *hit = NULL;
	bool implicit = !has_help_option(cmd, 0, "help");
	int nhits = 0;

	*help = false;
	st->ambiguous = false;
	if (len == 0)
		return NULL;
	for (o = cmd->opts; o->type != OPT_T_END; o++)
		if (o->long_name && strlen(o->long_name) == len &&
		    strncmp(o->long_name, name, len) == 0)
			return o;
	if (implicit && len == 4 && strncmp(name, "help", 4) == 0) {
		*help = true;
		return NULL;
	}
	for (o = cmd->opts; o->type != OPT_T_END; o++)
		if (o->long_name && strncmp(o->long_name, name, len) == 0 &&
		    (hit == NULL || !same(hit, o))) {
			hit = o;
			nhits++;
		}
	if (implicit && strncmp("help", name, len) == 0) {
		if (nhits == 0) {
			*help = true;
			return NULL;
		}
		nhits++;
	}
	if (nhits > 1) {
		error("ambiguous option '--%.*s'; spell it out (see '%s "
		      "--help')",
		    (int)len, name, cmd->name);
		st->ambiguous = true;
		return NULL;
	}
	return hit;
}

/* "--name", "--name=value" or "--name value" at argv[st->i - 1]. */
static int
parse_long(struct state *st, const char *word)
{
	const char *name = word + 2, *eq = strchr(name, '='), *arg = NULL;
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct opt *o;
	char buf[128];
	bool help;

	o = find_long(st, name, len, &help);
	if (help) {
		opt_help(st->cmd, stdout);
		return OPT_HELP;
	}
	if (o == NULL) {
		/* find_long reported an ambiguous prefix itself */
		if (len == 0 || !st->ambiguous)
			opt_misuse(st->cmd, "unknown option '--%.*s'", (int)len,
			    name);
		else
			opt_usage(st->cmd, stderr);
		return OPT_ERROR;
	}
	spelled(o, true, buf, sizeof(buf));
	if (!takes_arg(o)) {
		if (eq) {
			opt_misuse(st->cmd, "option '%s' takes no value", buf);
			return OPT_ERROR;
		}
	} else if (eq) {
		arg = eq + 1;
	} else if (!(o->flags & OPT_OPTARG)) {
		if (st->i >= st->argc) {
			opt_misuse(st->cmd, "option '%s' requires a value",
			    buf);
			return OPT_ERROR;
		}
		arg = st->argv[st->i++];
	}
	return apply(o, buf, arg) < 0 ? OPT_ERROR : 0;
}

/* "-abc", "-oFILE" or "-o FILE" at argv[st->i - 1]. */
static int
parse_short(struct state *st, const char *word)
{
	const struct opt *o;
	const char *p, *arg;
	char buf[8];

	for (p = word + 1; *p != '\0'; p++) {
		o = find_short(st->cmd, (unsigned char)*p);
		if (o == NULL) {
			if ((*p == 'h') && !has_help_option(st->cmd, 'h', NULL)) {
				opt_help(st->cmd, stdout);
				return OPT_HELP;
			}
			opt_misuse(st->cmd, "unknown option '-%c'", *p);
			return OPT_ERROR;
		}
		spelled(o, false, buf, sizeof(buf));
		if (!takes_arg(o)) {
			if (apply(o, buf, NULL) < 0)
				return OPT_ERROR;
			continue;
		}
		arg = NULL;
		if (p[1] != '\0')
			arg = p + 1;
		else if (!(o->flags & OPT_OPTARG)) {
			if (st->i >= st->argc) {
				opt_misuse(st->cmd,
				    "option '%s' requires a value", buf);
				return OPT_ERROR;
			}
			arg = st->argv[st->i++];
		}
		return apply(o, buf, arg) < 0 ? OPT_ERROR : 0;
	}
	return 0;
}

int
opt_parse(const struct opt_cmd *cmd, int argc, char **argv)
{
	struct state st = { .cmd = cmd, .argc = argc, .argv = argv, .i = 1 };
	const char *w;
	int r, k;

	st.ops = calloc((size_t)argc + 1, sizeof(*st.ops));
	if (st.ops == NULL) {
		error("out of memory");
		return OPT_ERROR;
	}
	while (st.i < argc) {
		w = argv[st.i++];
		if (strcmp(w, "--") == 0) {
			if (cmd->flags & OPT_CMD_KEEP_DASHDASH)
				st.ops[st.nops++] = (char *)w;
			while (st.i < argc)
				st.ops[st.nops++] = argv[st.i++];
			break;
		}
		if (w[0] != '-' || w[1] == '\0') {
			st.ops[st.nops++] = (char *)w;
			if (cmd->flags & OPT_CMD_STOP_AT_OPERAND)
				while (st.i < argc)
					st.ops[st.nops++] = argv[st.i++];
			continue;
		}
		r = w[1] == '-' ? parse_long(&st, w) : parse_short(&st, w);
		if (r != 0) {
			free(st.ops);
			return r;
		}
	}
	for (k = 0; k < st.nops; k++)
		argv[k] = st.ops[k];
	argv[st.nops] = NULL;
	free(st.ops);
	return st.nops;
}
