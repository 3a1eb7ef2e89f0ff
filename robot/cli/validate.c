/*
 * cli_validate.c - `ulf validate [--json] [--schema-dir DIR] [--config FILE] FILE...`
 *
 * Reads each file as the robot would (keeping the XML tree, which the
 * PEPPOL rules look at) and runs every validation layer that suits it
 * (parsers/validate_document.h): the business rules of its syntax and,
 * with --schema-dir, the XSD layer, whose findings have the rule "XSD".
 * Each schema is compiled once per process, the first time a file needs
 * it.  ObjectEnvelopes get the XSD layer only.
 *
 * Prints a short report per file, or with --json one JSON object per file:
 * {"file", "valid", "syntax", "document_type", "findings": [{"rule",
 * "flag", "message", "location", "line"}]}, where location is the element
 * path (or "line N" when only the line is known) and line the source line.
 * A file that cannot be read gets {"file", "valid": false, "syntax": null,
 * "error"} and a line on stderr naming it and why.
 *
 * Exit status: 0 when no file has a fatal finding, 1 when one has, 2 when a
 * file cannot be read at all (which wins over 1), 64 for a bad command line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "parsers/reader.h"
#include "parsers/validate_document.h"
#include "parsers/xml.h"
#include "robot/cli/cli.h"
#include "robot/config/config.h"

static void validate_usage(FILE *out)
{
	fprintf(out,
		"usage: ulf validate [--json] [--schema-dir DIR] [--config FILE] FILE...\n"
		"  Checks PEPPOL BIS 3 (UBL) and Svefaktura 1.0 documents against the\n"
		"  EN 16931, PEPPOL BIS Billing 3.0 and Swedish (SE-R) rules.\n"
		"  --json            one JSON object per file (JSON Lines)\n"
		"  --schema-dir DIR  also validate against the XSDs in DIR (laid out like\n"
		"                    shared/schemas: ubl-2.1/, svefaktura-1.0/); rule \"XSD\"\n"
		"  --config FILE     take document limits from FILE\n"
		"exit status: 0 no fatal finding, 1 a fatal finding, 2 a file could not be read\n");
}

static const char *flag_name(vflag flag)
{
	return flag == VFLAG_FATAL ? "fatal" : "warning";
}

static const char *syntax_of(const ulf_document *doc)
{
	return doc->kind == DOC_INVOICE ? invoice_syntax_name(doc->inv->syntax) : "svefaktura-1.0";
}

static const char *type_of(const ulf_document *doc)
{
	return doc->kind == DOC_INVOICE ? invoice_kind_name(doc->inv->kind) : "object-envelope";
}

static size_t count_flag(const findings *f, vflag flag)
{
	size_t i, k = 0;

	for (i = 0; i < f->n; i++)
		k += f->items[i].flag == flag;
	return k;
}

static void print_text(const char *file, const ulf_document *doc, const findings *f)
{
	size_t i, fatal = count_flag(f, VFLAG_FATAL);
	const finding *it;

	printf("%s: %s (%s %s, %zu fatal, %zu warning%s)\n", file, fatal ? "INVALID" : "valid",
	       syntax_of(doc), type_of(doc), fatal, f->n - fatal, f->n - fatal == 1 ? "" : "s");
	for (i = 0; i < f->n; i++) {
		it = &f->items[i];
		printf("  %-7s %s", flag_name(it->flag), it->rule);
		if (it->line)
			printf(" line %u", it->line);
		if (it->location)
			printf(" %s", it->location);
		printf(": %s\n", it->message);
	}
}

/* Length of the valid UTF-8 sequence at s, or 0 (what JSON may carry). */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3, lo = s[0] == 0xE0 ? 0xA0 : 0x80, hi = s[0] == 0xED ? 0x9F : 0xBF;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, lo = s[0] == 0xF0 ? 0x90 : 0x80, hi = s[0] == 0xF4 ? 0x8F : 0xBF;
	else
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

/*
 * A JSON string of s, bytes that are not UTF-8 (a file name on a Latin-1
 * file system) replaced by U+FFFD: jansson refuses invalid UTF-8, and the
 * key would silently become null.
 */
static ujson *json_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *clean, *q;
	ujson *j;
	size_t n;

	if (!s)
		return ujson_null();
	for (; *p && (n = utf8_seq(p)) > 0; p += n)
		;
	if (!*p)
		return ujson_string(s);
	clean = malloc(strlen(s) * 3 + 1);
	if (!clean)
		return NULL;
	for (p = (const unsigned char *)s, q = clean; *p; ) {
		n = utf8_seq(p);
		if (n) {
			memcpy(q, p, n);
			q += n;
			p += n;
		} else {
			memcpy(q, "\xEF\xBF\xBD", 3);
			q += 3;
			p++;
		}
	}
	*q = '\0';
	j = ujson_string(clean);
	free(clean);
	return j;
}

static ujson *finding_json(const finding *it)
{
	ujson *o = ujson_object();
	char where[32];

	if (!o)
		return NULL;
	snprintf(where, sizeof(where), "line %u", it->line);
	if (ujson_set_str(o, "rule", it->rule) ||
	    ujson_set_str(o, "flag", flag_name(it->flag)) ||
	    ujson_set_new(o, "message", json_text(it->message)) ||
	    ujson_set_new(o, "location", json_text(it->location ? it->location
							      : it->line ? where : NULL)) ||
	    ujson_set_new(o, "line", it->line ? ujson_integer(it->line) : ujson_null())) {
		ujson_free(o);
		return NULL;
	}
	return o;
}

/* One JSON line; doc and f NULL for a file that could not be read. */
static int print_json(const char *file, const ulf_document *doc, const findings *f,
		      const char *error)
{
	ujson *o = ujson_object(), *list = ujson_array();
	char *s = NULL;
	size_t i;
	int rc = ULF_ENOMEM;

	if (!o || !list)
		goto out;
	if (ujson_set_new(o, "file", json_text(file)) ||
	    ujson_set_bool(o, "valid", f && !findings_fatal(f)) ||
	    ujson_set_str(o, "syntax", doc ? syntax_of(doc) : NULL) ||
	    ujson_set_str(o, "document_type", doc ? type_of(doc) : NULL))
		goto out;
	for (i = 0; f && i < f->n; i++) {
		ujson *one = finding_json(&f->items[i]);

		if (!one || ujson_append_new(list, one))
			goto out;
	}
	if (ujson_set_new(o, "findings", list))
		goto out;
	list = NULL;
	if (error && ujson_set_new(o, "error", json_text(error)))
		goto out;
	s = ujson_dump(o, UJSON_COMPACT);
	if (!s)
		goto out;
	fputs(s, stdout);
	fputc('\n', stdout);
	rc = 0;
out:
	free(s);
	ujson_free(list);
	ujson_free(o);
	return rc;
}

/* Reads, checks and reports one file; returns its exit status. */
static int validate_file(const char *file, const reader_opts *opts, xml_schema *schemas,
			 bool json)
{
	ulf_document doc;
	findings f;
	ulf_err err;
	int status;

	ulf_err_clear(&err);
	if (reader_read_file(&doc, file, opts, true, &err) != 0) {
		/* messages already begin with the file name */
		fprintf(stderr, "ulf validate: %s\n", err.msg);
		if (json)
			print_json(file, NULL, NULL, err.msg);
		return CLI_UNREADABLE;
	}
	findings_init(&f);
	if (validate_document(&f, &doc, schemas, &err) != 0) {
		fprintf(stderr, "ulf validate: %s: %s\n", file, err.msg);
		if (json)
			print_json(file, NULL, NULL, err.msg);
		status = CLI_UNREADABLE;
	} else {
		status = findings_fatal(&f) ? CLI_FINDINGS : CLI_OK;
		if (!json)
			print_text(file, &doc, &f);
		else if (print_json(file, &doc, &f, NULL) != 0) {
			fprintf(stderr, "ulf validate: %s: out of memory\n", file);
			status = CLI_UNREADABLE;
		}
	}
	findings_release(&f);
	reader_document_release(&doc);
	return status;
}

int cli_validate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "schema-dir", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *schema_dir = NULL;
	xml_schema *schemas = NULL;
	ulf_config cfg;
	reader_opts opts;
	bool json = false;
	int c, i, rc, status = CLI_OK;
	ulf_err err;

	config_init(&cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "js:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 's':
			schema_dir = optarg;
			break;
		case 'c':
			ulf_err_clear(&err);
			if (config_load(&cfg, optarg, &err)) {
				fprintf(stderr, "ulf validate: %s\n", err.msg);
				return CLI_USAGE;
			}
			break;
		case 'h':
			validate_usage(stdout);
			return CLI_OK;
		default:
			validate_usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind >= argc) {
		validate_usage(stderr);
		return CLI_USAGE;
	}
	ulf_err_clear(&err);
	if (schema_dir && xml_schema_load(&schemas, schema_dir, &err) != 0) {
		fprintf(stderr, "ulf validate: --schema-dir %s\n", err.msg);
		return CLI_USAGE;
	}
	config_reader_opts(&opts, &cfg);
	for (i = optind; i < argc; i++) {
		rc = validate_file(argv[i], &opts, schemas, json);
		if (rc > status)
			status = rc;
	}
	xml_schema_free(schemas);
	fflush(stdout);
	return status;
}
