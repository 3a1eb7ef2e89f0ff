/*
 * main.c - the `ulf` binary: finds the subcommand and runs it.
 */
#include <stdio.h>
#include <string.h>

#include "parsers/xml.h"
#include "robot/cli/cli.h"

typedef struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} command;

static const command commands[] = {
	{ "parse",  cli_parse,  "read invoices and show them (text or JSON Lines)" },
	{ "validate", cli_validate, "check invoices against EN 16931, PEPPOL BIS 3, SE and XSD" },
	{ "config", cli_config, "print the documented sample configuration, or check one" },
	{ "run",    cli_run,    "the robot: take invoices from the inbox and process them" },
	{ "queue",  cli_queue,  "the exception queue: list, show, resolve, reject, retry, hold, assign, comment" },
	{ "care",   cli_care,   "out-of-county care: join claim specifications and invoices, reconcile, book" },
	{ "import", cli_import, "load orders, goods receipts, suppliers or booking history into the store" },
	{ "match",  cli_match,  "match invoices to supplier, order and receipt; suggest the booking; decide" },
	{ "rules",  cli_rules,  "check a matching rules file, or print the built-in rules" },
	{ "erp-post", cli_erppost, "post one booking suggestion to the ERP (docs/erp.md)" },
	{ "user",   cli_user,   "the workbench's users and their roles: add, list, disable, passwd, map" },
	{ "token",  cli_token,  "API bearer tokens for senders and metrics: add, list, revoke" },
	{ "web",    cli_web,    "the handlers' workbench alone, on web_listen (also served by run)" },
	{ "audit",  cli_audit,  "check that the audit trail was not changed behind ulf's back" },
	{ "dashboard", cli_dashboard, "the controllers' figures: show, csv, import-paper, import-lives" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: ulf <command> [options] [args]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'ulf <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	size_t i;
	int rc = CLI_USAGE;

	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return CLI_OK;
	}
	xml_global_init();
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			rc = commands[i].run(argc - 1, argv + 1);
			goto out;
		}
	}
	fprintf(stderr, "ulf: unknown command '%s'\n", argv[1]);
	usage(stderr);
out:
	xml_global_cleanup();
	return rc;
}
