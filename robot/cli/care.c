/*
 * cli_care.c - `ulf care [--json] [--unmask] [--now DATE] [--wait DAYS]
 *                        [--rules FILE] [--config FILE] FILE...`
 *
 * Reads care claim specifications (standalone, SOAP request bodies, in
 * Svefaktura ObjectEnvelopes or embedded in UBL invoices) and care
 * invoices, joins them in the order the files are given (the order of
 * arrival), reconciles each pair, books its lines, and reports every claim
 * or invoice still without a partner: waiting, or - when it has waited
 * longer than the configured days since its own issue date - an exception
 * (CARE-030).  The join and the checks are robot/care/care_files.h; this
 * file reads the command line and prints each case.
 *
 * Patient identities are masked in every output unless --unmask is given.
 * Exit 0 when every case is without fatal findings, 1 when some case has
 * one (an exception), 2 when a file could not be read, 64 on usage errors.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "parsers/reader.h"
#include "robot/care/care.h"
#include "robot/care/care_booking.h"
#include "robot/care/care_files.h"
#include "robot/cli/cli.h"
#include "robot/config/config.h"

typedef struct run_opts {
	bool json, unmask;
	int64_t now;
	long wait_days;
	const care_rules *rules;
} run_opts;

static void care_usage(FILE *out)
{
	fprintf(out,
		"usage: ulf care [--json] [--unmask] [--now DATE] [--wait DAYS] [--rules FILE]\n"
		"                [--config FILE] FILE...\n"
		"  Reads out-of-county care claim specifications (Inera ProcessClaimSpecification:\n"
		"  standalone, as a SOAP request, in a Svefaktura ObjectEnvelope or embedded in a\n"
		"  UBL invoice) and care invoices, joins them in the order given (= order of\n"
		"  arrival) by fakturaunderlags-id, or invoice number and seller org number,\n"
		"  reconciles each pair (rules CARE-001..032, docs/care.md) and books its lines.\n"
		"  --json         one JSON object per case (JSON Lines)\n"
		"  --unmask       show patient identities (personnummer, samordningsnummer,\n"
		"                 reserve and card numbers, care contact and referral ids) and\n"
		"                 diagnoses: for an authorised handler resolving a case; output\n"
		"                 must not be stored or logged.  Masked (19121212-****) otherwise\n"
		"  --now DATE     the time to judge waiting against (YYYY-MM-DD; default: now)\n"
		"  --wait DAYS    days a claim or invoice waits for its partner, counted from its\n"
		"                 own issue date (default: care_wait_days, 30)\n"
		"  --rules FILE   booking rules (default: care_rules_file, builtin)\n"
		"  --config FILE  take limits and care settings from FILE\n"
		"exit status: 0 no fatal findings, 1 some case is an exception, 2 some file\n"
		"could not be read, 64 usage\n");
}

/* ---- output --------------------------------------------------------- */

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static void date_of(char *buf, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm))
		strftime(buf, n, "%Y-%m-%d", &tm);
	else
		snprintf(buf, n, "-");
}

static int invoice_json(ujson **out, const care_file *e, ulf_err *err)
{
	const invoice *inv = e->inv;
	ujson *o = ujson_object();
	char buf[DEC_STR_MAX];
	int rc = 0;

	*out = NULL;
	if (!o)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	UJSON_TRY(ujson_set_str(o, "file", e->file), "file");
	UJSON_TRY(ujson_set_str(o, "document_type", invoice_kind_name(inv->kind)), "document_type");
	UJSON_TRY(ujson_set_str(o, "syntax", invoice_syntax_name(inv->syntax)), "syntax");
	UJSON_TRY(ujson_set_str(o, "number", inv->id.v), "number");
	UJSON_TRY(ujson_set_str(o, "issue_date", inv->issue_date.v), "issue_date");
	UJSON_TRY(ujson_set_str(o, "seller_org", e->ik.seller_org[0] ? e->ik.seller_org : NULL),
	          "seller_org");
	if (inv->totals.payable.set)
		dec_format(buf, sizeof(buf), inv->totals.payable.v, 2);
	UJSON_TRY(ujson_set_str(o, "payable", inv->totals.payable.set ? buf : NULL), "payable");
	UJSON_TRY(ujson_set_str(o, "currency", inv->currency.v), "currency");
	UJSON_TRY(ujson_set_str(o, "names_claim", e->ik.claim_id[0] ? e->ik.claim_id : NULL),
	          "names_claim");
	*out = o;
	o = NULL;
out:
	ujson_free(o);
	return rc;
}

static void invoice_text(FILE *out, const care_file *e)
{
	const invoice *inv = e->inv;
	char buf[DEC_STR_MAX] = "-";

	if (inv->totals.payable.set)
		dec_format(buf, sizeof(buf), inv->totals.payable.v, 2);
	fprintf(out, "%s: care %s %s of %s from %s, payable %s %s%s%s\n", e->file,
		invoice_kind_name(inv->kind), or_dash(inv->id.v), or_dash(inv->issue_date.v),
		or_dash(e->ik.seller_org), buf, or_dash(inv->currency.v),
		e->ik.claim_id[0] ? ", names claim " : "", e->ik.claim_id);
}

static const char *how_name(const care_case *k)
{
	if (k->how == CARE_JOIN_CARRIED)
		return "carried by the invoice";
	return care_match_name(k->match);
}

/* o[key] = value, which is taken whatever the outcome. */
static int set_taken(ujson *o, const char *key, ujson *value, ulf_err *err)
{
	return ujson_error(err, ujson_set_new(o, key, value), key);
}

/* The case as one JSON line on stdout; 0, or an error with err set. */
static int print_json(const care_case *k, size_t index, const run_opts *o, ulf_err *err)
{
	ujson *obj = ujson_object(), *j = NULL;
	char since[16], deadline[16];
	const care_file *w;
	char *s;
	int rc = 0;

	if (!obj)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	UJSON_TRY(ujson_set_int(obj, "case", (int64_t)index), "case");
	UJSON_TRY(ujson_set_str(obj, "status", care_case_status(k)), "status");
	if (!(j = ujson_object())) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	if (k->c && k->i) {
		UJSON_TRY(ujson_set_str(j, "matched_by", how_name(k)), "matched_by");
		UJSON_TRY(ujson_set_bool(j, "late", k->late != NULL), "late");
	} else {
		w = care_case_alone(k);
		UJSON_TRY(ujson_set_str(j, "waiting_for", k->c ? "invoice" : "claim"),
		          "waiting_for");
		if (w->arrived_known) {
			date_of(since, sizeof(since), w->arrived);
			date_of(deadline, sizeof(deadline), w->arrived + (int64_t)o->wait_days * 86400);
			UJSON_TRY(ujson_set_str(j, "since", since), "since");
			UJSON_TRY(ujson_set_str(j, "deadline", deadline), "deadline");
			UJSON_TRY(ujson_set_int(j, "days_waited", care_file_days_waited(w, o->now)),
			          "days_waited");
		}
		UJSON_TRY(ujson_set_int(j, "wait_days", o->wait_days), "wait_days");
	}
	rc = set_taken(obj, "join", j, err);
	j = NULL;
	if (rc)
		goto out;
	if (k->duplicate)
		UJSON_TRY(ujson_set_str(obj, "duplicate_of", k->duplicate_of), "duplicate_of");
	if (k->c && (rc = care_claim_json(&j, k->c->claim, k->c->file, o->unmask, err)) != 0)
		goto out;
	rc = set_taken(obj, "claim", j, err);
	j = NULL;
	if (rc)
		goto out;
	if (k->i && (rc = invoice_json(&j, k->i, err)) != 0)
		goto out;
	rc = set_taken(obj, "invoice", j, err);
	j = NULL;
	if (rc)
		goto out;
	if ((rc = care_findings_json(&j, &k->f, err)) != 0)
		goto out;
	rc = set_taken(obj, "findings", j, err);
	j = NULL;
	if (rc)
		goto out;
	if (k->booked && (rc = care_booking_json(&j, &k->booking, o->rules, err)) != 0)
		goto out;
	rc = set_taken(obj, "booking", j, err);
	j = NULL;
	if (rc)
		goto out;
	s = ujson_dump(obj, UJSON_COMPACT);
	if (!s) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	fputs(s, stdout);
	fputc('\n', stdout);
	free(s);
out:
	ujson_free(j);
	ujson_free(obj);
	return rc;
}

static void print_text(const care_case *k, size_t index, const run_opts *o)
{
	char since[16], deadline[16];
	const care_file *w;

	fprintf(stdout, "case %zu: %s", index, care_case_status(k));
	if (k->c && k->i)
		fprintf(stdout, ", %s %s%s\n", k->how == CARE_JOIN_CARRIED ? "the claim" : "joined by",
			how_name(k), k->late ? " (late)" : "");
	else if (k->duplicate)
		fprintf(stdout, ", duplicate of %s\n", or_dash(k->duplicate_of));
	else {
		w = care_case_alone(k);
		fprintf(stdout, ", waiting for its %s", k->c ? "invoice" : "claim specification");
		if (w->arrived_known) {
			date_of(since, sizeof(since), w->arrived);
			date_of(deadline, sizeof(deadline), w->arrived + (int64_t)o->wait_days * 86400);
			fprintf(stdout, " since %s (%ld days), deadline %s", since,
				care_file_days_waited(w, o->now), deadline);
		}
		fputc('\n', stdout);
	}
	if (k->c)
		care_claim_text(stdout, k->c->claim, k->c->file, o->unmask);
	if (k->i)
		invoice_text(stdout, k->i);
	if (k->f.n) {
		fprintf(stdout, "  findings:\n");
		care_findings_text(stdout, &k->f, "    ");
	} else {
		fprintf(stdout, "  findings: none\n");
	}
	if (k->booked) {
		fprintf(stdout, "  booking (rules %s):\n", care_rules_name(o->rules));
		care_booking_text(stdout, &k->booking, "    ");
	}
}

/* ---- the command ---------------------------------------------------- */

static int parse_wait(long *out, const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 1 || v > 365)
		return -1;
	*out = v;
	return 0;
}

int cli_care(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "unmask", no_argument, NULL, 'u' },
		{ "now", required_argument, NULL, 'n' },
		{ "wait", required_argument, NULL, 'w' },
		{ "rules", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *now_arg = NULL, *wait_arg = NULL, *rules_arg = NULL;
	care_rules *rules = NULL;
	care_files *cf = NULL;
	ulf_config cfg;
	reader_opts ropts;
	run_opts o;
	size_t i;
	int c, status = CLI_OK;
	ulf_err err;

	memset(&o, 0, sizeof(o));
	config_init(&cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "jun:w:r:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'u':
			o.unmask = true;
			break;
		case 'n':
			now_arg = optarg;
			break;
		case 'w':
			wait_arg = optarg;
			break;
		case 'r':
			rules_arg = optarg;
			break;
		case 'c':
			ulf_err_clear(&err);
			if (config_load(&cfg, optarg, &err)) {
				fprintf(stderr, "ulf care: %s\n", err.msg);
				return CLI_USAGE;
			}
			break;
		case 'h':
			care_usage(stdout);
			return CLI_OK;
		default:
			care_usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind >= argc) {
		care_usage(stderr);
		return CLI_USAGE;
	}
	o.now = (int64_t)time(NULL);
	if (now_arg && care_parse_date(&o.now, now_arg)) {
		fprintf(stderr, "ulf care: --now '%s' is not a date YYYY-MM-DD\n", now_arg);
		return CLI_USAGE;
	}
	o.wait_days = cfg.care_wait_days;
	if (wait_arg && parse_wait(&o.wait_days, wait_arg)) {
		fprintf(stderr, "ulf care: --wait '%s' is not a number of days 1-365\n", wait_arg);
		return CLI_USAGE;
	}
	ulf_err_clear(&err);
	if (care_rules_load(&rules, rules_arg ? rules_arg : cfg.care_rules_file, &err)) {
		fprintf(stderr, "ulf care: %s\n", err.msg);
		return CLI_USAGE;
	}
	o.rules = rules;
	if (o.unmask)
		fprintf(stderr, "ulf care: --unmask: patient identities are shown; this output is for"
			" an authorised handler and must not be stored or logged\n");

	config_reader_opts(&ropts, &cfg);
	ulf_err_clear(&err);
	if (care_files_new(&cf, (size_t)(argc - optind), o.wait_days, &err)) {
		fprintf(stderr, "ulf care: %s\n", err.msg);
		status = CLI_UNREADABLE;
		goto out;
	}
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		ulf_err_clear(&err);
		if (care_files_add(cf, argv[i], &ropts, &err)) {
			/* reader messages begin with the file name and never quote a patient */
			fprintf(stderr, "ulf care: %s\n", err.msg);
			status = CLI_UNREADABLE;
		}
	}
	for (i = 0; i < care_files_count(cf); i++) {
		const care_case *k = care_files_case(cf, i);

		ulf_err_clear(&err);
		if (care_files_check(cf, i, o.rules, o.now, &err)) {
			fprintf(stderr, "ulf care: %s\n", err.msg);
			status = CLI_UNREADABLE;
			continue;
		}
		if (!o.json) {
			print_text(k, i + 1, &o);
		} else if (print_json(k, i + 1, &o, &err) != 0) {
			fprintf(stderr, "ulf care: case %zu: %s\n", i + 1, err.msg);
			status = CLI_UNREADABLE;
		}
		if (status == CLI_OK && findings_fatal(&k->f))
			status = CLI_FINDINGS;
	}
out:
	care_files_free(cf);
	care_rules_free(rules);
	fflush(stdout);
	return status;
}
