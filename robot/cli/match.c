/*
 * cli_match.c - `ulf match [--json] [--store DB] [--rules FILE]
 *                          [--config FILE] [--record] FILE...`
 *
 * Matches each invoice against the reference data in the store (supplier
 * register, orders, goods receipts, posted history) with the matching
 * rules, and prints the decision (auto or exception with reasons), the
 * booking suggestion and the explanation: text for a person, or one JSON
 * object per file (JSON Lines) with the whole structured explanation.
 *
 * Matching only reads the store.  --record makes it remember each invoice
 * decided auto as if it had been posted (the pipeline does this after the
 * ERP accepted it), so later files see its quantities, its number and its
 * booking: a second delivery against the same order, a duplicate, a
 * credit note, a recurring invoice.
 *
 * Outside the pipeline no validator runs: an invoice is taken as invalid
 * (INVALID) when the reader could not take some value as written.
 *
 * Exit 0 when every invoice was decided auto, 1 when some is an exception,
 * 2 when a file could not be read or matching failed, 64 on usage errors.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "parsers/reader.h"
#include "parsers/validate_document.h"
#include "robot/cli/cli.h"
#include "robot/config/config.h"
#include "robot/match/match.h"
#include "robot/match/rules.h"
#include "robot/store/store.h"

static void match_usage(FILE *out)
{
	fprintf(out,
		"usage: ulf match [--json] [--store DB] [--rules FILE] [--config FILE] [--record]"
		" FILE...\n"
		"  Matches invoices against suppliers, orders, goods receipts and history in the\n"
		"  store and prints the decision, the booking suggestion and the explanation.\n"
		"  --json         one JSON object per invoice (JSON Lines)\n"
		"  --store DB     the store (default: store_path of the configuration)\n"
		"  --rules FILE   matching rules (default: match_rules_file, builtin)\n"
		"  --config FILE  take store, rules and limits from FILE\n"
		"  --record       remember each invoice decided auto as posted, for the files\n"
		"                 after it and later runs\n"
		"Reason codes: docs/reason-codes.md.  Load reference data with `ulf import`.\n"
		"exit status: 0 all auto, 1 some exception, 2 unreadable file or failure, 64 usage\n");
}

static void rules_report(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "ulf match: %s\n", msg);
}

typedef struct margs {
	const char *config, *store, *rules;
	bool json, record;
} margs;

/* A result as the text rendering prints it. */
struct shown {
	const match_result *r;
	const char *file;
};

static void print_text(FILE *f, const void *ctx)
{
	const struct shown *sh = ctx;

	match_result_text(f, sh->r, sh->file);
}

static int match_one(matcher *m, const char *file, const reader_opts *opts, const margs *a)
{
	ulf_document doc;
	match_result *r = NULL;
	match_input in;
	char why[300];
	ulf_err err;
	int rc, status;

	ulf_err_clear(&err);
	memset(&doc, 0, sizeof(doc));
	rc = reader_read_file(&doc, file, opts, false, &err);
	if (rc) {
		fprintf(stderr, "ulf match: %s\n", err.msg);
		return CLI_UNREADABLE;
	}
	if (doc.kind != DOC_INVOICE) {
		fprintf(stderr, "ulf match: %s: not an invoice (an attachment envelope or claim is"
			" matched with its invoice)\n", file);
		reader_document_release(&doc);
		return CLI_UNREADABLE;
	}
	memset(&in, 0, sizeof(in));
	in.name = file;
	in.valid = !validate_reader_problems(why, sizeof(why), doc.inv);
	if (!in.valid)
		in.invalid_reason = why;
	rc = match_invoice(&r, m, doc.inv, &in, &err);
	if (rc) {
		fprintf(stderr, "ulf match: %s: %s\n", file, err.msg);
		reader_document_release(&doc);
		return CLI_UNREADABLE;
	}
	/* the suggestion and its explanation, as the queue keeps them:
	 * personal identity numbers masked */
	if (a->json) {
		char *s = ujson_dump(match_result_json(r), UJSON_COMPACT);
		if (s && cli_put_masked(stdout, s, true) == 0)
			fputc('\n', stdout);
		free(s);
	} else {
		struct shown sh = { r, file };
		cli_print_masked(stdout, print_text, &sh);
	}
	status = r->decision == MATCH_AUTO ? CLI_OK : CLI_FINDINGS;
	if (a->record && r->decision == MATCH_AUTO) {
		ulf_err_clear(&err);
		if (match_record(m, doc.inv, r, NULL, 0, (int64_t)time(NULL), &err)) {
			fprintf(stderr, "ulf match: %s: cannot record: %s\n", file, err.msg);
			status = CLI_UNREADABLE;
		} else if (!a->json) {
			printf("  recorded as posted\n");
		}
	}
	if (!a->json)
		printf("\n");
	match_result_free(r);
	reader_document_release(&doc);
	return status;
}

int cli_match(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "store", required_argument, NULL, 's' },
		{ "rules", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "record", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	margs a;
	ulf_config cfg;
	reader_opts opts;
	ruleset *rules = NULL;
	store *s = NULL;
	matcher *m = NULL;
	int c, status = CLI_OK, rc;
	ulf_err err;

	memset(&a, 0, sizeof(a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "js:r:c:Rh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': a.json = true; break;
		case 's': a.store = optarg; break;
		case 'r': a.rules = optarg; break;
		case 'c': a.config = optarg; break;
		case 'R': a.record = true; break;
		case 'h':
			match_usage(stdout);
			return CLI_OK;
		default:
			match_usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind >= argc) {
		match_usage(stderr);
		return CLI_USAGE;
	}
	ulf_err_clear(&err);
	if (cli_load_config(&cfg, a.config, a.store, NULL, &err)) {
		fprintf(stderr, "ulf match: %s\n", err.msg);
		return CLI_USAGE;
	}
	config_reader_opts(&opts, &cfg);
	rc = rules_load(&rules, a.rules ? a.rules : cfg.match_rules_file, rules_report, NULL, &err);
	if (rc) {
		fprintf(stderr, "ulf match: %s (check it with `ulf rules check`)\n", err.msg);
		return CLI_UNREADABLE;
	}
	if (store_open(&s, cfg.store_backend, cfg.store_path, &err) ||
	    matcher_new(&m, store_db(s), rules, &err)) {
		fprintf(stderr, "ulf match: %s\n", err.msg);
		status = CLI_UNREADABLE;
		goto out;
	}
	for (c = optind; c < argc; c++) {
		int one = match_one(m, argv[c], &opts, &a);
		if (one > status)
			status = one;
	}
out:
	matcher_free(m);
	store_close(s);
	rules_free(rules);
	fflush(stdout);
	return status;
}
