/*
 * cli_parse.c - `ulf parse [--json] [--config FILE] FILE...`
 *
 * Reads each file into the canonical model and prints a summary, or one
 * JSON object per file (JSON Lines).  Svefaktura ObjectEnvelopes among the
 * files are joined to the invoice they name (parsers/envelope_join.h)
 * before anything is printed.
 * Exit 0 when every file was read, 2 when any could not be, with one line
 * per bad file on stderr naming it and why.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/json.h"
#include "parsers/envelope_join.h"
#include "parsers/reader.h"
#include "parsers/render.h"
#include "robot/cli/cli.h"
#include "robot/config/config.h"

static void parse_usage(FILE *out)
{
	fprintf(out,
		"usage: ulf parse [--json] [--config FILE] FILE...\n"
		"  Reads PEPPOL BIS 3 (UBL Invoice/CreditNote) and Svefaktura 1.0 invoices\n"
		"  and ObjectEnvelopes, and prints what each holds.\n"
		"  --json         one JSON object per file (JSON Lines)\n"
		"  --config FILE  take document limits from FILE\n"
		"exit status: 0 all read, 2 some file could not be read\n");
}

static void attach_failed(void *ctx, size_t index, const ulf_err *err)
{
	char **files = ctx;

	fprintf(stderr, "ulf parse: %s: %s\n", files[index], err->msg);
}

/* One document as the text rendering prints it. */
struct shown {
	const ulf_document *doc;
	const char *file, *attached_to;
};

static void print_text(FILE *f, const void *ctx)
{
	const struct shown *d = ctx;

	if (d->doc->kind == DOC_INVOICE)
		render_invoice_text(f, d->doc->inv, d->file);
	else
		render_envelope_text(f, d->doc->env, d->file, d->attached_to);
}

/* attached_to: for an envelope, the invoice file it was joined with, or
 * NULL.  Personal identity numbers in the document's texts are masked. */
static int print_one(const ulf_document *doc, const char *file, const char *attached_to,
		     bool json)
{
	struct shown d = { doc, file, attached_to };
	ujson *o;
	char *s;
	int rc;

	if (!json)
		return cli_print_masked(stdout, print_text, &d);
	o = doc->kind == DOC_INVOICE ? render_invoice_json(doc->inv, file)
				     : render_envelope_json(doc->env, file, attached_to);
	s = o ? ujson_dump(o, UJSON_COMPACT) : NULL;
	ujson_free(o);
	if (!s)
		return ULF_ENOMEM;
	rc = cli_put_masked(stdout, s, true);
	if (rc == 0)
		fputc('\n', stdout);
	free(s);
	return rc;
}

int cli_parse(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	ulf_config cfg;
	reader_opts opts;
	ulf_document *docs = NULL;
	size_t *attached = NULL;
	char **files;
	bool json = false;
	size_t n, i;
	int c, status = CLI_OK;
	ulf_err err;

	config_init(&cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "jc:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'c':
			ulf_err_clear(&err);
			if (config_load(&cfg, optarg, &err)) {
				fprintf(stderr, "ulf parse: %s\n", err.msg);
				return CLI_USAGE;
			}
			break;
		case 'h':
			parse_usage(stdout);
			return CLI_OK;
		default:
			parse_usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind >= argc) {
		parse_usage(stderr);
		return CLI_USAGE;
	}
	config_reader_opts(&opts, &cfg);
	n = (size_t)(argc - optind);
	files = argv + optind;
	docs = calloc(n, sizeof(*docs));
	attached = calloc(n, sizeof(*attached));
	if (!docs || !attached) {
		fprintf(stderr, "ulf parse: out of memory\n");
		status = CLI_UNREADABLE;
		goto out;
	}
	for (i = 0; i < n; i++) {
		ulf_err_clear(&err);
		if (reader_read_file(&docs[i], files[i], &opts, false, &err)) {
			/* messages already begin with the file name */
			fprintf(stderr, "ulf parse: %s\n", err.msg);
			status = CLI_UNREADABLE;
		}
	}
	envelope_join(attached, docs, n, attach_failed, files);
	for (i = 0; i < n; i++) {
		if (docs[i].kind == DOC_UNKNOWN)   /* could not be read */
			continue;
		if (print_one(&docs[i], files[i], attached[i] < n ? files[attached[i]] : NULL, json)) {
			fprintf(stderr, "ulf parse: %s: out of memory\n", files[i]);
			status = CLI_UNREADABLE;
		}
	}
out:
	for (i = 0; docs && i < n; i++)
		reader_document_release(&docs[i]);
	free(attached);
	free(docs);
	fflush(stdout);
	return status;
}
