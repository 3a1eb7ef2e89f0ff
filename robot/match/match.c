/*
 * match.c - the matcher, and one match job per invoice: the steps in their
 * order (docs/matching.md) and the decision.  See match.h; the steps live
 * in the match_*.c files of this folder (match_int.h).
 *
 * One job per invoice collects the reasons and the explanation as it
 * goes; nothing short-circuits, so a person sees every problem at once,
 * not the first one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/match/match_int.h"

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

bool match_has_reason(const match_result *r, const char *code)
{
	size_t i;

	for (i = 0; i < r->nreasons; i++)
		if (!strcmp(r->reasons[i].code, code))
			return true;
	return false;
}

/* ---- the result ------------------------------------------------------- */

void match_result_free(match_result *r)
{
	if (!r)
		return;
	booking_release(&r->booking);
	ujson_free(r->json);
	arena_release(&r->mem);
	free(r);
}

const ujson *match_result_json(const match_result *r)
{
	return r->json;
}

static void finish_json(match_job *j)
{
	match_result *r = j->res;
	ujson *reasons = ujson_array(), *sup = j->xsupplier;
	size_t i;

	for (i = 0; i < r->nreasons; i++) {
		ujson *o = ujson_object();
		mj_set_str(j, o, "code", r->reasons[i].code);
		mj_set_str(j, o, "line", r->reasons[i].line_id[0] ? r->reasons[i].line_id : NULL);
		mj_set_str(j, o, "message", r->reasons[i].message);
		mj_append(j, reasons, o);
	}
	mj_set_str(j, r->json, "document", j->in->name);
	mj_set_str(j, r->json, "decision", match_decision_name(r->decision));
	mj_set_str(j, r->json, "flow", match_flow_name(r->flow));
	mj_set_new(j, r->json, "reasons", reasons);
	mj_set_str(j, r->json, "invoice_number", j->inv->id.v);
	mj_set_str(j, r->json, "kind", j->kind);
	mj_set_str(j, r->json, "supplier_no", r->supplier_no[0] ? r->supplier_no : NULL);
	mj_set_str(j, r->json, "supplier_name", r->supplier_name);
	mj_set_str(j, r->json, "order_no", r->order_no[0] ? r->order_no : NULL);
	mj_set_str(j, r->json, "credited_invoice", r->credited[0] ? r->credited : NULL);
	if (j->dupof) {
		mj_set_new(j, r->json, "duplicate_of", j->dupof);
		j->dupof = NULL;
	}
	mj_set_new(j, r->json, "suggestion", booking_json(&r->booking));
	mj_set_new(j, j->x, "supplier", sup);
	j->xsupplier = NULL;
	mj_set_new(j, r->json, "explanation", j->x);
	j->x = NULL;
}

static void release_job(match_job *j)
{
	size_t i;

	for (i = 0; i < j->norders; i++) {
		refdata_order_free(j->orders[i]);
		free(j->taken[i]);
	}
	refdata_invoice_free(j->credited_rec);
	ujson_free(j->dupof);
	ujson_free(j->x);
	ujson_free(j->xsupplier);
}

int match_invoice(match_result **out, matcher *m, const invoice *inv,
		  const match_input *in, ulf_err *err)
{
	match_result *r = calloc(1, sizeof(*r));
	match_job j;
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
	arena_init(&r->mem, MATCH_MAX_BYTES);
	r->supplier_no = r->supplier_name = r->supplier_key = "";
	r->order_no = r->credited = r->refs = "";
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
	mj_set_new(&j, j.x, "rules_fired", j.fired);
	mj_set_new(&j, j.x, "lines", j.xlines);
	mj_set_new(&j, j.x, "header", j.header);
	mj_set_new(&j, j.x, "order", j.xorder);
	mj_set_new(&j, j.x, "duplicates", j.xdup);
	mj_set_str(&j, j.x, "rules", rules_name(m->rules));

	/* 1. what the validator said */
	{
		ujson *v = ujson_object();
		mj_set_bool(&j, v, "valid", in->valid);
		mj_set_str(&j, v, "summary", in->invalid_reason);
		mj_set_new(&j, j.x, "validation", v);
		if (!in->valid)
			mj_reason(&j, MR_INVALID, NULL, "the invoice breaks the e-invoice rules%s%s",
			          in->invalid_reason ? ": " : "", in->invalid_reason ? in->invalid_reason : "");
	}
	if (j.rc)
		goto out;
	/* 2. who sent it */
	mj_invoice_keys(&j);
	mj_identify(&j);
	if (j.rc)
		goto out;
	mj_supplier_key(&j);
	/* 3. the rows to book, with their amounts */
	j.rc = booking_rows(&r->booking, inv, j.sign, err);
	if (j.rc)
		goto out;
	j.rc = booking_spread_vat(&r->booking, inv, err);
	if (j.rc)
		goto out;
	/* 4. seen before? */
	mj_duplicates(&j, &r->booking);
	if (j.rc)
		goto out;
	j.dup_at = r->nreasons;
	/* 5. what it is matched against */
	mj_collect_texts(t, inv);
	if (j.credit) {
		mj_credit_match(&j, &r->booking);
	} else {
		ncand = mj_find_orders(&j, t);
		if (j.rc)
			goto out;
		if (j.norders) {
			r->flow = MATCH_FLOW_PO;
			mj_po_match(&j, &r->booking);
		} else if (!mj_nonpo_match(&j, &r->booking, t) && !j.rc &&
			   !mj_recurring_match(&j, &r->booking) && !j.rc) {
			r->flow = ncand ? MATCH_FLOW_PO : MATCH_FLOW_NONPO;
			if (ncand) {
				ujson *c = ujson_array_get(ujson_get(j.xorder, "candidates"), 0);
				mj_reason(&j, MR_NO_ORDER, NULL, "order %s (from %s)%s is not in the order"
				          " register", ujson_get_str(c, "value"), ujson_get_str(c, "source"),
				          ncand > 1 ? " and the other candidates" : "");
			} else {
				mj_reason(&j, MR_NO_ORDER, NULL, "no order number in the invoice, and no"
				          " nonpo rule or recurring series fits it");
			}
		}
	}
	if (j.rc)
		goto out;
	/* 5b. the same content under another number: what it is tied to
	 * (orders, receipts, the invoice a credit note corrects) is known now */
	mj_content_duplicates(&j, &r->booking);
	if (j.rc)
		goto out;
	/* 6. the booking suggestion */
	mj_fill_booking(&j, &r->booking);
	if (j.rc)
		goto out;
	mj_booking_checks(&j, &r->booking);
	if (r->booking.failed) {
		j.rc = ulf_err_set(err, r->booking.failed, "booking: out of memory for its text");
		goto out;
	}
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
