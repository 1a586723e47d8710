/* SPDX-License-Identifier: ISC */
/*
 * options.h - one option table per command that both parses the command
 * line and prints its --help (git's parse-options is the model). A
 * command declares a struct opt[] ending in OPT_END() (usually a local
 * array pointing at its own variables) and a struct opt_cmd naming it,
 * then calls opt_parse. Parsing understands short options (-v, bundled
 * -qv, -oFILE, -o FILE), long options (--opt VAL, --opt=VAL, an
 * unambiguous prefix --opt-na), optional arguments (attached only),
 * repeated options (OPT_STRING_LIST), "--" and "-" (an operand: stdin).
 * -h and --help print the help generated from the table on stdout.
 * A mistake prints one git-style line ("seal age: unknown option
 * '--frob'") and the usage lines on stderr; the command exits 2.
 *
 * It knows nothing of what the options mean beyond storing a value or
 * calling a callback: checks between options stay in the command.
 */
#ifndef SEAL_OPTIONS_H
#define SEAL_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum opt_type {
	OPT_T_END = 0,
	OPT_T_GROUP,	   /* a heading in --help; help = the title */
	OPT_T_BOOL,	   /* bool *: set true */
	OPT_T_COUNTUP,	   /* int *: +1 per use */
	OPT_T_SET_INT,	   /* int *: set to defval */
	OPT_T_STRING,	   /* const char **: the argument; last one wins */
	OPT_T_STRING_LIST, /* struct opt_list *: every use appends */
	OPT_T_INT,	   /* int *: a decimal number, defval..INT_MAX */
	OPT_T_SIZE,	   /* size_t *: a positive decimal number */
	OPT_T_CALLBACK,	   /* cb(opt, arg); arg NULL for OPT_NOARG */
};

/* flags of one option */
#define OPT_OPTARG 0x1u /* the argument is optional (--opt=V, -oV only) */
#define OPT_NOARG  0x2u /* a callback that takes no argument */
#define OPT_HIDDEN 0x4u /* parsed, not listed in --help (an old alias) */

struct opt;
/* 0 ok; -1 refused (the callback printed why with error()): exit 2. */
typedef int (*opt_cb)(const struct opt *opt, const char *arg);

struct opt {
	enum opt_type type;
	int short_name;	       /* 0: none */
	const char *long_name; /* NULL: none */
	void *value;
	const char *argh; /* the argument's name in --help ("FILE") */
	const char *help; /* NULL: hidden */
	unsigned flags;
	opt_cb cb;
	intptr_t defval; /* OPT_SET_INT's value, OPT_INT's minimum, or
			    anything a callback wants */
};

/* A growing list of the arguments of a repeated option (argv strings,
 * not copied). Free with opt_list_free. */
struct opt_list {
	const char **v;
	size_t n;
};
void opt_list_free(struct opt_list *l);

#define OPT_END() { .type = OPT_T_END }
#define OPT_GROUP(title) { .type = OPT_T_GROUP, .help = (title) }
#define OPT_BOOL(s, l, v, h) \
	{ .type = OPT_T_BOOL, .short_name = (s), .long_name = (l), \
		.value = (v), .help = (h) }
#define OPT_COUNTUP(s, l, v, h) \
	{ .type = OPT_T_COUNTUP, .short_name = (s), .long_name = (l), \
		.value = (v), .help = (h) }
#define OPT_SET_INT(s, l, v, i, h) \
	{ .type = OPT_T_SET_INT, .short_name = (s), .long_name = (l), \
		.value = (v), .help = (h), .defval = (i) }
#define OPT_STRING(s, l, v, a, h) \
	{ .type = OPT_T_STRING, .short_name = (s), .long_name = (l), \
		.value = (v), .argh = (a), .help = (h) }
#define OPT_STRING_LIST(s, l, v, a, h) \
	{ .type = OPT_T_STRING_LIST, .short_name = (s), .long_name = (l), \
		.value = (v), .argh = (a), .help = (h) }
#define OPT_INT(s, l, v, min, a, h) \
	{ .type = OPT_T_INT, .short_name = (s), .long_name = (l), \
		.value = (v), .argh = (a), .help = (h), .defval = (min) }
#define OPT_SIZE(s, l, v, a, h) \
	{ .type = OPT_T_SIZE, .short_name = (s), .long_name = (l), \
		.value = (v), .argh = (a), .help = (h) }
#define OPT_CALLBACK(s, l, v, a, h, f) \
	{ .type = OPT_T_CALLBACK, .short_name = (s), .long_name = (l), \
		.value = (v), .argh = (a), .help = (h), .cb = (f) }
#define OPT_CALLBACK_NOARG(s, l, v, h, f) \
	{ .type = OPT_T_CALLBACK, .short_name = (s), .long_name = (l), \
		.value = (v), .help = (h), .cb = (f), .flags = OPT_NOARG }

/* flags of a command */
#define OPT_CMD_STOP_AT_OPERAND 0x1u /* the first operand ends options
					(POSIX; "seal age -d f -o x" not) */
#define OPT_CMD_NO_HELP 0x2u /* -h/--help are not special */
#define OPT_CMD_KEEP_DASHDASH 0x4u /* "--" stays, as the first operand
				      after it (to resume parsing) */

struct opt_cmd {
	const char *name;	  /* "seal encrypt": usage and --help */
	const char *const *usage; /* synopses without the name, NULL-ended:
				     "[-i | --output FILE] [file]" */
	const char *desc;	  /* paragraph after the usage, or NULL */
	const struct opt *opts;	  /* ending in OPT_END() */
	const char *footer;	  /* after the options (exit status), or NULL */
	unsigned flags;
};

/* opt_parse's answers besides an operand count */
#define OPT_HELP  (-1) /* --help was printed: exit 0 */
#define OPT_ERROR (-2) /* a mistake was reported: exit 2 */

/*
 * Parse argv[1..argc) (argv[0] is the command's name). Returns the number
 * n of operands, which opt_parse moves to argv[0..n) in their order (argv
 * is permuted, as getopt does; a NULL follows them), or OPT_HELP or
 * OPT_ERROR, which opt_exit turns into the exit code (0, 2).
 */
int opt_parse(const struct opt_cmd *cmd, int argc, char **argv);
int opt_exit(int parsed);

/* The usage lines alone (what a mistake prints) and the whole help. */
void opt_usage(const struct opt_cmd *cmd, FILE *f);
void opt_help(const struct opt_cmd *cmd, FILE *f);

/* A usage mistake found by the command after parsing: prints
 * "<progname>: <msg>" and the usage lines on stderr; returns 2. */
int opt_misuse(const struct opt_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
