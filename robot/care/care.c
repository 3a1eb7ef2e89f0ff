/*
 * care.c - joining claims with invoices, reconciling them, masking patient
 * identities.  See care.h; the rules are documented in docs/care.md.
 *
 * Privacy is enforced here by construction: no function in this file puts
 * a patient identity, LMA or EU card number into a finding, an error
 * message or a rendering, except the renderers when the caller passes
 * unmask.  Patients are "patient N" (position in the claim), lines are
 * their lineId.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pnr.h"
#include "robot/care/care.h"

/* ---- identifiers ---------------------------------------------------- */

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool care_luhn(const char *digits, size_t n)
{
	unsigned sum = 0;
	size_t i;

	if (n == 0 || !all_digits(digits, n))
		return false;
	/* from the right: the check digit as is, every second one doubled */
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(digits[n - 1 - i] - '0');
		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

bool care_org_ok(const char *s)
{
	return s && strlen(s) == 10 && care_luhn(s, 10);
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

bool care_is_claim_id(const char *s)
{
	int month;

	if (!s || strlen(s) != CARE_CLAIM_ID_LEN || strncmp(s, "ZVF", 3) != 0 ||
	    !all_digits(s + 3, CARE_CLAIM_ID_LEN - 3))
		return false;
	month = (s[15] - '0') * 10 + (s[16] - '0');
	return month >= 1 && month <= 12;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

static int num(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* y, m, d of "YYYYMMDD" when it is a real date; day_offset is subtracted
 * from the day first (60 for samordningsnummer). */
static bool split_date(const char *s, int day_offset, int *y, int *m, int *d)
{
	if (!s || strlen(s) < 8 || !all_digits(s, 8))
		return false;
	*y = num(s, 4);
	*m = num(s + 4, 2);
	*d = num(s + 6, 2) - day_offset;
	return *y >= 1800 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= days_in_month(*y, *m);
}

bool care_date_ok(const char *s)
{
	int y, m, d;

	return s && strlen(s) == 8 && split_date(s, 0, &y, &m, &d);
}

bool care_time_ok(const char *s)
{
	return s && strlen(s) == 6 && all_digits(s, 6) && num(s, 2) <= 23 &&
	       num(s + 2, 2) <= 59 && num(s + 4, 2) <= 59;
}

care_pid_result care_pid_check(const char *s, bool samordning)
{
	int y, m, d;

	if (!s || strlen(s) != 12 || !all_digits(s, 12))
		return CARE_PID_FORMAT;
	if (!split_date(s, samordning ? 60 : 0, &y, &m, &d))
		return CARE_PID_DATE;
	/* the check digit covers YYMMDDNNN: the century is not part of it */
	return care_luhn(s + 2, 10) ? CARE_PID_OK : CARE_PID_CHECK;
}

const char *care_mask_pid(char *buf, size_t n, const char *pid)
{
	/* one masked form for claims and free text alike: core/pnr.h */
	return pnr_mask_value(buf, n, pid);
}

const char *care_patient_id(char *buf, size_t n, const claim_patient *p, bool unmask)
{
	const char *v = p->identity.extension;

	if (unmask) {
		snprintf(buf, n, "%s", v ? v : "");
		return buf;
	}
	if (claim_patient_is_pnr(p) || claim_patient_is_snr(p))
		return care_mask_pid(buf, n, v);
	/* a reserve number has a format of each region's own: hide it whole */
	snprintf(buf, n, "****");
	return buf;
}

const char *care_patient_id_kind(const claim_patient *p)
{
	if (claim_patient_is_pnr(p))
		return "personnummer";
	if (claim_patient_is_snr(p))
		return "samordningsnummer";
	return "reserve number";
}

const char *care_agreement_name(const inv_text *agreement)
{
	const char *s = agreement->v;

	if (!s || !*s)
		return "none";
	if (strcmp(s, "1") == 0)
		return "riksavtal";
	if (strcmp(s, "2") == 0)
		return "regionavtal";
	if (strcmp(s, "3") == 0)
		return "mellanlansavtal";
	return NULL;
}

const char *care_type_name(const claim_line *l)
{
	const char *s = l->care_type.code;

	if (s && strcmp(s, "01") == 0)
		return "outpatient";
	if (s && strcmp(s, "02") == 0)
		return "inpatient";
	return NULL;
}

/* ---- dates ---------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so no time zone or libc calendar is involved. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int care_parse_date(int64_t *out, const char *s)
{
	char d8[9];
	int y, m, d;

	if (!s)
		return ULF_EINVAL;
	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
		memcpy(d8, s, 4);
		memcpy(d8 + 4, s + 5, 2);
		memcpy(d8 + 6, s + 8, 2);
		d8[8] = '\0';
		s = d8;
	}
	if (strlen(s) != 8 || !split_date(s, 0, &y, &m, &d))
		return ULF_EINVAL;
	*out = days_from_civil(y, m, d) * 86400;
	return 0;
}

/* ---- the join ------------------------------------------------------- */

static void copy_key(char *dst, size_t n, const char *src)
{
	if (src && strlen(src) < n)
		memcpy(dst, src, strlen(src) + 1);
	else
		dst[0] = '\0';
}

/* The 10 digits of an org number written "5592117310", "559211-7310", or
 * as a Swedish VAT number "SE559211731001". */
static bool org_of(const char *s, char out[11])
{
	size_t k = 0, len;

	if (!s)
		return false;
	len = strlen(s);
	if (len == 14 && (s[0] == 'S' || s[0] == 's') && (s[1] == 'E' || s[1] == 'e') &&
	    all_digits(s + 2, 12) && s[12] == '0' && s[13] == '1') {
		memcpy(out, s + 2, 10);
		out[10] = '\0';
		return true;
	}
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			if (k == 10)
				return false;
			out[k++] = *s;
		} else if (!(*s == '-' && k == 6)) {
			return false;
		}
	}
	out[k] = '\0';
	return k == 10;
}

static bool scheme_is(const char *scheme, const char *want)
{
	return scheme && strcmp(scheme, want) == 0;
}

/* An invoice party's org number, from the most to the least proper field. */
static bool party_org(const inv_party *p, char out[11])
{
	size_t i;

	if (org_of(p->legal_id.v, out))
		return true;
	if (scheme_is(p->endpoint.scheme, "0007") && org_of(p->endpoint.v, out))
		return true;
	for (i = 0; i < p->nids; i++)
		if (scheme_is(p->ids[i].scheme, "0007") && org_of(p->ids[i].v, out))
			return true;
	if (org_of(p->tax_reg_id.v, out))
		return true;
	if (org_of(p->vat_id.v, out))
		return true;
	/* Svefaktura buyers often carry the org number as a bare identifier */
	for (i = 0; i < p->nids; i++)
		if (!p->ids[i].scheme && org_of(p->ids[i].v, out))
			return true;
	return false;
}

/* The first fakturaunderlags-id inside free text, or false. */
static bool scan_claim_id(const char *s, char out[CARE_CLAIM_ID_LEN + 1])
{
	const char *p;

	for (p = s ? strstr(s, "ZVF") : NULL; p; p = strstr(p + 1, "ZVF")) {
		memcpy(out, p, strnlen(p, CARE_CLAIM_ID_LEN));
		out[strnlen(p, CARE_CLAIM_ID_LEN)] = '\0';
		if (care_is_claim_id(out) && !(p[CARE_CLAIM_ID_LEN] >= '0' &&
					       p[CARE_CLAIM_ID_LEN] <= '9'))
			return true;
	}
	out[0] = '\0';
	return false;
}

static bool exact_claim_id(const char *s, char out[CARE_CLAIM_ID_LEN + 1])
{
	if (!care_is_claim_id(s))
		return false;
	memcpy(out, s, CARE_CLAIM_ID_LEN + 1);
	return true;
}

void care_claim_keys(care_keys *out, const claim *c)
{
	char org[11];

	memset(out, 0, sizeof(*out));
	if (care_is_claim_id(c->id.v))
		copy_key(out->claim_id, sizeof(out->claim_id), c->id.v);
	if (c->invoice_id.v && *c->invoice_id.v)
		copy_key(out->invoice_number, sizeof(out->invoice_number), c->invoice_id.v);
	else
		copy_key(out->invoice_number, sizeof(out->invoice_number),
			 c->envelope_document_id);
	if (claim_party_org(&c->supplier, org))
		copy_key(out->seller_org, sizeof(out->seller_org), org);
	else if (out->claim_id[0])
		snprintf(out->seller_org, sizeof(out->seller_org), "%.10s", out->claim_id + 3);
	else if (org_of(c->envelope_issuer_id, org))
		copy_key(out->seller_org, sizeof(out->seller_org), org);
}

void care_invoice_keys(care_keys *out, const invoice *inv)
{
	const inv_text *refs[] = {
		&inv->buyer_reference, &inv->contract_ref, &inv->order_ref, &inv->project_ref,
		&inv->buyer_accounting_ref, &inv->tender_ref,
	};
	char *id;
	char org[11];
	size_t i;

	memset(out, 0, sizeof(*out));
	id = out->claim_id;
	copy_key(out->invoice_number, sizeof(out->invoice_number), inv->id.v);
	if (party_org(&inv->seller, org))
		copy_key(out->seller_org, sizeof(out->seller_org), org);

	/* the proper place: a document reference (BG-24) or BT-18 */
	for (i = 0; i < inv->ndocs; i++)
		if (exact_claim_id(inv->docs[i].id.v, id))
			return;
	if (exact_claim_id(inv->invoiced_object.v, id))
		return;
	/* then the fields senders misuse, then any text */
	for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
		if (scan_claim_id(refs[i]->v, id))
			return;
	for (i = 0; i < inv->ndocs; i++)
		if (scan_claim_id(inv->docs[i].id.v, id) ||
		    scan_claim_id(inv->docs[i].description.v, id))
			return;
	for (i = 0; i < inv->nnotes; i++)
		if (scan_claim_id(inv->notes[i].text.v, id))
			return;
	for (i = 0; i < inv->nlines; i++)
		if (scan_claim_id(inv->lines[i].note.v, id) ||
		    scan_claim_id(inv->lines[i].item_name.v, id) ||
		    scan_claim_id(inv->lines[i].item_description.v, id))
			return;
	id[0] = '\0';
}

care_match care_keys_match(const care_keys *ck, const care_keys *ik)
{
	if (ck->claim_id[0] && ik->claim_id[0])
		return strcmp(ck->claim_id, ik->claim_id) == 0 ? CARE_MATCH_CLAIM_ID : CARE_NO_MATCH;
	if (ck->invoice_number[0] && ik->invoice_number[0] && ck->seller_org[0] &&
	    ik->seller_org[0] && strcmp(ck->invoice_number, ik->invoice_number) == 0 &&
	    strcmp(ck->seller_org, ik->seller_org) == 0)
		return CARE_MATCH_INVOICE_NUMBER;
	return CARE_NO_MATCH;
}

const char *care_match_name(care_match m)
{
	switch (m) {
	case CARE_MATCH_CLAIM_ID:       return "fakturaunderlags-id";
	case CARE_MATCH_INVOICE_NUMBER: return "invoice number and seller org number";
	case CARE_NO_MATCH:             break;
	}
	return "no match";
}

bool care_expired(int64_t arrived_at, int64_t now, long wait_days)
{
	if (wait_days < 0)
		wait_days = 0;
	return now - arrived_at > (int64_t)wait_days * 86400;
}

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

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vreport(&x->v, &r->def, line, NULL, "%s", msg);
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* A line's name in messages: its lineId as written, never the patient. */
static const char *lid(const claim_line *l)
{
	return l->line_id.v && *l->line_id.v ? l->line_id.v : "?";
}

static dec amt(const claim_amount *a)
{
	return a->set ? a->v : dec_make(0, 0);
}

static const char *fmt2(char buf[DEC_STR_MAX], dec v)
{
	dec_format(buf, DEC_STR_MAX, v, 2);
	return buf;
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
		report(x, r, c->id.line, "the claim id '%.40s' is not ZVF + org number (10 digits)"
		       " + YYMM + a 6-digit counter (23 characters)", c->id.v);
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
		report(x, r, c->type_code.line, "typeOfInvoice '%.20s' is neither 380 nor 381",
		       c->type_code.v);
}

static void date_ok(care_ctx *x, const care_rule *r, const claim_line *l, const char *label,
		    const inv_text *t)
{
	if (!t->v || care_date_ok(t->v))
		return;
	if (l)
		report(x, r, t->line, "line %s: %s '%.20s' is not a date YYYYMMDD", lid(l), label, t->v);
	else
		report(x, r, t->line, "%s '%.20s' is not a date YYYYMMDD", label, t->v);
}

static void time_ok(care_ctx *x, const care_rule *r, const claim_line *l, const char *label,
		    const inv_text *t)
{
	if (!t->v || care_time_ok(t->v))
		return;
	if (l)
		report(x, r, t->line, "line %s: %s '%.20s' is not a time hhmmss", lid(l), label, t->v);
	else
		report(x, r, t->line, "%s '%.20s' is not a time hhmmss", label, t->v);
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
	const char *what = NULL;

	if (!a->currency || strcmp(a->currency, "SEK") != 0)
		what = "currency";
	else if (a->currency_system && strcmp(a->currency_system, CLAIM_OID_CURRENCY) != 0)
		what = "currency code system";
	if (!what)
		return;
	if (l)
		report(x, r, a->line, "line %s: %s in %s '%.20s', not SEK (%s)", lid(l), label,
		       what, or_dash(strcmp(what, "currency") == 0 ? a->currency : a->currency_system),
		       CLAIM_OID_CURRENCY);
	else
		report(x, r, a->line, "%s in %s '%.20s', not SEK (%s)", label, what,
		       or_dash(strcmp(what, "currency") == 0 ? a->currency : a->currency_system),
		       CLAIM_OID_CURRENCY);
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

static void party_ids(care_ctx *x, const care_rule *r, const claim_party *p, const char *role)
{
	char org[11];
	size_t i;

	if (!p->present)
		return;   /* CARE-001 */
	for (i = 0; i < p->nids; i++)
		if (p->ids[i].root && strcmp(p->ids[i].root, CLAIM_OID_GLN) == 0 &&
		    !gln_ok(p->ids[i].extension))
			report(x, r, p->ids[i].line, "the %s's GLN '%.20s' is not 13 digits with a"
			       " valid check digit", role, or_dash(p->ids[i].extension));
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
			report(x, r, c->ref_claim.line, "the credited claim '%.40s' is not a"
			       " fakturaunderlags-id", c->ref_claim.v);
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
			report(x, r, l->line, "line %s: reasonForCredit %s%.10s%s is not a code 1-9",
			       lid(l), why ? "'" : "", why ? why : "missing", why ? "'" : "");
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
			report(x, r, p->county.line, "patient %zu: county '%.10s' is not a county code"
			       " (SCB, 2 digits; 99 for asylum seekers)", i + 1, or_dash(county));
		else if (p->municipality.present &&
			 (!mun || strlen(mun) != 4 || !all_digits(mun, 4) ||
			  strncmp(mun, county, 2) != 0))
			report(x, r, p->municipality.line, "patient %zu: municipality '%.10s' is not a"
			       " 4-digit code in county %s", i + 1, or_dash(mun), county);
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
			report(x, r, l->care_type.line, "line %s: typeOfCare '%.10s' is neither 01"
			       " (outpatient) nor 02 (inpatient)", lid(l), or_dash(l->care_type.code));
		if (l->agreement.v && !care_agreement_name(&l->agreement))
			report(x, r, l->agreement.line, "line %s: typeOfAgreement '%.10s' is not 1"
			       " (riksavtal), 2 (regionavtal) or 3 (mellanlänsavtal)", lid(l),
			       l->agreement.v);
		if (l->price_list.v && !one_of(l->price_list.v, price_lists, 6))
			report(x, r, l->price_list.line, "line %s: priceList '%.10s' is not 1-6", lid(l),
			       l->price_list.v);
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
		report(x, r, c->invoice_id.line, "the claim is for invoice %.40s, the invoice is %.40s",
		       c->invoice_id.v, inv->id.v);
	if (good_date(&c->invoice_date) && inv->issue_date.v) {
		snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", c->invoice_date.v,
			 c->invoice_date.v + 4, c->invoice_date.v + 6);
		if (strcmp(iso, inv->issue_date.v) != 0)
			report(x, r, c->invoice_date.line, "the claim dates the invoice %s, the invoice"
			       " is dated %.20s", iso, inv->issue_date.v);
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
	report(x, r, c->ref_invoice.line, "the claim credits invoice %.40s, credit note %s"
	       " refers to %.40s", c->ref_invoice.v, or_dash(inv->id.v),
	       or_dash(inv->preceding[0].id.v));
}

static void same_party(care_ctx *x, const care_rule *r, const claim_party *cp,
		       const inv_party *ip, const char *claim_role, const char *inv_role)
{
	char a[11], b[11];

	if (!claim_party_org(cp, a))
		return;   /* CARE-014 */
	if (!party_org(ip, b))
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
		report(x, r, c->ref_claim.line, "the credit names claim %.40s, the claim given is"
		       " %.40s", or_dash(c->ref_claim.v), or_dash(o->id.v));
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

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
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
			   "the credited claim %.40s is not known: the credit could not be"
			   " checked against it", or_dash(credit->ref_claim.v));
}

/* ---- rendering ------------------------------------------------------ */

/*
 * The JSON renderers build with the checked setters: a value that cannot
 * be stored (out of memory, text that is not UTF-8) fails the rendering
 * with the key named, rather than leaving a field out or null.  JSET runs
 * one setter in a function with `int rc`, `ulf_err *err` and an `out:`
 * label.
 */
#define JSET(call, key) \
	do { \
		if ((rc = (call)) != 0) { \
			ujson_error(err, rc, (key)); \
			goto out; \
		} \
	} while (0)

/* A container that could not be allocated. */
static int no_memory(ulf_err *err)
{
	return ulf_err_set(err, ULF_ENOMEM, "out of memory");
}

/* An amount as "1234.50", or null when absent. */
static int set_amount(ujson *o, const char *key, const claim_amount *a)
{
	char buf[DEC_STR_MAX];

	return ujson_set_str(o, key, a->set ? fmt2(buf, a->v) : NULL);
}

/* A coded value's code (or its text when it has none); NULL when absent. */
static const char *cv_text(const claim_cv *v)
{
	return v->present ? (v->code ? v->code : v->original_text) : NULL;
}

/* A tri-state flag: true, false, or null when unknown (v < 0). */
static int set_flag(ujson *o, const char *key, int v)
{
	return v < 0 ? ujson_set_new(o, key, NULL) : ujson_set_bool(o, key, v == 1);
}

/* A count as written ("3"), or null when absent. */
static int set_count(ujson *o, const char *key, const inv_num *n)
{
	char buf[DEC_STR_MAX];

	if (!n->set)
		return ujson_set_new(o, key, NULL);
	dec_format(buf, sizeof(buf), n->v, 0);
	return ujson_set_str(o, key, buf);
}

/* o[key] = the codes of v[0..n) as an array. */
static int set_cvs(ujson *o, const char *key, const claim_cv *v, size_t n, ulf_err *err)
{
	ujson *arr = ujson_array();
	size_t i;
	int rc = 0;

	if (!arr)
		return no_memory(err);
	for (i = 0; i < n; i++)
		if ((rc = ujson_append_str(arr, cv_text(&v[i]))) != 0) {
			ujson_free(arr);
			return ujson_error(err, rc, key);
		}
	JSET(ujson_set_new(o, key, arr), key);
out:
	return rc;
}

/* o[key] = a diagnosis {main, secondary}, or null when absent. */
static int set_diagnosis(ujson *o, const char *key, const claim_diagnosis *d, ulf_err *err)
{
	ujson *dx;
	int rc = 0;

	if (!d->present)
		return ujson_error(err, ujson_set_new(o, key, NULL), key);
	dx = ujson_object();
	if (!dx)
		return no_memory(err);
	JSET(ujson_set_str(dx, "main", cv_text(&d->main)), "main");
	rc = set_cvs(dx, "secondary", d->bi, d->nbi, err);
	if (rc)
		goto out;
	rc = ujson_set_new(o, key, dx);
	dx = NULL;   /* taken, whatever the outcome */
	if (rc)
		ujson_error(err, rc, key);
out:
	ujson_free(dx);
	return rc;
}

/* A value that links to a patient: "****" unless unmask; NULL stays NULL. */
static const char *hidden(const char *v, bool unmask)
{
	return v && !unmask ? "****" : v;
}

static int psc_json(ujson **out, const claim_psc *p, ulf_err *err)
{
	ujson *e = ujson_object();
	int rc = 0;

	*out = NULL;
	if (!e)
		return no_memory(err);
	JSET(ujson_set_str(e, "code", p->code.v), "code");
	JSET(ujson_set_str(e, "name", p->name.v), "name");
	JSET(set_count(e, "number", &p->count), "number");
	JSET(set_amount(e, "price", &p->price), "price");
	JSET(set_amount(e, "total", &p->total), "total");
	*out = e;
	e = NULL;
out:
	ujson_free(e);
	return rc;
}

static int line_json(ujson **out, const claim_line *l, bool unmask, ulf_err *err)
{
	ujson *o = ujson_object(), *arr = NULL, *e;
	size_t k;
	int rc = 0;

	*out = NULL;
	if (!o)
		return no_memory(err);
	JSET(ujson_set_str(o, "line_id", l->line_id.v), "line_id");
	JSET(ujson_set_int(o, "patient", (int64_t)l->patient + 1), "patient");
	/* the care contact and referral ids point into the patient's record */
	JSET(ujson_set_str(o, "care_contact_id", hidden(l->care_contact_id.v, unmask)),
	     "care_contact_id");
	JSET(ujson_set_str(o, "credits_line", l->ref_line_id.v), "credits_line");
	JSET(ujson_set_str(o, "reason_for_credit", l->reason_for_credit.v), "reason_for_credit");
	JSET(ujson_set_str(o, "agreement", care_agreement_name(&l->agreement)), "agreement");
	JSET(ujson_set_str(o, "agreement_code", l->agreement.v), "agreement_code");
	JSET(ujson_set_str(o, "chapter", l->chapter.v), "chapter");
	JSET(ujson_set_str(o, "referral", hidden(l->remittance_number.v, unmask)), "referral");
	JSET(ujson_set_str(o, "care", care_type_name(l)), "care");
	JSET(ujson_set_str(o, "care_code", l->care_type.code), "care_code");
	JSET(set_flag(o, "planned", l->planned), "planned");
	JSET(set_flag(o, "public_care", l->public_care), "public_care");
	JSET(ujson_set_str(o, "visit_date", l->visit_date.v), "visit_date");
	JSET(ujson_set_str(o, "discharge_date", l->discharge_date.v), "discharge_date");
	JSET(ujson_set_str(o, "period_start", l->period_start.v), "period_start");
	JSET(ujson_set_str(o, "period_end", l->period_end.v), "period_end");
	JSET(set_count(o, "days_in_care", &l->days_in_care), "days_in_care");
	JSET(ujson_set_str(o, "care_unit_id", l->unit_id.extension), "care_unit_id");
	JSET(ujson_set_str(o, "care_unit", l->unit_name.v), "care_unit");
	JSET(ujson_set_str(o, "profession", l->profession.v), "profession");
	JSET(ujson_set_str(o, "medical_field", l->medical_field.v), "medical_field");
	JSET(ujson_set_str(o, "care_level", l->care_level.v), "care_level");
	JSET(ujson_set_str(o, "product_category", l->product_category.v), "product_category");
	JSET(ujson_set_str(o, "price_list", l->price_list.v), "price_list");
	JSET(ujson_set_str(o, "drg_code", l->has_drg ? cv_text(&l->drg_code) : NULL), "drg_code");
	JSET(set_amount(o, "drg_price", &l->drg_price), "drg_price");
	JSET(set_amount(o, "outlier_care_time", &l->outlier_time), "outlier_care_time");
	JSET(set_amount(o, "outlier_cost", &l->outlier_cost), "outlier_cost");
	arr = ujson_array();
	if (!arr) {
		rc = no_memory(err);
		goto out;
	}
	for (k = 0; k < l->npsc; k++) {
		if ((rc = psc_json(&e, &l->psc[k], err)) != 0)
			goto out;
		JSET(ujson_append_new(arr, e), "patient_specific");
	}
	rc = ujson_set_new(o, "patient_specific", arr);
	arr = NULL;   /* taken, whatever the outcome */
	JSET(rc, "patient_specific");
	JSET(set_amount(o, "gross", &l->gross), "gross");
	JSET(set_amount(o, "net", &l->net), "net");
	JSET(set_amount(o, "charge", &l->charge), "charge");
	JSET(set_amount(o, "allowance", &l->allowance), "allowance");
	JSET(set_amount(o, "discount", &l->discount), "discount");
	JSET(set_amount(o, "outpatient_fee", &l->outpatient_fee), "outpatient_fee");
	JSET(set_amount(o, "outpatient_fee_paid", &l->outpatient_fee_paid), "outpatient_fee_paid");
	JSET(set_amount(o, "inpatient_fee", &l->inpatient_fee), "inpatient_fee");
	/* health data: only for the handler who asked to see the patient */
	if (unmask) {
		if ((rc = set_diagnosis(o, "inpatient_diagnosis", &l->inpatient_dx, err)) != 0 ||
		    (rc = set_diagnosis(o, "outpatient_diagnosis", &l->outpatient_dx, err)) != 0 ||
		    (rc = set_cvs(o, "procedures", l->procedures, l->nprocedures, err)) != 0 ||
		    (rc = set_cvs(o, "atc", l->atc, l->natc, err)) != 0)
			goto out;
	}
	*out = o;
	o = NULL;
out:
	ujson_free(arr);
	ujson_free(o);
	return rc;
}

static int patient_json(ujson **out, const claim *c, size_t i, bool unmask, ulf_err *err)
{
	const claim_patient *p = &c->patients[i];
	ujson *o = ujson_object(), *arr = NULL;
	char id[64];
	size_t k;
	int rc = 0;

	*out = NULL;
	if (!o)
		return no_memory(err);
	JSET(ujson_set_int(o, "patient", (int64_t)i + 1), "patient");
	JSET(ujson_set_str(o, "identity", care_patient_id(id, sizeof(id), p, unmask)), "identity");
	JSET(ujson_set_str(o, "identity_kind", care_patient_id_kind(p)), "identity_kind");
	JSET(ujson_set_bool(o, "masked", !unmask), "masked");
	JSET(ujson_set_str(o, "county", p->county.code), "county");
	JSET(ujson_set_str(o, "municipality", p->municipality.code), "municipality");
	JSET(ujson_set_str(o, "gender", p->gender.code), "gender");
	JSET(ujson_set_str(o, "listing_region", p->listing.extension), "listing_region");
	if (p->lma_card.v)
		JSET(ujson_set_str(o, "lma_card", hidden(p->lma_card.v, unmask)), "lma_card");
	if (p->eu_card.v)
		JSET(ujson_set_str(o, "eu_card", hidden(p->eu_card.v, unmask)), "eu_card");
	arr = ujson_array();
	if (!arr) {
		rc = no_memory(err);
		goto out;
	}
	for (k = 0; k < p->nlines; k++)
		JSET(ujson_append_str(arr, c->lines[p->first_line + k].line_id.v), "lines");
	rc = ujson_set_new(o, "lines", arr);
	arr = NULL;   /* taken, whatever the outcome */
	JSET(rc, "lines");
	*out = o;
	o = NULL;
out:
	ujson_free(arr);
	ujson_free(o);
	return rc;
}

int care_claim_json(ujson **out, const claim *c, const char *file, bool unmask, ulf_err *err)
{
	ujson *o = ujson_object(), *arr = NULL, *e;
	char org[11];
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!o)
		return no_memory(err);
	JSET(ujson_set_str(o, "file", file), "file");
	JSET(ujson_set_str(o, "document_type", "care-claim"), "document_type");
	JSET(ujson_set_str(o, "carrier", claim_carrier_name(c->carrier)), "carrier");
	JSET(ujson_set_str(o, "id", c->id.v), "id");
	JSET(ujson_set_str(o, "issue_date", c->issue_date.v), "issue_date");
	JSET(ujson_set_str(o, "type", claim_type_name(c->type)), "type");
	JSET(ujson_set_str(o, "type_code", c->type_code.v), "type_code");
	JSET(ujson_set_str(o, "invoice_number", c->invoice_id.v), "invoice_number");
	JSET(ujson_set_str(o, "invoice_date", c->invoice_date.v), "invoice_date");
	JSET(ujson_set_str(o, "credits_invoice", c->ref_invoice.v), "credits_invoice");
	JSET(ujson_set_str(o, "credits_claim", c->ref_claim.v), "credits_claim");
	JSET(set_amount(o, "payable", &c->payable), "payable");
	JSET(ujson_set_str(o, "currency", c->payable.currency), "currency");
	JSET(ujson_set_str(o, "supplier_org", claim_party_org(&c->supplier, org)), "supplier_org");
	JSET(ujson_set_str(o, "customer_org", claim_party_org(&c->customer, org)), "customer_org");
	if (c->logical_address.v)
		JSET(ujson_set_str(o, "logical_address", c->logical_address.v), "logical_address");
	if (c->envelope_document_id)
		JSET(ujson_set_str(o, "envelope_document_id", c->envelope_document_id),
		     "envelope_document_id");
	JSET(ujson_set_bool(o, "masked", !unmask), "masked");
	arr = ujson_array();
	if (!arr) {
		rc = no_memory(err);
		goto out;
	}
	for (i = 0; i < c->npatients; i++) {
		if ((rc = patient_json(&e, c, i, unmask, err)) != 0)
			goto out;
		JSET(ujson_append_new(arr, e), "patients");
	}
	rc = ujson_set_new(o, "patients", arr);
	arr = NULL;   /* taken, whatever the outcome */
	JSET(rc, "patients");
	arr = ujson_array();
	if (!arr) {
		rc = no_memory(err);
		goto out;
	}
	for (i = 0; i < c->nlines; i++) {
		if ((rc = line_json(&e, &c->lines[i], unmask, err)) != 0)
			goto out;
		JSET(ujson_append_new(arr, e), "lines");
	}
	rc = ujson_set_new(o, "lines", arr);
	arr = NULL;   /* taken, whatever the outcome */
	JSET(rc, "lines");
	*out = o;
	o = NULL;
out:
	ujson_free(arr);
	ujson_free(o);
	return rc;
}

static const char *amount_text(char buf[DEC_STR_MAX], const claim_amount *a)
{
	return a->set ? fmt2(buf, a->v) : "-";
}

void care_claim_text(FILE *out, const claim *c, const char *file, bool unmask)
{
	char a[DEC_STR_MAX], b[DEC_STR_MAX], org1[11], org2[11], id[64];
	size_t i, k;

	fprintf(out, "%s: care claim %s (%s, %s), issued %s\n", file, or_dash(c->id.v),
		claim_type_name(c->type), claim_carrier_name(c->carrier), or_dash(c->issue_date.v));
	fprintf(out, "  supplier %s, customer %s, invoice %s of %s, payable %s %s\n",
		or_dash(claim_party_org(&c->supplier, org1)),
		or_dash(claim_party_org(&c->customer, org2)), or_dash(c->invoice_id.v),
		or_dash(c->invoice_date.v), amount_text(a, &c->payable), or_dash(c->payable.currency));
	if (c->type == CLAIM_TYPE_CREDIT)
		fprintf(out, "  credits claim %s of invoice %s\n", or_dash(c->ref_claim.v),
			or_dash(c->ref_invoice.v));
	for (i = 0; i < c->npatients; i++) {
		const claim_patient *p = &c->patients[i];
		fprintf(out, "  patient %zu: %s (%s), county %s, municipality %s\n", i + 1,
			care_patient_id(id, sizeof(id), p, unmask), care_patient_id_kind(p),
			or_dash(p->county.code), or_dash(p->municipality.code));
		for (k = 0; k < p->nlines; k++) {
			const claim_line *l = &c->lines[p->first_line + k];
			fprintf(out, "    line %s: %s, %s, price list %s, unit %s, visit %s",
				lid(l), or_dash(care_type_name(l)),
				or_dash(care_agreement_name(&l->agreement)), or_dash(l->price_list.v),
				or_dash(l->unit_id.extension), or_dash(l->visit_date.v));
			if (l->discharge_date.v)
				fprintf(out, "-%s", l->discharge_date.v);
			if (l->has_drg)
				fprintf(out, ", DRG %s", or_dash(l->drg_code.original_text
						? l->drg_code.original_text : l->drg_code.code));
			if (l->ref_line_id.v)
				fprintf(out, ", credits line %s (reason %s)", l->ref_line_id.v,
					or_dash(l->reason_for_credit.v));
			fprintf(out, ", gross %s, net %s\n", amount_text(a, &l->gross),
				amount_text(b, &l->net));
			if (unmask && l->inpatient_dx.present)
				fprintf(out, "      inpatient diagnosis %s\n",
					or_dash(l->inpatient_dx.main.code));
			if (unmask && l->outpatient_dx.present)
				fprintf(out, "      outpatient diagnosis %s\n",
					or_dash(l->outpatient_dx.main.code));
		}
	}
}

int care_findings_json(ujson **out, const findings *f, ulf_err *err)
{
	ujson *arr = ujson_array(), *o = NULL;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!arr)
		return no_memory(err);
	for (i = 0; i < f->n; i++) {
		const finding *x = &f->items[i];
		o = ujson_object();
		if (!o) {
			rc = no_memory(err);
			goto out;
		}
		JSET(ujson_set_str(o, "rule", x->rule), "rule");
		JSET(ujson_set_str(o, "flag", x->flag == VFLAG_FATAL ? "fatal" : "warning"), "flag");
		JSET(ujson_set_str(o, "message", x->message), "message");
		if (x->line)
			JSET(ujson_set_int(o, "line", x->line), "line");
		rc = ujson_append_new(arr, o);
		o = NULL;   /* taken, whatever the outcome */
		JSET(rc, "findings");
	}
	*out = arr;
	arr = NULL;
out:
	ujson_free(o);
	ujson_free(arr);
	return rc;
}

void care_findings_text(FILE *out, const findings *f, const char *indent)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		const finding *x = &f->items[i];
		fprintf(out, "%s%s %s: %s", indent, x->rule,
			x->flag == VFLAG_FATAL ? "fatal" : "warning", x->message);
		if (x->line)
			fprintf(out, " (source line %u)", x->line);
		fputc('\n', out);
	}
}
