/*
 * match_prior.c - the invoice against those posted before: duplicates (by
 * number, by content, and in the store's documents) and, for a credit
 * note, the invoice it corrects, whose booking it takes back.  Private to
 * robot/match (match_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/match/match_int.h"
#include "robot/store/store.h"

/* ---- duplicates ------------------------------------------------------- */

void mj_duplicates(match_job *j, const booking *b)
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
		mj_note(j, j->xdup, "number", false, "%s %s from %s was already posted (%s%s)", j->kind,
		        inv->id.v, j->res->supplier_key, prev->issue_date ? "issued " : "recorded",
		        prev->issue_date ? prev->issue_date : "");
		if (prev->doc_id)
			mj_reason(j, MR_DUPLICATE, NULL, "%s %s from this supplier was already posted, as"
			          " document %lld", j->kind, inv->id.v, (long long)prev->doc_id);
		else
			mj_reason(j, MR_DUPLICATE, NULL, "%s %s from this supplier was already posted (%s)",
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
			mj_note(j, j->xdup, "number", false, "the store holds %s %s from this seller as"
			        " document %lld (%s)", j->kind, inv->id.v, id, state);
			mj_reason(j, MR_DUPLICATE, NULL, "%s %s from this seller is already in the store as"
			          " document %lld (%s)", j->kind, inv->id.v, id, state);
			found = true;
		}
	}
	if (!found)
		mj_note(j, j->xdup, "number", true, "no earlier %s %s from this supplier", j->kind, inv->id.v);

	if (mj_as_record(&rb, j, b)) {
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
		mj_note(j, j->xdup, "fingerprint", false, "same supplier, date, currency, total and line"
		        " amounts as posted invoice %s", number);
		mj_reason(j, MR_DUPLICATE, NULL, "same content (supplier, date, total and every line"
		          " amount) as invoice %s, posted before under another number", number);
	} else {
		mj_note(j, j->xdup, "fingerprint", true, "no posted invoice with the same content");
	}
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

void mj_credit_match(match_job *j, booking *b)
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
			mj_note(j, checks, "credited invoice", false, "invoice %s is not among the posted"
			        " invoices of %s", inv->preceding[i].id.v, j->res->supplier_key);
	}
	if (!orig) {
		if (inv->npreceding && inv->preceding[0].id.v)
			mj_reason(j, MR_CREDIT_NO_INVOICE, NULL, "the credit note corrects invoice %s,"
			          " which has not been posted for this supplier", inv->preceding[0].id.v);
		else
			mj_reason(j, MR_CREDIT_NO_INVOICE, NULL, "the credit note does not say which"
			          " invoice it corrects (no BillingReference / InvoiceDocumentReference)");
		j->res->flow = inv->order_ref.v ? MATCH_FLOW_PO : MATCH_FLOW_NONPO;
		return;
	}
	j->credited_rec = orig;
	j->credited = orig;
	j->res->credited = mj_str(j, orig->invoice_number);
	mj_note(j, checks, "credited invoice", true, "corrects invoice %s of %s (%s flow)",
	        orig->invoice_number, orig->issue_date ? orig->issue_date : "?",
	        orig->flow ? orig->flow : "?");
	j->res->flow = orig->flow && !strcmp(orig->flow, "po") ? MATCH_FLOW_PO
		     : orig->flow && !strcmp(orig->flow, "recurring") ? MATCH_FLOW_RECURRING
		     : MATCH_FLOW_NONPO;
	if (orig->order_no)
		j->res->order_no = mj_str(j, orig->order_no);
	/* the credit may not take back more than the invoice was */
	{
		rules_tol t;
		dec credit = dec_abs(b->total_net), was = dec_abs(orig->net_total), over, allowed;
		char a[DEC_STR_MAX], w[DEC_STR_MAX], al[DEC_STR_MAX], tt[64];
		rules_tolerance(&t, j->m->rules, TOL_TOTAL, &j->who);
		rules_tol_text(tt, sizeof(tt), &t);
		mj_fmt_dec(a, sizeof(a), credit);
		mj_fmt_dec(w, sizeof(w), was);
		if (rules_tol_allowed(&allowed, &t, was) || dec_sub(&over, credit, was)) {
			mj_out_of_range(j, checks, "credited total", MR_CREDIT_EXCEEDS_INVOICE, NULL,
					"the credit of %s against invoice %s's %s", a,
					orig->invoice_number, w);
		} else if (dec_sign(over) > 0 && dec_cmp(over, allowed) > 0) {
			mj_fmt_dec(al, sizeof(al), allowed);
			mj_note(j, checks, "credited total", false, "credits %s of invoice %s's %s: over by more"
			        " than the %s allowed (total %s, %s)", a, orig->invoice_number, w, al, tt,
			        t.scope);
			mj_reason(j, MR_CREDIT_EXCEEDS_INVOICE, NULL, "the credit note takes back %s, invoice"
			          " %s was %s (%s allowed over)", a, orig->invoice_number, w, al);
		} else {
			mj_note(j, checks, "credited total", true, "credits %s of invoice %s's %s", a,
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
			booking_set(b, &r->f[f], vals[f], BSRC_CREDITED, 100, "as booked on invoice %s%s%s",
				    orig->invoice_number, ol->line_id ? " line " : "",
				    ol->line_id ? ol->line_id : "");
		if (ol->order_no) {
			r->order_no = booking_str(b, ol->order_no);
			r->order_line_id = booking_str(b, ol->order_line_id);
		}
		if (r->kind == BK_LINE && !dec_is_zero(ol->quantity) &&
		    dec_cmp(dec_abs(r->quantity), dec_abs(ol->quantity)) > 0) {
			char a[DEC_STR_MAX], q[DEC_STR_MAX];
			mj_fmt_qty(a, sizeof(a), dec_abs(r->quantity));
			mj_fmt_qty(q, sizeof(q), dec_abs(ol->quantity));
			mj_reason(j, MR_CREDIT_EXCEEDS_INVOICE, r->line_id, "line %s credits %s, invoice %s"
			          " had %s", r->line_id, a, orig->invoice_number, q);
		}
	}
}
