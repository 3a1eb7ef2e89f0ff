/*
 * cli.h - the subcommands of the `ulf` binary.  Each takes the arguments
 * after its own name (argv[0] is the subcommand) and returns the process
 * exit status.
 */
#ifndef ULF_CLI_H
#define ULF_CLI_H

/* Exit statuses shared by the subcommands. */
enum {
	CLI_OK = 0,        /* everything read (and valid, where that is asked) */
	CLI_FINDINGS = 1,  /* read, but something was found (validation) */
	CLI_UNREADABLE = 2,/* at least one input could not be read */
	CLI_USAGE = 64     /* bad command line (EX_USAGE) */
};

#include "core/err.h"
#include "robot/config/config.h"

/*
 * The configuration a command runs with: the defaults, over them the file
 * (when config_path is given), over that the command line's --store and
 * --inbox (when given).
 */
int cli_load_config(ulf_config *out, const char *config_path, const char *store_path,
		    const char *inbox_dir, ulf_err *err);

int cli_parse(int argc, char **argv);
int cli_validate(int argc, char **argv);
int cli_config(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_queue(int argc, char **argv);
int cli_care(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_match(int argc, char **argv);
int cli_rules(int argc, char **argv);
int cli_erppost(int argc, char **argv);

#endif
