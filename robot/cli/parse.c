/*
 * cli_parse.c - `ulf parse [--json] [--config FILE] FILE...`
 *
 * Reads each file into the canonical model and prints a summary, or one
 * JSON object per file (JSON Lines).  Svefaktura ObjectEnvelopes among the
 * files are joined to the invoice they name before anything is printed.
 * Exit 0 when every file was read, 2 when any could not be, with one line
 * per bad file on stderr naming it and why.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "parsers/reader.h"
#include "robot/cli/cli.h"
#include "robot/config/config.h"
#include "parsers/render.h"

typedef struct parsed {
	const char *file;
	ulf_document doc;
	const char *attached_to;   /* envelopes: the invoice file joined with */
	int rc;
} parsed;

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

/* Does the invoice point at one of the envelope's objects? */
static bool references_object(const invoice *inv, const sve_envelope *env)
{
	static const char prefix[] = "urn:sfti:documents:object:";
	size_t i, k;

	for (i = 0; i < inv->ndocs; i++) {
		const char *id = inv->docs[i].id.v;
		if (!id || strncmp(id, prefix, sizeof(prefix) - 1) != 0)
			continue;
		for (k = 0; k < env->nobjects; k++)
			if (env->objects[k].id &&
			    strcmp(id + sizeof(prefix) - 1, env->objects[k].id) == 0)
				return true;
	}
	return false;
}

/*
 * Envelopes go to an invoice among the files that they name: one that
 * also points at the envelope's objects first (several invoices may share
 * a number and seller), else the first that they name.
 */
static void join_envelopes(parsed *p, size_t n)
{
	size_t i, j, moved;
	ulf_err err;

	for (i = 0; i < n; i++) {
		size_t best = n;

		if (p[i].rc || p[i].doc.kind != DOC_SVE_ENVELOPE)
			continue;
		for (j = 0; j < n; j++) {
			if (p[j].rc || p[j].doc.kind != DOC_INVOICE ||
			    !svefaktura_envelope_matches(p[i].doc.env, p[j].doc.inv))
				continue;
			if (references_object(p[j].doc.inv, p[i].doc.env)) {
				best = j;
				break;
			}
			if (best == n)
				best = j;
		}
		if (best == n)
			continue;
		ulf_err_clear(&err);
		if (svefaktura_envelope_attach(&moved, p[best].doc.inv, p[i].doc.env, &err) == 0)
			p[i].attached_to = p[best].file;
		else
			fprintf(stderr, "ulf parse: %s: %s\n", p[i].file, err.msg);
	}
}

static int print_one(const parsed *p, bool json)
{
	ujson *o;
	char *s;

	if (!json) {
		if (p->doc.kind == DOC_INVOICE)
			render_invoice_text(stdout, p->doc.inv, p->file);
		else
			render_envelope_text(stdout, p->doc.env, p->file, p->attached_to);
		return 0;
	}
	o = p->doc.kind == DOC_INVOICE ? render_invoice_json(p->doc.inv, p->file)
				       : render_envelope_json(p->doc.env, p->file, p->attached_to);
	s = o ? ujson_dump(o, UJSON_COMPACT) : NULL;
	ujson_free(o);
	if (!s)
		return ULF_ENOMEM;
	fputs(s, stdout);
	fputc('\n', stdout);
	free(s);
	return 0;
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
	parsed *p = NULL;
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
	p = calloc(n, sizeof(*p));
	if (!p) {
		fprintf(stderr, "ulf parse: out of memory\n");
		return CLI_UNREADABLE;
	}
	for (i = 0; i < n; i++) {
		p[i].file = argv[optind + (int)i];
		ulf_err_clear(&err);
		p[i].rc = reader_read_file(&p[i].doc, p[i].file, &opts, false, &err);
		if (p[i].rc) {
			/* messages already begin with the file name */
			fprintf(stderr, "ulf parse: %s\n", err.msg);
			status = CLI_UNREADABLE;
		}
	}
	join_envelopes(p, n);
	for (i = 0; i < n; i++) {
		if (p[i].rc)
			continue;
		if (print_one(&p[i], json)) {
			fprintf(stderr, "ulf parse: %s: out of memory\n", p[i].file);
			status = CLI_UNREADABLE;
		}
	}
	for (i = 0; i < n; i++)
		reader_document_release(&p[i].doc);
	free(p);
	fflush(stdout);
	return status;
}
