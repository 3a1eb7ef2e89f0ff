/*
 * cli_config.c - `ulf config sample` prints every setting with its default
 * and documentation; `ulf config check FILE` says whether FILE is valid.
 */
#include <stdio.h>
#include <string.h>

#include "robot/cli/cli.h"
#include "robot/config/config.h"

int cli_config(int argc, char **argv)
{
	ulf_config cfg;
	ulf_err err;

	if (argc == 2 && strcmp(argv[1], "sample") == 0) {
		config_write_sample(stdout);
		return CLI_OK;
	}
	if (argc == 3 && strcmp(argv[1], "check") == 0) {
		ulf_err_clear(&err);
		if (config_load(&cfg, argv[2], &err)) {
			fprintf(stderr, "ulf config: %s\n", err.msg);
			return CLI_FINDINGS;
		}
		printf("%s: valid\n", argv[2]);
		return CLI_OK;
	}
	fprintf(argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr,
		"usage: ulf config sample | ulf config check FILE\n");
	return argc == 2 && !strcmp(argv[1], "--help") ? CLI_OK : CLI_USAGE;
}
