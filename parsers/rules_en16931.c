/*
 * rules_en16931.c - the EN 16931 core business rules for the UBL syntax,
 * ported from the CEN/TC 434 schematron to C over the canonical model.
 *
 * Source: the validation artefacts 1.3.x of ConnectingEurope/eInvoicing-
 * EN16931: ubl/schematron/abstract/EN16931-model.sch (rule contexts, flags
 * and texts), ubl/schematron/UBL/EN16931-UBL-model.sch (the UBL XPath of
 * every test) and ubl/schematron/codelist/EN16931-UBL-codes.sch (BR-CL).
 *
 * Each check ports the XPath test on the nodes its rule context selects,
 * quirks included, so that ulf says what the official validator says:
 *  - a comparison with a missing element is false in XPath, so "BT-106 =
 *    sum(...)" fails when BT-106 is absent;
 *  - XPath round() takes halves toward positive infinity (round(-2.5) is
 *    -2), not away from zero as dec_round does (xpath_round below);
 *  - the sums are exact decimals, compared exactly unless the schematron
 *    allows the +-1 it allows in BR-CO-17 and the -08/-09 rules of the
 *    rated categories;
 *  - "//cac:AllowanceCharge" reaches line level allowances and charges too.
 *
 * The model is what the checks read.  The document tree (c->xml) is used
 * only where the model does not keep what a test looks at - the TaxScheme
 * of a category, how many TaxTotal or CardAccount elements there are - and
 * those checks fall back to the model when the tree was not kept.  Where the
 * model makes a rule less than exact, docs/rules.md says so.
 *
 * Findings carry the official ID and flag and, as message, the official
 * text without its "[ID]-" prefix; arithmetic rules append the values they
 * compared.  The table at the end lists the rules in the order of the
 * sections below.
 *
 * One file, over the house's 1 500 lines, on purpose: it is the port of one
 * official stylesheet, section by section in the stylesheet's order, with
 * the rule table at its end, so that a reviewer can hold it side by side
 * with the schematron and a new release can be diffed against it; the
 * checks share one set of XPath-semantics helpers that cutting would
 * export.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "parsers/codelists.h"
#include "parsers/ns.h"
#include "parsers/validate.h"

#define CAC NS_UBL_CAC
#define CBC NS_UBL_CBC

/* ----------------------------------------------------------------------
 * Reading the model the way the XPath reads the document
 * -------------------------------------------------------------------- */

/* exists(x): the element is there, even if empty. */
static bool present(const inv_text *t)
{
	return t->v != NULL;
}

/* normalize-space(x) != '': the readers already trimmed XML white space. */
static bool filled(const inv_text *t)
{
	return t->v && t->v[0];
}

/* exists(amount): written, even if it did not parse (the reader reports
 * that as a problem; arithmetic then treats it as absent). */
static bool amt_present(const inv_amount *a)
{
	return a->set || a->line;
}

static bool num_present(const inv_num *n)
{
	return n->set || n->line;
}

static bool eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* string-length(substring-after(amount, '.')) <= 2 */
static bool two_decimals(const inv_amount *a)
{
	return !a->set || dec_scale(a->v) <= 2;
}

/* The one outcome most checks have: the test holds, or a finding. */
static void need(vctx *c, const rule_def *r, bool ok, uint32_t line)
{
	if (!ok)
		vreport(c, r, line, NULL, NULL);
}

/*
 * XPath round(): to `places` decimals, halves toward positive infinity
 * (round(-0.005 * 100) div 100 is 0, not -0.01).  dec_round takes halves
 * away from zero, so a negative exact half is moved one unit up.
 */
static int xpath_round(dec *out, dec a, int places)
{
	dec r, diff;
	int rc = dec_round(&r, a, places);

	if (rc == 0 && dec_sign(a) < 0) {
		rc = dec_sub(&diff, a, r);
		if (rc == 0 && dec_cmp(diff, dec_make(5, places + 1)) == 0)
			rc = dec_add(&r, r, dec_make(1, places));
	}
	if (rc == 0)
		*out = r;
	return rc;
}

/* round(abs(base) * (rate div 100) * 10 * 10) div 100 - BR-CO-17, -09. */
static int vat_of(dec *out, dec base, dec rate)
{
	dec p;
	int rc = dec_mul(&p, dec_abs(base), rate);

	if (rc == 0 && p.scale > DEC_MAX_SCALE - 2)
		rc = dec_round(&p, p, DEC_MAX_SCALE - 2);
	if (rc)
		return rc;
	return xpath_round(out, dec_make(p.v, p.scale + 2), 2);
}

/* (a - 1 < b) and (a + 1 > b): the tolerance of BR-CO-17 and the -08/-09
 * rules of S, L and M. */
static bool within_one(dec a, dec b)
{
	dec d;

	return dec_sub(&d, a, b) == 0 && dec_cmp(dec_abs(d), dec_make(1, 0)) < 0;
}

/* A sum() of amounts.  Absent amounts add nothing, as in XPath; a sum that
 * does not fit in a dec cannot equal anything. */
typedef struct total {
	dec v;
	bool bad;
} total;

static total total_zero(void)
{
	total t;

	t.v = dec_make(0, 0);
	t.bad = false;
	return t;
}

static void tot_add(total *t, const inv_amount *a)
{
	if (a->set && !t->bad && dec_add(&t->v, t->v, a->v))
		t->bad = true;
}

static void tot_sub(total *t, const inv_amount *a)
{
	if (a->set && !t->bad && dec_sub(&t->v, t->v, a->v))
		t->bad = true;
}

/* round(sum * 10 * 10) div 100 = amount, the form of BR-CO-10..14. */
static bool rounded_eq(const inv_amount *a, total t)
{
	dec r;

	return a->set && !t.bad && xpath_round(&r, t.v, 2) == 0 && dec_cmp(a->v, r) == 0;
}

static const char *fmt(char *buf, dec d)
{
	dec_format(buf, DEC_STR_MAX, d, 2);
	return buf;
}

static const char *fmt_amt(char *buf, const inv_amount *a)
{
	return a->set ? fmt(buf, a->v) : "absent";
}

/* Reports "<text> (<what> <a>, computed <b>)" for an equation that fails. */
static void report_sum(vctx *c, const rule_def *r, uint32_t line, const char *what,
		       const inv_amount *a, total t)
{
	char x[DEC_STR_MAX], y[DEC_STR_MAX];

	vreport(c, r, line, NULL, "%s (%s %s, computed %s)", r->text, what, fmt_amt(x, a),
		t.bad ? "out of range" : fmt(y, t.v));
}

/* Length of normalize-space(s) in characters (UTF-8 code points). */
static size_t normalized_length(const char *s)
{
	size_t n = 0;
	bool space = false;

	while (text_is_space(*s))
		s++;
	for (; *s; s++) {
		if (text_is_space(*s)) {
			space = true;
			continue;
		}
		if (space)
			n++;
		space = false;
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	}
	return n;
}

/* string-length(s): characters, not bytes. */
static size_t utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* xs:date: YYYY-MM-DD with a real month and day, an optional time zone. */
static bool xs_date(const char *s)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, i;

	if (!s || strlen(s) < 10)
		return false;
	for (i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	s += 10;
	if (*s == '\0' || strcmp(s, "Z") == 0)
		return true;
	return (s[0] == '+' || s[0] == '-') && strlen(s) == 6 && s[3] == ':';
}

/*
 * BR-29, BR-30: (exists(End) and exists(Start) and xs:date(End) >=
 * xs:date(Start)) or not(Start) or not(End).  A value that is no xs:date
 * makes the official test fail with an error; ulf reports the rule.
 */
static bool period_ordered(const inv_period *p)
{
	if (!present(&p->start) || !present(&p->end))
		return true;
	return xs_date(p->start.v) && xs_date(p->end.v) &&
	       strncmp(p->end.v, p->start.v, 10) >= 0;
}

/* ----------------------------------------------------------------------
 * The document tree, where the model does not keep what a test reads
 * -------------------------------------------------------------------- */

/* The root, when the tree is kept and is the UBL document the model came
 * from; NULL sends the checks to their model fallback. */
static const xml_node *ubl_root(const vctx *c)
{
	const xml_node *root;

	if (!c->xml)
		return NULL;
	root = xml_root(c->xml);
	if (xml_is(root, NS_UBL_INVOICE, "Invoice") || xml_is(root, NS_UBL_CREDITNOTE, "CreditNote"))
		return root;
	return NULL;
}

static const char *line_element(const invoice *inv)
{
	return inv->kind == INV_KIND_CREDIT_NOTE ? "CreditNoteLine" : "InvoiceLine";
}

/* normalize-space(n) = want, upper-cased first when `upper`.  The text is
 * one piece nearly always; when comments split it, the pieces are joined in
 * an arena of this call's own. */
static bool text_is(const xml_node *n, const char *want, bool upper)
{
	size_t len, i, wl = strlen(want);
	bool ok = true;
	const char *s;
	arena a;

	if (!n)
		return false;
	arena_init(&a, 1u << 20);
	s = xml_text(n, &a, &len);
	if (!s)
		len = 0, ok = false;
	while (len && text_is_space(*s))
		s++, len--;
	while (len && text_is_space(s[len - 1]))
		len--;
	ok = ok && len == wl;
	for (i = 0; ok && i < len; i++) {
		char ch = s[i];
		if (upper && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		ok = ch == want[i];
	}
	arena_release(&a);
	return ok;
}

/* [cac:TaxScheme/normalize-space(upper-case(cbc:ID))='VAT'] */
static bool vat_scheme(const xml_node *cat)
{
	return text_is(xml_child(xml_child(cat, CAC, "TaxScheme"), CBC, "ID"), "VAT", true);
}

/* exists(cac:<cat>[VAT scheme]/cbc:<leaf>) under parent. */
static bool vat_cat_has(const xml_node *parent, const char *cat, const char *leaf)
{
	const xml_node *n;

	for (n = xml_child(parent, CAC, cat); n; n = xml_next(n, CAC, cat))
		if (xml_child(n, CBC, leaf) && vat_scheme(n))
			return true;
	return false;
}

/* cac:<cat>[VAT scheme]/normalize-space(cbc:ID) = code under parent. */
static bool vat_cat_is(const xml_node *parent, const char *cat, const char *code)
{
	const xml_node *n;

	for (n = xml_child(parent, CAC, cat); n; n = xml_next(n, CAC, cat))
		if (text_is(xml_child(n, CBC, "ID"), code, false) && vat_scheme(n))
			return true;
	return false;
}

/* How many root-level TaxTotal/TaxAmount carry currencyID = cur (BR-53,
 * BR-CO-15).  The model keeps two TaxTotals at most. */
static size_t tax_amounts_in(const vctx *c, const char *cur)
{
	const xml_node *root = ubl_root(c), *tt;
	const inv_totals *t = &c->inv->totals;
	size_t n = 0;

	if (!cur)
		return 0;
	if (!root)
		return (amt_present(&t->tax) && eq(t->tax.currency, cur)) +
		       (amt_present(&t->tax_accounting) && eq(t->tax_accounting.currency, cur));
	for (tt = xml_child(root, CAC, "TaxTotal"); tt; tt = xml_next(tt, CAC, "TaxTotal")) {
		const xml_node *ta;
		for (ta = xml_child(tt, CBC, "TaxAmount"); ta; ta = xml_next(ta, CBC, "TaxAmount"))
			if (eq(xml_attr(ta, "currencyID"), cur))
				n++;
	}
	return n;
}

/* The context of BR-12..15, BR-CO-10..13, BR-CO-16 and the BR-DEC rules of
 * the totals is cac:LegalMonetaryTotal; without the tree, assume it (the
 * UBL schema requires it). */
static bool has_totals(const vctx *c)
{
	const xml_node *root = ubl_root(c);

	return !root || xml_child(root, CAC, "LegalMonetaryTotal");
}

/* count(cac:PaymentMeans/cac:<what>) for BR-66, BR-67. */
static size_t payment_children(const vctx *c, const char *what)
{
	const xml_node *root = ubl_root(c), *pm;
	const invoice *inv = c->inv;
	size_t i, n = 0;

	if (root) {
		for (pm = xml_child(root, CAC, "PaymentMeans"); pm; pm = xml_next(pm, CAC, "PaymentMeans"))
			n += xml_count(pm, CAC, what);
		return n;
	}
	for (i = 0; i < inv->npayments; i++) {
		const inv_payment *p = &inv->payments[i];
		if (strcmp(what, "CardAccount") == 0 ? p->card_pan.v || p->card_holder.v
						     : p->mandate_id.v || p->debited_account.v)
			n++;
	}
	return n;
}

/* ----------------------------------------------------------------------
 * VAT categories: where each code is used
 * -------------------------------------------------------------------- */

enum { CAT_S, CAT_Z, CAT_E, CAT_AE, CAT_K, CAT_G, CAT_O, CAT_L, CAT_M, CAT_B, NCAT };

static const char *const cat_codes[NCAT] = {
	"S", "Z", "E", "AE", "K", "G", "O", "L", "M", "B"
};

static bool is_cat(const inv_text *t, int cat)
{
	return eq(t->v, cat_codes[cat]);
}

/* Where one category code occurs: the counts the -01 to -04 rules test. */
typedef struct cat_count {
	size_t line;        /* lines, BT-151 */
	size_t ac[2];       /* allowances [0], charges [1]: //cac:AllowanceCharge,
			     * so document and line level */
	size_t dac[2];      /* document level only */
	size_t sub;         /* VAT breakdowns, BT-118 */
	uint32_t first[3];  /* source line of the first use on a line [0], an
			     * allowance [1], a charge [2] */
} cat_count;

static void note_first(uint32_t *first, uint32_t line)
{
	if (!*first)
		*first = line;
}

static void count_cat(const invoice *inv, int cat, cat_count *n)
{
	size_t i, j;

	memset(n, 0, sizeof(*n));
	for (i = 0; i < inv->nlines; i++) {
		const inv_line *l = &inv->lines[i];
		if (is_cat(&l->vat_category, cat)) {
			n->line++;
			note_first(&n->first[0], l->vat_category.line);
		}
		for (j = 0; j < l->nacs; j++)
			if (is_cat(&l->acs[j].vat_category, cat)) {
				n->ac[l->acs[j].is_charge]++;
				note_first(&n->first[1 + l->acs[j].is_charge], l->acs[j].line);
			}
	}
	for (i = 0; i < inv->nacs; i++)
		if (is_cat(&inv->acs[i].vat_category, cat)) {
			n->ac[inv->acs[i].is_charge]++;
			n->dac[inv->acs[i].is_charge]++;
			note_first(&n->first[1 + inv->acs[i].is_charge], inv->acs[i].line);
		}
	for (i = 0; i < inv->nvat; i++)
		if (is_cat(&inv->vat[i].category, cat))
			n->sub++;
}

/* ----------------------------------------------------------------------
 * BR-01 .. BR-67
 * -------------------------------------------------------------------- */

static void br_01(vctx *c, const rule_def *r)
{
	need(c, r, filled(&c->inv->customization), c->inv->customization.line);
}

static void br_02(vctx *c, const rule_def *r)
{
	need(c, r, filled(&c->inv->id), c->inv->id.line);
}

static void br_03(vctx *c, const rule_def *r)
{
	need(c, r, filled(&c->inv->issue_date), c->inv->issue_date.line);
}

static void br_04(vctx *c, const rule_def *r)
{
	need(c, r, filled(&c->inv->type_code), c->inv->type_code.line);
}

static void br_05(vctx *c, const rule_def *r)
{
	need(c, r, filled(&c->inv->currency), c->inv->currency.line);
}

/* PartyLegalEntity/RegistrationName, which the model keeps as the name. */
static void br_06(vctx *c, const rule_def *r)
{
	need(c, r, filled(&c->inv->seller.name), c->inv->seller.line);
}

static void br_07(vctx *c, const rule_def *r)
{
	need(c, r, filled(&c->inv->buyer.name), c->inv->buyer.line);
}

static void br_08(vctx *c, const rule_def *r)
{
	need(c, r, c->inv->seller.address.present, c->inv->seller.line);
}

static void br_09(vctx *c, const rule_def *r)
{
	const inv_address *a = &c->inv->seller.address;

	if (a->present)
		need(c, r, filled(&a->country), c->inv->seller.line);
}

static void br_10(vctx *c, const rule_def *r)
{
	need(c, r, c->inv->buyer.address.present, c->inv->buyer.line);
}

static void br_11(vctx *c, const rule_def *r)
{
	const inv_address *a = &c->inv->buyer.address;

	if (a->present)
		need(c, r, filled(&a->country), c->inv->buyer.line);
}

static void br_12(vctx *c, const rule_def *r)
{
	if (has_totals(c))
		need(c, r, amt_present(&c->inv->totals.line_extension), 0);
}

static void br_13(vctx *c, const rule_def *r)
{
	if (has_totals(c))
		need(c, r, amt_present(&c->inv->totals.tax_exclusive), 0);
}

static void br_14(vctx *c, const rule_def *r)
{
	if (has_totals(c))
		need(c, r, amt_present(&c->inv->totals.tax_inclusive), 0);
}

static void br_15(vctx *c, const rule_def *r)
{
	if (has_totals(c))
		need(c, r, amt_present(&c->inv->totals.payable), 0);
}

static void br_16(vctx *c, const rule_def *r)
{
	need(c, r, c->inv->nlines > 0, 0);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether some identifier of p is one of q's: q's sorted, p's looked up,
 * so that parties with many identifiers cost no square. */
static bool share_id(vctx *c, const inv_party *p, const inv_party *q)
{
	const char **ids;
	bool shared = false;
	size_t i, n = 0;

	if (!p->nids || !q->nids)
		return false;
	ids = malloc(q->nids * sizeof(*ids));
	if (!ids) {
		c->rc = ULF_ENOMEM;
		return false;
	}
	for (i = 0; i < q->nids; i++)
		if (q->ids[i].v)
			ids[n++] = q->ids[i].v;
	if (n)
		qsort(ids, n, sizeof(*ids), cmp_str);
	for (i = 0; n && !shared && i < p->nids; i++)
		shared = p->ids[i].v && bsearch(&p->ids[i].v, ids, n, sizeof(*ids), cmp_str);
	free(ids);
	return shared;
}

/*
 * cac:PayeeParty: exists(PartyName/Name) and not(PartyName/Name = the
 * seller's PartyName/Name) and not(any PartyIdentification/ID = any of the
 * seller's): a payee that repeats the seller is no payee.
 */
static void br_17(vctx *c, const rule_def *r)
{
	const inv_party *p = &c->inv->payee, *s = &c->inv->seller;

	if (p->present)
		need(c, r, present(&p->name) && !eq(p->name.v, s->trading_name.v) &&
			   !share_id(c, p, s), p->line);
}

static void br_18(vctx *c, const rule_def *r)
{
	const inv_party *t = &c->inv->tax_rep;

	if (t->present)
		need(c, r, filled(&t->name), t->line);
}

static void br_19(vctx *c, const rule_def *r)
{
	const inv_party *t = &c->inv->tax_rep;

	if (t->present)
		need(c, r, t->address.present, t->line);
}

static void br_20(vctx *c, const rule_def *r)
{
	const inv_party *t = &c->inv->tax_rep;

	if (t->present && t->address.present)
		need(c, r, filled(&t->address.country), t->line);
}

static void br_21(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++)
		need(c, r, filled(&c->inv->lines[i].id), c->inv->lines[i].line);
}

static void br_22(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++) {
		const inv_qty *q = &c->inv->lines[i].quantity;
		need(c, r, q->set || q->line, c->inv->lines[i].line);
	}
}

static void br_23(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++)
		need(c, r, c->inv->lines[i].quantity.unit != NULL, c->inv->lines[i].line);
}

static void br_24(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++)
		need(c, r, amt_present(&c->inv->lines[i].net), c->inv->lines[i].line);
}

static void br_25(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++)
		need(c, r, filled(&c->inv->lines[i].item_name), c->inv->lines[i].line);
}

static void br_26(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++)
		need(c, r, amt_present(&c->inv->lines[i].price), c->inv->lines[i].line);
}

/* (cac:Price/cbc:PriceAmount) >= 0: false, so reported, when it is absent. */
static void br_27(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++) {
		const inv_amount *p = &c->inv->lines[i].price;
		need(c, r, p->set && dec_sign(p->v) >= 0, c->inv->lines[i].line);
	}
}

static void br_28(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++) {
		const inv_amount *g = &c->inv->lines[i].gross_price;
		if (amt_present(g))
			need(c, r, g->set && dec_sign(g->v) >= 0, g->line);
	}
}

static void br_29(vctx *c, const rule_def *r)
{
	if (c->inv->period.present)
		need(c, r, period_ordered(&c->inv->period), c->inv->period.start.line);
}

static void br_30(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++) {
		const inv_period *p = &c->inv->lines[i].period;
		if (p->present)
			need(c, r, period_ordered(p), p->start.line);
	}
}

/* The document level allowances (charge false) or charges (true). */
static void doc_acs_need_amount(vctx *c, const rule_def *r, bool charge)
{
	size_t i;

	for (i = 0; i < c->inv->nacs; i++)
		if (c->inv->acs[i].is_charge == charge)
			need(c, r, amt_present(&c->inv->acs[i].amount), c->inv->acs[i].line);
}

static void doc_acs_need_reason(vctx *c, const rule_def *r, bool charge)
{
	size_t i;

	for (i = 0; i < c->inv->nacs; i++) {
		const inv_allowance_charge *ac = &c->inv->acs[i];
		if (ac->is_charge == charge)
			need(c, r, present(&ac->reason) || present(&ac->reason_code), ac->line);
	}
}

/*
 * exists(cac:TaxCategory[VAT scheme]/cbc:ID).  The model does not keep the
 * TaxScheme, so with the tree the document's AllowanceCharge elements are
 * walked alongside the model's (both are in document order).
 */
static void doc_acs_need_category(vctx *c, const rule_def *r, bool charge)
{
	const xml_node *root = ubl_root(c);
	const xml_node *n = root ? xml_child(root, CAC, "AllowanceCharge") : NULL;
	size_t i;

	for (i = 0; i < c->inv->nacs; i++) {
		const inv_allowance_charge *ac = &c->inv->acs[i];
		if (ac->is_charge == charge)
			need(c, r, n ? vat_cat_has(n, "TaxCategory", "ID") : present(&ac->vat_category),
			     ac->line);
		if (n)
			n = xml_next(n, CAC, "AllowanceCharge");
	}
}

static void br_31(vctx *c, const rule_def *r)
{
	doc_acs_need_amount(c, r, false);
}

static void br_32(vctx *c, const rule_def *r)
{
	doc_acs_need_category(c, r, false);
}

static void br_33(vctx *c, const rule_def *r)
{
	doc_acs_need_reason(c, r, false);
}

static void br_36(vctx *c, const rule_def *r)
{
	doc_acs_need_amount(c, r, true);
}

static void br_37(vctx *c, const rule_def *r)
{
	doc_acs_need_category(c, r, true);
}

static void br_38(vctx *c, const rule_def *r)
{
	doc_acs_need_reason(c, r, true);
}

/* Line level allowances (charge false) or charges (true): amount present. */
static void line_acs_need_amount(vctx *c, const rule_def *r, bool charge)
{
	size_t i, j;

	for (i = 0; i < c->inv->nlines; i++)
		for (j = 0; j < c->inv->lines[i].nacs; j++) {
			const inv_allowance_charge *ac = &c->inv->lines[i].acs[j];
			if (ac->is_charge == charge)
				need(c, r, amt_present(&ac->amount), ac->line);
		}
}

static void line_acs_need_reason(vctx *c, const rule_def *r, bool charge)
{
	size_t i, j;

	for (i = 0; i < c->inv->nlines; i++)
		for (j = 0; j < c->inv->lines[i].nacs; j++) {
			const inv_allowance_charge *ac = &c->inv->lines[i].acs[j];
			if (ac->is_charge == charge)
				need(c, r, present(&ac->reason) || present(&ac->reason_code), ac->line);
		}
}

static void br_41(vctx *c, const rule_def *r)
{
	line_acs_need_amount(c, r, false);
}

static void br_42(vctx *c, const rule_def *r)
{
	line_acs_need_reason(c, r, false);
}

static void br_43(vctx *c, const rule_def *r)
{
	line_acs_need_amount(c, r, true);
}

static void br_44(vctx *c, const rule_def *r)
{
	line_acs_need_reason(c, r, true);
}

static void br_45(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nvat; i++)
		need(c, r, amt_present(&c->inv->vat[i].taxable), c->inv->vat[i].line);
}

static void br_46(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nvat; i++)
		need(c, r, amt_present(&c->inv->vat[i].tax), c->inv->vat[i].line);
}

/* The first TaxSubtotal of the document, walked alongside the model's
 * VAT breakdowns (which the reader took from every TaxTotal in order). */
static const xml_node *first_subtotal(const xml_node *root, const xml_node **tt)
{
	const xml_node *st;

	for (*tt = xml_child(root, CAC, "TaxTotal"); *tt; *tt = xml_next(*tt, CAC, "TaxTotal"))
		if ((st = xml_child(*tt, CAC, "TaxSubtotal")) != NULL)
			return st;
	return NULL;
}

static const xml_node *next_subtotal(const xml_node *st, const xml_node **tt)
{
	const xml_node *n = xml_next(st, CAC, "TaxSubtotal");

	while (!n && *tt) {
		*tt = xml_next(*tt, CAC, "TaxTotal");
		n = *tt ? xml_child(*tt, CAC, "TaxSubtotal") : NULL;
	}
	return n;
}

/*
 * BR-47: exists(cac:TaxCategory[VAT]/cbc:ID); BR-48: exists(cac:TaxCategory
 * [VAT]/cbc:Percent) or its ID is 'O'.  The TaxScheme comes from the tree.
 */
static void subtotal_category(vctx *c, const rule_def *r, bool rate)
{
	const xml_node *root = ubl_root(c), *tt = NULL;
	const xml_node *st = root ? first_subtotal(root, &tt) : NULL;
	size_t i;

	for (i = 0; i < c->inv->nvat; i++) {
		const inv_vat *v = &c->inv->vat[i];
		bool ok;
		if (!rate)
			ok = st ? vat_cat_has(st, "TaxCategory", "ID") : present(&v->category);
		else if (st)
			ok = vat_cat_has(st, "TaxCategory", "Percent") ||
			     vat_cat_is(st, "TaxCategory", "O");
		else
			ok = num_present(&v->rate) || eq(v->category.v, "O");
		need(c, r, ok, v->line);
		if (st)
			st = next_subtotal(st, &tt);
	}
}

static void br_47(vctx *c, const rule_def *r)
{
	subtotal_category(c, r, false);
}

static void br_48(vctx *c, const rule_def *r)
{
	subtotal_category(c, r, true);
}

static void br_49(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->npayments; i++)
		need(c, r, present(&c->inv->payments[i].means_code), c->inv->payments[i].line);
}

static bool credit_transfer(const inv_payment *p)
{
	return eq(p->means_code.v, "30") || eq(p->means_code.v, "58");
}

/*
 * cac:PaymentMeans[code 30 or 58]/cac:PayeeFinancialAccount: normalize-
 * space(cbc:ID) != ''.  The model keeps the account's terms, not the
 * element: an account with none of them is not seen (BR-61 still fires).
 */
static void br_50(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->npayments; i++) {
		const inv_payment *p = &c->inv->payments[i];
		const inv_account *a = &p->account;
		if (credit_transfer(p) && (present(&a->id) || present(&a->name) || present(&a->bic)))
			need(c, r, filled(&a->id), p->line);
	}
}

static void br_51(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->npayments; i++) {
		const inv_text *pan = &c->inv->payments[i].card_pan;
		if (present(pan))
			need(c, r, normalized_length(pan->v) <= 10, pan->line);
	}
}

static void br_52(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->ndocs; i++) {
		const char *id = c->inv->docs[i].id.v;
		need(c, r, id && id[0], c->inv->docs[i].line);
	}
}

static void br_53(vctx *c, const rule_def *r)
{
	const inv_text *tc = &c->inv->tax_currency;

	if (present(tc))
		need(c, r, tax_amounts_in(c, tc->v) > 0, tc->line);
}

static void br_54(vctx *c, const rule_def *r)
{
	size_t i, j;

	for (i = 0; i < c->inv->nlines; i++)
		for (j = 0; j < c->inv->lines[i].nattrs; j++) {
			const inv_attr *a = &c->inv->lines[i].attrs[j];
			need(c, r, present(&a->name) && present(&a->value),
			     a->name.line ? a->name.line : c->inv->lines[i].line);
		}
}

static void br_55(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->npreceding; i++)
		need(c, r, present(&c->inv->preceding[i].id), c->inv->preceding[i].issue_date.line);
}

static void br_56(vctx *c, const rule_def *r)
{
	const inv_party *t = &c->inv->tax_rep;

	if (t->present)
		need(c, r, present(&t->vat_id), t->line);
}

static void br_57(vctx *c, const rule_def *r)
{
	const inv_address *a = &c->inv->delivery.address;

	if (a->present)
		need(c, r, present(&a->country), a->line1.line);
}

/* (exists(account id) and code is 30 or 58) or (code is neither). */
static void br_61(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->npayments; i++) {
		const inv_payment *p = &c->inv->payments[i];
		if (credit_transfer(p))
			need(c, r, present(&p->account.id), p->line);
	}
}

static void br_62(vctx *c, const rule_def *r)
{
	const inv_id *e = &c->inv->seller.endpoint;

	if (e->v)
		need(c, r, e->scheme != NULL, e->line);
}

static void br_63(vctx *c, const rule_def *r)
{
	const inv_id *e = &c->inv->buyer.endpoint;

	if (e->v)
		need(c, r, e->scheme != NULL, e->line);
}

static void br_64(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++) {
		const inv_id *s = &c->inv->lines[i].standard_item_id;
		if (s->v)
			need(c, r, s->scheme != NULL, s->line);
	}
}

static void br_65(vctx *c, const rule_def *r)
{
	size_t i, j;

	for (i = 0; i < c->inv->nlines; i++)
		for (j = 0; j < c->inv->lines[i].nclassifications; j++) {
			const inv_id *k = &c->inv->lines[i].classifications[j];
			if (k->v)
				need(c, r, k->scheme != NULL, k->line);
		}
}

static void br_66(vctx *c, const rule_def *r)
{
	need(c, r, payment_children(c, "CardAccount") <= 1, 0);
}

static void br_67(vctx *c, const rule_def *r)
{
	need(c, r, payment_children(c, "PaymentMandate") <= 1, 0);
}

/* ----------------------------------------------------------------------
 * BR-CO: conditions and calculations
 * -------------------------------------------------------------------- */

static void br_co_03(vctx *c, const rule_def *r)
{
	need(c, r, !(present(&c->inv->tax_point_date) && present(&c->inv->period.code)),
	     c->inv->tax_point_date.line);
}

/* exists(cac:Item/cac:ClassifiedTaxCategory[VAT scheme]/cbc:ID) */
static void br_co_04(vctx *c, const rule_def *r)
{
	const xml_node *root = ubl_root(c);
	const char *le = line_element(c->inv);
	const xml_node *n = root ? xml_child(root, CAC, le) : NULL;
	size_t i;

	for (i = 0; i < c->inv->nlines; i++) {
		const inv_line *l = &c->inv->lines[i];
		need(c, r, n ? vat_cat_has(xml_child(n, CAC, "Item"), "ClassifiedTaxCategory", "ID")
			     : present(&l->vat_category), l->line);
		if (n)
			n = xml_next(n, CAC, le);
	}
}

/* BR-CO-05..08: the official test is true(); the rules say what cannot be
 * checked by machine.  Kept so that their IDs are known. */
static void br_co_05(vctx *c, const rule_def *r)
{
	(void)c;
	(void)r;
}

static void br_co_06(vctx *c, const rule_def *r)
{
	(void)c;
	(void)r;
}

static void br_co_07(vctx *c, const rule_def *r)
{
	(void)c;
	(void)r;
}

static void br_co_08(vctx *c, const rule_def *r)
{
	(void)c;
	(void)r;
}

/* The prefixes BR-CO-09 accepts: ISO 3166-1 alpha-2, 1A, XI and EL,
 * verbatim from the schematron. */
static const char co09_prefixes[] =
	" 1A AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL"
	" BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW"
	" CX CY CZ DE DJ DK DM DO DZ EC EE EG EH EL ER ES ET FI FJ FK FM FO FR GA GB GD GE"
	" GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO"
	" IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT"
	" LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA"
	" NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA"
	" RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC"
	" TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN"
	" VU WF WS XI YE YT ZA ZM ZW ";

/* contains(list, substring(id, 1, n)): a substring test, as in XPath, on
 * the first n characters (code points) of id. */
static bool list_contains_prefix(const char *list, const char *id, size_t n)
{
	char prefix[16];
	size_t len = 0, chars = 0;

	while (id[len] && len + 4 < sizeof(prefix)) {
		if (((unsigned char)id[len] & 0xc0) != 0x80 && chars++ == n)
			break;
		len++;
	}
	memcpy(prefix, id, len);
	prefix[len] = '\0';
	return strstr(list, prefix) != NULL;
}

/* Every PartyTaxScheme with scheme VAT: of the seller, the buyer, the
 * payee and the seller's tax representative. */
static void br_co_09(vctx *c, const rule_def *r)
{
	const inv_party *parties[4] = {
		&c->inv->seller, &c->inv->buyer, &c->inv->payee, &c->inv->tax_rep
	};
	size_t i;

	for (i = 0; i < 4; i++) {
		const inv_text *v = &parties[i]->vat_id;
		if (v->v)
			need(c, r, list_contains_prefix(co09_prefixes, v->v, 2), v->line);
	}
}

static void br_co_10(vctx *c, const rule_def *r)
{
	const inv_amount *a = &c->inv->totals.line_extension;
	total t = total_zero();
	size_t i;

	if (!has_totals(c))
		return;
	for (i = 0; i < c->inv->nlines; i++)
		tot_add(&t, &c->inv->lines[i].net);
	if (!rounded_eq(a, t))
		report_sum(c, r, a->line, "BT-106", a, t);
}

/* BR-CO-11 / BR-CO-12: total = round(sum(document level allowances or
 * charges)), or neither the total nor any of them. */
static void doc_ac_total(vctx *c, const rule_def *r, bool charge, const inv_amount *a,
			 const char *bt)
{
	total t = total_zero();
	size_t i, n = 0;

	if (!has_totals(c))
		return;
	for (i = 0; i < c->inv->nacs; i++)
		if (c->inv->acs[i].is_charge == charge) {
			tot_add(&t, &c->inv->acs[i].amount);
			n++;
		}
	if (!rounded_eq(a, t) && !(!amt_present(a) && n == 0))
		report_sum(c, r, a->line, bt, a, t);
}

static void br_co_11(vctx *c, const rule_def *r)
{
	doc_ac_total(c, r, false, &c->inv->totals.allowance_total, "BT-107");
}

static void br_co_12(vctx *c, const rule_def *r)
{
	doc_ac_total(c, r, true, &c->inv->totals.charge_total, "BT-108");
}

/*
 * BT-109 = round(BT-106 + BT-108 - BT-107), with the terms that are there;
 * without either document level total, BT-109 = BT-106 exactly.
 */
static void br_co_13(vctx *c, const rule_def *r)
{
	const inv_totals *t = &c->inv->totals;
	total s = total_zero();
	bool ok;

	if (!has_totals(c))
		return;
	tot_add(&s, &t->line_extension);
	tot_add(&s, &t->charge_total);
	tot_sub(&s, &t->allowance_total);
	if (!t->line_extension.set ||
	    (amt_present(&t->charge_total) && !t->charge_total.set) ||
	    (amt_present(&t->allowance_total) && !t->allowance_total.set))
		s.bad = true;
	if (amt_present(&t->charge_total) || amt_present(&t->allowance_total))
		ok = rounded_eq(&t->tax_exclusive, s);
	else
		ok = t->tax_exclusive.set && !s.bad && dec_cmp(t->tax_exclusive.v, s.v) == 0;
	if (!ok)
		report_sum(c, r, t->tax_exclusive.line, "BT-109", &t->tax_exclusive, s);
}

/*
 * Each TaxTotal with subtotals: TaxAmount = round(sum(subtotal TaxAmount)).
 * The model keeps the subtotals of every TaxTotal together and BT-110 as
 * the TaxAmount of the one that has them.
 */
static void br_co_14(vctx *c, const rule_def *r)
{
	const inv_amount *a = &c->inv->totals.tax;
	total t = total_zero();
	size_t i;

	if (c->inv->nvat == 0)
		return;
	for (i = 0; i < c->inv->nvat; i++)
		tot_add(&t, &c->inv->vat[i].tax);
	if (!rounded_eq(a, t))
		report_sum(c, r, a->line ? a->line : c->inv->vat[0].line, "BT-110", a, t);
}

/*
 * every $Currency in DocumentCurrencyCode satisfies exactly one TaxTotal/
 * TaxAmount in that currency, and BT-112 = round(BT-109 + that amount).
 */
static void br_co_15(vctx *c, const rule_def *r)
{
	const invoice *inv = c->inv;
	const inv_totals *t = &inv->totals;
	const inv_amount *tax = NULL;
	total s = total_zero();
	size_t n;

	if (!present(&inv->currency))
		return;
	n = tax_amounts_in(c, inv->currency.v);
	if (eq(t->tax.currency, inv->currency.v))
		tax = &t->tax;
	else if (eq(t->tax_accounting.currency, inv->currency.v))
		tax = &t->tax_accounting;
	if (n != 1 || !tax) {
		vreport(c, r, t->tax.line, NULL, "%s (%zu TaxTotal amounts in %s, must be one)",
			r->text, n, inv->currency.v);
		return;
	}
	tot_add(&s, &t->tax_exclusive);
	tot_add(&s, tax);
	if (!t->tax_exclusive.set || !tax->set)
		s.bad = true;
	if (!rounded_eq(&t->tax_inclusive, s))
		report_sum(c, r, t->tax_inclusive.line, "BT-112", &t->tax_inclusive, s);
}

/*
 * BT-115 = BT-112 - BT-113 + BT-114, in the schematron's four cases: with
 * a rounding amount both sides are rounded, round(BT-115 - BT-114) =
 * round(BT-112 - BT-113); without one, BT-115 = round(BT-112 - BT-113).
 */
static void br_co_16(vctx *c, const rule_def *r)
{
	const inv_totals *t = &c->inv->totals;
	total due = total_zero(), owed = total_zero();
	bool prepaid = amt_present(&t->prepaid), rounding = amt_present(&t->rounding);
	dec a, b;
	bool ok;

	if (!has_totals(c))
		return;
	tot_add(&owed, &t->tax_inclusive);
	tot_sub(&owed, &t->prepaid);
	tot_add(&due, &t->payable);
	tot_sub(&due, &t->rounding);
	if (!t->tax_inclusive.set || (prepaid && !t->prepaid.set))
		owed.bad = true;
	if (!t->payable.set || (rounding && !t->rounding.set))
		due.bad = true;
	if (!rounding && prepaid)
		ok = rounded_eq(&t->payable, owed);
	else if (!rounding)
		ok = !owed.bad && t->payable.set && dec_cmp(t->payable.v, owed.v) == 0;
	else if (prepaid)
		ok = !due.bad && !owed.bad && xpath_round(&a, due.v, 2) == 0 &&
		     xpath_round(&b, owed.v, 2) == 0 && dec_cmp(a, b) == 0;
	else
		ok = !due.bad && !owed.bad && xpath_round(&a, due.v, 2) == 0 &&
		     dec_cmp(a, owed.v) == 0;
	if (!ok)
		report_sum(c, r, t->payable.line, "BT-115", &t->payable, owed);
}

/*
 * Each VAT breakdown: with a rate that rounds to 0 the tax rounds to 0;
 * with another rate |BT-117| is within 1 of round(|BT-116| x rate / 100);
 * without a rate the tax rounds to 0.
 */
static void br_co_17(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nvat; i++) {
		const inv_vat *v = &c->inv->vat[i];
		dec rr, tr, want;
		bool ok, tax0 = v->tax.set && xpath_round(&tr, v->tax.v, 0) == 0 && dec_is_zero(tr);

		if (!v->rate.set)
			ok = tax0;
		else if (xpath_round(&rr, v->rate.v, 0) == 0 && dec_is_zero(rr))
			ok = tax0;
		else
			ok = v->tax.set && v->taxable.set && vat_of(&want, v->taxable.v, v->rate.v) == 0 &&
			     within_one(dec_abs(v->tax.v), want);
		if (!ok) {
			char x[DEC_STR_MAX], y[DEC_STR_MAX], z[DEC_STR_MAX];
			vreport(c, r, v->line, NULL, "%s (BT-116 %s, BT-119 %s, BT-117 %s)", r->text,
				fmt_amt(x, &v->taxable), v->rate.set ? fmt(y, v->rate.v) : "absent",
				fmt_amt(z, &v->tax));
		}
	}
}

static void br_co_18(vctx *c, const rule_def *r)
{
	need(c, r, c->inv->nvat > 0, 0);
}

static void br_co_19(vctx *c, const rule_def *r)
{
	const inv_period *p = &c->inv->period;

	if (p->present)
		need(c, r, present(&p->start) || present(&p->end) || present(&p->code), 0);
}

static void br_co_20(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++) {
		const inv_period *p = &c->inv->lines[i].period;
		if (p->present)
			need(c, r, present(&p->start) || present(&p->end), c->inv->lines[i].line);
	}
}

static void br_co_21(vctx *c, const rule_def *r)
{
	doc_acs_need_reason(c, r, false);
}

static void br_co_22(vctx *c, const rule_def *r)
{
	doc_acs_need_reason(c, r, true);
}

static void br_co_23(vctx *c, const rule_def *r)
{
	line_acs_need_reason(c, r, false);
}

static void br_co_24(vctx *c, const rule_def *r)
{
	line_acs_need_reason(c, r, true);
}

/*
 * /ubl:Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount > 0: //cbc:DueDate
 * or //cac:PaymentTerms/cbc:Note.  Invoices only since 1.3.x.  With the
 * tree, the DueDate must be the Invoice's own (the model also takes a
 * PaymentMeans/PaymentDueDate, which is no cbc:DueDate).
 */
static void br_co_25(vctx *c, const rule_def *r)
{
	const invoice *inv = c->inv;
	const xml_node *root = ubl_root(c);
	bool due;

	if (inv->kind != INV_KIND_INVOICE || !inv->totals.payable.set ||
	    dec_sign(inv->totals.payable.v) <= 0)
		return;
	due = root ? xml_child(root, CBC, "DueDate") != NULL : present(&inv->due_date);
	need(c, r, due || present(&inv->payment_terms), inv->totals.payable.line);
}

static void br_co_26(vctx *c, const rule_def *r)
{
	const inv_party *s = &c->inv->seller;
	bool ok = present(&s->vat_id) || s->legal_id.v;
	size_t i;

	if (!s->present)
		return;
	for (i = 0; !ok && i < s->nids; i++)
		ok = s->ids[i].v != NULL;
	need(c, r, ok, s->line);
}

/* ----------------------------------------------------------------------
 * BR-DEC: at most two decimals
 * -------------------------------------------------------------------- */

static void doc_acs_decimals(vctx *c, const rule_def *r, bool charge, bool base)
{
	size_t i;

	for (i = 0; i < c->inv->nacs; i++) {
		const inv_allowance_charge *ac = &c->inv->acs[i];
		const inv_amount *a = base ? &ac->base : &ac->amount;
		if (ac->is_charge == charge)
			need(c, r, two_decimals(a), a->line);
	}
}

static void line_acs_decimals(vctx *c, const rule_def *r, bool charge, bool base)
{
	size_t i, j;

	for (i = 0; i < c->inv->nlines; i++)
		for (j = 0; j < c->inv->lines[i].nacs; j++) {
			const inv_allowance_charge *ac = &c->inv->lines[i].acs[j];
			const inv_amount *a = base ? &ac->base : &ac->amount;
			if (ac->is_charge == charge)
				need(c, r, two_decimals(a), a->line);
		}
}

static void total_decimals(vctx *c, const rule_def *r, const inv_amount *a)
{
	if (has_totals(c))
		need(c, r, two_decimals(a), a->line);
}

static void br_dec_01(vctx *c, const rule_def *r)
{
	doc_acs_decimals(c, r, false, false);
}

static void br_dec_02(vctx *c, const rule_def *r)
{
	doc_acs_decimals(c, r, false, true);
}

static void br_dec_05(vctx *c, const rule_def *r)
{
	doc_acs_decimals(c, r, true, false);
}

static void br_dec_06(vctx *c, const rule_def *r)
{
	doc_acs_decimals(c, r, true, true);
}

static void br_dec_09(vctx *c, const rule_def *r)
{
	total_decimals(c, r, &c->inv->totals.line_extension);
}

static void br_dec_10(vctx *c, const rule_def *r)
{
	total_decimals(c, r, &c->inv->totals.allowance_total);
}

static void br_dec_11(vctx *c, const rule_def *r)
{
	total_decimals(c, r, &c->inv->totals.charge_total);
}

static void br_dec_12(vctx *c, const rule_def *r)
{
	total_decimals(c, r, &c->inv->totals.tax_exclusive);
}

/*
 * BR-DEC-13 and BR-DEC-15 never fire in the official schematron: their
 * predicate //cac:TaxTotal/cbc:TaxAmount[@currencyID = cbc:DocumentCurrencyCode]
 * looks for DocumentCurrencyCode under the TaxAmount itself, finds nothing,
 * so the "or not(...)" branch always holds.  Ported as they are.
 */
static void br_dec_13(vctx *c, const rule_def *r)
{
	(void)c;
	(void)r;
}

static void br_dec_14(vctx *c, const rule_def *r)
{
	total_decimals(c, r, &c->inv->totals.tax_inclusive);
}

static void br_dec_15(vctx *c, const rule_def *r)
{
	(void)c;
	(void)r;
}

static void br_dec_16(vctx *c, const rule_def *r)
{
	total_decimals(c, r, &c->inv->totals.prepaid);
}

static void br_dec_17(vctx *c, const rule_def *r)
{
	total_decimals(c, r, &c->inv->totals.rounding);
}

static void br_dec_18(vctx *c, const rule_def *r)
{
	total_decimals(c, r, &c->inv->totals.payable);
}

static void br_dec_19(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nvat; i++)
		need(c, r, two_decimals(&c->inv->vat[i].taxable), c->inv->vat[i].taxable.line);
}

static void br_dec_20(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nvat; i++)
		need(c, r, two_decimals(&c->inv->vat[i].tax), c->inv->vat[i].tax.line);
}

static void br_dec_23(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++)
		need(c, r, two_decimals(&c->inv->lines[i].net), c->inv->lines[i].net.line);
}

static void br_dec_24(vctx *c, const rule_def *r)
{
	line_acs_decimals(c, r, false, false);
}

static void br_dec_25(vctx *c, const rule_def *r)
{
	line_acs_decimals(c, r, false, true);
}

static void br_dec_27(vctx *c, const rule_def *r)
{
	line_acs_decimals(c, r, true, false);
}

static void br_dec_28(vctx *c, const rule_def *r)
{
	line_acs_decimals(c, r, true, true);
}

/* ----------------------------------------------------------------------
 * The VAT category families: S, Z, E, AE, IC (K), G, O, AF (L, IGIC),
 * AG (M, IPSI).  Every family has the same ten rule shapes; the helpers
 * below are those shapes and the br_<family>_<n> functions name the
 * category and the variant the schematron uses.
 *
 * The schematron filters most category nodes on TaxScheme 'VAT'; the
 * model does not keep the scheme, so every category counts as VAT here
 * (docs/rules.md).
 * -------------------------------------------------------------------- */

/* -01 of Z, E, AE, IC, G, O: when the code is used anywhere (//cac:TaxCategory
 * includes the breakdowns themselves), exactly one breakdown has it. */
static void fam_exactly_one(vctx *c, const rule_def *r, int cat)
{
	cat_count n;

	count_cat(c->inv, cat, &n);
	if (n.line + n.ac[0] + n.ac[1] + n.sub > 0 && n.sub != 1)
		vreport(c, r, 0, NULL, "%s (%zu VAT breakdowns with category %s)", r->text,
			n.sub, cat_codes[cat]);
}

/* -01 of S, AF, AG: used on a line or an allowance/charge if and only if
 * some breakdown has it. */
static void fam_at_least_one(vctx *c, const rule_def *r, int cat)
{
	cat_count n;

	count_cat(c->inv, cat, &n);
	if ((n.line + n.ac[0] + n.ac[1] > 0) != (n.sub > 0))
		vreport(c, r, n.first[0] ? n.first[0] : n.first[1] ? n.first[1] : n.first[2], NULL,
			"%s (%zu uses, %zu VAT breakdowns with category %s)", r->text,
			n.line + n.ac[0] + n.ac[1], n.sub, cat_codes[cat]);
}

/* The party conditions of the -02, -03 and -04 rules. */

/* S, Z, E, AF, AG: any seller PartyTaxScheme/CompanyID (BT-31 or BT-32),
 * or the tax representative's VAT identifier (BT-63). */
static bool parties_seller(const invoice *inv)
{
	return inv->seller.vat_id.v || inv->seller.tax_reg_id.v || inv->tax_rep.vat_id.v;
}

/* AE: that, and the buyer's VAT identifier (BT-48) or legal id (BT-47). */
static bool parties_ae(const invoice *inv)
{
	return parties_seller(inv) && (inv->buyer.vat_id.v || inv->buyer.legal_id.v);
}

/* G: the seller's VAT identifier (BT-31) or BT-63. */
static bool parties_g(const invoice *inv)
{
	return inv->seller.vat_id.v || inv->tax_rep.vat_id.v;
}

/* IC: BT-31 or BT-63, and BT-48. */
static bool parties_ic(const invoice *inv)
{
	return parties_g(inv) && inv->buyer.vat_id.v;
}

/* O: none of BT-31, BT-63, BT-48. */
static bool parties_o(const invoice *inv)
{
	return !inv->seller.vat_id.v && !inv->tax_rep.vat_id.v && !inv->buyer.vat_id.v;
}

enum use { ON_LINES, ON_ALLOWANCES, ON_CHARGES, ON_DOC_ALLOWANCES, ON_DOC_CHARGES };

/* -02 (lines), -03 (allowances), -04 (charges): when the code is used
 * there, the parties must satisfy `ok`.  Reported once, at the first use. */
static void fam_parties(vctx *c, const rule_def *r, int cat, enum use where,
			bool (*ok)(const invoice *))
{
	cat_count n;
	size_t uses;
	uint32_t line;

	count_cat(c->inv, cat, &n);
	switch (where) {
	case ON_LINES:
		uses = n.line, line = n.first[0];
		break;
	case ON_ALLOWANCES:
		uses = n.ac[0], line = n.first[1];
		break;
	case ON_CHARGES:
		uses = n.ac[1], line = n.first[2];
		break;
	case ON_DOC_ALLOWANCES:
		uses = n.dac[0], line = n.first[1];
		break;
	default:
		uses = n.dac[1], line = n.first[2];
		break;
	}
	if (uses && !ok(c->inv))
		vreport(c, r, line, NULL, NULL);
}

enum rate_test { RATE_POSITIVE, RATE_ZERO, RATE_NONNEGATIVE, RATE_ABSENT };

/* (cbc:Percent) > 0, = 0, >= 0, not(cbc:Percent): an absent rate fails
 * every comparison. */
static bool rate_ok(const inv_num *n, enum rate_test t)
{
	switch (t) {
	case RATE_POSITIVE:
		return n->set && dec_sign(n->v) > 0;
	case RATE_ZERO:
		return n->set && dec_is_zero(n->v);
	case RATE_NONNEGATIVE:
		return n->set && dec_sign(n->v) >= 0;
	default:
		return !num_present(n);
	}
}

/* -05: each line whose item is in the category. */
static void fam_line_rate(vctx *c, const rule_def *r, int cat, enum rate_test t)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++) {
		const inv_line *l = &c->inv->lines[i];
		if (is_cat(&l->vat_category, cat))
			need(c, r, rate_ok(&l->vat_rate, t),
			     l->vat_rate.line ? l->vat_rate.line : l->vat_category.line);
	}
}

/* -06 / -07: each cac:AllowanceCharge[ChargeIndicator]/cac:TaxCategory in
 * the category, at document and (the context is not anchored) line level. */
static void fam_ac_rate(vctx *c, const rule_def *r, int cat, bool charge, enum rate_test t)
{
	size_t i, j;

	for (i = 0; i < c->inv->nacs; i++) {
		const inv_allowance_charge *ac = &c->inv->acs[i];
		if (ac->is_charge == charge && is_cat(&ac->vat_category, cat))
			need(c, r, rate_ok(&ac->vat_rate, t), ac->line);
	}
	for (i = 0; i < c->inv->nlines; i++)
		for (j = 0; j < c->inv->lines[i].nacs; j++) {
			const inv_allowance_charge *ac = &c->inv->lines[i].acs[j];
			if (ac->is_charge == charge && is_cat(&ac->vat_category, cat))
				need(c, r, rate_ok(&ac->vat_rate, t), ac->line);
		}
}

/* Sum of line nets + document charges - document allowances in the
 * category. */
static total category_base(const invoice *inv, int cat)
{
	total t = total_zero();
	size_t i;

	for (i = 0; i < inv->nlines; i++)
		if (is_cat(&inv->lines[i].vat_category, cat))
			tot_add(&t, &inv->lines[i].net);
	for (i = 0; i < inv->nacs; i++) {
		const inv_allowance_charge *ac = &inv->acs[i];
		if (is_cat(&ac->vat_category, cat)) {
			if (ac->is_charge)
				tot_add(&t, &ac->amount);
			else
				tot_sub(&t, &ac->amount);
		}
	}
	return t;
}

/* -08 of Z, E, AE, IC, G, O: BT-116 equals the category's base exactly,
 * and the invoice has lines at all (exists(//cac:InvoiceLine)). */
static void fam_taxable(vctx *c, const rule_def *r, int cat)
{
	total base = category_base(c->inv, cat);
	size_t i;

	for (i = 0; i < c->inv->nvat; i++) {
		const inv_vat *v = &c->inv->vat[i];
		if (!is_cat(&v->category, cat))
			continue;
		if (!(c->inv->nlines > 0 && v->taxable.set && !base.bad &&
		      dec_cmp(v->taxable.v, base.v) == 0))
			report_sum(c, r, v->line, "BT-116", &v->taxable, base);
	}
}

/* What the -08 rules of the rated categories need for one rate. */
typedef struct rate_base {
	dec rate;
	total base;     /* line nets + document charges - allowances at the rate */
	total acs;      /* document charges - allowances at the rate */
	bool used;      /* a line, or an allowance/charge anywhere, has the rate */
	bool on_ac;     /* an allowance/charge anywhere has it */
} rate_base;

static int cmp_rate(const void *a, const void *b)
{
	return dec_cmp(((const rate_base *)a)->rate, ((const rate_base *)b)->rate);
}

static rate_base *find_rate(rate_base *rb, size_t n, const inv_num *rate)
{
	rate_base key;

	if (!rate->set || n == 0)
		return NULL;
	key.rate = rate->v;
	return bsearch(&key, rb, n, sizeof(*rb), cmp_rate);
}

/*
 * The distinct rates of the category's breakdowns, sorted, each with its
 * base: one pass over lines and allowances/charges with a binary search,
 * instead of a pass per breakdown, so that a document of many lines and
 * many breakdowns stays linear.  Rates compare as numbers (25 = 25.00).
 * The caller frees; NULL with *n = 0 when no breakdown has a rate, NULL
 * with c->rc set when out of memory.
 */
static rate_base *rate_bases(vctx *c, int cat, size_t *n)
{
	const invoice *inv = c->inv;
	rate_base *rb, *b;
	size_t i, j, k = 0;

	*n = 0;
	rb = inv->nvat ? calloc(inv->nvat, sizeof(*rb)) : NULL;
	if (!rb) {
		if (inv->nvat)
			c->rc = ULF_ENOMEM;
		return NULL;
	}
	for (i = 0; i < inv->nvat; i++)
		if (is_cat(&inv->vat[i].category, cat) && inv->vat[i].rate.set)
			rb[k++].rate = inv->vat[i].rate.v;
	qsort(rb, k, sizeof(*rb), cmp_rate);
	for (i = 0, j = 0; i < k; i++)
		if (j == 0 || dec_cmp(rb[j - 1].rate, rb[i].rate) != 0)
			rb[j++] = rb[i];
	k = j;
	for (i = 0; i < k; i++)
		rb[i].base = rb[i].acs = total_zero();
	for (i = 0; i < inv->nlines; i++) {
		const inv_line *l = &inv->lines[i];
		if (is_cat(&l->vat_category, cat) && (b = find_rate(rb, k, &l->vat_rate)) != NULL) {
			tot_add(&b->base, &l->net);
			b->used = true;
		}
		for (j = 0; j < l->nacs; j++)
			if (is_cat(&l->acs[j].vat_category, cat) &&
			    (b = find_rate(rb, k, &l->acs[j].vat_rate)) != NULL)
				b->used = b->on_ac = true;
	}
	for (i = 0; i < inv->nacs; i++) {
		const inv_allowance_charge *ac = &inv->acs[i];
		if (!is_cat(&ac->vat_category, cat) || (b = find_rate(rb, k, &ac->vat_rate)) == NULL)
			continue;
		if (ac->is_charge) {
			tot_add(&b->base, &ac->amount);
			tot_add(&b->acs, &ac->amount);
		} else {
			tot_sub(&b->base, &ac->amount);
			tot_sub(&b->acs, &ac->amount);
		}
		b->used = b->on_ac = true;
	}
	*n = k;
	return rb;
}

/*
 * -08 of S, AF, AG: for each breakdown, |BT-116 - base at its rate| < 1.
 * S also demands that the rate is used somewhere, and its XPath tries the
 * InvoiceLine and the CreditNoteLine sums in turn: in the branch of the
 * line kind the document does not have the lines sum to 0, so that branch
 * holds when the allowances and charges at that rate alone make BT-116.
 */
static void fam_taxable_rate(vctx *c, const rule_def *r, int cat, bool s_rule)
{
	size_t i, n;
	rate_base *rb = rate_bases(c, cat, &n);

	for (i = 0; i < c->inv->nvat && !c->rc; i++) {
		const inv_vat *v = &c->inv->vat[i];
		const rate_base *b;
		bool ok;

		if (!is_cat(&v->category, cat) || !v->rate.set)
			continue;	/* every $rate in (): nothing to check */
		b = find_rate(rb, n, &v->rate);
		if (!b)
			continue;
		ok = v->taxable.set && !b->base.bad && within_one(v->taxable.v, b->base.v);
		if (!s_rule)
			ok = ok && c->inv->nlines > 0;
		else
			ok = (b->used && ok) ||
			     (b->on_ac && v->taxable.set && !b->acs.bad && within_one(v->taxable.v, b->acs.v));
		if (!ok)
			report_sum(c, r, v->line, "BT-116", &v->taxable, b->base);
	}
	free(rb);
}

/* -09 of Z, E, AE, IC, G, O: BT-117 = 0. */
static void fam_tax_zero(vctx *c, const rule_def *r, int cat)
{
	size_t i;

	for (i = 0; i < c->inv->nvat; i++) {
		const inv_vat *v = &c->inv->vat[i];
		if (is_cat(&v->category, cat))
			need(c, r, v->tax.set && dec_is_zero(v->tax.v), v->line);
	}
}

/* -09 of S, AF, AG: |BT-117| within 1 of round(|BT-116| x BT-119 / 100). */
static void fam_tax_rate(vctx *c, const rule_def *r, int cat)
{
	size_t i;

	for (i = 0; i < c->inv->nvat; i++) {
		const inv_vat *v = &c->inv->vat[i];
		dec want;
		if (!is_cat(&v->category, cat))
			continue;
		if (!(v->tax.set && v->taxable.set && v->rate.set &&
		      vat_of(&want, v->taxable.v, v->rate.v) == 0 &&
		      within_one(dec_abs(v->tax.v), want))) {
			char x[DEC_STR_MAX], y[DEC_STR_MAX];
			vreport(c, r, v->line, NULL, "%s (BT-116 %s, BT-117 %s)", r->text,
				fmt_amt(x, &v->taxable), fmt_amt(y, &v->tax));
		}
	}
}

/* -10: an exemption reason (BT-120) or code (BT-121) is required (E, AE,
 * IC, G, O) or forbidden (S, Z, AF, AG). */
static void fam_exemption(vctx *c, const rule_def *r, int cat, bool required)
{
	size_t i;

	for (i = 0; i < c->inv->nvat; i++) {
		const inv_vat *v = &c->inv->vat[i];
		bool has = present(&v->exemption_reason) || present(&v->exemption_code);
		if (is_cat(&v->category, cat))
			need(c, r, has == required, v->line);
	}
}

/* Standard rated (S) */
static void br_s_01(vctx *c, const rule_def *r) { fam_at_least_one(c, r, CAT_S); }
static void br_s_02(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_S, ON_LINES, parties_seller); }
static void br_s_03(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_S, ON_ALLOWANCES, parties_seller); }
static void br_s_04(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_S, ON_CHARGES, parties_seller); }
static void br_s_05(vctx *c, const rule_def *r) { fam_line_rate(c, r, CAT_S, RATE_POSITIVE); }
static void br_s_06(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_S, false, RATE_POSITIVE); }
static void br_s_07(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_S, true, RATE_POSITIVE); }
static void br_s_08(vctx *c, const rule_def *r) { fam_taxable_rate(c, r, CAT_S, true); }
static void br_s_09(vctx *c, const rule_def *r) { fam_tax_rate(c, r, CAT_S); }
static void br_s_10(vctx *c, const rule_def *r) { fam_exemption(c, r, CAT_S, false); }

/* Zero rated (Z) */
static void br_z_01(vctx *c, const rule_def *r) { fam_exactly_one(c, r, CAT_Z); }
static void br_z_02(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_Z, ON_LINES, parties_seller); }
static void br_z_03(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_Z, ON_ALLOWANCES, parties_seller); }
static void br_z_04(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_Z, ON_CHARGES, parties_seller); }
static void br_z_05(vctx *c, const rule_def *r) { fam_line_rate(c, r, CAT_Z, RATE_ZERO); }
static void br_z_06(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_Z, false, RATE_ZERO); }
static void br_z_07(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_Z, true, RATE_ZERO); }
static void br_z_08(vctx *c, const rule_def *r) { fam_taxable(c, r, CAT_Z); }
static void br_z_09(vctx *c, const rule_def *r) { fam_tax_zero(c, r, CAT_Z); }
static void br_z_10(vctx *c, const rule_def *r) { fam_exemption(c, r, CAT_Z, false); }

/* Exempt from VAT (E) */
static void br_e_01(vctx *c, const rule_def *r) { fam_exactly_one(c, r, CAT_E); }
static void br_e_02(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_E, ON_LINES, parties_seller); }
static void br_e_03(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_E, ON_ALLOWANCES, parties_seller); }
static void br_e_04(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_E, ON_CHARGES, parties_seller); }
static void br_e_05(vctx *c, const rule_def *r) { fam_line_rate(c, r, CAT_E, RATE_ZERO); }
static void br_e_06(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_E, false, RATE_ZERO); }
static void br_e_07(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_E, true, RATE_ZERO); }
static void br_e_08(vctx *c, const rule_def *r) { fam_taxable(c, r, CAT_E); }
static void br_e_09(vctx *c, const rule_def *r) { fam_tax_zero(c, r, CAT_E); }
static void br_e_10(vctx *c, const rule_def *r) { fam_exemption(c, r, CAT_E, true); }

/* Reverse charge (AE) */
static void br_ae_01(vctx *c, const rule_def *r) { fam_exactly_one(c, r, CAT_AE); }
static void br_ae_02(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_AE, ON_LINES, parties_ae); }
static void br_ae_03(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_AE, ON_ALLOWANCES, parties_ae); }
static void br_ae_04(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_AE, ON_CHARGES, parties_ae); }
static void br_ae_05(vctx *c, const rule_def *r) { fam_line_rate(c, r, CAT_AE, RATE_ZERO); }
static void br_ae_06(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_AE, false, RATE_ZERO); }
static void br_ae_07(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_AE, true, RATE_ZERO); }
static void br_ae_08(vctx *c, const rule_def *r) { fam_taxable(c, r, CAT_AE); }
static void br_ae_09(vctx *c, const rule_def *r) { fam_tax_zero(c, r, CAT_AE); }
static void br_ae_10(vctx *c, const rule_def *r) { fam_exemption(c, r, CAT_AE, true); }

/* Intra-community supply (K) */
static void br_ic_01(vctx *c, const rule_def *r) { fam_exactly_one(c, r, CAT_K); }
static void br_ic_02(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_K, ON_LINES, parties_ic); }
static void br_ic_03(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_K, ON_ALLOWANCES, parties_ic); }
static void br_ic_04(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_K, ON_CHARGES, parties_ic); }
static void br_ic_05(vctx *c, const rule_def *r) { fam_line_rate(c, r, CAT_K, RATE_ZERO); }
static void br_ic_06(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_K, false, RATE_ZERO); }
static void br_ic_07(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_K, true, RATE_ZERO); }
static void br_ic_08(vctx *c, const rule_def *r) { fam_taxable(c, r, CAT_K); }
static void br_ic_09(vctx *c, const rule_def *r) { fam_tax_zero(c, r, CAT_K); }
static void br_ic_10(vctx *c, const rule_def *r) { fam_exemption(c, r, CAT_K, true); }

/* string-length() in characters, of a term that may be absent. */
static size_t text_length(const inv_text *t)
{
	return t->v ? utf8_length(t->v) : 0;
}

/*
 * With a K breakdown: string-length(Delivery/ActualDeliveryDate) > 1 or
 * any child of cac:InvoicePeriod (the model keeps start, end and code).
 */
static void br_ic_11(vctx *c, const rule_def *r)
{
	const inv_period *p = &c->inv->period;
	cat_count n;

	count_cat(c->inv, CAT_K, &n);
	if (n.sub)
		need(c, r, text_length(&c->inv->delivery.date) > 1 ||
			   (p->present && (present(&p->start) || present(&p->end) || present(&p->code))),
		     0);
}

static void br_ic_12(vctx *c, const rule_def *r)
{
	cat_count n;

	count_cat(c->inv, CAT_K, &n);
	if (n.sub)
		need(c, r, text_length(&c->inv->delivery.address.country) > 1, 0);
}

/* Export outside the EU (G) */
static void br_g_01(vctx *c, const rule_def *r) { fam_exactly_one(c, r, CAT_G); }
static void br_g_02(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_G, ON_LINES, parties_g); }
static void br_g_03(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_G, ON_ALLOWANCES, parties_g); }
static void br_g_04(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_G, ON_CHARGES, parties_g); }
static void br_g_05(vctx *c, const rule_def *r) { fam_line_rate(c, r, CAT_G, RATE_ZERO); }
static void br_g_06(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_G, false, RATE_ZERO); }
static void br_g_07(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_G, true, RATE_ZERO); }
static void br_g_08(vctx *c, const rule_def *r) { fam_taxable(c, r, CAT_G); }
static void br_g_09(vctx *c, const rule_def *r) { fam_tax_zero(c, r, CAT_G); }
static void br_g_10(vctx *c, const rule_def *r) { fam_exemption(c, r, CAT_G, true); }

/* Not subject to VAT (O); -03 and -04 look at document level only. */
static void br_o_01(vctx *c, const rule_def *r) { fam_exactly_one(c, r, CAT_O); }
static void br_o_02(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_O, ON_LINES, parties_o); }
static void br_o_03(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_O, ON_DOC_ALLOWANCES, parties_o); }
static void br_o_04(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_O, ON_DOC_CHARGES, parties_o); }
static void br_o_05(vctx *c, const rule_def *r) { fam_line_rate(c, r, CAT_O, RATE_ABSENT); }
static void br_o_06(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_O, false, RATE_ABSENT); }
static void br_o_07(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_O, true, RATE_ABSENT); }
static void br_o_08(vctx *c, const rule_def *r) { fam_taxable(c, r, CAT_O); }
static void br_o_09(vctx *c, const rule_def *r) { fam_tax_zero(c, r, CAT_O); }
static void br_o_10(vctx *c, const rule_def *r) { fam_exemption(c, r, CAT_O, true); }

/* A category code that is there and is not O. */
static bool other_than_o(const inv_text *t)
{
	return t->v && strcmp(t->v, "O") != 0;
}

static bool has_o_breakdown(const invoice *inv)
{
	size_t i;

	for (i = 0; i < inv->nvat; i++)
		if (is_cat(&inv->vat[i].category, CAT_O))
			return true;
	return false;
}

/* With an O breakdown, no breakdown of another category. */
static void br_o_11(vctx *c, const rule_def *r)
{
	size_t i;

	if (!has_o_breakdown(c->inv))
		return;
	for (i = 0; i < c->inv->nvat; i++)
		if (other_than_o(&c->inv->vat[i].category)) {
			vreport(c, r, c->inv->vat[i].line, NULL, NULL);
			return;
		}
}

/* With an O breakdown, no line of another category. */
static void br_o_12(vctx *c, const rule_def *r)
{
	size_t i;

	if (!has_o_breakdown(c->inv))
		return;
	for (i = 0; i < c->inv->nlines; i++)
		if (other_than_o(&c->inv->lines[i].vat_category)) {
			vreport(c, r, c->inv->lines[i].line, NULL, NULL);
			return;
		}
}

/* With an O breakdown, no allowance (charge false) or charge (true) of
 * another category, at any level (//cac:AllowanceCharge). */
static void o_breakdown_acs(vctx *c, const rule_def *r, bool charge)
{
	const invoice *inv = c->inv;
	size_t i, j;

	if (!has_o_breakdown(inv))
		return;
	for (i = 0; i < inv->nacs; i++)
		if (inv->acs[i].is_charge == charge && other_than_o(&inv->acs[i].vat_category)) {
			vreport(c, r, inv->acs[i].line, NULL, NULL);
			return;
		}
	for (i = 0; i < inv->nlines; i++)
		for (j = 0; j < inv->lines[i].nacs; j++) {
			const inv_allowance_charge *ac = &inv->lines[i].acs[j];
			if (ac->is_charge == charge && other_than_o(&ac->vat_category)) {
				vreport(c, r, ac->line, NULL, NULL);
				return;
			}
		}
}

static void br_o_13(vctx *c, const rule_def *r)
{
	o_breakdown_acs(c, r, false);
}

static void br_o_14(vctx *c, const rule_def *r)
{
	o_breakdown_acs(c, r, true);
}

/* IGIC, Canary Islands (L) */
static void br_af_01(vctx *c, const rule_def *r) { fam_at_least_one(c, r, CAT_L); }
static void br_af_02(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_L, ON_LINES, parties_seller); }
static void br_af_03(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_L, ON_ALLOWANCES, parties_seller); }
static void br_af_04(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_L, ON_CHARGES, parties_seller); }
static void br_af_05(vctx *c, const rule_def *r) { fam_line_rate(c, r, CAT_L, RATE_NONNEGATIVE); }
static void br_af_06(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_L, false, RATE_NONNEGATIVE); }
static void br_af_07(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_L, true, RATE_NONNEGATIVE); }
static void br_af_08(vctx *c, const rule_def *r) { fam_taxable_rate(c, r, CAT_L, false); }
static void br_af_09(vctx *c, const rule_def *r) { fam_tax_rate(c, r, CAT_L); }
static void br_af_10(vctx *c, const rule_def *r) { fam_exemption(c, r, CAT_L, false); }

/* IPSI, Ceuta and Melilla (M) */
static void br_ag_01(vctx *c, const rule_def *r) { fam_at_least_one(c, r, CAT_M); }
static void br_ag_02(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_M, ON_LINES, parties_seller); }
static void br_ag_03(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_M, ON_ALLOWANCES, parties_seller); }
static void br_ag_04(vctx *c, const rule_def *r) { fam_parties(c, r, CAT_M, ON_CHARGES, parties_seller); }
static void br_ag_05(vctx *c, const rule_def *r) { fam_line_rate(c, r, CAT_M, RATE_NONNEGATIVE); }
static void br_ag_06(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_M, false, RATE_NONNEGATIVE); }
static void br_ag_07(vctx *c, const rule_def *r) { fam_ac_rate(c, r, CAT_M, true, RATE_NONNEGATIVE); }
static void br_ag_08(vctx *c, const rule_def *r) { fam_taxable_rate(c, r, CAT_M, false); }
static void br_ag_09(vctx *c, const rule_def *r) { fam_tax_rate(c, r, CAT_M); }
static void br_ag_10(vctx *c, const rule_def *r) { fam_exemption(c, r, CAT_M, false); }

/*
 * Split payment (B), Italy only.  BR-B-01: a B category anywhere (lines,
 * allowances/charges, breakdowns) and every //cbc:IdentificationCode -
 * the country of each address and each item's origin - is IT.
 */
static void br_b_01(vctx *c, const rule_def *r)
{
	const invoice *inv = c->inv;
	const inv_address *addr[5] = {
		&inv->seller.address, &inv->buyer.address, &inv->payee.address,
		&inv->tax_rep.address, &inv->delivery.address
	};
	cat_count n;
	bool italian = true;
	size_t i;

	count_cat(inv, CAT_B, &n);
	if (n.line + n.ac[0] + n.ac[1] + n.sub == 0)
		return;
	for (i = 0; i < 5; i++)
		if (addr[i]->country.v && strcmp(addr[i]->country.v, "IT") != 0)
			italian = false;
	for (i = 0; i < inv->nlines; i++)
		if (inv->lines[i].origin_country.v && strcmp(inv->lines[i].origin_country.v, "IT") != 0)
			italian = false;
	need(c, r, italian, 0);
}

/*
 * BR-B-02: with B on a breakdown, a document level allowance/charge or a
 * line, no S on a document level allowance/charge or a line.  (Its XPath
 * also names cac:TaxSubtotal/cbc:ID = 'S', which selects nothing.)
 */
static void br_b_02(vctx *c, const rule_def *r)
{
	cat_count b, s;

	count_cat(c->inv, CAT_B, &b);
	count_cat(c->inv, CAT_S, &s);
	if (b.sub + b.dac[0] + b.dac[1] + b.line > 0)
		need(c, r, s.dac[0] + s.dac[1] + s.line == 0, 0);
}

/* ----------------------------------------------------------------------
 * BR-CL: code lists
 *
 * The tables are the PEPPOL lists of codelists_data.c.  Where the CEN list
 * of validation 1.3.x differs from the PEPPOL file, the difference is kept
 * here, so that these rules accept exactly what the schematron accepts
 * (docs/rules.md, "Code lists").
 * -------------------------------------------------------------------- */

static bool in_list(const char *const *list, size_t n, const char *code)
{
	size_t i;

	for (i = 0; code && i < n; i++)
		if (strcmp(list[i], code) == 0)
			return true;
	return false;
}

#define IN(list, code) in_list(list, sizeof(list) / sizeof(list[0]), code)

/* UNTDID 1001 as BR-CL-01 has it: wider than PEPPOL's own subsets. */
static const char *const cen_1001_invoice[] = {
	"71", "80", "81", "82", "84", "102", "130", "202", "203", "204", "211", "218", "219",
	"295", "325", "326", "331", "380", "382", "383", "384", "385", "386", "387", "388",
	"389", "390", "393", "394", "395", "456", "457", "471", "472", "473", "500", "501",
	"502", "503", "527", "553", "575", "623", "633", "751", "780", "817", "870", "875",
	"876", "877", "935"
};

static const char *const cen_1001_credit[] = {
	"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"
};

/* ISO 4217: the CEN list still has CUC, MRO and STD and not yet MRU, STN
 * and UYW, which the PEPPOL file has. */
static const char *const cen_4217_more[] = { "CUC", "MRO", "STD" };
static const char *const cen_4217_less[] = { "MRU", "STN", "UYW" };

/* EAS: the CEN list has these beyond the PEPPOL file. */
static const char *const cen_eas_more[] = { "0219", "0220", "AN", "AQ", "AS", "AU", "EM" };

static bool cen_currency(const char *code)
{
	if (IN(cen_4217_more, code))
		return true;
	return code && codelist_has(CL_ISO4217, code) && !IN(cen_4217_less, code);
}

static bool cen_eas(const char *code)
{
	return code && (codelist_has(CL_EAS, code) || IN(cen_eas_more, code));
}

/*
 * Reports a code list rule with the offending code, cut to 40 bytes at a
 * character boundary.  Only codes and schemes are quoted, never identifier
 * values: a Swedish sole trader's VAT or org number holds a personnummer.
 */
static void report_code(vctx *c, const rule_def *r, const char *code, uint32_t line)
{
	char q[48];
	size_t n = code ? strlen(code) : 0;

	if (n > 40) {
		n = 40;
		while (n > 0 && ((unsigned char)code[n] & 0xc0) == 0x80)
			n--;
	}
	if (code)
		memcpy(q, code, n);
	q[n] = '\0';
	if (code)
		vreport(c, r, line, NULL, "%s ('%s')", r->text, q);
	else
		vreport(c, r, line, NULL, "%s (none given)", r->text);
}

static void need_code(vctx *c, const rule_def *r, bool ok, const char *code, uint32_t line)
{
	if (!ok)
		report_code(c, r, code, line);
}

/* A code that is there must be in the list; "" is in no list. */
static void coded(vctx *c, const rule_def *r, codelist cl, const char *code, uint32_t line)
{
	if (code)
		need_code(c, r, codelist_has(cl, code), code, line);
}

static void br_cl_01(vctx *c, const rule_def *r)
{
	const inv_text *t = &c->inv->type_code;

	if (present(t))
		need_code(c, r, c->inv->kind == INV_KIND_CREDIT_NOTE ? IN(cen_1001_credit, t->v)
								     : IN(cen_1001_invoice, t->v), t->v, t->line);
}

static void currency_of(vctx *c, const rule_def *r, const inv_amount *a)
{
	if (amt_present(a))
		need_code(c, r, cen_currency(a->currency), a->currency, a->line);
}

static void acs_currency(vctx *c, const rule_def *r, const inv_allowance_charge *acs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		currency_of(c, r, &acs[i].amount);
		currency_of(c, r, &acs[i].base);
	}
}

/* Every amount element of the binding: its currencyID, which an amount
 * without one fails too. */
static void br_cl_03(vctx *c, const rule_def *r)
{
	const invoice *inv = c->inv;
	const inv_totals *t = &inv->totals;
	const inv_amount *totals[] = {
		&t->line_extension, &t->allowance_total, &t->charge_total, &t->tax_exclusive,
		&t->tax, &t->tax_accounting, &t->tax_inclusive, &t->prepaid, &t->rounding,
		&t->payable
	};
	size_t i;

	acs_currency(c, r, inv->acs, inv->nacs);
	for (i = 0; i < inv->nvat; i++) {
		currency_of(c, r, &inv->vat[i].taxable);
		currency_of(c, r, &inv->vat[i].tax);
	}
	for (i = 0; i < sizeof(totals) / sizeof(totals[0]); i++)
		currency_of(c, r, totals[i]);
	for (i = 0; i < inv->nlines; i++) {
		const inv_line *l = &inv->lines[i];
		currency_of(c, r, &l->net);
		acs_currency(c, r, l->acs, l->nacs);
		currency_of(c, r, &l->price);
		currency_of(c, r, &l->price_discount);
		currency_of(c, r, &l->gross_price);
	}
}

static void br_cl_04(vctx *c, const rule_def *r)
{
	const inv_text *t = &c->inv->currency;

	if (present(t))
		need_code(c, r, cen_currency(t->v), t->v, t->line);
}

static void br_cl_05(vctx *c, const rule_def *r)
{
	const inv_text *t = &c->inv->tax_currency;

	if (present(t))
		need_code(c, r, cen_currency(t->v), t->v, t->line);
}

/* cac:InvoicePeriod/cbc:DescriptionCode, of the invoice and of the lines. */
static void br_cl_06(vctx *c, const rule_def *r)
{
	size_t i;

	coded(c, r, CL_UNCL2005, c->inv->period.code.v, c->inv->period.code.line);
	for (i = 0; i < c->inv->nlines; i++)
		coded(c, r, CL_UNCL2005, c->inv->lines[i].period.code.v,
		      c->inv->lines[i].period.code.line);
}

/*
 * The schemeID of an object identifier: AdditionalDocumentReference with
 * DocumentTypeCode 130, and a line's DocumentReference (BT-128, whose type
 * code the model does not keep: BIS allows only 130 there).
 */
static void br_cl_07(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->ndocs; i++) {
		const inv_docref *d = &c->inv->docs[i];
		if (eq(d->type_code.v, "130") && d->id.v)
			coded(c, r, CL_UNCL1153, d->id.scheme, d->id.line);
	}
	for (i = 0; i < c->inv->nlines; i++) {
		const inv_id *o = &c->inv->lines[i].object_id;
		if (o->v)
			coded(c, r, CL_UNCL1153, o->scheme, o->line);
	}
}

/* The UNCL 4451 subset of BR-CL-08, verbatim: the test is a substring
 * search in it, as XPath contains() is. */
static const char uncl4451[] =
	" AAA AAB AAC AAD AAE AAF AAG AAI AAJ AAK AAL AAM AAN AAO AAP AAQ AAR AAS AAT AAU AAV"
	" AAW AAX AAY AAZ ABA ABB ABC ABD ABE ABF ABG ABH ABI ABJ ABK ABL ABM ABN ABO ABP ABQ"
	" ABR ABS ABT ABU ABV ABW ABX ABZ ACA ACB ACC ACD ACE ACF ACG ACH ACI ACJ ACK ACL ACM"
	" ACN ACO ACP ACQ ACR ACS ACT ACU ACV ACW ACX ACY ACZ ADA ADB ADC ADD ADE ADF ADG ADH"
	" ADI ADJ ADK ADL ADM ADN ADO ADP ADQ ADR ADS ADT ADU ADV ADW ADX ADY ADZ AEA AEB AEC"
	" AED AEE AEF AEG AEH AEI AEJ AEK AEL AEM AEN AEO AEP AEQ AER AES AET AEU AEV AEW AEX"
	" AEY AEZ AFA AFB AFC AFD AFE AFF AFG AFH AFI AFJ AFK AFL AFM AFN AFO AFP AFQ AFR AFS"
	" AFT AFU AFV AFW AFX AFY AFZ AGA AGB AGC AGD AGE AGF AGG AGH AGI AGJ AGK AGL AGM AGN"
	" AGO AGP AGQ AGR AGS AGT AGU AGV AGW AGX AGY AGZ AHA AHB AHC AHD AHE AHF AHG AHH AHI"
	" AHJ AHK AHL AHM AHN AHO AHP AHQ AHR AHS AHT AHU AHV AHW AHX AHY AHZ AIA AIB AIC AID"
	" AIE AIF AIG AIH AII AIJ AIK AIL AIM AIN AIO AIP AIQ AIR AIS AIT AIU AIV AIW AIX AIY"
	" AIZ AJA AJB ALC ALD ALE ALF ALG ALH ALI ALJ ALK ALL ALM ALN ALO ALP ALQ ARR ARS AUT"
	" AUU AUV AUW AUX AUY AUZ AVA AVB AVC AVD AVE AVF BAG BAH BAI BAJ BAK BAL BAM BAN BAO"
	" BAP BAQ BAR BAS BLC BLD BLE BLF BLG BLH BLI BLJ BLK BLL BLM BLN BLO BLP BLQ BLR BLS"
	" BLT BLU BLV BLW BLX BLY BLZ BMA BMB BMC BMD BME CCI CEX CHG CIP CLP CLR COI CUR CUS"
	" DAR DCL DEL DIN DOC DUT EUR FBC GBL GEN GS7 HAN HAZ ICN IIN IMI IND INS INV IRP ITR"
	" ITS LAN LIN LOI MCO MDH MKS ORI OSI PAC PAI PAY PKG PKT PMD PMT PRD PRF PRI PUR QIN"
	" QQD QUT RAH REG RET REV RQR SAF SIC SIN SLR SPA SPG SPH SPP SPT SRN SSR SUR TCA TDT"
	" TRA TRR TXD WHI ZZZ ";

/*
 * A note "#CODE#text": the part between the first two '#', when it is
 * three characters long, must be in UNCL 4451; a note without that shape
 * is not coded and passes.
 */
static void br_cl_08(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nnotes; i++) {
		const inv_text *t = &c->inv->notes[i].text;
		const char *a = t->v ? strchr(t->v, '#') : NULL;
		const char *b = a ? strchr(a + 1, '#') : NULL;
		char code[16];
		size_t len;

		if (!b)
			continue;
		len = (size_t)(b - a - 1);
		if (len >= sizeof(code))
			continue;
		memcpy(code, a + 1, len);
		code[len] = '\0';
		if (utf8_length(code) == 3)
			need_code(c, r, strstr(uncl4451, code) != NULL, code, t->line);
	}
}

/* PartyIdentification/cbc:ID/@schemeID: ICD, or SEPA for the seller and
 * the payee (the creditor identifier's home). */
static void party_ids(vctx *c, const rule_def *r, const inv_party *p, bool sepa)
{
	size_t i;

	for (i = 0; i < p->nids; i++) {
		const char *s = p->ids[i].scheme;
		if (p->ids[i].v && s)
			need_code(c, r, codelist_has(CL_ICD, s) || (sepa && strcmp(s, "SEPA") == 0), s,
				  p->ids[i].line);
	}
}

static void br_cl_10(vctx *c, const rule_def *r)
{
	party_ids(c, r, &c->inv->seller, true);
	party_ids(c, r, &c->inv->buyer, false);
	party_ids(c, r, &c->inv->payee, true);
	party_ids(c, r, &c->inv->tax_rep, false);
}

static void br_cl_11(vctx *c, const rule_def *r)
{
	const inv_party *parties[4] = {
		&c->inv->seller, &c->inv->buyer, &c->inv->payee, &c->inv->tax_rep
	};
	size_t i;

	for (i = 0; i < 4; i++)
		if (parties[i]->legal_id.v)
			coded(c, r, CL_ICD, parties[i]->legal_id.scheme, parties[i]->legal_id.line);
}

static void br_cl_13(vctx *c, const rule_def *r)
{
	size_t i, j;

	for (i = 0; i < c->inv->nlines; i++)
		for (j = 0; j < c->inv->lines[i].nclassifications; j++) {
			const inv_id *k = &c->inv->lines[i].classifications[j];
			if (k->v)
				coded(c, r, CL_UNCL7143, k->scheme, k->line);
		}
}

/* cac:Country/cbc:IdentificationCode of every address. */
static void br_cl_14(vctx *c, const rule_def *r)
{
	const invoice *inv = c->inv;
	const inv_address *addr[5] = {
		&inv->seller.address, &inv->buyer.address, &inv->payee.address,
		&inv->tax_rep.address, &inv->delivery.address
	};
	size_t i;

	for (i = 0; i < 5; i++)
		coded(c, r, CL_ISO3166, addr[i]->country.v, addr[i]->country.line);
}

static void br_cl_15(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++)
		coded(c, r, CL_ISO3166, c->inv->lines[i].origin_country.v,
		      c->inv->lines[i].origin_country.line);
}

static void br_cl_16(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->npayments; i++)
		coded(c, r, CL_UNCL4461, c->inv->payments[i].means_code.v,
		      c->inv->payments[i].means_code.line);
}

/* cac:TaxCategory/cbc:ID: allowances and charges at both levels, and the
 * VAT breakdowns. */
static void br_cl_17(vctx *c, const rule_def *r)
{
	const invoice *inv = c->inv;
	size_t i, j;

	for (i = 0; i < inv->nacs; i++)
		coded(c, r, CL_UNCL5305, inv->acs[i].vat_category.v, inv->acs[i].vat_category.line);
	for (i = 0; i < inv->nlines; i++)
		for (j = 0; j < inv->lines[i].nacs; j++)
			coded(c, r, CL_UNCL5305, inv->lines[i].acs[j].vat_category.v,
			      inv->lines[i].acs[j].vat_category.line);
	for (i = 0; i < inv->nvat; i++)
		coded(c, r, CL_UNCL5305, inv->vat[i].category.v, inv->vat[i].category.line);
}

static void br_cl_18(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++)
		coded(c, r, CL_UNCL5305, c->inv->lines[i].vat_category.v,
		      c->inv->lines[i].vat_category.line);
}

/* Reason codes of allowances (charge false: UNCL 5189) or charges (true:
 * UNCL 7161), at both levels. */
static void reason_codes(vctx *c, const rule_def *r, bool charge)
{
	const invoice *inv = c->inv;
	codelist cl = charge ? CL_UNCL7161 : CL_UNCL5189;
	size_t i, j;

	for (i = 0; i < inv->nacs; i++)
		if (inv->acs[i].is_charge == charge)
			coded(c, r, cl, inv->acs[i].reason_code.v, inv->acs[i].reason_code.line);
	for (i = 0; i < inv->nlines; i++)
		for (j = 0; j < inv->lines[i].nacs; j++) {
			const inv_allowance_charge *ac = &inv->lines[i].acs[j];
			if (ac->is_charge == charge)
				coded(c, r, cl, ac->reason_code.v, ac->reason_code.line);
		}
}

static void br_cl_19(vctx *c, const rule_def *r)
{
	reason_codes(c, r, false);
}

static void br_cl_20(vctx *c, const rule_def *r)
{
	reason_codes(c, r, true);
}

static void br_cl_21(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++) {
		const inv_id *s = &c->inv->lines[i].standard_item_id;
		if (s->v)
			coded(c, r, CL_ICD, s->scheme, s->line);
	}
}

/* normalize-space(upper-case(.)): the VATEX codes are case-insensitive. */
static void br_cl_22(vctx *c, const rule_def *r)
{
	size_t i, j;

	for (i = 0; i < c->inv->nvat; i++) {
		const inv_text *t = &c->inv->vat[i].exemption_code;
		char up[64];
		if (!t->v)
			continue;
		for (j = 0; t->v[j] && j < sizeof(up) - 1; j++)
			up[j] = (t->v[j] >= 'a' && t->v[j] <= 'z') ? (char)(t->v[j] - 'a' + 'A') : t->v[j];
		up[j] = '\0';
		need_code(c, r, !t->v[j] && codelist_has(CL_VATEX, up), t->v, t->line);
	}
}

/* @unitCode of InvoicedQuantity / CreditedQuantity and BaseQuantity. */
static void br_cl_23(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->nlines; i++) {
		const inv_line *l = &c->inv->lines[i];
		coded(c, r, CL_REC20, l->quantity.unit, l->quantity.line);
		coded(c, r, CL_REC20, l->base_quantity.unit, l->base_quantity.line);
	}
}

/* EmbeddedDocumentBinaryObject/@mimeCode, as kept with the decoded
 * attachment (one that did not decode is a reader problem instead). */
static void br_cl_24(vctx *c, const rule_def *r)
{
	size_t i;

	for (i = 0; i < c->inv->ndocs; i++) {
		const inv_attachment *a = c->inv->docs[i].attachment;
		if (a)
			coded(c, r, CL_MIME, a->mime, c->inv->docs[i].line);
	}
}

static void br_cl_25(vctx *c, const rule_def *r)
{
	const inv_party *parties[4] = {
		&c->inv->seller, &c->inv->buyer, &c->inv->payee, &c->inv->tax_rep
	};
	size_t i;

	for (i = 0; i < 4; i++) {
		const inv_id *e = &parties[i]->endpoint;
		if (e->v && e->scheme)
			need_code(c, r, cen_eas(e->scheme), e->scheme, e->line);
	}
}

static void br_cl_26(vctx *c, const rule_def *r)
{
	const inv_id *d = &c->inv->delivery.location_id;

	if (d->v)
		coded(c, r, CL_ICD, d->scheme, d->line);
}

/* ----------------------------------------------------------------------
 * The table: official ID, flag and text (without its "[ID]-" prefix), in
 * the order of the sections above.
 * -------------------------------------------------------------------- */

#define FATAL(id, fn, text) { id, VFLAG_FATAL, text, fn }
#define WARNING(id, fn, text) { id, VFLAG_WARNING, text, fn }

const rule_def rules_en16931[] = {
	FATAL("BR-01", br_01, "An Invoice shall have a Specification identifier (BT-24)."),
	FATAL("BR-02", br_02, "An Invoice shall have an Invoice number (BT-1)."),
	FATAL("BR-03", br_03, "An Invoice shall have an Invoice issue date (BT-2)."),
	FATAL("BR-04", br_04, "An Invoice shall have an Invoice type code (BT-3)."),
	FATAL("BR-05", br_05, "An Invoice shall have an Invoice currency code (BT-5)."),
	FATAL("BR-06", br_06, "An Invoice shall contain the Seller name (BT-27)."),
	FATAL("BR-07", br_07, "An Invoice shall contain the Buyer name (BT-44)."),
	FATAL("BR-08", br_08, "An Invoice shall contain the Seller postal address."),
	FATAL("BR-09", br_09, "The Seller postal address (BG-5) shall contain a Seller country code (BT-40)."),
	FATAL("BR-10", br_10, "An Invoice shall contain the Buyer postal address (BG-8)."),
	FATAL("BR-11", br_11, "The Buyer postal address shall contain a Buyer country code (BT-55)."),
	FATAL("BR-12", br_12, "An Invoice shall have the Sum of Invoice line net amount (BT-106)."),
	FATAL("BR-13", br_13, "An Invoice shall have the Invoice total amount without VAT (BT-109)."),
	FATAL("BR-14", br_14, "An Invoice shall have the Invoice total amount with VAT (BT-112)."),
	FATAL("BR-15", br_15, "An Invoice shall have the Amount due for payment (BT-115)."),
	FATAL("BR-16", br_16, "An Invoice shall have at least one Invoice line (BG-25)"),
	FATAL("BR-17", br_17, "The Payee name (BT-59) shall be provided in the Invoice, if the Payee (BG-10) is different from the Seller (BG-4)"),
	FATAL("BR-18", br_18, "The Seller tax representative name (BT-62) shall be provided in the Invoice, if the Seller (BG-4) has a Seller tax representative party (BG-11)"),
	FATAL("BR-19", br_19, "The Seller tax representative postal address (BG-12) shall be provided in the Invoice, if the Seller (BG-4) has a Seller tax representative party (BG-11)."),
	FATAL("BR-20", br_20, "The Seller tax representative postal address (BG-12) shall contain a Tax representative country code (BT-69), if the Seller (BG-4) has a Seller tax representative party (BG-11)."),
	FATAL("BR-21", br_21, "Each Invoice line (BG-25) shall have an Invoice line identifier (BT-126)."),
	FATAL("BR-22", br_22, "Each Invoice line (BG-25) shall have an Invoiced quantity (BT-129)."),
	FATAL("BR-23", br_23, "An Invoice line (BG-25) shall have an Invoiced quantity unit of measure code (BT-130)."),
	FATAL("BR-24", br_24, "Each Invoice line (BG-25) shall have an Invoice line net amount (BT-131)."),
	FATAL("BR-25", br_25, "Each Invoice line (BG-25) shall contain the Item name (BT-153)."),
	FATAL("BR-26", br_26, "Each Invoice line (BG-25) shall contain the Item net price (BT-146)."),
	FATAL("BR-27", br_27, "The Item net price (BT-146) shall NOT be negative."),
	FATAL("BR-28", br_28, "The Item gross price (BT-148) shall NOT be negative."),
	FATAL("BR-29", br_29, "If both Invoicing period start date (BT-73) and Invoicing period end date (BT-74) are given then the Invoicing period end date (BT-74) shall be later or equal to the Invoicing period start date (BT-73)."),
	FATAL("BR-30", br_30, "If both Invoice line period start date (BT-134) and Invoice line period end date (BT-135) are given then the Invoice line period end date (BT-135) shall be later or equal to the Invoice line period start date (BT-134)."),
	FATAL("BR-31", br_31, "Each Document level allowance (BG-20) shall have a Document level allowance amount (BT-92)."),
	FATAL("BR-32", br_32, "Each Document level allowance (BG-20) shall have a Document level allowance VAT category code (BT-95)."),
	FATAL("BR-33", br_33, "Each Document level allowance (BG-20) shall have a Document level allowance reason (BT-97) or a Document level allowance reason code (BT-98)."),
	FATAL("BR-36", br_36, "Each Document level charge (BG-21) shall have a Document level charge amount (BT-99)."),
	FATAL("BR-37", br_37, "Each Document level charge (BG-21) shall have a Document level charge VAT category code (BT-102)."),
	FATAL("BR-38", br_38, "Each Document level charge (BG-21) shall have a Document level charge reason (BT-104) or a Document level charge reason code (BT-105)."),
	FATAL("BR-41", br_41, "Each Invoice line allowance (BG-27) shall have an Invoice line allowance amount (BT-136)."),
	FATAL("BR-42", br_42, "Each Invoice line allowance (BG-27) shall have an Invoice line allowance reason (BT-139) or an Invoice line allowance reason code (BT-140)."),
	FATAL("BR-43", br_43, "Each Invoice line charge (BG-28) shall have an Invoice line charge amount (BT-141)."),
	FATAL("BR-44", br_44, "Each Invoice line charge shall have an Invoice line charge reason or an invoice line allowance reason code."),
	FATAL("BR-45", br_45, "Each VAT breakdown (BG-23) shall have a VAT category taxable amount (BT-116)."),
	FATAL("BR-46", br_46, "Each VAT breakdown (BG-23) shall have a VAT category tax amount (BT-117)."),
	FATAL("BR-47", br_47, "Each VAT breakdown (BG-23) shall be defined through a VAT category code (BT-118)."),
	FATAL("BR-48", br_48, "Each VAT breakdown (BG-23) shall have a VAT category rate (BT-119), except if the Invoice is not subject to VAT."),
	FATAL("BR-49", br_49, "A Payment instruction (BG-16) shall specify the Payment means type code (BT-81)."),
	FATAL("BR-50", br_50, "A Payment account identifier (BT-84) shall be present if Credit transfer (BG-17) information is provided in the Invoice."),
	WARNING("BR-51", br_51, "In accordance with card payments security standards an invoice should never include a full card primary account number (BT-87). At the moment PCI Security Standards Council has defined that the first 6 digits and last 4 digits are the maximum number of digits to be shown."),
	FATAL("BR-52", br_52, "Each Additional supporting document (BG-24) shall contain a Supporting document reference (BT-122)."),
	FATAL("BR-53", br_53, "If the VAT accounting currency code (BT-6) is present, then the Invoice total VAT amount in accounting currency (BT-111) shall be provided."),
	FATAL("BR-54", br_54, "Each Item attribute (BG-32) shall contain an Item attribute name (BT-160) and an Item attribute value (BT-161)."),
	FATAL("BR-55", br_55, "Each Preceding Invoice reference (BG-3) shall contain a Preceding Invoice reference (BT-25)."),
	FATAL("BR-56", br_56, "Each Seller tax representative party (BG-11) shall have a Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-57", br_57, "Each Deliver to address (BG-15) shall contain a Deliver to country code (BT-80)."),
	FATAL("BR-61", br_61, "If the Payment means type code (BT-81) means SEPA credit transfer, Local credit transfer or Non-SEPA international credit transfer, the Payment account identifier (BT-84) shall be present."),
	FATAL("BR-62", br_62, "The Seller electronic address (BT-34) shall have a Scheme identifier."),
	FATAL("BR-63", br_63, "The Buyer electronic address (BT-49) shall have a Scheme identifier."),
	FATAL("BR-64", br_64, "The Item standard identifier (BT-157) shall have a Scheme identifier."),
	FATAL("BR-65", br_65, "The Item classification identifier (BT-158) shall have a Scheme identifier."),
	FATAL("BR-66", br_66, "An Invoice shall contain maximum one Payment Card account (BG-18)."),
	FATAL("BR-67", br_67, "An Invoice shall contain maximum one Payment Mandate (BG-19)."),

	FATAL("BR-CO-03", br_co_03, "Value added tax point date (BT-7) and Value added tax point date code (BT-8) are mutually exclusive."),
	FATAL("BR-CO-04", br_co_04, "Each Invoice line (BG-25) shall be categorized with an Invoiced item VAT category code (BT-151)."),
	FATAL("BR-CO-05", br_co_05, "Document level allowance reason code (BT-98) and Document level allowance reason (BT-97) shall indicate the same type of allowance."),
	FATAL("BR-CO-06", br_co_06, "Document level charge reason code (BT-105) and Document level charge reason (BT-104) shall indicate the same type of charge."),
	FATAL("BR-CO-07", br_co_07, "Invoice line allowance reason code (BT-140) and Invoice line allowance reason (BT-139) shall indicate the same type of allowance reason."),
	FATAL("BR-CO-08", br_co_08, "Invoice line charge reason code (BT-145) and Invoice line charge reason (BT144) shall indicate the same type of charge reason."),
	FATAL("BR-CO-09", br_co_09, "The Seller VAT identifier (BT-31), the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48) shall have a prefix in accordance with ISO code ISO 3166-1 alpha-2 by which the country of issue may be identified. Nevertheless, Greece may use the prefix \xe2\x80\x98" "EL\xe2\x80\x99."),
	FATAL("BR-CO-10", br_co_10, "Sum of Invoice line net amount (BT-106) = \xce\xa3 Invoice line net amount (BT-131)."),
	FATAL("BR-CO-11", br_co_11, "Sum of allowances on document level (BT-107) = \xce\xa3 Document level allowance amount (BT-92)."),
	FATAL("BR-CO-12", br_co_12, "Sum of charges on document level (BT-108) = \xce\xa3 Document level charge amount (BT-99)."),
	FATAL("BR-CO-13", br_co_13, "Invoice total amount without VAT (BT-109) = \xce\xa3 Invoice line net amount (BT-131) - Sum of allowances on document level (BT-107) + Sum of charges on document level (BT-108)."),
	FATAL("BR-CO-14", br_co_14, "Invoice total VAT amount (BT-110) = \xce\xa3 VAT category tax amount (BT-117)."),
	FATAL("BR-CO-15", br_co_15, "Invoice total amount with VAT (BT-112) = Invoice total amount without VAT (BT-109) + Invoice total VAT amount (BT-110)."),
	FATAL("BR-CO-16", br_co_16, "Amount due for payment (BT-115) = Invoice total amount with VAT (BT-112) -Paid amount (BT-113) +Rounding amount (BT-114)."),
	FATAL("BR-CO-17", br_co_17, "VAT category tax amount (BT-117) = VAT category taxable amount (BT-116) x (VAT category rate (BT-119) / 100), rounded to two decimals."),
	FATAL("BR-CO-18", br_co_18, "An Invoice shall at least have one VAT breakdown group (BG-23)."),
	FATAL("BR-CO-19", br_co_19, "If Invoicing period (BG-14) is used, the Invoicing period start date (BT-73) or the Invoicing period end date (BT-74) shall be filled, or both."),
	FATAL("BR-CO-20", br_co_20, "If Invoice line period (BG-26) is used, the Invoice line period start date (BT-134) or the Invoice line period end date (BT-135) shall be filled, or both."),
	FATAL("BR-CO-21", br_co_21, "Each Document level allowance (BG-20) shall contain a Document level allowance reason (BT-97) or a Document level allowance reason code (BT-98), or both."),
	FATAL("BR-CO-22", br_co_22, "Each Document level charge (BG-21) shall contain a Document level charge reason (BT-104) or a Document level charge reason code (BT-105), or both."),
	FATAL("BR-CO-23", br_co_23, "Each Invoice line allowance (BG-27) shall contain an Invoice line allowance reason (BT-139) or an Invoice line allowance reason code (BT-140), or both."),
	FATAL("BR-CO-24", br_co_24, "Each Invoice line charge (BG-28) shall contain an Invoice line charge reason (BT-144) or an Invoice line charge reason code (BT-145), or both."),
	FATAL("BR-CO-25", br_co_25, "In case the Amount due for payment (BT-115) is positive, either the Payment due date (BT-9) or the Payment terms (BT-20) shall be present."),
	FATAL("BR-CO-26", br_co_26, "In order for the buyer to automatically identify a supplier, the Seller identifier (BT-29), the Seller legal registration identifier (BT-30) and/or the Seller VAT identifier (BT-31) shall be present."),

	FATAL("BR-DEC-01", br_dec_01, "The allowed maximum number of decimals for the Document level allowance amount (BT-92) is 2."),
	FATAL("BR-DEC-02", br_dec_02, "The allowed maximum number of decimals for the Document level allowance base amount (BT-93) is 2."),
	FATAL("BR-DEC-05", br_dec_05, "The allowed maximum number of decimals for the Document level charge amount (BT-99) is 2."),
	FATAL("BR-DEC-06", br_dec_06, "The allowed maximum number of decimals for the Document level charge base amount (BT-100) is 2."),
	FATAL("BR-DEC-09", br_dec_09, "The allowed maximum number of decimals for the Sum of Invoice line net amount (BT-106) is 2."),
	FATAL("BR-DEC-10", br_dec_10, "The allowed maximum number of decimals for the Sum of allowanced on document level (BT-107) is 2."),
	FATAL("BR-DEC-11", br_dec_11, "The allowed maximum number of decimals for the Sum of charges on document level (BT-108) is 2."),
	FATAL("BR-DEC-12", br_dec_12, "The allowed maximum number of decimals for the Invoice total amount without VAT (BT-109) is 2."),
	FATAL("BR-DEC-13", br_dec_13, "The allowed maximum number of decimals for the Invoice total VAT amount (BT-110) is 2."),
	FATAL("BR-DEC-14", br_dec_14, "The allowed maximum number of decimals for the Invoice total amount with VAT (BT-112) is 2."),
	FATAL("BR-DEC-15", br_dec_15, "The allowed maximum number of decimals for the Invoice total VAT amount in accounting currency (BT-111) is 2."),
	FATAL("BR-DEC-16", br_dec_16, "The allowed maximum number of decimals for the Paid amount (BT-113) is 2."),
	FATAL("BR-DEC-17", br_dec_17, "The allowed maximum number of decimals for the Rounding amount (BT-114) is 2."),
	FATAL("BR-DEC-18", br_dec_18, "The allowed maximum number of decimals for the Amount due for payment (BT-115) is 2."),
	FATAL("BR-DEC-19", br_dec_19, "The allowed maximum number of decimals for the VAT category taxable amount (BT-116) is 2."),
	FATAL("BR-DEC-20", br_dec_20, "The allowed maximum number of decimals for the VAT category tax amount (BT-117) is 2."),
	FATAL("BR-DEC-23", br_dec_23, "The allowed maximum number of decimals for the Invoice line net amount (BT-131) is 2."),
	FATAL("BR-DEC-24", br_dec_24, "The allowed maximum number of decimals for the Invoice line allowance amount (BT-136) is 2."),
	FATAL("BR-DEC-25", br_dec_25, "The allowed maximum number of decimals for the Invoice line allowance base amount (BT-137) is 2."),
	FATAL("BR-DEC-27", br_dec_27, "The allowed maximum number of decimals for the Invoice line charge amount (BT-141) is 2."),
	FATAL("BR-DEC-28", br_dec_28, "The allowed maximum number of decimals for the Invoice line charge base amount (BT-142) is 2."),

	FATAL("BR-S-01", br_s_01, "An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"Standard rated\" shall contain in the VAT breakdown (BG-23) at least one VAT category code (BT-118) equal with \"Standard rated\"."),
	FATAL("BR-S-02", br_s_02, "An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Standard rated\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-S-03", br_s_03, "An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Standard rated\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-S-04", br_s_04, "An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Standard rated\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-S-05", br_s_05, "In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Standard rated\" the Invoiced item VAT rate (BT-152) shall be greater than zero."),
	FATAL("BR-S-06", br_s_06, "In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Standard rated\" the Document level allowance VAT rate (BT-96) shall be greater than zero."),
	FATAL("BR-S-07", br_s_07, "In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Standard rated\" the Document level charge VAT rate (BT-103) shall be greater than zero."),
	FATAL("BR-S-08", br_s_08, "For each different value of VAT category rate (BT-119) where the VAT category code (BT-118) is \"Standard rated\", the VAT category taxable amount (BT-116) in a VAT breakdown (BG-23) shall equal the sum of Invoice line net amounts (BT-131) plus the sum of document level charge amounts (BT-99) minus the sum of document level allowance amounts (BT-92) where the VAT category code (BT-151, BT-102, BT-95) is \"Standard rated\" and the VAT rate (BT-152, BT-103, BT-96) equals the VAT category rate (BT-119)."),
	FATAL("BR-S-09", br_s_09, "The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where VAT category code (BT-118) is \"Standard rated\" shall equal the VAT category taxable amount (BT-116) multiplied by the VAT category rate (BT-119)."),
	FATAL("BR-S-10", br_s_10, "A VAT breakdown (BG-23) with VAT Category code (BT-118) \"Standard rate\" shall not have a VAT exemption reason code (BT-121) or VAT exemption reason text (BT-120)."),

	FATAL("BR-Z-01", br_z_01, "An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"Zero rated\" shall contain in the VAT breakdown (BG-23) exactly one VAT category code (BT-118) equal with \"Zero rated\"."),
	FATAL("BR-Z-02", br_z_02, "An Invoice that contains an Invoice line where the Invoiced item VAT category code (BT-151) is \"Zero rated\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-Z-03", br_z_03, "An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Zero rated\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-Z-04", br_z_04, "An Invoice that contains a Document level charge where the Document level charge VAT category code (BT-102) is \"Zero rated\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-Z-05", br_z_05, "In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Zero rated\" the Invoiced item VAT rate (BT-152) shall be 0 (zero)."),
	FATAL("BR-Z-06", br_z_06, "In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Zero rated\" the Document level allowance VAT rate (BT-96) shall be 0 (zero)."),
	FATAL("BR-Z-07", br_z_07, "In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Zero rated\" the Document level charge VAT rate (BT-103) shall be 0 (zero)."),
	FATAL("BR-Z-08", br_z_08, "In a VAT breakdown (BG-23) where VAT category code (BT-118) is \"Zero rated\" the VAT category taxable amount (BT-116) shall equal the sum of Invoice line net amount (BT-131) minus the sum of Document level allowance amounts (BT-92) plus the sum of Document level charge amounts (BT-99) where the VAT category codes (BT-151, BT-95, BT-102) are \"Zero rated\"."),
	FATAL("BR-Z-09", br_z_09, "The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where VAT category code (BT-118) is \"Zero rated\" shall equal 0 (zero)."),
	FATAL("BR-Z-10", br_z_10, "A VAT breakdown (BG-23) with VAT Category code (BT-118) \"Zero rated\" shall not have a VAT exemption reason code (BT-121) or VAT exemption reason text (BT-120)."),

	FATAL("BR-E-01", br_e_01, "An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"Exempt from VAT\" shall contain exactly one VAT breakdown (BG-23) with the VAT category code (BT-118) equal to \"Exempt from VAT\"."),
	FATAL("BR-E-02", br_e_02, "An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Exempt from VAT\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-E-03", br_e_03, "An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Exempt from VAT\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-E-04", br_e_04, "An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Exempt from VAT\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-E-05", br_e_05, "In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Exempt from VAT\", the Invoiced item VAT rate (BT-152) shall be 0 (zero)."),
	FATAL("BR-E-06", br_e_06, "In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Exempt from VAT\", the Document level allowance VAT rate (BT-96) shall be 0 (zero)."),
	FATAL("BR-E-07", br_e_07, "In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Exempt from VAT\", the Document level charge VAT rate (BT-103) shall be 0 (zero)."),
	FATAL("BR-E-08", br_e_08, "In a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Exempt from VAT\" the VAT category taxable amount (BT-116) shall equal the sum of Invoice line net amounts (BT-131) minus the sum of Document level allowance amounts (BT-92) plus the sum of Document level charge amounts (BT-99) where the VAT category codes (BT-151, BT-95, BT-102) are \"Exempt from VAT\"."),
	FATAL("BR-E-09", br_e_09, "The VAT category tax amount (BT-117) In a VAT breakdown (BG-23) where the VAT category code (BT-118) equals \"Exempt from VAT\" shall equal 0 (zero)."),
	FATAL("BR-E-10", br_e_10, "A VAT breakdown (BG-23) with VAT Category code (BT-118) \"Exempt from VAT\" shall have a VAT exemption reason code (BT-121) or a VAT exemption reason text (BT-120)."),

	FATAL("BR-AE-01", br_ae_01, "An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"Reverse charge\" shall contain in the VAT Breakdown (BG-23) exactly one VAT category code (BT-118) equal with \"VAT reverse charge\"."),
	FATAL("BR-AE-02", br_ae_02, "An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Reverse charge\" shall contain the Seller VAT Identifier (BT-31), the Seller Tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48) and/or the Buyer legal registration identifier (BT-47)."),
	FATAL("BR-AE-03", br_ae_03, "An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Reverse charge\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48) and/or the Buyer legal registration identifier (BT-47)."),
	FATAL("BR-AE-04", br_ae_04, "An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Reverse charge\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48) and/or the Buyer legal registration identifier (BT-47)."),
	FATAL("BR-AE-05", br_ae_05, "In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Reverse charge\" the Invoiced item VAT rate (BT-152) shall be 0 (zero)."),
	FATAL("BR-AE-06", br_ae_06, "In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Reverse charge\" the Document level allowance VAT rate (BT-96) shall be 0 (zero)."),
	FATAL("BR-AE-07", br_ae_07, "In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Reverse charge\" the Document level charge VAT rate (BT-103) shall be 0 (zero)."),
	FATAL("BR-AE-08", br_ae_08, "In a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Reverse charge\" the VAT category taxable amount (BT-116) shall equal the sum of Invoice line net amounts (BT-131) minus the sum of Document level allowance amounts (BT-92) plus the sum of Document level charge amounts (BT-99) where the VAT category codes (BT-151, BT-95, BT-102) are \"Reverse charge\"."),
	FATAL("BR-AE-09", br_ae_09, "The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Reverse charge\" shall be 0 (zero)."),
	FATAL("BR-AE-10", br_ae_10, "A VAT breakdown (BG-23) with VAT Category code (BT-118) \"Reverse charge\" shall have a VAT exemption reason code (BT-121), meaning \"Reverse charge\" or the VAT exemption reason text (BT-120) \"Reverse charge\" (or the equivalent standard text in another language)."),

	FATAL("BR-IC-01", br_ic_01, "An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"Intra-community supply\" shall contain in the VAT breakdown (BG-23) exactly one VAT category code (BT-118) equal with \"Intra-community supply\"."),
	FATAL("BR-IC-02", br_ic_02, "An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Intra-community supply\" shall contain the Seller VAT Identifier (BT-31) or the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48)."),
	FATAL("BR-IC-03", br_ic_03, "An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Intra-community supply\" shall contain the Seller VAT Identifier (BT-31) or the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48)."),
	FATAL("BR-IC-04", br_ic_04, "An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Intra-community supply\" shall contain the Seller VAT Identifier (BT-31) or the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48)."),
	FATAL("BR-IC-05", br_ic_05, "In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Intracommunity supply\" the Invoiced item VAT rate (BT-152) shall be 0 (zero)."),
	FATAL("BR-IC-06", br_ic_06, "In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Intra-community supply\" the Document level allowance VAT rate (BT-96) shall be 0 (zero)."),
	FATAL("BR-IC-07", br_ic_07, "In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Intra-community supply\" the Document level charge VAT rate (BT-103) shall be 0 (zero)."),
	FATAL("BR-IC-08", br_ic_08, "In a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Intra-community supply\" the VAT category taxable amount (BT-116) shall equal the sum of Invoice line net amounts (BT-131) minus the sum of Document level allowance amounts (BT-92) plus the sum of Document level charge amounts (BT-99) where the VAT category codes (BT-151, BT-95, BT-102) are \"Intra-community supply\"."),
	FATAL("BR-IC-09", br_ic_09, "The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Intra-community supply\" shall be 0 (zero)."),
	FATAL("BR-IC-10", br_ic_10, "A VAT breakdown (BG-23) with the VAT Category code (BT-118) \"Intra-community supply\" shall have a VAT exemption reason code (BT-121), meaning \"Intra-community supply\" or the VAT exemption reason text (BT-120) \"Intra-community supply\" (or the equivalent standard text in another language)."),
	FATAL("BR-IC-11", br_ic_11, "In an Invoice with a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Intra-community supply\" the Actual delivery date (BT-72) or the Invoicing period (BG-14) shall not be blank."),
	FATAL("BR-IC-12", br_ic_12, "In an Invoice with a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Intra-community supply\" the Deliver to country code (BT-80) shall not be blank."),

	FATAL("BR-G-01", br_g_01, "An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"Export outside the EU\" shall contain in the VAT breakdown (BG-23) exactly one VAT category code (BT-118) equal with \"Export outside the EU\"."),
	FATAL("BR-G-02", br_g_02, "An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Export outside the EU\" shall contain the Seller VAT Identifier (BT-31) or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-G-03", br_g_03, "An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Export outside the EU\" shall contain the Seller VAT Identifier (BT-31) or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-G-04", br_g_04, "An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Export outside the EU\" shall contain the Seller VAT Identifier (BT-31) or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-G-05", br_g_05, "In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Export outside the EU\" the Invoiced item VAT rate (BT-152) shall be 0 (zero)."),
	FATAL("BR-G-06", br_g_06, "In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Export outside the EU\" the Document level allowance VAT rate (BT-96) shall be 0 (zero)."),
	FATAL("BR-G-07", br_g_07, "In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Export outside the EU\" the Document level charge VAT rate (BT-103) shall be 0 (zero)."),
	FATAL("BR-G-08", br_g_08, "In a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Export outside the EU\" the VAT category taxable amount (BT-116) shall equal the sum of Invoice line net amounts (BT-131) minus the sum of Document level allowance amounts (BT-92) plus the sum of Document level charge amounts (BT-99) where the VAT category codes (BT-151, BT-95, BT-102) are \"Export outside the EU\"."),
	FATAL("BR-G-09", br_g_09, "The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Export outside the EU\" shall be 0 (zero)."),
	FATAL("BR-G-10", br_g_10, "A VAT breakdown (BG-23) with the VAT Category code (BT-118) \"Export outside the EU\" shall have a VAT exemption reason code (BT-121), meaning \"Export outside the EU\" or the VAT exemption reason text (BT-120) \"Export outside the EU\" (or the equivalent standard text in another language)."),

	FATAL("BR-O-01", br_o_01, "An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"Not subject to VAT\" shall contain exactly one VAT breakdown group (BG-23) with the VAT category code (BT-118) equal to \"Not subject to VAT\"."),
	FATAL("BR-O-02", br_o_02, "An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Not subject to VAT\" shall not contain the Seller VAT identifier (BT-31), the Seller tax representative VAT identifier (BT-63) or the Buyer VAT identifier (BT-48)."),
	FATAL("BR-O-03", br_o_03, "An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Not subject to VAT\" shall not contain the Seller VAT identifier (BT-31), the Seller tax representative VAT identifier (BT-63) or the Buyer VAT identifier (BT-48)."),
	FATAL("BR-O-04", br_o_04, "An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Not subject to VAT\" shall not contain the Seller VAT identifier (BT-31), the Seller tax representative VAT identifier (BT-63) or the Buyer VAT identifier (BT-48)."),
	FATAL("BR-O-05", br_o_05, "An Invoice line (BG-25) where the VAT category code (BT-151) is \"Not subject to VAT\" shall not contain an Invoiced item VAT rate (BT-152)."),
	FATAL("BR-O-06", br_o_06, "A Document level allowance (BG-20) where VAT category code (BT-95) is \"Not subject to VAT\" shall not contain a Document level allowance VAT rate (BT-96)."),
	FATAL("BR-O-07", br_o_07, "A Document level charge (BG-21) where the VAT category code (BT-102) is \"Not subject to VAT\" shall not contain a Document level charge VAT rate (BT-103)."),
	FATAL("BR-O-08", br_o_08, "In a VAT breakdown (BG-23) where the VAT category code (BT-118) is \" Not subject to VAT\" the VAT category taxable amount (BT-116) shall equal the sum of Invoice line net amounts (BT-131) minus the sum of Document level allowance amounts (BT-92) plus the sum of Document level charge amounts (BT-99) where the VAT category codes (BT-151, BT-95, BT-102) are \"Not subject to VAT\"."),
	FATAL("BR-O-09", br_o_09, "The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Not subject to VAT\" shall be 0 (zero)."),
	FATAL("BR-O-10", br_o_10, "A VAT breakdown (BG-23) with VAT Category code (BT-118) \" Not subject to VAT\" shall have a VAT exemption reason code (BT-121), meaning \" Not subject to VAT\" or a VAT exemption reason text (BT-120) \" Not subject to VAT\" (or the equivalent standard text in another language)."),
	FATAL("BR-O-11", br_o_11, "An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) \"Not subject to VAT\" shall not contain other VAT breakdown groups (BG-23)."),
	FATAL("BR-O-12", br_o_12, "An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) \"Not subject to VAT\" shall not contain an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is not \"Not subject to VAT\"."),
	FATAL("BR-O-13", br_o_13, "An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) \"Not subject to VAT\" shall not contain Document level allowances (BG-20) where Document level allowance VAT category code (BT-95) is not \"Not subject to VAT\"."),
	FATAL("BR-O-14", br_o_14, "An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) \"Not subject to VAT\" shall not contain Document level charges (BG-21) where Document level charge VAT category code (BT-102) is not \"Not subject to VAT\"."),

	FATAL("BR-AF-01", br_af_01, "An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"IGIC\" shall contain in the VAT breakdown (BG-23) at least one VAT category code (BT-118) equal with \"IGIC\"."),
	FATAL("BR-AF-02", br_af_02, "An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"IGIC\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-AF-03", br_af_03, "An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"IGIC\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-AF-04", br_af_04, "An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"IGIC\" shall contain the Seller VAT Identifier (BT-31), the Seller Tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-AF-05", br_af_05, "In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"IGIC\" the invoiced item VAT rate (BT-152) shall be 0 (zero) or greater than zero."),
	FATAL("BR-AF-06", br_af_06, "In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"IGIC\" the Document level allowance VAT rate (BT-96) shall be 0 (zero) or greater than zero."),
	FATAL("BR-AF-07", br_af_07, "In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"IGIC\" the Document level charge VAT rate (BT-103) shall be 0 (zero) or greater than zero."),
	FATAL("BR-AF-08", br_af_08, "For each different value of VAT category rate (BT-119) where the VAT category code (BT-118) is \"IGIC\", the VAT category taxable amount (BT-116) in a VAT breakdown (BG-23) shall equal the sum of Invoice line net amounts (BT-131) plus the sum of document level charge amounts (BT-99) minus the sum of document level allowance amounts (BT-92) where the VAT category code (BT-151, BT-102, BT-95) is \"IGIC\" and the VAT rate (BT-152, BT-103, BT-96) equals the VAT category rate (BT-119)."),
	FATAL("BR-AF-09", br_af_09, "The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where VAT category code (BT-118) is \"IGIC\" shall equal the VAT category taxable amount (BT-116) multiplied by the VAT category rate (BT-119)."),
	FATAL("BR-AF-10", br_af_10, "A VAT breakdown (BG-23) with VAT Category code (BT-118) \"IGIC\" shall not have a VAT exemption reason code (BT-121) or VAT exemption reason text (BT-120)."),

	FATAL("BR-AG-01", br_ag_01, "An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"IPSI\" shall contain in the VAT breakdown (BG-23) at least one VAT category code (BT-118) equal with \"IPSI\"."),
	FATAL("BR-AG-02", br_ag_02, "An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"IPSI\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-AG-03", br_ag_03, "An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"IPSI\" shall contain the Seller VAT Identifier (BT-31), the Seller Tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-AG-04", br_ag_04, "An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"IPSI\" shall contain the Seller VAT Identifier (BT-31), the Seller Tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63)."),
	FATAL("BR-AG-05", br_ag_05, "In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"IPSI\" the Invoiced item VAT rate (BT-152) shall be 0 (zero) or greater than zero."),
	FATAL("BR-AG-06", br_ag_06, "In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"IPSI\" the Document level allowance VAT rate (BT-96) shall be 0 (zero) or greater than zero."),
	FATAL("BR-AG-07", br_ag_07, "In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"IPSI\" the Document level charge VAT rate (BT-103) shall be 0 (zero) or greater than zero."),
	FATAL("BR-AG-08", br_ag_08, "For each different value of VAT category rate (BT-119) where the VAT category code (BT-118) is \"IPSI\", the VAT category taxable amount (BT-116) in a VAT breakdown (BG-23) shall equal the sum of Invoice line net amounts (BT-131) plus the sum of document level charge amounts (BT-99) minus the sum of document level allowance amounts (BT-92) where the VAT category code (BT-151, BT-102, BT-95) is \"IPSI\" and the VAT rate (BT-152, BT-103, BT-96) equals the VAT category rate (BT-119)."),
	FATAL("BR-AG-09", br_ag_09, "The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where VAT category code (BT-118) is \"IPSI\" shall equal the VAT category taxable amount (BT-116) multiplied by the VAT category rate (BT-119)."),
	FATAL("BR-AG-10", br_ag_10, "A VAT breakdown (BG-23) with VAT Category code (BT-118) \"IPSI\" shall not have a VAT exemption reason code (BT-121) or VAT exemption reason text (BT-120)."),

	FATAL("BR-B-01", br_b_01, "An Invoice where the VAT category code (BT-151, BT-95 or BT-102) is \xe2\x80\x9cSplit payment\xe2\x80\x9d shall be a domestic Italian invoice."),
	FATAL("BR-B-02", br_b_02, "An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \xe2\x80\x9cSplit payment\" shall not contain an invoice line (BG-25), a Document level allowance (BG-20) or  a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \xe2\x80\x9cStandard rated\xe2\x80\x9d."),

	FATAL("BR-CL-01", br_cl_01, "The document type code MUST be coded by the invoice and credit note related code lists of UNTDID 1001."),
	FATAL("BR-CL-03", br_cl_03, "currencyID MUST be coded using ISO code list 4217 alpha-3"),
	FATAL("BR-CL-04", br_cl_04, "Invoice currency code MUST be coded using ISO code list 4217 alpha-3"),
	FATAL("BR-CL-05", br_cl_05, "Tax currency code MUST be coded using ISO code list 4217 alpha-3"),
	FATAL("BR-CL-06", br_cl_06, "Value added tax point date code MUST be coded using a restriction of UNTDID 2005."),
	FATAL("BR-CL-07", br_cl_07, "Object identifier identification scheme identifier MUST be coded using a restriction of UNTDID 1153."),
	FATAL("BR-CL-08", br_cl_08, "Invoiced note subject code shall be coded using UNCL4451"),
	FATAL("BR-CL-10", br_cl_10, "Any identifier identification scheme identifier MUST be coded using one of the ISO 6523 ICD list."),
	FATAL("BR-CL-11", br_cl_11, "Any registration identifier identification scheme identifier MUST be coded using one of the ISO 6523 ICD list."),
	FATAL("BR-CL-13", br_cl_13, "Item classification identifier identification scheme identifier MUST be coded using one of the UNTDID 7143 list."),
	FATAL("BR-CL-14", br_cl_14, "Country codes in an invoice MUST be coded using ISO code list 3166-1"),
	FATAL("BR-CL-15", br_cl_15, "Country codes in an invoice MUST be coded using ISO code list 3166-1"),
	FATAL("BR-CL-16", br_cl_16, "Payment means in an invoice MUST be coded using UNCL4461 code list"),
	FATAL("BR-CL-17", br_cl_17, "Invoice tax categories MUST be coded using UNCL5305 code list"),
	FATAL("BR-CL-18", br_cl_18, "Invoice tax categories MUST be coded using UNCL5305 code list"),
	FATAL("BR-CL-19", br_cl_19, "Coded allowance reasons MUST belong to the UNCL 5189 code list"),
	FATAL("BR-CL-20", br_cl_20, "Coded charge reasons MUST belong to the UNCL 7161 code list"),
	FATAL("BR-CL-21", br_cl_21, "Item standard identifier scheme identifier MUST belong to the ISO 6523 ICD code list"),
	FATAL("BR-CL-22", br_cl_22, "Tax exemption reason code identifier scheme identifier MUST belong to the CEF VATEX code list"),
	FATAL("BR-CL-23", br_cl_23, "Unit code MUST be coded according to the UN/ECE Recommendation 20 with Rec 21 extension"),
	FATAL("BR-CL-24", br_cl_24, "For Mime code in attribute use MIMEMediaType."),
	FATAL("BR-CL-25", br_cl_25, "Endpoint identifier scheme identifier MUST belong to the CEF EAS code list"),
	FATAL("BR-CL-26", br_cl_26, "Delivery location identifier scheme identifier MUST belong to the ISO 6523 ICD code list"),
};

const size_t rules_en16931_count = sizeof(rules_en16931) / sizeof(rules_en16931[0]);
