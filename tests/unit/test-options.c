/* SPDX-License-Identifier: ISC */
/*
 * test-options.c - the option-table parser of tools/common/options.c:
 * every spelling of an option, operands, "--", mistakes (what they print
 * and that they stop), and the --help generated from the table.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "tests/unit/harness.h"
#include "tools/common/options.h"
#include "tools/common/util.h"

struct vals {
	bool quiet, json;
	int verbose, mode, indent;
	size_t size;
	const char *out, *color;
	struct opt_list rec;
	const char *cb_arg;
	int cb_calls;
};

static int
cb(const struct opt *o, const char *arg)
{
	struct vals *v = o->value;

	v->cb_calls++;
	v->cb_arg = arg;
	if (arg && strcmp(arg, "bad") == 0) {
		error("--check refuses 'bad'");
		return -1;
	}
	return 0;
}

static struct vals V;
static const struct opt opts[] = {
	OPT_GROUP("Output:"),
	OPT_BOOL('q', "quiet", &V.quiet, "say less"),
	OPT_COUNTUP('v', "verbose", &V.verbose, "say more"),
	OPT_STRING('o', "output", &V.out, "FILE", "write to FILE"),
	OPT_BOOL(0, "json", &V.json, "JSON output"),
	OPT_STRING(0, "color", &V.color, "WHEN",
	    "colour the output\n(always, never)"),
	OPT_GROUP("Keys:"),
	OPT_STRING_LIST('r', "recipient", &V.rec, "R", "a recipient; repeatable"),
	{ .type = OPT_T_STRING_LIST, .long_name = "age", .value = &V.rec,
	    .argh = "R", .flags = OPT_HIDDEN },
	OPT_SET_INT('e', "encrypt", &V.mode, 1, "encrypt"),
	OPT_SET_INT('d', "decrypt", &V.mode, 2, "decrypt"),
	OPT_INT(0, "indent", &V.indent, 0, "N", "indentation"),
	OPT_SIZE('m', "max-size", &V.size, "BYTES", "a limit"),
	OPT_CALLBACK('c', "check", &V, "X", "a callback", cb),
	OPT_CALLBACK_NOARG(0, "very-long-option-name", &V,
	    "a description on its own line", cb),
	OPT_END(),
};

static const char *const usage[] = { "[-q] [-o FILE] [file...]", "-d FILE",
	NULL };

static struct opt_cmd cmd = { .name = "seal test", .usage = usage,
	.desc = "A test command.\n", .opts = opts,
	.footer = "Exit status: 0 ok.\n" };

/* argv from a string list; the parser permutes it in place */
static char *argbuf[32];

static int
run(unsigned flags, const char *const *args)
{
	int n = 0;

	opt_list_free(&V.rec);
	memset(&V, 0, sizeof(V));
	V.indent = -1;
	cmd.flags = flags;
	argbuf[n++] = (char *)"test";
	while (*args)
		argbuf[n++] = (char *)*args++;
	argbuf[n] = NULL;
	return opt_parse(&cmd, n, argbuf);
}

/* Capture what fd 1 or 2 receives during run(). */
static char captured[8192];

static int
run_capture(int fd, unsigned flags, const char *const *args)
{
	FILE *tmp = tmpfile();
	int saved, r;
	size_t n;

	assert_non_null(tmp);
	fflush(fd == 1 ? stdout : stderr);
	saved = dup(fd);
	assert_true(dup2(fileno(tmp), fd) >= 0);
	r = run(flags, args);
	fflush(fd == 1 ? stdout : stderr);
	dup2(saved, fd);
	close(saved);
	rewind(tmp);
	n = fread(captured, 1, sizeof(captured) - 1, tmp);
	captured[n] = '\0';
	fclose(tmp);
	return r;
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void
test_short_bundled(void **state)
{
	(void)state;
	assert_int_equal(run(0, ARGS("-qvv", "-v")), 0);
	assert_true(V.quiet);
	assert_int_equal(V.verbose, 3);
	assert_false(V.json);
}

static void
test_values_every_spelling(void **state)
{
	const char *const *const forms[] = {
		ARGS("-oFILE"),
		ARGS("-o", "FILE"),
		ARGS("--output=FILE"),
		ARGS("--output", "FILE"),
		ARGS("-qoFILE"),
		ARGS("--out", "FILE"), /* an unambiguous prefix */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		assert_int_equal(run(0, forms[i]), 0);
		assert_string_equal(V.out, "FILE");
	}
	/* a value may start with '-' and may be empty */
	assert_int_equal(run(0, ARGS("-o", "-x")), 0);
	assert_string_equal(V.out, "-x");
	assert_int_equal(run(0, ARGS("--output=")), 0);
	assert_string_equal(V.out, "");
}

static void
test_repeated_and_alias(void **state)
{
	(void)state;
	assert_int_equal(run(0, ARGS("-r", "a", "--recipient=b", "--age",
	    "c", "-rd")), 0);
	assert_int_equal(V.rec.n, 4);
	assert_string_equal(V.rec.v[0], "a");
	assert_string_equal(V.rec.v[1], "b");
	assert_string_equal(V.rec.v[2], "c");
	assert_string_equal(V.rec.v[3], "d");
	/* last one wins for a plain string, and for a mode */
	assert_int_equal(run(0, ARGS("-o", "x", "-o", "y", "-e", "-d")), 0);
	assert_string_equal(V.out, "y");
	assert_int_equal(V.mode, 2);
	opt_list_free(&V.rec);
}

static void
test_operands_permuted(void **state)
{
	(void)state;
	assert_int_equal(run(0, ARGS("a", "-q", "-", "b", "--json")), 3);
	assert_true(V.quiet);
	assert_true(V.json);
	assert_string_equal(argbuf[0], "a");
	assert_string_equal(argbuf[1], "-");
	assert_string_equal(argbuf[2], "b");
	assert_null(argbuf[3]);
}

static void
test_double_dash_and_stop(void **state)
{
	(void)state;
	assert_int_equal(run(0, ARGS("-q", "--", "-v", "--json")), 2);
	assert_int_equal(V.verbose, 0);
	assert_false(V.json);
	assert_string_equal(argbuf[0], "-v");
	assert_string_equal(argbuf[1], "--json");
	/* POSIX mode: the first operand ends the options */
	assert_int_equal(run(OPT_CMD_STOP_AT_OPERAND, ARGS("-q", "f", "-v")),
	    2);
	assert_true(V.quiet);
	assert_int_equal(V.verbose, 0);
	assert_string_equal(argbuf[0], "f");
	assert_string_equal(argbuf[1], "-v");
}

static void
test_optional_arg(void **state)
{
	static const struct opt o2[] = {
		{ .type = OPT_T_STRING, .short_name = 'C', .long_name =
		    "color", .value = &V.color, .argh = "WHEN", .help = "c",
		    .flags = OPT_OPTARG },
		OPT_END(),
	};
	const struct opt *saved = cmd.opts;

	(void)state;
	cmd.opts = o2;
	assert_int_equal(run(0, ARGS("--color", "x")), 1);
	assert_null(V.color);
	assert_string_equal(argbuf[0], "x");
	assert_int_equal(run(0, ARGS("--color=always")), 0);
	assert_string_equal(V.color, "always");
	assert_int_equal(run(0, ARGS("-Cnever", "y")), 1);
	assert_string_equal(V.color, "never");
	assert_int_equal(run_capture(1, 0, ARGS("--help")), OPT_HELP);
	assert_non_null(strstr(captured, "  -C, --color[=WHEN]"));
	cmd.opts = saved;
}

static void
test_numbers(void **state)
{
	(void)state;
	assert_int_equal(run(0, ARGS("--indent", "0", "-m", "4096")), 0);
	assert_int_equal(V.indent, 0);
	assert_int_equal(V.size, 4096);
	assert_int_equal(run_capture(2, 0, ARGS("--indent=-1")), OPT_ERROR);
	assert_non_null(strstr(captured, "--indent wants a number from 0, "
	    "not '-1'"));
	assert_int_equal(run_capture(2, 0, ARGS("-m", "0")), OPT_ERROR);
	assert_non_null(strstr(captured, "-m wants a positive number"));
	assert_int_equal(run(0, ARGS("-m", "12k")), OPT_ERROR);
	assert_int_equal(run(0, ARGS("--indent=")), OPT_ERROR);
}

static void
test_callback(void **state)
{
	(void)state;
	assert_int_equal(run(0, ARGS("-cfoo", "--very-long")), 0);
	assert_int_equal(V.cb_calls, 2);
	assert_null(V.cb_arg); /* the NOARG one came last */
	assert_int_equal(run_capture(2, 0, ARGS("--check", "bad", "x")),
	    OPT_ERROR);
	assert_non_null(strstr(captured, "--check refuses 'bad'"));
}

/* Every mistake: exit 2, one line naming it, then the usage lines. */
static void
test_mistakes(void **state)
{
	const struct {
		const char *const *args;
		const char *msg;
	} cases[] = {
		{ ARGS("--frob"), "unknown option '--frob'" },
		{ ARGS("--frob=1"), "unknown option '--frob'" },
		{ ARGS("-qx"), "unknown option '-x'" },
		{ ARGS("-o"), "option '-o' requires a value" },
		{ ARGS("--output"), "option '--output' requires a value" },
		{ ARGS("--json=yes"), "option '--json' takes no value" },
		{ ARGS("--ve"), "ambiguous option '--ve'" },
		{ ARGS("--=x"), "unknown option '--'" },
	};
	size_t i;
	char *nl;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(run_capture(2, 0, cases[i].args), OPT_ERROR);
		nl = strchr(captured, '\n');
		assert_non_null(nl);
		*nl = '\0';
		if (strstr(captured, cases[i].msg) == NULL)
			fail_msg("%s: got '%s'", cases[i].msg, captured);
		assert_true(strncmp(nl + 1, "usage: seal test [-q]", 21) == 0);
	}
	assert_int_equal(opt_exit(OPT_ERROR), 2);
	assert_int_equal(opt_exit(OPT_HELP), 0);
}

static void
test_help_generated(void **state)
{
	static const char want[] =
	    "usage: seal test [-q] [-o FILE] [file...]\n"
	    "   or: seal test -d FILE\n"
	    "\n"
	    "A test command.\n"
	    "\n"
	    "Output:\n"
	    "  -q, --quiet             say less\n"
	    "  -v, --verbose           say more\n"
	    "  -o, --output FILE       write to FILE\n"
	    "      --json              JSON output\n"
	    "      --color WHEN        colour the output\n"
	    "                          (always, never)\n"
	    "\n"
	    "Keys:\n"
	    "  -r, --recipient R       a recipient; repeatable\n"
	    "  -e, --encrypt           encrypt\n"
	    "  -d, --decrypt           decrypt\n"
	    "      --indent N          indentation\n"
	    "  -m, --max-size BYTES    a limit\n"
	    "  -c, --check X           a callback\n"
	    "      --very-long-option-name\n"
	    "                          a description on its own line\n"
	    "  -h, --help              show this help\n"
	    "\n"
	    "Exit status: 0 ok.\n";

	(void)state;
	assert_int_equal(run_capture(1, 0, ARGS("-q", "--help", "--frob")),
	    OPT_HELP);
	assert_string_equal(captured, want);
	assert_int_equal(run_capture(1, 0, ARGS("-h")), OPT_HELP);
	assert_string_equal(captured, want);
	assert_int_equal(run_capture(1, 0, ARGS("--he")), OPT_HELP);
	assert_string_equal(captured, want);
	/* with NO_HELP, -h is just unknown */
	assert_int_equal(run(OPT_CMD_NO_HELP, ARGS("-h")), OPT_ERROR);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_bundled),
		cmocka_unit_test(test_values_every_spelling),
		cmocka_unit_test(test_repeated_and_alias),
		cmocka_unit_test(test_operands_permuted),
		cmocka_unit_test(test_double_dash_and_stop),
		cmocka_unit_test(test_optional_arg),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_callback),
		cmocka_unit_test(test_mistakes),
		cmocka_unit_test(test_help_generated),
	};

	progname = "seal test";
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
