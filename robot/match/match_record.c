/*
 * match_record.c - the invoice as a record of the reference data: for its
 * fingerprint and recurrence key while matching, and for what a posted
 * invoice teaches (match_record).  See match.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/match/match_int.h"

int mj_as_record(record_buf *rb, match_job *j, const booking *b)
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
	rb->rec.refs = j->res->refs && *j->res->refs ? j->res->refs : NULL;
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

/* ---- memory ----------------------------------------------------------- */

static const char *jstr(const ujson *o, const char *key)
{
	const char *s = ujson_get_str(o, key);

	return s && *s ? s : NULL;
}

int match_record(matcher *m, const invoice *inv, const match_result *r,
		 const char *booking_json, int64_t doc_id, int64_t now, ulf_err *err)
{
	match_job j;
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
	rc = mj_as_record(&rb, &j, &r->booking);
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
				rc = ulf_err_set(err, ULF_ERANGE, "booking line %zu: the net amounts add"
						 " up to more than fits", i + 1);
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
