/*
 * care.c - the identifiers, dates and join of claims with invoices, and
 * the masking of patient identities.  See care.h.  The reconciliation
 * rules are in care_reconcile.c, the renderings in care_render.c; what
 * they share, and the privacy rule all three keep, is in care_int.h.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pnr.h"
#include "robot/care/care.h"
#include "robot/care/care_int.h"

/* ---- identifiers ---------------------------------------------------- */

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
bool care_party_org(const inv_party *p, char out[11])
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
	if (care_party_org(&inv->seller, org))
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
