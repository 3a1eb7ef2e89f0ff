/*
 * match_supplier.c - who sent the invoice: the seller's keys normalised,
 * looked up in the supplier register strongest first (Peppol id, org
 * number, VAT number, then payment accounts, then the name), the payment
 * account checked against the register, and the keys rules and history
 * know the supplier by.  Private to robot/match (match_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "robot/match/match_int.h"
#include "robot/match/mtext.h"

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
		snprintf(k[1], sizeof(k[1]), "peppol:0007:%.*s", mtext_fit(k[0] + 4, 160), k[0] + 4);
		nk = 2;
	} else if (!strncmp(k[0], "peppol:0007:", 12)) {
		snprintf(k[1], sizeof(k[1]), "org:%.*s", mtext_fit(k[0] + 12, 160), k[0] + 12);
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

static void add_skey(match_job *j, const char *value)
{
	add_key(j->skeys, j->skp, &j->nskeys, 10, value);
}

static void add_bkey(match_job *j, const char *value)
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

void mj_invoice_keys(match_job *j)
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
static int try_key(match_job *j, ref_supplier *found, size_t *n, ref_key k, const char *value)
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
	mj_set_str(j, o, "key", refdata_key_name(k));
	mj_set_str(j, o, "value", value);
	mj_set_str(j, o, "found", *n == 1 ? found->supplier_no : NULL);
	mj_set_int(j, o, "matches", (int64_t)*n);
	mj_append(j, ujson_get(j->xsupplier, "keys"), o);
	return 0;
}

static ujson *registration(match_job *j)
{
	const inv_party *s = &j->inv->seller;
	ujson *o = ujson_object(), *a = ujson_object(), *c = ujson_object();

	mj_set_str(j, o, "name", s->name.v ? s->name.v : s->trading_name.v);
	mj_set_str(j, o, "trading_name", s->trading_name.v && s->name.v &&
		      strcmp(s->trading_name.v, s->name.v) ? s->trading_name.v : NULL);
	mj_set_str(j, o, "org_no", j->org[0] ? j->org : s->legal_id.v);
	mj_set_str(j, o, "vat_no", j->vat[0] ? j->vat : NULL);
	mj_set_str(j, o, "peppol_id", j->peppol[0] ? j->peppol : NULL);
	mj_set_str(j, o, "bankgiro", j->bankgiro[0] ? j->bankgiro : NULL);
	mj_set_str(j, o, "plusgiro", j->plusgiro[0] ? j->plusgiro : NULL);
	mj_set_str(j, o, "iban", j->iban[0] ? j->iban : NULL);
	/* "Godkänd för F-skatt": BT-33, or a TAX PartyTaxScheme in BIS 3 */
	mj_set_str(j, o, "f_skatt", s->legal_info.v && strstr(s->legal_info.v, "skatt") ? s->legal_info.v
		      : s->tax_reg_id.v && strstr(s->tax_reg_id.v, "skatt") ? s->tax_reg_id.v : NULL);
	mj_set_str(j, a, "street", s->address.line1.v);
	mj_set_str(j, a, "city", s->address.city.v);
	mj_set_str(j, a, "postcode", s->address.postcode.v);
	mj_set_str(j, a, "country", s->address.country.v);
	mj_set_new(j, o, "address", a);
	mj_set_str(j, c, "name", s->contact.name.v);
	mj_set_str(j, c, "phone", s->contact.phone.v);
	mj_set_str(j, c, "email", s->contact.email.v);
	mj_set_new(j, o, "contact", c);
	mj_set_str(j, o, "from_invoice", j->inv->id.v);
	mj_set_str(j, o, "supplier_no", NULL);
	mj_set_bool(j, o, "contract", false);
	return o;
}

static void payment_check(match_job *j)
{
	const ref_supplier *s = &j->sup;
	bool reg_any = s->bankgiro[0] || s->plusgiro[0] || s->iban[0];
	bool inv_any = j->bankgiro[0] || j->plusgiro[0] || j->iban[0];
	bool ok = (j->bankgiro[0] && !strcmp(j->bankgiro, s->bankgiro)) ||
		  (j->plusgiro[0] && !strcmp(j->plusgiro, s->plusgiro)) ||
		  (j->iban[0] && !strcmp(j->iban, s->iban));
	ujson *checks = ujson_get(j->xsupplier, "checks");

	if (!inv_any) {
		mj_note(j, checks, "payment account", true, "the invoice names no bankgiro, plusgiro or IBAN");
		return;
	}
	if (!reg_any) {
		mj_note(j, checks, "payment account", true, "the register has no payment account for %s to"
		        " compare with", s->supplier_no);
		return;
	}
	if (ok) {
		mj_note(j, checks, "payment account", true, "pays to %s %s, as in the register",
		        j->bankgiro[0] ? "bankgiro" : j->plusgiro[0] ? "plusgiro" : "IBAN",
		        j->bankgiro[0] ? j->bankgiro : j->plusgiro[0] ? j->plusgiro : j->iban);
		return;
	}
	/* changed bank details are how invoice fraud is done: a person checks */
	mj_note(j, checks, "payment account", false, "payment account differs from the register");
	mj_reason(j, MR_PAYMENT_ACCOUNT_MISMATCH, NULL,
	          "the invoice asks for payment to %s %s; the register has %s%s%s%s%s%s for"
	          " supplier %s", j->bankgiro[0] ? "bankgiro" : j->plusgiro[0] ? "plusgiro" : "IBAN",
	          j->bankgiro[0] ? j->bankgiro : j->plusgiro[0] ? j->plusgiro : j->iban,
	          s->bankgiro[0] ? "bankgiro " : "", s->bankgiro, s->plusgiro[0] ? " plusgiro " : "",
	          s->plusgiro, s->iban[0] ? " IBAN " : "", s->iban, s->supplier_no);
}

void mj_identify(match_job *j)
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
	mj_set_new(j, j->xsupplier, "keys", ujson_array());
	mj_set_new(j, j->xsupplier, "checks", ujson_array());
	for (i = 0; i < 3 && !j->rc; i++) {
		if (try_key(j, &f, &n, strong[i], strong_v[i]))
			return;
		if (n > 1) {
			ambiguous = true;
			snprintf(others + strlen(others), sizeof(others) - strlen(others),
				 "%s%s %s fits more than one supplier", others[0] ? "; " : "",
				 refdata_key_name(strong[i]), strong_v[i]);
			mtext_trim(others);
		} else if (n == 1 && !by) {
			first = f;
			by = refdata_key_name(strong[i]);
			by_value = strong_v[i];
		} else if (n == 1 && strcmp(f.supplier_no, first.supplier_no)) {
			ambiguous = true;
			snprintf(others + strlen(others), sizeof(others) - strlen(others),
				 "%s%s %s is supplier %s", others[0] ? "; " : "",
				 refdata_key_name(strong[i]), strong_v[i], f.supplier_no);
			mtext_trim(others);
		}
	}
	if (ambiguous) {
		if (by)
			mj_reason(j, MR_AMBIGUOUS_SUPPLIER, NULL, "the seller's identifiers point at different"
			          " suppliers: %s %s is supplier %s; %s", by, by_value, first.supplier_no,
			          others);
		else
			mj_reason(j, MR_AMBIGUOUS_SUPPLIER, NULL, "the seller's identifiers point at different"
			          " suppliers: %s", others);
		mj_set_str(j, j->xsupplier, "identified_by", NULL);
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
				mj_reason(j, MR_AMBIGUOUS_SUPPLIER, NULL, "%s %s belongs to supplier %s (org"
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
				mj_set_str(j, j->xsupplier, "identified_by", "name");
				mj_reason(j, MR_SUPPLIER_UNCERTAIN, NULL,
				          "the seller was found by name only (supplier %s, %s): none of its"
				          " Peppol id, org number, VAT number or payment account is in the"
				          " register; confirm it and add them", f.supplier_no, f.name);
				return;
			}
		}
		mj_reason(j, MR_UNKNOWN_SUPPLIER, NULL, "%s (org number %s, Peppol id %s) is not in the"
		          " supplier register: register it (new_supplier has what the invoice says)",
		          nm ? nm : "the seller", j->org[0] ? j->org : "-", j->peppol[0] ? j->peppol : "-");
		mj_set_new(j, j->res->json, "new_supplier", registration(j));
		return;
	}
	j->sup = first;
	j->sup_known = true;
	mj_set_str(j, j->xsupplier, "identified_by", by);
	mj_set_str(j, j->xsupplier, "identified_value", by_value);
	if (first.blocked)
		mj_reason(j, MR_SUPPLIER_BLOCKED, NULL, "supplier %s (%s) is blocked in the register",
		          first.supplier_no, first.name);
	payment_check(j);
}

void mj_supplier_key(match_job *j)
{
	match_result *r = j->res;
	char name[200];
	const char *nm = j->inv->seller.name.v ? j->inv->seller.name.v : j->inv->seller.trading_name.v;

	if (j->sup_known) {
		r->supplier_no = mj_str(j, j->sup.supplier_no);
		r->supplier_name = mj_str(j, j->sup.name);
		r->supplier_key = r->supplier_no;
		/* the register's identifiers too: rules may name any of them */
		add_skey(j, j->sup.org_no);
		add_skey(j, j->sup.peppol_id);
		add_skey(j, j->sup.vat_no);
		j->who.contract = j->sup.contract;
	} else {
		r->supplier_name = mj_str(j, nm);
		/* history keys are kept as short as they have always been, cut
		 * on a character */
		if (j->org[0])
			r->supplier_key = mj_fmt(j, "org:%s", j->org);
		else if (j->vat[0])
			r->supplier_key = mj_fmt(j, "vat:%s", j->vat);
		else if (j->peppol[0])
			r->supplier_key = mj_fmt(j, "peppol:%.*s", mtext_fit(j->peppol, 140), j->peppol);
		else if (nm && refdata_norm(name, sizeof(name), REF_BY_NAME, nm))
			r->supplier_key = mj_fmt(j, "name:%.*s", mtext_fit(name, 140), name);
		else
			r->supplier_key = "unknown";
	}
	j->who.supplier_keys = j->skp;
	j->who.nsupplier = j->nskeys;
	j->who.buyer_keys = j->bkp;
	j->who.nbuyer = j->nbkeys;
	mj_set_str(j, j->xsupplier, "supplier_no", r->supplier_no[0] ? r->supplier_no : NULL);
	mj_set_str(j, j->xsupplier, "name", r->supplier_name);
	mj_set_str(j, j->xsupplier, "history_key", r->supplier_key);
	mj_set_bool(j, j->xsupplier, "contract", j->who.contract);
}
