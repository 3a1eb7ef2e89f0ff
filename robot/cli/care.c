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
 * (CARE-030).  The store will run the same join over persisted arrivals;
 * this command is that logic over files, with nothing kept.
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
#include "robot/cli/cli.h"
#include "robot/config/config.h"

typedef struct entry {
	const char *file;
	ulf_document doc;
	claim *claim;            /* owned: read from an envelope or invoice, or doc's */
	bool claim_owned;
	const invoice *inv;      /* doc's invoice, if any */
	care_keys ck, ik;
	int64_t arrived;         /* its own issue date, the arrival in file mode */
	bool arrived_known;
} entry;

typedef enum join_how {
	JOIN_NONE = 0,
	JOIN_CARRIED,            /* the invoice carried the claim itself */
	JOIN_KEYS                /* joined by care_keys_match() */
} join_how;

typedef struct ccase {
	entry *c;                /* holds the claim, or NULL */
	entry *i;                /* holds the invoice, or NULL */
	join_how how;
	care_match match;
	const entry *late;       /* the waiting one, when its partner came after its
				    time ran out */
	long late_days;
	bool duplicate;
	const char *duplicate_of;
	findings f;
	care_booking booking;
	bool booked;
} ccase;

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

/* ---- reading -------------------------------------------------------- */

static void set_arrival(entry *e, const char *date)
{
	e->arrived_known = date && care_parse_date(&e->arrived, date) == 0;
}

static int read_entry(entry *e, const reader_opts *opts)
{
	ulf_err err;
	int rc;

	ulf_err_clear(&err);
	rc = reader_read_file(&e->doc, e->file, opts, false, &err);
	if (rc)
		goto fail;
	switch (e->doc.kind) {
	case DOC_CLAIM:
		e->claim = e->doc.claim;
		break;
	case DOC_INVOICE:
		e->inv = e->doc.inv;
		rc = claim_from_invoice(&e->claim, e->inv, e->file, &opts->xml, &opts->inv, &err);
		if (rc == ULF_ENOTFOUND)
			rc = 0;
		else if (rc)
			goto fail;
		else
			e->claim_owned = true;
		break;
	case DOC_SVE_ENVELOPE:
		rc = claim_from_envelope(&e->claim, e->doc.env, e->file, &opts->xml, &opts->inv, &err);
		if (rc == ULF_ENOTFOUND)
			rc = ulf_err_set(&err, rc, "%s: no care claim specification among the"
					 " envelope's objects", e->file);
		if (rc)
			goto fail;
		e->claim_owned = true;
		break;
	default:
		rc = ulf_err_set(&err, ULF_ESYNTAX, "%s: not a care claim or invoice", e->file);
		goto fail;
	}
	if (e->claim)
		care_claim_keys(&e->ck, e->claim);
	if (e->inv)
		care_invoice_keys(&e->ik, e->inv);
	/* a claim carried by an invoice arrives with it */
	set_arrival(e, e->inv ? e->inv->issue_date.v : e->claim->issue_date.v);
	return 0;
fail:
	/* reader messages begin with the file name and never quote a patient */
	fprintf(stderr, "ulf care: %s\n", err.msg);
	return rc;
}

static void release_entry(entry *e)
{
	if (e->claim_owned)
		claim_free(e->claim);
	reader_document_release(&e->doc);
}

/* ---- the join over the files ---------------------------------------- */

static bool same_invoice(const care_keys *a, const care_keys *b)
{
	return a->invoice_number[0] && a->seller_org[0] &&
	       strcmp(a->invoice_number, b->invoice_number) == 0 &&
	       strcmp(a->seller_org, b->seller_org) == 0;
}

/* A held claim with the same fakturaunderlags-id, or NULL. */
static ccase *held_claim(ccase *cs, size_t n, const care_keys *k)
{
	size_t i;

	for (i = 0; k->claim_id[0] && i < n; i++)
		if (cs[i].c && !cs[i].duplicate && strcmp(cs[i].c->ck.claim_id, k->claim_id) == 0)
			return &cs[i];
	return NULL;
}

static ccase *held_invoice(ccase *cs, size_t n, const care_keys *k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cs[i].i && !cs[i].duplicate && same_invoice(&cs[i].i->ik, k))
			return &cs[i];
	return NULL;
}

/* When the partner arrives after the waiting one's time ran out, the store
 * would already have made the waiting one an exception: say so. */
static void note_late(ccase *k, const entry *waiting, const entry *arriving, long wait_days)
{
	if (waiting->arrived_known && arriving->arrived_known &&
	    care_expired(waiting->arrived, arriving->arrived, wait_days)) {
		k->late = waiting;
		k->late_days = (long)((arriving->arrived - waiting->arrived) / 86400);
	}
}

/* Places entry e into the cases; returns the number of cases. */
static size_t join(ccase *cs, size_t n, entry *e, long wait_days)
{
	ccase *k, *held;
	size_t i;

	if (e->claim && e->inv) {
		k = &cs[n++];
		k->c = k->i = e;
		k->how = JOIN_CARRIED;
		k->match = care_keys_match(&e->ck, &e->ik);
		if ((held = held_claim(cs, n - 1, &e->ck)) || (held = held_invoice(cs, n - 1, &e->ik))) {
			k->duplicate = true;
			k->duplicate_of = held->c ? held->c->file : held->i->file;
		}
		return n;
	}
	if (e->claim) {
		if ((held = held_claim(cs, n, &e->ck))) {
			k = &cs[n++];
			k->c = e;
			k->duplicate = true;
			k->duplicate_of = held->c->file;
			return n;
		}
		for (i = 0; i < n; i++) {
			care_match m;
			if (cs[i].c || !cs[i].i || cs[i].duplicate)
				continue;
			m = care_keys_match(&e->ck, &cs[i].i->ik);
			if (m != CARE_NO_MATCH) {
				cs[i].c = e;
				cs[i].how = JOIN_KEYS;
				cs[i].match = m;
				note_late(&cs[i], cs[i].i, e, wait_days);
				return n;
			}
		}
		cs[n++].c = e;
		return n;
	}
	if ((held = held_invoice(cs, n, &e->ik))) {
		k = &cs[n++];
		k->i = e;
		k->duplicate = true;
		k->duplicate_of = held->i->file;
		return n;
	}
	for (i = 0; i < n; i++) {
		care_match m;
		if (cs[i].i || !cs[i].c || cs[i].duplicate)
			continue;
		m = care_keys_match(&cs[i].c->ck, &e->ik);
		if (m != CARE_NO_MATCH) {
			cs[i].i = e;
			cs[i].how = JOIN_KEYS;
			cs[i].match = m;
			note_late(&cs[i], cs[i].c, e, wait_days);
			return n;
		}
	}
	cs[n++].i = e;
	return n;
}

/* ---- checking a case ------------------------------------------------ */

/* The claim a credit claim names, among every claim read. */
static const claim *find_original(const entry *es, size_t n, const claim *credit)
{
	size_t i;

	for (i = 0; credit->ref_claim.v && i < n; i++)
		if (es[i].claim && es[i].claim != credit && es[i].claim->id.v &&
		    strcmp(es[i].claim->id.v, credit->ref_claim.v) == 0)
			return es[i].claim;
	return NULL;
}

static long days_waited(const entry *e, const run_opts *o)
{
	return e->arrived_known ? (long)((o->now - e->arrived) / 86400) : 0;
}

static bool expired(const ccase *k, const run_opts *o)
{
	const entry *e = k->c ? k->c : k->i;

	return !(k->c && k->i) && e->arrived_known && care_expired(e->arrived, o->now, o->wait_days);
}

static int check_case(ccase *k, const entry *es, size_t n, const run_opts *o, ulf_err *err)
{
	const entry *w;
	int rc = 0;

	findings_init(&k->f);
	if (k->duplicate)
		rc = care_report_duplicate(&k->f, k->c != NULL, k->c ? &k->c->ck : &k->i->ik,
					   k->duplicate_of, err);
	if (rc == 0 && k->late)
		rc = care_report_expired(&k->f, k->late == k->c,
					 k->late == k->c ? &k->c->ck : &k->i->ik,
					 k->late_days, o->wait_days, err);
	if (rc == 0 && k->c)
		rc = care_check_claim(&k->f, k->c->claim, err);
	if (rc == 0 && k->c && k->c->claim->type == CLAIM_TYPE_CREDIT) {
		const claim *orig = find_original(es, n, k->c->claim);
		rc = orig ? care_check_credit(&k->f, k->c->claim, orig, err)
			  : care_report_original_missing(&k->f, k->c->claim, err);
	}
	if (rc == 0 && k->c && k->i)
		rc = care_check_pair(&k->f, k->c->claim, k->i->inv, err);
	if (rc == 0 && k->c && k->i && !k->duplicate) {
		rc = care_book(&k->booking, o->rules, k->c->claim, err);
		k->booked = rc == 0;
	}
	if (rc == 0 && expired(k, o)) {
		w = k->c ? k->c : k->i;
		rc = care_report_expired(&k->f, k->c != NULL, k->c ? &k->c->ck : &k->i->ik,
					 days_waited(w, o), o->wait_days, err);
	}
	return rc;
}

static const char *status_of(const ccase *k)
{
	if (findings_fatal(&k->f))
		return "exception";
	if (k->c && k->i)
		return "reconciled";
	return "waiting";
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

static ujson *invoice_json(const entry *e)
{
	const invoice *inv = e->inv;
	ujson *o = ujson_object();
	char buf[DEC_STR_MAX];

	if (!o)
		return NULL;
	ujson_set_str(o, "file", e->file);
	ujson_set_str(o, "document_type", invoice_kind_name(inv->kind));
	ujson_set_str(o, "syntax", invoice_syntax_name(inv->syntax));
	ujson_set_str(o, "number", inv->id.v);
	ujson_set_str(o, "issue_date", inv->issue_date.v);
	ujson_set_str(o, "seller_org", e->ik.seller_org[0] ? e->ik.seller_org : NULL);
	if (inv->totals.payable.set) {
		dec_format(buf, sizeof(buf), inv->totals.payable.v, 2);
		ujson_set_str(o, "payable", buf);
	} else {
		ujson_set_new(o, "payable", NULL);
	}
	ujson_set_str(o, "currency", inv->currency.v);
	ujson_set_str(o, "names_claim", e->ik.claim_id[0] ? e->ik.claim_id : NULL);
	return o;
}

static void invoice_text(FILE *out, const entry *e)
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

static const char *how_name(const ccase *k)
{
	if (k->how == JOIN_CARRIED)
		return "carried by the invoice";
	return care_match_name(k->match);
}

static int print_json(const ccase *k, size_t index, const run_opts *o)
{
	ujson *obj = ujson_object(), *j;
	char since[16], deadline[16];
	const entry *w;
	char *s;

	if (!obj)
		return ULF_ENOMEM;
	ujson_set_int(obj, "case", (int64_t)index);
	ujson_set_str(obj, "status", status_of(k));
	if (k->c && k->i) {
		j = ujson_object();
		if (j) {
			ujson_set_str(j, "matched_by", how_name(k));
			ujson_set_bool(j, "late", k->late != NULL);
		}
		ujson_set_new(obj, "join", j);
	} else {
		w = k->c ? k->c : k->i;
		j = ujson_object();
		if (j) {
			ujson_set_str(j, "waiting_for", k->c ? "invoice" : "claim");
			if (w->arrived_known) {
				date_of(since, sizeof(since), w->arrived);
				date_of(deadline, sizeof(deadline), w->arrived + (int64_t)o->wait_days * 86400);
				ujson_set_str(j, "since", since);
				ujson_set_str(j, "deadline", deadline);
				ujson_set_int(j, "days_waited", days_waited(w, o));
			}
			ujson_set_int(j, "wait_days", o->wait_days);
		}
		ujson_set_new(obj, "join", j);
	}
	if (k->duplicate)
		ujson_set_str(obj, "duplicate_of", k->duplicate_of);
	ujson_set_new(obj, "claim", k->c ? care_claim_json(k->c->claim, k->c->file, o->unmask)
					 : ujson_null());
	ujson_set_new(obj, "invoice", k->i ? invoice_json(k->i) : ujson_null());
	ujson_set_new(obj, "findings", care_findings_json(&k->f));
	ujson_set_new(obj, "booking", k->booked ? care_booking_json(&k->booking, o->rules)
					       : ujson_null());
	s = ujson_dump(obj, UJSON_COMPACT);
	ujson_free(obj);
	if (!s)
		return ULF_ENOMEM;
	fputs(s, stdout);
	fputc('\n', stdout);
	free(s);
	return 0;
}

static void print_text(const ccase *k, size_t index, const run_opts *o)
{
	char since[16], deadline[16];
	const entry *w;

	fprintf(stdout, "case %zu: %s", index, status_of(k));
	if (k->c && k->i)
		fprintf(stdout, ", %s %s%s\n", k->how == JOIN_CARRIED ? "the claim" : "joined by",
			how_name(k), k->late ? " (late)" : "");
	else if (k->duplicate)
		fprintf(stdout, ", duplicate of %s\n", or_dash(k->duplicate_of));
	else {
		w = k->c ? k->c : k->i;
		fprintf(stdout, ", waiting for its %s", k->c ? "invoice" : "claim specification");
		if (w->arrived_known) {
			date_of(since, sizeof(since), w->arrived);
			date_of(deadline, sizeof(deadline), w->arrived + (int64_t)o->wait_days * 86400);
			fprintf(stdout, " since %s (%ld days), deadline %s", since,
				days_waited(w, o), deadline);
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
	entry *es = NULL;
	ccase *cs = NULL;
	ulf_config cfg;
	reader_opts ropts;
	run_opts o;
	size_t n = 0, ncases = 0, i;
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
	ropts.claims = true;
	n = (size_t)(argc - optind);
	es = calloc(n, sizeof(*es));
	cs = calloc(n, sizeof(*cs));
	if (!es || !cs) {
		fprintf(stderr, "ulf care: out of memory\n");
		status = CLI_UNREADABLE;
		goto out;
	}
	for (i = 0; i < n; i++) {
		es[i].file = argv[optind + (int)i];
		if (read_entry(&es[i], &ropts)) {
			status = CLI_UNREADABLE;
			continue;
		}
		ncases = join(cs, ncases, &es[i], o.wait_days);
	}
	for (i = 0; i < ncases; i++) {
		ulf_err_clear(&err);
		if (check_case(&cs[i], es, n, &o, &err)) {
			fprintf(stderr, "ulf care: %s\n", err.msg);
			status = CLI_UNREADABLE;
			continue;
		}
		if (o.json ? print_json(&cs[i], i + 1, &o) != 0 : (print_text(&cs[i], i + 1, &o), 0)) {
			fprintf(stderr, "ulf care: out of memory\n");
			status = CLI_UNREADABLE;
		}
		if (status == CLI_OK && findings_fatal(&cs[i].f))
			status = CLI_FINDINGS;
	}
out:
	for (i = 0; cs && i < ncases; i++) {
		findings_release(&cs[i].f);
		care_booking_release(&cs[i].booking);
	}
	for (i = 0; es && i < n; i++)
		release_entry(&es[i]);
	free(cs);
	free(es);
	care_rules_free(rules);
	fflush(stdout);
	return status;
}
