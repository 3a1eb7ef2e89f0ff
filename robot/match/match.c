/*
 * match.c - supplier, duplicates, order and receipt, credit notes,
 * invoices without an order, the booking suggestion and the decision.
 * See match.h; docs/matching.md tells the steps in order.
 *
 * One job per invoice collects the reasons and the explanation as it
 * goes; nothing short-circuits, so a person sees every problem at once,
 * not the first one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "robot/match/match.h"
#include "robot/store/store.h"

#define MAX_TEXTS 512        /* invoice texts the extract rules look at */
#define MAX_HITS 32          /* extracted candidates per invoice */
#define MAX_CLASSES 16
#define TEXT_MAX 768         /* one check or reason, as a person reads it */

struct matcher {
	db *d;
	refdata *rd;
	const ruleset *rules;
	regex_match *m;
	bool no_docs;            /* d holds no store: no documents to compare */
};

static const char *const reason_codes[] = {
	MR_INVALID, MR_UNKNOWN_SUPPLIER, MR_AMBIGUOUS_SUPPLIER, MR_SUPPLIER_UNCERTAIN,
	MR_SUPPLIER_BLOCKED, MR_PAYMENT_ACCOUNT_MISMATCH, MR_DUPLICATE, MR_NO_ORDER,
	MR_ORDER_CLOSED, MR_ORDER_MISMATCH, MR_CURRENCY_MISMATCH, MR_UNMATCHED_LINE,
	MR_PRICE_DEVIATION, MR_QUANTITY_DEVIATION, MR_AMOUNT_DEVIATION, MR_TOTAL_DEVIATION,
	MR_NOT_RECEIVED, MR_CREDIT_NO_INVOICE, MR_CREDIT_EXCEEDS_INVOICE,
	MR_RECURRING_DEVIATION, MR_ROUNDING, MR_NO_BOOKING, MR_LOW_CONFIDENCE,
};

const char *const *match_reason_codes(size_t *out_n)
{
	*out_n = sizeof(reason_codes) / sizeof(reason_codes[0]);
	return reason_codes;
}

const char *match_decision_name(match_decision d)
{
	return d == MATCH_AUTO ? "auto" : "exception";
}

const char *match_flow_name(match_flow f)
{
	switch (f) {
	case MATCH_FLOW_PO:        return "po";
	case MATCH_FLOW_NONPO:     return "non-po";
	case MATCH_FLOW_RECURRING: return "recurring";
	default:                   return "unknown";
	}
}

int matcher_new(matcher **out, db *d, const ruleset *rules, ulf_err *err)
{
	matcher *m = calloc(1, sizeof(*m));
	int rc;

	*out = NULL;
	if (!m)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	m->d = d;
	m->rules = rules;
	rc = refdata_open(&m->rd, d, err);
	if (!rc)
		rc = regex_match_new(&m->m, err);
	if (rc) {
		matcher_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void matcher_free(matcher *m)
{
	if (!m)
		return;
	regex_match_free(m->m);
	refdata_free(m->rd);
	free(m);
}

refdata *matcher_refdata(matcher *m)
{
	return m->rd;
}

/* ---- the job ---------------------------------------------------------- */

typedef struct job {
	matcher *m;
	const invoice *inv;
	const match_input *in;
	match_result *res;
	ulf_err *err;
	int rc;                  /* a failure of matching itself */
	int sign;
	bool credit;
	const char *kind;
	const rules_settings *settings;
	/* the invoice's own keys, normalised */
	char org[16], vat[32], peppol[160], bankgiro[16], plusgiro[16], iban[40];
	ref_supplier sup;
	bool sup_known;          /* some supplier of the register is meant */
	char skeys[10][176];
	const char *skp[10];
	size_t nskeys;
	char bkeys[6][176];
	const char *bkp[6];
	size_t nbkeys;
	rules_who who;
	ref_order *orders[MATCH_MAX_ORDERS];
	dec *taken[MATCH_MAX_ORDERS]; /* per order line: quantity this invoice takes */
	size_t norders;
	const ref_invoice *credited;  /* borrowed from `credited_rec` */
	ref_invoice *credited_rec;
	/* explanation */
	ujson *x, *fired, *xlines, *header, *xorder, *xsupplier, *xdup;
} job;

static void reason(job *j, const char *code, const char *line_id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void reason(job *j, const char *code, const char *line_id, const char *fmt, ...)
{
	match_result *r = j->res;
	match_reason *mr;
	va_list ap;

	if (r->nreasons == MATCH_MAX_REASONS)
		return;   /* the first 64 are enough to send it to a person */
	mr = &r->reasons[r->nreasons++];
	mr->code = code;
	snprintf(mr->line_id, sizeof(mr->line_id), "%s", line_id ? line_id : "");
	va_start(ap, fmt);
	vsnprintf(mr->message, sizeof(mr->message), fmt, ap);
	va_end(ap);
}

bool match_has_reason(const match_result *r, const char *code)
{
	size_t i;

	for (i = 0; i < r->nreasons; i++)
		if (!strcmp(r->reasons[i].code, code))
			return true;
	return false;
}

/* Notes a rule that took part in the decision, once. */
static void fired(job *j, const char *kind, const char *name, unsigned line, const char *why)
{
	size_t i;
	ujson *o;

	for (i = 0; i < ujson_array_size(j->fired); i++) {
		ujson *e = ujson_array_get(j->fired, i);
		if (!strcmp(ujson_get_str(e, "kind"), kind) && !strcmp(ujson_get_str(e, "rule"), name))
			return;
	}
	o = ujson_object();
	ujson_set_str(o, "kind", kind);
	ujson_set_str(o, "rule", name);
	ujson_set_int(o, "line", line);
	ujson_set_str(o, "why", why);
	ujson_append_new(j->fired, o);
}

static void fmt_dec(char *buf, size_t n, dec v)
{
	dec r;
	size_t len;

	/* up to 4 decimals, at least 2: unit prices per base quantity have more */
	if (dec_round(&r, v, 4))
		r = v;
	len = dec_format(buf, n, r, 2);
	while (len > 0 && strchr(buf, '.') && buf[len - 1] == '0' &&
	       (size_t)(strchr(buf, '.') - buf) + 3 < len)
		buf[--len] = '\0';
}

/* A quantity as written: no padding to two decimals. */
static void fmt_qty(char *buf, size_t n, dec v)
{
	dec_format(buf, n, v, 0);
}

static ujson *jdec(dec v)
{
	char buf[DEC_STR_MAX];

	fmt_dec(buf, sizeof(buf), v);
	return ujson_string(buf);
}

/*
 * A tolerance check: is |actual - expected| within what the tolerance of
 * kind k allows, computed on `base`?  Appends the computation to `arr`
 * and returns whether it held.
 */
static bool tol_check(job *j, ujson *arr, rules_tol_kind k, const char *what, dec actual,
		      dec expected, dec base, dec *out_diff, dec *out_allowed, char *text, size_t tn)
{
	rules_tol t;
	dec diff, allowed;
	char a[DEC_STR_MAX], e[DEC_STR_MAX], d[DEC_STR_MAX], al[DEC_STR_MAX], tt[64];
	ujson *o;
	bool ok;

	rules_tolerance(&t, j->m->rules, k, &j->who);
	if (dec_sub(&diff, actual, expected) || rules_tol_allowed(&allowed, &t, base)) {
		j->rc = ulf_err_set(j->err, ULF_ERANGE, "%s: amounts out of range", what);
		return false;
	}
	diff = dec_abs(diff);
	ok = dec_cmp(diff, allowed) <= 0;
	fmt_dec(a, sizeof(a), actual);
	fmt_dec(e, sizeof(e), expected);
	fmt_dec(d, sizeof(d), diff);
	fmt_dec(al, sizeof(al), allowed);
	rules_tol_text(tt, sizeof(tt), &t);
	if (t.line)
		snprintf(text, tn, "%s %s against %s: difference %s, allowed %s (%s %s, %.80s, %.120s:%u)",
			 what, a, e, d, al, rules_tol_name(k), tt, t.scope,
			 rules_name(j->m->rules), t.line);
	else
		snprintf(text, tn, "%s %s against %s: difference %s, allowed %s (%s tolerance: none"
			 " set, exact)", what, a, e, d, al, rules_tol_name(k));
	o = ujson_object();
	ujson_set_str(o, "check", what);
	ujson_set_new(o, "invoice", jdec(actual));
	ujson_set_new(o, "expected", jdec(expected));
	ujson_set_new(o, "difference", jdec(diff));
	ujson_set_new(o, "allowed", jdec(allowed));
	ujson_set_str(o, "tolerance", tt);
	ujson_set_str(o, "tolerance_kind", rules_tol_name(k));
	ujson_set_str(o, "scope", t.scope);
	ujson_set_int(o, "rules_line", t.line);
	ujson_set_bool(o, "ok", ok);
	ujson_set_str(o, "result", ok ? "ok" : "deviation");
	ujson_set_str(o, "text", text);
	ujson_append_new(arr, o);
	if (out_diff)
		*out_diff = diff;
	if (out_allowed)
		*out_allowed = allowed;
	return ok;
}

/* A check without a tolerance (a unit, a status), for the explanation. */
static void vnote(ujson *arr, const char *what, const char *result, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static void vnote(ujson *arr, const char *what, const char *result, const char *fmt, va_list ap)
{
	char text[TEXT_MAX];
	ujson *o = ujson_object();

	vsnprintf(text, sizeof(text), fmt, ap);
	ujson_set_str(o, "check", what);
	ujson_set_bool(o, "ok", strcmp(result, "deviation") != 0);
	ujson_set_str(o, "result", result);
	ujson_set_str(o, "text", text);
	ujson_append_new(arr, o);
}

static void note(ujson *arr, const char *what, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void note(ujson *arr, const char *what, bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(arr, what, ok ? "ok" : "deviation", fmt, ap);
	va_end(ap);
}

/* Something looked for and not found that is no fault by itself (no
 * recurring series, no price to compare). */
static void info(ujson *arr, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void info(ujson *arr, const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(arr, what, "info", fmt, ap);
	va_end(ap);
}

/* ---- supplier --------------------------------------------------------- */

/* Adds the canonical key of `value` to keys[], and its twin: a Peppol id
 * in scheme 0007 is the org number, so "org:X" and "peppol:0007:X" name
 * the same party and a rule may use either. */
static void add_key(char (*keys)[176], const char **ptrs, size_t *n, size_t max,
		    const char *value)
{
	char k[2][176];
	size_t i, t, nk = 1;

	if (!value || !*value || !rules_party_key(k[0], sizeof(k[0]), value))
		return;
	if (!strncmp(k[0], "org:", 4)) {
		snprintf(k[1], sizeof(k[1]), "peppol:0007:%.160s", k[0] + 4);
		nk = 2;
	} else if (!strncmp(k[0], "peppol:0007:", 12)) {
		snprintf(k[1], sizeof(k[1]), "org:%.160s", k[0] + 12);
		nk = 2;
	}
	for (t = 0; t < nk; t++) {
		for (i = 0; i < *n && strcmp(keys[i], k[t]); i++)
			;
		if (i < *n || *n == max)
			continue;
		memcpy(keys[*n], k[t], sizeof(k[t]));
		ptrs[*n] = keys[*n];
		(*n)++;
	}
}

static void add_skey(job *j, const char *value)
{
	add_key(j->skeys, j->skp, &j->nskeys, 10, value);
}

static void add_bkey(job *j, const char *value)
{
	add_key(j->bkeys, j->bkp, &j->nbkeys, 6, value);
}

/* The org number of a party: its legal id (Swedish scheme), its 0007
 * endpoint, or the digits of a Swedish VAT number SE<org>01. */
static void party_org(char *out, size_t n, const inv_party *p)
{
	char tmp[64];

	out[0] = '\0';
	if (p->legal_id.v && (!p->legal_id.scheme || !strcmp(p->legal_id.scheme, "0007")) &&
	    refdata_norm(out, n, REF_BY_ORG, p->legal_id.v))
		return;
	if (p->endpoint.v && p->endpoint.scheme && !strcmp(p->endpoint.scheme, "0007") &&
	    refdata_norm(out, n, REF_BY_ORG, p->endpoint.v))
		return;
	if (p->vat_id.v && refdata_norm(tmp, sizeof(tmp), REF_BY_VAT, p->vat_id.v) &&
	    !strncmp(tmp, "SE", 2) && strlen(tmp) == 14) {
		tmp[12] = '\0';
		refdata_norm(out, n, REF_BY_ORG, tmp + 2);
	}
}

static void party_peppol(char *out, size_t n, const inv_party *p)
{
	char tmp[200];

	out[0] = '\0';
	if (p->endpoint.v && p->endpoint.scheme) {
		snprintf(tmp, sizeof(tmp), "%s:%s", p->endpoint.scheme, p->endpoint.v);
		refdata_norm(out, n, REF_BY_PEPPOL, tmp);
	}
}

static void invoice_keys(job *j)
{
	const invoice *inv = j->inv;
	size_t i;

	party_org(j->org, sizeof(j->org), &inv->seller);
	party_peppol(j->peppol, sizeof(j->peppol), &inv->seller);
	if (inv->seller.vat_id.v)
		refdata_norm(j->vat, sizeof(j->vat), REF_BY_VAT, inv->seller.vat_id.v);
	for (i = 0; i < inv->npayments; i++) {
		const inv_account *a = &inv->payments[i].account;
		const char *bic = a->bic.v ? a->bic.v : "";
		if (!a->id.v)
			continue;
		if (!strcasecmp(bic, "SE:BANKGIRO") || !strcasecmp(bic, "BGABSESS"))
			refdata_norm(j->bankgiro, sizeof(j->bankgiro), REF_BY_BANKGIRO, a->id.v);
		else if (!strcasecmp(bic, "SE:PLUSGIRO") || !strcasecmp(bic, "PGSISESS"))
			refdata_norm(j->plusgiro, sizeof(j->plusgiro), REF_BY_PLUSGIRO, a->id.v);
		else
			refdata_norm(j->iban, sizeof(j->iban), REF_BY_IBAN, a->id.v);
	}
	/* rules name suppliers and buyers by org number, Peppol id or VAT number */
	add_skey(j, j->org);
	add_skey(j, j->peppol);
	add_skey(j, j->vat);
	{
		char org[16], pep[160];
		party_org(org, sizeof(org), &inv->buyer);
		party_peppol(pep, sizeof(pep), &inv->buyer);
		add_bkey(j, org);
		add_bkey(j, pep);
		add_bkey(j, inv->buyer.vat_id.v);
	}
}

/* Tries one key; adds what it found to the explanation. */
static int try_key(job *j, ref_supplier *found, size_t *n, ref_key k, const char *value)
{
	ujson *o;
	int rc;

	*n = 0;
	if (!value || !*value)
		return 0;
	rc = refdata_supplier_find(found, n, j->m->rd, k, value, j->err);
	if (rc)
		return j->rc = rc;
	o = ujson_object();
	ujson_set_str(o, "key", refdata_key_name(k));
	ujson_set_str(o, "value", value);
	ujson_set_str(o, "found", *n == 1 ? found->supplier_no : NULL);
	ujson_set_int(o, "matches", (int64_t)*n);
	ujson_append_new(ujson_get(j->xsupplier, "keys"), o);
	return 0;
}

static ujson *registration(job *j)
{
	const inv_party *s = &j->inv->seller;
	ujson *o = ujson_object(), *a = ujson_object(), *c = ujson_object();

	ujson_set_str(o, "name", s->name.v ? s->name.v : s->trading_name.v);
	ujson_set_str(o, "trading_name", s->trading_name.v && s->name.v &&
		      strcmp(s->trading_name.v, s->name.v) ? s->trading_name.v : NULL);
	ujson_set_str(o, "org_no", j->org[0] ? j->org : s->legal_id.v);
	ujson_set_str(o, "vat_no", j->vat[0] ? j->vat : NULL);
	ujson_set_str(o, "peppol_id", j->peppol[0] ? j->peppol : NULL);
	ujson_set_str(o, "bankgiro", j->bankgiro[0] ? j->bankgiro : NULL);
	ujson_set_str(o, "plusgiro", j->plusgiro[0] ? j->plusgiro : NULL);
	ujson_set_str(o, "iban", j->iban[0] ? j->iban : NULL);
	/* "Godkänd för F-skatt": BT-33, or a TAX PartyTaxScheme in BIS 3 */
	ujson_set_str(o, "f_skatt", s->legal_info.v && strstr(s->legal_info.v, "skatt") ? s->legal_info.v
		      : s->tax_reg_id.v && strstr(s->tax_reg_id.v, "skatt") ? s->tax_reg_id.v : NULL);
	ujson_set_str(a, "street", s->address.line1.v);
	ujson_set_str(a, "city", s->address.city.v);
	ujson_set_str(a, "postcode", s->address.postcode.v);
	ujson_set_str(a, "country", s->address.country.v);
	ujson_set_new(o, "address", a);
	ujson_set_str(c, "name", s->contact.name.v);
	ujson_set_str(c, "phone", s->contact.phone.v);
	ujson_set_str(c, "email", s->contact.email.v);
	ujson_set_new(o, "contact", c);
	ujson_set_str(o, "from_invoice", j->inv->id.v);
	ujson_set_str(o, "supplier_no", NULL);
	ujson_set_bool(o, "contract", false);
	return o;
}

static void payment_check(job *j)
{
	const ref_supplier *s = &j->sup;
	bool reg_any = s->bankgiro[0] || s->plusgiro[0] || s->iban[0];
	bool inv_any = j->bankgiro[0] || j->plusgiro[0] || j->iban[0];
	bool ok = (j->bankgiro[0] && !strcmp(j->bankgiro, s->bankgiro)) ||
		  (j->plusgiro[0] && !strcmp(j->plusgiro, s->plusgiro)) ||
		  (j->iban[0] && !strcmp(j->iban, s->iban));
	ujson *checks = ujson_get(j->xsupplier, "checks");

	if (!inv_any) {
		note(checks, "payment account", true, "the invoice names no bankgiro, plusgiro or IBAN");
		return;
	}
	if (!reg_any) {
		note(checks, "payment account", true, "the register has no payment account for %s to"
		     " compare with", s->supplier_no);
		return;
	}
	if (ok) {
		note(checks, "payment account", true, "pays to %s %s, as in the register",
		     j->bankgiro[0] ? "bankgiro" : j->plusgiro[0] ? "plusgiro" : "IBAN",
		     j->bankgiro[0] ? j->bankgiro : j->plusgiro[0] ? j->plusgiro : j->iban);
		return;
	}
	/* changed bank details are how invoice fraud is done: a person checks */
	note(checks, "payment account", false, "payment account differs from the register");
	reason(j, MR_PAYMENT_ACCOUNT_MISMATCH, NULL,
	       "the invoice asks for payment to %s %s; the register has %s%s%s%s%s%s for"
	       " supplier %s", j->bankgiro[0] ? "bankgiro" : j->plusgiro[0] ? "plusgiro" : "IBAN",
	       j->bankgiro[0] ? j->bankgiro : j->plusgiro[0] ? j->plusgiro : j->iban,
	       s->bankgiro[0] ? "bankgiro " : "", s->bankgiro, s->plusgiro[0] ? " plusgiro " : "",
	       s->plusgiro, s->iban[0] ? " IBAN " : "", s->iban, s->supplier_no);
}

static void identify(job *j)
{
	static const ref_key strong[] = { REF_BY_PEPPOL, REF_BY_ORG, REF_BY_VAT };
	static const ref_key bank[] = { REF_BY_BANKGIRO, REF_BY_PLUSGIRO, REF_BY_IBAN };
	const char *strong_v[] = { j->peppol, j->org, j->vat };
	const char *bank_v[] = { j->bankgiro, j->plusgiro, j->iban };
	const invoice *inv = j->inv;
	ref_supplier f, first;
	const char *by = NULL, *by_value = NULL;
	char others[200] = "";
	bool ambiguous = false;
	size_t i, n;

	memset(&first, 0, sizeof(first));
	ujson_set_new(j->xsupplier, "keys", ujson_array());
	ujson_set_new(j->xsupplier, "checks", ujson_array());
	for (i = 0; i < 3 && !j->rc; i++) {
		if (try_key(j, &f, &n, strong[i], strong_v[i]))
			return;
		if (n > 1) {
			ambiguous = true;
			snprintf(others + strlen(others), sizeof(others) - strlen(others),
				 "%s%s %s fits more than one supplier", others[0] ? "; " : "",
				 refdata_key_name(strong[i]), strong_v[i]);
		} else if (n == 1 && !by) {
			first = f;
			by = refdata_key_name(strong[i]);
			by_value = strong_v[i];
		} else if (n == 1 && strcmp(f.supplier_no, first.supplier_no)) {
			ambiguous = true;
			snprintf(others + strlen(others), sizeof(others) - strlen(others),
				 "%s%s %s is supplier %s", others[0] ? "; " : "",
				 refdata_key_name(strong[i]), strong_v[i], f.supplier_no);
		}
	}
	if (ambiguous) {
		if (by)
			reason(j, MR_AMBIGUOUS_SUPPLIER, NULL, "the seller's identifiers point at different"
			       " suppliers: %s %s is supplier %s; %s", by, by_value, first.supplier_no,
			       others);
		else
			reason(j, MR_AMBIGUOUS_SUPPLIER, NULL, "the seller's identifiers point at different"
			       " suppliers: %s", others);
		ujson_set_str(j->xsupplier, "identified_by", NULL);
		return;
	}
	for (i = 0; !by && i < 3; i++) {
		if (try_key(j, &f, &n, bank[i], bank_v[i]))
			return;
		if (n == 1) {
			first = f;
			by = refdata_key_name(bank[i]);
			by_value = bank_v[i];
			/* a known account under a different org number is not the
			 * same company */
			if (j->org[0] && f.org_no[0] && strcmp(j->org, f.org_no)) {
				reason(j, MR_AMBIGUOUS_SUPPLIER, NULL, "%s %s belongs to supplier %s (org"
				       " number %s), but the invoice's seller has org number %s",
				       by, by_value, f.supplier_no, f.org_no, j->org);
				return;
			}
		}
	}
	if (!by) {
		char name[256];
		const char *nm = inv->seller.name.v ? inv->seller.name.v : inv->seller.trading_name.v;
		if (nm && refdata_norm(name, sizeof(name), REF_BY_NAME, nm)) {
			if (try_key(j, &f, &n, REF_BY_NAME, nm))
				return;
			if (n == 1) {
				j->sup = f;
				j->sup_known = true;
				ujson_set_str(j->xsupplier, "identified_by", "name");
				reason(j, MR_SUPPLIER_UNCERTAIN, NULL,
				       "the seller was found by name only (supplier %s, %s): none of its"
				       " Peppol id, org number, VAT number or payment account is in the"
				       " register; confirm it and add them", f.supplier_no, f.name);
				return;
			}
		}
		reason(j, MR_UNKNOWN_SUPPLIER, NULL, "%s (org number %s, Peppol id %s) is not in the"
		       " supplier register: register it (new_supplier has what the invoice says)",
		       nm ? nm : "the seller", j->org[0] ? j->org : "-", j->peppol[0] ? j->peppol : "-");
		ujson_set_new(j->res->json, "new_supplier", registration(j));
		return;
	}
	j->sup = first;
	j->sup_known = true;
	ujson_set_str(j->xsupplier, "identified_by", by);
	ujson_set_str(j->xsupplier, "identified_value", by_value);
	if (first.blocked)
		reason(j, MR_SUPPLIER_BLOCKED, NULL, "supplier %s (%s) is blocked in the register",
		       first.supplier_no, first.name);
	payment_check(j);
}

static void supplier_key(job *j)
{
	match_result *r = j->res;
	char name[200];
	const char *nm = j->inv->seller.name.v ? j->inv->seller.name.v : j->inv->seller.trading_name.v;

	if (j->sup_known) {
		snprintf(r->supplier_no, sizeof(r->supplier_no), "%s", j->sup.supplier_no);
		snprintf(r->supplier_name, sizeof(r->supplier_name), "%s", j->sup.name);
		snprintf(r->supplier_key, sizeof(r->supplier_key), "%s", j->sup.supplier_no);
		/* the register's identifiers too: rules may name any of them */
		add_skey(j, j->sup.org_no);
		add_skey(j, j->sup.peppol_id);
		add_skey(j, j->sup.vat_no);
		j->who.contract = j->sup.contract;
	} else {
		snprintf(r->supplier_name, sizeof(r->supplier_name), "%s", nm ? nm : "");
		if (j->org[0])
			snprintf(r->supplier_key, sizeof(r->supplier_key), "org:%s", j->org);
		else if (j->vat[0])
			snprintf(r->supplier_key, sizeof(r->supplier_key), "vat:%s", j->vat);
		else if (j->peppol[0])
			snprintf(r->supplier_key, sizeof(r->supplier_key), "peppol:%.140s", j->peppol);
		else if (nm && refdata_norm(name, sizeof(name), REF_BY_NAME, nm))
			snprintf(r->supplier_key, sizeof(r->supplier_key), "name:%.140s", name);
		else
			snprintf(r->supplier_key, sizeof(r->supplier_key), "unknown");
	}
	j->who.supplier_keys = j->skp;
	j->who.nsupplier = j->nskeys;
	j->who.buyer_keys = j->bkp;
	j->who.nbuyer = j->nbkeys;
	ujson_set_str(j->xsupplier, "supplier_no", r->supplier_no[0] ? r->supplier_no : NULL);
	ujson_set_str(j->xsupplier, "name", r->supplier_name);
	ujson_set_str(j->xsupplier, "history_key", r->supplier_key);
	ujson_set_bool(j->xsupplier, "contract", j->who.contract);
}

/* ---- the invoice as a record (fingerprint, recurrence, memory) -------- */

typedef struct record_buf {
	ref_invoice rec;
	ref_invoice_line *lines;
} record_buf;

static int as_record(record_buf *rb, job *j, const booking *b)
{
	size_t i;

	memset(rb, 0, sizeof(*rb));
	rb->lines = calloc(b->n ? b->n : 1, sizeof(*rb->lines));
	if (!rb->lines)
		return ulf_err_set(j->err, ULF_ENOMEM, "out of memory");
	rb->rec.supplier_key = j->res->supplier_key;
	rb->rec.invoice_number = j->inv->id.v ? j->inv->id.v : "";
	rb->rec.kind = j->kind;
	rb->rec.issue_date = j->inv->issue_date.v;
	rb->rec.currency = j->inv->currency.v;
	rb->rec.net_total = b->total_net;
	rb->rec.order_no = j->res->order_no[0] ? j->res->order_no : NULL;
	rb->rec.flow = match_flow_name(j->res->flow);
	rb->rec.lines = rb->lines;
	rb->rec.nlines = b->n;
	for (i = 0; i < b->n; i++) {
		const booking_row *r = &b->rows[i];
		ref_invoice_line *l = &rb->lines[i];
		l->line_id = r->line_id[0] ? r->line_id : NULL;
		l->item_key = r->item_key[0] ? r->item_key : NULL;
		l->text_key = r->text_key[0] ? r->text_key : NULL;
		l->description = r->description;
		l->quantity = r->quantity;
		l->net = r->net;
		l->account = r->f[RB_ACCOUNT].value;
		l->cost_centre = r->f[RB_COST_CENTRE].value;
		l->activity = r->f[RB_ACTIVITY].value;
		l->project = r->f[RB_PROJECT].value;
		l->vat_code = r->f[RB_VAT_CODE].value;
		l->order_no = r->order_no[0] ? r->order_no : NULL;
		l->order_line_id = r->order_line_id[0] ? r->order_line_id : NULL;
	}
	return 0;
}

/* ---- duplicates ------------------------------------------------------- */

static void duplicates(job *j, const booking *b)
{
	const invoice *inv = j->inv;
	ref_invoice *prev = NULL;
	record_buf rb;
	char fp[65], number[128];
	bool found = false;
	int rc;

	if (!inv->id.v)
		return;
	rc = refdata_invoice_get(&prev, j->m->rd, j->res->supplier_key, inv->id.v, j->kind, j->err);
	if (rc && rc != ULF_ENOTFOUND) {
		j->rc = rc;
		return;
	}
	if (prev && !(j->in->doc_id && prev->doc_id == j->in->doc_id)) {
		note(j->xdup, "number", false, "%s %s from %s was already posted (%s%s)", j->kind,
		     inv->id.v, j->res->supplier_key, prev->issue_date ? "issued " : "recorded",
		     prev->issue_date ? prev->issue_date : "");
		if (prev->doc_id)
			reason(j, MR_DUPLICATE, NULL, "%s %s from this supplier was already posted, as"
			       " document %lld", j->kind, inv->id.v, (long long)prev->doc_id);
		else
			reason(j, MR_DUPLICATE, NULL, "%s %s from this supplier was already posted (%s)",
			       j->kind, inv->id.v, prev->source && !strcmp(prev->source, "import")
			       ? "in the imported history" : "recorded by ulf");
		found = true;
	}
	refdata_invoice_free(prev);

	if (!j->m->no_docs && !found) {
		const char *a = inv->seller.legal_id.v ? inv->seller.legal_id.v : inv->seller.vat_id.v;
		const char *c = inv->seller.vat_id.v ? inv->seller.vat_id.v : a;
		int64_t doc;
		doc_state ds;
		rc = store_find_duplicate(&doc, &ds, j->m->d, j->kind, j->in->doc_id, a ? a : "",
					  c ? c : "", inv->id.v, j->err);
		if (rc == ULF_ENOTFOUND) {
			j->m->no_docs = true;
		} else if (rc < 0) {
			j->rc = rc;
			return;
		} else if (doc) {
			long long id = (long long)doc;
			const char *state = store_state_name(ds);
			note(j->xdup, "number", false, "the store holds %s %s from this seller as"
			     " document %lld (%s)", j->kind, inv->id.v, id, state);
			reason(j, MR_DUPLICATE, NULL, "%s %s from this seller is already in the store as"
			       " document %lld (%s)", j->kind, inv->id.v, id, state);
			found = true;
		}
	}
	if (!found)
		note(j->xdup, "number", true, "no earlier %s %s from this supplier", j->kind, inv->id.v);

	if (as_record(&rb, j, b)) {
		j->rc = ULF_ENOMEM;
		return;
	}
	refdata_fingerprint(fp, &rb.rec);
	free(rb.lines);
	rc = refdata_invoice_by_fingerprint(number, sizeof(number), &found, j->m->rd, fp, j->err);
	if (rc) {
		j->rc = rc;
		return;
	}
	if (found && strcmp(number, inv->id.v)) {
		note(j->xdup, "fingerprint", false, "same supplier, date, currency, total and line"
		     " amounts as posted invoice %s", number);
		reason(j, MR_DUPLICATE, NULL, "same content (supplier, date, total and every line"
		       " amount) as invoice %s, posted before under another number", number);
	} else {
		note(j->xdup, "fingerprint", true, "no posted invoice with the same content");
	}
}

/* ---- order candidates ------------------------------------------------- */

typedef struct texts {
	rules_text v[MAX_TEXTS];
	char where[MAX_TEXTS][24];
	size_t n;
} texts;

static void add_text(texts *t, unsigned field, const char *s, const char *line_id)
{
	if (!s || !*s || t->n == MAX_TEXTS)
		return;
	t->v[t->n].field = field;
	t->v[t->n].text = s;
	if (line_id) {
		snprintf(t->where[t->n], sizeof(t->where[0]), "line %s", line_id);
		t->v[t->n].where = t->where[t->n];
	} else {
		t->v[t->n].where = NULL;
	}
	t->n++;
}

static void collect_texts(texts *t, const invoice *inv)
{
	size_t i;

	t->n = 0;
	add_text(t, RF_ORDER_REF, inv->order_ref.v, NULL);
	add_text(t, RF_BUYER_REF, inv->buyer_reference.v, NULL);
	add_text(t, RF_CONTRACT_REF, inv->contract_ref.v, NULL);
	add_text(t, RF_PROJECT_REF, inv->project_ref.v, NULL);
	add_text(t, RF_ACCOUNTING_REF, inv->buyer_accounting_ref.v, NULL);
	for (i = 0; i < inv->nnotes; i++)
		add_text(t, RF_NOTE, inv->notes[i].text.v, NULL);
	for (i = 0; i < inv->ndocs; i++) {
		add_text(t, RF_DOC_ID, inv->docs[i].id.v, NULL);
		add_text(t, RF_DOC_ID, inv->docs[i].description.v, NULL);
	}
	for (i = 0; i < inv->npayments; i++)
		add_text(t, RF_PAYMENT_REF, inv->payments[i].remittance.v, NULL);
	for (i = 0; i < inv->nlines; i++) {
		const inv_line *l = &inv->lines[i];
		add_text(t, RF_LINE_ORDER_REF, l->order_id.v, l->id.v);
		add_text(t, RF_LINE_NOTE, l->note.v, l->id.v);
		add_text(t, RF_ACCOUNTING_REF, l->accounting_ref.v, l->id.v);
	}
}

static ref_order *have_order(job *j, const char *no)
{
	size_t i;

	for (i = 0; i < j->norders; i++)
		if (!strcmp(j->orders[i]->order_no, no))
			return j->orders[i];
	return NULL;
}

/* Looks an order number up; keeps the order when found. */
static bool lookup_order(job *j, const char *no, const char *source, ujson *cands)
{
	ref_order *o = NULL;
	ujson *c;
	size_t i;
	int rc;

	for (i = 0; i < ujson_array_size(cands); i++)
		if (!strcmp(ujson_get_str(ujson_array_get(cands, i), "value"), no))
			return have_order(j, no) != NULL;
	rc = refdata_order_get(&o, j->m->rd, no, j->err);
	if (rc && rc != ULF_ENOTFOUND) {
		j->rc = rc;
		return false;
	}
	c = ujson_object();
	ujson_set_str(c, "value", no);
	ujson_set_str(c, "source", source);
	ujson_set_bool(c, "found", o != NULL);
	ujson_set_str(c, "result", o ? "found" : "not in the order register");
	ujson_append_new(cands, c);
	if (!o)
		return false;
	if (j->norders == MATCH_MAX_ORDERS) {
		refdata_order_free(o);
		return false;
	}
	j->taken[j->norders] = calloc(o->nlines ? o->nlines : 1, sizeof(dec));
	if (!j->taken[j->norders]) {
		refdata_order_free(o);
		j->rc = ulf_err_set(j->err, ULF_ENOMEM, "out of memory");
		return false;
	}
	for (i = 0; i < o->nlines; i++)
		j->taken[j->norders][i] = dec_make(0, 0);
	j->orders[j->norders++] = o;
	return true;
}

/* Order numbers from the proper fields first, then from the extract rules
 * over every field.  Returns how many candidates there were. */
static size_t find_orders(job *j, const texts *t)
{
	const invoice *inv = j->inv;
	ujson *cands = ujson_array(), *refs = ujson_array();
	rules_hit hits[MAX_HITS];
	size_t i, n = 0, ncand;
	char src[200];

	ujson_set_new(j->xorder, "candidates", cands);
	ujson_set_new(j->xorder, "references", refs);
	if (inv->order_ref.v)
		lookup_order(j, inv->order_ref.v, "OrderReference (BT-13)", cands);
	for (i = 0; i < inv->nlines && !j->rc; i++)
		if (inv->lines[i].order_id.v) {
			snprintf(src, sizeof(src), "the order number of line %s",
				 inv->lines[i].id.v ? inv->lines[i].id.v : "?");
			lookup_order(j, inv->lines[i].order_id.v, src, cands);
		}
	if (j->rc)
		return 0;
	if (rules_extract(hits, &n, MAX_HITS, j->m->m, j->m->rules, &j->who, t->v, t->n)) {
		j->rc = ulf_err_set(j->err, ULF_ENOMEM, "out of memory");
		return 0;
	}
	for (i = 0; i < n && !j->rc; i++) {
		const rules_hit *h = &hits[i];
		char why[300];
		snprintf(why, sizeof(why), "found %s %s in %s%s%s", h->group, h->value,
			 rules_field_name(h->field), h->where ? " of " : "", h->where ? h->where : "");
		if (strcmp(h->group, "order")) {
			ujson *o = ujson_object();
			ujson_set_str(o, "kind", h->group);
			ujson_set_str(o, "value", h->value);
			ujson_set_str(o, "rule", h->rule);
			ujson_set_str(o, "field", rules_field_name(h->field));
			ujson_append_new(refs, o);
			fired(j, "extract", h->rule, h->line, why);
			continue;
		}
		/* a reference the proper field already found needs no rule */
		if (have_order(j, h->value))
			continue;
		if (j->norders && !h->supplier_rule)
			continue;   /* found in the proper fields: general rules add nothing */
		snprintf(src, sizeof(src), "rule %s (%s:%u) in %s%s%s", h->rule,
			 rules_name(j->m->rules), h->line, rules_field_name(h->field),
			 h->where ? " of " : "", h->where ? h->where : "");
		if (lookup_order(j, h->value, src, cands))
			fired(j, "extract", h->rule, h->line, why);
	}
	ncand = ujson_array_size(cands);
	if (j->norders)
		snprintf(j->res->order_no, sizeof(j->res->order_no), "%s", j->orders[0]->order_no);
	return ncand;
}

/* ---- PO matching ------------------------------------------------------ */

static bool same_id(const char *a, const char *b)
{
	char x[64], y[64];

	if (!a || !b)
		return false;
	refdata_item_key(x, sizeof(x), a);
	refdata_item_key(y, sizeof(y), b);
	return x[0] && !strcmp(x, y);
}

static bool item_agrees(const inv_line *l, const ref_order_line *ol)
{
	const char *ids[3] = { l->seller_item_id.v, l->buyer_item_id.v, l->standard_item_id.v };
	const char *oids[3] = { ol->item_id, ol->buyer_item_id, ol->std_item_id };
	bool both = false;
	int i;

	for (i = 0; i < 3; i++) {
		if (ids[i] && oids[i]) {
			both = true;
			if (same_id(ids[i], oids[i]))
				return true;
		}
	}
	/* no id on both sides to compare: nothing contradicts */
	return !both;
}

static bool item_equal(const inv_line *l, const ref_order_line *ol)
{
	const char *ids[3] = { l->seller_item_id.v, l->buyer_item_id.v, l->standard_item_id.v };
	const char *oids[3] = { ol->item_id, ol->buyer_item_id, ol->std_item_id };
	int i;

	for (i = 0; i < 3; i++)
		if (same_id(ids[i], oids[i]))
			return true;
	return false;
}

static bool remaining_positive(job *j, size_t o, size_t k)
{
	const ref_order_line *ol = &j->orders[o]->lines[k];
	dec left;

	if (!ol->quantity_set)
		return true;
	if (dec_sub(&left, ol->quantity, ol->invoiced_qty) || dec_sub(&left, left, j->taken[o][k]))
		return false;
	return dec_sign(left) > 0;
}

/* The order line an invoice line delivers against: by its order line
 * reference, else by item id (an open line first), else by a name that
 * only one order line has. */
static bool find_order_line(job *j, const inv_line *l, size_t *out_o, size_t *out_k,
			    const char **how)
{
	char name[128], oname[128];
	size_t o, k, hits = 0;
	bool found = false;

	for (o = 0; o < j->norders; o++) {
		if (l->order_id.v && have_order(j, l->order_id.v) && strcmp(l->order_id.v,
									     j->orders[o]->order_no))
			continue;
		for (k = 0; l->order_line_ref.v && k < j->orders[o]->nlines; k++)
			if (!strcmp(j->orders[o]->lines[k].line_id, l->order_line_ref.v) &&
			    item_agrees(l, &j->orders[o]->lines[k])) {
				*out_o = o;
				*out_k = k;
				*how = "order line reference (BT-132)";
				return true;
			}
	}
	for (o = 0; o < j->norders; o++) {
		if (l->order_id.v && have_order(j, l->order_id.v) && strcmp(l->order_id.v,
									     j->orders[o]->order_no))
			continue;
		for (k = 0; k < j->orders[o]->nlines; k++) {
			if (!item_equal(l, &j->orders[o]->lines[k]))
				continue;
			/* the first line of the item with something left; else the
			 * first line of the item, to say it is used up */
			if (!found || remaining_positive(j, o, k)) {
				*out_o = o;
				*out_k = k;
				*how = "item id";
				found = true;
				if (remaining_positive(j, o, k))
					return true;
			}
		}
	}
	if (found)
		return true;
	if (!l->item_name.v)
		return false;
	refdata_text_key(name, sizeof(name), l->item_name.v);
	if (!name[0])
		return false;
	for (o = 0; o < j->norders; o++)
		for (k = 0; k < j->orders[o]->nlines; k++) {
			if (!j->orders[o]->lines[k].name)
				continue;
			refdata_text_key(oname, sizeof(oname), j->orders[o]->lines[k].name);
			if (!strcmp(name, oname)) {
				hits++;
				*out_o = o;
				*out_k = k;
			}
		}
	*how = "item name (the only order line with it)";
	return hits == 1;
}

/* Unit price: price / base quantity, 6 decimals. */
static bool unit_price(dec *out, dec price, bool base_set, dec base)
{
	if (!base_set || dec_sign(base) <= 0)
		base = dec_make(1, 0);
	return dec_div_round(out, price, base, 6) == 0;
}

static void order_booking(job *j, booking_row *row, const ref_order *o, const ref_order_line *ol)
{
	char split[RB_COUNT][64];
	const char *line_vals[RB_COUNT] = { ol->account, ol->cost_centre, ol->activity, ol->project,
					    ol->vat_code };
	const char *head_vals[RB_COUNT] = { o->account, o->cost_centre, o->activity, o->project,
					    NULL };
	const rules_settings *s = j->settings;
	int f;

	for (f = 0; f < RB_COUNT; f++)
		booking_set(&row->f[f], line_vals[f], BSRC_ORDER, 100, "order %s line %s",
			    o->order_no, ol->line_id);
	for (f = 0; f < RB_COUNT; f++)
		booking_set(&row->f[f], head_vals[f], BSRC_ORDER, 100, "order %s", o->order_no);
	if (ol->accounting_cost && rules_split_accounting(split, j->m->m, j->m->rules,
							  ol->accounting_cost))
		for (f = 0; f < RB_COUNT; f++)
			booking_set(&row->f[f], split[f], BSRC_ORDER, 100,
				    "order %s line %s AccountingCost '%s', split by accounting_cost"
				    " (%s:%u)", o->order_no, ol->line_id, ol->accounting_cost,
				    rules_name(j->m->rules), s->line[7]);
	if (o->accounting_cost && rules_split_accounting(split, j->m->m, j->m->rules,
							 o->accounting_cost))
		for (f = 0; f < RB_COUNT; f++)
			booking_set(&row->f[f], split[f], BSRC_ORDER, 100,
				    "order %s AccountingCost '%s', split by accounting_cost (%s:%u)",
				    o->order_no, o->accounting_cost, rules_name(j->m->rules), s->line[7]);
}

static booking_row *row_of_line(booking *b, size_t line_index)
{
	/* rows begin with the invoice lines, in order (booking_rows) */
	return line_index < b->n && b->rows[line_index].kind == BK_LINE ? &b->rows[line_index] : NULL;
}

static void check_line(job *j, booking *b, size_t li, dec *expected_sum, dec *charges_share)
{
	const inv_line *l = &j->inv->lines[li];
	const char *lid = l->id.v ? l->id.v : "?";
	ujson *xl = ujson_object(), *checks = ujson_array();
	booking_row *row = row_of_line(b, li);
	const ref_order_line *ol;
	const ref_order *o;
	const char *how = NULL;
	char text[TEXT_MAX], a[DEC_STR_MAX], c[DEC_STR_MAX], d[DEC_STR_MAX];
	dec inv_unit, ord_unit, qty, before, left, expected, allowed, diff;
	size_t oi = 0, k = 0;
	bool have_ord_unit = false, requires;

	ujson_set_str(xl, "invoice_line", lid);
	ujson_set_new(xl, "checks", checks);
	ujson_append_new(j->xlines, xl);
	if (!find_order_line(j, l, &oi, &k, &how)) {
		note(checks, "order line", false, "no line of order %s fits (order line reference %s,"
		     " item %s, name %s)", j->res->order_no,
		     l->order_line_ref.v ? l->order_line_ref.v : "-",
		     l->seller_item_id.v ? l->seller_item_id.v : "-",
		     l->item_name.v ? l->item_name.v : "-");
		reason(j, MR_UNMATCHED_LINE, lid, "line %s (%s) is on no line of order %s", lid,
		       l->item_name.v ? l->item_name.v : "no name", j->res->order_no);
		/* counted as invoiced, so the total check is about the other lines */
		if (l->net.set)
			dec_add(expected_sum, *expected_sum, l->net.v);
		return;
	}
	o = j->orders[oi];
	ol = &o->lines[k];
	ujson_set_str(xl, "order", o->order_no);
	ujson_set_str(xl, "order_line", ol->line_id);
	ujson_set_str(xl, "matched_by", how);
	if (row) {
		snprintf(row->order_no, sizeof(row->order_no), "%s", o->order_no);
		snprintf(row->order_line_id, sizeof(row->order_line_id), "%s", ol->line_id);
		order_booking(j, row, o, ol);
	}

	/* unit: quantities in different units cannot be compared */
	if (l->quantity.unit && ol->unit && strcasecmp(l->quantity.unit, ol->unit)) {
		note(checks, "unit", false, "unit %s on the invoice, %s on the order",
		     l->quantity.unit, ol->unit);
		reason(j, MR_QUANTITY_DEVIATION, lid, "line %s: invoiced in %s, ordered in %s", lid,
		       l->quantity.unit, ol->unit);
	}

	/* unit price */
	if (ol->price_set)
		have_ord_unit = unit_price(&ord_unit, ol->price, ol->base_set, ol->base_qty);
	else if (ol->net_set && ol->quantity_set && !dec_is_zero(ol->quantity))
		have_ord_unit = dec_div_round(&ord_unit, ol->net, ol->quantity, 6) == 0;
	if (have_ord_unit && l->price.set &&
	    unit_price(&inv_unit, l->price.v, l->base_quantity.set, l->base_quantity.v)) {
		if (!tol_check(j, checks, TOL_PRICE, "unit price", inv_unit, ord_unit, ord_unit,
			       &diff, &allowed, text, sizeof(text)))
			reason(j, MR_PRICE_DEVIATION, lid, "line %s: %s", lid, text);
	} else {
		info(checks, "unit price", "no price to compare (%s)",
		     have_ord_unit ? "the invoice line has none" : "the order line has none");
	}

	/* quantity: what is left on the order line after earlier invoices
	 * and earlier lines of this one */
	qty = l->quantity.set ? l->quantity.v : dec_make(0, 0);
	if (dec_add(&before, ol->invoiced_qty, j->taken[oi][k])) {
		j->rc = ulf_err_set(j->err, ULF_ERANGE, "quantities out of range");
		return;
	}
	if (ol->quantity_set && !dec_sub(&left, ol->quantity, before)) {
		rules_tol t;
		dec over;
		rules_tolerance(&t, j->m->rules, TOL_QUANTITY, &j->who);
		rules_tol_allowed(&allowed, &t, ol->quantity);
		dec_sub(&over, qty, left);
		fmt_qty(a, sizeof(a), qty);
		fmt_qty(c, sizeof(c), ol->quantity);
		fmt_qty(d, sizeof(d), before);
		if (dec_sign(over) > 0 && dec_cmp(over, allowed) > 0) {
			char al[DEC_STR_MAX], lf[DEC_STR_MAX], tt[64];
			fmt_qty(al, sizeof(al), allowed);
			fmt_qty(lf, sizeof(lf), left);
			rules_tol_text(tt, sizeof(tt), &t);
			note(checks, "quantity", false, "quantity %s, but %s left of %s ordered (%s invoiced"
			     " before); allowed over %s (quantity %s, %s)", a, lf, c, d, al, tt, t.scope);
			reason(j, MR_QUANTITY_DEVIATION, lid, "line %s: quantity %s, but only %s left on"
			       " order %s line %s (%s ordered, %s invoiced before); %s allowed over",
			       lid, a, lf, o->order_no, ol->line_id, c, d, al);
		} else {
			dec after;
			dec_add(&after, before, qty);
			if (dec_cmp(after, ol->quantity) < 0) {
				char rest[DEC_STR_MAX];
				dec r2;
				dec_sub(&r2, ol->quantity, after);
				fmt_qty(rest, sizeof(rest), r2);
				note(checks, "quantity", true, "partial delivery: %s of %s ordered (%s invoiced"
				     " before), %s left after this invoice", a, c, d, rest);
				ujson_set_bool(xl, "partial", true);
			} else {
				note(checks, "quantity", true, "quantity %s of %s ordered (%s invoiced before)",
				     a, c, d);
			}
		}
	}

	/* line amount: what the order says this quantity costs (its line
	 * allowances included, pro rata) */
	if (ol->net_set && ol->quantity_set && !dec_is_zero(ol->quantity)) {
		dec t;
		if (dec_mul(&t, ol->net, qty) || dec_div_round(&expected, t, ol->quantity, 2))
			expected = ol->net;
	} else if (have_ord_unit) {
		if (dec_mul_round(&expected, ord_unit, qty, 2))
			expected = dec_make(0, 2);
	} else {
		expected = l->net.set ? l->net.v : dec_make(0, 2);
	}
	if (l->net.set && (ol->net_set || have_ord_unit)) {
		if (!tol_check(j, checks, TOL_LINE, "line amount", l->net.v, expected, expected, NULL,
			       NULL, text, sizeof(text)))
			reason(j, MR_AMOUNT_DEVIATION, lid, "line %s: %s", lid, text);
	}
	dec_add(expected_sum, *expected_sum, expected);

	/* the order-level charges of this order, in the part it is invoiced */
	if (o->charges_set && !dec_is_zero(o->charges)) {
		dec total = dec_make(0, 2), share;
		size_t q;
		for (q = 0; q < o->nlines; q++)
			if (o->lines[q].net_set)
				dec_add(&total, total, o->lines[q].net);
		if (!dec_is_zero(total) && !dec_mul(&share, o->charges, expected) &&
		    !dec_div_round(&share, share, total, 6))
			dec_add(charges_share, *charges_share, share);
	}

	/* 3-way: goods received that are not yet invoiced */
	requires = o->requires_receipt < 0 ? j->settings->receipt_required : o->requires_receipt == 1;
	if (requires) {
		dec avail;
		rules_tol t;
		rules_tolerance(&t, j->m->rules, TOL_QUANTITY, &j->who);
		rules_tol_allowed(&allowed, &t, ol->quantity_set ? ol->quantity : qty);
		dec_sub(&avail, ol->received_qty, before);
		fmt_qty(a, sizeof(a), qty);
		fmt_qty(c, sizeof(c), ol->received_qty);
		fmt_qty(d, sizeof(d), before);
		dec_sub(&diff, qty, avail);
		if (dec_sign(diff) > 0 && dec_cmp(diff, allowed) > 0) {
			note(checks, "goods receipt", false, "goods receipt: %s invoiced, %s received in %zu receipt%s,"
			     " %s invoiced before", a, c, ol->nreceipts, ol->nreceipts == 1 ? "" : "s", d);
			reason(j, MR_NOT_RECEIVED, lid, "line %s: %s invoiced, but order %s line %s has %s"
			       " received (%zu goods receipt%s) and %s invoiced before", lid, a,
			       o->order_no, ol->line_id, c, ol->nreceipts, ol->nreceipts == 1 ? "" : "s", d);
		} else {
			note(checks, "goods receipt", true, "goods receipt: %s invoiced, %s received, %s invoiced before",
			     a, c, d);
		}
	}
	dec_add(&j->taken[oi][k], j->taken[oi][k], qty);
}

static void po_match(job *j, booking *b)
{
	const invoice *inv = j->inv;
	dec expected = dec_make(0, 2), charges = dec_make(0, 2), actual, total;
	char text[TEXT_MAX];
	ujson *xo = ujson_array();
	size_t i;

	ujson_set_new(j->xorder, "orders", xo);
	for (i = 0; i < j->norders; i++) {
		const ref_order *o = j->orders[i];
		ujson *e = ujson_object(), *checks = ujson_array();
		ujson_set_str(e, "order_no", o->order_no);
		ujson_set_str(e, "status", o->status);
		ujson_set_str(e, "currency", o->currency);
		ujson_set_str(e, "supplier_no", o->supplier_no);
		ujson_set_str(e, "buyer", o->buyer);
		ujson_set_int(e, "requires_receipt", o->requires_receipt);
		ujson_set_new(e, "checks", checks);
		ujson_append_new(xo, e);
		if (o->status && !strcmp(o->status, "closed")) {
			note(checks, "status", false, "order %s is closed", o->order_no);
			reason(j, MR_ORDER_CLOSED, NULL, "order %s is closed: nothing more may be"
			       " invoiced against it", o->order_no);
		}
		if (j->sup_known && o->supplier_no && strcmp(o->supplier_no, j->sup.supplier_no)) {
			note(checks, "supplier", false, "order %s is placed with supplier %s", o->order_no,
			     o->supplier_no);
			reason(j, MR_ORDER_MISMATCH, NULL, "order %s was placed with supplier %s, the"
			       " invoice comes from %s", o->order_no, o->supplier_no, j->sup.supplier_no);
		} else if (!o->supplier_no && (o->supplier_org || o->supplier_peppol)) {
			bool same = (o->supplier_org && ((j->org[0] && !strcmp(o->supplier_org, j->org)) ||
				     (j->sup_known && !strcmp(o->supplier_org, j->sup.org_no)))) ||
				    (o->supplier_peppol && ((j->peppol[0] && !strcmp(o->supplier_peppol, j->peppol)) ||
				     (j->sup_known && !strcmp(o->supplier_peppol, j->sup.peppol_id))));
			if (!same) {
				note(checks, "supplier", false, "order %s names seller %s", o->order_no,
				     o->supplier_org ? o->supplier_org : o->supplier_peppol);
				reason(j, MR_ORDER_MISMATCH, NULL, "order %s names seller %s, not this"
				       " invoice's seller", o->order_no,
				       o->supplier_org ? o->supplier_org : o->supplier_peppol);
			} else {
				note(checks, "supplier", true, "the order's seller is the invoice's");
			}
		} else {
			note(checks, "supplier", true, "the order's supplier is the invoice's");
		}
		if (o->buyer) {
			char k[176];
			size_t q;
			bool ok = false;
			if (rules_party_key(k, sizeof(k), o->buyer))
				for (q = 0; q < j->nbkeys; q++)
					if (!strcmp(j->bkeys[q], k))
						ok = true;
			if (!ok && j->nbkeys) {
				note(checks, "buyer", false, "order %s is from buyer %s", o->order_no, o->buyer);
				reason(j, MR_ORDER_MISMATCH, NULL, "order %s was placed by %s, the invoice is"
				       " addressed to someone else", o->order_no, o->buyer);
			}
		}
		if (o->currency && inv->currency.v && strcasecmp(o->currency, inv->currency.v)) {
			note(checks, "currency", false, "order in %s, invoice in %s", o->currency,
			     inv->currency.v);
			reason(j, MR_CURRENCY_MISMATCH, NULL, "order %s is in %s, the invoice in %s",
			       o->order_no, o->currency, inv->currency.v);
		}
	}
	for (i = 0; i < inv->nlines && !j->rc; i++)
		check_line(j, b, i, &expected, &charges);
	if (j->rc)
		return;
	/* header: the invoice's net total against what the order says the
	 * invoiced quantities cost, with the order's charges in proportion */
	if (dec_add(&total, expected, charges) || dec_round(&total, total, 2))
		total = expected;
	if (inv->totals.tax_exclusive.set)
		actual = inv->totals.tax_exclusive.v;
	else
		actual = inv->totals.line_extension.v;
	if (!tol_check(j, j->header, TOL_TOTAL, "net total", actual, total, total, NULL, NULL,
		       text, sizeof(text)) && !match_has_reason(j->res, MR_UNMATCHED_LINE))
		reason(j, MR_TOTAL_DEVIATION, NULL, "%s", text);
}

/* ---- credit notes ----------------------------------------------------- */

static const ref_invoice_line *credited_line(const ref_invoice *orig, const booking_row *r)
{
	size_t i;

	for (i = 0; r->item_key[0] && i < orig->nlines; i++)
		if (orig->lines[i].item_key && !strcmp(orig->lines[i].item_key, r->item_key))
			return &orig->lines[i];
	for (i = 0; r->text_key[0] && i < orig->nlines; i++)
		if (orig->lines[i].text_key && !strcmp(orig->lines[i].text_key, r->text_key))
			return &orig->lines[i];
	return orig->nlines == 1 ? &orig->lines[0] : NULL;
}

static void credit_match(job *j, booking *b)
{
	const invoice *inv = j->inv;
	ujson *checks = j->header;
	ref_invoice *orig = NULL;
	size_t i;
	int rc;

	for (i = 0; i < inv->npreceding && !orig; i++) {
		if (!inv->preceding[i].id.v)
			continue;
		rc = refdata_invoice_get(&orig, j->m->rd, j->res->supplier_key,
					 inv->preceding[i].id.v, "invoice", j->err);
		if (rc && rc != ULF_ENOTFOUND) {
			j->rc = rc;
			return;
		}
		if (!orig)
			note(checks, "credited invoice", false, "invoice %s is not among the posted"
			     " invoices of %s", inv->preceding[i].id.v, j->res->supplier_key);
	}
	if (!orig) {
		if (inv->npreceding && inv->preceding[0].id.v)
			reason(j, MR_CREDIT_NO_INVOICE, NULL, "the credit note corrects invoice %s,"
			       " which has not been posted for this supplier", inv->preceding[0].id.v);
		else
			reason(j, MR_CREDIT_NO_INVOICE, NULL, "the credit note does not say which"
			       " invoice it corrects (no BillingReference / InvoiceDocumentReference)");
		j->res->flow = inv->order_ref.v ? MATCH_FLOW_PO : MATCH_FLOW_NONPO;
		return;
	}
	j->credited_rec = orig;
	j->credited = orig;
	snprintf(j->res->credited, sizeof(j->res->credited), "%s", orig->invoice_number);
	note(checks, "credited invoice", true, "corrects invoice %s of %s (%s flow)",
	     orig->invoice_number, orig->issue_date ? orig->issue_date : "?",
	     orig->flow ? orig->flow : "?");
	j->res->flow = orig->flow && !strcmp(orig->flow, "po") ? MATCH_FLOW_PO
		     : orig->flow && !strcmp(orig->flow, "recurring") ? MATCH_FLOW_RECURRING
		     : MATCH_FLOW_NONPO;
	if (orig->order_no)
		snprintf(j->res->order_no, sizeof(j->res->order_no), "%s", orig->order_no);
	/* the credit may not take back more than the invoice was */
	{
		rules_tol t;
		dec credit = dec_abs(b->total_net), was = dec_abs(orig->net_total), over, allowed;
		char a[DEC_STR_MAX], w[DEC_STR_MAX], al[DEC_STR_MAX], tt[64];
		rules_tolerance(&t, j->m->rules, TOL_TOTAL, &j->who);
		rules_tol_allowed(&allowed, &t, was);
		rules_tol_text(tt, sizeof(tt), &t);
		dec_sub(&over, credit, was);
		fmt_dec(a, sizeof(a), credit);
		fmt_dec(w, sizeof(w), was);
		fmt_dec(al, sizeof(al), allowed);
		if (dec_sign(over) > 0 && dec_cmp(over, allowed) > 0) {
			note(checks, "credited total", false, "credits %s of invoice %s's %s: over by more"
			     " than the %s allowed (total %s, %s)", a, orig->invoice_number, w, al, tt,
			     t.scope);
			reason(j, MR_CREDIT_EXCEEDS_INVOICE, NULL, "the credit note takes back %s, invoice"
			       " %s was %s (%s allowed over)", a, orig->invoice_number, w, al);
		} else {
			note(checks, "credited total", true, "credits %s of invoice %s's %s", a,
			     orig->invoice_number, w);
		}
	}
	for (i = 0; i < b->n; i++) {
		booking_row *r = &b->rows[i];
		const ref_invoice_line *ol = credited_line(orig, r);
		const char *vals[RB_COUNT];
		int f;
		if (!ol)
			continue;
		vals[RB_ACCOUNT] = ol->account;
		vals[RB_COST_CENTRE] = ol->cost_centre;
		vals[RB_ACTIVITY] = ol->activity;
		vals[RB_PROJECT] = ol->project;
		vals[RB_VAT_CODE] = ol->vat_code;
		for (f = 0; f < RB_COUNT; f++)
			booking_set(&r->f[f], vals[f], BSRC_CREDITED, 100, "as booked on invoice %s%s%s",
				    orig->invoice_number, ol->line_id ? " line " : "",
				    ol->line_id ? ol->line_id : "");
		if (ol->order_no) {
			snprintf(r->order_no, sizeof(r->order_no), "%s", ol->order_no);
			snprintf(r->order_line_id, sizeof(r->order_line_id), "%s",
				 ol->order_line_id ? ol->order_line_id : "");
		}
		if (r->kind == BK_LINE && !dec_is_zero(ol->quantity) &&
		    dec_cmp(dec_abs(r->quantity), dec_abs(ol->quantity)) > 0) {
			char a[DEC_STR_MAX], q[DEC_STR_MAX];
			fmt_qty(a, sizeof(a), dec_abs(r->quantity));
			fmt_qty(q, sizeof(q), dec_abs(ol->quantity));
			reason(j, MR_CREDIT_EXCEEDS_INVOICE, r->line_id, "line %s credits %s, invoice %s"
			       " had %s", r->line_id, a, orig->invoice_number, q);
		}
	}
}

/* ---- invoices without an order ---------------------------------------- */

static void copy_from_record(booking *b, const ref_invoice *prev, booking_source src,
			     const char *what)
{
	size_t i, k;
	int f;

	for (i = 0; i < b->n; i++) {
		booking_row *r = &b->rows[i];
		const ref_invoice_line *pl = NULL;
		for (k = 0; !pl && r->item_key[0] && k < prev->nlines; k++)
			if (prev->lines[k].item_key && !strcmp(prev->lines[k].item_key, r->item_key))
				pl = &prev->lines[k];
		for (k = 0; !pl && r->text_key[0] && k < prev->nlines; k++)
			if (prev->lines[k].text_key && !strcmp(prev->lines[k].text_key, r->text_key))
				pl = &prev->lines[k];
		if (!pl)
			continue;
		{
			const char *vals[RB_COUNT] = { pl->account, pl->cost_centre, pl->activity,
						       pl->project, pl->vat_code };
			for (f = 0; f < RB_COUNT; f++)
				booking_set(&r->f[f], vals[f], src, 100, "%s %s of %s", what,
					    prev->invoice_number, prev->issue_date ? prev->issue_date : "?");
		}
	}
}

static bool nonpo_match(job *j, booking *b, const texts *t)
{
	rules_nonpo_hit h;
	bool found;
	size_t i;
	int f;

	if (rules_nonpo(&h, &found, j->m->m, j->m->rules, &j->who, t->v, t->n, b->total_net)) {
		j->rc = ulf_err_set(j->err, ULF_ENOMEM, "out of memory");
		return false;
	}
	if (!found)
		return false;
	j->res->flow = MATCH_FLOW_NONPO;
	fired(j, "nonpo", h.rule, h.line, h.why);
	note(j->header, "non-PO rule", true, "nonpo %s (%s:%u): %s", h.rule,
	     rules_name(j->m->rules), h.line, h.why);
	for (i = 0; i < b->n; i++)
		for (f = 0; f < RB_COUNT; f++)
			if (h.coding.rule[f])
				booking_set(&b->rows[i].f[f], h.coding.value[f], BSRC_NONPO, 100,
					    "nonpo %s (%s:%u)", h.rule, rules_name(j->m->rules),
					    h.coding.line[f]);
	return true;
}

static bool recurring_match(job *j, booking *b)
{
	ref_invoice *prev[16];
	record_buf rb;
	char ck[65], text[400];
	size_t n = 0, i, want = (size_t)j->settings->recurring_min_count;
	int rc;

	if (want > 16)
		want = 16;
	if (as_record(&rb, j, b)) {
		j->rc = ULF_ENOMEM;
		return false;
	}
	refdata_content_key(ck, &rb.rec);
	free(rb.lines);
	if (!ck[0])
		return false;
	rc = refdata_recurring(prev, &n, want, j->m->rd, j->res->supplier_key, ck,
			       j->inv->issue_date.v, j->err);
	if (rc) {
		j->rc = rc;
		return false;
	}
	if (n < want) {
		info(j->header, "recurring", "%zu earlier invoice%s with the same lines, %zu"
		     " needed (recurring_min_count)", n, n == 1 ? "" : "s", want);
		for (i = 0; i < n; i++)
			refdata_invoice_free(prev[i]);
		return false;
	}
	j->res->flow = MATCH_FLOW_RECURRING;
	note(j->header, "recurring", true, "%zu earlier invoices with the same lines, the last %s"
	     " of %s", n, prev[0]->invoice_number, prev[0]->issue_date ? prev[0]->issue_date : "?");
	if (!tol_check(j, j->header, TOL_RECURRING, "net total", b->total_net, prev[0]->net_total,
		       prev[0]->net_total, NULL, NULL, text, sizeof(text)))
		reason(j, MR_RECURRING_DEVIATION, NULL, "a recurring invoice, but %s (the last was"
		       " invoice %s)", text, prev[0]->invoice_number);
	copy_from_record(b, prev[0], BSRC_RECURRING, "as recurring invoice");
	for (i = 0; i < n; i++)
		refdata_invoice_free(prev[i]);
	return true;
}

/* ---- booking ---------------------------------------------------------- */

static int fill_booking(job *j, booking *b)
{
	const invoice *inv = j->inv;
	const char *classes[MAX_CLASSES];
	size_t i, c;
	int f, rc;

	for (i = 0; i < b->n; i++) {
		booking_row *r = &b->rows[i];
		const inv_line *l = r->kind == BK_LINE && i < inv->nlines ? &inv->lines[i] : NULL;
		rules_line rl;
		rules_coding cd;
		unsigned vline;
		const char *code;
		bool weak;
		memset(&rl, 0, sizeof(rl));
		rl.kind = r->kind == BK_LINE ? RL_LINE : r->kind == BK_CHARGE ? RL_CHARGE : RL_ALLOWANCE;
		rl.name = r->description;
		if (l) {
			rl.item_ids[0] = l->seller_item_id.v;
			rl.item_ids[1] = l->buyer_item_id.v;
			rl.item_ids[2] = l->standard_item_id.v;
			rl.name = l->item_name.v;
			rl.description = l->item_description.v;
			rl.note = l->note.v;
			for (c = 0; c < l->nclassifications && c < MAX_CLASSES; c++)
				classes[c] = l->classifications[c].v;
			rl.classes = classes;
			rl.nclasses = c;
		}
		rl.amount = r->net;
		rl.amount_set = true;
		rl.vat_category = r->vat_category[0] ? r->vat_category : NULL;
		rl.vat_rate = r->vat_rate;
		rl.vat_rate_set = r->vat_rate_set;
		rl.buyer_reference = inv->buyer_reference.v;
		rl.flow = match_flow_name(j->res->flow);
		if (rules_code(&cd, j->m->m, j->m->rules, &j->who, &rl))
			return ulf_err_set(j->err, ULF_ENOMEM, "out of memory");
		for (f = 0; f < RB_COUNT; f++)
			if (cd.rule[f] && !r->f[f].value[0])
				fired(j, "code", cd.rule[f], cd.line[f], cd.why[f]);
		booking_apply_rules(r, &cd, rules_name(j->m->rules));
		code = rules_vat_code(j->m->rules, rl.vat_category, r->vat_rate, r->vat_rate_set, &vline);
		if (code) {
			char rate[DEC_STR_MAX];
			dec_format(rate, sizeof(rate), r->vat_rate, 0);
			booking_set(&r->f[RB_VAT_CODE], code, BSRC_VATCODES, 100,
				    "vatcodes %s %s (%s:%u)", r->vat_category, rate,
				    rules_name(j->m->rules), vline);
		}
		rc = booking_apply_history(r, &weak, j->m->rd, j->res->supplier_key, j->settings, j->err);
		if (rc)
			return rc;
		r->weak = weak;
	}
	booking_apply_vat_group(b);
	if (b->has_rounding) {
		dec max = j->settings->rounding_max;
		char amt[DEC_STR_MAX], mx[DEC_STR_MAX];
		dec_format(amt, sizeof(amt), b->rounding.net, 2);
		dec_format(mx, sizeof(mx), max, 2);
		if (!j->settings->rounding_account[0]) {
			note(j->header, "rounding", false, "rounding %s and no rounding_account", amt);
			reason(j, MR_ROUNDING, NULL, "the invoice rounds by %s and the rules set no"
			       " rounding_account", amt);
		} else if (dec_cmp(dec_abs(b->rounding.net), max) > 0) {
			note(j->header, "rounding", false, "rounding %s over %s", amt, mx);
			reason(j, MR_ROUNDING, NULL, "the invoice rounds by %s, more than the %s booked"
			       " automatically (rounding_max)", amt, mx);
		} else {
			note(j->header, "rounding", true, "rounding %s (up to %s) booked on %s", amt, mx,
			     j->settings->rounding_account);
		}
		booking_set(&b->rounding.f[RB_ACCOUNT], j->settings->rounding_account, BSRC_SETTINGS,
			    100, "rounding_account (%s:%u)", rules_name(j->m->rules),
			    j->settings->line[0]);
		b->rounding.confidence = 100;
	}
	return 0;
}

static void booking_checks(job *j, booking *b)
{
	size_t i;
	int f;

	booking_confidence(b);
	for (i = 0; i < b->n; i++) {
		const booking_row *r = &b->rows[i];
		char missing[120] = "";
		const char *what = r->line_id[0] ? r->line_id : r->description;
		for (f = 0; f < RB_COUNT; f++)
			if ((j->settings->required & (1u << f)) && !r->f[f].value[0])
				snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
					 "%s%s", missing[0] ? ", " : "", rules_field_label(f));
		if (missing[0])
			reason(j, MR_NO_BOOKING, r->line_id[0] ? r->line_id : NULL,
			       "%s %s: no order, rule or history gives its %s", booking_kind_name(r->kind),
			       what, missing);
		if (!r->weak)
			continue;
		for (f = 0; f < RB_COUNT; f++)
			if (r->f[f].source == BSRC_HISTORY && r->f[f].value[0])
				break;
		reason(j, MR_LOW_CONFIDENCE, r->line_id[0] ? r->line_id : NULL,
		       "%s %s: the booking comes from a weak history (%s; needs %d%% and %d times)",
		       booking_kind_name(r->kind), what, f < RB_COUNT ? r->f[f].detail : "?",
		       j->settings->history_min_confidence, j->settings->history_min_count);
	}
}

/* ---- the result ------------------------------------------------------- */

void match_result_free(match_result *r)
{
	if (!r)
		return;
	booking_release(&r->booking);
	ujson_free(r->json);
	free(r);
}

const ujson *match_result_json(const match_result *r)
{
	return r->json;
}

static void finish_json(job *j)
{
	match_result *r = j->res;
	ujson *reasons = ujson_array(), *sup = j->xsupplier;
	size_t i;

	for (i = 0; i < r->nreasons; i++) {
		ujson *o = ujson_object();
		ujson_set_str(o, "code", r->reasons[i].code);
		ujson_set_str(o, "line", r->reasons[i].line_id[0] ? r->reasons[i].line_id : NULL);
		ujson_set_str(o, "message", r->reasons[i].message);
		ujson_append_new(reasons, o);
	}
	ujson_set_str(r->json, "document", j->in->name);
	ujson_set_str(r->json, "decision", match_decision_name(r->decision));
	ujson_set_str(r->json, "flow", match_flow_name(r->flow));
	ujson_set_new(r->json, "reasons", reasons);
	ujson_set_str(r->json, "invoice_number", j->inv->id.v);
	ujson_set_str(r->json, "kind", j->kind);
	ujson_set_str(r->json, "supplier_no", r->supplier_no[0] ? r->supplier_no : NULL);
	ujson_set_str(r->json, "supplier_name", r->supplier_name);
	ujson_set_str(r->json, "order_no", r->order_no[0] ? r->order_no : NULL);
	ujson_set_str(r->json, "credited_invoice", r->credited[0] ? r->credited : NULL);
	ujson_set_new(r->json, "suggestion", booking_json(&r->booking));
	ujson_set_new(j->x, "supplier", sup);
	j->xsupplier = NULL;
	ujson_set_new(r->json, "explanation", j->x);
	j->x = NULL;
}

static void release_job(job *j)
{
	size_t i;

	for (i = 0; i < j->norders; i++) {
		refdata_order_free(j->orders[i]);
		free(j->taken[i]);
	}
	refdata_invoice_free(j->credited_rec);
	ujson_free(j->x);
	ujson_free(j->xsupplier);
}

int match_invoice(match_result **out, matcher *m, const invoice *inv,
		  const match_input *in, ulf_err *err)
{
	match_result *r = calloc(1, sizeof(*r));
	job j;
	texts *t = NULL;
	size_t ncand = 0;

	*out = NULL;
	if (!r)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	memset(&j, 0, sizeof(j));
	j.m = m;
	j.inv = inv;
	j.in = in;
	j.res = r;
	j.err = err;
	j.settings = rules_settings_of(m->rules);
	j.credit = inv->kind == INV_KIND_CREDIT_NOTE;
	j.kind = j.credit ? "credit-note" : "invoice";
	/* a UBL credit note states positive amounts that reduce */
	j.sign = j.credit && inv->syntax == INV_SYNTAX_UBL ? -1 : 1;
	booking_init(&r->booking);
	r->json = ujson_object();
	j.x = ujson_object();
	j.xsupplier = ujson_object();
	j.fired = ujson_array();
	j.xlines = ujson_array();
	j.header = ujson_array();
	j.xorder = ujson_object();
	j.xdup = ujson_array();
	t = calloc(1, sizeof(*t));
	if (!r->json || !j.x || !j.xsupplier || !j.fired || !j.xlines || !j.header ||
	    !j.xorder || !j.xdup || !t) {
		j.rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		ujson_free(j.fired);
		ujson_free(j.xlines);
		ujson_free(j.header);
		ujson_free(j.xorder);
		ujson_free(j.xdup);
		goto out;
	}
	ujson_set_new(j.x, "rules_fired", j.fired);
	ujson_set_new(j.x, "lines", j.xlines);
	ujson_set_new(j.x, "header", j.header);
	ujson_set_new(j.x, "order", j.xorder);
	ujson_set_new(j.x, "duplicates", j.xdup);
	ujson_set_str(j.x, "rules", rules_name(m->rules));

	/* 1. what the validator said */
	{
		ujson *v = ujson_object();
		ujson_set_bool(v, "valid", in->valid);
		ujson_set_str(v, "summary", in->invalid_reason);
		ujson_set_new(j.x, "validation", v);
		if (!in->valid)
			reason(&j, MR_INVALID, NULL, "the invoice breaks the e-invoice rules%s%s",
			       in->invalid_reason ? ": " : "", in->invalid_reason ? in->invalid_reason : "");
	}
	/* 2. who sent it */
	invoice_keys(&j);
	identify(&j);
	if (j.rc)
		goto out;
	supplier_key(&j);
	/* 3. the rows to book, with their amounts */
	j.rc = booking_rows(&r->booking, inv, j.sign, err);
	if (j.rc)
		goto out;
	j.rc = booking_spread_vat(&r->booking, inv, err);
	if (j.rc)
		goto out;
	/* 4. seen before? */
	duplicates(&j, &r->booking);
	if (j.rc)
		goto out;
	/* 5. what it is matched against */
	collect_texts(t, inv);
	if (j.credit) {
		credit_match(&j, &r->booking);
	} else {
		ncand = find_orders(&j, t);
		if (j.rc)
			goto out;
		if (j.norders) {
			r->flow = MATCH_FLOW_PO;
			po_match(&j, &r->booking);
		} else if (!nonpo_match(&j, &r->booking, t) && !j.rc &&
			   !recurring_match(&j, &r->booking) && !j.rc) {
			r->flow = ncand ? MATCH_FLOW_PO : MATCH_FLOW_NONPO;
			if (ncand) {
				ujson *c = ujson_array_get(ujson_get(j.xorder, "candidates"), 0);
				reason(&j, MR_NO_ORDER, NULL, "order %s (from %s)%s is not in the order"
				       " register", ujson_get_str(c, "value"), ujson_get_str(c, "source"),
				       ncand > 1 ? " and the other candidates" : "");
			} else {
				reason(&j, MR_NO_ORDER, NULL, "no order number in the invoice, and no"
				       " nonpo rule or recurring series fits it");
			}
		}
	}
	if (j.rc)
		goto out;
	/* 6. the booking suggestion */
	j.rc = fill_booking(&j, &r->booking);
	if (j.rc)
		goto out;
	booking_checks(&j, &r->booking);
	/* 7. the decision */
	r->decision = r->nreasons ? MATCH_EXCEPTION : MATCH_AUTO;
	finish_json(&j);
out:
	free(t);
	release_job(&j);
	if (j.rc) {
		match_result_free(r);
		return j.rc;
	}
	*out = r;
	return 0;
}

/* ---- text ------------------------------------------------------------- */

static void checks_text(FILE *out, const ujson *arr, const char *indent, bool only_bad)
{
	size_t i;

	for (i = 0; i < ujson_array_size(arr); i++) {
		const ujson *c = ujson_array_get(arr, i);
		const char *res = ujson_get_str(c, "result");
		bool good = res && strcmp(res, "deviation");
		if (only_bad && good)
			continue;
		fprintf(out, "%s%s %s\n", indent, !good ? "FAIL" : !strcmp(res, "info") ? "--  " : "ok  ",
			ujson_get_str(c, "text"));
	}
}

void match_result_text(FILE *out, const match_result *r, const char *label)
{
	const ujson *x = ujson_get(r->json, "explanation");
	const ujson *sup = ujson_get(x, "supplier"), *lines = ujson_get(x, "lines");
	const ujson *cands = ujson_get(ujson_get(x, "order"), "candidates");
	const ujson *fired_rules = ujson_get(x, "rules_fired");
	size_t i;

	fprintf(out, "%s: %s, %s flow%s%s\n", label ? label : "invoice",
		match_decision_name(r->decision), match_flow_name(r->flow),
		r->nreasons ? " - " : "", r->nreasons ? r->reasons[0].code : "");
	fprintf(out, "  supplier  %s %s", r->supplier_no[0] ? r->supplier_no : "(not in register)",
		r->supplier_name);
	if (ujson_get_str(sup, "identified_by"))
		fprintf(out, " (by %s %s)", ujson_get_str(sup, "identified_by"),
			ujson_get_str(sup, "identified_value") ? ujson_get_str(sup, "identified_value") : "");
	fputc('\n', out);
	checks_text(out, ujson_get(sup, "checks"), "            ", true);
	if (r->order_no[0])
		fprintf(out, "  order     %s\n", r->order_no);
	for (i = 0; i < ujson_array_size(cands); i++) {
		const ujson *c = ujson_array_get(cands, i);
		fprintf(out, "            candidate %s from %s: %s\n", ujson_get_str(c, "value"),
			ujson_get_str(c, "source"), ujson_get_str(c, "result"));
	}
	if (r->credited[0])
		fprintf(out, "  credits   invoice %s\n", r->credited);
	if (r->nreasons) {
		fprintf(out, "  reasons\n");
		for (i = 0; i < r->nreasons; i++)
			fprintf(out, "    %-24s %s\n", r->reasons[i].code, r->reasons[i].message);
	}
	fprintf(out, "  checks\n");
	checks_text(out, ujson_get(x, "duplicates"), "    ", false);
	for (i = 0; i < ujson_array_size(lines); i++) {
		const ujson *l = ujson_array_get(lines, i);
		if (ujson_get_str(l, "order_line"))
			fprintf(out, "    line %s -> order %s line %s, by %s\n",
				ujson_get_str(l, "invoice_line"), ujson_get_str(l, "order"),
				ujson_get_str(l, "order_line"), ujson_get_str(l, "matched_by"));
		else
			fprintf(out, "    line %s -> no order line\n", ujson_get_str(l, "invoice_line"));
		checks_text(out, ujson_get(l, "checks"), "      ", false);
	}
	checks_text(out, ujson_get(x, "header"), "    ", false);
	fprintf(out, "  suggestion\n");
	booking_text(out, &r->booking, "    ");
	if (ujson_array_size(fired_rules)) {
		fprintf(out, "  rules fired\n");
		for (i = 0; i < ujson_array_size(fired_rules); i++) {
			const ujson *f = ujson_array_get(fired_rules, i);
			fprintf(out, "    %s %s (line %lld): %s\n", ujson_get_str(f, "kind"),
				ujson_get_str(f, "rule"), (long long)ujson_get_int(f, "line", 0),
				ujson_get_str(f, "why"));
		}
	}
	if (ujson_get(r->json, "new_supplier")) {
		static const char *const keys[] = { "name", "trading_name", "org_no", "vat_no",
						    "peppol_id", "bankgiro", "plusgiro", "iban",
						    "f_skatt", NULL };
		const ujson *ns = ujson_get(r->json, "new_supplier");
		const ujson *ad = ujson_get(ns, "address"), *ct = ujson_get(ns, "contact");
		fprintf(out, "  new supplier registration (prefilled from the invoice, to complete)\n");
		for (i = 0; keys[i]; i++)
			if (ujson_get_str(ns, keys[i]))
				fprintf(out, "    %-13s %s\n", keys[i], ujson_get_str(ns, keys[i]));
		fprintf(out, "    %-13s %s, %s %s, %s\n", "address",
			ujson_get_str(ad, "street") ? ujson_get_str(ad, "street") : "-",
			ujson_get_str(ad, "postcode") ? ujson_get_str(ad, "postcode") : "",
			ujson_get_str(ad, "city") ? ujson_get_str(ad, "city") : "-",
			ujson_get_str(ad, "country") ? ujson_get_str(ad, "country") : "-");
		fprintf(out, "    %-13s %s %s %s\n", "contact",
			ujson_get_str(ct, "name") ? ujson_get_str(ct, "name") : "",
			ujson_get_str(ct, "phone") ? ujson_get_str(ct, "phone") : "",
			ujson_get_str(ct, "email") ? ujson_get_str(ct, "email") : "");
		fprintf(out, "    %-13s (to be given by the ERP)\n", "supplier_no");
	}
}

/* ---- memory ----------------------------------------------------------- */

static const char *jstr(const ujson *o, const char *key)
{
	const char *s = ujson_get_str(o, key);

	return s && *s ? s : NULL;
}

int match_record(matcher *m, const invoice *inv, const match_result *r,
		 const char *booking_json, int64_t doc_id, int64_t now, ulf_err *err)
{
	job j;
	record_buf rb;
	ujson *bj = NULL;
	ref_invoice_line *lines = NULL;
	bool *used = NULL;
	int rc;

	memset(&j, 0, sizeof(j));
	j.inv = inv;
	j.res = (match_result *)r;
	j.err = err;
	j.kind = inv->kind == INV_KIND_CREDIT_NOTE ? "credit-note" : "invoice";
	if (!inv->id.v)
		return ulf_err_set(err, ULF_EINVAL, "an invoice without a number cannot be recorded");
	rc = as_record(&rb, &j, &r->booking);
	if (rc)
		return rc;
	rb.rec.doc_id = doc_id;
	rb.rec.source = "posted";
	if (booking_json) {
		const ujson *arr;
		const char *by, *on;
		size_t i, n, k;
		dec total = dec_make(0, 2);
		rc = ujson_parse(&bj, booking_json, strlen(booking_json), "booking", err);
		if (rc)
			goto out;
		arr = ujson_get(bj, "lines");
		n = ujson_array_size(arr);
		if (!ujson_is_array(arr) || n == 0) {
			rc = ulf_err_set(err, ULF_EINVAL, "booking: expected an object with a \"lines\""
					 " array");
			goto out;
		}
		/* a handler's correction (queue_approve_booking) says who and when:
		 * the history remembers it as theirs */
		by = jstr(bj, "corrected_by");
		on = jstr(bj, "corrected_on");
		lines = calloc(n, sizeof(*lines));
		used = calloc(r->booking.n ? r->booking.n : 1, sizeof(*used));
		if (!lines || !used) {
			rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
			goto out;
		}
		/* a person's booking: their fields and amounts; quantities and
		 * order lines from the suggestion row of the same invoice line */
		for (i = 0; i < n; i++) {
			const ujson *o = ujson_array_get(arr, i);
			const char *lid = jstr(o, "invoice_line_id");
			const char *amt = jstr(o, "net_amount") ? jstr(o, "net_amount") : jstr(o, "amount");
			ref_invoice_line *l = &lines[i];
			l->quantity = dec_make(0, 0);
			if (!amt || refdata_parse_amount(&l->net, amt)) {
				rc = ulf_err_set(err, ULF_EINVAL, "booking line %zu: net_amount missing or"
						 " not an amount", i + 1);
				goto out;
			}
			l->account = jstr(o, "account");
			l->cost_centre = jstr(o, "cost_centre");
			l->activity = jstr(o, "activity");
			l->project = jstr(o, "project");
			l->vat_code = jstr(o, "vat_code");
			l->description = jstr(o, "description");
			l->line_id = lid;
			l->learned_by = by;
			l->learned_on = on;
			for (k = 0; lid && k < r->booking.n; k++) {
				const booking_row *row = &r->booking.rows[k];
				if (used[k] || strcmp(row->line_id, lid))
					continue;
				used[k] = true;
				l->quantity = row->quantity;
				l->item_key = row->item_key[0] ? row->item_key : NULL;
				l->text_key = row->text_key[0] ? row->text_key : NULL;
				l->order_no = row->order_no[0] ? row->order_no : NULL;
				l->order_line_id = row->order_line_id[0] ? row->order_line_id : NULL;
				if (!l->description)
					l->description = row->description;
				break;
			}
			if (dec_add(&total, total, l->net)) {
				rc = ulf_err_set(err, ULF_ERANGE, "booking: amounts out of range");
				goto out;
			}
		}
		rb.rec.lines = lines;
		rb.rec.nlines = n;
		rb.rec.net_total = total;
	}
	rc = refdata_record_invoice(m->rd, &rb.rec, now, err);
out:
	ujson_free(bj);
	free(lines);
	free(used);
	free(rb.lines);
	return rc;
}
