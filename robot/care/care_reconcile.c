/*
 * care_reconcile.c - the reconciliation rules CARE-0xx: a claim on its own,
 * a claim against its invoice, a credit claim against the claim it
 * credits, and the join rules reported from outside.  See care.h; the
 * rules are documented in docs/care.md, their privacy in care_int.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "robot/care/care.h"
#include "robot/care/care_int.h"

/* ---- reconciliation ------------------------------------------------- */

typedef struct care_ctx {
	vctx v;                 /* the findings and the first failure */
	const claim *c;         /* the claim checked (the credit, for CREDIT) */
	const invoice *inv;     /* PAIR: its invoice */
	const claim *orig;      /* CREDIT: the claim it credits */
} care_ctx;

static void report(care_ctx *x, const care_rule *r, uint32_t line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void report(care_ctx *x, const care_rule *r, uint32_t line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* cut short, it still ends on a whole character (as vreport's own) */
	if (n >= (int)sizeof(msg))
		msg[text_utf8_cut(msg, strlen(msg))] = '\0';
	vreport(&x->v, &r->def, line, NULL, "%s", msg);
}

static dec amt(const claim_amount *a)
{
	return a->set ? a->v : dec_make(0, 0);
}

/*
 * |a - b| <= 1 SEK, the tolerance of the contract's sum rule (ÖR5): 0 when
 * within it, 1 when further apart (*diff is the distance), ULF_ERANGE when
 * the difference does not fit (*diff is not set; the caller reports the
 * amounts as out of range rather than as apart by some number).
 */
static int within_1_sek(dec a, dec b, dec *diff)
{
	int rc = dec_sub(diff, a, b);

	if (rc)
		return rc;
	*diff = dec_abs(*diff);
	return dec_cmp(*diff, dec_make(100, 2)) <= 0 ? 0 : 1;
}

/* The amounts a line may carry, for the rules that look at every one. */
static const struct {
	size_t off;
	const char *label;
} line_amounts[] = {
	{ offsetof(claim_line, drg_price), "DRG price" },
	{ offsetof(claim_line, outlier_time), "outlier payment for care time" },
	{ offsetof(claim_line, outlier_cost), "outlier payment for cost" },
	{ offsetof(claim_line, gross), "gross amount" },
	{ offsetof(claim_line, net), "net amount" },
	{ offsetof(claim_line, allowance), "allowance (VAT compensation)" },
	{ offsetof(claim_line, discount), "discount" },
	{ offsetof(claim_line, charge), "charge" },
	{ offsetof(claim_line, outpatient_fee), "outpatient fee" },
	{ offsetof(claim_line, outpatient_fee_paid), "outpatient fee paid" },
	{ offsetof(claim_line, inpatient_fee), "inpatient fee" },
};
#define NLINE_AMOUNTS (sizeof(line_amounts) / sizeof(line_amounts[0]))

static const claim_amount *line_amount(const claim_line *l, size_t i)
{
	return (const claim_amount *)(const void *)((const char *)l + line_amounts[i].off);
}

/* Calls fn for every amount of the claim with a label and the line (NULL
 * for the header). */
typedef void (*amount_fn)(care_ctx *x, const care_rule *r, const claim_line *l,
			  const char *label, const claim_amount *a);

static void each_amount(care_ctx *x, const care_rule *r, amount_fn fn)
{
	const claim *c = x->c;
	size_t i, k;

	if (c->payable.present)
		fn(x, r, NULL, "payable amount", &c->payable);
	for (i = 0; i < c->nlines; i++) {
		const claim_line *l = &c->lines[i];
		for (k = 0; k < NLINE_AMOUNTS; k++)
			if (line_amount(l, k)->present)
				fn(x, r, l, line_amounts[k].label, line_amount(l, k));
		for (k = 0; k < l->npsc; k++) {
			if (l->psc[k].price.present)
				fn(x, r, l, "patient-specific price", &l->psc[k].price);
			if (l->psc[k].total.present)
				fn(x, r, l, "patient-specific total", &l->psc[k].total);
		}
	}
}

/* CARE-001 */
static void check_structure(care_ctx *x, const care_rule *r)
{
	const inv_problem *p;

	for (p = x->c->problems; p; p = p->next)
		report(x, r, p->line, "%s", p->msg);
}

/* CARE-002 */
static void check_id(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c;
	char org[11];

	if (!c->id.v)
		return;   /* missing: CARE-001 */
	if (!care_is_claim_id(c->id.v)) {
		report(x, r, c->id.line, "the claim id '%.*s' is not ZVF + org number (10 digits)"
		       " + YYMM + a 6-digit counter (23 characters)", text_quote_len(c->id.v, 40),
		       c->id.v);
		return;
	}
	if (claim_party_org(&c->supplier, org) && strncmp(c->id.v + 3, org, 10) != 0)
		report(x, r, c->id.line, "the claim id %s carries org number %.10s, the supplier is %s",
		       c->id.v, c->id.v + 3, org);
}

/* CARE-003 */
static void check_type(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c;

	if (c->type_code.v && c->type == CLAIM_TYPE_OTHER)
		report(x, r, c->type_code.line, "typeOfInvoice '%.*s' is neither 380 nor 381",
		       text_quote_len(c->type_code.v, 20), c->type_code.v);
}

static void date_ok(care_ctx *x, const care_rule *r, const claim_line *l, const char *label,
		    const inv_text *t)
{
	if (!t->v || care_date_ok(t->v))
		return;
	if (l)
		report(x, r, t->line, "line %s: %s '%.*s' is not a date YYYYMMDD", lid(l), label,
		       text_quote_len(t->v, 20), t->v);
	else
		report(x, r, t->line, "%s '%.*s' is not a date YYYYMMDD", label,
		       text_quote_len(t->v, 20), t->v);
}

static void time_ok(care_ctx *x, const care_rule *r, const claim_line *l, const char *label,
		    const inv_text *t)
{
	if (!t->v || care_time_ok(t->v))
		return;
	if (l)
		report(x, r, t->line, "line %s: %s '%.*s' is not a time hhmmss", lid(l), label,
		       text_quote_len(t->v, 20), t->v);
	else
		report(x, r, t->line, "%s '%.*s' is not a time hhmmss", label,
		       text_quote_len(t->v, 20), t->v);
}

/* CARE-004 */
static void check_dates(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c;
	size_t i;

	date_ok(x, r, NULL, "issueDate", &c->issue_date);
	time_ok(x, r, NULL, "issueTime", &c->issue_time);
	date_ok(x, r, NULL, "invoiceDateOfIssue", &c->invoice_date);
	for (i = 0; i < c->nlines; i++) {
		const claim_line *l = &c->lines[i];
		date_ok(x, r, l, "careVisitDate", &l->visit_date);
		time_ok(x, r, l, "careVisitTime", &l->visit_time);
		date_ok(x, r, l, "careDischargeDate", &l->discharge_date);
		time_ok(x, r, l, "careDischargeTime", &l->discharge_time);
		date_ok(x, r, l, "invoicePeriod start", &l->period_start);
		date_ok(x, r, l, "invoicePeriod end", &l->period_end);
	}
}

static bool good_date(const inv_text *t)
{
	return t->v && care_date_ok(t->v);
}

/* CARE-005 */
static void check_date_order(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c;
	const bool issued = good_date(&c->issue_date);
	size_t i;

	for (i = 0; i < c->nlines; i++) {
		const claim_line *l = &c->lines[i];
		const inv_text *care[] = { &l->visit_date, &l->discharge_date,
					   &l->period_start, &l->period_end };
		const char *names[] = { "careVisitDate", "careDischargeDate",
					"invoicePeriod start", "invoicePeriod end" };
		size_t k;

		if (good_date(&l->visit_date) && good_date(&l->discharge_date) &&
		    strcmp(l->discharge_date.v, l->visit_date.v) < 0)
			report(x, r, l->discharge_date.line, "line %s: discharged %s, before the visit"
			       " or admission %s", lid(l), l->discharge_date.v, l->visit_date.v);
		if (good_date(&l->period_start) && good_date(&l->period_end) &&
		    strcmp(l->period_end.v, l->period_start.v) < 0)
			report(x, r, l->period_end.line, "line %s: invoice period ends %s, before it"
			       " starts %s", lid(l), l->period_end.v, l->period_start.v);
		if (!issued)
			continue;
		for (k = 0; k < sizeof(care) / sizeof(care[0]); k++)
			if (good_date(care[k]) && strcmp(care[k]->v, c->issue_date.v) > 0)
				report(x, r, care[k]->line, "line %s: %s %s is after the claim's"
				       " issue date %s", lid(l), names[k], care[k]->v, c->issue_date.v);
	}
}

static void currency_ok(care_ctx *x, const care_rule *r, const claim_line *l,
			const char *label, const claim_amount *a)
{
	const char *what = NULL, *bad;

	if (!a->currency || strcmp(a->currency, "SEK") != 0)
		what = "currency";
	else if (a->currency_system && strcmp(a->currency_system, CLAIM_OID_CURRENCY) != 0)
		what = "currency code system";
	if (!what)
		return;
	bad = or_dash(strcmp(what, "currency") == 0 ? a->currency : a->currency_system);
	if (l)
		report(x, r, a->line, "line %s: %s in %s '%.*s', not SEK (%s)", lid(l), label,
		       what, text_quote_len(bad, 20), bad, CLAIM_OID_CURRENCY);
	else
		report(x, r, a->line, "%s in %s '%.*s', not SEK (%s)", label, what,
		       text_quote_len(bad, 20), bad, CLAIM_OID_CURRENCY);
}

/* CARE-006 */
static void check_currency(care_ctx *x, const care_rule *r)
{
	each_amount(x, r, currency_ok);
}

static void positive_ok(care_ctx *x, const care_rule *r, const claim_line *l,
			const char *label, const claim_amount *a)
{
	char b[DEC_STR_MAX];

	if (!a->set || dec_sign(a->v) >= 0)
		return;
	if (l)
		report(x, r, a->line, "line %s: %s %s is negative", lid(l), label, fmt2(b, a->v));
	else
		report(x, r, a->line, "%s %s is negative", label, fmt2(b, a->v));
}

/* CARE-007 */
static void check_positive(care_ctx *x, const care_rule *r)
{
	each_amount(x, r, positive_ok);
}

/* CARE-008 */
static void check_line_ids(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c;
	const claim_line *prev = NULL;
	size_t i;

	for (i = 0; i < c->nlines; i++) {
		const claim_line *l = &c->lines[i];
		if (!l->id_ok)
			continue;   /* unreadable: CARE-001 */
		if (prev && l->id == prev->id)
			report(x, r, l->line_id.line, "line id %s appears twice", lid(l));
		else if (prev && l->id < prev->id)
			report(x, r, l->line_id.line, "line id %s follows %s: line ids must ascend",
			       lid(l), lid(prev));
		if (!prev || l->id > prev->id)
			prev = l;
	}
}

/* A patient-specific item's total, or count x price when no total is
 * written: 1 with *out set; 0 when neither can be known; ULF_ERANGE when
 * count x price does not fit (an item of unknown size, not a zero one). */
static int psc_total(dec *out, const claim_psc *p)
{
	int rc;

	if (p->total.set) {
		*out = p->total.v;
		return 1;
	}
	if (!p->count.set || !p->price.set)
		return 0;
	rc = dec_mul(out, p->count.v, p->price.v);
	return rc ? rc : 1;
}

/* CARE-009 */
static void check_psc(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c;
	char a[DEC_STR_MAX], b[DEC_STR_MAX], t[DEC_STR_MAX];
	size_t i, k;
	dec want;

	for (i = 0; i < c->nlines; i++) {
		const claim_line *l = &c->lines[i];
		for (k = 0; k < l->npsc; k++) {
			const claim_psc *p = &l->psc[k];
			if (!p->count.set || !p->price.set || !p->total.set)
				continue;
			if (dec_mul(&want, p->count.v, p->price.v)) {
				report(x, r, p->line, "line %s: %s x %s does not fit", lid(l),
				       fmt2(a, p->count.v), fmt2(b, p->price.v));
				continue;
			}
			if (dec_cmp(want, p->total.v) != 0) {
				dec_format(a, sizeof(a), p->count.v, 0);
				report(x, r, p->total.line, "line %s: patient-specific item %s: %s x %s ="
				       " %s, the total says %s", lid(l), or_dash(p->code.v), a,
				       fmt2(b, p->price.v), fmt2(t, want), fmt2(a, p->total.v));
			}
		}
	}
}

/* CARE-010 */
static void check_gross(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c;
	char a[DEC_STR_MAX], b[DEC_STR_MAX], d[DEC_STR_MAX], e[DEC_STR_MAX], f[DEC_STR_MAX],
	     g[DEC_STR_MAX];
	size_t i, k;

	for (i = 0; i < c->nlines; i++) {
		const claim_line *l = &c->lines[i];
		dec outliers, items = dec_make(0, 0), want, t;
		bool ok = true;

		if (!l->gross.set)
			continue;   /* missing or unreadable: CARE-001 */
		if (!l->has_drg && l->npsc == 0) {
			report(x, r, l->gross.line, "line %s: neither a DRG cost nor a patient-specific"
			       " item: the gross amount has nothing to come from", lid(l));
			continue;
		}
		ok = dec_add(&outliers, amt(&l->outlier_time), amt(&l->outlier_cost)) == 0;
		for (k = 0; ok && k < l->npsc; k++) {
			int known = psc_total(&t, &l->psc[k]);
			if (known < 0)
				ok = false;
			else if (known)
				ok = dec_add(&items, items, t) == 0;
		}
		ok = ok && dec_add(&want, amt(&l->drg_price), outliers) == 0 &&
		     dec_add(&want, want, items) == 0 &&
		     dec_sub(&want, want, amt(&l->outpatient_fee_paid)) == 0;
		if (!ok) {
			report(x, r, l->gross.line, "line %s: the amounts are too large to add", lid(l));
			continue;
		}
		if (dec_cmp(want, l->gross.v) != 0)
			report(x, r, l->gross.line, "line %s: gross amount %s, but DRG price %s +"
			       " outlier payments %s + patient-specific items %s - outpatient fee paid"
			       " %s = %s", lid(l), fmt2(a, l->gross.v), fmt2(b, amt(&l->drg_price)),
			       fmt2(d, outliers), fmt2(e, items), fmt2(f, amt(&l->outpatient_fee_paid)),
			       fmt2(g, want));
	}
}

/* CARE-011 */
static void check_net(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c;
	char a[DEC_STR_MAX], b[DEC_STR_MAX], d[DEC_STR_MAX], e[DEC_STR_MAX], f[DEC_STR_MAX],
	     g[DEC_STR_MAX];
	size_t i;

	for (i = 0; i < c->nlines; i++) {
		const claim_line *l = &c->lines[i];
		dec want;

		if (!l->gross.set || !l->net.set)
			continue;
		if (dec_add(&want, l->gross.v, amt(&l->charge)) ||
		    dec_sub(&want, want, amt(&l->allowance)) ||
		    dec_sub(&want, want, amt(&l->discount))) {
			report(x, r, l->net.line, "line %s: the amounts are too large to add", lid(l));
			continue;
		}
		if (dec_cmp(want, l->net.v) != 0)
			report(x, r, l->net.line, "line %s: net amount %s, but gross %s + charge %s -"
			       " allowance %s - discount %s = %s", lid(l), fmt2(a, l->net.v),
			       fmt2(b, l->gross.v), fmt2(d, amt(&l->charge)),
			       fmt2(e, amt(&l->allowance)), fmt2(f, amt(&l->discount)), fmt2(g, want));
	}
}

/* Sum of the lines' net amounts: 1 with *sum set; 0 when one is unreadable
 * (CARE-001 reports that); ULF_ERANGE when the sum does not fit. */
static int net_sum(const claim *c, dec *sum)
{
	size_t i;
	int rc;

	*sum = dec_make(0, 2);
	for (i = 0; i < c->nlines; i++) {
		if (!c->lines[i].net.set)
			return 0;
		if ((rc = dec_add(sum, *sum, c->lines[i].net.v)) != 0)
			return rc;
	}
	return 1;
}

/* CARE-012 */
static void check_sum(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c;
	char a[DEC_STR_MAX], b[DEC_STR_MAX], d[DEC_STR_MAX];
	dec sum, diff;
	int rc;

	if (!c->payable.set)
		return;
	rc = net_sum(c, &sum);
	if (rc == 0)
		return;
	if (rc < 0) {
		report(x, r, c->payable.line, "amounts out of range: the lines' net amounts are"
		       " too large to add up");
		return;
	}
	rc = within_1_sek(sum, c->payable.v, &diff);
	if (rc < 0)
		report(x, r, c->payable.line, "amounts out of range: the lines' net amounts add up"
		       " to %s, the payable amount is %s: too far apart to compare", fmt2(a, sum),
		       fmt2(b, c->payable.v));
	else if (rc)
		report(x, r, c->payable.line, "the lines' net amounts add up to %s, the payable"
		       " amount is %s: %s apart, at most 1.00 is allowed", fmt2(a, sum),
		       fmt2(b, c->payable.v), fmt2(d, diff));
}

/* CARE-013 */
static void check_patients(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c;
	size_t i;

	for (i = 0; i < c->npatients; i++) {
		const claim_patient *p = &c->patients[i];
		bool snr = claim_patient_is_snr(p);
		const char *kind = care_patient_id_kind(p);

		if ((!claim_patient_is_pnr(p) && !snr) || !p->identity.extension)
			continue;   /* reserve numbers have each region's format */
		/* the value itself never goes into the message */
		switch (care_pid_check(p->identity.extension, snr)) {
		case CARE_PID_OK:
			break;
		case CARE_PID_FORMAT:
			report(x, r, p->identity.line, "patient %zu: the %s is not 12 digits"
			       " YYYYMMDDNNNC", i + 1, kind);
			break;
		case CARE_PID_DATE:
			report(x, r, p->identity.line, "patient %zu: the %s holds no real birth date%s",
			       i + 1, kind, snr ? " (day + 60)" : "");
			break;
		case CARE_PID_CHECK:
			report(x, r, p->identity.line, "patient %zu: the %s's check digit is wrong",
			       i + 1, kind);
			break;
		}
	}
}

/* GS1 check digit of a 13-digit GLN. */
static bool gln_ok(const char *s)
{
	unsigned sum = 0;
	size_t i;

	if (!s || strlen(s) != 13 || !all_digits(s, 13))
		return false;
	for (i = 0; i < 12; i++)
		sum += (unsigned)(s[i] - '0') * (i % 2 ? 3u : 1u);
	return (10 - sum % 10) % 10 == (unsigned)(s[12] - '0');
}

static void party_ids(care_ctx *x, const care_rule *r, const claim_party *p, const char *role)
{
	char org[11];
	const char *gln;
	size_t i;

	if (!p->present)
		return;   /* CARE-001 */
	for (i = 0; i < p->nids; i++)
		if (p->ids[i].root && strcmp(p->ids[i].root, CLAIM_OID_GLN) == 0 &&
		    !gln_ok(p->ids[i].extension)) {
			gln = or_dash(p->ids[i].extension);
			report(x, r, p->ids[i].line, "the %s's GLN '%.*s' is not 13 digits with a"
			       " valid check digit", role, text_quote_len(gln, 20), gln);
		}
	if (!claim_party_org(p, org))
		report(x, r, p->line, "the %s has no org number (10 digits, root %s)", role,
		       CLAIM_OID_ORGNUMBER);
	else if (!care_org_ok(org))
		report(x, r, p->line, "the %s's org number %s fails its check digit", role, org);
}

/* CARE-014 */
static void check_parties(care_ctx *x, const care_rule *r)
{
	party_ids(x, r, &x->c->supplier, "supplier");
	party_ids(x, r, &x->c->customer, "customer");
}

/* CARE-015 */
static void check_credit_refs(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c;
	size_t i;

	if (c->type == CLAIM_TYPE_CREDIT) {
		if (!c->ref_claim.v || !*c->ref_claim.v)
			report(x, r, c->type_code.line, "a credit claim must name the claim it credits"
			       " (referenceToProcessClaimSpecificationId)");
		else if (!care_is_claim_id(c->ref_claim.v))
			report(x, r, c->ref_claim.line, "the credited claim '%.*s' is not a"
			       " fakturaunderlags-id", text_quote_len(c->ref_claim.v, 40), c->ref_claim.v);
		else if (c->id.v && strcmp(c->ref_claim.v, c->id.v) == 0)
			report(x, r, c->ref_claim.line, "the credit claim names itself as the claim"
			       " it credits");
		return;
	}
	if (c->type != CLAIM_TYPE_INVOICE)
		return;
	if (c->ref_claim.v)
		report(x, r, c->ref_claim.line, "an invoice claim (380) names a claim to credit"
		       " (referenceToProcessClaimSpecificationId): is it a credit (381)?");
	if (c->ref_invoice.v)
		report(x, r, c->ref_invoice.line, "an invoice claim (380) names an invoice to credit"
		       " (referenceToInvoice): is it a credit (381)?");
	for (i = 0; i < c->nlines; i++)
		if (c->lines[i].ref_line_id.v || c->lines[i].reason_for_credit.v)
			report(x, r, c->lines[i].line, "line %s: an invoice claim (380) line names a"
			       " credited line or a reason for credit", lid(&c->lines[i]));
}

/* CARE-016 */
static void check_credit_lines(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c;
	size_t i;

	if (c->type != CLAIM_TYPE_CREDIT)
		return;
	if (!c->ref_invoice.v || !*c->ref_invoice.v)
		report(x, r, c->type_code.line, "a credit claim should name the invoice it credits"
		       " (referenceToInvoice)");
	for (i = 0; i < c->nlines; i++) {
		const claim_line *l = &c->lines[i];
		const char *why = l->reason_for_credit.v;

		if (!l->ref_line_id.v)
			report(x, r, l->line, "line %s: names no credited line (referenceToLineId)",
			       lid(l));
		if (!why || strlen(why) != 1 || why[0] < '1' || why[0] > '9')
			report(x, r, l->line, "line %s: reasonForCredit %s%.*s%s is not a code 1-9",
			       lid(l), why ? "'" : "", text_quote_len(why ? why : "missing", 10),
			       why ? why : "missing", why ? "'" : "");
	}
}

static bool is_county(const char *s)
{
	static const char *const counties[] = {
		"01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14",
		"17", "18", "19", "20", "21", "22", "23", "24", "25", "99"
	};
	size_t i;

	for (i = 0; s && i < sizeof(counties) / sizeof(counties[0]); i++)
		if (strcmp(s, counties[i]) == 0)
			return true;
	return false;
}

/* CARE-017 */
static void check_home(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c;
	size_t i;

	for (i = 0; i < c->npatients; i++) {
		const claim_patient *p = &c->patients[i];
		const char *county = p->county.code, *mun = p->municipality.code;

		if (p->county.present && !is_county(county))
			report(x, r, p->county.line, "patient %zu: county '%.*s' is not a county code"
			       " (SCB, 2 digits; 99 for asylum seekers)", i + 1,
			       text_quote_len(or_dash(county), 10), or_dash(county));
		else if (p->municipality.present &&
			 (!mun || strlen(mun) != 4 || !all_digits(mun, 4) ||
			  strncmp(mun, county, 2) != 0))
			report(x, r, p->municipality.line, "patient %zu: municipality '%.*s' is not a"
			       " 4-digit code in county %s", i + 1, text_quote_len(or_dash(mun), 10),
			       or_dash(mun), county);
	}
}

static bool one_of(const char *s, const char *const *codes, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (strcmp(s, codes[i]) == 0)
			return true;
	return false;
}

/* CARE-018 */
static void check_codes(care_ctx *x, const care_rule *r)
{
	static const char *const price_lists[] = { "1", "2", "3", "4", "5", "6" };
	const claim *c = x->c;
	size_t i;

	for (i = 0; i < c->nlines; i++) {
		const claim_line *l = &c->lines[i];
		if (l->care_type.present && !care_type_name(l))
			report(x, r, l->care_type.line, "line %s: typeOfCare '%.*s' is neither 01"
			       " (outpatient) nor 02 (inpatient)", lid(l),
			       text_quote_len(or_dash(l->care_type.code), 10), or_dash(l->care_type.code));
		if (l->agreement.v && !care_agreement_name(&l->agreement))
			report(x, r, l->agreement.line, "line %s: typeOfAgreement '%.*s' is not 1"
			       " (riksavtal), 2 (regionavtal) or 3 (mellanlänsavtal)", lid(l),
			       text_quote_len(l->agreement.v, 10), l->agreement.v);
		if (l->price_list.v && !one_of(l->price_list.v, price_lists, 6))
			report(x, r, l->price_list.line, "line %s: priceList '%.*s' is not 1-6", lid(l),
			       text_quote_len(l->price_list.v, 10), l->price_list.v);
	}
}

/* ---- the claim against its invoice ---------------------------------- */

static bool invoice_is_credit(const invoice *inv)
{
	return inv->kind == INV_KIND_CREDIT_NOTE ||
	       (inv->type_code.v && strcmp(inv->type_code.v, "381") == 0);
}

/* CARE-020 */
static void check_payable(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c;
	const inv_amount *p = &x->inv->totals.payable;
	char a[DEC_STR_MAX], b[DEC_STR_MAX], d[DEC_STR_MAX];
	dec asked, diff;
	int rc;

	if (!c->payable.set)
		return;   /* CARE-001 */
	if (!p->set) {
		report(x, r, c->payable.line, "invoice %s states no payable amount to compare",
		       or_dash(x->inv->id.v));
		return;
	}
	/* claims are written positive; a credit note may carry either sign */
	asked = invoice_is_credit(x->inv) ? dec_abs(p->v) : p->v;
	rc = within_1_sek(asked, c->payable.v, &diff);
	if (rc < 0)
		report(x, r, c->payable.line, "amounts out of range: invoice %s asks %s, the claim"
		       " specifies %s: too far apart to compare", or_dash(x->inv->id.v),
		       fmt2(a, p->v), fmt2(b, c->payable.v));
	else if (rc)
		report(x, r, c->payable.line, "invoice %s asks %s, the claim specifies %s: %s apart,"
		       " at most 1.00 is allowed", or_dash(x->inv->id.v), fmt2(a, p->v),
		       fmt2(b, c->payable.v), fmt2(d, diff));
}

/* CARE-021 */
static void check_pair_type(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c;
	bool credit = invoice_is_credit(x->inv);

	if (c->type == CLAIM_TYPE_INVOICE && credit)
		report(x, r, c->type_code.line, "an invoice claim (380) with a credit note (%s)",
		       or_dash(x->inv->id.v));
	else if (c->type == CLAIM_TYPE_CREDIT && !credit)
		report(x, r, c->type_code.line, "a credit claim (381) with an invoice (%s, type %s)",
		       or_dash(x->inv->id.v), or_dash(x->inv->type_code.v));
}

/* CARE-022 */
static void check_refs(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c;
	const invoice *inv = x->inv;
	care_keys ik;
	char iso[11];

	if (c->invoice_id.v && *c->invoice_id.v && inv->id.v && strcmp(c->invoice_id.v, inv->id.v))
		report(x, r, c->invoice_id.line, "the claim is for invoice %.*s, the invoice is %.*s",
		       text_quote_len(c->invoice_id.v, 40), c->invoice_id.v,
		       text_quote_len(inv->id.v, 40), inv->id.v);
	if (good_date(&c->invoice_date) && inv->issue_date.v) {
		snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", c->invoice_date.v,
			 c->invoice_date.v + 4, c->invoice_date.v + 6);
		if (strcmp(iso, inv->issue_date.v) != 0)
			report(x, r, c->invoice_date.line, "the claim dates the invoice %s, the invoice"
			       " is dated %.*s", iso, text_quote_len(inv->issue_date.v, 20),
			       inv->issue_date.v);
	}
	care_invoice_keys(&ik, inv);
	if (ik.claim_id[0] && c->id.v && care_is_claim_id(c->id.v) && strcmp(ik.claim_id, c->id.v))
		report(x, r, c->id.line, "invoice %s names claim %s, this claim is %s",
		       or_dash(inv->id.v), ik.claim_id, c->id.v);
}

/* CARE-023 */
static void check_credit_ref(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c;
	const invoice *inv = x->inv;
	size_t i;

	if (c->type != CLAIM_TYPE_CREDIT || !c->ref_invoice.v || !*c->ref_invoice.v ||
	    inv->npreceding == 0)
		return;
	for (i = 0; i < inv->npreceding; i++)
		if (inv->preceding[i].id.v && strcmp(inv->preceding[i].id.v, c->ref_invoice.v) == 0)
			return;
	report(x, r, c->ref_invoice.line, "the claim credits invoice %.*s, credit note %s"
	       " refers to %.*s", text_quote_len(c->ref_invoice.v, 40), c->ref_invoice.v,
	       or_dash(inv->id.v), text_quote_len(or_dash(inv->preceding[0].id.v), 40),
	       or_dash(inv->preceding[0].id.v));
}

static void same_party(care_ctx *x, const care_rule *r, const claim_party *cp,
		       const inv_party *ip, const char *claim_role, const char *inv_role)
{
	char a[11], b[11];

	if (!claim_party_org(cp, a))
		return;   /* CARE-014 */
	if (!care_party_org(ip, b))
		report(x, r, cp->line, "the invoice's %s has no org number to compare with the"
		       " claim's %s %s", inv_role, claim_role, a);
	else if (strcmp(a, b) != 0)
		report(x, r, cp->line, "the claim's %s is %s, the invoice's %s is %s", claim_role,
		       a, inv_role, b);
}

/* CARE-024 */
static void check_seller(care_ctx *x, const care_rule *r)
{
	same_party(x, r, &x->c->supplier, &x->inv->seller, "supplier", "seller");
}

/* CARE-025 */
static void check_buyer(care_ctx *x, const care_rule *r)
{
	same_party(x, r, &x->c->customer, &x->inv->buyer, "customer", "buyer");
}

/* CARE-026 */
static void check_inv_currency(care_ctx *x, const care_rule *r)
{
	const inv_text *cur = &x->inv->currency;

	if (!cur->v || strcmp(cur->v, "SEK") != 0)
		report(x, r, cur->line, "invoice %s is in %s, care is invoiced in SEK",
		       or_dash(x->inv->id.v), cur->v ? cur->v : "no stated currency");
}

/* ---- a credit against its original ---------------------------------- */

static const claim_line *find_line(const claim *c, uint64_t id)
{
	size_t i;

	for (i = 0; i < c->nlines; i++)
		if (c->lines[i].id_ok && c->lines[i].id == id)
			return &c->lines[i];
	return NULL;
}

static bool same_patient(const claim *a, const claim_line *la, const claim *b,
			 const claim_line *lb)
{
	const claim_ii *pa = &a->patients[la->patient].identity;
	const claim_ii *pb = &b->patients[lb->patient].identity;

	return pa->extension && pb->extension && strcmp(pa->extension, pb->extension) == 0 &&
	       (!pa->root || !pb->root || strcmp(pa->root, pb->root) == 0);
}

/* CARE-027 */
static void check_reduces(care_ctx *x, const care_rule *r)
{
	const claim *c = x->c, *o = x->orig;
	char a[DEC_STR_MAX], b[DEC_STR_MAX], oa[11], ob[11];
	size_t i;

	if (!o->id.v || !c->ref_claim.v || strcmp(o->id.v, c->ref_claim.v) != 0) {
		report(x, r, c->ref_claim.line, "the credit names claim %.*s, the claim given is"
		       " %.*s", text_quote_len(or_dash(c->ref_claim.v), 40), or_dash(c->ref_claim.v),
		       text_quote_len(or_dash(o->id.v), 40), or_dash(o->id.v));
		return;
	}
	if (o->type != CLAIM_TYPE_INVOICE)
		report(x, r, c->ref_claim.line, "claim %s, which this credits, is not an invoice"
		       " claim (380)", o->id.v);
	if (claim_party_org(&c->supplier, oa) && claim_party_org(&o->supplier, ob) && strcmp(oa, ob))
		report(x, r, c->supplier.line, "the credit's supplier %s is not the supplier %s of"
		       " claim %s", oa, ob, o->id.v);
	if (claim_party_org(&c->customer, oa) && claim_party_org(&o->customer, ob) && strcmp(oa, ob))
		report(x, r, c->customer.line, "the credit's customer %s is not the customer %s of"
		       " claim %s", oa, ob, o->id.v);
	for (i = 0; i < c->nlines; i++) {
		const claim_line *l = &c->lines[i], *ol;

		if (!l->ref_ok)
			continue;   /* CARE-016 */
		ol = find_line(o, l->ref_id);
		if (!ol) {
			report(x, r, l->ref_line_id.line, "line %s credits line %s, which claim %s does"
			       " not have", lid(l), l->ref_line_id.v, o->id.v);
			continue;
		}
		if (!same_patient(c, l, o, ol))
			report(x, r, l->ref_line_id.line, "line %s credits line %s of claim %s, which"
			       " is another patient's (patient %zu there, %zu here)", lid(l), lid(ol),
			       o->id.v, ol->patient + 1, l->patient + 1);
		if (l->net.set && ol->net.set && dec_cmp(l->net.v, ol->net.v) > 0)
			report(x, r, l->net.line, "line %s credits %s, more than the %s line %s of"
			       " claim %s was invoiced", lid(l), fmt2(a, l->net.v), fmt2(b, ol->net.v),
			       lid(ol), o->id.v);
	}
	if (c->payable.set && o->payable.set && dec_cmp(c->payable.v, o->payable.v) > 0)
		report(x, r, c->payable.line, "the credit of %s exceeds the %s claim %s was for",
		       fmt2(a, c->payable.v), fmt2(b, o->payable.v), o->id.v);
}

/* ---- the table ------------------------------------------------------ */

#define FATAL VFLAG_FATAL
#define WARN VFLAG_WARNING
#define R(id, flag, scope, fn, text) { { id, flag, text, NULL }, scope, fn }

const care_rule rules_care[] = {
	R("CARE-001", FATAL, CARE_SCOPE_CLAIM, check_structure,
	  "The claim must follow the schema: every required element present and every value readable."),
	R("CARE-002", FATAL, CARE_SCOPE_CLAIM, check_id,
	  "The claim id must be a fakturaunderlags-id: ZVF, the supplier's org number, YYMM and a 6-digit counter (23 characters)."),
	R("CARE-003", FATAL, CARE_SCOPE_CLAIM, check_type,
	  "typeOfInvoice must be 380 (invoice) or 381 (credit)."),
	R("CARE-004", FATAL, CARE_SCOPE_CLAIM, check_dates,
	  "Dates must be real calendar dates written YYYYMMDD, times hhmmss."),
	R("CARE-005", FATAL, CARE_SCOPE_CLAIM, check_date_order,
	  "Care dates must be in order: no discharge before the visit, no period ending before it starts, nothing after the claim's issue date."),
	R("CARE-006", FATAL, CARE_SCOPE_CLAIM, check_currency,
	  "Every amount must be in SEK (code SEK, code system 1.0.4217)."),
	R("CARE-007", FATAL, CARE_SCOPE_CLAIM, check_positive,
	  "Amounts are written positive; a credit is a claim of type 381, not a negative amount."),
	R("CARE-008", FATAL, CARE_SCOPE_CLAIM, check_line_ids,
	  "Line ids must be unique and ascending through the claim."),
	R("CARE-009", FATAL, CARE_SCOPE_CLAIM, check_psc,
	  "A patient-specific item's total must be its number times its price."),
	R("CARE-010", FATAL, CARE_SCOPE_CLAIM, check_gross,
	  "Gross = DRG price + outlier payments (care time, cost) + patient-specific totals - outpatient fee paid."),
	R("CARE-011", FATAL, CARE_SCOPE_CLAIM, check_net,
	  "Net = gross + charge - allowance - discount."),
	R("CARE-012", FATAL, CARE_SCOPE_CLAIM, check_sum,
	  "The lines' net amounts must add up to the claim's payable amount, within 1 SEK."),
	R("CARE-013", FATAL, CARE_SCOPE_CLAIM, check_patients,
	  "A personnummer or samordningsnummer must be 12 digits with a real birth date (samordningsnummer: day + 60) and a valid check digit."),
	R("CARE-014", FATAL, CARE_SCOPE_CLAIM, check_parties,
	  "Supplier and customer must each be identified by a 10-digit, Luhn-valid org number (a GLN of 13 digits may come second)."),
	R("CARE-015", FATAL, CARE_SCOPE_CLAIM, check_credit_refs,
	  "A credit claim (381) must name the claim it credits; an invoice claim (380) carries no credit references."),
	R("CARE-016", WARN, CARE_SCOPE_CLAIM, check_credit_lines,
	  "A credit claim should name the invoice it credits and, per line, the line credited and a reason for credit 1-9."),
	R("CARE-017", FATAL, CARE_SCOPE_CLAIM, check_home,
	  "The patient's county must be an SCB county code and the municipality a 4-digit code within it."),
	R("CARE-018", FATAL, CARE_SCOPE_CLAIM, check_codes,
	  "The codes booking depends on must be known: typeOfCare 01/02, typeOfAgreement 1/2/3, priceList 1-6."),
	R("CARE-020", FATAL, CARE_SCOPE_PAIR, check_payable,
	  "The invoice's payable amount must equal the claim's payable amount, within 1 SEK."),
	R("CARE-021", FATAL, CARE_SCOPE_PAIR, check_pair_type,
	  "An invoice claim (380) goes with an invoice, a credit claim (381) with a credit note."),
	R("CARE-022", FATAL, CARE_SCOPE_PAIR, check_refs,
	  "Claim and invoice must name each other alike: the invoice number and date the claim states, the claim id the invoice states."),
	R("CARE-023", FATAL, CARE_SCOPE_PAIR, check_credit_ref,
	  "The invoice a credit claim credits must be the one the credit note refers to."),
	R("CARE-024", FATAL, CARE_SCOPE_PAIR, check_seller,
	  "The claim's supplier must be the invoice's seller (org number)."),
	R("CARE-025", FATAL, CARE_SCOPE_PAIR, check_buyer,
	  "The claim's customer must be the invoice's buyer (org number)."),
	R("CARE-026", FATAL, CARE_SCOPE_PAIR, check_inv_currency,
	  "A care invoice must be in SEK."),
	R("CARE-027", FATAL, CARE_SCOPE_CREDIT, check_reduces,
	  "A credit claim reduces the claim it names: same parties, credited lines that exist there, for the same patient, by no more than they were invoiced."),
	R("CARE-030", FATAL, CARE_SCOPE_JOIN, NULL,
	  "A claim or invoice whose partner has not arrived within the configured wait is an exception."),
	R("CARE-031", FATAL, CARE_SCOPE_JOIN, NULL,
	  "A second claim or invoice with the join keys of one already held is a duplicate: an exception, never a silent replacement."),
	R("CARE-032", WARN, CARE_SCOPE_JOIN, NULL,
	  "The claim a credit claim names is not known, so CARE-027 could not be checked."),
};

const size_t rules_care_count = sizeof(rules_care) / sizeof(rules_care[0]);

const care_rule *care_rule_find(const char *id)
{
	size_t i;

	for (i = 0; id && i < rules_care_count; i++)
		if (strcmp(rules_care[i].def.id, id) == 0)
			return &rules_care[i];
	return NULL;
}

static int run(care_ctx *x, care_scope scope, ulf_err *err)
{
	size_t i;

	for (i = 0; i < rules_care_count && !x->v.rc; i++)
		if (rules_care[i].scope == scope && rules_care[i].check)
			rules_care[i].check(x, &rules_care[i]);
	if (x->v.rc)
		return ulf_err_set(err, x->v.rc, "out of memory while reconciling a care claim");
	return 0;
}

static void ctx_init(care_ctx *x, findings *out, const claim *c)
{
	memset(x, 0, sizeof(*x));
	x->v.out = out;
	x->c = c;
}

int care_check_claim(findings *out, const claim *c, ulf_err *err)
{
	care_ctx x;

	ctx_init(&x, out, c);
	return run(&x, CARE_SCOPE_CLAIM, err);
}

int care_check_pair(findings *out, const claim *c, const invoice *inv, ulf_err *err)
{
	care_ctx x;

	ctx_init(&x, out, c);
	x.inv = inv;
	x.v.inv = inv;
	return run(&x, CARE_SCOPE_PAIR, err);
}

int care_check_credit(findings *out, const claim *credit, const claim *original,
		      ulf_err *err)
{
	care_ctx x;

	ctx_init(&x, out, credit);
	x.orig = original;
	return run(&x, CARE_SCOPE_CREDIT, err);
}

/* Reports a join rule (no check function of its own). */
static int report_join(findings *out, const char *id, uint32_t line, ulf_err *err,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int report_join(findings *out, const char *id, uint32_t line, ulf_err *err,
		       const char *fmt, ...)
{
	const care_rule *r = care_rule_find(id);
	char msg[512];
	care_ctx x;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(msg))
		msg[text_utf8_cut(msg, strlen(msg))] = '\0';
	ctx_init(&x, out, NULL);
	vreport(&x.v, &r->def, line, NULL, "%s", msg);
	if (x.v.rc)
		return ulf_err_set(err, x.v.rc, "out of memory while reporting %s", id);
	return 0;
}

/* "claim ZVF..." or "invoice 123 from 2321000024" for join messages. */
static void describe(char *buf, size_t n, bool is_claim, const care_keys *k)
{
	if (is_claim && k->claim_id[0])
		snprintf(buf, n, "claim %s", k->claim_id);
	else if (is_claim)
		snprintf(buf, n, "claim for invoice %s from %s", or_dash(k->invoice_number),
			 or_dash(k->seller_org));
	else
		snprintf(buf, n, "invoice %s from %s", or_dash(k->invoice_number),
			 or_dash(k->seller_org));
}

int care_report_expired(findings *out, bool waiting_is_claim, const care_keys *k,
			long waited_days, long wait_days, ulf_err *err)
{
	char who[160];

	describe(who, sizeof(who), waiting_is_claim, k);
	return report_join(out, "CARE-030", 0, err, "%s: its %s was not received within %ld"
			   " days (waited %ld)", who,
			   waiting_is_claim ? "invoice" : "claim specification", wait_days,
			   waited_days);
}

int care_report_duplicate(findings *out, bool is_claim, const care_keys *k,
			  const char *first, ulf_err *err)
{
	char who[160];

	describe(who, sizeof(who), is_claim, k);
	return report_join(out, "CARE-031", 0, err, "%s arrived a second time (first: %s)", who,
			   or_dash(first));
}

int care_report_original_missing(findings *out, const claim *credit, ulf_err *err)
{
	return report_join(out, "CARE-032", credit->ref_claim.line, err,
			   "the credited claim %.*s is not known: the credit could not be"
			   " checked against it", text_quote_len(or_dash(credit->ref_claim.v), 40),
			   or_dash(credit->ref_claim.v));
}
