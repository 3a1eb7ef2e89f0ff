/*
 * bench_match.c - how fast invoices are matched, and that the cost per
 * invoice does not grow with the number of open orders.
 *
 *   bench_match [--dir DIR] [--suppliers N] [--rules N] [--invoices N]
 *               [--small N] [--large N]
 *
 * Builds two stores in DIR (default /tmp), one with --small (10 000) and
 * one with --large (100 000) open orders of three lines each, both with
 * --suppliers (20 000) suppliers in the register, a booking history of one
 * posted invoice per supplier and goods receipts for a quarter of the
 * orders, and a rules file of --rules (2 000) rules: the two regions'
 * extract rules, a code rule per supplier for most of them, general code
 * and nonpo rules, tolerance blocks.  Then matches the same --invoices
 * (20 000) invoices against each store: 70 % clean against their order,
 * 10 % with the order number only in a note, 10 % with a price deviation,
 * 5 % partial deliveries, 5 % from unknown sellers.  The invoices refer to
 * orders among the first --small, so both stores do the same work and
 * differ only in how much reference data there is around it.
 *
 * Only match_invoice is timed (the UBL text is generated and read before
 * the clock starts).  Prints invoices per second and latency percentiles
 * for both sizes side by side, and as its last line
 *   cost ratio 100k/10k orders: R
 * the mean time per invoice of the large store over the small one.  The
 * target is R <= 1.3.  Figures are doubles: for people, never money.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "parsers/reader.h"
#include "parsers/xml.h"
#include "robot/match/match.h"
#include "robot/store/store.h"

typedef struct opts {
	const char *dir;
	long suppliers, rules, invoices, small, large;
} opts;

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: the same data every run */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A Luhn-valid 10-digit org number "55" + 7 digits + check. */
static void org_of(char out[11], long i)
{
	int sum = 0, k, d;

	snprintf(out, 11, "55%07ld", i % 10000000);
	for (k = 8; k >= 0; k--) {
		d = out[k] - '0';
		if ((8 - k) % 2 == 0) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	out[9] = (char)('0' + (10 - sum % 10) % 10);
	out[10] = '\0';
}

static void order_no(char *out, size_t n, long i)
{
	/* half Sörmland DLL + 7 digits, half Västmanland 10 digits */
	if (i % 2 == 0)
		snprintf(out, n, "DLL%07ld", i / 2);
	else
		snprintf(out, n, "45%08ld", i / 2);
}

static long supplier_of_order(long i, long nsup)
{
	return (i * 7919) % nsup;
}

static long price_of(long order, int line)
{
	return 1000 + (order * 37 + line * 101) % 90000;   /* cents */
}

static int die(const char *what, const ulf_err *err)
{
	fprintf(stderr, "bench_match: %s: %s\n", what, err ? err->msg : "");
	return 2;
}

static int fill_store(refdata *r, const opts *o, long norders)
{
	db *d = refdata_db(r);
	char org[11], peppol[32], bg[32], name[64], no[32], item[32], acc[16];
	ulf_err err;
	long i;
	int line;
	bool upd;

	ulf_err_clear(&err);
	db_set_durable(d, false, &err);
	if (refdata_begin(r, &err))
		return die("begin", &err);
	for (i = 0; i < o->suppliers; i++) {
		ref_supplier s;
		memset(&s, 0, sizeof(s));
		org_of(org, i);
		snprintf(s.supplier_no, sizeof(s.supplier_no), "S%05ld", i);
		snprintf(s.name, sizeof(s.name), "Leverantör %ld AB", i);
		snprintf(s.org_no, sizeof(s.org_no), "%s", org);
		snprintf(s.vat_no, sizeof(s.vat_no), "SE%s01", org);
		snprintf(s.peppol_id, sizeof(s.peppol_id), "0007:%s", org);
		snprintf(s.bankgiro, sizeof(s.bankgiro), "%07d", (int)(5000000 + i % 1000000));
		s.contract = i % 3 != 0;
		if (refdata_put_supplier(&upd, r, &s, 1, &err))
			return die("supplier", &err);
	}
	for (i = 0; i < norders; i++) {
		ref_order *ord = refdata_order_new();
		long sup = supplier_of_order(i, o->suppliers);
		if (!ord)
			return die("out of memory", NULL);
		order_no(no, sizeof(no), i);
		snprintf(name, sizeof(name), "S%05ld", sup);
		org_of(org, sup);
		snprintf(peppol, sizeof(peppol), "%s", i % 2 ? "0007:2321000172" : "0007:2321000032");
		ord->order_no = arena_strdup(&ord->mem, no);
		ord->buyer = arena_strdup(&ord->mem, peppol);
		ord->supplier_no = arena_strdup(&ord->mem, name);
		ord->supplier_org = arena_strdup(&ord->mem, org);
		ord->currency = "SEK";
		ord->status = "open";
		ord->requires_receipt = i % 4 == 0;
		ord->source = "bench";
		ord->lines = arena_alloc(&ord->mem, 3 * sizeof(*ord->lines));
		ord->nlines = 3;
		for (line = 0; line < 3; line++) {
			ref_order_line *l = &ord->lines[line];
			snprintf(item, sizeof(item), "ITM%05ld-%d", sup, line);
			snprintf(acc, sizeof(acc), "%d", 4000 + line * 10);
			snprintf(bg, sizeof(bg), "%d", line + 1);
			l->line_id = arena_strdup(&ord->mem, bg);
			l->item_id = arena_strdup(&ord->mem, item);
			l->name = "Artikel";
			l->quantity = dec_make(10, 0);
			l->quantity_set = true;
			l->unit = "EA";
			l->price = dec_make(price_of(i, line), 2);
			l->price_set = true;
			l->net = dec_make(price_of(i, line) * 10, 2);
			l->net_set = true;
			l->vat_category = "S";
			l->vat_rate = dec_make(25, 0);
			l->vat_rate_set = true;
			l->account = arena_strdup(&ord->mem, acc);
			l->cost_centre = "41510";
		}
		if (refdata_put_order(&upd, r, ord, 1, &err))
			return die("order", &err);
		if (i % 4 == 0) {
			for (line = 0; line < 3; line++) {
				ref_receipt rc;
				memset(&rc, 0, sizeof(rc));
				snprintf(bg, sizeof(bg), "%d", line + 1);
				rc.order_no = no;
				rc.receipt_id = "GR";
				rc.line_id = bg;
				rc.order_line_id = bg;
				rc.quantity = dec_make(10, 0);
				rc.source = "bench";
				if (refdata_put_receipt(&upd, r, &rc, 1, &err))
					return die("receipt", &err);
			}
		}
		refdata_order_free(ord);
		if (i % 20000 == 19999 && (refdata_commit(r, &err) || refdata_begin(r, &err)))
			return die("commit", &err);
	}
	if (refdata_commit(r, &err))
		return die("commit", &err);
	return 0;
}

static int fill_history(refdata *r, const opts *o)
{
	char key[32], number[32], item[32];
	ref_invoice inv;
	ref_invoice_line l;
	ulf_err err;
	long i;

	ulf_err_clear(&err);
	if (refdata_begin(r, &err))
		return die("begin", &err);
	for (i = 0; i < o->suppliers; i++) {
		/* one posted invoice per supplier: what the history learned */
		memset(&inv, 0, sizeof(inv));
		memset(&l, 0, sizeof(l));
		snprintf(key, sizeof(key), "S%05ld", i);
		snprintf(number, sizeof(number), "H%ld", i);
		snprintf(item, sizeof(item), "ITM%05ld-9", i);
		l.item_key = item;
		l.text_key = "tjänst";
		l.quantity = dec_make(1, 0);
		l.net = dec_make(100000, 2);
		l.account = "6990";
		l.cost_centre = "41510";
		l.vat_code = "I25";
		inv.supplier_key = key;
		inv.invoice_number = number;
		inv.kind = "invoice";
		inv.issue_date = "2025-01-15";
		inv.currency = "SEK";
		inv.net_total = l.net;
		inv.flow = "non-po";
		inv.source = "import";
		inv.lines = &l;
		inv.nlines = 1;
		if (refdata_record_invoice(r, &inv, 1, &err))
			return die("history", &err);
	}
	return refdata_commit(r, &err) ? die("commit", &err) : 0;
}

/* The rules file text: 2 extract, code rules per supplier, a few general
 * ones, nonpo rules and tolerance blocks, --rules in all. */
static char *make_rules(const opts *o)
{
	size_t cap = (size_t)o->rules * 200 + 4096, len = 0;
	char *t = malloc(cap), org[11];
	long i, n = 0;

	if (!t)
		return NULL;
#define ADD(...) (len += (size_t)snprintf(t + len, cap - len, __VA_ARGS__))
	ADD("settings\n    rounding_account 3740\n    rounding_max 0.99\n"
	    "    required_fields account cost_centre vat_code\n"
	    "vatcodes\n    S 25 I25\n    S 12 I12\n    S 6 I6\n    Z 0 I0\n"
	    "tolerance\n    price 5%% max 50\n    quantity 0\n    line 1%% max 10\n"
	    "    total 1%% max 100\n    recurring 10%% max 2000\n"
	    "tolerance buyer 0007:2321000032\n    price 2%% max 20\n");
	ADD("extract sormland-order\n    buyer 0007:2321000032\n"
	    "    pattern (?<order>\\bDLL\\d{7}\\b)\n    fields order_ref buyer_ref note line_note doc_id\n");
	ADD("extract vastmanland-order\n    buyer 0007:2321000172\n"
	    "    pattern (?<![\\d-])(?<order>\\d{10}|\\d{8})(?![\\d-])\n"
	    "    fields order_ref buyer_ref note line_note doc_id\n");
	n = 2 + 2;
	ADD("code freight\n    kind charge\n    text (?i)frakt\n    account 6250\n");
	ADD("code fees\n    kind charge\n    text (?i)avgift\n    account 6570\n");
	for (i = 0; i < 3; i++, n++)
		ADD("nonpo rent-%ld\n    supplier %s\n    reference (?i)\\bhyra\\b\n    account 5010\n"
		    "    cost_centre 41100\n", i, (org_of(org, o->suppliers - 1 - i), org));
	for (i = 0; n < o->rules; i++, n++) {
		org_of(org, (i * 10) % o->suppliers);
		ADD("code supplier-%ld\n    supplier %s\n    item ^ITM\\d{5}-[0-2]$\n"
		    "    project P%ld\n", i, org, i % 100);
	}
#undef ADD
	return t;
}

/* The UBL text of invoice k. */
static char *invoice_text(long k, const opts *o, long *out_kind)
{
	size_t cap = 16384, len = 0;
	char *x = malloc(cap), org[11], no[32], item[32];
	long ord = (long)(rnd() % (uint64_t)o->small), sup = supplier_of_order(ord, o->suppliers);
	long kind = (long)(rnd() % 100), qty = 10, lext = 0, price[3];
	int line;
	bool sorm = ord % 2 == 0;

	if (!x)
		return NULL;
	/* 0-69 clean, 70-79 order in a note, 80-89 price, 90-94 partial, 95-99 unknown */
	*out_kind = kind;
	org_of(org, kind >= 95 ? o->suppliers + 1000 + k : sup);
	order_no(no, sizeof(no), ord);
	if (kind >= 90 && kind < 95)
		qty = 5;
	for (line = 0; line < 3; line++) {
		price[line] = price_of(ord, line);
		if (kind >= 80 && kind < 90 && line == 1)
			price[line] += price[line] / 5;
		lext += price[line] * qty;
	}
#define ADD(...) (len += (size_t)snprintf(x + len, cap - len, __VA_ARGS__))
	ADD("<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\""
	    " xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\""
	    " xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">"
	    "<cbc:ID>B%ld</cbc:ID><cbc:IssueDate>2025-03-%02ld</cbc:IssueDate>"
	    "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>", k, 1 + k % 28);
	if (kind >= 70 && kind < 80)
		ADD("<cbc:Note>Er beställning %s, tack.</cbc:Note>", no);
	ADD("<cbc:DocumentCurrencyCode>SEK</cbc:DocumentCurrencyCode>"
	    "<cbc:BuyerReference>%s</cbc:BuyerReference>", sorm ? "731245880" : "5512340");
	if (!(kind >= 70 && kind < 80))
		ADD("<cac:OrderReference><cbc:ID>%s</cbc:ID></cac:OrderReference>", no);
	ADD("<cac:AccountingSupplierParty><cac:Party><cbc:EndpointID schemeID=\"0007\">%s"
	    "</cbc:EndpointID><cac:PartyName><cbc:Name>Leverantör AB</cbc:Name></cac:PartyName>"
	    "<cac:PartyLegalEntity><cbc:RegistrationName>Leverantör AB</cbc:RegistrationName>"
	    "<cbc:CompanyID schemeID=\"0007\">%s</cbc:CompanyID></cac:PartyLegalEntity>"
	    "</cac:Party></cac:AccountingSupplierParty>", org, org);
	ADD("<cac:AccountingCustomerParty><cac:Party><cbc:EndpointID schemeID=\"0007\">%s"
	    "</cbc:EndpointID><cac:PartyLegalEntity><cbc:RegistrationName>Region</cbc:RegistrationName>"
	    "</cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty>",
	    sorm ? "2321000032" : "2321000172");
	ADD("<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>"
	    "<cac:PayeeFinancialAccount><cbc:ID>%07d</cbc:ID><cac:FinancialInstitutionBranch>"
	    "<cbc:ID>SE:BANKGIRO</cbc:ID></cac:FinancialInstitutionBranch></cac:PayeeFinancialAccount>"
	    "</cac:PaymentMeans>", (int)(5000000 + sup % 1000000));
	ADD("<cac:TaxTotal><cbc:TaxAmount currencyID=\"SEK\">%ld.%02ld</cbc:TaxAmount>"
	    "<cac:TaxSubtotal><cbc:TaxableAmount currencyID=\"SEK\">%ld.%02ld</cbc:TaxableAmount>"
	    "<cbc:TaxAmount currencyID=\"SEK\">%ld.%02ld</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S"
	    "</cbc:ID><cbc:Percent>25</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>"
	    "</cac:TaxCategory></cac:TaxSubtotal></cac:TaxTotal>", lext / 4 / 100, lext / 4 % 100,
	    lext / 100, lext % 100, lext / 4 / 100, lext / 4 % 100);
	ADD("<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID=\"SEK\">%ld.%02ld"
	    "</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount currencyID=\"SEK\">%ld.%02ld"
	    "</cbc:TaxExclusiveAmount><cbc:PayableAmount currencyID=\"SEK\">%ld.%02ld"
	    "</cbc:PayableAmount></cac:LegalMonetaryTotal>", lext / 100, lext % 100, lext / 100,
	    lext % 100, (lext + lext / 4) / 100, (lext + lext / 4) % 100);
	for (line = 0; line < 3; line++) {
		snprintf(item, sizeof(item), "ITM%05ld-%d", sup, line);
		ADD("<cac:InvoiceLine><cbc:ID>%d</cbc:ID><cbc:InvoicedQuantity unitCode=\"EA\">%ld"
		    "</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID=\"SEK\">%ld.%02ld"
		    "</cbc:LineExtensionAmount><cac:OrderLineReference><cbc:LineID>%d</cbc:LineID>"
		    "</cac:OrderLineReference><cac:Item><cbc:Name>Artikel</cbc:Name>"
		    "<cac:SellersItemIdentification><cbc:ID>%s</cbc:ID></cac:SellersItemIdentification>"
		    "<cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent>"
		    "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>"
		    "</cac:Item><cac:Price><cbc:PriceAmount currencyID=\"SEK\">%ld.%02ld</cbc:PriceAmount>"
		    "</cac:Price></cac:InvoiceLine>", line + 1, qty, price[line] * qty / 100,
		    price[line] * qty % 100, line + 1, item, price[line] / 100, price[line] % 100);
	}
	ADD("</Invoice>");
#undef ADD
	return len < cap ? x : (free(x), NULL);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

typedef struct figures {
	long orders;
	double build_s, per_s, mean_us, p50, p90, p99, max;
	long autos, exceptions;
	int64_t *lat, sum;
} figures;

typedef struct side {
	char path[1024];
	store *s;
	matcher *m;
} side;

static void side_close(side *sd)
{
	static const char *const ext[] = { "", "-wal", "-shm" };
	char p[1100];
	int i;

	matcher_free(sd->m);
	store_close(sd->s);
	for (i = 0; i < 3 && sd->path[0]; i++) {
		snprintf(p, sizeof(p), "%.1000s%s", sd->path, ext[i]);
		unlink(p);
	}
}

static int build(side *sd, figures *fg, const opts *o, long norders, const ruleset *rules)
{
	int64_t t0 = now_ns();
	ulf_err err;

	ulf_err_clear(&err);
	fg->orders = norders;
	snprintf(sd->path, sizeof(sd->path), "%.900s/bench-match-%ld-%d.db", o->dir, norders,
		 (int)getpid());
	if (store_open(&sd->s, "sqlite", sd->path, &err) ||
	    matcher_new(&sd->m, store_db(sd->s), rules, &err))
		return die("store", &err);
	if (fill_store(matcher_refdata(sd->m), o, norders) || fill_history(matcher_refdata(sd->m), o))
		return 2;
	fg->build_s = (double)(now_ns() - t0) / 1e9;
	return 0;
}

/* Matches one invoice on one side; k < 0 is warm-up, not counted. */
static int match_on(side *sd, figures *fg, const invoice *inv, long k)
{
	match_input in = { true, NULL, 0, NULL };
	match_result *r = NULL;
	int64_t a, b;
	ulf_err err;

	ulf_err_clear(&err);
	a = now_ns();
	if (match_invoice(&r, sd->m, inv, &in, &err))
		return die("match", &err);
	b = now_ns();
	if (k >= 0) {
		fg->lat[k] = b - a;
		fg->sum += b - a;
		if (r->decision == MATCH_AUTO)
			fg->autos++;
		else
			fg->exceptions++;
	}
	match_result_free(r);
	return 0;
}

static void summarise(figures *fg, long n)
{
	qsort(fg->lat, (size_t)n, sizeof(*fg->lat), cmp_i64);
	fg->per_s = (double)n / ((double)fg->sum / 1e9);
	fg->mean_us = (double)fg->sum / (double)n / 1e3;
	fg->p50 = (double)fg->lat[n / 2] / 1e3;
	fg->p90 = (double)fg->lat[n * 9 / 10] / 1e3;
	fg->p99 = (double)fg->lat[n * 99 / 100] / 1e3;
	fg->max = (double)fg->lat[n - 1] / 1e3;
}

/*
 * Builds both stores, then matches every invoice against both, the small
 * one first for even invoices and the large one first for odd ones: the
 * two sizes see the same invoices at the same moment, so warm-up, caches
 * and clock drift fall on both alike.
 */
static int run(figures f[2], const opts *o, const ruleset *rules)
{
	side sd[2];
	reader_opts ro;
	long k, warm = o->invoices / 20;
	int i, rc = 2;
	ulf_err err;

	memset(sd, 0, sizeof(sd));
	memset(f, 0, 2 * sizeof(*f));
	reader_opts_init(&ro);
	for (i = 0; i < 2; i++) {
		f[i].lat = calloc((size_t)o->invoices, sizeof(*f[i].lat));
		if (!f[i].lat || build(&sd[i], &f[i], o, i == 0 ? o->small : o->large, rules))
			goto out;
		printf("%ld orders: store built in %.1f s\n", f[i].orders, f[i].build_s);
		fflush(stdout);
	}
	rng_state = 0x9E3779B97F4A7C15ull;
	for (k = -warm; k < o->invoices; k++) {
		ulf_document doc;
		long kind;
		char *x = invoice_text(k < 0 ? -k : k, o, &kind);
		int first = (int)((k < 0 ? -k : k) % 2);
		ulf_err_clear(&err);
		if (!x || reader_read(&doc, x, strlen(x), "bench", &ro, false, &err)) {
			free(x);
			rc = die("invoice", &err);
			goto out;
		}
		free(x);
		rc = match_on(&sd[first], &f[first], doc.inv, k) ||
		     match_on(&sd[1 - first], &f[1 - first], doc.inv, k);
		reader_document_release(&doc);
		if (rc) {
			rc = 2;
			goto out;
		}
	}
	for (i = 0; i < 2; i++)
		summarise(&f[i], o->invoices);
	rc = 0;
out:
	for (i = 0; i < 2; i++) {
		side_close(&sd[i]);
		free(f[i].lat);
		f[i].lat = NULL;
	}
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "suppliers", required_argument, NULL, 's' },
		{ "rules", required_argument, NULL, 'r' },
		{ "invoices", required_argument, NULL, 'i' },
		{ "small", required_argument, NULL, 'a' },
		{ "large", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	opts o = { "/tmp", 20000, 2000, 20000, 10000, 100000 };
	figures f[2];
	ruleset *rules = NULL;
	rules_counts rc;
	char *text;
	ulf_err err;
	int c, i;

	while ((c = getopt_long(argc, argv, "d:s:r:i:a:b:", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o.dir = optarg; break;
		case 's': o.suppliers = strtol(optarg, NULL, 10); break;
		case 'r': o.rules = strtol(optarg, NULL, 10); break;
		case 'i': o.invoices = strtol(optarg, NULL, 10); break;
		case 'a': o.small = strtol(optarg, NULL, 10); break;
		case 'b': o.large = strtol(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: bench_match [--dir DIR] [--suppliers N] [--rules N]"
				" [--invoices N] [--small N] [--large N]\n");
			return 64;
		}
	}
	if (o.suppliers < 100 || o.rules < 10 || o.invoices < 100 || o.small < 100 ||
	    o.large < o.small) {
		fprintf(stderr, "bench_match: sizes too small\n");
		return 64;
	}
	xml_global_init();
	ulf_err_clear(&err);
	text = make_rules(&o);
	if (!text || rules_parse(&rules, text, strlen(text), "bench.rules", NULL, NULL, &err))
		return die("rules", &err);
	free(text);
	rules_count(&rc, rules);
	printf("reference data: %ld suppliers, %zu rules (%zu extract, %zu code, %zu nonpo) and"
	       " %zu tolerance blocks, %zu patterns (%zu JIT); 3 lines per order, receipts for 1"
	       " in 4, one posted invoice per supplier in the history\n", o.suppliers,
	       rc.extract + rc.code + rc.nonpo, rc.extract, rc.code, rc.nonpo, rc.tolerance,
	       rc.patterns, rc.jit);
	printf("invoices: %ld (70%% clean, 10%% order number in a note, 10%% price deviation,"
	       " 5%% partial, 5%% unknown seller), matched after a warm-up of %ld\n",
	       o.invoices, o.invoices / 20);
	fflush(stdout);
	if (run(f, &o, rules)) {
		rules_free(rules);
		return 2;
	}
	for (i = 0; i < 2; i++)
		printf("%ld orders: %ld auto, %ld exception\n", f[i].orders, f[i].autos,
		       f[i].exceptions);
	printf("\n%-22s %14s %14s\n", "", "10k orders", "100k orders");
	printf("%-22s %14ld %14ld\n", "open orders", f[0].orders, f[1].orders);
	printf("%-22s %14.0f %14.0f\n", "invoices/s", f[0].per_s, f[1].per_s);
	printf("%-22s %14.1f %14.1f\n", "mean latency (us)", f[0].mean_us, f[1].mean_us);
	printf("%-22s %14.1f %14.1f\n", "p50 latency (us)", f[0].p50, f[1].p50);
	printf("%-22s %14.1f %14.1f\n", "p90 latency (us)", f[0].p90, f[1].p90);
	printf("%-22s %14.1f %14.1f\n", "p99 latency (us)", f[0].p99, f[1].p99);
	printf("%-22s %14.1f %14.1f\n", "max latency (us)", f[0].max, f[1].max);
	printf("cost ratio 100k/10k orders: %.2f\n", f[1].mean_us / f[0].mean_us);
	rules_free(rules);
	xml_global_cleanup();
	return 0;
}
