/*
 * cli_config.c - `ulf config sample` prints every setting with its default
 * and documentation; `ulf config check FILE` says whether FILE is valid,
 * listing every problem, not only the first.
 */
#include <stdio.h>
#include <string.h>

#include "robot/cli/cli.h"
#include "robot/config/config.h"

static void print_problem(const char *msg, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "ulf config: %s\n", msg);
}

int cli_config(int argc, char **argv)
{
	size_t n;

	if (argc == 2 && strcmp(argv[1], "sample") == 0) {
		config_write_sample(stdout);
		return CLI_OK;
	}
	if (argc == 3 && strcmp(argv[1], "check") == 0) {
		if (config_check(&n, argv[2], print_problem, NULL)) {
			if (n > 1)
				fprintf(stderr, "ulf config: %s: %zu problems\n", argv[2], n);
			return CLI_FINDINGS;
		}
		printf("%s: valid\n", argv[2]);
		return CLI_OK;
	}
	fprintf(argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr,
		"usage: ulf config sample | ulf config check FILE\n");
	return argc == 2 && !strcmp(argv[1], "--help") ? CLI_OK : CLI_USAGE;
}
