/*
 * cli_rules.c - `ulf rules check FILE...` and `ulf rules builtin`.
 *
 * check reads each rules file as the robot would, reports every problem
 * (bad pattern with its column, unknown block or key, bad tolerance,
 * dangling {group}, ...) as FILE:LINE: what, and otherwise says what the
 * file holds and how many patterns run JIT-compiled.  builtin prints the
 * built-in rules, a starting point for a file of one's own.
 *
 * Exit 0 when every file is good, 1 when some file has problems, 2 when a
 * file cannot be read, 64 on usage errors.
 */
#include <stdio.h>
#include <string.h>

#include "robot/cli/cli.h"
#include "robot/match/rules.h"

static void rules_usage(FILE *out)
{
	fprintf(out,
		"usage: ulf rules check FILE...   report every problem in matching rules files\n"
		"       ulf rules builtin         print the built-in rules\n"
		"The format is described in docs/rules-file.md.\n"
		"exit status: 0 good, 1 problems found, 2 unreadable file, 64 usage\n");
}

static void report(void *ctx, const char *msg)
{
	size_t *n = ctx;

	(*n)++;
	printf("%s\n", msg);
}

int cli_rules(int argc, char **argv)
{
	int i, status = CLI_OK;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		rules_usage(stdout);
		return CLI_OK;
	}
	if (argc == 2 && !strcmp(argv[1], "builtin")) {
		fputs(rules_builtin(), stdout);
		return CLI_OK;
	}
	if (argc < 3 || strcmp(argv[1], "check")) {
		rules_usage(stderr);
		return CLI_USAGE;
	}
	for (i = 2; i < argc; i++) {
		ruleset *r = NULL;
		rules_counts c;
		size_t problems = 0;
		ulf_err err;
		int rc;

		ulf_err_clear(&err);
		rc = rules_load(&r, argv[i], report, &problems, &err);
		if (rc == ULF_EPARSE) {
			printf("%s\n", err.msg);
			status = status == CLI_OK ? CLI_FINDINGS : status;
			continue;
		}
		if (rc) {
			fprintf(stderr, "ulf rules: %s\n", err.msg);
			status = CLI_UNREADABLE;
			continue;
		}
		rules_count(&c, r);
		printf("%s: ok: %zu extract, %zu code and %zu nonpo rules, %zu tolerance blocks;"
		       " %zu patterns compiled, %zu with JIT\n", argv[i], c.extract, c.code, c.nonpo,
		       c.tolerance, c.patterns, c.jit);
		rules_free(r);
	}
	fflush(stdout);
	return status;
}
