/*
 * rules_svefaktura.c - ulf's own checks for Svefaktura 1.0 (SFTI
 * BasicInvoice), IDs SVE-001 and up.
 *
 * Svefaktura has no official business rules of its own: SFTI published
 * the schema and an implementation guide.  These rules ask what booking an
 * invoice needs - who sent it, which invoice it is, lines with amounts, a
 * VAT breakdown that adds up, one currency - and nothing that is only
 * style.  They read the canonical model, which svefaktura.c fills; what each
 * rule means, its tolerance and why, is in docs/rules.md ("SVE rules").
 *
 * Sums are exact decimals.  A total is compared with its parts summed and
 * rounded to two decimals; the VAT of a breakdown may be one öre off its
 * taxable amount times its rate, rounded, because senders round per line or
 * half-even and the difference is no reason to stop a booking.
 */
#include <stdio.h>
#include <string.h>

#include "parsers/codelists.h"
#include "parsers/validate.h"

static bool filled(const inv_text *t)
{
	return t->v && t->v[0];
}

static bool amt_present(const inv_amount *a)
{
	return a->set || a->line;
}

static void need(vctx *c, const rule_def *r, bool ok, uint32_t line)
{
	if (!ok)
		vreport(c, r, line, NULL, NULL);
}

/* The rule's text with the offending value (a code, a rate or a date,
 * never an identifier), cut to 40 bytes at a character boundary. */
static void report_value(vctx *c, const rule_def *r, const char *v, uint32_t line)
{
	char q[48];
	size_t n = v ? strlen(v) : 0;

	if (n > 40) {
		n = 40;
		while (n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80)
			n--;
	}
	if (v)
		memcpy(q, v, n);
	q[n] = '\0';
	if (v)
		vreport(c, r, line, NULL, "%s ('%s')", r->text, q);
	else
		vreport(c, r, line, NULL, "%s (none given)", r->text);
}

static const char *fmt(char *buf, const inv_amount *a)
{
	if (!a->set)
		return "absent";
	dec_format(buf, DEC_STR_MAX, a->v, 2);
	return buf;
}

/* A sum of amounts; absent ones add nothing, one that does not fit spoils
 * the sum. */
typedef struct total {
	dec v;
	bool bad;
} total;

static void tot_add(total *t, const inv_amount *a, bool subtract)
{
	int rc;

	if (!a->set || t->bad)
		return;
	rc = subtract ? dec_sub(&t->v, t->v, a->v) : dec_add(&t->v, t->v, a->v);
	if (rc)
		t->bad = true;
}

/* amount = the sum rounded to two decimals. */
static bool equals_sum(const inv_amount *a, total t)
{
	dec r;

	return a->set && !t.bad && dec_round(&r, t.v, 2) == 0 && dec_cmp(a->v, r) == 0;
}

static void report_sum(vctx *c, const rule_def *r, uint32_t line, const inv_amount *a, total t)
{
	char x[DEC_STR_MAX], y[DEC_STR_MAX];

	if (!t.bad)
		dec_format(y, sizeof(y), t.v, 2);
	vreport(c, r, line, NULL, "%s (stated %s, computed %s)", r->text, fmt(x, a),
		t.bad ? "out of range" : y);
}

/* YYYY-MM-DD and a real day. */
static bool iso_date(const char *s)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, i;

	if (!s || strlen(s) != 10)
		return false;
	for (i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	return !(m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
}

/*
 * A Swedish organisation number: ten digits (the written form NNNNNN-NNNN
 * is accepted too) whose last digit is the Luhn check digit of the first
 * nine.
 */
static bool org_number(const char *s)
{
	int digits[10], n = 0, sum = 0, i;

	for (i = 0; s && s[i]; i++) {
		if (s[i] == '-' && i == 6 && n == 6)
			continue;
		if (s[i] < '0' || s[i] > '9' || n == 10)
			return false;
		digits[n++] = s[i] - '0';
	}
	if (n != 10)
		return false;
	for (i = 0; i < 9; i++) {
		int d = digits[i] * (i % 2 == 0 ? 2 : 1);
		sum += d > 9 ? d - 9 : d;
	}
	return (10 - sum % 10) % 10 == digits[9];
}

/* ---------------------------------------------------------------------- */

static void sve_001(vctx *c, const rule_def *r)
{
	need(c, r, filled(&c->inv->id), c->inv->id.line);
}

static void sve_002(vctx *c, const rule_def *r)
{
	need(c, r, filled(&c->inv->issue_date), c->inv->issue_date.line);
}

static void sve_003(vctx *c, const rule_def *r)
{
	const char *t = c->inv->type_code.v;

	if (!(t && (strcmp(t, "380") == 0 || strcmp(t, "381") == 0)))
		report_value(c, r, t, c->inv->type_code.line);
}

static void sve_004(vctx *c, const rule_def *r)
{
	const inv_text *cur = &c->inv->currency;

	if (!(cur->v && codelist_has(CL_ISO4217, cur->v)))
		report_value(c, r, cur->v, cur->line);
}

static void sve_005(vctx *c, const rule_def *r)
{
	need(c, r, filled(&c->inv->seller.name), c->inv->seller.line);
}

/* The org number is the CompanyID of the seller's SWT PartyTaxScheme. */
static void sve_006(vctx *c, const rule_def *r)
{
	need(c, r, c->inv->seller.legal_id.v && c->inv->seller.legal_id.v[0], c->inv->seller.line);
}

static void sve_007(vctx *c, const rule_def *r)
{
	const inv_id *id = &c->inv->seller.legal_id;

	if (id->v && id->v[0])
		need(c, r, org_number(id->v), id->line);
}

static void sve_008(vctx *c, const rule_def *r)
{
	need(c, r, filled(&c->inv->buyer.name), c->inv->buyer.line);
}

static void sve_009(vctx *c, const rule_def *r)
{
	need(c, r, c->inv->nlines > 0, 0);
}

static void sve_010(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++)
		need(c, r, filled(&c->inv->lines[i].id), c->inv->lines[i].line);
}

static void sve_011(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++)
		need(c, r, c->inv->lines[i].quantity.set, c->inv->lines[i].line);
}

static void sve_012(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++)
		need(c, r, c->inv->lines[i].net.set, c->inv->lines[i].line);
}

static void sve_013(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++)
		need(c, r, c->inv->lines[i].price.set, c->inv->lines[i].line);
}

/* The totals a booking is made from (TaxExclusiveTotalAmount is optional
 * in Svefaktura: SVE-019 derives it when it is missing). */
static void sve_014(vctx *c, const rule_def *r)
{
	const inv_totals *t = &c->inv->totals;

	need(c, r, t->line_extension.set && t->tax_inclusive.set, 0);
}

static void sve_015(vctx *c, const rule_def *r)
{
	const inv_amount *a = &c->inv->totals.line_extension;
	total t = { { 0, 0 }, false };
	size_t i;

	if (!a->set)
		return;
	for (i = 0; i < c->inv->nlines; i++)
		tot_add(&t, &c->inv->lines[i].net, false);
	if (!equals_sum(a, t))
		report_sum(c, r, a->line, a, t);
}

/* TaxExclusiveTotalAmount = LineExtensionTotalAmount - allowances +
 * charges (document level; Svefaktura has no totals of them). */
static void sve_016(vctx *c, const rule_def *r)
{
	const inv_totals *tt = &c->inv->totals;
	total t = { { 0, 0 }, false };
	size_t i;

	if (!tt->tax_exclusive.set || !tt->line_extension.set)
		return;
	tot_add(&t, &tt->line_extension, false);
	for (i = 0; i < c->inv->nacs; i++)
		tot_add(&t, &c->inv->acs[i].amount, !c->inv->acs[i].is_charge);
	if (!equals_sum(&tt->tax_exclusive, t))
		report_sum(c, r, tt->tax_exclusive.line, &tt->tax_exclusive, t);
}

/* round(base x rate / 100) to two decimals, halves away from zero. */
static int vat_of(dec *out, dec base, dec rate)
{
	dec p;
	int rc = dec_mul(&p, base, rate);

	if (rc == 0 && p.scale > DEC_MAX_SCALE - 2)
		rc = dec_round(&p, p, DEC_MAX_SCALE - 2);
	if (rc)
		return rc;
	return dec_round(out, dec_make(p.v, p.scale + 2), 2);
}

/* |TaxAmount - round(TaxableAmount x Percent / 100)| <= 0.01 */
static void sve_017(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nvat; i++) {
		const inv_vat *v = &c->inv->vat[i];
		dec want, d;
		bool ok = v->tax.set && v->taxable.set && v->rate.set &&
			  vat_of(&want, v->taxable.v, v->rate.v) == 0 &&
			  dec_sub(&d, v->tax.v, want) == 0 &&
			  dec_cmp(dec_abs(d), dec_make(1, 2)) <= 0;
		if (!ok) {
			char x[DEC_STR_MAX], y[DEC_STR_MAX];
			vreport(c, r, v->line, NULL, "%s (TaxableAmount %s, TaxAmount %s)", r->text,
				fmt(x, &v->taxable), fmt(y, &v->tax));
		}
	}
}

static void sve_018(vctx *c, const rule_def *r)
{
	const inv_amount *a = &c->inv->totals.tax;
	total t = { { 0, 0 }, false };
	size_t i;

	if (!a->set)
		return;
	for (i = 0; i < c->inv->nvat; i++)
		tot_add(&t, &c->inv->vat[i].tax, false);
	if (!equals_sum(a, t))
		report_sum(c, r, a->line, a, t);
}

/*
 * TaxInclusiveTotalAmount = TaxExclusiveTotalAmount + TotalTaxAmount +
 * RoundOffAmount.  The model holds BT-112 without the rounding, so it is
 * BT-109 + BT-110 that it must equal; without TaxExclusiveTotalAmount,
 * BT-109 is the line total less allowances plus charges.
 */
static void sve_019(vctx *c, const rule_def *r)
{
	const inv_totals *tt = &c->inv->totals;
	total t = { { 0, 0 }, false };
	size_t i;

	if (!tt->tax_inclusive.set || !tt->tax.set)
		return;
	if (tt->tax_exclusive.set) {
		tot_add(&t, &tt->tax_exclusive, false);
	} else if (tt->line_extension.set) {
		tot_add(&t, &tt->line_extension, false);
		for (i = 0; i < c->inv->nacs; i++)
			tot_add(&t, &c->inv->acs[i].amount, !c->inv->acs[i].is_charge);
	} else {
		return;
	}
	tot_add(&t, &tt->tax, false);
	if (!equals_sum(&tt->tax_inclusive, t))
		report_sum(c, r, tt->tax_inclusive.line, &tt->tax_inclusive, t);
}

/* Öresavrundning rounds to whole kronor: less than one krona either way. */
static void sve_020(vctx *c, const rule_def *r)
{
	const inv_amount *ro = &c->inv->totals.rounding;

	if (ro->set)
		need(c, r, dec_cmp(dec_abs(ro->v), dec_make(1, 0)) < 0, ro->line);
}

static bool swedish_rate(const inv_num *n)
{
	static const int64_t rates[] = { 25, 12, 6, 0 };
	size_t i;

	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		if (n->set && dec_cmp(n->v, dec_make(rates[i], 0)) == 0)
			return true;
	return false;
}

static void rate_of(vctx *c, const rule_def *r, const inv_num *n)
{
	char buf[DEC_STR_MAX];

	if (!(n->set || n->line) || swedish_rate(n))
		return;
	if (n->set)
		dec_format(buf, sizeof(buf), n->v, 0);
	report_value(c, r, n->set ? buf : "unreadable", n->line);
}

/* Every VAT rate written: breakdowns, lines, allowances and charges. */
static void sve_021(vctx *c, const rule_def *r)
{
	const invoice *inv = c->inv;
	size_t i, j;

	for (i = 0; i < inv->nvat; i++)
		rate_of(c, r, &inv->vat[i].rate);
	for (i = 0; i < inv->nlines; i++) {
		rate_of(c, r, &inv->lines[i].vat_rate);
		for (j = 0; j < inv->lines[i].nacs; j++)
			rate_of(c, r, &inv->lines[i].acs[j].vat_rate);
	}
	for (i = 0; i < inv->nacs; i++)
		rate_of(c, r, &inv->acs[i].vat_rate);
}

static void date_of(vctx *c, const rule_def *r, const inv_text *t)
{
	if (t->v && !iso_date(t->v))
		report_value(c, r, t->v, t->line);
}

/* Every date the model holds; the reader has already cut the time off the
 * date-times (delivery, invoicing period). */
static void sve_022(vctx *c, const rule_def *r)
{
	const invoice *inv = c->inv;
	size_t i;

	date_of(c, r, &inv->issue_date);
	date_of(c, r, &inv->due_date);
	date_of(c, r, &inv->tax_point_date);
	date_of(c, r, &inv->period.start);
	date_of(c, r, &inv->period.end);
	date_of(c, r, &inv->delivery.date);
	for (i = 0; i < inv->npreceding; i++)
		date_of(c, r, &inv->preceding[i].issue_date);
}

static void currency_of(vctx *c, const rule_def *r, const inv_amount *a)
{
	const char *cur = c->inv->currency.v;

	if (amt_present(a) && !(a->currency && strcmp(a->currency, cur) == 0))
		report_value(c, r, a->currency, a->line);
}

/* One currency: every amount's amountCurrencyID is InvoiceCurrencyCode (the
 * VAT in tax currency excepted). */
static void sve_023(vctx *c, const rule_def *r)
{
	const invoice *inv = c->inv;
	const inv_totals *t = &inv->totals;
	const inv_amount *totals[] = {
		&t->line_extension, &t->tax_exclusive, &t->tax_inclusive, &t->tax, &t->rounding
	};
	size_t i, j;

	if (!filled(&inv->currency))
		return;
	for (i = 0; i < sizeof(totals) / sizeof(totals[0]); i++)
		currency_of(c, r, totals[i]);
	for (i = 0; i < inv->nvat; i++) {
		currency_of(c, r, &inv->vat[i].taxable);
		currency_of(c, r, &inv->vat[i].tax);
	}
	for (i = 0; i < inv->nacs; i++) {
		currency_of(c, r, &inv->acs[i].amount);
		currency_of(c, r, &inv->acs[i].base);
	}
	for (i = 0; i < inv->nlines; i++) {
		const inv_line *l = &inv->lines[i];
		currency_of(c, r, &l->net);
		currency_of(c, r, &l->price);
		for (j = 0; j < l->nacs; j++) {
			currency_of(c, r, &l->acs[j].amount);
			currency_of(c, r, &l->acs[j].base);
		}
	}
}

/* The VAT a booking needs: a TotalTaxAmount and its breakdown per rate
 * (TaxTotal is optional in the schema). */
static void sve_024(vctx *c, const rule_def *r)
{
	need(c, r, c->inv->totals.tax.set && c->inv->nvat > 0, c->inv->totals.tax.line);
}

#define FATAL(id, fn, text) { id, VFLAG_FATAL, text, fn }
#define WARNING(id, fn, text) { id, VFLAG_WARNING, text, fn }

const rule_def rules_svefaktura[] = {
	FATAL("SVE-001", sve_001, "The invoice shall have an invoice number (ID)."),
	FATAL("SVE-002", sve_002, "The invoice shall have an issue date (cbc:IssueDate)."),
	FATAL("SVE-003", sve_003, "The InvoiceTypeCode shall be 380 (invoice) or 381 (credit)."),
	FATAL("SVE-004", sve_004, "The InvoiceCurrencyCode shall be an ISO 4217 currency code."),
	FATAL("SVE-005", sve_005, "The seller shall have a name (SellerParty/Party/PartyName/Name)."),
	FATAL("SVE-006", sve_006, "The seller shall have an organisation number (PartyTaxScheme with TaxScheme SWT, CompanyID)."),
	FATAL("SVE-007", sve_007, "The seller's organisation number shall be 10 digits with a valid Luhn check digit."),
	FATAL("SVE-008", sve_008, "The buyer shall have a name (BuyerParty/Party/PartyName/Name)."),
	FATAL("SVE-009", sve_009, "The invoice shall have at least one InvoiceLine."),
	FATAL("SVE-010", sve_010, "Each invoice line shall have an identifier (ID)."),
	WARNING("SVE-011", sve_011, "Each invoice line should have an invoiced quantity (InvoicedQuantity)."),
	FATAL("SVE-012", sve_012, "Each invoice line shall have a line amount (LineExtensionAmount)."),
	WARNING("SVE-013", sve_013, "Each invoice line should have a price (Item/BasePrice/PriceAmount)."),
	FATAL("SVE-014", sve_014, "The invoice shall state LineExtensionTotalAmount and TaxInclusiveTotalAmount (LegalTotal)."),
	FATAL("SVE-015", sve_015, "LineExtensionTotalAmount shall equal the sum of the line amounts."),
	FATAL("SVE-016", sve_016, "TaxExclusiveTotalAmount shall equal LineExtensionTotalAmount minus allowances plus charges."),
	FATAL("SVE-017", sve_017, "The TaxAmount of each VAT subtotal shall equal its TaxableAmount times its Percent / 100, to within 0.01."),
	FATAL("SVE-018", sve_018, "TotalTaxAmount shall equal the sum of the VAT subtotals' TaxAmount."),
	FATAL("SVE-019", sve_019, "TaxInclusiveTotalAmount shall equal TaxExclusiveTotalAmount plus TotalTaxAmount plus RoundOffAmount."),
	WARNING("SVE-020", sve_020, "RoundOffAmount should be less than 1 in either direction."),
	FATAL("SVE-021", sve_021, "A VAT rate shall be 25, 12, 6 or 0 percent."),
	FATAL("SVE-022", sve_022, "A date shall be a real date written YYYY-MM-DD."),
	FATAL("SVE-023", sve_023, "Every amount shall be in the InvoiceCurrencyCode (amountCurrencyID)."),
	FATAL("SVE-024", sve_024, "The invoice shall have a TaxTotal with TotalTaxAmount and a VAT breakdown (TaxSubTotal)."),
};

const size_t rules_svefaktura_count = sizeof(rules_svefaktura) / sizeof(rules_svefaktura[0]);
