/*
 * audit.c - `ulf audit verify`: checks the audit trail's hash chain and
 * reports the first broken link (robot/store/audit.h).
 *
 *   ulf audit verify [--config FILE] [--store PATH]
 *
 * Exit 0 when every link holds, 1 when one is broken (which row, and what
 * differs), 2 when the store cannot be read.  The last row's hash it prints
 * may be noted elsewhere: a later verify that still reaches it shows that
 * nobody rewrote the chain up to there.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "robot/cli/cli.h"

static void audit_usage(FILE *out)
{
	fprintf(out,
		"usage: ulf audit verify [--config FILE] [--store PATH]\n"
		"Checks that no row of the audit trail was changed, removed or slipped in\n"
		"behind ulf's back; reports the first broken link and exits 1 if one is.\n");
}

int cli_audit(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "store", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *config = NULL, *store_path = NULL;
	audit_report r;
	ulf_config cfg;
	store *s = NULL;
	ulf_err err;
	int c, status;

	if (argc < 2) {
		audit_usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		audit_usage(stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "verify") != 0) {
		fprintf(stderr, "ulf audit: unknown action '%s'\n", argv[1]);
		audit_usage(stderr);
		return CLI_USAGE;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "c:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 's': store_path = optarg; break;
		case 'h': audit_usage(stdout); return CLI_OK;
		default: audit_usage(stderr); return CLI_USAGE;
		}
	}
	if (optind != argc) {
		audit_usage(stderr);
		return CLI_USAGE;
	}
	ulf_err_clear(&err);
	if (cli_load_config(&cfg, config, store_path, NULL, &err) ||
	    store_open(&s, cfg.store_backend, cfg.store_path, &err) ||
	    store_audit_verify(&r, s, &err)) {
		fprintf(stderr, "ulf audit: %s\n", err.msg);
		status = CLI_UNREADABLE;
		goto out;
	}
	if (r.ok) {
		printf("audit trail intact: %" PRId64 " row%s, every link holds", r.rows,
		       r.rows == 1 ? "" : "s");
		if (r.rows)
			printf("; last row %" PRId64 ", hash %s", r.last_id, r.last_hash);
		printf("\n");
		status = CLI_OK;
	} else {
		printf("audit trail BROKEN: %s\n", r.what);
		if (r.bad_id)
			printf("first broken link: row %" PRId64 "\n", r.bad_id);
		printf("%" PRId64 " row%s before it hold", r.rows, r.rows == 1 ? "" : "s");
		if (r.rows)
			printf(" (up to row %" PRId64 ", hash %s)", r.last_id, r.last_hash);
		printf("\n");
		status = CLI_FINDINGS;
	}
out:
	store_close(s);
	return status;
}
